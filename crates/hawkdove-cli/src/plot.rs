//! The timeline plot (plotters): one line per group with its bootstrap interval as a band, and
//! a vertical line at each detected shift; SVG or PNG by the file's extension. Text is set in
//! DejaVu Sans, embedded in the program (the `dejavu` crate), so PNG needs no system fonts.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use chrono::NaiveDate;
use hawkdove::timeline::{Period, Timeline};
use plotters::coord::Shift as AreaShift;
use plotters::prelude::*;

use crate::error::{CliError, Result};

/// Okabe–Ito colours (distinguishable with the common colour-vision deficiencies).
const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];

/// Size of the picture in pixels.
pub const SIZE: (u32, u32) = (1100, 600);

fn register_font() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = REGISTERED.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && plotters::style::register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold()).is_ok()
    });
    if *ok {
        Ok(())
    } else {
        Err(CliError::Other("the embedded font could not be loaded".into()))
    }
}

/// What the plot shows besides the timeline.
pub struct PlotLabels<'a> {
    /// Title.
    pub title: &'a str,
    /// Negative and positive pole of the score.
    pub poles: (&'a str, &'a str),
    /// What is scored ("stance" or "sentiment").
    pub axis: &'a str,
    /// Confidence level of the intervals.
    pub confidence: f64,
}

/// Draw `t` into `path` (`.svg` or `.png`).
pub fn draw(path: &Path, t: &Timeline, period: Period, labels: &PlotLabels<'_>) -> Result<()> {
    if t.rows.is_empty() {
        return Err(CliError::Other("nothing to plot: the timeline has no rows".into()));
    }
    register_font()?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let fail = |e: String| CliError::Other(format!("drawing {}: {e}", path.display()));
    match ext.as_str() {
        "svg" => {
            let root = SVGBackend::new(path, SIZE).into_drawing_area();
            chart(&root, t, period, labels).map_err(fail)?;
            root.present().map_err(|e| fail(e.to_string()))
        }
        "png" => {
            let root = BitMapBackend::new(path, SIZE).into_drawing_area();
            chart(&root, t, period, labels).map_err(fail)?;
            root.present().map_err(|e| fail(e.to_string()))
        }
        _ => Err(CliError::Usage(format!(
            "--plot {}: the file name must end in .svg or .png",
            path.display()
        ))),
    }
}

/// The x axis: every period from the first row's to the last row's, one unit each.
struct Axis {
    starts: Vec<NaiveDate>,
}

/// Most periods drawn on one axis.
const MAX_PERIODS: usize = 100_000;

impl Axis {
    fn new(period: Period, first: NaiveDate, last: NaiveDate) -> Self {
        let mut starts = vec![period.start_of(first)];
        while let Some(&d) = starts.last() {
            match period.next_start(d) {
                Some(next) if next <= last && starts.len() < MAX_PERIODS => starts.push(next),
                _ => break,
            }
        }
        Axis { starts }
    }

    fn len(&self) -> f64 {
        self.starts.len() as f64
    }

    /// x of the start of the period starting at `d`.
    fn at(&self, d: NaiveDate) -> f64 {
        match self.starts.binary_search(&d) {
            Ok(i) | Err(i) => i as f64,
        }
    }

    /// The label of tick `x` (a period start), empty between periods.
    fn label(&self, period: Period, x: f64) -> String {
        if (x - x.round()).abs() > 1e-6 || x < 0.0 {
            return String::new();
        }
        self.starts
            .get(x.round() as usize)
            .map_or_else(String::new, |d| tick_label(period, *d))
    }
}

fn tick_label(period: Period, d: NaiveDate) -> String {
    use chrono::Datelike;
    match period {
        Period::Year => d.format("%Y").to_string(),
        Period::Quarter => format!("{}Q{}", d.year(), d.month0() / 3 + 1),
        Period::Month => d.format("%Y-%m").to_string(),
        _ => d.format("%Y-%m-%d").to_string(),
    }
}

