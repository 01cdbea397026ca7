//! `monthly.csv` (bands of every monthly series over the trials), `monthly_by_type.csv` (the
//! same per loyalty type, one row per month and type), `trials.csv` (one row per trial) and
//! `rfm_groups.csv` (what each RFM group adds and costs over the horizon). Floats are written at full precision (shortest representation that reads
//! back to the same number), for programs rather than people. Every row ends with the
//! provenance of the run (program version, seed, scenario hash), so a file separated from its
//! `summary.json` still says where it came from.

use serde::Serialize;

use super::{Exporter, ReportError};
use crate::metrics::finance::{GroupRecord, Series, TypeSeries};
use crate::metrics::stats::Stats;
use crate::model::rfm::Group;
use crate::run::RunOutput;

/// The columns that end every row.
#[derive(Serialize)]
struct Provenance<'a> {
    program_version: &'a str,
    seed: u64,
    scenario_sha256: &'a str,
}

impl<'a> Provenance<'a> {
    const COLUMNS: [&'static str; 3] = ["program_version", "seed", "scenario_sha256"];

    fn of(run: &'a RunOutput) -> Self {
        let md = &run.summary.metadata;
        Provenance {
            program_version: md.version,
            seed: md.seed,
            scenario_sha256: &md.scenario_sha256,
        }
    }

    fn values(&self) -> [String; 3] {
        [
            self.program_version.to_string(),
            self.seed.to_string(),
            self.scenario_sha256.to_string(),
        ]
    }
}

/// The `monthly.csv` exporter: `month`, then for each series its mean, p5, p50 and p95, then
/// the provenance columns.
pub struct MonthlyCsv;

impl Exporter for MonthlyCsv {
    fn file_name(&self) -> String {
        "monthly.csv".into()
    }

    fn render(&self, run: &RunOutput) -> Result<Vec<u8>, ReportError> {
        let err = |source| ReportError::Csv {
            file: "monthly.csv",
            source,
        };
        let mut w = ::csv::Writer::from_writer(Vec::new());
        let mut header = vec!["month".to_string()];
        for s in Series::ALL {
            for stat in ["mean", "p5", "p50", "p95"] {
                header.push(format!("{}_{stat}", s.name()));
            }
        }
        header.extend(Provenance::COLUMNS.map(String::from));
        w.write_record(&header).map_err(err)?;
        let provenance = Provenance::of(run).values();
        for m in &run.monthly {
            let mut row = vec![m.month.to_string()];
            for st in &m.series {
                for v in [st.mean, st.p5, st.p50, st.p95] {
                    row.push(v.to_string());
                }
            }
            row.extend(provenance.iter().cloned());
            w.write_record(&row).map_err(err)?;
        }
        w.into_inner().map_err(|e| err(e.into_error().into()))
    }
}

/// The `trials.csv` exporter: one row per trial, headline metrics and points ledger, then the
/// provenance columns.
pub struct TrialsCsv;

impl Exporter for TrialsCsv {
    fn file_name(&self) -> String {
        "trials.csv".into()
    }

    fn render(&self, run: &RunOutput) -> Result<Vec<u8>, ReportError> {
        let err = |source| ReportError::Csv {
            file: "trials.csv",
            source,
        };
        let mut w = ::csv::Writer::from_writer(Vec::new());
        let provenance = Provenance::of(run);
        for t in &run.trials {
            w.serialize((t, &provenance)).map_err(err)?;
        }
        w.into_inner().map_err(|e| err(e.into_error().into()))
    }
}

/// The `monthly_by_type.csv` exporter: `month`, `loyalty_type`, then for each per-type series
/// its mean, p5, p50 and p95, then the provenance columns.
pub struct MonthlyByTypeCsv;

impl Exporter for MonthlyByTypeCsv {
    fn file_name(&self) -> String {
        "monthly_by_type.csv".into()
    }

