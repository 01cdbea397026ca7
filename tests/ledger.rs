//! Points conservation, exactly, in every trial and every month, under every expiry policy:
//! earned = redeemed + expired + forfeited + outstanding.

#![allow(clippy::unwrap_used)] // a test that cannot unwrap has failed

mod common;

use loyalty_sim::sim::runner::simulate_trials;

fn check_policy(expiry: &str) -> (u64, u64) {
    let text = std::fs::read_to_string(common::data("small_points.toml"))
        .unwrap()
        .replace("expiry = { policy = \"fixed\", months = 6 }", expiry)
        .replace("customers = 5000", "customers = 3000");
    let s = common::scenario(&text);
    let totals = simulate_trials(&s, 0..40, None, &|| {}).unwrap();
    let (mut expired_all, mut forfeited_all) = (0, 0);
    for t in &totals {
        let mut outstanding = 0u64;
        let (mut earned, mut redeemed, mut expired, mut forfeited) = (0u64, 0u64, 0u64, 0u64);
        for m in &t.months {
            // Month by month: what was held, plus what came in, minus what went out.
            let expected = outstanding + m.points_earned
                - m.points_redeemed
                - m.points_expired
                - m.points_forfeited;
            assert_eq!(
                m.points_outstanding, expected,
                "trial {} under {expiry}",
                t.trial
            );
            outstanding = m.points_outstanding;
            earned += m.points_earned;
            redeemed += m.points_redeemed;
            expired += m.points_expired;
            forfeited += m.points_forfeited;
        }
        assert_eq!(earned, redeemed + expired + forfeited + outstanding);
        // The run-off settles every point held at the horizon: redeemed later or broken.
        assert_eq!(
            t.runoff.points_redeemed + t.runoff.points_broken,
            outstanding
        );
        assert!(t.runoff.points_unsettled <= t.runoff.points_broken);
        let r = loyalty_sim::metrics::finance::evaluate_trial(&s, t);
        let l = &r.metrics;
        assert_eq!(
            l.points_earned,
            l.points_redeemed
                + l.points_expired
                + l.points_forfeited
                + u128::from(l.points_outstanding_end)
        );
        // Breakage is the share of the horizon's points never redeemed.
        let ever = (redeemed + t.runoff.points_redeemed) as f64;
        assert!((l.breakage_rate - (1.0 - ever / earned as f64)).abs() < 1e-12);
        expired_all += expired;
        forfeited_all += forfeited;
    }
    (expired_all, forfeited_all)
}

#[test]
fn fixed_life_expiry_conserves_points() {
    let (expired, forfeited) = check_policy("expiry = { policy = \"fixed\", months = 6 }");
    assert!(
        expired > 0 && forfeited > 0,
        "the test must exercise expiry and forfeiture"
    );
}

#[test]
fn inactivity_expiry_conserves_points() {
    let (expired, forfeited) = check_policy("expiry = { policy = \"inactivity\", months = 2 }");
    assert!(
        expired > 0 && forfeited > 0,
        "the test must exercise expiry and forfeiture"
    );
}

#[test]
fn no_expiry_conserves_points() {
    let (expired, forfeited) = check_policy("expiry = { policy = \"none\" }");
    assert_eq!(expired, 0);
    assert!(forfeited > 0);
}
