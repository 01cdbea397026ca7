//! The chart kinds and how each is drawn.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Draw, Scale};

const TITLE: (&str, u32) = ("sans-serif", 30);
const AXIS: (&str, u32) = ("sans-serif", 20);
const TICKS: (&str, u32) = ("sans-serif", 17);
const LEGEND: (&str, u32) = ("sans-serif", 18);

fn e<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// A chart with numbers on both axes.
type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The frame every chart kind shares: white background, title, margins, `y_label_width`
/// pixels for the y-axis labels, and the axes' ranges.
fn frame<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    y_label_width: u32,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
) -> Result<Chart<'a, DB>, String> {
    area.fill(&WHITE).map_err(e)?;
    ChartBuilder::on(area)
        .caption(title, TITLE)
        .margin(22)
        .x_label_area_size(60)
        .y_label_area_size(y_label_width)
        .build_cartesian_2d(x, y)
        .map_err(e)
}

/// Grid and axis labels of a chart over numbers on both axes.
fn xy_mesh<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    x_desc: &str,
    y_desc: &str,
    x_scale: &Scale,
    y_scale: &Scale,
) -> Result<(), String> {
    let (xs, ys) = (chart.x_range(), chart.y_range());
    let (x_span, y_span) = (xs.end - xs.start, ys.end - ys.start);
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style(AXIS)
        .label_style(TICKS)
        .x_label_formatter(&|x| x_scale.tick_label(*x, x_span))
        .y_label_formatter(&|y| y_scale.tick_label(*y, y_span))
        .light_line_style(RGBColor(240, 240, 240))
        .max_light_lines(2)
        .draw()
        .map_err(e)
}

/// The legend of the series drawn so far, in a box at `position`.
fn legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    position: SeriesLabelPosition,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(180, 180, 180))
        .label_font(LEGEND)
        .draw()
        .map_err(e)
}

