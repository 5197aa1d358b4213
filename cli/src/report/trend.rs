//! Across runs of one pipeline: each key's values run by run, drawn where they are numbers and
//! listed where they changed; and two runs side by side.

use std::collections::HashMap;
use std::fmt::Write as _;

use run_metadata::MetadataValue;

use super::Loaded;
use super::chart::{self, Unit};
use super::html::{Shown, escape, value};

/// Where a value sits in a run: the pipeline run or a step, the component, the key.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub(crate) struct Place {
    pub(crate) scope: String,
    pub(crate) component: String,
    pub(crate) key: String,
}

impl Place {
    fn write(&self, out: &mut String) {
        out.push_str("<span class=\"scope\">");
        escape(out, &self.scope);
        out.push_str("</span> · <span class=\"component\">");
        escape(out, &self.component);
        out.push_str("</span> · <code class=\"key\">");
        escape(out, &self.key);
        out.push_str("</code>");
    }
}

/// Every value of a run with its place, in the run's order.
fn places(run: &Loaded) -> Vec<(Place, &MetadataValue)> {
    let scopes = std::iter::once(("pipeline run".to_owned(), &run.contents.pipeline)).chain(
        run.contents
            .steps
            .iter()
            .map(|(step, part)| (format!("step {}", step.name), part)),
    );
    let mut out = Vec::new();
    for (scope, part) in scopes {
        for group in &part.metadata {
            let component = super::component_label(group.component.as_ref());
            for (key, v) in &group.metadata {
                let place = Place {
                    scope: scope.clone(),
                    component: component.clone(),
                    key: key.to_owned(),
                };
                out.push((place, v));
            }
        }
    }
    out
}

/// Each place's value in each of `runs` (in their order), places in order of first appearance.
fn series<'a>(runs: &[&'a Loaded]) -> Vec<(Place, Vec<Option<&'a MetadataValue>>)> {
    let mut at: HashMap<Place, usize> = HashMap::new();
    let mut out: Vec<(Place, Vec<Option<&MetadataValue>>)> = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        for (place, v) in places(run) {
            let slot = *at.entry(place.clone()).or_insert_with(|| {
                out.push((place, vec![None; runs.len()]));
                out.len() - 1
            });
            out[slot].1[i] = Some(v);
        }
    }
    out
}

/// The numbers of a series and their unit, if every value it has is a number of one unit.
fn numbers(values: &[Option<&MetadataValue>]) -> Option<(Unit, Vec<Option<f64>>)> {
    let mut unit = None;
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        match v {
            None => out.push(None),
            Some(v) => {
                let (n, u) = chart::number(v)?;
                if unit.is_some_and(|unit| unit != u) {
                    return None;
                }
                unit = Some(u);
                out.push(Some(n));
            }
        }
    }
    unit.map(|u| (u, out))
}

/// Charts drawn at most, of the keys whose values moved first; the others are a table.
const MAX_CHARTS: usize = 48;

/// Appends the section across `runs` (oldest first): a chart per numeric place, the changes of
/// the others between consecutive runs.
pub(crate) fn across(out: &mut String, shown: &mut Shown, runs: &[&Loaded]) {
    let all = series(runs);
    let mut numeric = Vec::new();
    let mut others = Vec::new();
    for (place, values) in &all {
        match numbers(values) {
            Some((unit, numbers)) => numeric.push((place, unit, numbers)),
            None => others.push((place, values)),
        }
    }
    // The keys whose numbers moved first: past `MAX_CHARTS`, a table keeps the page light.
    numeric.sort_by_key(|(_, _, numbers)| {
        let mut present = numbers.iter().flatten();
        let first = present.next().copied();
        present.all(|n| Some(*n) == first || (n.is_nan() && first.is_some_and(f64::is_nan)))
    });
    charts(out, runs, &numeric);
    changes(out, shown, runs, &others);
}

/// A series of numbers: its place, unit, and each run's number.
type Numeric<'a> = (&'a Place, Unit, Vec<Option<f64>>);

