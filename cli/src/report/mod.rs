//! `report`: one self-contained HTML file of the store's runs — no server, no network, no
//! external assets. The runs, each run's metadata per component with every value rendered by
//! its tag and the hooks that failed where they failed, and across the runs of a pipeline a
//! chart per numeric key, what changed between runs, and the latest two side by side.
//!
//! Everything from the store is escaped, and a Content-Security-Policy forbids the page any
//! fetch: its one script (the copy buttons) is allowed by its hash.

mod chart;
mod html;
mod trend;

use std::fmt::Write as _;
use std::io::Write;
use std::time::SystemTime;

use run_metadata::sink::RunRecord;
use run_metadata::stack::ComponentInfo;
use run_metadata::store::{Reported, RunContents, Store};

use crate::CliError;
use crate::text::{timestamp, took};
use html::{Shown, escape};

/// The page's one script: the copy buttons, a long value's link opening the value it leads to,
/// and a mark that it ran (the browser test reads it).
const SCRIPT: &str = r#"document.addEventListener("click",function(e){var b=e.target.closest("button[data-copy]");if(b&&navigator.clipboard){navigator.clipboard.writeText(b.dataset.copy).then(function(){b.textContent="copied";});}});function o(){var t=location.hash&&document.getElementById(location.hash.slice(1));if(t&&t.tagName==="DETAILS"){t.open=true;}}window.addEventListener("hashchange",o);o();document.documentElement.dataset.ready="1";"#;

/// The SHA-256 of [`SCRIPT`], base64: the Content-Security-Policy runs no other script.
const SCRIPT_HASH: &str = "Tr03BhOjQoJoleImg6NTK9KfL1TMtiAVIyGYXnRdSP4=";

