//! Builders for `Map`s and `Set`s (their ordered hash tables) and the global object (its
//! `GlobalDictionary` of `PropertyCell`s).

use super::objects::ObjectMap;
use super::tables::{self, v8};
use super::{len_smi, obj, smi, SynthHeap};
use crate::v8::map::Tagged;

/// One entry of a `Map`'s or `Set`'s table, or of the global object's dictionary.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Entry {
    /// A live entry: key and value (sets: the value is not stored).
    Live(Tagged, Tagged),
    /// A deleted entry (key the hole).
    Deleted,
}

impl SynthHeap {
    /// A `JSMap` whose `OrderedHashMap` holds these entries in insertion order.
    pub fn js_map(&mut self, entries: &[Entry]) -> u64 {
        self.collection(tables::JS_MAP, tables::ORDERED_HASH_MAP, 3, entries)
    }

    /// A `JSSet` whose `OrderedHashSet` holds these keys (values are ignored).
    pub fn js_set(&mut self, entries: &[Entry]) -> u64 {
        self.collection(tables::JS_SET, tables::ORDERED_HASH_SET, 2, entries)
    }

    /// An ordered hash table: element count, deleted count, bucket count, the buckets, then
    /// `capacity` entries (key, value when a map, chain), capacity twice the buckets (at least 4).
    fn collection(&mut self, itype: u16, table_type: u16, entry: usize, entries: &[Entry]) -> u64 {
        let n = entries.len().min(1 << 20);
        let capacity = n.max(4).next_power_of_two();
        let buckets = capacity / 2;
        let (undefined, hole) = (obj(self.roots.undefined), obj(self.roots.the_hole));
        let mut values = vec![undefined; 3 + buckets + capacity * entry];
        let live = entries
            .iter()
            .filter(|e| matches!(e, Entry::Live(..)))
            .count();
        values[0] = len_smi(live as u64);
        values[1] = len_smi((n - live) as u64);
        values[2] = len_smi(buckets as u64);
        // Every bucket starts its chain at the first entry that hashes to it; the builder puts
        // each entry in bucket (index mod buckets) and chains nothing (-1: kNotFound).
        for b in 0..buckets {
            values[3 + b] = if b < n { smi(b as i32) } else { smi(-1) };
        }
        for (i, e) in entries.iter().take(n).enumerate() {
            let at = 3 + buckets + i * entry;
            let (k, v) = match *e {
                Entry::Live(k, v) => (k, v),
                Entry::Deleted => (hole, hole),
            };
            values[at] = k;
            if entry == 3 {
                values[at + 1] = v;
            }
            values[at + entry - 1] = smi(-1);
        }
        let table = self.array_of_type(table_type, &values);
        let a = self.js_special(itype, v8::JS_COLLECTION_HEADER_WORDS, &[], None, None);
        self.put_tagged(a + v8::JS_COLLECTION_TABLE, obj(table));
        a
    }

    /// A `PropertyCell` holding a property of the global object.
    pub fn property_cell(&mut self, name: u64, value: Tagged, accessor: bool) -> u64 {
        let map = self.std_map(tables::PROPERTY_CELL, v8::PROPERTY_CELL_SIZE);
        let a = self.alloc(u64::from(v8::PROPERTY_CELL_SIZE), tables::PROPERTY_CELL);
        let details = if accessor { v8::DETAILS_ACCESSOR } else { 0 };
        self.put_tagged(a, obj(map));
        self.put_tagged(a + v8::PROPERTY_CELL_NAME, obj(name));
        self.put_tagged(a + v8::PROPERTY_CELL_DETAILS, smi(details as i32));
        self.put_tagged(a + v8::PROPERTY_CELL_VALUE, value);
        self.put_tagged(
            a + v8::PROPERTY_CELL_DEPENDENT_CODE,
            obj(self.roots.empty_fixed_array),
        );
        a
    }

    /// A `JSGlobalObject` (dictionary mode): its properties are `PropertyCell`s in a
    /// `GlobalDictionary`, in this order (keys are names' addresses; values of accessor entries
    /// are `AccessorPair`s).
    pub fn global_object(&mut self, entries: &[(u64, Entry, bool)]) -> u64 {
        let n = entries.len().min(1 << 20);
        let capacity = n.max(4).next_power_of_two();
        let first = (v8::HASH_TABLE_PREFIX + v8::GLOBAL_DICTIONARY_PREFIX) as usize;
        let (undefined, hole) = (obj(self.roots.undefined), obj(self.roots.the_hole));
        let mut values = vec![undefined; first + capacity];
        let live = entries
            .iter()
            .filter(|e| matches!(e.1, Entry::Live(..)))
            .count();
        values[0] = len_smi(live as u64);
        values[1] = len_smi((n - live) as u64);
        values[2] = len_smi(capacity as u64);
        values[3] = len_smi(live as u64 + 1); // next enumeration index
        values[4] = smi(0); // object hash
        for (i, &(name, e, accessor)) in entries.iter().take(n).enumerate() {
            values[first + i] = match e {
                Entry::Live(_, v) => obj(self.property_cell(name, v, accessor)),
                Entry::Deleted => hole,
            };
        }
        let dict = self.array_of_type(tables::GLOBAL_DICTIONARY, &values);
        let map = self.object_map(&ObjectMap {
            instance_type: tables::JS_GLOBAL_OBJECT,
            header_words: v8::JS_GLOBAL_OBJECT_HEADER_WORDS,
            dictionary: true,
            ..ObjectMap::js_object(Vec::new(), 0)
        });
        let a = self.js_object(map, &[]);
        self.put_tagged(a + v8::JS_PROPERTIES, obj(dict));
        a
    }
}
