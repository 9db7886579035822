//! Builders for maps, strings, numbers, arrays, JS objects (fast and dictionary mode) and other
//! data objects of the synthetic heap.

use super::tables::{self, v8};
use super::{len_smi, obj, smi, SynthHeap, MAX_ARRAY_LENGTH};
use crate::v8::map::Tagged;

/// Every field of a map the builder writes (see [`SynthHeap::map`]).
#[derive(Clone, Copy, Debug)]
pub struct MapSpec {
    pub instance_type: u16,
    /// Bytes; 0 for variable-sized objects.
    pub instance_size: u32,
    /// Words before the first in-object property.
    pub inobject_start: u8,
    pub bit_field: u8,
    pub bit_field2: u8,
    pub bit_field3: u32,
    pub prototype: Tagged,
    /// The constructor, or the map this one transitioned from (a back pointer).
    pub constructor: Tagged,
    pub descriptors: Tagged,
}

impl MapSpec {
    /// A map of `instance_type` and `instance_size` with no prototype, constructor or
    /// descriptors (Smi 0 in those fields).
    pub fn new(instance_type: u16, instance_size: u32) -> MapSpec {
        MapSpec {
            instance_type,
            instance_size,
            inobject_start: (instance_size / 8).min(255) as u8,
            bit_field: 0,
            bit_field2: 0,
            bit_field3: v8::BF3_OWNS_DESCRIPTORS,
            prototype: smi(0),
            constructor: smi(0),
            descriptors: smi(0),
        }
    }
}

/// How a named property of a fast-mode map is stored.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PropKind {
    /// A data field (in the object, or in its property array past the in-object slots).
    Field,
    /// A data field with double representation: its value is a `HeapNumber` box.
    DoubleField,
    /// A data property whose value is in the descriptor (methods of prototypes, constants).
    Constant(Tagged),
    /// An accessor property: an `AccessorPair` (or `AccessorInfo`) in the descriptor.
    Accessor(u64),
}

/// The map of a JS object (see [`SynthHeap::object_map`]).
#[derive(Clone, Debug)]
pub struct ObjectMap {
    pub instance_type: u16,
    /// Words before the in-object properties (3 for `JSObject`: map, properties, elements).
    pub header_words: u8,
    /// In-object property slots.
    pub inobject: u8,
    /// Own descriptors, in order: key (a name's or symbol's address) and storage.
    pub props: Vec<(u64, PropKind)>,
    /// The prototype object; `None` for null.
    pub prototype: Option<u64>,
    /// The constructor function, or the map this one came from; `None` for null.
    pub constructor: Option<u64>,
    pub elements_kind: u8,
    /// `Map::new_target_is_base` (objects made with `new.target` = the constructor).
    pub new_target_is_base: bool,
    /// The map of a prototype object.
    pub prototype_map: bool,
    /// A dictionary-mode map (properties in a `NameDictionary`, no descriptors).
    pub dictionary: bool,
}

impl ObjectMap {
    /// A `JSObject` map with these properties, the first `inobject` fields in the object.
    pub fn js_object(props: Vec<(u64, PropKind)>, inobject: u8) -> ObjectMap {
        ObjectMap {
            instance_type: tables::JS_OBJECT,
            header_words: v8::JS_OBJECT_HEADER_WORDS,
            inobject,
            props,
            prototype: None,
            constructor: None,
            elements_kind: v8::HOLEY_ELEMENTS,
            new_target_is_base: true,
            prototype_map: false,
            dictionary: false,
        }
    }
}

/// One entry of a `NameDictionary` (see [`SynthHeap::name_dictionary`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DictSlot {
    /// Never used (key undefined).
    Empty,
    /// Deleted (key the hole).
    Deleted,
    /// A data property.
    Data(u64, Tagged),
    /// An accessor property (an `AccessorPair`).
    Accessor(u64, u64),
}

/// V8's fast elements kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElementsKind {
    PackedSmi = 0,
    HoleySmi = 1,
    Packed = 2,
    Holey = 3,
    PackedDouble = 4,
    HoleyDouble = 5,
}