/// Grid and axis labels of a chart over categories, one per unit of x: each label under the
/// centre of its category, every one when there are few, else every few, so they never
/// overlap.
fn category_mesh<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    x_desc: &str,
    y_desc: &str,
    labels: &[String],
    y_scale: &Scale,
) -> Result<(), String> {
    let n = labels.len().max(1);
    let every = n.div_ceil(24).max(1);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style(AXIS)
        .label_style(TICKS)
        .x_labels(n * 2 + 1)
        .x_label_formatter(&|x| {
            let centre = x - 0.5;
            let i = centre.round();
            if (centre - i).abs() < 1e-6
                && i >= 0.0
                && (i as usize) < labels.len()
                && (i as usize).is_multiple_of(every)
            {
                labels[i as usize].clone()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| y_scale.label(*y))
        .light_line_style(RGBColor(240, 240, 240))
        .max_light_lines(2)
        .draw()
        .map_err(e)
}

/// The top of a y range from `y0` to `y1` raised to leave room for a legend of `rows` rows
/// above the data, so it never covers a line or a point.
fn with_legend_room(y0: f64, y1: f64, rows: usize) -> f64 {
    y1 + (y1 - y0) * (0.06 + 0.05 * rows as f64)
}

/// Lowest and highest of `values` (finite ones), padded by 5% of the span, including 0 when
/// `with_zero`.
fn range(values: impl Iterator<Item = f64>, with_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if with_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-9 {
        return (lo - 1.0, hi + 1.0);
    }
    let pad = (hi - lo) * 0.05;
    (lo - pad, hi + pad)
}

/// Lowest and highest of `values` (finite ones), unpadded; (0, 1) when there are none.
fn extent(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo.is_finite() && hi > lo {
        (lo, hi)
    } else if lo.is_finite() {
        (lo, lo + 1.0)
    } else {
        (0.0, 1.0)
    }
}

/// One line with an optional band around it.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend text.
    pub label: String,
    /// Colour.
    pub color: RGBColor,
    /// x values.
    pub x: Vec<f64>,
    /// The line (usually the median).
    pub line: Vec<f64>,
    /// Lower and upper edge of the band (usually p5 and p95), if any.
    pub band: Option<(Vec<f64>, Vec<f64>)>,
}

/// Lines with their bands, over months or any other x: fans, overlays, sweep curves.
#[derive(Debug, Clone)]
pub struct BandChart {
    /// Title.
    pub title: String,
    /// x-axis description, with its unit.
    pub x_label: String,
    /// y-axis description, with its unit.
    pub y_label: String,
    /// How x numbers read.
    pub x_scale: Scale,
    /// How y numbers read.
    pub y_scale: Scale,
    /// The series.
    pub series: Vec<Series>,
    /// Vertical markers: (x, text), e.g. the median payback month.
    pub markers: Vec<(f64, String)>,
    /// Whether to draw the y = 0 line (and keep 0 in view).
    pub zero_line: bool,
    /// Text under the legend explaining the band, e.g. "bands: 5th–95th percentile".
    pub note: String,
}

impl Draw for BandChart {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (x0, x1) = extent(self.series.iter().flat_map(|s| s.x.iter().copied()));
        let ys = self.series.iter().flat_map(|s| {
            let band = s
                .band
                .iter()
                .flat_map(|(lo, hi)| lo.iter().chain(hi.iter()).copied());
            s.line.iter().copied().chain(band)
        });
        let (lowest, highest) = extent(ys.clone());
        let (y0, y1) = range(ys, self.zero_line);
        // Room above the data for the legend, so it never covers a line.
        let y1 = with_legend_room(y0, y1, self.series.len());
        // Shares that are chances (all within 0 … 1) keep their axis within 0% … 100%.
        let (y0, y1) = if self.y_scale == Scale::Percent && lowest >= 0.0 && highest <= 1.0 {
            (y0.max(0.0), y1.min(1.0))
        } else {
            (y0, y1)
        };
        let mut chart = frame(area, &self.title, 110, x0..x1, y0..y1)?;
        xy_mesh(
            &mut chart,
            &self.x_label,
            &self.y_label,
            &self.x_scale,
            &self.y_scale,
        )?;
        for s in &self.series {
            if let Some((lo, hi)) = &s.band {
                let mut points: Vec<(f64, f64)> =
                    s.x.iter().copied().zip(hi.iter().copied()).collect();
                points.extend(s.x.iter().copied().zip(lo.iter().copied()).rev());
                chart
                    .draw_series(std::iter::once(Polygon::new(points, s.color.mix(0.18))))
                    .map_err(e)?;
            }
        }
        if self.zero_line {
            chart
                .draw_series(LineSeries::new(
                    [(x0, 0.0), (x1, 0.0)],
                    BLACK.stroke_width(1),
                ))
                .map_err(e)?;
        }
        for s in &self.series {
            let color = s.color;
            chart
                .draw_series(LineSeries::new(
                    s.x.iter().copied().zip(s.line.iter().copied()),
                    color.stroke_width(3),
                ))
                .map_err(e)?
                .label(&s.label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
                });
        }
        for (x, text) in &self.markers {
            chart
                .draw_series(DashedLineSeries::new(
                    [(*x, y0), (*x, y1)],
                    8,
                    6,
                    BLACK.stroke_width(2),
                ))
                .map_err(e)?;
            // Near the right edge the label goes to the left of the line, so it is not cut.
            let right_side = *x > x0 + (x1 - x0) * 0.7;
            let style = TextStyle::from(LEGEND).color(&BLACK).pos(Pos::new(
                if right_side { HPos::Right } else { HPos::Left },
                VPos::Top,
            ));
            // Offset in pixels, not with spaces: an SVG viewer collapses leading spaces.
            let dx = if right_side { -6 } else { 6 };
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((*x, y1 - (y1 - y0) * 0.02))
                        + Text::new(text.clone(), (dx, 0), style),
                ))
                .map_err(e)?;
        }
        // The legend goes top left, unless a marker's label is there.
        let left_marker = self.markers.iter().any(|(x, _)| *x < x0 + (x1 - x0) * 0.35);
        legend(
            &mut chart,
            if left_marker {
                SeriesLabelPosition::UpperRight
            } else {
                SeriesLabelPosition::UpperLeft
            },
        )?;
        if !self.note.is_empty() {
            // Bottom left, under the y-axis labels, clear of the x-axis title.
            let (_, h) = area.dim_in_pixel();
            area.draw(&Text::new(
                self.note.clone(),
                (14, h as i32 - 24),
                TextStyle::from(("sans-serif", 15)).color(&RGBColor(90, 90, 90)),
            ))
            .map_err(e)?;
        }
        Ok(())
    }
}

