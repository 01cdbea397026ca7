//! Charts, drawn with plotters into PNG and SVG bytes (no I/O). Text in PNGs uses the DejaVu
//! Sans font compiled into the program, so a chart looks the same on a machine without any
//! fonts; SVGs carry a subset of the same font holding the glyphs of their text ([`font`]), so
//! a viewer draws their labels in it whatever fonts it has.
//!
//! Every chart kind is a plain data structure ([`BandChart`], [`StackedChart`], [`LineChart`],
//! [`HistogramChart`], [`TornadoChart`]) that can draw itself on any plotters backend;
//! [`Figure`] pairs one with a file name and renders both formats. Colours come from the
//! Okabe–Ito palette, which stays distinguishable for the common forms of colour blindness.

mod draw;
pub mod font;

use std::sync::Once;

use plotters::prelude::*;

use crate::money::{Currency, format_number};

pub use draw::{
    BandChart, Curve, GroupedBarChart, HistogramChart, LineChart, ScatterChart, Series,
    StackedChart, TornadoBar, TornadoChart, ValueHistogramChart, WaterfallChart, WaterfallStep,
};

/// Width of every chart, in pixels.
pub const WIDTH: u32 = 1200;
/// Height of every chart, in pixels.
pub const HEIGHT: u32 = 700;

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// Plotters failed to draw.
    #[error("cannot draw chart {chart}: {message}")]
    Draw {
        /// The chart's file name.
        chart: String,
        /// What plotters said.
        message: String,
    },
    /// The font a chart's SVG carries could not be cut from the program's own.
    #[error("cannot embed the charts' font: {message}")]
    Font {
        /// What the font subsetter said.
        message: String,
    },
}

/// The Okabe–Ito colours (Okabe & Ito 2008, "Color Universal Design").
pub mod palette {
    use plotters::style::RGBColor;
    /// Blue.
    pub const BLUE: RGBColor = RGBColor(0, 114, 178);
    /// Orange.
    pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
    /// Bluish green.
    pub const GREEN: RGBColor = RGBColor(0, 158, 115);
    /// Vermillion.
    pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
    /// Sky blue.
    pub const SKY: RGBColor = RGBColor(86, 180, 233);
    /// Reddish purple.
    pub const PURPLE: RGBColor = RGBColor(204, 121, 167);
    /// Yellow.
    pub const YELLOW: RGBColor = RGBColor(240, 228, 66);
    /// Neutral grey for "none".
    pub const GREY: RGBColor = RGBColor(153, 153, 153);
    /// The colours of the loyalty types, in `LoyaltyType::ALL` order: true, latent, false, none,
    /// committed.
    pub const TYPES: [RGBColor; crate::model::population::TYPES] =
        [BLUE, GREEN, ORANGE, GREY, PURPLE];
    /// Colours for several designs or curves, in order.
    pub const SERIES: [RGBColor; 7] = [BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY, YELLOW];
}

static FONTS: Once = Once::new();

/// Registers the embedded font as "sans-serif" (once per process).
fn register_fonts() {
    FONTS.call_once(|| {
        // The bytes are a font shipped with the program, checked by a test; a failure here
        // would leave plotters without a font and every chart would report it.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, font::REGULAR_TTF);
        let _ = plotters::style::register_font("sans-serif", FontStyle::Bold, font::BOLD_TTF);
    });
}

/// How the numbers of an axis read.
#[derive(Debug, Clone, PartialEq)]
pub enum Scale {
    /// Money: compact with the currency symbol (€1.2M, €350k).
    Money(Currency),
    /// Whole counts, compact (12k).
    Count,
    /// A share, as a percentage.
    Percent,
    /// Plain numbers.
    Plain,
}

