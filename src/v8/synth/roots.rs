//! The read-only page's contents: the meta map, the maps of V8's internal classes, the
//! oddballs, the empty arrays and `Symbol.toStringTag`, made once by [`SynthHeap::new`].

use super::objects::MapSpec;
use super::tables::{self, v8};
use super::{obj, smi, SynthHeap};

/// Maps the read-only page holds: (instance type, instance size; 0 = variable).
const READ_ONLY_MAPS: &[(u16, u32)] = &[
    (tables::INTERNALIZED_TWO_BYTE, 0),
    (tables::INTERNALIZED_ONE_BYTE, 0),
    (tables::EXTERNAL_INTERNALIZED_TWO_BYTE, v8::EXTERNAL_SIZE),
    (tables::EXTERNAL_INTERNALIZED_ONE_BYTE, v8::EXTERNAL_SIZE),
    (tables::SEQ_TWO_BYTE, 0),
    (tables::CONS_TWO_BYTE, v8::CONS_SIZE),
    (tables::EXTERNAL_TWO_BYTE, v8::EXTERNAL_SIZE),
    (
        tables::EXTERNAL_TWO_BYTE | tables::UNCACHED_EXTERNAL_BIT,
        v8::UNCACHED_EXTERNAL_SIZE,
    ),
    (tables::SLICED_TWO_BYTE, v8::SLICED_SIZE),
    (tables::THIN, v8::THIN_SIZE),
    (tables::SEQ_ONE_BYTE, 0),
    (tables::CONS_ONE_BYTE, v8::CONS_SIZE),
    (tables::EXTERNAL_ONE_BYTE, v8::EXTERNAL_SIZE),
    (
        tables::EXTERNAL_ONE_BYTE | tables::UNCACHED_EXTERNAL_BIT,
        v8::UNCACHED_EXTERNAL_SIZE,
    ),
    (tables::SLICED_ONE_BYTE, v8::SLICED_SIZE),
    (tables::SYMBOL, v8::SYMBOL_SIZE),
    (tables::BIGINT, 0),
    (tables::HEAP_NUMBER, v8::HEAP_NUMBER_SIZE),
    (tables::ODDBALL, v8::ODDBALL_SIZE),
    (tables::ACCESSOR_PAIR, v8::ACCESSOR_PAIR_SIZE),
    (tables::SCRIPT, v8::SCRIPT_SIZE),
    (tables::FIXED_ARRAY, 0),
    (tables::GLOBAL_DICTIONARY, 0),
    (tables::NAME_DICTIONARY, 0),
    (tables::NAME_TO_INDEX_HASH_TABLE, 0),
    (tables::NUMBER_DICTIONARY, 0),
    (tables::ORDERED_HASH_MAP, 0),
    (tables::ORDERED_HASH_SET, 0),
    (tables::BYTE_ARRAY, 0),
    (tables::FIXED_DOUBLE_ARRAY, 0),
    (tables::FUNCTION_CONTEXT, 0),
    (tables::NATIVE_CONTEXT, 0),
    (tables::DESCRIPTOR_ARRAY, 0),
    (tables::FILLER, 8),
    (tables::FILLER, 16),
    (tables::FREE_SPACE, 0),
    (tables::PROPERTY_ARRAY, 0),
    (tables::PROPERTY_CELL, v8::PROPERTY_CELL_SIZE),
    (tables::SCOPE_INFO, 0),
    (tables::SHARED_FUNCTION_INFO, v8::SFI_SIZE),
    (tables::WEAK_ARRAY_LIST, 0),
];

