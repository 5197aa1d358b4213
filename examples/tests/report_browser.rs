//! `run-metadata report` in a real browser: the quickstart run twice, a hostile value stored
//! beside its metadata, the report of pipeline `training` written by the command, then read back
//! as Chromium (headless) renders it, after its script ran under the page's
//! Content-Security-Policy.
//!
//! Needs `chromium` (Debian: `apt-get install chromium`). Without it the test says how to
//! install it; with `CI` set it fails.

#![allow(dead_code)]

#[path = "../examples/quickstart.rs"]
mod quickstart;

use std::path::{Path, PathBuf};
use std::process::Command;

use run_metadata::sink::Sink;
use run_metadata::stack::{ComponentInfo, ComponentKind};
use run_metadata::store::Store;
use run_metadata::{Metadata, MetadataValue, Resource, Uri};
use uuid::Uuid;

/// The browser: `$CHROMIUM`, else `chromium` or `chromium-browser` on the PATH.
fn chromium() -> Option<PathBuf> {
    let candidates = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .into_iter()
        .chain(["chromium", "chromium-browser"].map(PathBuf::from));
    for candidate in candidates {
        let works = Command::new(&candidate)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if works {
            return Some(candidate);
        }
    }
    let how = "install Chromium (Debian: `apt-get install chromium`; or set CHROMIUM to a \
               Chromium or Chrome binary) and run the tests again";
    assert!(
        std::env::var_os("CI").is_none(),
        "report_browser: no Chromium found; CI must run this test: {how}"
    );
    eprintln!("report_browser: NOT RUN: no Chromium found; {how}");
    None
}

