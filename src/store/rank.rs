//! A page of a ranking without sorting the whole list: what a panel shows of a table of many
//! thousand entries, at every frame, in time linear in the table.

use std::cmp::Ordering;

/// The items that sorting by `cmp` would put at `start..start + len`, in that order. `cmp` must
/// be a total order (ties broken) for the page to be the same as the sorted list's.
pub fn window<T>(
    mut items: Vec<T>,
    start: usize,
    len: usize,
    mut cmp: impl FnMut(&T, &T) -> Ordering,
) -> Vec<T> {
    if start >= items.len() || len == 0 {
        return Vec::new();
    }
    if start > 0 {
        // Everything before `start` ranks before the item now there, everything after it after.
        items.select_nth_unstable_by(start, &mut cmp);
        items.drain(..start);
    }
    let end = len.min(items.len());
    if end < items.len() {
        items.select_nth_unstable_by(end - 1, &mut cmp);
        items.truncate(end);
    }
    items.sort_unstable_by(cmp);
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn a_window_is_the_slice_of_the_sorted_list(
            items in prop::collection::vec(0u32..50, 0..300),
            start in 0usize..320,
            len in 0usize..40,
        ) {
            // Ties broken by position: a total order.
            let items: Vec<(u32, usize)> = items.into_iter().enumerate().map(|(i, v)| (v, i)).collect();
            let mut sorted = items.clone();
            sorted.sort();
            let want: Vec<_> = sorted.iter().skip(start).take(len).copied().collect();
            prop_assert_eq!(window(items, start, len, |a, b| a.cmp(b)), want);
        }
    }
}