/// Layers stacked on each other over months (e.g. members by loyalty type).
#[derive(Debug, Clone)]
pub struct StackedChart {
    /// Title.
    pub title: String,
    /// y-axis description, with its unit.
    pub y_label: String,
    /// How y numbers read.
    pub y_scale: Scale,
    /// Months (x).
    pub x: Vec<f64>,
    /// (legend text, colour, values), bottom layer first.
    pub layers: Vec<(String, RGBColor, Vec<f64>)>,
}

impl Draw for StackedChart {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let n = self.x.len();
        let mut tops = vec![vec![0.0; n]; self.layers.len()];
        let mut running = vec![0.0; n];
        for (i, (_, _, values)) in self.layers.iter().enumerate() {
            for (j, total) in running.iter_mut().enumerate() {
                *total += values.get(j).copied().unwrap_or(0.0);
            }
            tops[i].copy_from_slice(&running);
        }
        let (x0, x1) = (
            self.x.first().copied().unwrap_or(0.0),
            self.x
                .last()
                .copied()
                .unwrap_or(1.0)
                .max(self.x.first().copied().unwrap_or(0.0) + 1.0),
        );
        let y1 = running.iter().copied().fold(0.0, f64::max) * 1.12 + 1.0;
        let mut chart = frame(area, &self.title, 110, x0..x1, 0.0..y1)?;
        xy_mesh(
            &mut chart,
            "Month",
            &self.y_label,
            &Scale::Plain,
            &self.y_scale,
        )?;
        // Top layer first, so each lower one paints over the part of the area below its top.
        for (i, (label, color, _)) in self.layers.iter().enumerate().rev() {
            let color = *color;
            chart
                .draw_series(AreaSeries::new(
                    self.x.iter().copied().zip(tops[i].iter().copied()),
                    0.0,
                    color.mix(0.85).filled(),
                ))
                .map_err(e)?
                .label(label)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 7), (x + 22, y + 7)], color.filled())
                });
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    }
}

/// One line of a [`LineChart`].
#[derive(Debug, Clone)]
pub struct Curve {
    /// Legend text.
    pub label: String,
    /// Colour.
    pub color: RGBColor,
    /// Drawn dashed.
    pub dashed: bool,
    /// (x, y) points.
    pub points: Vec<(f64, f64)>,
}

/// Plain lines (e.g. rewards issued and redeemed, purchases by type).
#[derive(Debug, Clone)]
pub struct LineChart {
    /// Title.
    pub title: String,
    /// x-axis description, with its unit.
    pub x_label: String,
    /// y-axis description, with its unit.
    pub y_label: String,
    /// How y numbers read.
    pub y_scale: Scale,
    /// The lines.
    pub lines: Vec<Curve>,
}

impl Draw for LineChart {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let (x0, x1) = extent(self.lines.iter().flat_map(|l| l.points.iter().map(|p| p.0)));
        let (y0, y1) = range(
            self.lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)),
            true,
        );
        // Room above the data for the legend, so it never covers a line.
        let y1 = with_legend_room(y0, y1, self.lines.len());
        let mut chart = frame(area, &self.title, 110, x0..x1, y0..y1)?;
        xy_mesh(
            &mut chart,
            &self.x_label,
            &self.y_label,
            &Scale::Plain,
            &self.y_scale,
        )?;
        for line in &self.lines {
            let color = line.color;
            let style = color.stroke_width(3);
            let drawn = if line.dashed {
                chart.draw_series(DashedLineSeries::new(
                    line.points.iter().copied(),
                    10,
                    6,
                    style,
                ))
            } else {
                chart.draw_series(LineSeries::new(line.points.iter().copied(), style))
            };
            drawn.map_err(e)?.label(&line.label).legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 24, y)], color.stroke_width(3))
            });
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        Ok(())
    }
}

