//! Charts as inline SVG, drawn on the server: no script, sharp in print, and each one names
//! the table beside it that holds the same numbers for screen readers.

use std::fmt::Write;

/// The colours of the series, the same on every chart: the period itself dark blue, the year
/// before grey, a second measure orange. Each has at least 3:1 contrast on white (WCAG 1.4.11).
pub const COLOURS: [&str; 3] = ["#1d5f8a", "#6e6e6e", "#b5541b"];

const WIDTH: f64 = 640.0;
const LABEL_WIDTH: f64 = 200.0;
const VALUE_WIDTH: f64 = 60.0;
const BAR_HEIGHT: f64 = 14.0;
const GROUP_GAP: f64 = 10.0;
const LEGEND_HEIGHT: f64 = 26.0;

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

fn legend(out: &mut String, series: &[String]) {
    let mut x = 0.0;
    for (i, name) in series.iter().enumerate() {
        let _ = write!(
            out,
            r#"<rect x="{x}" y="4" width="12" height="12" fill="{}"/><text x="{}" y="14" class="chart__legend">{}</text>"#,
            COLOURS[i % COLOURS.len()],
            x + 18.0,
            escape(name)
        );
        x += 24.0 + 8.0 * name.chars().count() as f64;
    }
}

/// Horizontal bars, one group per category, one bar per series.
pub fn bars(id: &str, title: &str, description: &str, series: &[String], bars: &[Bar]) -> String {
    let per_group = series.len().max(1) as f64;
    let group_height = per_group * BAR_HEIGHT + GROUP_GAP;
    let height = LEGEND_HEIGHT + group_height * bars.len().max(1) as f64;
    let max = bars
        .iter()
        .flat_map(|b| b.values.iter().flatten())
        .fold(0.0_f64, |m, v| m.max(*v));
    let scale = if max > 0.0 {
        (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / max
    } else {
        0.0
    };
    let mut out = String::new();
    open_svg(&mut out, id, height, title, description);
    legend(&mut out, series);
    for (g, bar) in bars.iter().enumerate() {
        let top = LEGEND_HEIGHT + g as f64 * group_height;
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" text-anchor="end" class="chart__label">{}</text>"#,
            LABEL_WIDTH - 8.0,
            top + per_group * BAR_HEIGHT / 2.0 + 4.0,
            escape(&bar.label)
        );
        for (s, value) in bar.values.iter().enumerate() {
            let y = top + s as f64 * BAR_HEIGHT;
            let (width, text) = match value {
                Some(v) => (v * scale, number(*v)),
                None => (0.0, "–".to_owned()),
            };
            let _ = write!(
                out,
                r#"<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1}" height="{}" fill="{}"/><text x="{:.1}" y="{}" class="chart__value">{text}</text>"#,
                BAR_HEIGHT - 2.0,
                COLOURS[s % COLOURS.len()],
                LABEL_WIDTH + width + 4.0,
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
    let plot_top = LEGEND_HEIGHT + 14.0;
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
    let slot = (WIDTH - 10.0) / points.len().max(1) as f64;
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
        if points.len() <= 13 || p % 3 == 0 {
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{}" text-anchor="middle" class="chart__label">{}</text>"#,
                left + slot / 2.0,
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
        // The largest bar fills the plot: 640 - 200 - 60.
        assert!(svg.contains(r#"width="380.0""#));
        assert!(svg.contains(r#"width="190.0""#));
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
    }
}
