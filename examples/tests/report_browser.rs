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
