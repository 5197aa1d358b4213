"""The table of `scripts/bench-latency.sh`: python3 bench_latency_table.py RESULTS.jsonl"""

import json
import statistics
import sys


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip().startswith("{")]


def ms(seconds):
    return f"{seconds * 1000:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def quantile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main(path):
    rows = load(path)
    rtts = sorted({int(r["rtt_ms"]) for r in rows if "rtt_ms" in r})

    def pick(**kw):
        return [r for r in rows if all(str(r.get(k)) == str(v) for k, v in kw.items())]

    def steps(client, rtt, **kw):
        out = []
        for r in pick(case="step-wait", client=client, rtt_ms=rtt, **kw):
            if r.get("server") != kw.get("server"):
                continue
            out += r.get("per_step_s") or r.get("per_call_s")
        return out

    print("Time a step waits for its metadata (median of every step; p90 in brackets)")
    print()
    print("| round trip | store alone | ours, background | ours, synchronous | ZenML's client, 3 publishes | ZenML / background | synchronous / background |")
    print("|---|---|---|---|---|---|---|")
    for rtt in rtts:
        store, bg, sync, zenml = (
            steps(c, rtt) for c in ("rust-store", "rust-background", "rust-sync", "zenml")
        )
        if not (store and bg and sync and zenml):
            continue
        med = {k: statistics.median(v) for k, v in
               {"store": store, "bg": bg, "sync": sync, "zenml": zenml}.items()}
        print(
            f"| {rtt} ms | {ms(med['store'])} ({ms(quantile(store, 0.9))}) "
            f"| {ms(med['bg'])} ({ms(quantile(bg, 0.9))}) "
            f"| {ms(med['sync'])} ({ms(quantile(sync, 0.9))}) "
            f"| {ms(med['zenml'])} ({ms(quantile(zenml, 0.9))}) "
            f"| **{med['zenml'] / med['bg']:.0f}** | {med['sync'] / med['bg']:.0f} |"
        )
    print()
    print("The three-step run (medians)")
    print()
    print("| round trip | ZenML's client, start to exit | ours, start to exit (all delivered) | ours, the run's own time (start and steps) | ours, the end of the run waiting for delivery | ZenML / ours, run's own time | ZenML / ours, start to exit |")
    print("|---|---|---|---|---|---|---|")
    for rtt in rtts:
        zenml = [r["wall_s"] for r in pick(case="run", client="zenml", rtt_ms=rtt)]
        ours = [r["wall_s"] for r in pick(case="run", client="rust", rtt_ms=rtt)]
        inner = pick(case="sink-run", client="rust", rtt_ms=rtt)
        if not (zenml and ours and inner):
            continue
        z, o = statistics.median(zenml), statistics.median(ours)
        own = statistics.median(r["steps_s"] for r in inner)
        wait = statistics.median(r["finish_s"] for r in inner)
        print(
            f"| {rtt} ms | {ms(z)} | {ms(o)} | {ms(own)} | {ms(wait)} "
            f"| **{z / own:.0f}** | {z / o:.2f} |"
        )
    gone = steps("rust-background", 0, server="gone")
    store = steps("rust-store", 0)
    if gone and store:
        failures = [f for r in pick(case="step-wait", server="gone") for f in r["failures"]]
        print()
        print(
            f"A server gone after 8 requests, mid-run: a step waits {ms(statistics.median(gone))} "
            f"(p90 {ms(quantile(gone, 0.9))}), against {ms(statistics.median(store))} into the "
            f"store alone: **{statistics.median(gone) / statistics.median(store):.2f}x**. "
            f"The end of each run said: {failures[0] if failures else 'nothing'}"
        )
    for r in pick(case="requests"):
        logins = sum(
            v["count"] for k, v in r["requests"].items() if k.startswith("POST /api/v1/login")
        )
        total = sum(v["count"] for v in r["requests"].values())
        print()
        print(f"{r['what']}: {total} requests, {logins} login(s), {r.get('connections')} connections")


if __name__ == "__main__":
    main(sys.argv[1])
