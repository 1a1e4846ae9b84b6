//! [`NameMap`], the map from names to entries behind the two parts of
//! metadata that grow with a repository: a targets role's `targets` and
//! snapshot's `meta` (ADR 0009).
//!
//! # Contract
//!
//! - Entries are sorted by name in byte order, which for UTF-8 is code-point
//!   order, the order canonical JSON writes members in; no name appears
//!   twice. Iteration follows that order, as a `BTreeMap<String, _>`'s does.
//! - All names live in one string and all values in one vector, so a role
//!   listing 100,000 targets holds three blocks of memory (plus what the
//!   values own) rather than a string per name and a B-tree node per eleven
//!   entries, is built from names already in order in one pass, and is
//!   dropped by freeing those blocks.
//! - A lookup is a binary search. An insert or removal in the middle moves
//!   the entries after it (O(n)); appending in order is O(1) amortized, and
//!   bulk changes ([`Extend`], [`FromIterator`]) sort once and merge.
//! - A name given twice in bulk (or in a JSON object) keeps its last value,
//!   as `BTreeMap`'s bulk build and python's `dict` do.

use std::cmp::Ordering;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::{Serialize, Serializer};

use super::fields::MemberName;

/// A map from names (role file names, target paths) to entries, kept sorted
/// by name. See the [module documentation](self) for its costs.
#[derive(Clone, PartialEq, Eq)]
pub struct NameMap<V> {
    /// Every name, one after the other, in order.
    names: String,
    /// Where each name ends in `names`; name `i` starts where `i - 1` ends.
    ends: Vec<usize>,
    values: Vec<V>,
}

impl<V> Default for NameMap<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V> NameMap<V> {
    /// An empty map.
    pub const fn new() -> Self {
        NameMap {
            names: String::new(),
            ends: Vec::new(),
            values: Vec::new(),
        }
    }

    /// From names and values in any order: sorted, a repeated name keeping
    /// its last value. `ends` are the names' ends in `names`, as in the map.
    pub(crate) fn from_parts(names: String, ends: Vec<usize>, values: Vec<V>) -> Self {
        debug_assert_eq!(ends.len(), values.len());
        let mut map = NameMap {
            names,
            ends,
            values,
        };
        map.sort_and_dedup();
        map.names.shrink_to_fit();
        map.ends.shrink_to_fit();
        map.values.shrink_to_fit();
        map
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    fn start(&self, i: usize) -> usize {
        start_at(&self.ends, i)
    }

    fn name(&self, i: usize) -> &str {
        name_at(&self.names, &self.ends, i)
    }

    /// The index of `name`, or where it would go.
    fn find(&self, name: &str) -> Result<usize, usize> {
        let (mut low, mut high) = (0, self.len());
        while low < high {
            let mid = low + (high - low) / 2;
            match self.name(mid).cmp(name) {
                Ordering::Less => low = mid + 1,
                Ordering::Greater => high = mid,
                Ordering::Equal => return Ok(mid),
            }
        }
        Err(low)
    }

    /// The entry for `name`.
    pub fn get(&self, name: &str) -> Option<&V> {
        self.find(name).ok().map(|i| &self.values[i])
    }

    /// The entry for `name`, with the name as stored.
    pub fn get_key_value(&self, name: &str) -> Option<(&str, &V)> {
        self.find(name)
            .ok()
            .map(|i| (self.name(i), &self.values[i]))
    }

    /// The entry for `name`, to change in place.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut V> {
        self.find(name).ok().map(|i| &mut self.values[i])
    }

    /// Whether `name` has an entry.
    pub fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    /// Add or replace the entry for `name`; returns the one replaced.
    pub fn insert(&mut self, name: impl AsRef<str>, value: V) -> Option<V> {
        let name = name.as_ref();
        match self.find(name) {
            Ok(i) => Some(std::mem::replace(&mut self.values[i], value)),
            Err(i) => {
                let at = self.start(i);
                self.names.insert_str(at, name);
                for end in &mut self.ends[i..] {
                    *end += name.len();
                }
                self.ends.insert(i, at + name.len());
                self.values.insert(i, value);
                None
            }
        }
    }