    fn render(&self, run: &RunOutput) -> Result<Vec<u8>, ReportError> {
        let err = |source| ReportError::Csv {
            file: "monthly_by_type.csv",
            source,
        };
        let mut w = ::csv::Writer::from_writer(Vec::new());
        let mut header = vec!["month".to_string(), "loyalty_type".to_string()];
        for s in TypeSeries::ALL {
            for stat in ["mean", "p5", "p50", "p95"] {
                header.push(format!("{}_{stat}", s.name()));
            }
        }
        header.extend(Provenance::COLUMNS.map(String::from));
        w.write_record(&header).map_err(err)?;
        let provenance = Provenance::of(run).values();
        for b in &run.monthly_by_type {
            let mut row = vec![b.month.to_string(), b.loyalty_type.key().to_string()];
            for st in &b.series {
                for v in [st.mean, st.p5, st.p50, st.p95] {
                    row.push(v.to_string());
                }
            }
            row.extend(provenance.iter().cloned());
            w.write_record(&row).map_err(err)?;
        }
        w.into_inner().map_err(|e| err(e.into_error().into()))
    }
}

/// The `trial_inputs.csv` exporter: `trial`, then the value each uncertain input drew in it
/// (one column per input, named by its path), then the provenance columns. Written only when
/// the scenario has uncertain inputs.
pub struct TrialInputsCsv;

impl Exporter for TrialInputsCsv {
    fn file_name(&self) -> String {
        "trial_inputs.csv".into()
    }

    fn render(&self, run: &RunOutput) -> Result<Vec<u8>, ReportError> {
        let err = |source| ReportError::Csv {
            file: "trial_inputs.csv",
            source,
        };
        let mut w = ::csv::Writer::from_writer(Vec::new());
        let mut header = vec!["trial".to_string()];
        header.extend(run.scenario.uncertain.iter().map(|u| u.path.clone()));
        header.extend(Provenance::COLUMNS.map(String::from));
        w.write_record(&header).map_err(err)?;
        let provenance = Provenance::of(run).values();
        for (t, inputs) in run.trials.iter().zip(&run.inputs) {
            let mut row = vec![t.trial.to_string()];
            row.extend(inputs.iter().map(f64::to_string));
            row.extend(provenance.iter().cloned());
            w.write_record(&row).map_err(err)?;
        }
        w.into_inner().map_err(|e| err(e.into_error().into()))
    }
}

/// The `rfm_groups.csv` exporter: one row per RFM group (`group`, the thresholds that read
/// it), then for each figure of [`GroupRecord`] over the horizon its mean, p5, p50 and p95
/// over the trials, then the provenance columns.
pub struct RfmGroupsCsv;

impl Exporter for RfmGroupsCsv {
    fn file_name(&self) -> String {
        "rfm_groups.csv".into()
    }

    fn render(&self, run: &RunOutput) -> Result<Vec<u8>, ReportError> {
        let err = |source| ReportError::Csv {
            file: "rfm_groups.csv",
            source,
        };
        let mut w = ::csv::Writer::from_writer(Vec::new());
        let mut header = vec![
            "group".to_string(),
            "frequent_from_purchases_per_month".to_string(),
            "large_from_spend_per_purchase".to_string(),
        ];
        for c in GroupRecord::COLUMNS {
            for stat in ["mean", "p5", "p50", "p95"] {
                header.push(format!("{c}_{stat}"));
            }
        }
        header.extend(Provenance::COLUMNS.map(String::from));
        w.write_record(&header).map_err(err)?;
        let provenance = Provenance::of(run).values();
        let rfm = run.scenario.population.rfm;
        for (g, group) in Group::ALL.iter().enumerate() {
            let mut row = vec![
                group.key().to_string(),
                rfm.frequent_from.to_string(),
                rfm.large_from.to_string(),
            ];
            for c in 0..GroupRecord::COLUMNS.len() {
                // g < 4 indexes a [_; 4]; c < 7 indexes `values`.
                let values: Vec<f64> = run.by_group.iter().map(|t| t[g].values()[c]).collect();
                let st = Stats::of(&values);
                for v in [st.mean, st.p5, st.p50, st.p95] {
                    row.push(v.to_string());
                }
            }
            row.extend(provenance.iter().cloned());
            w.write_record(&row).map_err(err)?;
        }
        w.into_inner().map_err(|e| err(e.into_error().into()))
    }
}