impl ElementsKind {
    /// V8's name of the kind.
    pub fn name(self) -> &'static str {
        match self {
            ElementsKind::PackedSmi => "PACKED_SMI_ELEMENTS",
            ElementsKind::HoleySmi => "HOLEY_SMI_ELEMENTS",
            ElementsKind::Packed => "PACKED_ELEMENTS",
            ElementsKind::Holey => "HOLEY_ELEMENTS",
            ElementsKind::PackedDouble => "PACKED_DOUBLE_ELEMENTS",
            ElementsKind::HoleyDouble => "HOLEY_DOUBLE_ELEMENTS",
        }
    }

    fn double(self) -> bool {
        matches!(self, ElementsKind::PackedDouble | ElementsKind::HoleyDouble)
    }
}

/// One element of a fast array.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Elem {
    /// A tagged value (in double arrays a Smi is stored as its number, anything else as NaN).
    Value(Tagged),
    /// A number (boxed in a `HeapNumber` in tagged arrays).
    Double(f64),
    /// The hole.
    Hole,
}

impl SynthHeap {
    /// A map spec of an internal class, with null prototype and constructor and the empty
    /// descriptor array.
    pub fn map_spec(&self, instance_type: u16, instance_size: u32) -> MapSpec {
        MapSpec {
            prototype: obj(self.roots.null),
            constructor: obj(self.roots.null),
            descriptors: obj(self.roots.empty_descriptor_array),
            ..MapSpec::new(instance_type, instance_size)
        }
    }

    /// A map with exactly these fields.
    pub fn map(&mut self, spec: &MapSpec) -> u64 {
        let a = self.alloc(u64::from(v8::MAP_SIZE), tables::MAP);
        self.write_map(a, spec);
        a
    }

    pub(super) fn write_map(&mut self, a: u64, m: &MapSpec) {
        let words = (m.instance_size / 8).min(255) as u8;
        self.put_tagged(a, obj(self.roots.meta_map));
        self.put_u8(a + v8::MAP_INSTANCE_SIZE_IN_WORDS, words);
        self.put_u8(a + v8::MAP_INOBJECT_START, m.inobject_start);
        self.put_u8(a + v8::MAP_USED_OR_UNUSED, words);
        self.put_u16(a + v8::MAP_INSTANCE_TYPE, m.instance_type);
        self.put_u8(a + v8::MAP_BIT_FIELD, m.bit_field);
        self.put_u8(a + v8::MAP_BIT_FIELD2, m.bit_field2);
        self.put_u32(a + v8::MAP_BIT_FIELD3, m.bit_field3);
        self.put_tagged(a + v8::MAP_PROTOTYPE, m.prototype);
        self.put_tagged(a + v8::MAP_CONSTRUCTOR, m.constructor);
        self.put_tagged(a + v8::MAP_DESCRIPTORS, m.descriptors);
        let dependent = match self.roots.empty_fixed_array {
            0 => smi(0),
            e => obj(e),
        };
        self.put_tagged(a + v8::MAP_DEPENDENT_CODE, dependent);
        self.put_tagged(a + v8::MAP_VALIDITY_CELL, smi(0));
        self.put_tagged(a + v8::MAP_TRANSITIONS, smi(0));
    }