    /// Remove the entry for `name`; returns it if there was one.
    pub fn remove(&mut self, name: &str) -> Option<V> {
        let i = self.find(name).ok()?;
        let (start, end) = (self.start(i), self.ends[i]);
        self.names.replace_range(start..end, "");
        self.ends.remove(i);
        for e in &mut self.ends[i..] {
            *e -= end - start;
        }
        Some(self.values.remove(i))
    }

    /// Remove every entry.
    pub fn clear(&mut self) {
        self.names.clear();
        self.ends.clear();
        self.values.clear();
    }

    /// The entries in name order.
    pub fn iter(&self) -> Iter<'_, V> {
        Iter {
            map: self,
            front: 0,
            back: self.len(),
        }
    }

    /// The entries in name order, their values mutable.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut V)> {
        let names = self.names.as_str();
        let mut start = 0;
        self.ends
            .iter()
            .zip(self.values.iter_mut())
            .map(move |(&end, v)| {
                let name = &names[start..end];
                start = end;
                (name, v)
            })
    }

    /// The names in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator {
        self.iter().map(|(k, _)| k)
    }

    /// The values in name order.
    pub fn values(&self) -> std::slice::Iter<'_, V> {
        self.values.iter()
    }

    /// The values in name order, mutable.
    pub fn values_mut(&mut self) -> std::slice::IterMut<'_, V> {
        self.values.iter_mut()
    }

    /// Keep only the entries `keep` accepts.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &mut V) -> bool) {
        let NameMap {
            names,
            ends,
            values,
        } = std::mem::take(self);
        let mut start = 0;
        for (end, mut value) in ends.into_iter().zip(values) {
            let name = &names[start..end];
            start = end;
            if keep(name, &mut value) {
                self.push_last(name, value);
            }
        }
    }

    /// Append an entry known to sort after every present name.
    fn push_last(&mut self, name: &str, value: V) {
        self.names.push_str(name);
        self.ends.push(self.names.len());
        self.values.push(value);
    }

    /// Whether names strictly increase (the map's invariant).
    fn is_sorted_strictly(&self) -> bool {
        (1..self.len()).all(|i| self.name(i - 1) < self.name(i))
    }

    /// Restore the invariant: sort by name (stably), and of a repeated name
    /// keep the last value.
    fn sort_and_dedup(&mut self) {
        if self.is_sorted_strictly() {
            return;
        }
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.sort_by(|&a, &b| self.name(a).cmp(self.name(b)));
        // Of each run of equal names, the last in input order.
        let mut keep = Vec::with_capacity(order.len());
        for (k, &i) in order.iter().enumerate() {
            match order.get(k + 1) {
                Some(&next) if self.name(next) == self.name(i) => {}
                _ => keep.push(i),
            }
        }
        let mut slots: Vec<Option<V>> = std::mem::take(&mut self.values)
            .into_iter()
            .map(Some)
            .collect();
        let old_names = std::mem::take(&mut self.names);
        let old_ends = std::mem::take(&mut self.ends);
        self.values.reserve_exact(keep.len());
        self.ends.reserve_exact(keep.len());
        for i in keep {
            if let Some(value) = slots[i].take() {
                self.push_last(name_at(&old_names, &old_ends, i), value);
            }
        }
    }
}

/// Where name `i` starts, given every name's end.
fn start_at(ends: &[usize], i: usize) -> usize {
    match i {
        0 => 0,
        _ => ends[i - 1],
    }
}

/// Name `i` of `names`, given every name's end.
fn name_at<'a>(names: &'a str, ends: &[usize], i: usize) -> &'a str {
    &names[start_at(ends, i)..ends[i]]
}

impl<V> std::ops::Index<&str> for NameMap<V> {
    type Output = V;
    /// The entry for `name`; panics if there is none, as `BTreeMap`'s does.
    fn index(&self, name: &str) -> &V {
        self.get(name)
            .expect("no entry for this name in the NameMap")
    }
}

/// The entries of a [`NameMap`], in name order.
#[derive(Clone)]
pub struct Iter<'a, V> {
    map: &'a NameMap<V>,
    front: usize,
    back: usize,
}

impl<'a, V> Iterator for Iter<'a, V> {
    type Item = (&'a str, &'a V);
    fn next(&mut self) -> Option<Self::Item> {
        (self.front < self.back).then(|| {
            let i = self.front;
            self.front += 1;
            (self.map.name(i), &self.map.values[i])
        })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }
}

