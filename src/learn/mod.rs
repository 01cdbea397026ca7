//! Classroom lessons: ready-made scenarios (`scenarios/lessons/`, compiled into the program)
//! that show, with the engine's own numbers, how the four loyalty types behave and what a
//! program's design does to them. Each lesson runs its scenario(s), tells its story in plain
//! words with the run's numbers, and draws its charts; [`LessonOutput::files`] gives the HTML
//! page for a projector, the charts and `lesson.json` (every quoted number at full precision).

mod page;
pub mod panel;
mod rfm;
mod threshold;
mod trap;
mod types;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::money::{Currency, format_number, format_percent};
use plotters::style::RGBColor;

use crate::report::chart::{Figure, GroupedBarChart, Scale};
use crate::report::figures::AnyChart;
use crate::run::{RunOptions, RunOutput, effective_scenario};
use crate::scenario::{ScenarioError, ScenarioFile};
use crate::sim::runner::RunError;
use crate::{Scenario, run};

/// A lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lesson {
    /// The four loyalty types.
    Types,
    /// An instant discount against points.
    DiscountTrap,
    /// Low, good and too-high redemption thresholds.
    Threshold,
    /// The four RFM groups and whom to target.
    Rfm,
}

/// A lesson's scenario file, as shipped.
struct Source {
    path: &'static str,
    text: &'static str,
}

impl Lesson {
    /// Every lesson, in teaching order.
    pub const ALL: [Lesson; 4] = [
        Lesson::Types,
        Lesson::DiscountTrap,
        Lesson::Threshold,
        Lesson::Rfm,
    ];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Lesson::Types => "types",
            Lesson::DiscountTrap => "discount-trap",
            Lesson::Threshold => "threshold",
            Lesson::Rfm => "rfm",
        }
    }

    /// The lesson called `name`, if any.
    pub fn named(name: &str) -> Option<Lesson> {
        Lesson::ALL.into_iter().find(|l| l.name() == name)
    }

    /// Its title.
    pub fn title(self) -> &'static str {
        match self {
            Lesson::Types => "The four loyalty types",
            Lesson::DiscountTrap => "The discount trap",
            Lesson::Threshold => "Where to put the redemption threshold",
            Lesson::Rfm => "Reading a customer base: the four RFM groups",
        }
    }

    /// What it shows, in a line.
    pub fn summary(self) -> &'static str {
        match self {
            Lesson::Types => {
                "true, latent, false and no loyalty: how each buys, reacts to a competitor's promotion and to the program's end"
            }
            Lesson::DiscountTrap => {
                "the same customers under a 10% discount and under points: revenue up, margin and NPV down, and who got the money"
            }
            Lesson::Threshold => {
                "one points program at a low, a good and a too-high threshold: who reaches a reward, breakage, liability"
            }
            Lesson::Rfm => {
                "recency, frequency and monetary value sort customers into four groups; which of them a program pays off on"
            }
        }
    }

    /// The lever a lesson's page moves (the workbench's slider): a field of the lesson's first
    /// scenario, its range and the value the file gives it.
    pub fn lever(self) -> Lever {
        match self {
            Lesson::Types => Lever {
                path: "program.points.earn_rate",
                label: "points per euro (a €2 voucher at 100 points)",
                min: 0.25,
                max: 4.0,
                step: 0.25,
                value: 1.0,
            },
            Lesson::DiscountTrap => Lever {
                path: "program.instant_discount.rate",
                label: "instant discount (share of the basket)",
                min: 0.01,
                max: 0.3,
                step: 0.01,
                value: 0.10,
            },
            Lesson::Threshold => Lever {
                path: "program.points.expiry.months",
                label: "months before points expire",
                min: 3.0,
                max: 36.0,
                step: 3.0,
                value: 12.0,
            },
            Lesson::Rfm => Lever {
                path: "program.points.earn_rate",
                label: "points per euro (a €5 voucher at 500 points)",
                min: 0.25,
                max: 4.0,
                step: 0.25,
                value: 1.0,
            },
        }
    }

    fn sources(self) -> Vec<Source> {
        macro_rules! lesson_file {
            ($name:literal) => {
                Source {
                    path: concat!("scenarios/lessons/", $name),
                    text: include_str!(concat!("../../scenarios/lessons/", $name)),
                }
            };
        }
        match self {
            Lesson::Types => vec![lesson_file!("types.toml")],
            Lesson::DiscountTrap => vec![
                lesson_file!("discount_trap.toml"),
                lesson_file!("discount_trap_points.toml"),
            ],
            Lesson::Threshold => vec![lesson_file!("threshold.toml")],
            Lesson::Rfm => vec![lesson_file!("rfm.toml")],
        }
    }
}