    /// The map of JS objects described by `m`: its descriptor array (keys, property details,
    /// values) and the map. Fields are numbered in order of the `Field`/`DoubleField` entries.
    pub fn object_map(&mut self, m: &ObjectMap) -> u64 {
        let header = m.header_words;
        let inobject = m.inobject.min(255 - header);
        let mut bf3 = v8::BF3_OWNS_DESCRIPTORS | v8::BF3_IS_EXTENSIBLE;
        if m.prototype_map {
            bf3 |= v8::BF3_IS_PROTOTYPE_MAP;
        }
        let descriptors = if m.dictionary {
            bf3 |= v8::BF3_IS_DICTIONARY_MAP;
            self.roots.empty_descriptor_array
        } else {
            let own = m.props.len().min(1023) as u32;
            bf3 |= own << v8::BF3_OWN_DESCRIPTORS_SHIFT;
            let mut field = 0u32;
            let entries: Vec<(u64, u32, Tagged)> = m
                .props
                .iter()
                .take(1023)
                .enumerate()
                .map(|(i, &(key, kind))| {
                    let pointer = (i as u32) << v8::DETAILS_POINTER_SHIFT;
                    let rep = |r: u32| r << v8::DETAILS_REPRESENTATION_SHIFT;
                    match kind {
                        PropKind::Field | PropKind::DoubleField => {
                            let r = if kind == PropKind::Field {
                                v8::REPRESENTATION_TAGGED
                            } else {
                                v8::REPRESENTATION_DOUBLE
                            };
                            let d = rep(r) | pointer | (field << v8::DETAILS_FIELD_INDEX_SHIFT);
                            field += 1;
                            (key, d, obj(self.roots.undefined))
                        }
                        PropKind::Constant(v) => {
                            let d = v8::DETAILS_LOCATION_DESCRIPTOR
                                | rep(v8::REPRESENTATION_HEAP_OBJECT)
                                | pointer;
                            (key, d, v)
                        }
                        PropKind::Accessor(pair) => {
                            let d = v8::DETAILS_ACCESSOR
                                | v8::DETAILS_LOCATION_DESCRIPTOR
                                | rep(v8::REPRESENTATION_TAGGED)
                                | pointer;
                            (key, d, obj(pair))
                        }
                    }
                })
                .collect();
            self.descriptor_array(&entries)
        };
        let mut bit_field2 = m.elements_kind << v8::BF2_ELEMENTS_KIND_SHIFT;
        if m.new_target_is_base {
            bit_field2 |= v8::BF2_NEW_TARGET_IS_BASE;
        }
        let or_null = |v: Option<u64>| obj(v.unwrap_or(self.roots.null));
        let spec = MapSpec {
            instance_type: m.instance_type,
            instance_size: 8 * (u32::from(header) + u32::from(inobject)),
            inobject_start: header,
            bit_field: 0,
            bit_field2,
            bit_field3: bf3,
            prototype: or_null(m.prototype),
            constructor: or_null(m.constructor),
            descriptors: obj(descriptors),
        };
        self.map(&spec)
    }

    /// A `DescriptorArray` of (key, property details, value) entries.
    pub fn descriptor_array(&mut self, entries: &[(u64, u32, Tagged)]) -> u64 {
        let n = entries.len().min(u16::MAX as usize);
        let size = v8::DESCRIPTORS_HEADER + 24 * n as u64;
        let map = self.std_map(tables::DESCRIPTOR_ARRAY, 0);
        let a = self.alloc(size, tables::DESCRIPTOR_ARRAY);
        self.put_tagged(a, obj(map));
        self.put_u16(a + v8::DESCRIPTORS_ALL, n as u16);
        self.put_u16(a + v8::DESCRIPTORS_OWN, n as u16);
        let cache = match self.roots.empty_fixed_array {
            0 => smi(0),
            e => obj(e),
        };
        self.put_tagged(a + v8::DESCRIPTORS_ENUM_CACHE, cache);
        for (i, &(key, details, value)) in entries.iter().take(n).enumerate() {
            let e = a + v8::DESCRIPTORS_HEADER + 24 * i as u64;
            self.put_tagged(e, obj(key));
            self.put_tagged(e + 8, smi(details as i32));
            self.put_tagged(e + 16, value);
        }
        a
    }