/// Counts in bins (e.g. the payback month over trials).
#[derive(Debug, Clone)]
pub struct HistogramChart {
    /// Title.
    pub title: String,
    /// x-axis description.
    pub x_label: String,
    /// y-axis description.
    pub y_label: String,
    /// (bin label, count, colour), left to right.
    pub bins: Vec<(String, f64, RGBColor)>,
}

impl Draw for HistogramChart {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let n = self.bins.len().max(1);
        let top = self.bins.iter().map(|b| b.1).fold(0.0, f64::max) * 1.12 + 1.0;
        let mut chart = frame(area, &self.title, 90, 0.0..n as f64, 0.0..top)?;
        let labels: Vec<String> = self.bins.iter().map(|b| b.0.clone()).collect();
        category_mesh(
            &mut chart,
            &self.x_label,
            &self.y_label,
            &labels,
            &Scale::Count,
        )?;
        chart
            .draw_series(self.bins.iter().enumerate().map(|(i, (_, count, color))| {
                Rectangle::new(
                    [(i as f64 + 0.1, 0.0), (i as f64 + 0.9, *count)],
                    color.filled(),
                )
            }))
            .map_err(e)?;
        Ok(())
    }
}

/// One input of a tornado: the result at its low and at its high value.
#[derive(Debug, Clone)]
pub struct TornadoBar {
    /// The input, for people.
    pub label: String,
    /// Result with the input at its low value.
    pub at_low: f64,
    /// Result with the input at its high value.
    pub at_high: f64,
}

/// Inputs ranked by their swing of a result, largest on top.
#[derive(Debug, Clone)]
pub struct TornadoChart {
    /// Title.
    pub title: String,
    /// x-axis description, with its unit.
    pub x_label: String,
    /// How x numbers read.
    pub x_scale: Scale,
    /// The result with every input at its base value.
    pub base: f64,
    /// The bars, largest swing first.
    pub bars: Vec<TornadoBar>,
}

impl Draw for TornadoChart {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let n = self.bars.len().max(1);
        let values = self
            .bars
            .iter()
            .flat_map(|b| [b.at_low, b.at_high])
            .chain([self.base]);
        let (x0, x1) = range(values, false);
        let longest = self
            .bars
            .iter()
            .map(|b| b.label.chars().count())
            .max()
            .unwrap_or(10);
        let label_width = (longest as u32 * 10 + 20).clamp(120, 460);
        let mut chart = frame(area, &self.title, label_width, x0..x1, 0.0..n as f64)?;
        let labels: Vec<String> = self.bars.iter().map(|b| b.label.clone()).collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc(&self.x_label)
            .axis_desc_style(AXIS)
            .label_style(TICKS)
            .y_labels(n * 2 + 1)
            .y_label_formatter(&|y| {
                let centre = y - 0.5;
                let i = centre.round();
                if (centre - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
                    // `n` is at least 1 even with no bars: then there is no label to show.
                    labels.get(n - 1 - i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_label_formatter(&|x| self.x_scale.label(*x))
            .light_line_style(RGBColor(240, 240, 240))
            .max_light_lines(2)
            .draw()
            .map_err(e)?;
        for (i, b) in self.bars.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            for (value, color) in [
                (b.at_low, super::palette::VERMILLION),
                (b.at_high, super::palette::BLUE),
            ] {
                let (a, z) = if value < self.base {
                    (value, self.base)
                } else {
                    (self.base, value)
                };
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(a, y + 0.18), (z, y + 0.82)],
                        color.mix(0.85).filled(),
                    )))
                    .map_err(e)?;
            }
        }
        chart
            .draw_series(LineSeries::new(
                [(self.base, -0.9), (self.base, n as f64)],
                BLACK.stroke_width(2),
            ))
            .map_err(e)?;
        // The key, in the free corner under the input labels.
        let (_, h) = area.dim_in_pixel();
        let key = TextStyle::from(LEGEND).color(&BLACK);
        for (i, (color, text)) in [
            (super::palette::VERMILLION, "input at its low value"),
            (super::palette::BLUE, "input at its high value"),
        ]
        .into_iter()
        .enumerate()
        {
            let y = h as i32 - 52 + i as i32 * 24;
            area.draw(&Rectangle::new([(16, y - 7), (38, y + 7)], color.filled()))
                .map_err(e)?;
            area.draw(&Text::new(text, (46, y - 9), key.clone()))
                .map_err(e)?;
        }
        Ok(())
    }
}

