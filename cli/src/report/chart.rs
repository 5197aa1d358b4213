//! A small SVG line chart of one numeric key across runs: one point per run that has a finite
//! value, both axes labelled, sizes in binary units.

use std::fmt::Write as _;

use run_metadata::{MetadataValue, StorageSize};

use super::html::escape;

/// How a series' numbers read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Unit {
    /// Integers and floats, as written.
    Plain,
    /// Bytes, in binary units.
    Bytes,
}

/// A numeric value as the chart plots it: `None` for other tags.
pub(crate) fn number(value: &MetadataValue) -> Option<(f64, Unit)> {
    match value {
        MetadataValue::Int(i) => i.to_string().parse().ok().map(|n| (n, Unit::Plain)),
        MetadataValue::Float(f) => Some((*f, Unit::Plain)),
        #[allow(clippy::cast_precision_loss)]
        MetadataValue::StorageSize(s) => Some((s.bytes() as f64, Unit::Bytes)),
        _ => None,
    }
}

/// `n` as the axis shows it.
pub(crate) fn label(n: f64, unit: Unit) -> String {
    match unit {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Unit::Bytes if n >= 0.0 => StorageSize::new(n.round() as u64).to_string(),
        _ if n.fract() == 0.0 && n.abs() < 1e15 => format!("{n:.0}"),
        _ => format!("{n:.4}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned(),
    }
}

const WIDTH: f64 = 360.0;
const HEIGHT: f64 = 150.0;
const LEFT: f64 = 78.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 34.0;

/// Appends the chart of `points` (run name, value) in run order; `skipped` runs had a NaN or
/// an infinity, which is said under the chart.
pub(crate) fn line(
    out: &mut String,
    key: &str,
    unit: Unit,
    points: &[(&str, f64)],
    skipped: usize,
) {
    let (lo, hi) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(_, v)| {
            (lo.min(v), hi.max(v))
        });
    let (lo, hi) = if points.is_empty() {
        (0.0, 1.0)
    } else if (hi - lo).abs() < f64::EPSILON * lo.abs().max(1.0) {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        (lo - pad, hi + pad)
    } else {
        (lo, hi)
    };
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    #[allow(clippy::cast_precision_loss)]
    let x = |i: usize| {
        if points.len() <= 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * i as f64 / (points.len() - 1) as f64
        }
    };
    let y = |v: f64| TOP + plot_h * (1.0 - (v - lo) / (hi - lo));
    out.push_str("<svg class=\"chart\" role=\"img\" viewBox=\"0 0 360 150\" width=\"360\" height=\"150\" data-key=\"");
    escape(out, key);
    let _ = write!(out, "\" data-points=\"{}\"><title>", points.len());
    escape(out, key);
    out.push_str(" per run</title>");
    // Axes, and the value range on the left.
    let _ = write!(
        out,
        "<path class=\"axis\" d=\"M{LEFT} {TOP}V{b}H{r}\"/>",
        b = HEIGHT - BOTTOM,
        r = WIDTH - RIGHT
    );
    for (v, anchor_y) in [(hi, TOP + 4.0), (lo, HEIGHT - BOTTOM)] {
        let _ = write!(
            out,
            "<text class=\"tick\" x=\"{}\" y=\"{anchor_y}\" text-anchor=\"end\">",
            LEFT - 6.0
        );
        escape(out, &label(v, unit));
        out.push_str("</text>");
    }
    // The runs along the bottom, numbered oldest first; each point's title names its run.
    let _ = write!(
        out,
        "<text class=\"tick\" x=\"{LEFT}\" y=\"{}\" text-anchor=\"start\">1</text>",
        HEIGHT - BOTTOM + 14.0
    );
    if points.len() > 1 {
        let _ = write!(
            out,
            "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            WIDTH - RIGHT,
            HEIGHT - BOTTOM + 14.0,
            points.len()
        );
    }
    let _ = write!(
        out,
        "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">run, oldest first ({} runs)</text>",
        LEFT + plot_w / 2.0,
        HEIGHT - 6.0,
        points.len()
    );
    if points.len() > 1 {
        out.push_str("<polyline class=\"series\" points=\"");
        for (i, &(_, v)) in points.iter().enumerate() {
            let _ = write!(out, "{:.1},{:.1} ", x(i), y(v));
        }
        out.push_str("\"/>");
    }
    for (i, &(run, v)) in points.iter().enumerate() {
        let _ = write!(
            out,
            "<circle class=\"point\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\"><title>",
            x(i),
            y(v)
        );
        let _ = write!(out, "run {}, ", i + 1);
        escape(out, run);
        out.push_str(": ");
        escape(out, &label(v, unit));
        out.push_str("</title></circle>");
    }
    out.push_str("</svg>");
    if skipped > 0 {
        let _ = write!(
            out,
            "<p class=\"note\">{skipped} run(s) with NaN or an infinity here, not drawn</p>"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{Unit, label, line};

    #[test]
    fn one_point_per_run_and_labels_in_units() {
        let mut out = String::new();
        line(
            &mut out,
            "bytes",
            Unit::Bytes,
            &[("a", 1024.0), ("b", 1_048_576.0), ("c", 2048.0)],
            1,
        );
        assert_eq!(out.matches("<circle").count(), 3);
        assert!(out.contains("data-points=\"3\""));
        assert!(out.contains(">1.00 MiB<"), "{out}");
        assert!(out.contains("1 run(s) with NaN"));
        assert_eq!(label(0.25, Unit::Plain), "0.25");
        assert_eq!(label(3.0, Unit::Plain), "3");
    }

    #[test]
    fn stored_names_are_escaped_in_the_chart() {
        let mut out = String::new();
        line(&mut out, "<k>", Unit::Plain, &[("<script>", 1.0)], 0);
        assert!(!out.contains("<script>") && !out.contains("<k>"), "{out}");
    }
}