const STYLE: &str = "
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1em 1.5em;color:#1c2330;background:#fff}
h1{font-size:1.5em;margin:.2em 0}h2{border-bottom:2px solid #d8dee8;padding-bottom:.2em;margin-top:2em}
h3{margin:1.2em 0 .4em}h4{margin:.9em 0 .3em;color:#3b4a63}
table{border-collapse:collapse}td,th{text-align:left;vertical-align:top;padding:.25em .6em;border-bottom:1px solid #e6eaf0}
th{font-weight:600;color:#3b4a63}.md{width:100%;table-layout:fixed;margin-bottom:.4em}
.md td:first-child,.md th:first-child{width:30%}.md td.tag{width:7em}.md td{overflow-wrap:break-word}.md th{overflow-wrap:anywhere}
details.long summary,details.deep summary{cursor:pointer}.whole{white-space:pre-wrap;overflow-wrap:anywhere;max-height:24em;overflow:auto;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.92em}
code.json{display:block;overflow-wrap:anywhere;max-height:24em;overflow:auto}a.whole-link{font-size:.85em}
h1,h2,h3,h4{overflow-wrap:anywhere}table.nested{max-width:100%}
table.nested td:first-child,table.nested th:first-child{width:auto}table.nested td,table.nested th{overflow-wrap:anywhere}
caption.component{text-align:left;font-weight:600;color:#2b3b5c;padding:.3em 0 .1em}
table.nested{margin:.1em 0;border:1px solid #d8dee8}table.nested caption{text-align:left;font-size:.8em;color:#66728a;caption-side:top}
table.nested th{font-weight:normal;color:#66728a;font-size:.9em}
.meta{color:#55627a}.note{color:#66728a;font-size:.9em}.none{color:#9aa3b5}
.badge{background:#e7eefc;color:#24479b;border-radius:.8em;padding:.05em .6em;font-size:.9em}
code,.path{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.92em}
.size{border-bottom:1px dotted #8a94a8;cursor:help}.tag{color:#8a94a8;font-size:.85em}
button.copy{font-size:.75em;padding:0 .4em}
.failure{background:#fff3f0;border-left:3px solid #d04a2f;padding:.3em .6em;margin:.3em 0}
.status-completed{color:#1d7a3a}.status-failed{color:#b3261e}.status-running{color:#8a6d00}
.charts{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0;border:1px solid #e6eaf0;padding:.4em}
figcaption{font-size:.85em;max-width:360px}.chart .axis{stroke:#8a94a8;fill:none}
.chart .series{stroke:#2f5fd0;fill:none;stroke-width:1.5}.chart .point{fill:#2f5fd0}.chart .tick{font-size:10px;fill:#55627a}
tr.changed td{background:#fff8e1}tr.added td{background:#eafbea}tr.removed td{background:#fdecec}
nav a{margin-right:1em}
section,details{content-visibility:auto;contain-intrinsic-size:auto 1200px}
details.long,details.deep{content-visibility:visible;contain-intrinsic-size:none}
";

/// A run with everything the report shows of it, read once.
pub(crate) struct Loaded {
    record: RunRecord,
    contents: RunContents,
}

fn load(store: &Store, record: RunRecord) -> Result<Loaded, CliError> {
    let contents = store.run_contents(record.id)?;
    Ok(Loaded { record, contents })
}

/// `experiment_tracker mlflow`, as the report names a component.
pub(crate) fn component_label(component: Option<&ComponentInfo>) -> String {
    component.map_or_else(
        || "(no component)".to_owned(),
        |c| format!("{} {}", c.kind, c.name),
    )
}

/// Writes the report of `target` to `out`: a pipeline's name (its runs, with the charts and
/// changes across them), else a run (an id, a unique prefix of one, a name, or `latest`; with
/// the run before it in its pipeline side by side); without one, every run.
///
/// # Errors
///
/// The store's errors ([`StoreError::RunNotFound`](run_metadata::store::StoreError) for a
/// target that is neither), and write errors.
pub fn write_report(
    out: &mut dyn Write,
    store: &Store,
    target: Option<&str>,
) -> Result<(), CliError> {
    let all = store.runs()?; // latest first
    let (title, chosen, focus): (String, Vec<RunRecord>, Option<uuid::Uuid>) = match target {
        None => ("all runs".to_owned(), all, None),
        // `latest` is the latest run, whatever a pipeline is called.
        Some(t) if t != "latest" && all.iter().any(|r| r.pipeline == t) => (
            format!("pipeline {t}"),
            all.into_iter().filter(|r| r.pipeline == t).collect(),
            None,
        ),
        Some(t) => {
            let run = store.find_run(t)?;
            let pipeline = run.pipeline.clone();
            let title = format!("run {}", run.name);
            let id = run.id;
            // The run, and the one before it in its pipeline, for the side by side.
            let mut same: Vec<RunRecord> =
                all.into_iter().filter(|r| r.pipeline == pipeline).collect();
            let at = same.iter().position(|r| r.id == id).unwrap_or(0);
            let runs = same.drain(at..same.len().min(at + 2)).collect();
            (title, runs, Some(id))
        }
    };
    let loaded = chosen
        .into_iter()
        .map(|r| load(store, r))
        .collect::<Result<Vec<_>, _>>()?;
    let damaged = store.damaged_runs()?;
    let mut page = String::with_capacity(64 * 1024);
    head(&mut page, &title);
    let _ = write!(
        page,
        "<header><h1>run-metadata · {}</h1><p class=\"meta\">{} run(s) from the embedded store, written {}</p>",
        html::escaped(&title),
        loaded.len(),
        timestamp(SystemTime::now())
    );
    if !damaged.is_empty() {
        let _ = write!(
            page,
            "<p class=\"failure\">{} damaged record(s) cannot be read back and are not shown (run-metadata check reads the whole store).</p>",
            damaged.len()
        );
    }
    page.push_str("</header>");
    let shown = &mut Shown::default();
    if let Some(id) = focus {
        let chosen = loaded.split_first().filter(|(run, _)| run.record.id == id);
        if let Some((run, before)) = chosen {
            run_section(&mut page, shown, run);
            if let Some(before) = before.first() {
                page.push_str("<h2>Beside the run before it</h2>");
                trend::diff(&mut page, shown, before, run);
            }
        }
    } else {
        runs_table(&mut page, &loaded);
        pipelines(&mut page, shown, &loaded);
        page.push_str("<h2>Runs</h2>");
        for run in &loaded {
            run_section(&mut page, shown, run);
        }
    }
    let _ = writeln!(page, "<script>{SCRIPT}</script></body></html>");
    out.write_all(page.as_bytes())?;
    Ok(())
}

fn head(page: &mut String, title: &str) {
    let _ = write!(
        page,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{SCRIPT_HASH}'; img-src data:; base-uri 'none'; form-action 'none'\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>run-metadata · {}</title><style>{STYLE}</style></head><body>",
        html::escaped(title)
    );
}

/// The runs: name, pipeline, stack, status, start, duration.
fn runs_table(page: &mut String, runs: &[Loaded]) {
    if runs.is_empty() {
        page.push_str("<h2>The runs</h2><p class=\"note\">No runs yet: run a pipeline (cargo run --example quickstart), then write the report again.</p>");
        return;
    }
    page.push_str("<h2>The runs</h2><table class=\"md runs\"><tr><th>run</th><th>pipeline</th><th>stack</th><th>status</th><th>started</th><th>took</th></tr>");
    for run in runs {
        let r = &run.record;
        let _ = write!(page, "<tr><td><a href=\"#run-{}\">", r.id);
        escape(page, &r.name);
        page.push_str("</a></td><td>");
        escape(page, &r.pipeline);
        page.push_str("</td><td>");
        escape(page, &r.stack);
        let _ = write!(
            page,
            "</td><td class=\"status-{0}\">{0}</td><td>{1}</td><td>{2}</td></tr>",
            r.status,
            timestamp(r.started),
            r.finished.map_or_else(String::new, |f| took(r.started, f))
        );
    }
    page.push_str("</table>");
}

/// For each pipeline with more than one run: the charts and changes across its runs (oldest
/// first), and its latest two runs side by side.
fn pipelines(page: &mut String, shown: &mut Shown, runs: &[Loaded]) {
    // Each pipeline's runs, latest first as given, pipelines in order of their latest run.
    let mut order: Vec<&str> = Vec::new();
    let mut of: std::collections::HashMap<&str, Vec<&Loaded>> = std::collections::HashMap::new();
    for run in runs {
        let name = run.record.pipeline.as_str();
        of.entry(name)
            .or_insert_with(|| {
                order.push(name);
                Vec::new()
            })
            .push(run);
    }
    for name in order {
        let Some(mut of) = of.remove(name).filter(|of| of.len() > 1) else {
            continue;
        };
        of.reverse(); // oldest first
        page.push_str("<h2>Across the runs of pipeline ");
        escape(page, name);
        page.push_str("</h2>");
        trend::across(page, shown, &of);
        page.push_str("<h3>The latest two runs side by side</h3>");
        trend::diff(page, shown, of[of.len() - 2], of[of.len() - 1]);
    }
}

/// A run: its pipeline metadata, then each step's, grouped by component.
fn run_section(page: &mut String, shown: &mut Shown, run: &Loaded) {
    let r = &run.record;
    let _ = write!(page, "<section id=\"run-{}\"><h3>", r.id);
    escape(page, &r.name);
    let _ = write!(
        page,
        "</h3><p class=\"meta\"><code>{}</code> · pipeline ",
        r.id
    );
    escape(page, &r.pipeline);
    page.push_str(" · stack ");
    escape(page, &r.stack);
    let _ = write!(
        page,
        " · <span class=\"status-{0}\">{0}</span> · started {1}",
        r.status,
        timestamp(r.started)
    );
    if let Some(finished) = r.finished {
        let _ = write!(page, " · took {}", took(r.started, finished));
    }
    page.push_str("</p>");
    if !run.contents.damaged.is_empty() {
        let _ = write!(
            page,
            "<div class=\"failure\">{} record(s) of this run cannot be read back and are not shown (run-metadata check reads the whole store):<ul>",
            run.contents.damaged.len()
        );
        for damaged in &run.contents.damaged {
            page.push_str("<li>");
            escape(page, &damaged.to_string());
            page.push_str("</li>");
        }
        page.push_str("</ul></div>");
    }
    page.push_str("<h4>pipeline run</h4>");
    part_html(page, shown, &run.contents.pipeline);
    for (step, part) in &run.contents.steps {
        page.push_str("<h4>step ");
        escape(page, &step.name);
        let _ = write!(page, " <span class=\"status-{0}\">{0}</span>", step.status);
        if let Some(finished) = step.finished {
            let _ = write!(page, " · took {}", took(step.started, finished));
        }
        page.push_str("</h4>");
        part_html(page, shown, part);
    }
    page.push_str("</section>");
}

fn part_html(page: &mut String, shown: &mut Shown, part: &Reported) {
    if part.metadata.is_empty() && part.failures.is_empty() {
        page.push_str("<p class=\"none\">(no metadata)</p>");
    }
    for group in &part.metadata {
        page.push_str("<table class=\"md\"><caption class=\"component\">");
        escape(page, &component_label(group.component.as_ref()));
        page.push_str("</caption>");
        for (key, value) in &group.metadata {
            page.push_str("<tr><td><code class=\"key\">");
            escape(page, key);
            page.push_str("</code></td><td>");
            html::value(page, shown, value);
            let _ = write!(
                page,
                "</td><td class=\"tag\">{}</td></tr>",
                value.metadata_type()
            );
        }
        page.push_str("</table>");
    }
    for failure in &part.failures {
        page.push_str("<p class=\"failure\">");
        escape(page, &component_label(Some(&failure.component)));
        let _ = write!(
            page,
            ": its {} {}, nothing reported: ",
            failure.hook,
            failure.outcome()
        );
        escape(page, &failure.message);
        page.push_str("</p>");
    }
}