/// Bars side by side in each category (e.g. observed against expected customers).
#[derive(Debug, Clone)]
pub struct GroupedBarChart {
    /// Title.
    pub title: String,
    /// x-axis description.
    pub x_label: String,
    /// y-axis description, with its unit.
    pub y_label: String,
    /// How y numbers read.
    pub y_scale: Scale,
    /// Category labels, left to right.
    pub categories: Vec<String>,
    /// (legend text, colour, one value per category).
    pub series: Vec<(String, RGBColor, Vec<f64>)>,
}

impl Draw for GroupedBarChart {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let n = self.categories.len().max(1);
        let top = self
            .series
            .iter()
            .flat_map(|s| s.2.iter().copied())
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let bottom = self
            .series
            .iter()
            .flat_map(|s| s.2.iter().copied())
            .filter(|v| v.is_finite())
            .fold(0.0, f64::min);
        // Room above the tallest bar for the legend, and below the lowest for its depth.
        let top = if bottom < 0.0 {
            // Bars both ways: room above for the legend's rows, as the line charts leave.
            let span = top.max(0.0) - bottom;
            top.max(0.0) + span * (0.06 + 0.06 * self.series.len() as f64)
        } else if top > 0.0 {
            top * 1.25
        } else {
            1.0
        };
        let bottom = bottom * 1.1;
        let mut chart = frame(area, &self.title, 90, 0.0..n as f64, bottom..top)?;
        category_mesh(
            &mut chart,
            &self.x_label,
            &self.y_label,
            &self.categories,
            &self.y_scale,
        )?;
        let k = self.series.len().max(1) as f64;
        let width = 0.8 / k;
        for (j, (label, color, values)) in self.series.iter().enumerate() {
            let color = *color;
            let left = 0.1 + j as f64 * width;
            chart
                .draw_series(values.iter().enumerate().map(|(i, v)| {
                    Rectangle::new(
                        [
                            (i as f64 + left, 0.0),
                            (
                                i as f64 + left + width * 0.92,
                                if v.is_finite() { *v } else { 0.0 },
                            ),
                        ],
                        color.filled(),
                    )
                }))
                .map_err(e)?
                .label(label)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 7), (x + 20, y + 7)], color.filled())
                });
        }
        if bottom < 0.0 {
            chart
                .draw_series(LineSeries::new(
                    [(0.0, 0.0), (n as f64, 0.0)],
                    BLACK.stroke_width(1),
                ))
                .map_err(e)?;
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    }
}

/// A group of points: legend text, colour, (x, y) points.
pub type PointGroup = (String, RGBColor, Vec<(f64, f64)>);

/// A cloud of points by group (e.g. customers on the attitude × patronage plane, coloured by
/// loyalty type), with optional dividing lines and a label in each quadrant they make.
#[derive(Debug, Clone)]
pub struct ScatterChart {
    /// Title.
    pub title: String,
    /// x-axis description, with its unit.
    pub x_label: String,
    /// y-axis description, with its unit.
    pub y_label: String,
    /// How x numbers read.
    pub x_scale: Scale,
    /// How y numbers read.
    pub y_scale: Scale,
    /// (legend text, colour, points) for each group.
    pub groups: Vec<PointGroup>,
    /// A vertical dividing line at this x, if any.
    pub x_divide: Option<f64>,
    /// A horizontal dividing line at this y, if any.
    pub y_divide: Option<f64>,
    /// Labels of the quadrants the dividing lines make: top left, top right, bottom left,
    /// bottom right.
    pub quadrants: [String; 4],
}