/// A lesson's lever: one number of its first scenario that a person may move and watch the
/// loyalty types respond.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Lever {
    /// Field path in the lesson's first scenario.
    pub path: &'static str,
    /// What it is, in words.
    pub label: &'static str,
    /// Lowest value offered.
    pub min: f64,
    /// Highest value offered.
    pub max: f64,
    /// Step between values offered.
    pub step: f64,
    /// The value the lesson's file gives it.
    pub value: f64,
}

/// How to run a lesson; `None` keeps the lesson scenario's value.
#[derive(Debug, Clone, Default)]
pub struct LessonOptions {
    /// Trials.
    pub trials: Option<u64>,
    /// Customers at launch.
    pub customers: Option<u64>,
    /// Seed.
    pub seed: Option<u64>,
    /// Worker threads (all cores when `None`); the numbers do not depend on it.
    pub threads: Option<usize>,
    /// The lesson's lever ([`Lesson::lever`]) set to this value in its first scenario.
    pub lever: Option<f64>,
}

/// Why a lesson could not run.
#[derive(Debug, thiserror::Error)]
pub enum LessonError {
    /// A lesson scenario (or its variant) did not validate: a bug, or an option out of range.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The simulation could not run.
    #[error(transparent)]
    Run(#[from] RunError),
    /// A chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] crate::report::chart::ChartError),
}

/// A table of the story.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    /// Column headings.
    pub header: Vec<String>,
    /// Rows of cells, as shown.
    pub rows: Vec<Vec<String>>,
}

/// A part of the story: a heading, paragraphs and perhaps a table.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// Heading.
    pub heading: String,
    /// Paragraphs, in plain words.
    pub paragraphs: Vec<String>,
    /// A table, if any.
    pub table: Option<Table>,
}

/// A number the story quotes: its key, its value at full precision and how it is shown.
#[derive(Debug, Clone, Serialize)]
pub struct Fact {
    /// Stable key, e.g. `npv_discount`.
    pub key: String,
    /// The value.
    pub value: f64,
    /// As the story shows it.
    pub shown: String,
}

/// A chart of the lesson and what it shows.
#[derive(Debug, Clone)]
pub struct LessonFigure {
    /// The chart.
    pub figure: Figure<AnyChart>,
    /// Its caption.
    pub caption: String,
}

/// Who produced a lesson.
#[derive(Debug, Clone, Serialize)]
pub struct LessonProvenance {
    /// Always `loyalty-sim`.
    pub program: &'static str,
    /// The program's version.
    pub version: &'static str,
    /// The lesson's name.
    pub lesson: &'static str,
    /// Scenario files and their SHA-256.
    pub scenarios: Vec<(String, String)>,
    /// Seed of every run.
    pub seed: u64,
    /// Trials of every run.
    pub trials: u64,
    /// Customers at launch.
    pub customers: u64,
}

/// A lesson, run.
#[derive(Debug, Clone)]
pub struct LessonOutput {
    /// Which lesson.
    pub lesson: Lesson,
    /// Who produced it.
    pub provenance: LessonProvenance,
    /// The story, in order.
    pub sections: Vec<Section>,
    /// The lesson's conclusion, in a sentence or two.
    pub conclusion: String,
    /// Every number the story quotes.
    pub facts: Vec<Fact>,
    /// The charts.
    pub figures: Vec<LessonFigure>,
}

/// Builds the facts a lesson quotes, each shown once and kept at full precision.
#[derive(Debug, Default)]
struct Facts {
    list: Vec<Fact>,
}