/// Chromium's headless run on `page`, with `args` before it; panics with its output if it
/// fails.
fn headless(browser: &Path, args: &[&str], page: &Path) -> String {
    let profile = page.with_extension("profile");
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--virtual-time-budget=2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every `<svg …>…</svg>` of the chart class in `dom`.
fn charts(dom: &str) -> Vec<&str> {
    dom.match_indices("<svg class=\"chart\"")
        .map(|(at, _)| {
            let end = dom[at..].find("</svg>").map_or(dom.len(), |e| at + e);
            &dom[at..end]
        })
        .collect()
}

#[test]
fn the_report_renders_in_chromium_as_the_store_holds_it() {
    let Some(browser) = chromium() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("rm-report-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let store_path = dir.join("runs.db");
    for _ in 0..2 {
        quickstart::run(&mut std::io::sink(), &store_path).unwrap();
    }
    // A hostile value and a hostile link, stored beside the first run's metadata.
    let mut store = Store::open(&store_path).unwrap();
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 2);
    let mut hostile = Metadata::new();
    hostile.insert("note", "<script>alert(1)</script>").unwrap();
    hostile
        .insert_value("trap", MetadataValue::Uri(Uri::new("javascript:alert(2)")))
        .unwrap();
    let intruder = ComponentInfo {
        id: Uuid::new_v4(),
        name: "<b>intruder</b>".into(),
        kind: ComponentKind::ExperimentTracker,
    };
    store
        .publish(Resource::pipeline_run(runs[1].id), &intruder, &hostile)
        .unwrap();
    drop(store);

    let page = dir.join("report.html");
    let args = run_metadata_cli::parse([
        "--store".into(),
        store_path.clone().into_os_string(),
        "report".into(),
        "training".into(),
        "--html".into(),
        page.clone().into_os_string(),
    ])
    .unwrap();
    let mut said = Vec::new();
    run_metadata_cli::run(&args, &mut said, &mut std::io::sink(), false).unwrap();
    assert!(String::from_utf8_lossy(&said).starts_with("wrote "));

    let dom = headless(&browser, &["--dump-dom"], &page);
    // The page's one script ran: the policy allows it by its hash, and nothing else.
    assert!(
        dom.contains("data-ready=\"1\""),
        "the report's script did not run:\n{dom}"
    );
    assert_eq!(dom.matches("<script").count(), 1, "{dom}");
    assert!(dom.contains("Content-Security-Policy"));
    // The quickstart's runs, each value as its tag says.
    for run in &runs {
        assert!(dom.contains(&run.name), "{} missing", run.name);
    }
    assert!(
        dom.contains(
            "<a class=\"uri\" rel=\"noopener noreferrer\" href=\"https://console.example\">"
        ),
        "no link for the orchestrator's console"
    );
    assert!(
        dom.contains(">976.56 KiB</span>"),
        "no StorageSize in binary units"
    );
    assert!(
        dom.contains("title=\"1,000,000 bytes\""),
        "no exact bytes on hover"
    );
    assert!(
        dom.contains("<span class=\"badge\">float32</span>"),
        "no DType badge"
    );
    assert!(
        dom.contains("<code class=\"path\">/mnt/artifacts</code>"),
        "no Path"
    );
    // One point per run in every chart, and at least one chart.
    let charts = charts(&dom);
    assert!(!charts.is_empty(), "no chart");
    for chart in &charts {
        assert_eq!(chart.matches("<circle").count(), 2, "{chart}");
    }
    // Stored markup is text; the hostile link is not a link.
    assert!(
        dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the stored script is not shown as text"
    );
    assert!(!dom.contains("<script>alert"));
    assert!(dom.contains("&lt;b&gt;intruder&lt;/b&gt;") && !dom.contains("<b>intruder"));
    assert!(
        !dom.contains("href=\"javascript:"),
        "a javascript: URI became a link"
    );

    // And it paints: a screenshot of the page.
    let shot = dir.join("report.png");
    headless(
        &browser,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1200,1800",
        ],
        &page,
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Measures the laid-out page: every cell of a metadata table whose content is wider than its
/// box (it would run over its neighbour), cells of one row that overlap, and how wide the page
/// is beside the window. Injected into a copy of the report, whose policy is loosened to run it.
const MEASURE: &str = r#"
var bad = [];
document.querySelectorAll("table.md tr").forEach(function (row, r) {
  var cells = Array.prototype.slice.call(row.children);
  cells.forEach(function (cell, i) {
    if (cell.scrollWidth > cell.clientWidth + 1) {
      bad.push("table " + row.closest("table").className + " row " + r + " cell " + i + ": " +
               cell.scrollWidth + " px of content in " + cell.clientWidth + " px: " +
               cell.textContent.slice(0, 80));
    }
    var next = cells[i + 1];
    if (next && cell.getBoundingClientRect().right > next.getBoundingClientRect().left + 1) {
      bad.push("row " + r + " cells " + i + " and " + (i + 1) + " overlap");
    }
  });
});
var root = document.documentElement;
root.dataset.overlaps = String(bad.length);
root.dataset.firstOverlap = bad[0] || "";
root.dataset.pageWidth = String(root.scrollWidth);
root.dataset.windowWidth = String(window.innerWidth);
root.dataset.measured = "1";
"#;

#[test]
fn a_report_of_long_and_deep_values_opens_fast_at_the_size_of_its_values() {
    use run_metadata::sink::{RunRecord, Status};
    use std::time::{Instant, SystemTime};

    let Some(browser) = chromium() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("rm-report-long-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let store_path = dir.join("runs.db");
    let mut store = Store::open(&store_path).unwrap();
    let component = ComponentInfo {
        id: Uuid::new_v4(),
        name: "tracker".into(),
        kind: ComponentKind::ExperimentTracker,
    };
    const MB: usize = 1_000_000;
    let mut raw = 0;
    for last in ['a', 'b'] {
        // A value of 1 MB without a space, different in each run, one nested 128 deep, and a
        // run name too long for its column.
        let mut blob = "x".repeat(MB - 1);
        blob.push(last);
        let mut deep = MetadataValue::Int(1.into());
        for _ in 0..127 {
            deep = MetadataValue::List(vec![deep]);
        }
        let mut m = Metadata::new();
        m.insert("blob", blob).unwrap();
        m.insert_value("deep", deep).unwrap();
        raw += m.to_json().len();
        let mut run = RunRecord {
            id: Uuid::new_v4(),
            name: format!("nightly-{}-{last}", "n".repeat(150)),
            pipeline: "training".into(),
            stack: "local".into(),
            status: Status::Running,
            started: SystemTime::now(),
            finished: None,
        };
        store.start_run(&mut run).unwrap();
        store
            .publish(Resource::pipeline_run(run.id), &component, &m)
            .unwrap();
        run.status = Status::Completed;
        run.finished = Some(SystemTime::now());
        store.finish_run(&run).unwrap();
    }
    drop(store);
    let page = dir.join("report.html");
    let args = run_metadata_cli::parse([
        "--store".into(),
        store_path.into_os_string(),
        "report".into(),
        "training".into(),
        "--html".into(),
        page.clone().into_os_string(),
    ])
    .unwrap();
    run_metadata_cli::run(&args, &mut std::io::sink(), &mut std::io::sink(), false).unwrap();

    // Each long value whole once: the page is about the size of the values it holds.
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.len() <= raw * 2,
        "the report is {} bytes for {raw} bytes of values",
        html.len()
    );
    assert_eq!(
        html.matches(&"x".repeat(MB - 1)).count(),
        2,
        "each value whole once"
    );

    // It opens fast: Chromium loads, lays out and dumps it in under 5 s.
    let started = Instant::now();
    let dom = headless(&browser, &["--dump-dom"], &page);
    let took = started.elapsed();
    assert!(
        dom.contains("data-ready=\"1\""),
        "the report's script did not run"
    );
    assert!(took.as_secs_f64() < 5.0, "Chromium took {took:?}");
    eprintln!(
        "report of 2 × 1 MB and 2 × 128-deep values: {} bytes ({raw} bytes of values), \
         Chromium {took:?}",
        html.len()
    );

    // Nothing runs over: no cell's content spills into its neighbour, the page is no wider
    // than the window. The same page, with the measuring script.
    let measured = dir.join("measured.html");
    // A hash in the policy disables 'unsafe-inline': the policy's script source is replaced.
    let at = html.find("script-src 'sha256-").unwrap();
    let end = at + html[at..].find("';").unwrap() + 1;
    let loosened = format!("{}script-src 'unsafe-inline'{}", &html[..at], &html[end..])
        .replace("</body>", &format!("<script>{MEASURE}</script></body>"));
    std::fs::write(&measured, loosened).unwrap();
    let dom = headless(
        &browser,
        &["--dump-dom", "--window-size=1200,1800"],
        &measured,
    );
    let attr = |name: &str| -> String {
        let at = dom
            .find(&format!("{name}=\""))
            .unwrap_or_else(|| panic!("no {name} in the measured page"));
        let rest = &dom[at + name.len() + 2..];
        rest[..rest.find('"').unwrap()].to_owned()
    };
    assert_eq!(attr("data-measured"), "1");
    assert_eq!(
        attr("data-overlaps"),
        "0",
        "first: {}",
        attr("data-first-overlap")
    );
    let (page_width, window): (u32, u32) = (
        attr("data-page-width").parse().unwrap(),
        attr("data-window-width").parse().unwrap(),
    );
    assert!(
        page_width <= window,
        "the page is {page_width} px wide in a {window} px window"
    );
    let shot = dir.join("report-long.png");
    headless(
        &browser,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1200,1800",
        ],
        &measured,
    );
    eprintln!("screenshot: {}", shot.display());
    assert!(std::fs::read(&shot).unwrap().starts_with(b"\x89PNG"));
}
