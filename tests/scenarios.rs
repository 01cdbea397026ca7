//! Every shipped scenario loads, validates and runs, bit-identically on one thread and on two
//! (at a reduced size here; full-size runs are for the command line and the benchmark).

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use loyalty_sim::{RunOptions, run, scenario};

#[test]
fn every_shipped_scenario_loads_and_runs() {
    let files = common::shipped_scenarios();
    assert!(
        files.len() >= 3,
        "expected the shipped scenarios in scenarios/"
    );
    for path in files {
        let mut file = scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        file.scenario.simulation.customers = file.scenario.simulation.customers.min(3_000);
        let out = run(
            &file,
            &RunOptions {
                trials: Some(3),
                ..RunOptions::default()
            },
            &|| {},
        )
        .unwrap();
        let m = &out.summary.metrics;
        for (name, v) in [
            ("npv", m.npv.mean),
            ("roi", m.roi.mean),
            ("liability", m.liability_end.mean),
        ] {
            assert!(v.is_finite(), "{}: {name} is {v}", path.display());
        }
        assert!(
            m.reward_cost.mean > 0.0,
            "{}: no reward was redeemed",
            path.display()
        );
        assert!(
            m.incremental_revenue.mean > 0.0,
            "{}: the program changes nothing",
            path.display()
        );
    }
}