fn chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, AreaShift>,
    t: &Timeline,
    period: Period,
    labels: &PlotLabels<'_>,
) -> std::result::Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(err)?;
    let first = t.rows.iter().map(|r| r.period).min();
    let last = t.rows.iter().map(|r| r.period).max();
    let (Some(first), Some(last)) = (first, last) else {
        return Err("no rows".into());
    };
    let axis = Axis::new(period, first, last);
    let (x0, x1) = (0.0, axis.len());
    // Points at the middle of their period.
    let mid = |d: NaiveDate| axis.at(d) + 0.5;
    let finite = |x: f64| x.is_finite();
    let lo = t
        .rows
        .iter()
        .map(|r| r.lower)
        .filter(|x| finite(*x))
        .fold(f64::INFINITY, f64::min);
    let hi = t
        .rows
        .iter()
        .map(|r| r.upper)
        .filter(|x| finite(*x))
        .fold(f64::NEG_INFINITY, f64::max);
    let (y0, y1) = if lo.is_finite() && hi.is_finite() {
        ((lo - 0.1).max(-1.0), (hi + 0.1).min(1.0))
    } else {
        (-1.0, 1.0)
    };
    let (y0, y1) = if y1 - y0 < 0.2 { (y0 - 0.1, y1 + 0.1) } else { (y0, y1) };
    let mut chart = ChartBuilder::on(root)
        .caption(labels.title, ("sans-serif", 24).into_font())
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    let (neg, pos) = labels.poles;
    chart
        .configure_mesh()
        .light_line_style(RGBColor(235, 235, 235))
        .x_labels(axis.starts.len().clamp(2, 13))
        .x_label_formatter(&|x| axis.label(period, *x))
        .y_desc(format!("{} score (−1 {neg} … +1 {pos})", labels.axis))
        .x_desc(format!(
            "{} (each point is the {}'s documents)",
            period.name(),
            period.name()
        ))
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(err)?;
    // Zero line.
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(x0, 0.0), (x1, 0.0)],
            RGBColor(120, 120, 120).stroke_width(1),
        )))
        .map_err(err)?;
    let mut groups: BTreeMap<Option<&str>, Vec<&hawkdove::timeline::TimelineRow>> = BTreeMap::new();
    for r in &t.rows {
        groups.entry(r.group.as_deref()).or_default().push(r);
    }
    let mut colours: BTreeMap<Option<&str>, RGBColor> = BTreeMap::new();
    for (i, (group, rows)) in groups.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        colours.insert(*group, colour);
        let rows: Vec<_> = rows.iter().filter(|r| r.score.is_finite()).collect();
        let band: Vec<(f64, f64)> = rows
            .iter()
            .map(|r| (mid(r.period), r.upper))
            .chain(rows.iter().rev().map(|r| (mid(r.period), r.lower)))
            .collect();
        let name = group.unwrap_or(labels.axis).to_string();
        chart
            .draw_series(std::iter::once(Polygon::new(band, colour.mix(0.18).filled())))
            .map_err(err)?
            .label(format!("{name}: {:.0}% interval", labels.confidence * 100.0))
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], colour.mix(0.18).filled()));
        let points: Vec<(f64, f64)> = rows.iter().map(|r| (mid(r.period), r.score)).collect();
        chart
            .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))
            .map_err(err)?
            .label(format!("{name}: mean score"))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2)));
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 3, colour.filled())))
            .map_err(err)?;
    }
    for (i, s) in t.shifts.iter().enumerate() {
        let colour = colours.get(&s.group.as_deref()).copied().unwrap_or(BLACK);
        let x = axis.at(s.date);
        chart
            .draw_series(DashedLineSeries::new(
                vec![(x, y0), (x, y1)],
                6,
                4,
                colour.stroke_width(2),
            ))
            .map_err(err)?;
        let label = format!(
            "{}shift {:+.2} [{:+.2}, {:+.2}] from {}",
            s.group.as_deref().map(|g| format!("{g}: ")).unwrap_or_default(),
            s.size,
            s.lower,
            s.upper,
            s.date
        );
        // Labels stacked from the top, one line each.
        let y = y1 - (y1 - y0) * (0.04 + 0.05 * i as f64);
        chart
            .draw_series(std::iter::once(Text::new(
                label,
                (x + (x1 - x0) * 0.005, y),
                ("sans-serif", 14).into_font().color(&colour),
            )))
            .map_err(err)?;
    }
    if !t.shifts.is_empty() {
        chart
            .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())
            .map_err(err)?
            .label("detected shift")
            .legend(|(x, y)| PathElement::new(vec![(x + 10, y - 6), (x + 10, y + 6)], BLACK.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(180, 180, 180))
        .label_font(("sans-serif", 14))
        .position(SeriesLabelPosition::LowerRight)
        .draw()
        .map_err(err)?;
    Ok(())
}