impl SynthHeap {
    pub(super) fn read_only_roots(&mut self) {
        // The meta map: its own map.
        let meta = self.alloc(u64::from(v8::MAP_SIZE), tables::MAP);
        self.roots.meta_map = meta;
        self.write_map(meta, &MapSpec::new(tables::MAP, v8::MAP_SIZE));
        for &(t, size) in READ_ONLY_MAPS {
            let m = self.map(&MapSpec::new(t, size));
            self.maps.insert((t, size), m);
        }
        self.roots.free_space_map = self.maps[&(tables::FREE_SPACE, 0)];
        self.roots.one_pointer_filler_map = self.maps[&(tables::FILLER, 8)];
        self.roots.two_pointer_filler_map = self.maps[&(tables::FILLER, 16)];
        self.roots.empty_string = self.internalized("");
        self.roots.nan = self.heap_number(f64::NAN);
        let oddballs = [
            ("undefined", "undefined", v8::KIND_UNDEFINED),
            ("null", "object", v8::KIND_NULL),
            ("true", "boolean", v8::KIND_TRUE),
            ("false", "boolean", v8::KIND_FALSE),
            ("hole", "undefined", v8::KIND_THE_HOLE),
        ];
        let mut made = [0u64; 5];
        for (i, (text, type_of, kind)) in oddballs.into_iter().enumerate() {
            made[i] = self.oddball(text, type_of, kind);
        }
        [
            self.roots.undefined,
            self.roots.null,
            self.roots.true_value,
            self.roots.false_value,
            self.roots.the_hole,
        ] = made;
        self.roots.empty_fixed_array = self.fixed_array(&[]);
        self.roots.empty_descriptor_array = self.descriptor_array(&[]);
        let description = self.internalized("Symbol.toStringTag");
        self.roots.to_string_tag = self.symbol(Some(description));
        // Now that null and the empty arrays exist, point every map at them.
        let maps: Vec<u64> = std::iter::once(meta)
            .chain(self.maps.values().copied())
            .collect();
        for m in maps {
            self.put_tagged(m + v8::MAP_PROTOTYPE, obj(self.roots.null));
            self.put_tagged(m + v8::MAP_CONSTRUCTOR, obj(self.roots.null));
            self.put_tagged(
                m + v8::MAP_DESCRIPTORS,
                obj(self.roots.empty_descriptor_array),
            );
            self.put_tagged(
                m + v8::MAP_DEPENDENT_CODE,
                obj(self.roots.empty_fixed_array),
            );
        }
        let p = self.current;
        self.cap_page(p);
    }

    fn oddball(&mut self, text: &str, type_of: &str, kind: i32) -> u64 {
        let to_string = self.internalized(text);
        let type_of = self.internalized(type_of);
        let map = self.std_map(tables::ODDBALL, v8::ODDBALL_SIZE);
        let a = self.alloc(u64::from(v8::ODDBALL_SIZE), tables::ODDBALL);
        let (number, raw) = match kind {
            v8::KIND_TRUE => (smi(1), 1.0),
            v8::KIND_FALSE | v8::KIND_NULL => (smi(0), 0.0),
            _ => (obj(self.roots.nan), f64::NAN),
        };
        self.put_tagged(a, obj(map));
        self.put_u64(a + v8::ODDBALL_TO_NUMBER_RAW, raw.to_bits());
        self.put_tagged(a + v8::ODDBALL_TO_STRING, obj(to_string));
        self.put_tagged(a + v8::ODDBALL_TO_NUMBER, number);
        self.put_tagged(a + v8::ODDBALL_TYPE_OF, obj(type_of));
        self.put_tagged(a + v8::ODDBALL_KIND, smi(kind));
        a
    }

    /// The map of an internal class (instance type, instance size in bytes; 0 = variable): the
    /// read-only one when there is one, else one made (once) in old space.
    pub fn std_map(&mut self, instance_type: u16, instance_size: u32) -> u64 {
        if let Some(&m) = self.maps.get(&(instance_type, instance_size)) {
            return m;
        }
        let spec = self.map_spec(instance_type, instance_size);
        let m = self.map(&spec);
        self.maps.insert((instance_type, instance_size), m);
        m
    }
}