/// A chart for each of the first [`MAX_CHARTS`] numeric places, a table of the rest.
fn charts(out: &mut String, runs: &[&Loaded], numeric: &[Numeric<'_>]) {
    out.push_str("<h3>Numbers per run</h3><div class=\"charts\">");
    if numeric.is_empty() {
        out.push_str("<p class=\"note\">No numeric metadata.</p>");
    }
    for (place, unit, numbers) in numeric.iter().take(MAX_CHARTS) {
        let mut points = Vec::new();
        let mut skipped = 0;
        for (at, (run, n)) in runs.iter().zip(numbers).enumerate() {
            match n {
                Some(n) if n.is_finite() => points.push(chart::Point {
                    run: at,
                    name: &run.record.name,
                    value: *n,
                }),
                Some(_) => skipped += 1,
                None => {}
            }
        }
        out.push_str("<figure>");
        chart::line(out, &place.key, *unit, runs.len(), &points, skipped);
        out.push_str("<figcaption>");
        place.write(out);
        out.push_str("</figcaption></figure>");
    }
    out.push_str("</div>");
    if numeric.len() > MAX_CHARTS {
        let _ = write!(
            out,
            "<details><summary>{} more numeric keys, as a table</summary><table class=\"md\"><tr><th>where</th><th>runs</th><th>lowest</th><th>highest</th><th>latest</th></tr>",
            numeric.len() - MAX_CHARTS
        );
        for (place, unit, numbers) in &numeric[MAX_CHARTS..] {
            let present: Vec<f64> = numbers
                .iter()
                .flatten()
                .copied()
                .filter(|n| n.is_finite())
                .collect();
            let low = present.iter().copied().fold(f64::INFINITY, f64::min);
            let high = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let shown = |n: f64| {
                if n.is_finite() {
                    chart::label(n, *unit)
                } else {
                    "–".to_owned()
                }
            };
            out.push_str("<tr><td>");
            place.write(out);
            let _ = write!(out, "</td><td>{}</td><td>", present.len());
            escape(out, &shown(low));
            out.push_str("</td><td>");
            escape(out, &shown(high));
            out.push_str("</td><td>");
            escape(
                out,
                &present
                    .last()
                    .map_or_else(String::new, |n| chart::label(*n, *unit)),
            );
            out.push_str("</td></tr>");
        }
        out.push_str("</table></details>");
    }
}

/// The non-numeric places whose value changed between consecutive runs, and how many did not.
fn changes(
    out: &mut String,
    shown: &mut Shown,
    runs: &[&Loaded],
    others: &[(&Place, &Vec<Option<&MetadataValue>>)],
) {
    out.push_str("<h3>What changed between runs</h3>");
    let mut unchanged = 0;
    let mut rows = String::new();
    for &(place, values) in others {
        let mut changed = false;
        for (i, pair) in values.windows(2).enumerate() {
            if alike(pair[0], pair[1]) {
                continue;
            }
            changed = true;
            rows.push_str("<tr><td>");
            place.write(&mut rows);
            rows.push_str("</td><td>");
            escape(&mut rows, &runs[i + 1].record.name);
            rows.push_str("</td><td>");
            cell(&mut rows, shown, pair[0]);
            rows.push_str("</td><td>");
            cell(&mut rows, shown, pair[1]);
            rows.push_str("</td></tr>");
        }
        if !changed {
            unchanged += 1;
        }
    }
    if rows.is_empty() {
        out.push_str("<p class=\"note\">No other value changed.</p>");
    } else {
        out.push_str(
            "<table class=\"md changes\"><tr><th>where</th><th>in run</th><th>before</th><th>after</th></tr>",
        );
        out.push_str(&rows);
        out.push_str("</table>");
    }
    let _ = write!(
        out,
        "<p class=\"note\">{unchanged} other value(s) the same in every run.</p>"
    );
}

/// Whether two runs hold the same value: NaN is the same as NaN here.
fn alike(a: Option<&MetadataValue>, b: Option<&MetadataValue>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            a == b || (a.metadata_type() == b.metadata_type() && a.to_json() == b.to_json())
        }
        (a, b) => a.is_none() && b.is_none(),
    }
}

/// A value, or that there was none.
fn cell(out: &mut String, shown: &mut Shown, v: Option<&MetadataValue>) {
    match v {
        Some(v) => value(out, shown, v),
        None => out.push_str("<span class=\"none\">(none)</span>"),
    }
}

/// Appends runs `a` and `b` side by side: every place either has, changed ones first; the
/// unchanged ones folded.
pub(crate) fn diff(out: &mut String, shown: &mut Shown, a: &Loaded, b: &Loaded) {
    let both = series(&[a, b]);
    out.push_str("<table class=\"md diff\"><tr><th>where</th><th>");
    run_name(out, &a.record.name);
    out.push_str("</th><th>");
    run_name(out, &b.record.name);
    out.push_str("</th></tr>");
    let mut same = String::new();
    let mut same_count = 0;
    for (place, values) in &both {
        let (old, new) = (values[0], values[1]);
        let class = match (old, new) {
            (None, _) => "added",
            (_, None) => "removed",
            _ if alike(old, new) => "same",
            _ => "changed",
        };
        let target = if class == "same" {
            same_count += 1;
            &mut same
        } else {
            &mut *out
        };
        let _ = write!(target, "<tr class=\"{class}\"><td>");
        place.write(target);
        if class == "same" {
            // One value for both runs.
            target.push_str("</td><td colspan=\"2\">");
        } else {
            target.push_str("</td><td>");
            cell(target, shown, old);
            target.push_str("</td><td>");
        }
        cell(target, shown, new);
        target.push_str("</td></tr>");
    }
    out.push_str("</table>");
    if same_count > 0 {
        let _ = write!(
            out,
            "<details><summary>{same_count} unchanged</summary><table class=\"md diff\">{same}</table></details>"
        );
    }
}

/// A run's name in a column's header: at most 80 characters, the whole name on hover.
fn run_name(out: &mut String, name: &str) {
    match name.char_indices().nth(80) {
        Some((at, _)) => {
            out.push_str("<span title=\"");
            escape(out, name);
            out.push_str("\">");
            escape(out, &name[..at]);
            out.push_str("…</span>");
        }
        None => escape(out, name),
    }
}