impl Draw for ScatterChart {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let points = || self.groups.iter().flat_map(|g| g.2.iter().copied());
        let (x0, x1) = range(points().map(|p| p.0), true);
        let (y0, y1) = range(points().map(|p| p.1), true);
        // Room above the data for the legend.
        let y1 = with_legend_room(y0, y1, self.groups.len());
        let mut chart = frame(area, &self.title, 90, x0..x1, y0..y1)?;
        xy_mesh(
            &mut chart,
            &self.x_label,
            &self.y_label,
            &self.x_scale,
            &self.y_scale,
        )?;
        let divider = RGBColor(80, 80, 80).stroke_width(2);
        if let Some(x) = self.x_divide {
            chart
                .draw_series(DashedLineSeries::new([(x, y0), (x, y1)], 8, 6, divider))
                .map_err(e)?;
        }
        if let Some(y) = self.y_divide {
            chart
                .draw_series(DashedLineSeries::new([(x0, y), (x1, y)], 8, 6, divider))
                .map_err(e)?;
        }
        for (label, color, pts) in &self.groups {
            let color = *color;
            chart
                .draw_series(
                    pts.iter()
                        .map(|&p| Circle::new(p, 4, color.mix(0.75).filled())),
                )
                .map_err(e)?
                .label(label)
                .legend(move |(x, y)| Circle::new((x + 12, y), 6, color.filled()));
        }
        let xm = self.x_divide.unwrap_or((x0 + x1) / 2.0);
        let ym = self.y_divide.unwrap_or((y0 + y1) / 2.0);
        let style = |h| {
            TextStyle::from(("sans-serif", 24).into_font().style(FontStyle::Bold))
                .color(&RGBColor(60, 60, 60))
                .pos(Pos::new(h, VPos::Center))
        };
        // Just inside each quadrant's outer edge, beside the vertical line: clear of the
        // points in the middle.
        let (top, bottom) = (y1 - (y1 - ym) * 0.1, y0 + (ym - y0) * 0.06);
        let (left, right) = (xm - (xm - x0) * 0.03, xm + (x1 - xm) * 0.03);
        let corners = [
            ((left, top), HPos::Right),
            ((right, top), HPos::Left),
            ((left, bottom), HPos::Right),
            ((right, bottom), HPos::Left),
        ];
        for ((at, h), text) in corners.iter().zip(&self.quadrants) {
            if !text.is_empty() {
                chart
                    .draw_series(std::iter::once(Text::new(text.clone(), *at, style(*h))))
                    .map_err(e)?;
            }
        }
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    }
}

/// A histogram over a numeric axis (e.g. the NPV over trials), with vertical markers (e.g. zero
/// and the median). Bars left of `split` take `below`'s colour, the others `above`'s.
#[derive(Debug, Clone)]
pub struct ValueHistogramChart {
    /// Title.
    pub title: String,
    /// x-axis description, with its unit.
    pub x_label: String,
    /// How x numbers read.
    pub x_scale: Scale,
    /// y-axis description.
    pub y_label: String,
    /// (lower edge, upper edge, count), left to right.
    pub bins: Vec<(f64, f64, f64)>,
    /// Bars whose upper edge is at or below this value take `below`'s colour.
    pub split: f64,
    /// Colour of the bars at or below `split`.
    pub below: RGBColor,
    /// Colour of the other bars.
    pub above: RGBColor,
    /// Vertical markers: (x, text, dashed).
    pub markers: Vec<(f64, String, bool)>,
}