impl Scale {
    /// `x` as an axis label.
    pub fn label(&self, x: f64) -> String {
        match self {
            Scale::Money(c) => {
                let (v, suffix) = compact(x);
                let number = format!("{}{suffix}", trim(v));
                let sign = if x < 0.0 && v != 0.0 { "-" } else { "" };
                let number = number.trim_start_matches('-');
                if c.symbol.chars().count() == 1 {
                    format!("{sign}{}{number}", c.symbol)
                } else {
                    format!("{sign}{number} {}", c.symbol)
                }
            }
            Scale::Count => {
                let (v, suffix) = compact(x);
                format!("{}{suffix}", trim(v))
            }
            Scale::Percent => format!("{}%", format_number(x * 100.0, 0)),
            Scale::Plain => plain(x),
        }
    }
}

impl Scale {
    /// `x` as the label of a tick on an axis spanning `span`: shares and plain numbers with as
    /// many decimals as steps of a tenth of the span need (neighbouring ticks never read
    /// alike: 97.5%, not 98% twice; 0.015, not 0.0), other scales as [`Scale::label`].
    pub fn tick_label(&self, x: f64, span: f64) -> String {
        let decimals = |span: f64| -> usize {
            if span.is_finite() && span > 0.0 {
                (-(span / 10.0).log10()).ceil().clamp(0.0, 6.0) as usize
            } else {
                0
            }
        };
        match self {
            Scale::Percent => format!("{}%", format_number(x * 100.0, decimals(span * 100.0))),
            Scale::Plain if decimals(span) > 1 => {
                let text = format!("{x:.*}", decimals(span));
                let text = text.trim_end_matches('0').trim_end_matches('.');
                if text == "-0" {
                    "0".to_string()
                } else {
                    text.to_string()
                }
            }
            _ => self.label(x),
        }
    }
}

/// `x` in thousands or millions when large.
fn compact(x: f64) -> (f64, &'static str) {
    let a = x.abs();
    if a >= 1e9 {
        (x / 1e9, "bn")
    } else if a >= 1e6 {
        (x / 1e6, "M")
    } else if a >= 1e3 {
        (x / 1e3, "k")
    } else {
        (x, "")
    }
}

/// A number with at most one decimal, without a trailing ".0".
fn trim(x: f64) -> String {
    let s = if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round())
    } else {
        format!("{x:.1}")
    };
    if s == "-0" { "0".to_string() } else { s }
}

/// A plain number as an axis label: like [`trim`], but a number below one keeps up to four
/// decimals (trailing zeros dropped), so the ticks of a range such as 0.02 … 0.12 (a discount
/// rate swept) read 0.02, 0.04, … rather than 0.0, 0.0, 0.1.
fn plain(x: f64) -> String {
    if x.abs() >= 1.0 || (x - x.round()).abs() < 1e-9 {
        return trim(x);
    }
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A chart that can draw itself.
pub trait Draw {
    /// Draws the chart filling `area`.
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, plotters::coord::Shift>,
    ) -> Result<(), String>;
}

/// A chart and the file name (without extension) it is written to.
#[derive(Debug, Clone)]
pub struct Figure<C> {
    /// File stem, e.g. `cash_flow`.
    pub name: &'static str,
    /// Who drew it (program, version, seed, scenario hash), in small print at the bottom
    /// right, so a chart pasted into a slide still says where it came from.
    pub footer: String,
    /// The chart.
    pub chart: C,
}

/// Draws `footer` at the bottom right of `area`.
fn draw_footer<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    footer: &str,
) -> Result<(), String> {
    if footer.is_empty() {
        return Ok(());
    }
    let (w, h) = area.dim_in_pixel();
    let style = TextStyle::from(("sans-serif", 13))
        .color(&RGBColor(120, 120, 120))
        .pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Right,
            plotters::style::text_anchor::VPos::Bottom,
        ));
    area.draw(&Text::new(
        footer.to_string(),
        (w as i32 - 10, h as i32 - 6),
        style,
    ))
    .map_err(|e| e.to_string())
}

