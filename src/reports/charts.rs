//! Charts as inline SVG, drawn on the server: no script, sharp in print, and each one names
//! the table beside it that holds the same numbers for screen readers.

use std::fmt::Write;

/// The colours of the series, the same on every chart: the period itself dark blue, the year
/// before grey, a second measure orange. Each has at least 3:1 contrast on white (WCAG 1.4.11).
pub const COLOURS: [&str; 3] = ["#1d5f8a", "#6e6e6e", "#b5541b"];

const WIDTH: f64 = 640.0;
const VALUE_WIDTH: f64 = 60.0;
const BAR_HEIGHT: f64 = 14.0;
const GROUP_GAP: f64 = 10.0;
const LEGEND_LINE: f64 = 20.0;
/// The room a label may take beside the bars: wider labels are shortened (the table beside the
/// chart holds them in full), narrower ones leave the bars more room.
const LABEL_WIDTH_MIN: f64 = 120.0;
const LABEL_WIDTH_MAX: f64 = 280.0;
/// A generous width of one character of the 12px labels, so that no label outgrows its room.
const CHAR_WIDTH: f64 = 7.0;
/// The widest slot of a column chart: a single month stays a pair of columns, not two walls.
const SLOT_WIDTH_MAX: f64 = 90.0;

/// One category with a value per series (`None` when suppressed or not applicable).
pub struct Bar {
    pub label: String,
    pub values: Vec<Option<f64>>,
}

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}").replace('.', ",")
    }
}

fn open_svg(out: &mut String, id: &str, height: f64, title: &str, description: &str) {
    let _ = write!(
        out,
        r#"<svg class="chart" id="{id}" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(description)
    );
}

/// The width a text of 12px takes at most.
fn text_width(text: &str) -> f64 {
    CHAR_WIDTH * text.chars().count() as f64
}

/// `text` shortened with an ellipsis to fit `width`.
fn fitted(text: &str, width: f64) -> String {
    let room = (width / CHAR_WIDTH).floor() as usize;
    if text.chars().count() <= room {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(room.saturating_sub(1)).collect();
        short.push('…');
        short
    }
}

/// Where each legend entry goes: on one line while they fit the chart's width, then on the next.
fn legend_places(series: &[String]) -> Vec<(f64, f64)> {
    let (mut x, mut y) = (0.0, 0.0);
    series
        .iter()
        .map(|name| {
            let width = 24.0 + text_width(name);
            if x > 0.0 && x + width > WIDTH {
                (x, y) = (0.0, y + LEGEND_LINE);
            }
            let place = (x, y);
            x += width;
            place
        })
        .collect()
}

/// The height the legend takes, with a little room below it.
fn legend_height(series: &[String]) -> f64 {
    legend_places(series).last().map_or(0.0, |&(_, y)| y) + LEGEND_LINE + 6.0
}

fn legend(out: &mut String, series: &[String]) {
    for (i, (name, (x, y))) in series.iter().zip(legend_places(series)).enumerate() {
        let _ = write!(
            out,
            r#"<rect x="{x}" y="{}" width="12" height="12" fill="{}"/><text x="{}" y="{}" class="chart__legend">{}</text>"#,
            y + 4.0,
            COLOURS[i % COLOURS.len()],
            x + 18.0,
            y + 14.0,
            escape(&fitted(name, WIDTH - x - 18.0))
        );
    }
}