impl Draw for ValueHistogramChart {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let edges = self
            .bins
            .iter()
            .flat_map(|b| [b.0, b.1])
            .chain(self.markers.iter().map(|m| m.0));
        let (x0, x1) = range(edges, false);
        let top = self.bins.iter().map(|b| b.2).fold(0.0, f64::max) * 1.25 + 1.0;
        let mut chart = frame(area, &self.title, 70, x0..x1, 0.0..top)?;
        xy_mesh(
            &mut chart,
            &self.x_label,
            &self.y_label,
            &self.x_scale,
            &Scale::Count,
        )?;
        chart
            .draw_series(self.bins.iter().map(|&(lo, hi, count)| {
                let color = if hi <= self.split {
                    self.below
                } else {
                    self.above
                };
                Rectangle::new([(lo, 0.0), (hi, count)], color.mix(0.85).filled())
            }))
            .map_err(e)?;
        for (i, (x, text, dashed)) in self.markers.iter().enumerate() {
            let line = [(*x, 0.0), (*x, top)];
            if *dashed {
                chart
                    .draw_series(DashedLineSeries::new(line, 8, 6, BLACK.stroke_width(2)))
                    .map_err(e)?;
            } else {
                chart
                    .draw_series(LineSeries::new(line, BLACK.stroke_width(2)))
                    .map_err(e)?;
            }
            let right_side = *x > x0 + (x1 - x0) * 0.6;
            let style = TextStyle::from(LEGEND).color(&BLACK).pos(Pos::new(
                if right_side { HPos::Right } else { HPos::Left },
                VPos::Top,
            ));
            let dx = if right_side { -6 } else { 6 };
            // Each marker's label on its own line, so two close markers do not overlap.
            let y = top * (0.98 - 0.08 * i as f64);
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((*x, y)) + Text::new(text.clone(), (dx, 0), style),
                ))
                .map_err(e)?;
        }
        Ok(())
    }
}

/// One step of a waterfall: its label, its signed amount, and whether it is a total drawn
/// from zero rather than a change from the running total.
#[derive(Debug, Clone)]
pub struct WaterfallStep {
    /// The step, for people.
    pub label: String,
    /// The signed amount (a total's value for a total).
    pub amount: f64,
    /// A total, drawn from zero.
    pub total: bool,
}

/// A waterfall: each step a bar from the running total before it to the one after, gains
/// in one colour and losses in another, totals from zero.
#[derive(Debug, Clone)]
pub struct WaterfallChart {
    /// Title.
    pub title: String,
    /// y-axis description, with its unit.
    pub y_label: String,
    /// How y numbers read.
    pub y_scale: Scale,
    /// The steps, left to right.
    pub steps: Vec<WaterfallStep>,
}

impl WaterfallChart {
    /// Each step's bar as (bottom, top) in y.
    pub fn bars(&self) -> Vec<(f64, f64)> {
        let mut running = 0.0;
        self.steps
            .iter()
            .map(|s| {
                if s.total {
                    running = s.amount;
                    (0.0, s.amount)
                } else {
                    let before = running;
                    running += s.amount;
                    (before, running)
                }
            })
            .collect()
    }
}

impl Draw for WaterfallChart {
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let bars = self.bars();
        let n = bars.len().max(1);
        let (y0, y1) = range(bars.iter().flat_map(|b| [b.0, b.1]), true);
        let mut chart = frame(area, &self.title, 110, 0.0..n as f64, y0..y1)?;
        let labels: Vec<String> = self.steps.iter().map(|s| s.label.clone()).collect();
        category_mesh(&mut chart, "", &self.y_label, &labels, &self.y_scale)?;
        chart
            .draw_series(
                self.steps
                    .iter()
                    .zip(&bars)
                    .enumerate()
                    .map(|(i, (step, &(a, b)))| {
                        let color = if step.total {
                            super::palette::BLUE
                        } else if b >= a {
                            super::palette::GREEN
                        } else {
                            super::palette::VERMILLION
                        };
                        Rectangle::new([(i as f64 + 0.15, a), (i as f64 + 0.85, b)], color.filled())
                    }),
            )
            .map_err(e)?;
        chart
            .draw_series(LineSeries::new(
                [(0.0, 0.0), (n as f64, 0.0)],
                BLACK.stroke_width(1),
            ))
            .map_err(e)?;
        // Each bar's amount above it, in the axis's own format.
        let style = TextStyle::from(LEGEND)
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Bottom));
        chart
            .draw_series(
                self.steps
                    .iter()
                    .zip(&bars)
                    .enumerate()
                    .map(|(i, (step, &(a, b)))| {
                        EmptyElement::at((i as f64 + 0.5, a.max(b)))
                            + Text::new(self.y_scale.label(step.amount), (0, -4), style.clone())
                    }),
            )
            .map_err(e)?;
        Ok(())
    }
}
