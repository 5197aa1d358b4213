//! The renderings for people: `runs` as a table, `show` as a run with its metadata grouped by
//! component.

use std::io::{self, Write};
use std::path::Path;
use std::time::SystemTime;

use run_metadata::MetadataValue;
use run_metadata::sink::RunRecord;
use run_metadata::store::{ComponentMetadata, Damaged, Health, Reported, RunContents, Store};
use run_metadata::time::Utc;

use crate::CliError;

/// `runs`: one line per run, latest first.
///
/// # Errors
///
/// Write errors.
pub fn write_runs(out: &mut dyn Write, runs: &[RunRecord]) -> io::Result<()> {
    if runs.is_empty() {
        return writeln!(out, "no runs yet");
    }
    let shown: Vec<(String, String)> = runs
        .iter()
        .map(|r| (visible(&r.name), visible(&r.pipeline)))
        .collect();
    let name_width = shown
        .iter()
        .map(|(n, _)| width(n))
        .max()
        .unwrap_or(0)
        .max(4);
    let pipeline_width = shown
        .iter()
        .map(|(_, p)| width(p))
        .max()
        .unwrap_or(0)
        .max(8);
    writeln!(
        out,
        "{:<8}  {}  {}  {:<9}  STARTED",
        "ID",
        pad("NAME", name_width),
        pad("PIPELINE", pipeline_width),
        "STATUS"
    )?;
    for (r, (name, pipeline)) in runs.iter().zip(&shown) {
        writeln!(
            out,
            "{:<8}  {}  {}  {:<9}  {}",
            &r.id.to_string()[..8],
            pad(name, name_width),
            pad(pipeline, pipeline_width),
            r.status,
            timestamp(r.started)
        )?;
    }
    Ok(())
}

/// `show`: the run, its pipeline metadata and each step's, grouped by component, each value in
/// the dashboard's form with its tag. With `links`, URIs are terminal hyperlinks.
///
/// # Errors
///
/// The store's errors and write errors.
pub fn write_run(
    out: &mut dyn Write,
    store: &Store,
    run: &RunRecord,
    links: bool,
) -> Result<(), CliError> {
    let contents = store.run_contents(run.id)?;
    Ok(write_contents(out, run, &contents, links)?)
}

/// [`write_run`] of a run already read.
pub(crate) fn write_contents(
    out: &mut dyn Write,
    run: &RunRecord,
    contents: &RunContents,
    links: bool,
) -> io::Result<()> {
    writeln!(out, "run {}  {}", visible(&run.name), run.id)?;
    write!(
        out,
        "  pipeline {}  stack {}  {}  started {}",
        visible(&run.pipeline),
        visible(&run.stack),
        run.status,
        timestamp(run.started)
    )?;
    if let Some(finished) = run.finished {
        write!(out, "  took {}", took(run.started, finished))?;
    }
    writeln!(out)?;
    writeln!(out)?;
    writeln!(out, "pipeline run")?;
    write_resource(out, &contents.pipeline, links)?;
    for (step, reported) in &contents.steps {
        writeln!(out)?;
        write!(out, "step {}  {}", visible(&step.name), step.status)?;
        if let Some(finished) = step.finished {
            write!(out, "  took {}", took(step.started, finished))?;
        }
        writeln!(out)?;
        write_resource(out, reported, links)?;
    }
    Ok(())
}

/// A resource's metadata per component, then the hooks that reported nothing there because
/// they failed.
fn write_resource(out: &mut dyn Write, reported: &Reported, links: bool) -> io::Result<()> {
    if reported.metadata.is_empty() && reported.failures.is_empty() {
        writeln!(out, "  (no metadata)")?;
    }
    write_groups(out, &reported.metadata, links)?;
    for failure in &reported.failures {
        writeln!(
            out,
            "  {} `{}`: nothing reported, its {} {}: {}",
            failure.component.kind,
            visible(&failure.component.name),
            failure.hook,
            failure.outcome(),
            visible(&failure.message)
        )?;
    }
    Ok(())
}

fn write_groups(out: &mut dyn Write, groups: &[ComponentMetadata], links: bool) -> io::Result<()> {
    for group in groups {
        match &group.component {
            Some(c) => writeln!(out, "  {} `{}`", c.kind, visible(&c.name))?,
            None => writeln!(out, "  (no component)")?,
        }
        let keys: Vec<String> = group.metadata.keys().map(visible).collect();
        let width = keys.iter().map(|k| width(k)).max().unwrap_or(0);
        for (key, (_, value)) in keys.iter().zip(&group.metadata) {
            let shown = visible(&value.to_string());
            let shown = match value {
                MetadataValue::Uri(uri) if links => hyperlink(uri.as_str(), &shown),
                _ => shown,
            };
            writeln!(
                out,
                "    {}  {shown}  [{}]",
                pad(key, width),
                value.metadata_type()
            )?;
        }
    }
    Ok(())
}

/// `text` as an OSC 8 hyperlink to `target`; control characters in the target are dropped so
/// that a stored value cannot inject terminal escapes.
fn hyperlink(target: &str, text: &str) -> String {
    let target: String = target.chars().filter(|c| !c.is_control()).collect();
    format!("\x1b]8;;{target}\x1b\\{text}\x1b]8;;\x1b\\")
}