impl Facts {
    /// Records `value` under `key`, shown as `shown`, and returns the shown text.
    fn add(&mut self, key: impl Into<String>, value: f64, shown: String) -> String {
        self.list.push(Fact {
            key: key.into(),
            value,
            shown: shown.clone(),
        });
        shown
    }
    fn money(&mut self, key: impl Into<String>, c: &Currency, value: f64) -> String {
        self.add(key, value, c.format(value))
    }
    /// A share as a percentage with `decimals` decimals.
    fn percent(&mut self, key: impl Into<String>, value: f64, decimals: usize) -> String {
        self.add(key, value, format_percent(value, decimals))
    }
    /// A change as a signed percentage.
    fn change(&mut self, key: impl Into<String>, value: f64) -> String {
        self.add(key, value, change(value))
    }
    fn number(&mut self, key: impl Into<String>, value: f64, decimals: usize) -> String {
        self.add(key, value, format_number(value, decimals))
    }
    /// How the fact `key` was shown (empty if there is none: a lesson bug the tests catch,
    /// as every conclusion must quote its facts).
    fn shown(&self, key: &str) -> String {
        self.list
            .iter()
            .find(|f| f.key == key)
            .map_or_else(String::new, |f| f.shown.clone())
    }
}

/// A lesson's bar chart: categories along the bottom, one bar per series in each.
fn bars(
    name: &'static str,
    title: &str,
    y_label: String,
    y_scale: Scale,
    categories: Vec<String>,
    series: Vec<(String, RGBColor, Vec<f64>)>,
    caption: String,
) -> LessonFigure {
    LessonFigure {
        figure: Figure {
            name,
            footer: String::new(),
            chart: AnyChart::Bars(GroupedBarChart {
                title: title.into(),
                x_label: String::new(),
                y_label,
                y_scale,
                categories,
                series,
            }),
        },
        caption,
    }
}

/// `x` (a relative change) as a signed percentage with one decimal.
fn change(x: f64) -> String {
    let shown = format_number(x * 100.0, 1);
    if shown.starts_with('-') || shown == "0.0" {
        format!("{shown}%")
    } else {
        format!("+{shown}%")
    }
}

/// A lesson's scenario with the options applied, ready to run.
struct Prepared {
    file: ScenarioFile,
    options: RunOptions,
}

impl Prepared {
    fn new(source: &Source, options: &LessonOptions) -> Result<Prepared, LessonError> {
        let mut file = ScenarioFile::from_text(PathBuf::from(source.path), source.text)?;
        if let Some(n) = options.customers {
            file = file.variant(&[("simulation.customers", n as f64)])?;
        }
        Ok(Prepared {
            file,
            options: RunOptions {
                trials: options.trials,
                seed: options.seed,
                threads: options.threads,
                precision: None,
            },
        })
    }

    /// The same file as if it said `values`.
    fn variant(&self, values: &[(&str, f64)]) -> Result<Prepared, LessonError> {
        Ok(Prepared {
            file: self.file.variant(values)?,
            options: self.options.clone(),
        })
    }

    /// The scenario as run.
    fn scenario(&self) -> Scenario {
        effective_scenario(&self.file, &self.options)
    }

    /// A whole run: the business case.
    fn run(&self) -> Result<RunOutput, LessonError> {
        Ok(run(&self.file, &self.options, &|| {})?)
    }

