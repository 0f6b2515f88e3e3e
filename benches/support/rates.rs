//! Rates from interleaved rounds.

/// The best (highest) and the median of rates; sorts them, best first.
pub fn best_and_median(rates: &mut [f64]) -> (f64, f64) {
    rates.sort_by(|a, b| b.total_cmp(a));
    (rates[0], rates[rates.len() / 2])
}