/// `text` safe for a terminal: every control character (ESC, BEL, newlines, C1 codes…) shown as
/// its escape, so that nothing stored can move the cursor, retitle the window or make a link.
pub(crate) fn visible(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// The columns `text` takes in a terminal: two for a wide character (CJK, most emoji), none for
/// a combining mark.
fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` followed by the spaces that make it `columns` wide in a terminal.
fn pad(text: &str, columns: usize) -> String {
    let mut padded = text.to_owned();
    padded.extend(std::iter::repeat_n(
        ' ',
        columns.saturating_sub(width(text)),
    ));
    padded
}

/// The records that could not be read back, each named, after what could.
pub(crate) fn write_damaged(out: &mut dyn Write, damaged: &[Damaged]) -> io::Result<()> {
    if damaged.is_empty() {
        return Ok(());
    }
    let records = if damaged.len() == 1 {
        "record"
    } else {
        "records"
    };
    writeln!(
        out,
        "{} damaged {records} cannot be read back and are not shown (run-metadata check reads the whole store):",
        damaged.len()
    )?;
    write_damaged_list(out, damaged)
}

/// Each damaged record on its own line, escaped.
fn write_damaged_list(out: &mut dyn Write, damaged: &[Damaged]) -> io::Result<()> {
    for d in damaged {
        writeln!(out, "  {}", visible(&d.to_string()))?;
    }
    Ok(())
}

/// `check` of a file SQLite cannot open: the verdict, and SQLite's words.
pub(crate) fn write_unreadable(out: &mut dyn Write, path: &Path, detail: &str) -> io::Result<()> {
    writeln!(
        out,
        "{}: DAMAGED: SQLite's integrity check cannot run, the file's schema is unreadable; restore it from a copy:\n  {}",
        visible(&path.display().to_string()),
        visible(detail)
    )
}

/// `check`: the verdict first, then what was found.
pub(crate) fn write_health(out: &mut dyn Write, path: &Path, health: &Health) -> io::Result<()> {
    let file = visible(&path.display().to_string());
    if health.is_ok() {
        return writeln!(
            out,
            "{file}: ok: SQLite's integrity check passed; {} runs, {} steps and {} metadata rows read back",
            health.runs, health.steps, health.metadata
        );
    }
    if !health.integrity.is_empty() {
        writeln!(
            out,
            "{file}: DAMAGED: SQLite's integrity check found the file malformed; restore it from a copy, or read what still reads with run-metadata show:"
        )?;
        for finding in &health.integrity {
            writeln!(out, "  {}", visible(finding))?;
        }
        return Ok(());
    }
    writeln!(
        out,
        "{file}: DAMAGED: the file is sound, but {} records cannot be read back ({} runs, {} steps and {} metadata rows can):",
        health.damaged.len(),
        health.runs,
        health.steps,
        health.metadata
    )?;
    write_damaged_list(out, &health.damaged)
}

/// `2026-11-29 16:12:00 UTC`.
#[must_use]
pub fn timestamp(t: SystemTime) -> String {
    Utc::from(t).to_string()
}

/// A duration for people: `850 ms`, `12.3 s`, `4 min 5 s`.
pub(crate) fn took(from: SystemTime, to: SystemTime) -> String {
    let d = to.duration_since(from).unwrap_or_default();
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{}.{} s", ms / 1000, ms % 1000 / 100)
    } else {
        format!("{} min {} s", ms / 60_000, ms % 60_000 / 1000)
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::{hyperlink, timestamp, took};

    #[test]
    fn dates() {
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01 00:00:00 UTC");
        let t = UNIX_EPOCH + Duration::from_millis(1_795_968_720_123);
        assert_eq!(timestamp(t), "2026-11-29 16:12:00 UTC");
        let leap = UNIX_EPOCH + Duration::from_hours(264_384); // 2000-02-29
        assert_eq!(timestamp(leap), "2000-02-29 00:00:00 UTC");
    }

    #[test]
    fn durations() {
        let t = UNIX_EPOCH;
        assert_eq!(took(t, t + Duration::from_millis(850)), "850 ms");
        assert_eq!(took(t, t + Duration::from_millis(12_345)), "12.3 s");
        assert_eq!(took(t, t + Duration::from_secs(245)), "4 min 5 s");
    }

    #[test]
    fn control_characters_are_shown_escaped() {
        assert_eq!(
            super::visible("a\x1b]8;;http://evil\x07b"),
            "a\\u{1b}]8;;http://evil\\u{7}b"
        );
        assert_eq!(
            super::visible("line\nnext\t\u{9b}"),
            "line\\nnext\\t\\u{9b}"
        );
        assert_eq!(super::visible("héllo ✓"), "héllo ✓");
    }

    #[test]
    fn padding_counts_terminal_columns() {
        assert_eq!(super::pad("ab", 4), "ab  ");
        assert_eq!(super::pad("日本", 6), "日本  ");
        assert_eq!(super::pad("🦀x", 4), "🦀x ");
        assert_eq!(super::pad("e\u{301}", 2), "e\u{301} ");
        assert_eq!(super::pad("long", 2), "long");
    }

    #[test]
    fn hyperlinks_drop_control_characters_from_the_target() {
        assert_eq!(
            hyperlink("https://x.example/\x1b]8;;evil\x07", "x"),
            "\x1b]8;;https://x.example/]8;;evil\x1b\\x\x1b]8;;\x1b\\"
        );
    }
}