impl<V> DoubleEndedIterator for Iter<'_, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        (self.front < self.back).then(|| {
            self.back -= 1;
            (self.map.name(self.back), &self.map.values[self.back])
        })
    }
}

impl<V> ExactSizeIterator for Iter<'_, V> {}

impl<'a, V> IntoIterator for &'a NameMap<V> {
    type Item = (&'a str, &'a V);
    type IntoIter = Iter<'a, V>;
    fn into_iter(self) -> Iter<'a, V> {
        self.iter()
    }
}

/// The entries of a [`NameMap`] by value, in name order.
pub struct IntoIter<V> {
    names: String,
    start: usize,
    ends: std::vec::IntoIter<usize>,
    values: std::vec::IntoIter<V>,
}

impl<V> Iterator for IntoIter<V> {
    type Item = (String, V);
    fn next(&mut self) -> Option<(String, V)> {
        let end = self.ends.next()?;
        let name = self.names[self.start..end].to_owned();
        self.start = end;
        Some((name, self.values.next()?))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.values.size_hint()
    }
}

impl<V> ExactSizeIterator for IntoIter<V> {}

impl<V> IntoIterator for NameMap<V> {
    type Item = (String, V);
    type IntoIter = IntoIter<V>;
    fn into_iter(self) -> IntoIter<V> {
        IntoIter {
            names: self.names,
            start: 0,
            ends: self.ends.into_iter(),
            values: self.values.into_iter(),
        }
    }
}

impl<S: AsRef<str>, V> FromIterator<(S, V)> for NameMap<V> {
    fn from_iter<I: IntoIterator<Item = (S, V)>>(iter: I) -> Self {
        let iter = iter.into_iter();
        let mut map = NameMap::new();
        map.values.reserve(iter.size_hint().0);
        map.ends.reserve(iter.size_hint().0);
        for (name, value) in iter {
            map.push_last(name.as_ref(), value);
        }
        map.sort_and_dedup();
        map
    }
}

impl<S: AsRef<str>, V> Extend<(S, V)> for NameMap<V> {
    /// Add or replace many entries: sorted once, then merged (a later
    /// entry for the same name wins).
    fn extend<I: IntoIterator<Item = (S, V)>>(&mut self, iter: I) {
        let new: NameMap<V> = iter.into_iter().collect();
        if new.is_empty() {
            return;
        }
        if self.is_empty() {
            *self = new;
            return;
        }
        let old = std::mem::take(self);
        self.values.reserve(old.len() + new.len());
        self.ends.reserve(old.len() + new.len());
        // Names are read in place by index and values taken in order: no
        // name is copied out on the way.
        let (mut old_values, mut new_values) = (old.values.into_iter(), new.values.into_iter());
        let (mut i, mut j) = (0, 0);
        while i < old.ends.len() || j < new.ends.len() {
            let a = (i < old.ends.len()).then(|| name_at(&old.names, &old.ends, i));
            let b = (j < new.ends.len()).then(|| name_at(&new.names, &new.ends, j));
            let take_new = match (a, b) {
                (Some(a), Some(b)) => match a.cmp(b) {
                    Ordering::Less => false,
                    Ordering::Greater => true,
                    Ordering::Equal => {
                        // The new entry replaces the old one.
                        old_values.next();
                        i += 1;
                        true
                    }
                },
                (Some(_), None) => false,
                _ => true,
            };
            let (name, value) = if take_new {
                j += 1;
                (name_at(&new.names, &new.ends, j - 1), new_values.next())
            } else {
                i += 1;
                (name_at(&old.names, &old.ends, i - 1), old_values.next())
            };
            if let Some(value) = value {
                self.push_last(name, value);
            }
        }
    }
}

