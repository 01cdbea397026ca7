//! Currencies (ISO 4217) and how amounts are shown to a person: with the currency's symbol,
//! thousands separators and sensible rounding. Files a program reads keep full precision and
//! never pass through here.

use num_format::{Locale, ToFormattedString};
use serde::Serialize;

/// A currency, validated against ISO 4217.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Currency {
    /// ISO 4217 code, e.g. `EUR`.
    pub code: String,
    /// Symbol shown before or after amounts, e.g. `€`.
    pub symbol: String,
}

impl Currency {
    /// The currency with ISO 4217 code `code` (case-insensitive), if there is one.
    pub fn from_code(code: &str) -> Option<Currency> {
        let c = iso_currency::Currency::from_code(&code.to_ascii_uppercase())?;
        Some(Currency {
            code: c.code().to_string(),
            symbol: c.symbol().symbol,
        })
    }

    /// `amount` for a person: whole units from 100 up, cents below, thousands separated;
    /// one-character symbols go in front (`€1,234`), longer ones after (`1,234 kr`).
    pub fn format(&self, amount: f64) -> String {
        self.format_decimals(amount, if amount.abs() >= 100.0 { 0 } else { 2 })
    }

    /// `amount` with `decimals` decimals, the symbol placed as by [`Currency::format`].
    pub fn format_decimals(&self, amount: f64, decimals: usize) -> String {
        let number = format_number(amount.abs(), decimals);
        // No minus sign on an amount that rounds to zero.
        let nonzero = number.chars().any(|c| c.is_ascii_digit() && c != '0');
        let sign = if amount < 0.0 && nonzero { "-" } else { "" };
        if self.symbol.chars().count() == 1 {
            format!("{sign}{}{number}", self.symbol)
        } else {
            format!("{sign}{number} {}", self.symbol)
        }
    }
}

/// A share as a percentage with `decimals` decimals: 0.1234 → `12.3%` (1 decimal).
pub fn format_percent(share: f64, decimals: usize) -> String {
    format!("{}%", format_number(share * 100.0, decimals))
}

/// `x` with thousands separators and `decimals` decimals (x ≥ 0 and finite expected; anything
/// else is shown as is).
pub fn format_number(x: f64, decimals: usize) -> String {
    if !x.is_finite() || x.abs() >= 1e18 {
        return format!("{x}");
    }
    let rounded = format!("{:.*}", decimals, x.abs());
    let (whole, frac) = rounded.split_once('.').unwrap_or((&rounded, ""));
    let whole: u64 = whole.parse().unwrap_or(0);
    let sign = if x < 0.0 && rounded.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    let whole = whole.to_formatted_string(&Locale::en);
    if frac.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_resolve_to_their_symbols() {
        let eur = Currency::from_code("eur");
        assert_eq!(eur.as_ref().map(|c| c.symbol.as_str()), Some("€"));
        assert_eq!(eur.map(|c| c.code), Some("EUR".to_string()));
        assert!(Currency::from_code("XYZ").is_none());
    }

    #[test]
    fn amounts_are_rounded_and_separated() {
        let eur = Currency {
            code: "EUR".into(),
            symbol: "€".into(),
        };
        assert_eq!(eur.format(1_234_567.4), "€1,234,567");
        assert_eq!(eur.format(-98_765.5), "-€98,766");
        assert_eq!(eur.format(12.345), "€12.35");
        assert_eq!(eur.format(-0.004), "€0.00");
        let sek = Currency {
            code: "SEK".into(),
            symbol: "kr".into(),
        };
        assert_eq!(sek.format(2500.0), "2,500 kr");
        assert_eq!(format_number(1234.5678, 1), "1,234.6");
        assert_eq!(format_number(f64::INFINITY, 0), "inf");
    }
}