    /// A fast-mode JS object with map `map` (from [`SynthHeap::object_map`]): `fields` fill the
    /// in-object slots first, the rest go to a `PropertyArray`. Unused in-object slots hold
    /// undefined.
    pub fn js_object(&mut self, map: u64, fields: &[Tagged]) -> u64 {
        let words = u64::from(self.peek_u8(map + v8::MAP_INSTANCE_SIZE_IN_WORDS));
        let start = u64::from(self.peek_u8(map + v8::MAP_INOBJECT_START));
        let itype = self.peek_u16(map + v8::MAP_INSTANCE_TYPE).unwrap_or(0);
        let inobject = words.saturating_sub(start) as usize;
        let outside = fields.get(inobject..).unwrap_or(&[]);
        let properties = if outside.is_empty() {
            self.roots.empty_fixed_array
        } else {
            self.property_array(outside, 0)
        };
        let a = self.alloc((8 * words).max(24), itype);
        self.put_tagged(a, obj(map));
        self.put_tagged(a + v8::JS_PROPERTIES, obj(properties));
        self.put_tagged(a + v8::JS_ELEMENTS, obj(self.roots.empty_fixed_array));
        for i in 0..inobject {
            let v = fields.get(i).copied().unwrap_or(obj(self.roots.undefined));
            self.put_tagged(a + 8 * (start + i as u64), v);
        }
        a
    }

    /// A `JSObject` whose properties are these names and values, as data fields: the first 200
    /// in the object, the rest in its property array.
    pub fn plain_object(&mut self, props: &[(&str, Tagged)]) -> u64 {
        let keys: Vec<(u64, PropKind)> = props
            .iter()
            .map(|(k, _)| (self.internalized(k), PropKind::Field))
            .collect();
        let n = props.len().min(200) as u8;
        let map = self.object_map(&ObjectMap::js_object(keys, n));
        let values: Vec<Tagged> = props.iter().map(|&(_, v)| v).collect();
        self.js_object(map, &values)
    }

    /// Set the elements backing store of a JS object.
    pub fn set_elements(&mut self, object: u64, store: u64) {
        self.put_tagged(object + v8::JS_ELEMENTS, obj(store));
    }

    /// A `NameDictionary` holding `slots` in this order, followed by empty entries up to a
    /// power-of-two capacity (at least 4).
    pub fn name_dictionary(&mut self, slots: &[DictSlot]) -> u64 {
        let capacity = slots.len().max(4).next_power_of_two().min(1 << 20);
        let first = v8::HASH_TABLE_PREFIX + v8::NAME_DICTIONARY_PREFIX;
        let len = first + v8::DICTIONARY_ENTRY * capacity as u64;
        let (undefined, hole) = (obj(self.roots.undefined), obj(self.roots.the_hole));
        let used = slots
            .iter()
            .filter(|s| matches!(s, DictSlot::Data(..) | DictSlot::Accessor(..)))
            .count();
        let deleted = slots.iter().filter(|s| **s == DictSlot::Deleted).count();
        let mut values = vec![undefined; len as usize];
        values[0] = len_smi(used as u64);
        values[1] = len_smi(deleted as u64);
        values[2] = len_smi(capacity as u64);
        values[3] = len_smi(used as u64 + 1); // next enumeration index
        values[4] = smi(0); // object hash
        values[5] = smi(0); // flags
        let mut enumeration = 1u32;
        for (i, s) in slots.iter().take(capacity).enumerate() {
            let e = (first + v8::DICTIONARY_ENTRY * i as u64) as usize;
            let details = |accessor: u32| {
                smi((accessor | enumeration << v8::DETAILS_DICTIONARY_INDEX_SHIFT) as i32)
            };
            let entry = match *s {
                DictSlot::Empty => [undefined, undefined, undefined],
                DictSlot::Deleted => [hole, hole, smi(0)],
                DictSlot::Data(k, v) => [obj(k), v, details(0)],
                DictSlot::Accessor(k, pair) => [obj(k), obj(pair), details(v8::DETAILS_ACCESSOR)],
            };
            if matches!(s, DictSlot::Data(..) | DictSlot::Accessor(..)) {
                enumeration += 1;
            }
            values[e..e + 3].copy_from_slice(&entry);
        }
        self.array_of_type(tables::NAME_DICTIONARY, &values)
    }

