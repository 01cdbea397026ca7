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

/// Every currency at once, with a ramp, an exit, a copy, promotions, dissatisfaction and
/// arrivals: points and certificate cents each balance exactly, month by month, in every
/// trial; and the run-off settles everything held at the horizon.
#[test]
fn every_currency_balances_with_the_whole_market_at_once() {
    let text = std::fs::read_to_string(common::data("all_features.toml")).unwrap();
    let s = common::scenario(&text);
    let totals = simulate_trials(&s, 0..12, None, &|| {}).unwrap();
    let (mut certificates_seen, mut expired_seen) = (0u64, 0u64);
    for t in &totals {
        let (mut points, mut cents) = (0u64, 0u64);
        for m in &t.months {
            let p = points + m.points_earned
                - m.points_redeemed
                - m.points_expired
                - m.points_forfeited
                - m.points_settled;
            assert_eq!(m.points_outstanding, p, "points, trial {}", t.trial);
            let c = cents + m.certificates_issued
                - m.certificates_redeemed
                - m.certificates_expired
                - m.certificates_forfeited
                - m.certificates_settled;
            assert_eq!(
                m.certificates_outstanding, c,
                "certificates, trial {}",
                t.trial
            );
            points = p;
            cents = c;
            certificates_seen += m.certificates_issued;
            expired_seen += m.points_expired;
        }
        assert_eq!(t.runoff.points_redeemed + t.runoff.points_broken, points);
        assert_eq!(
            t.runoff.certificates_redeemed + t.runoff.certificates_broken,
            cents
        );
        let m = loyalty_sim::metrics::finance::evaluate_trial(&s, t).metrics;
        assert_eq!(
            m.points_earned,
            m.points_redeemed
                + m.points_expired
                + m.points_forfeited
                + m.points_settled
                + u128::from(m.points_outstanding_end)
        );
        assert_eq!(
            m.certificates_issued_cents,
            m.certificates_redeemed_cents
                + m.certificates_expired_cents
                + m.certificates_forfeited_cents
                + m.certificates_settled_cents
                + u128::from(m.certificates_outstanding_end_cents)
        );
    }
    assert!(
        certificates_seen > 0 && expired_seen > 0,
        "the scenario must issue certificates and expire points"
    );
}

#[test]
fn a_cash_settlement_at_the_end_pays_out_what_is_held() {
    let text = std::fs::read_to_string(common::data("all_features.toml"))
        .unwrap()
        .replace(
            "grace_months = 2",
            "grace_months = 0\nsettlement = \"cash\"",
        );
    let s = common::scenario(&text);
    for t in &simulate_trials(&s, 0..4, None, &|| {}).unwrap() {
        let settled: u64 = t.months.iter().map(|m| m.points_settled).sum();
        let before = t.months[18].points_outstanding; // held at the end of month 19
        assert!(settled > 0);
        // Everything held after month 19 is paid out in month 20, less what month 20's
        // attrition forfeited and its expiry took before the settlement.
        let month20 = &t.months[19];
        assert_eq!(
            settled + month20.points_forfeited + month20.points_expired,
            before
        );
        assert_eq!(t.months[19].points_outstanding, 0);
    }
}