impl<V: fmt::Debug> fmt::Debug for NameMap<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<V: Serialize> Serialize for NameMap<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for NameMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for Entries<V> {
            type Value = NameMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<NameMap<V>, A::Error> {
                let hint = access.size_hint().unwrap_or(0).min(4096);
                let (mut names, mut ends) = (String::new(), Vec::with_capacity(hint));
                let mut values = Vec::with_capacity(hint);
                while let Some((name, value)) = access.next_entry::<MemberName<'de>, V>()? {
                    names.push_str(name.as_str());
                    ends.push(names.len());
                    values.push(value);
                }
                Ok(NameMap::from_parts(names, ends, values))
            }
        }
        d.deserialize_map(Entries(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn both(pairs: &[(&str, u32)]) -> (NameMap<u32>, BTreeMap<String, u32>) {
        let map: NameMap<u32> = pairs.iter().map(|&(k, v)| (k, v)).collect();
        let reference: BTreeMap<String, u32> =
            pairs.iter().map(|&(k, v)| (k.to_owned(), v)).collect();
        (map, reference)
    }

    fn same(map: &NameMap<u32>, reference: &BTreeMap<String, u32>) {
        let got: Vec<(&str, u32)> = map.iter().map(|(k, &v)| (k, v)).collect();
        let want: Vec<(&str, u32)> = reference.iter().map(|(k, &v)| (k.as_str(), v)).collect();
        assert_eq!(got, want);
        assert_eq!(map.len(), reference.len());
        assert_eq!(map.iter().rev().count(), reference.len());
        for (k, v) in reference {
            assert_eq!(map.get(k), Some(v));
        }
    }

    #[test]
    fn bulk_build_sorts_by_code_point_and_keeps_the_last_of_a_repeated_name() {
        let pairs = [
            ("b", 1),
            ("a", 2),
            ("é", 3),
            ("z", 4),
            ("a", 5),
            ("", 6),
            ("ab", 7),
            ("b", 8),
        ];
        let (map, reference) = both(&pairs);
        same(&map, &reference);
        assert_eq!(map.get("a"), Some(&5));
        assert_eq!(map.get("b"), Some(&8));
        assert_eq!(map.get("c"), None);
    }

    #[test]
    fn inserts_and_removals_anywhere_keep_it_sorted() {
        let mut map = NameMap::new();
        let mut reference = BTreeMap::new();
        // A fixed pseudo-random sequence of names, some repeated.
        let mut x: u32 = 7;
        for step in 0..2000u32 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let name = format!("n{}", (x >> 8) % 300);
            if step % 3 == 2 {
                assert_eq!(map.remove(&name), reference.remove(&name), "{name}");
            } else {
                assert_eq!(
                    map.insert(&name, step),
                    reference.insert(name.clone(), step)
                );
            }
        }
        same(&map, &reference);
        for (name, v) in map.iter_mut() {
            *v += name.len() as u32;
        }
        for (name, v) in reference.iter_mut() {
            *v += name.len() as u32;
        }
        same(&map, &reference);
        map.retain(|name, _| !name.ends_with('7'));
        reference.retain(|name, _| !name.ends_with('7'));
        same(&map, &reference);
    }

    #[test]
    fn extend_merges_and_the_new_entry_wins() {
        let (mut map, mut reference) = both(&[("b", 1), ("d", 2), ("f", 3)]);
        let more = [("a", 10), ("d", 20), ("g", 30), ("a", 40)];
        map.extend(more.iter().map(|&(k, v)| (k, v)));
        reference.extend(more.iter().map(|&(k, v)| (k.to_owned(), v)));
        same(&map, &reference);
        let owned: Vec<(String, u32)> = map.clone().into_iter().collect();
        assert_eq!(owned, reference.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn json_round_trip_matches_a_btreemap() {
        let text = r#"{"z": 1, "a\u00e9": 2, "a": 3, "z": 4}"#;
        let map: NameMap<u32> = serde_json::from_str(text).unwrap();
        let reference: BTreeMap<String, u32> = serde_json::from_str(text).unwrap();
        same(&map, &reference);
        assert_eq!(
            serde_json::to_string(&map).unwrap(),
            serde_json::to_string(&reference).unwrap()
        );
        assert_eq!(format!("{map:?}"), format!("{reference:?}"));
        assert!(serde_json::from_str::<NameMap<u32>>(r#"{"a": "x"}"#).is_err());
        assert!(serde_json::from_str::<NameMap<u32>>("[]").is_err());
    }

    #[test]
    fn equal_maps_are_equal_whatever_the_order_they_were_built_in() {
        let (a, _) = both(&[("x", 1), ("y", 2)]);
        let mut b = NameMap::new();
        b.insert("y", 2);
        b.insert("x", 1);
        assert_eq!(a, b);
        b.insert("x", 3);
        assert_ne!(a, b);
    }
}