    /// A dictionary-mode `JSObject` with these properties (see [`SynthHeap::name_dictionary`]).
    pub fn dictionary_object(
        &mut self,
        slots: &[DictSlot],
        prototype: Option<u64>,
        constructor: Option<u64>,
    ) -> u64 {
        let dict = self.name_dictionary(slots);
        let map = self.object_map(&ObjectMap {
            prototype,
            constructor,
            dictionary: true,
            ..ObjectMap::js_object(Vec::new(), 0)
        });
        let a = self.js_object(map, &[]);
        self.put_tagged(a + v8::JS_PROPERTIES, obj(dict));
        a
    }

    /// The `JSArray` map of an elements kind (made once).
    pub fn array_map(&mut self, kind: u8) -> u64 {
        if let Some(&m) = self.array_maps.get(&kind) {
            return m;
        }
        let m = self.object_map(&ObjectMap {
            instance_type: tables::JS_ARRAY,
            header_words: v8::JS_ARRAY_HEADER_WORDS,
            elements_kind: kind,
            ..ObjectMap::js_object(Vec::new(), 0)
        });
        self.array_maps.insert(kind, m);
        m
    }

    /// A `JSArray` of `elems` (length and capacity `elems.len()`).
    pub fn js_array(&mut self, kind: ElementsKind, elems: &[Elem]) -> u64 {
        self.js_array_with_capacity(kind, elems, elems.len())
    }

    /// A `JSArray` of `elems` whose backing store has room for `capacity` (holes past the
    /// length).
    pub fn js_array_with_capacity(
        &mut self,
        kind: ElementsKind,
        elems: &[Elem],
        capacity: usize,
    ) -> u64 {
        let capacity = capacity.max(elems.len()).min(MAX_ARRAY_LENGTH);
        let store = if capacity == 0 {
            self.roots.empty_fixed_array
        } else if kind.double() {
            let values: Vec<Option<f64>> = (0..capacity)
                .map(|i| match elems.get(i) {
                    Some(Elem::Double(d)) => Some(*d),
                    Some(Elem::Value(Tagged::Smi(v))) => Some(f64::from(*v)),
                    Some(Elem::Value(_)) => Some(f64::NAN),
                    Some(Elem::Hole) | None => None,
                })
                .collect();
            self.fixed_double_array(&values)
        } else {
            let hole = obj(self.roots.the_hole);
            let mut values = Vec::with_capacity(capacity);
            for i in 0..capacity {
                values.push(match elems.get(i) {
                    Some(Elem::Value(v)) => *v,
                    Some(Elem::Double(d)) => obj(self.heap_number(*d)),
                    Some(Elem::Hole) | None => hole,
                });
            }
            self.fixed_array(&values)
        };
        self.array_with_store(kind as u8, store, len_smi(elems.len() as u64))
    }

