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

/// `n` as the axis shows it: bytes in binary units, very large or small numbers in scientific
/// notation.
pub(crate) fn label(n: f64, unit: Unit) -> String {
    match unit {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Unit::Bytes if n >= 0.0 => StorageSize::new(n.round() as u64).to_string(),
        _ if n == 0.0 => "0".to_owned(),
        _ if !n.is_finite() || n.abs() >= 1e15 || n.abs() < 1e-3 => format!("{n:.3e}"),
        _ if n.fract() == 0.0 => format!("{n:.0}"),
        _ => format!("{n:.4}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned(),
    }
}

/// `n` exactly, for a point's title: bytes counted.
fn exact(n: f64, unit: Unit) -> String {
    match unit {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Unit::Bytes if n >= 0.0 => format!(
            "{} ({} bytes)",
            label(n, unit),
            super::html::grouped(n.round() as u64)
        ),
        _ => label(n, unit),
    }
}

const WIDTH: f64 = 360.0;
const HEIGHT: f64 = 150.0;
const LEFT: f64 = 78.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 34.0;

/// One run's value: the run's place among all the runs (0 the oldest), its name, the value.
pub(crate) struct Point<'a> {
    pub(crate) run: usize,
    pub(crate) name: &'a str,
    pub(crate) value: f64,
}

/// Appends the chart of `points` (finite values, in run order) across `runs` runs; a run without
/// the key leaves a gap. `skipped` runs had a NaN or an infinity, which is said under the chart.
pub(crate) fn line(
    out: &mut String,
    key: &str,
    unit: Unit,
    runs: usize,
    points: &[Point<'_>],
    skipped: usize,
) {
    let (lo, hi) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p.value), hi.max(p.value))
        });
    let (lo, hi) = if points.is_empty() {
        (0.0, 1.0)
    } else if (hi - lo).abs() <= f64::EPSILON * lo.abs().max(1.0) {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        let low = if unit == Unit::Bytes {
            (lo - pad).max(0.0)
        } else {
            lo - pad
        };
        (low, hi + pad)
    } else {
        (lo, hi)
    };
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    #[allow(clippy::cast_precision_loss)]
    let x = |run: usize| {
        if runs <= 1 {
            LEFT + plot_w / 2.0
        } else {
            LEFT + plot_w * run as f64 / (runs - 1) as f64
        }
    };
    // In halves, so that a range as wide as f64's does not overflow.
    let span = hi / 2.0 - lo / 2.0;
    let y = |v: f64| TOP + plot_h * (1.0 - (v / 2.0 - lo / 2.0) / span);
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
    if runs > 1 {
        let _ = write!(
            out,
            "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{runs}</text>",
            WIDTH - RIGHT,
            HEIGHT - BOTTOM + 14.0
        );
    }
    let _ = write!(
        out,
        "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">run, oldest first ({runs} runs)</text>",
        LEFT + plot_w / 2.0,
        HEIGHT - 6.0
    );
    // A line through runs in a row; a run without the key breaks it.
    for segment in points.chunk_by(|a, b| b.run == a.run + 1) {
        if segment.len() > 1 {
            out.push_str("<polyline class=\"series\" points=\"");
            for p in segment {
                let _ = write!(out, "{:.1},{:.1} ", x(p.run), y(p.value));
            }
            out.push_str("\"/>");
        }
    }
    for p in points {
        let _ = write!(
            out,
            "<circle class=\"point\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\"><title>run {}, ",
            x(p.run),
            y(p.value),
            p.run + 1
        );
        escape(out, p.name);
        out.push_str(": ");
        escape(out, &exact(p.value, unit));
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
    use super::{Point, Unit, label, line};

    #[test]
    fn one_point_per_run_and_labels_in_units() {
        let mut out = String::new();
        let points = [
            Point {
                run: 0,
                name: "a",
                value: 1024.0,
            },
            Point {
                run: 1,
                name: "b",
                value: 1_048_576.0,
            },
            Point {
                run: 3,
                name: "d",
                value: 2048.0,
            },
        ];
        line(&mut out, "bytes", Unit::Bytes, 5, &points, 1);
        assert_eq!(out.matches("<circle").count(), 3);
        assert!(out.contains("data-points=\"3\""));
        assert!(out.contains(">1.00 MiB<"), "{out}");
        assert!(out.contains("1 run(s) with NaN"));
        // Runs 1 and 2 joined, run 3 missing: a gap; the axis counts all five runs.
        assert_eq!(out.matches("<polyline").count(), 1, "{out}");
        assert!(out.contains("run, oldest first (5 runs)"));
        assert!(
            out.contains("<title>run 4, d: 2.00 KiB (2,048 bytes)</title>"),
            "{out}"
        );
        assert_eq!(label(0.25, Unit::Plain), "0.25");
        assert_eq!(label(3.0, Unit::Plain), "3");
        assert_eq!(label(1e-9, Unit::Plain), "1.000e-9");
        assert_eq!(label(1e300, Unit::Plain), "1.000e300");
    }

    #[test]
    fn extreme_and_flat_ranges_stay_drawable() {
        let mut out = String::new();
        let points = [
            Point {
                run: 0,
                name: "a",
                value: -1e308,
            },
            Point {
                run: 1,
                name: "b",
                value: 1e308,
            },
        ];
        line(&mut out, "k", Unit::Plain, 2, &points, 0);
        assert!(!out.contains("NaN") && !out.contains("inf"), "{out}");
        let mut out = String::new();
        let points = [
            Point {
                run: 0,
                name: "a",
                value: 0.0,
            },
            Point {
                run: 1,
                name: "b",
                value: 0.0,
            },
        ];
        line(&mut out, "k", Unit::Bytes, 2, &points, 0);
        assert!(!out.contains(">-"), "no negative byte label: {out}");
    }

    #[test]
    fn stored_names_are_escaped_in_the_chart() {
        let mut out = String::new();
        let points = [Point {
            run: 0,
            name: "<script>",
            value: 1.0,
        }];
        line(&mut out, "<k>", Unit::Plain, 1, &points, 0);
        assert!(!out.contains("<script>") && !out.contains("<k>"), "{out}");
    }
}