impl<C: Draw> Figure<C> {
    /// The chart as a PNG of [`WIDTH`] × [`HEIGHT`] pixels.
    pub fn png(&self) -> Result<Vec<u8>, ChartError> {
        register_fonts();
        let err = |message: String| ChartError::Draw {
            chart: format!("{}.png", self.name),
            message,
        };
        let mut pixels = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
        {
            let area = BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
            self.chart.draw(&area).map_err(err)?;
            draw_footer(&area, &self.footer).map_err(err)?;
            area.present().map_err(|e| err(e.to_string()))?;
        }
        let image = image::RgbImage::from_raw(WIDTH, HEIGHT, pixels)
            .ok_or_else(|| err("the pixel buffer has the wrong size".into()))?;
        let mut bytes = Vec::new();
        image
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageOutputFormat::Png,
            )
            .map_err(|e| err(e.to_string()))?;
        Ok(bytes)
    }

    /// The chart as an SVG of the same size that carries its font: a subset of DejaVu Sans
    /// with the glyphs of its text (see [`font::standalone`]).
    pub fn svg(&self) -> Result<String, ChartError> {
        font::standalone(&self.page_svg()?)
    }

    /// The chart as an SVG for a page that shows it inline and declares the font once for
    /// all its charts ([`font::page_font_faces`]): its text names [`font::FAMILY`] first and
    /// it carries no font itself.
    pub fn page_svg(&self) -> Result<String, ChartError> {
        register_fonts();
        let err = |message: String| ChartError::Draw {
            chart: format!("{}.svg", self.name),
            message,
        };
        let mut svg = String::new();
        {
            let area = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
            self.chart.draw(&area).map_err(err)?;
            draw_footer(&area, &self.footer).map_err(err)?;
            area.present().map_err(|e| err(e.to_string()))?;
        }
        Ok(font::name_family(&svg))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_labels_are_compact_and_carry_the_currency() {
        let eur = Scale::Money(Currency {
            code: "EUR".into(),
            symbol: "€".into(),
        });
        assert_eq!(eur.label(1_250_000.0), "€1.2M");
        assert_eq!(eur.label(-350_000.0), "-€350k");
        assert_eq!(eur.label(5_000.0), "€5k");
        assert_eq!(eur.label(750.0), "€750");
        assert_eq!(eur.label(0.0), "€0");
        assert_eq!(Scale::Count.label(12_000.0), "12k");
        assert_eq!(Scale::Percent.label(0.126), "13%");
        let sek = Scale::Money(Currency {
            code: "SEK".into(),
            symbol: "kr".into(),
        });
        assert_eq!(sek.label(2_000_000.0), "2M kr");
    }

    #[test]
    fn plain_labels_below_one_keep_their_decimals() {
        // The ticks of a discount rate swept from 2% to 12%.
        assert_eq!(Scale::Plain.label(0.02), "0.02");
        assert_eq!(Scale::Plain.label(0.1), "0.1");
        assert_eq!(Scale::Plain.label(0.125), "0.125");
        assert_eq!(Scale::Plain.label(-0.05), "-0.05");
        assert_eq!(Scale::Plain.label(0.0), "0");
        // At one and above, as before: one decimal at most.
        assert_eq!(Scale::Plain.label(2.5), "2.5");
        assert_eq!(Scale::Plain.label(500.0), "500");
    }

    #[test]
    fn tick_labels_keep_the_decimals_their_steps_need() {
        // An axis of 7 points has steps of about 0.7 points: one decimal.
        assert_eq!(Scale::Percent.tick_label(0.975, 0.07), "97.5%");
        // An axis of 100 points: whole points.
        assert_eq!(Scale::Percent.tick_label(0.5, 1.0), "50%");
        // Earn rates from 0.01 to 0.03: steps of 0.002, three decimals, trailing zeros dropped.
        assert_eq!(Scale::Plain.tick_label(0.014, 0.02), "0.014");
        assert_eq!(Scale::Plain.tick_label(0.02, 0.02), "0.02");
        // Months keep whole labels.
        assert_eq!(Scale::Plain.tick_label(12.0, 36.0), "12");
    }

    #[test]
    fn the_embedded_fonts_are_valid() {
        assert!(
            ab_glyph::FontRef::try_from_slice(include_bytes!("../fonts/DejaVuSans.ttf")).is_ok()
        );
        assert!(
            ab_glyph::FontRef::try_from_slice(include_bytes!("../fonts/DejaVuSans-Bold.ttf"))
                .is_ok()
        );
    }
}
