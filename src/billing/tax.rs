//! VAT rate arithmetic: inferring a rate from tax amounts and checking a line's tax.

use rust_decimal::{Decimal, RoundingStrategy};

/// A VAT rate inferred from (net base, tax) pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct InferredRate {
    /// Rate in percent.
    pub rate: Decimal,
    /// Whether the rate reproduces every pair's tax within half a minor unit. When
    /// false, the rate is the plain ratio rounded to four decimal places.
    pub reproduces_all: bool,
}

/// Infers the VAT rate in percent that the shop applied to every `(base, tax)` pair.
///
/// Shops that state only tax amounts (WooCommerce REST without `rate_percent`) round each
/// tax to the minor unit. The plain ratio `tax / base` of one small line can therefore be
/// far from the rate: 0.08 on 1.00 reads as 8 % when the rate is 7.5 %. Each pair allows
/// an interval of rates, those whose tax lies within half a minor unit of the stated one.
/// This returns the number with the fewest decimal places (0 to 4) in the intersection
/// of all pairs' intervals. When several qualify, it takes the one nearest the ratio of
/// the sums.
pub(crate) fn infer_rate(pairs: &[(Decimal, Decimal)], minor_units: u32) -> InferredRate {
    let with_base: Vec<(Decimal, Decimal)> = pairs
        .iter()
        .copied()
        .filter(|(base, _)| !base.is_zero())
        .collect();
    let base_sum: Decimal = with_base.iter().map(|(base, _)| *base).sum();
    let tax_sum: Decimal = with_base.iter().map(|(_, tax)| *tax).sum();
    if with_base.is_empty() || base_sum.is_zero() {
        return InferredRate {
            rate: Decimal::ZERO,
            reproduces_all: pairs.iter().all(|(_, tax)| tax.is_zero()),
        };
    }
    let ratio = tax_sum * Decimal::ONE_HUNDRED / base_sum;
    let half_unit = Decimal::new(5, minor_units + 1);
    let mut low = Decimal::MIN;
    let mut high = Decimal::MAX;
    for &(base, tax) in &with_base {
        let a = (tax - half_unit) * Decimal::ONE_HUNDRED / base;
        let b = (tax + half_unit) * Decimal::ONE_HUNDRED / base;
        low = low.max(a.min(b));
        high = high.min(a.max(b));
    }
    if low <= high {
        for places in 0..=4u32 {
            let scale = Decimal::from(10u64.pow(places));
            let first = (low * scale).ceil() / scale;
            let last = (high * scale).floor() / scale;
            if first <= last {
                let nearest = ratio
                    .round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
                    .clamp(first, last);
                return InferredRate {
                    rate: nearest.normalize(),
                    reproduces_all: true,
                };
            }
        }
    }
    InferredRate {
        rate: ratio
            .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
            .normalize(),
        reproduces_all: false,
    }
}

/// Returns whether `tax` is `rate` percent of `base` within `tolerance`.
pub(crate) fn tax_within(base: Decimal, tax: Decimal, rate: Decimal, tolerance: Decimal) -> bool {
    let expected = base * rate / Decimal::ONE_HUNDRED;
    (expected - tax).abs() <= tolerance
}

/// Returns `rate` percent of `base`, rounded half away from zero to the minor unit.
pub(crate) fn tax_of(base: Decimal, rate: Decimal, minor_units: u32) -> Decimal {
    (base * rate / Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(minor_units, RoundingStrategy::MidpointAwayFromZero)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    #[test]
    fn infers_seven_and_a_half_percent() {
        // 6.00 x 7.5 % = 0.45 and 12.00 x 7.5 % = 0.90; 8 % would give 0.48.
        let rate = infer_rate(&[(d("6.00"), d("0.45")), (d("12.00"), d("0.9"))], 2);
        assert_eq!(rate.rate, d("7.5"));
        assert!(rate.reproduces_all);
    }

    #[test]
    fn small_line_alone_is_ambiguous_but_group_decides() {
        // 1.00 x 7.5 % = 0.075, rounded 0.08, which 8 % also reproduces; the 6.00 line
        // (0.45, where 8 % gives 0.48) rules 8 % out.
        let alone = infer_rate(&[(d("1.00"), d("0.08"))], 2);
        assert_eq!(alone.rate, d("8"));
        let group = infer_rate(&[(d("1.00"), d("0.08")), (d("6.00"), d("0.45"))], 2);
        assert_eq!(group.rate, d("7.5"));
    }

    #[test]
    fn zero_base_and_inconsistent_pairs() {
        let none = infer_rate(&[(d("0"), d("0"))], 2);
        assert_eq!(none.rate, Decimal::ZERO);
        assert!(none.reproduces_all);
        // 10.00 -> 1.00 is 10 %, 10.00 -> 2.00 is 20 %: no single rate fits; the sums give
        // 3.00 / 20.00 = 15 %.
        let mixed = infer_rate(&[(d("10.00"), d("1.00")), (d("10.00"), d("2.00"))], 2);
        assert_eq!(mixed.rate, d("15"));
        assert!(!mixed.reproduces_all);
    }

    #[test]
    fn tax_check_tolerances() {
        // 266.07 x 12 % = 31.9284, stated 31.93.
        assert!(tax_within(d("266.07"), d("31.93"), d("12"), d("0.005")));
        // 195.66 x 6 % = 11.7396, stated 3.98.
        assert!(!tax_within(d("195.66"), d("3.98"), d("6"), d("0.01")));
        assert_eq!(tax_of(d("-41.65"), d("21"), 2), d("-8.75"));
        // A tax computed from the gross: 18.00 - 18.00 / 1.23 = 3.37, while 14.63 x 23 %
        // = 3.3649 is 0.0051 away; within one cent, not within half a cent.
        assert!(!tax_within(d("14.63"), d("3.37"), d("23"), d("0.005")));
        assert!(tax_within(d("14.63"), d("3.37"), d("23"), d("0.01")));
    }
}
