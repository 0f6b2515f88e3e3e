//! The stored failures in arrival order, kept in blocks of a fixed size: growing never moves what
//! is held (a ring of hundreds of megabytes grown by doubling copies each failure many times, and
//! the kernel clears every page the copies land on).

use std::collections::VecDeque;

/// Failures a block holds.
const BLOCK: usize = 4096;

#[derive(Debug)]
pub struct Ring<T> {
    /// Every block but the first and the last is full.
    blocks: VecDeque<VecDeque<T>>,
    len: usize,
    /// The block emptied last, kept for the next one needed: a full store that drops its oldest
    /// as it takes new ones reuses its memory rather than asking for fresh pages.
    spare: Option<VecDeque<T>>,
}

impl<T> Default for Ring<T> {
    fn default() -> Self {
        Ring {
            blocks: VecDeque::new(),
            len: 0,
            spare: None,
        }
    }
}

impl<T> Ring<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn push_back(&mut self, t: T) {
        match self.blocks.back_mut() {
            Some(last) if last.len() < BLOCK => last.push_back(t),
            _ => {
                let mut block = self
                    .spare
                    .take()
                    .unwrap_or_else(|| VecDeque::with_capacity(BLOCK));
                block.push_back(t);
                self.blocks.push_back(block);
            }
        }
        self.len += 1;
    }

    pub fn pop_front(&mut self) -> Option<T> {
        let first = self.blocks.front_mut()?;
        let t = first.pop_front();
        if first.is_empty() {
            self.spare = self.blocks.pop_front();
        }
        self.len -= usize::from(t.is_some());
        t
    }

    pub fn front(&self) -> Option<&T> {
        self.blocks.front()?.front()
    }

    /// Where the `i`-th element is: its block and its place there.
    fn locate(&self, i: usize) -> Option<(usize, usize)> {
        let first = self.blocks.front()?.len();
        if i < first {
            return Some((0, i));
        }
        let j = i - first;
        Some((1 + j / BLOCK, j % BLOCK))
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        let (b, at) = self.locate(i)?;
        self.blocks.get(b)?.get(at)
    }

    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        let (b, at) = self.locate(i)?;
        self.blocks.get_mut(b)?.get_mut(at)
    }

    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.blocks.iter().flatten()
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.blocks.iter_mut().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The ring holds what a plain double-ended queue would, in the same places, whatever
        /// mix of pushes at the back and pops at the front, across block boundaries.
        #[test]
        fn the_ring_is_a_queue(ops in prop::collection::vec(0..4u8, 0..3 * BLOCK)) {
            let mut ring = Ring::default();
            let mut plain = VecDeque::new();
            for (n, op) in ops.into_iter().enumerate() {
                if op == 0 {
                    prop_assert_eq!(ring.pop_front(), plain.pop_front());
                } else {
                    ring.push_back(n);
                    plain.push_back(n);
                }
                prop_assert_eq!(ring.len(), plain.len());
                prop_assert_eq!(ring.front(), plain.front());
            }
            for i in [0, 1, BLOCK - 1, BLOCK, BLOCK + 1, plain.len().saturating_sub(1), plain.len()] {
                prop_assert_eq!(ring.get(i), plain.get(i));
            }
            prop_assert!(ring.iter().eq(plain.iter()));
            if let Some(x) = ring.get_mut(0) {
                *x += 1;
            }
            prop_assert!(ring.iter_mut().map(|x| *x).skip(1).eq(plain.iter().copied().skip(1)));
        }
    }
}
