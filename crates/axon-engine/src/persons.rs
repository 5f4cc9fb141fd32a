//! Persons interned to dense ids, and identity links (anonymous → user, SPEC §2.1).
//!
//! Indexes store raw person ids; distinct-person questions map them to their canonical person
//! at query time, so a link that arrives later still merges earlier anonymous events.

use roaring::RoaringBitmap;
use rustc_hash::FxHashMap as HashMap;

#[derive(Default, Clone)]
pub struct Persons {
    ids: HashMap<Box<str>, u32>,
    /// names[raw] = the key it was interned from.
    names: Vec<Box<str>>,
    /// canon[raw] = the person `raw` counts as (itself unless linked).
    canon: Vec<u32>,
    /// Raw ids whose canonical person is another id.
    linked: RoaringBitmap,
    /// The raw ids linked to each user (the reverse of `canon`), so one person's records can be
    /// found again when a link merges them.
    aliases: HashMap<u32, Vec<u32>>,
}

impl Persons {
    /// The dense id of a person key (`u:…`, `a:…`, `s:…`), created on first sight.
    pub fn intern(&mut self, key: &str) -> u32 {
        if let Some(id) = self.ids.get(key) {
            return *id;
        }
        let id = u32::try_from(self.canon.len()).unwrap_or(u32::MAX);
        self.ids.insert(key.into(), id);
        self.names.push(key.into());
        self.canon.push(id);
        id
    }

    pub fn get(&self, key: &str) -> Option<u32> {
        self.ids.get(key).copied()
    }

    pub fn user(&mut self, user_id: &str) -> u32 {
        self.intern(&format!("u:{user_id}"))
    }

    /// Links an anonymous (or session) person to a user: it counts as that user from now on.
    /// Returns the person it counted as before (itself for a first link) when that changed.
    pub fn link(&mut self, from: u32, to_user: u32) -> Option<u32> {
        if from == to_user || self.canon[from as usize] == to_user {
            return None;
        }
        // A user is never linked onward, so one step always reaches the canonical person.
        let target = self.canon[to_user as usize];
        let old = self.canon[from as usize];
        self.canon[from as usize] = target;
        self.linked.insert(from);
        if old != from {
            if let Some(v) = self.aliases.get_mut(&old) {
                v.retain(|r| *r != from);
            }
        }
        self.aliases.entry(target).or_default().push(from);
        Some(old)
    }

    /// Every raw id that counts as canonical person `person` (itself and its linked ids).
    pub fn raws_of(&self, person: u32) -> RoaringBitmap {
        let mut out = RoaringBitmap::new();
        out.insert(person);
        if let Some(v) = self.aliases.get(&person) {
            out.extend(v.iter().copied());
        }
        out
    }

    pub fn canonical(&self, raw: u32) -> u32 {
        self.canon.get(raw as usize).copied().unwrap_or(raw)
    }

    /// The canonical persons of a set of raw ids.
    pub fn canonical_set(&self, raw: &RoaringBitmap) -> RoaringBitmap {
        if self.linked.is_empty() || raw.is_disjoint(&self.linked) {
            return raw.clone();
        }
        let moved = raw & &self.linked;
        let mut users: Vec<u32> = moved.iter().map(|r| self.canonical(r)).collect();
        users.sort_unstable();
        users.dedup();
        let mut out = raw - &moved;
        out |= RoaringBitmap::from_sorted_iter(users).unwrap_or_default();
        out
    }

    /// Distinct canonical persons in a set of raw ids.
    pub fn distinct(&self, raw: &RoaringBitmap) -> u64 {
        if self.linked.is_empty() || raw.is_disjoint(&self.linked) {
            return raw.len();
        }
        self.canonical_set(raw).len()
    }

    pub fn len(&self) -> usize {
        self.canon.len()
    }

    pub fn is_empty(&self) -> bool {
        self.canon.is_empty()
    }

    /// The key a raw id was interned from (`u:…`, `a:…`, `s:…`).
    pub fn name(&self, raw: u32) -> &str {
        self.names.get(raw as usize).map_or("", |n| n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linked_anonymous_persons_count_as_their_user() {
        let mut p = Persons::default();
        let a = p.intern("a:1");
        let u = p.user("7");
        let other = p.intern("a:2");
        let set: RoaringBitmap = [a, u, other].into_iter().collect();
        assert_eq!(p.distinct(&set), 3);
        assert_eq!(p.link(a, u), Some(a));
        assert_eq!(p.link(a, u), None);
        assert_eq!(p.distinct(&set), 2);
        assert_eq!(p.raws_of(u).iter().collect::<Vec<_>>(), vec![a, u]);
        let v = p.user("8");
        assert_eq!(p.link(a, v), Some(u));
        assert_eq!(p.raws_of(u).iter().collect::<Vec<_>>(), vec![u]);
        assert_eq!(p.raws_of(v).iter().collect::<Vec<_>>(), vec![a, v]);
        assert_eq!(p.link(a, u), Some(v));
        assert_eq!(p.canonical(a), u);
        let only_anon: RoaringBitmap = [a].into_iter().collect();
        assert_eq!(
            p.canonical_set(&only_anon).iter().collect::<Vec<_>>(),
            vec![u]
        );
        assert_eq!(p.intern("a:1"), a);
    }
}
