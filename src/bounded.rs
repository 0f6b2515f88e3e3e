//! A map that forgets its oldest insertions beyond a fixed capacity: the memory every correlation
//! and dedup table fed from outside is bounded by.

use std::collections::VecDeque;
use std::hash::Hash;

use rustc_hash::FxHashMap;

/// A map that forgets its oldest insertions beyond a fixed capacity.
#[derive(Debug)]
pub struct BoundedMap<K, V> {
    map: FxHashMap<K, V>,
    order: VecDeque<K>,
    capacity: usize,
}

impl<K: Eq + Hash + Clone, V> BoundedMap<K, V> {
    pub fn new(capacity: usize) -> Self {
        BoundedMap {
            map: FxHashMap::default(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
        }
    }

    pub fn insert(&mut self, key: K, value: V) {
        if self.map.insert(key.clone(), value).is_none() {
            self.order.push_back(key);
            while self.order.len() > self.capacity {
                if let Some(old) = self.order.pop_front() {
                    self.map.remove(&old);
                }
            }
        }
    }

    /// [`insert`](BoundedMap::insert) of copies, made only when the map changes.
    pub fn set(&mut self, key: &K, value: &V)
    where
        V: PartialEq + Clone,
    {
        match self.map.get_mut(key) {
            Some(v) if v == value => {}
            Some(v) => *v = value.clone(),
            None => self.insert(key.clone(), value.clone()),
        }
    }

    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get(key)
    }

    /// Removes the entry; its slot in the eviction order is reclaimed lazily.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let v = self.map.remove(key);
        if v.is_some() && self.order.len() > 2 * self.capacity {
            let map = &self.map;
            self.order.retain(|k| map.contains_key::<K>(k));
        }
        v
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_map_evicts_oldest() {
        let mut m = BoundedMap::new(2);
        m.insert("a", 1);
        m.insert("b", 2);
        m.insert("a", 10); // update keeps its place
        m.insert("c", 3);
        assert_eq!(m.get("a"), None);
        assert_eq!(m.get("b"), Some(&2));
        assert_eq!(m.get("c"), Some(&3));
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn bounded_map_remove_then_reinsert_stays_bounded() {
        let mut m = BoundedMap::new(3);
        for i in 0..1000 {
            m.insert(i % 5, i);
            m.remove(&((i + 1) % 5));
        }
        assert!(m.len() <= 3);
        assert!(m.order.len() <= 7);
    }
}
