//! V8's `JSMap` and `JSSet`: entries of their ordered hash tables, in insertion order.

use super::map::Tagged;
use super::model::Reader;
use crate::memory::Memory;

impl<M: Memory> Reader<'_, '_, M> {
    /// Entries of a `Map` or `Set` (its `OrderedHashMap`/`OrderedHashSet` table): key, and value
    /// for maps. At most `limit`.
    pub fn collection_entries(
        &self,
        obj: u64,
        limit: usize,
    ) -> (Vec<(Tagged, Option<Tagged>)>, u64) {
        let mut out = Vec::new();
        // JSCollection: map, properties, elements, table.
        let Some(table) = self.ptr(obj, self.off.collection_table) else {
            return (out, 0);
        };
        let is_map = self
            .type_of(obj)
            .and_then(|t| self.v8.types.name(t))
            .is_some_and(|n| n == "JSMap");
        let entry = if is_map { 3 } else { 2 };
        let slot = |i: u64| 16 + 8 * i;
        let (Some(elements), Some(deleted), Some(buckets)) = (
            self.smi(table, slot(0)),
            self.smi(table, slot(1)),
            self.smi(table, slot(2)),
        ) else {
            return (out, 0);
        };
        let used = (elements.max(0) + deleted.max(0)) as u64;
        let start = 3 + buckets.max(0) as u64;
        for i in 0..used.min(1 << 24) {
            let k = slot(start + i * entry);
            let Some(key) = self.field(table, k) else {
                break;
            };
            if self.is_hole(key) {
                continue; // deleted
            }
            let value = if is_map {
                self.field(table, k + 8)
            } else {
                None
            };
            out.push((key, value));
            if out.len() >= limit {
                break;
            }
        }
        (out, elements.max(0) as u64)
    }
}