/// Horizontal bars, one group per category, one bar per series.
pub fn bars(id: &str, title: &str, description: &str, series: &[String], bars: &[Bar]) -> String {
    let per_group = series.len().max(1) as f64;
    let group_height = per_group * BAR_HEIGHT + GROUP_GAP;
    let legend_height = legend_height(series);
    let height = legend_height + group_height * bars.len().max(1) as f64;
    let label_width = bars
        .iter()
        .map(|b| text_width(&b.label) + 8.0)
        .fold(LABEL_WIDTH_MIN, f64::max)
        .min(LABEL_WIDTH_MAX);
    let max = bars
        .iter()
        .flat_map(|b| b.values.iter().flatten())
        .fold(0.0_f64, |m, v| m.max(*v));
    let scale = if max > 0.0 {
        (WIDTH - label_width - VALUE_WIDTH) / max
    } else {
        0.0
    };
    let mut out = String::new();
    open_svg(&mut out, id, height, title, description);
    legend(&mut out, series);
    for (g, bar) in bars.iter().enumerate() {
        let top = legend_height + g as f64 * group_height;
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" text-anchor="end" class="chart__label">{}</text>"#,
            label_width - 8.0,
            top + per_group * BAR_HEIGHT / 2.0 + 4.0,
            escape(&fitted(&bar.label, label_width - 8.0))
        );
        for (s, value) in bar.values.iter().enumerate() {
            let y = top + s as f64 * BAR_HEIGHT;
            let (width, text) = match value {
                Some(v) => (v * scale, number(*v)),
                None => (0.0, "–".to_owned()),
            };
            let _ = write!(
                out,
                r#"<rect x="{label_width}" y="{y}" width="{width:.1}" height="{}" fill="{}"/><text x="{:.1}" y="{}" class="chart__value">{text}</text>"#,
                BAR_HEIGHT - 2.0,
                COLOURS[s % COLOURS.len()],
                label_width + width + 4.0,
                y + BAR_HEIGHT - 4.0,
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// Vertical columns over time (months or years), one column per series at each point.
pub fn columns(id: &str, title: &str, description: &str, series: &[String], points: &[Bar]) -> String {
    let height = 220.0;
    let plot_top = legend_height(series) + 14.0;
    let plot_bottom = height - 24.0;
    let max = points
        .iter()
        .flat_map(|b| b.values.iter().flatten())
        .fold(0.0_f64, |m, v| m.max(*v));
    let scale = if max > 0.0 {
        (plot_bottom - plot_top) / max
    } else {
        0.0
    };
    let slot = ((WIDTH - 10.0) / points.len().max(1) as f64).min(SLOT_WIDTH_MAX);
    // Every label where they fit side by side, else every second, third…
    let widest = points.iter().map(|p| text_width(&p.label)).fold(0.0, f64::max);
    let label_every = ((widest + 6.0) / slot).ceil().max(1.0) as usize;
    let per = series.len().max(1) as f64;
    let column = (slot - 6.0) / per;
    let mut out = String::new();
    open_svg(&mut out, id, height, title, description);
    legend(&mut out, series);
    let _ = write!(
        out,
        r##"<line x1="0" y1="{plot_bottom}" x2="{WIDTH}" y2="{plot_bottom}" stroke="#6e6e6e"/>"##
    );
    for (p, point) in points.iter().enumerate() {
        let left = 5.0 + p as f64 * slot;
        for (s, value) in point.values.iter().enumerate() {
            let x = left + 3.0 + s as f64 * column;
            let (h, text) = match value {
                Some(v) => (v * scale, number(*v)),
                None => (0.0, "–".to_owned()),
            };
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="{}"/>"#,
                plot_bottom - h,
                (column - 2.0).max(1.0),
                COLOURS[s % COLOURS.len()],
            );
            if points.len() <= 13 {
                let _ = write!(
                    out,
                    r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="chart__value">{text}</text>"#,
                    x + column / 2.0 - 1.0,
                    plot_bottom - h - 3.0,
                );
            }
        }
        if p % label_every == 0 {
            // Kept inside the chart: the first and last label would stick out by half.
            let half = text_width(&point.label) / 2.0;
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{}" text-anchor="middle" class="chart__label">{}</text>"#,
                (left + slot / 2.0).clamp(half, (WIDTH - half).max(half)),
                height - 8.0,
                escape(&point.label)
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value_and_escape_labels() {
        let svg = bars(
            "c",
            "Titel",
            "Beschrijving",
            &["2026".into(), "2025".into()],
            &[
                Bar {
                    label: "A & B".into(),
                    values: vec![Some(10.0), Some(5.0)],
                },
                Bar {
                    label: "C".into(),
                    values: vec![None, Some(2.5)],
                },
            ],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("A &amp; B"));
        assert!(svg.contains(r#"role="img""#) && svg.contains("<title id=\"c-title\">Titel</title>"));
        // The largest bar fills the plot: 640 - 120 (short labels) - 60.
        assert!(svg.contains(r#"width="460.0""#));
        assert!(svg.contains(r#"width="230.0""#));
        assert!(svg.contains(">2,5<"));
    }

    #[test]
    fn columns_draw_one_column_per_series_and_point() {
        let svg = columns(
            "m",
            "Per maand",
            "",
            &["nieuw".into(), "gesloten".into()],
            &[Bar {
                label: "jan".into(),
                values: vec![Some(3.0), Some(0.0)],
            }],
        );
        assert_eq!(svg.matches("<rect").count(), 2 + 2);
        // One month is a pair of columns of a slot's width, not two halves of the chart.
        assert!(svg.contains(r#"width="40.0""#), "{svg}");
    }

    #[test]
    fn long_labels_are_shortened_to_stay_inside_the_chart() {
        let long = "Maatschappelijke dienstverlening en schuldhulpverlening Utrechtse Heuvelrug";
        let svg = bars(
            "c",
            "Titel",
            "",
            &["2026".into()],
            &[Bar {
                label: long.into(),
                values: vec![Some(1.0)],
            }],
        );
        assert!(!svg.contains(long) && svg.contains("Maatschappelijke dienstverlening"));
        assert!(svg.contains('…'));
        let text = fitted(long, LABEL_WIDTH_MAX - 8.0);
        assert!(text_width(&text) <= LABEL_WIDTH_MAX - 8.0);
    }
}