    /// A `JSArray` with dictionary elements: a `NumberDictionary` of (key, value) entries (keys
    /// are Smis, or `HeapNumber`s above the Smi range), and the given length.
    pub fn js_array_dictionary(&mut self, entries: &[(Tagged, Tagged)], length: u32) -> u64 {
        let capacity = entries.len().max(4).next_power_of_two().min(1 << 20);
        let first = v8::HASH_TABLE_PREFIX + v8::NUMBER_DICTIONARY_PREFIX;
        let len = first + v8::DICTIONARY_ENTRY * capacity as u64;
        let undefined = obj(self.roots.undefined);
        let mut values = vec![undefined; len as usize];
        let n = entries.len().min(capacity);
        values[0] = len_smi(n as u64);
        values[1] = smi(0);
        values[2] = len_smi(capacity as u64);
        // The max number key, shifted over the "requires slow elements" bit.
        let max_key = entries
            .iter()
            .filter_map(|(k, _)| match k {
                Tagged::Smi(v) => Some(*v),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        values[3] = smi(max_key.saturating_mul(2));
        for (i, &(k, v)) in entries.iter().take(n).enumerate() {
            let e = (first + v8::DICTIONARY_ENTRY * i as u64) as usize;
            let details = smi(((i as u32 + 1) << v8::DETAILS_DICTIONARY_INDEX_SHIFT) as i32);
            values[e..e + 3].copy_from_slice(&[k, v, details]);
        }
        let store = self.array_of_type(tables::NUMBER_DICTIONARY, &values);
        self.array_with_store(v8::DICTIONARY_ELEMENTS, store, smi(length as i32))
    }

    fn array_with_store(&mut self, kind: u8, store: u64, length: Tagged) -> u64 {
        let map = self.array_map(kind);
        let a = self.js_object(map, &[]);
        self.put_tagged(a + v8::JS_ELEMENTS, obj(store));
        self.put_tagged(a + v8::JS_ARRAY_LENGTH, length);
        a
    }

    /// A JS object of a class with extra header fields (`JSDate`, `JSPrimitiveWrapper`...):
    /// map, properties, elements, then `fields`, in an object of `header_words` words.
    pub fn js_special(
        &mut self,
        instance_type: u16,
        header_words: u8,
        fields: &[Tagged],
        prototype: Option<u64>,
        constructor: Option<u64>,
    ) -> u64 {
        let map = self.object_map(&ObjectMap {
            instance_type,
            header_words,
            prototype,
            constructor,
            ..ObjectMap::js_object(Vec::new(), 0)
        });
        let a = self.js_object(map, &[]);
        for (i, &v) in fields
            .iter()
            .take(usize::from(header_words).saturating_sub(3))
            .enumerate()
        {
            self.put_tagged(a + v8::JS_OBJECT_HEADER_WORDS as u64 * 8 + 8 * i as u64, v);
        }
        a
    }

    /// A `JSDate` with this time value (a Smi or a `HeapNumber`) and undefined cached fields.
    pub fn js_date(&mut self, value: Tagged) -> u64 {
        let undefined = obj(self.roots.undefined);
        let mut fields = vec![undefined; usize::from(v8::JS_DATE_HEADER_WORDS) - 3];
        fields[0] = value;
        let a = self.js_special(
            tables::JS_DATE,
            v8::JS_DATE_HEADER_WORDS,
            &fields,
            None,
            None,
        );
        debug_assert_eq!(
            self.peek_u64(a + v8::JS_DATE_VALUE),
            Some(super::word(value))
        );
        a
    }

    /// A `JSPrimitiveWrapper` (`new String("x")`, `new Number(1)`...) of `value`.
    pub fn primitive_wrapper(&mut self, value: Tagged) -> u64 {
        let a = self.js_special(
            tables::JS_PRIMITIVE_WRAPPER,
            v8::JS_PRIMITIVE_WRAPPER_HEADER_WORDS,
            &[value],
            None,
            None,
        );
        debug_assert_eq!(
            self.peek_u64(a + v8::JS_PRIMITIVE_WRAPPER_VALUE),
            Some(super::word(value))
        );
        a
    }

    /// An `AccessorPair`.
    pub fn accessor_pair(&mut self, getter: Tagged, setter: Tagged) -> u64 {
        let map = self.std_map(tables::ACCESSOR_PAIR, v8::ACCESSOR_PAIR_SIZE);
        let a = self.alloc(u64::from(v8::ACCESSOR_PAIR_SIZE), tables::ACCESSOR_PAIR);
        self.put_tagged(a, obj(map));
        self.put_tagged(a + v8::ACCESSOR_PAIR_GETTER, getter);
        self.put_tagged(a + v8::ACCESSOR_PAIR_SETTER, setter);
        a
    }

    /// A map of an internal class made afresh (not the shared one of [`SynthHeap::std_map`]),
    /// with null prototype and constructor: for objects of classes the other builders do not
    /// make, or of unknown instance types.
    pub fn custom_map(&mut self, instance_type: u16, instance_size: u32) -> u64 {
        let spec = self.map_spec(instance_type, instance_size);
        self.map(&spec)
    }
}