    /// The launch customers one by one (see [`panel::fold`]), on the run's threads.
    fn fold<A: Send>(
        &self,
        new: impl Fn() -> A + Sync + Send,
        add: impl Fn(&mut A, &panel::Customer<'_>) + Sync + Send,
        merge: impl Fn(&mut A, A) + Send,
    ) -> Result<A, LessonError> {
        let scenario = self.scenario();
        let trials = scenario.simulation.trials;
        Ok(crate::sim::runner::in_pool(self.options.threads, || {
            panel::fold(&scenario, trials, new, add, merge)
        })?)
    }

    /// The launch customers' sums by world, type and month.
    fn type_months(&self) -> Result<panel::TypeMonths, LessonError> {
        let months = self.scenario().simulation.months as usize;
        self.fold(
            || panel::TypeMonths::new(months),
            panel::TypeMonths::add,
            |total, part| total.merge(&part),
        )
    }
}

/// Runs `lesson` with `options`.
pub fn run_lesson(lesson: Lesson, options: &LessonOptions) -> Result<LessonOutput, LessonError> {
    let mut prepared = lesson
        .sources()
        .iter()
        .map(|s| Prepared::new(s, options))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(value) = options.lever {
        // Every lesson has at least one scenario file (`Lesson::sources`).
        prepared[0] = prepared[0].variant(&[(lesson.lever().path, value)])?;
    }
    // Every lesson has at least one scenario file (`Lesson::sources`), the trap two.
    let first = prepared[0].scenario();
    let provenance = LessonProvenance {
        program: "loyalty-sim",
        version: env!("CARGO_PKG_VERSION"),
        lesson: lesson.name(),
        scenarios: prepared
            .iter()
            .map(|p| (p.file.path.display().to_string(), p.file.sha256.clone()))
            .collect(),
        seed: first.simulation.seed,
        trials: first.simulation.trials,
        customers: first.simulation.customers,
    };
    let mut facts = Facts::default();
    let story = match lesson {
        Lesson::Types => types::teach(&prepared[0], &mut facts)?,
        Lesson::DiscountTrap => trap::teach(&prepared[0], &prepared[1], &mut facts)?,
        Lesson::Threshold => threshold::teach(&prepared[0], &mut facts)?,
        Lesson::Rfm => rfm::teach(&prepared[0], &mut facts)?,
    };
    let stamp = format!(
        "loyalty-sim {} · lesson {} · seed {} · {}",
        provenance.version,
        lesson.name(),
        provenance.seed,
        provenance
            .scenarios
            .first()
            .map_or(String::new(), |(_, h)| format!(
                "sha256 {}",
                &h[..12.min(h.len())]
            ))
    );
    let figures = story
        .figures
        .into_iter()
        .map(|mut f| {
            f.figure.footer = stamp.clone();
            f
        })
        .collect();
    Ok(LessonOutput {
        lesson,
        provenance,
        sections: story.sections,
        conclusion: story.conclusion,
        facts: facts.list,
        figures,
    })
}

/// What a lesson module produces.
struct Story {
    sections: Vec<Section>,
    conclusion: String,
    figures: Vec<LessonFigure>,
}

impl LessonOutput {
    /// The story for a terminal: plain text, wrapped to 92 columns.
    pub fn text(&self) -> String {
        page::text(self)
    }

    /// Every file of the lesson: `lesson.html`, `lesson.json` and each chart as PNG and SVG.
    pub fn files(&self) -> Result<Vec<(String, Vec<u8>)>, LessonError> {
        let mut files = Vec::new();
        let mut svgs = Vec::new();
        for f in &self.figures {
            // The chart file carries its font; the page carries one for all its charts.
            let svg = f.figure.page_svg()?;
            files.push((format!("{}.png", f.figure.name), f.figure.png()?));
            files.push((
                format!("{}.svg", f.figure.name),
                crate::report::chart::font::standalone(&svg)?.into_bytes(),
            ));
            svgs.push(svg);
        }
        files.push(("lesson.html".into(), page::html(self, &svgs)?.into_bytes()));
        files.push(("lesson.json".into(), page::json(self).into_bytes()));
        Ok(files)
    }

    /// Where the files go by default: `output/lessons/<name>`.
    pub fn default_dir(&self) -> PathBuf {
        Path::new("output").join("lessons").join(self.lesson.name())
    }
}

/// The lessons, one per line, for `loyalty-sim learn`.
pub fn catalogue() -> String {
    let mut out = String::from("Lessons (run one with `loyalty-sim learn <name>`):\n\n");
    for l in Lesson::ALL {
        out.push_str(&format!("  {:<14} {}\n", l.name(), l.title()));
        for line in textwrap::wrap(l.summary(), 72) {
            out.push_str(&format!("  {:<14} {line}\n", ""));
        }
    }
    out.push_str(
        "\nEach prints its story here and writes an HTML page with its charts to\n\
         output/lessons/<name>/ (or --out). --trials, --customers and --seed change the run.\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The number at a dotted `path` of a TOML text.
    fn number_at(text: &str, path: &str) -> Option<f64> {
        let table: toml::Table = toml::from_str(text).ok()?;
        let mut value = toml::Value::Table(table);
        for key in path.split('.') {
            value = value.get(key)?.clone();
        }
        value
            .as_float()
            .or_else(|| value.as_integer().map(|i| i as f64))
    }

    #[test]
    fn each_lever_starts_at_its_files_value_within_its_range() {
        for lesson in Lesson::ALL {
            let lever = lesson.lever();
            let sources = lesson.sources();
            let file = sources[0].text;
            assert_eq!(
                number_at(file, lever.path),
                Some(lever.value),
                "{}",
                lesson.name()
            );
            assert!(lever.min <= lever.value && lever.value <= lever.max);
            // The slider's steps land on the file's value.
            let steps = (lever.value - lever.min) / lever.step;
            assert!((steps - steps.round()).abs() < 1e-9, "{}", lesson.name());
        }
    }
}
