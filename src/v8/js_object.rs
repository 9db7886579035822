//! V8's `JSObject` and `JSReceiver`: named properties (fast and dictionary mode, descriptor
//! layouts), elements of every kind, `Date` values, and `GetConstructorName` as V8's heap
//! snapshot uses it.

use super::map::{MapInfo, Tagged};
use super::model::{Model, Reader};
use super::object::Kind;
use super::walk::MapCache;
use super::Runtime;
use crate::memory::Memory;

/// Prototype-chain steps followed at most.
const MAX_CHAIN: usize = 64;

/// Back-pointer steps followed at most from a map to its constructor.
const MAX_BACK_POINTERS: usize = 4096;

/// One entry of a property dictionary: its key (a name, or undefined / the hole when empty or
/// deleted), value and property details.
#[derive(Clone, Copy, Debug)]
pub struct DictEntry {
    pub key: Option<Tagged>,
    pub value: Option<Tagged>,
    pub details: u64,
}

/// `JSReceiver::class_name()` by instance type, for the fallback of `GetConstructorName`.
pub fn class_name(v8: &Runtime, t: u16) -> &'static str {
    let name = v8.types.name(t).unwrap_or("");
    match name {
        "JSArray" => "Array",
        "JSArrayBuffer" => "ArrayBuffer",
        "JSArrayIterator" => "Array Iterator",
        "JSDate" => "Date",
        "JSError" => "Error",
        "JSGeneratorObject" | "JSAsyncGeneratorObject" | "JSAsyncFunctionObject" => "Generator",
        "JSMap" => "Map",
        "JSMapKeyIterator" | "JSMapValueIterator" | "JSMapKeyValueIterator" => "Map Iterator",
        "JSRegExp" => "RegExp",
        "JSSet" => "Set",
        "JSSetKeyValueIterator" | "JSSetValueIterator" => "Set Iterator",
        "JSWeakMap" => "WeakMap",
        "JSWeakSet" => "WeakSet",
        "JSGlobalProxy" | "JSGlobalObject" => "global",
        "JSArgumentsObject" => "Arguments",
        n if n.ends_with("Constructor") || n == "JSFunction" || n == "JSBoundFunction" => {
            "Function"
        }
        _ => "Object",
    }
}

/// `kHoleNanInt64`: the hole in a `FixedDoubleArray`.
const HOLE_NAN: u64 = 0xfff7_ffff_fff7_ffff;

/// A named or indexed slot and its value.
#[derive(Clone, Debug)]
pub struct Slot {
    pub name: String,
    pub value: SlotValue,
    /// The property key's address (named properties), 0 otherwise.
    pub key: u64,
    /// A field with double representation (its value is a number box).
    pub double: bool,
    /// Byte offset of an in-object field in its object.
    pub in_object: Option<u64>,
}

/// A named property of fast-mode objects of one map (see [`Model::property_layout`]).
#[derive(Clone, Debug)]
pub struct LayoutSlot {
    /// The key's address.
    pub key: u64,
    /// A field with double representation.
    pub double: bool,
    pub place: Place,
}

/// Where a property's value is.
#[derive(Clone, Copy, Debug)]
pub enum Place {
    /// At this byte offset in the object.
    InObject(u64),
    /// At this byte offset in the object's property array.
    OutOfObject(u64),
    /// In the descriptor: the same for every object of the map.
    Value(SlotValue),
}

/// A value as stored: tagged, or a raw double (double arrays), or absent (a hole).
#[derive(Clone, Copy, Debug)]
pub enum SlotValue {
    Tagged(Tagged),
    Double(f64),
    Hole,
    /// An accessor pair (getter/setter) at this address.
    Accessor(u64),
}

/// The key of an element: an index, or a heap number (dictionary elements only).
#[derive(Clone, Copy, Debug)]
pub enum ElementKey {
    Index(i64),
    Number(Tagged),
}

/// Elements of a JS object.
#[derive(Clone, Debug, Default)]
pub struct Elements {
    /// V8's elements kind, e.g. `PACKED_SMI_ELEMENTS`.
    pub kind: String,
    /// `length` of arrays, else the backing store's capacity.
    pub length: u64,
    pub items: Vec<Slot>,
    pub more: bool,
}

/// Names of V8's elements kinds, in `ElementsKind` order (stable across 11.3–14.6 for the kinds
/// ordinary objects use).
const ELEMENTS_KINDS: &[&str] = &[
    "PACKED_SMI_ELEMENTS",
    "HOLEY_SMI_ELEMENTS",
    "PACKED_ELEMENTS",
    "HOLEY_ELEMENTS",
    "PACKED_DOUBLE_ELEMENTS",
    "HOLEY_DOUBLE_ELEMENTS",
    "PACKED_NONEXTENSIBLE_ELEMENTS",
    "HOLEY_NONEXTENSIBLE_ELEMENTS",
    "PACKED_SEALED_ELEMENTS",
    "HOLEY_SEALED_ELEMENTS",
    "PACKED_FROZEN_ELEMENTS",
    "HOLEY_FROZEN_ELEMENTS",
];

impl<M: Memory> Model<'_, M> {
    /// The own data property `key` (an internalized name's address) of the JS object at `obj`.
    pub fn own_data_property(&self, obj: u64, map: &MapInfo, key: u64) -> Option<Tagged> {
        let bf3 = u64::from(map.bit_field3);
        if (bf3 >> self.off.is_dictionary_shift) & 1 == 1 {
            return self.dictionary_property(obj, map, key);
        }
        let o = &self.off;
        for base in self.descriptor_entries(map) {
            let Some(k) = self.mem.read_u64_at(base, 8 * o.desc_key) else {
                break;
            };
            if Tagged::from_word(k).object() != Some(key) {
                continue;
            }
            let details = match Tagged::from_word(self.mem.read_u64_at(base, 8 * o.desc_details)?) {
                Tagged::Smi(d) => d as u32 as u64,
                _ => return None,
            };
            if details & o.prop_kind_mask != 0 {
                return None; // accessor
            }
            let location = (details & o.prop_location_mask) >> o.prop_location_shift;
            if location != o.prop_location_field {
                return self
                    .mem
                    .read_u64_at(base, 8 * o.desc_value)
                    .map(Tagged::from_word);
            }
            let index = (details & o.prop_index_mask) >> o.prop_index_shift;
            return self.field_value(obj, map, index);
        }
        None
    }

    /// The value of field `index` (in-object first, then the property array).
    pub fn field_value(&self, obj: u64, map: &MapInfo, index: u64) -> Option<Tagged> {
        let start = u64::from(self.mem.read_u8_at(map.addr, self.off.map_inobject_start)?);
        let words = u64::from(map.instance_size) / 8;
        let inobject = words.saturating_sub(start);
        if index < inobject {
            self.field(obj, 8 * (start + index))
        } else {
            let props = self.ptr(obj, self.off.properties)?;
            self.field(props, 16 + 8 * (index - inobject))
        }
    }

    /// The entries of a dictionary-mode object's property dictionary, in table order (empty and
    /// deleted entries included; their keys are not names). A `NameDictionary` holds key, value
    /// and details per entry; the global object's `GlobalDictionary` holds one `PropertyCell` per
    /// entry (name, details, value: the same order on V8 11.3 to 14.6).
    pub fn dictionary_entries(&self, obj: u64, map: &MapInfo) -> Vec<DictEntry> {
        let o = &self.off;
        let Some(dict) = self.ptr(obj, o.properties) else {
            return Vec::new();
        };
        let len = (self.smi(dict, 8).unwrap_or(0).max(0) as u64).min(1 << 20);
        let first = o.dict_prefix_start;
        if Some(map.instance_type) == self.types.js_global_object {
            // Prefix slots are Smis; every PropertyCell after them is an entry.
            let mut cache = MapCache::default();
            return (first..len)
                .filter_map(|i| {
                    let cell = self.ptr(dict, 16 + 8 * i)?;
                    let map = self.walker.map_at(&mut cache, self.ptr(cell, 0)?)?;
                    if map.instance_type != self.types.property_cell? {
                        return None;
                    }
                    Some(DictEntry {
                        key: self.field(cell, 8),
                        value: self.field(cell, 24),
                        details: self.smi(cell, 16).unwrap_or(0) as u64,
                    })
                })
                .collect();
        }
        let first = first + o.dict_prefix_size;
        let entries = len.saturating_sub(first) / o.dict_entry_size;
        (0..entries)
            .map(|e| {
                let slot = 16 + 8 * (first + e * o.dict_entry_size);
                DictEntry {
                    key: self.field(dict, slot),
                    value: self.field(dict, slot + 8),
                    details: self.smi(dict, slot + 16).unwrap_or(0) as u64,
                }
            })
            .collect()
    }

    /// Addresses of the map's own descriptors (key, details, value slots follow the layout of
    /// `prop_desc_*`), at most 1024.
    pub fn descriptor_entries(&self, map: &MapInfo) -> impl Iterator<Item = u64> + '_ {
        let o = &self.off;
        let bf3 = u64::from(map.bit_field3);
        let own = (bf3 & o.own_descriptors_mask) >> o.own_descriptors_shift;
        // Entries past the end of the address space (a damaged pointer) are not listed.
        let base = Tagged::from_word(map.instance_descriptors)
            .object()
            .and_then(|d| d.checked_add(o.descriptors_header));
        let own = if base.is_some() { own.min(1024) } else { 0 };
        let base = base.unwrap_or(0);
        (0..own).map_while(move |i| base.checked_add(8 * i * o.desc_size))
    }

    /// A data property of a dictionary-mode object.
    fn dictionary_property(&self, obj: u64, map: &MapInfo, key: u64) -> Option<Tagged> {
        let e = self
            .dictionary_entries(obj, map)
            .into_iter()
            .find(|e| e.key.and_then(Tagged::object) == Some(key))?;
        if e.details & self.off.prop_kind_mask != 0 {
            return None;
        }
        e.value
    }

    /// Whether objects with this map can differ in constructor name: dictionary-mode objects, and
    /// maps with an own `Symbol.toStringTag` property. Other objects are named by their map alone.
    pub fn name_depends_on_object(&self, map: &MapInfo) -> bool {
        let bf3 = u64::from(map.bit_field3);
        if (bf3 >> self.off.is_dictionary_shift) & 1 == 1 {
            return true;
        }
        let Some(tag) = self.to_string_tag else {
            return false;
        };
        let o = &self.off;
        self.descriptor_entries(map).any(|base| {
            self.mem
                .read_u64_at(base, 8 * o.desc_key)
                .is_some_and(|k| Tagged::from_word(k).object() == Some(tag))
        })
    }

    /// Where the named properties of fast-mode objects with `map` are, decided by the map alone:
    /// what [`Reader::property_slots`] (without names) reads per object, read once per map.
    /// `None` for dictionary-mode maps, whose properties are per object.
    pub fn property_layout(&self, map: &MapInfo) -> Option<Vec<LayoutSlot>> {
        let o = &self.off;
        if (u64::from(map.bit_field3) >> o.is_dictionary_shift) & 1 == 1 {
            return None;
        }
        let start = u64::from(self.mem.read_u8_at(map.addr, o.map_inobject_start)?);
        let inobject = (u64::from(map.instance_size) / 8).saturating_sub(start);
        let mut out = Vec::new();
        for base in self.descriptor_entries(map) {
            let word = |k: u64| self.mem.read_u64_at(base, 8 * k).map(Tagged::from_word);
            let Some(Tagged::Object(key)) = word(o.desc_key) else {
                continue;
            };
            let Some(Tagged::Smi(details)) = word(o.desc_details) else {
                continue;
            };
            let details = details as u32 as u64;
            let double = (details & o.prop_representation_mask) >> o.prop_representation_shift
                == o.prop_representation_double;
            let location = (details & o.prop_location_mask) >> o.prop_location_shift;
            let place = if location == o.prop_location_field {
                let index = (details & o.prop_index_mask) >> o.prop_index_shift;
                if index < inobject {
                    Place::InObject(8 * (start + index))
                } else {
                    Place::OutOfObject(16 + 8 * (index - inobject))
                }
            } else {
                match self.property_value(word(o.desc_value), details) {
                    Some(v) => Place::Value(v),
                    None => continue,
                }
            };
            out.push(LayoutSlot { key, double, place });
        }
        Some(out)
    }

    /// The named properties of `obj` by its map's [`Model::property_layout`]: the slots
    /// [`Reader::property_slots`] gives without names. `body` is the object's bytes from its start
    /// (in-object fields are read from it).
    pub fn slots_by_layout(&self, obj: u64, body: &[u8], layout: &[LayoutSlot]) -> Vec<Slot> {
        let mut props = None;
        let mut out = Vec::with_capacity(layout.len());
        for l in layout {
            let (value, in_object) = match l.place {
                Place::InObject(off) => {
                    let word = body
                        .get(off as usize..off as usize + 8)
                        .and_then(|b| b.try_into().ok())
                        .map(u64::from_le_bytes)
                        .or_else(|| self.mem.read_u64_at(obj, off));
                    match word {
                        Some(w) => (SlotValue::Tagged(Tagged::from_word(w)), Some(off)),
                        None => continue,
                    }
                }
                Place::OutOfObject(off) => {
                    let array = *props.get_or_insert_with(|| self.ptr(obj, self.off.properties));
                    match array.and_then(|a| self.field(a, off)) {
                        Some(v) => (SlotValue::Tagged(v), None),
                        None => continue,
                    }
                }
                Place::Value(v) => (v, None),
            };
            out.push(Slot {
                name: String::new(),
                value,
                key: l.key,
                double: l.double,
                in_object,
            });
        }
        out
    }

    /// The in-object byte offset of field `index`, `None` when it is in the property array.
    pub fn field_offset(&self, map: &MapInfo, index: u64) -> Option<u64> {
        let start = u64::from(self.mem.read_u8_at(map.addr, self.off.map_inobject_start)?);
        let inobject = (u64::from(map.instance_size) / 8).saturating_sub(start);
        (index < inobject).then_some(8 * (start + index))
    }

    /// A property's stored value: an accessor (pair or info) when the details say so.
    fn property_value(&self, v: Option<Tagged>, details: u64) -> Option<SlotValue> {
        match v? {
            Tagged::Object(a) if details & self.off.prop_kind_mask != 0 => {
                Some(SlotValue::Accessor(a))
            }
            v => Some(SlotValue::Tagged(v)),
        }
    }
}

impl<M: Memory> Reader<'_, '_, M> {
    /// `Map::GetConstructor()`: follow back pointers to the constructor (a function, a function
    /// template info, or something else).
    pub fn map_constructor(&self, map: &MapInfo) -> Option<u64> {
        let mut v = Tagged::from_word(map.constructor_or_back_pointer).object()?;
        for _ in 0..MAX_BACK_POINTERS {
            let t = self.type_of(v)?;
            if Some(t) == self.types.map {
                let m = self.map_at(v)?;
                v = Tagged::from_word(m.constructor_or_back_pointer).object()?;
            } else {
                return Some(v);
            }
        }
        None
    }

    /// Find the address of an internalized string with the given text among the map's own
    /// descriptor keys (property names are internalized, so comparing addresses then works).
    fn key_named(&self, map: &MapInfo, name: &str) -> Option<u64> {
        let o = &self.off;
        for base in self.descriptor_entries(map) {
            let k = Tagged::from_word(self.mem.read_u64_at(base, 8 * o.desc_key)?).object()?;
            if self
                .string(k, name.len() + 1)
                .is_some_and(|t| t.text == name)
            {
                return Some(k);
            }
        }
        None
    }

    /// A data property by name through own descriptors or dictionary (slow path: compares text).
    pub fn own_data_property_named(&self, obj: u64, name: &str) -> Option<Tagged> {
        let map = self.map_of(obj)?;
        let bf3 = u64::from(map.bit_field3);
        if (bf3 >> self.off.is_dictionary_shift) & 1 == 1 {
            let entry = self.dictionary_entries(obj, &map).into_iter().find(|e| {
                e.key.and_then(Tagged::object).is_some_and(|k| {
                    self.string(k, name.len() + 1)
                        .is_some_and(|t| t.text == name)
                })
            })?;
            if entry.details & self.off.prop_kind_mask != 0 {
                return None;
            }
            return entry.value;
        }
        let key = self.key_named(&map, name)?;
        self.own_data_property(obj, &map, key)
    }

    /// V8's `JSReceiver::GetConstructorName` as the heap snapshot uses it.
    pub fn constructor_name(&self, obj: u64, map: &MapInfo) -> String {
        self.constructor(obj, map).1
    }

    /// `JSReceiver::GetConstructor`: the constructor function (when one names the object) and
    /// the constructor name.
    pub fn constructor(&self, obj: u64, map: &MapInfo) -> (Option<u64>, String) {
        let t = map.instance_type;
        let ty = &self.types;
        // 1. The map's constructor, for objects made with base == new.target, not prototypes.
        let new_target_is_base = map.bit_field2 & 1 == 1;
        let is_prototype_map =
            (u64::from(map.bit_field3) >> (self.off.is_dictionary_shift - 1)) & 1 == 1;
        if new_target_is_base && !is_prototype_map {
            if let Some(named) = self
                .map_constructor(map)
                .and_then(|c| self.naming_function(c))
            {
                return named;
            }
        }
        // 2. Symbol.toStringTag or "constructor" data properties along the prototype chain.
        let mut current = obj;
        let mut current_map = *map;
        for step in 0..MAX_CHAIN {
            if let Some(tag) = self.to_string_tag {
                if let Some(Tagged::Object(v)) = self.own_data_property(current, &current_map, tag)
                {
                    if let Some(s) = self.string(v, 1024) {
                        return (None, s.text);
                    }
                }
            }
            if step > 0 {
                if let Some(named) = self
                    .own_data_property_named(current, "constructor")
                    .and_then(|v| match v {
                        Tagged::Object(c) => self.naming_function(c),
                        _ => None,
                    })
                {
                    return named;
                }
            }
            let Some(proto) = Tagged::from_word(current_map.prototype).object() else {
                break;
            };
            let Some(pm) = self.map_of(proto) else {
                break;
            };
            if !ty.is_js_object(pm.instance_type) {
                break;
            }
            current = proto;
            current_map = pm;
        }
        if self.v8.types.name(t) == Some("JSPrimitiveWrapper") {
            return (None, self.wrapper_class(obj).to_string());
        }
        (None, class_name(self.v8, t).to_string())
    }

    /// `c` when it is a function whose debug name (neither empty nor `Object`) names objects.
    fn naming_function(&self, c: u64) -> Option<(Option<u64>, String)> {
        if !self.type_of(c).is_some_and(|t| self.types.is_function(t)) {
            return None;
        }
        let name = self
            .function_sfi(c)
            .map(|s| self.sfi_debug_name(s))
            .unwrap_or_default();
        (!name.is_empty() && name != "Object").then_some((Some(c), name))
    }

    /// `String`, `Number`, `Boolean`, `Symbol` or `BigInt` by the wrapped value's type.
    fn wrapper_class(&self, obj: u64) -> &'static str {
        // JSPrimitiveWrapper: map, properties, elements, value.
        match self.field(obj, self.off.primitive_wrapper_value) {
            Some(Tagged::Smi(_)) => "Number",
            Some(Tagged::Object(v)) => {
                let t = self.type_of(v);
                if t.is_some_and(|t| matches!(self.v8.shapes.kind(t), Kind::String(_))) {
                    "String"
                } else if t == self.types.heap_number {
                    "Number"
                } else if t == self.types.oddball {
                    "Boolean"
                } else if t == self.types.symbol {
                    "Symbol"
                } else if t == self.types.bigint {
                    "BigInt"
                } else {
                    "Object"
                }
            }
            _ => "Object",
        }
    }

    /// Whether a tagged value is V8's hole (an oddball of kind TheHole, or a `Hole` object).
    pub fn is_hole(&self, v: Tagged) -> bool {
        let Tagged::Object(a) = v else {
            return false;
        };
        let Some(t) = self.type_of(a) else {
            return false;
        };
        if self.v8.types.name(t) == Some("Hole") {
            return true;
        }
        if Some(t) == self.types.oddball {
            let kind_off = self
                .v8
                .metadata
                .class_offset("Oddball", "kind_offset")
                .or_else(|| self.v8.metadata.class_offset("Oddball", "kind"));
            let hole = self.v8.metadata.constant("OddballTheHole");
            if let (Some(off), Some(hole)) = (kind_off, hole) {
                return self.smi(a, off) == Some(hole);
            }
        }
        false
    }

    /// Named properties, in descriptor (or dictionary) order, at most `limit`.
    pub fn properties(&self, obj: u64, map: &MapInfo, limit: usize) -> Vec<Slot> {
        self.property_slots(obj, map, limit, true)
    }

    /// [`Reader::properties`]; with `names` false, slots with a key leave `name` empty (the
    /// caller names them from `key`, e.g. once per key for millions of objects).
    pub fn property_slots(&self, obj: u64, map: &MapInfo, limit: usize, names: bool) -> Vec<Slot> {
        let o = &self.off;
        let bf3 = u64::from(map.bit_field3);
        let mut out = Vec::new();
        if (bf3 >> o.is_dictionary_shift) & 1 == 1 {
            for e in self.dictionary_entries(obj, map) {
                let Some(Tagged::Object(k)) = e.key else {
                    continue;
                };
                let name = if names {
                    match self.key_text(k) {
                        Some(n) => n,
                        None => continue, // undefined / the hole: an empty or deleted entry
                    }
                } else if self.is_key(k) {
                    String::new()
                } else {
                    continue;
                };
                let Some(value) = self.property_value(e.value, e.details) else {
                    continue;
                };
                out.push(Slot {
                    name,
                    value,
                    key: k,
                    double: false,
                    in_object: None,
                });
                if out.len() >= limit {
                    break;
                }
            }
            return out;
        }
        for base in self.descriptor_entries(map).take(limit) {
            let Some(Tagged::Object(k)) = self
                .mem
                .read_u64_at(base, 8 * o.desc_key)
                .map(Tagged::from_word)
            else {
                continue;
            };
            let name = if names {
                self.key_text(k).unwrap_or_else(|| format!("<key {k:#x}>"))
            } else {
                String::new()
            };
            let Some(Tagged::Smi(details)) = self
                .mem
                .read_u64_at(base, 8 * o.desc_details)
                .map(Tagged::from_word)
            else {
                continue;
            };
            let details = details as u32 as u64;
            let double = (details & o.prop_representation_mask) >> o.prop_representation_shift
                == o.prop_representation_double;
            let location = (details & o.prop_location_mask) >> o.prop_location_shift;
            let mut in_object = None;
            let value = if location == o.prop_location_field {
                let index = (details & o.prop_index_mask) >> o.prop_index_shift;
                in_object = self.field_offset(map, index);
                match self.field_value(obj, map, index) {
                    Some(v) => SlotValue::Tagged(v),
                    None => continue,
                }
            } else {
                let v = self
                    .mem
                    .read_u64_at(base, 8 * o.desc_value)
                    .map(Tagged::from_word);
                match self.property_value(v, details) {
                    Some(v) => v,
                    None => continue,
                }
            };
            out.push(Slot {
                name,
                value,
                key: k,
                double,
                in_object,
            });
        }
        out
    }

    /// The elements of a JS object, at most `limit` of them.
    pub fn elements(&self, obj: u64, map: &MapInfo, limit: usize) -> Elements {
        let mut items = Vec::new();
        let (kind, length, more) = self.visit_elements(obj, map, limit, &mut |key, value| {
            let name = match key {
                ElementKey::Index(i) => i.to_string(),
                ElementKey::Number(h) => self.preview(h, 32),
            };
            items.push(Slot {
                name,
                value,
                key: 0,
                double: false,
                in_object: None,
            });
        });
        Elements {
            kind: ELEMENTS_KINDS
                .get(kind)
                .map(|s| s.to_string())
                .unwrap_or_else(|| {
                    if Some(kind) == self.off.dictionary_elements {
                        "DICTIONARY_ELEMENTS".into()
                    } else {
                        format!("kind {kind}")
                    }
                }),
            length,
            items,
            more,
        }
    }

    /// Call `f` with each element of a JS object (key and value, holes included, at most
    /// `limit`), without allocating. Returns the elements kind, the length (`length` of arrays,
    /// else the backing store's capacity) and whether elements were left out.
    pub fn visit_elements(
        &self,
        obj: u64,
        map: &MapInfo,
        limit: usize,
        f: &mut dyn FnMut(ElementKey, SlotValue),
    ) -> (usize, u64, bool) {
        let o = &self.off;
        let kind = ((map.bit_field2 & o.elements_kind_mask) >> o.elements_kind_shift) as usize;
        let dictionary = o.dictionary_elements;
        let Some(store) = self.ptr(obj, self.off.elements) else {
            return (kind, 0, false);
        };
        let capacity = self.smi(store, 8).unwrap_or(0).max(0) as u64;
        let length = if Some(map.instance_type) == self.types.js_array {
            match self.field(obj, self.off.js_array_length) {
                Some(Tagged::Smi(n)) => n.max(0) as u64,
                Some(Tagged::Object(h)) => self
                    .mem
                    .read_u64_at(h, self.off.heap_number_value)
                    .map_or(0, |b| f64::from_bits(b) as u64),
                _ => capacity,
            }
        } else {
            capacity
        };
        let mut seen = 0usize;
        if Some(kind) == dictionary {
            // NumberDictionary: prefix (max number key), then (key, value, details) entries.
            let prefix = self
                .v8
                .metadata
                .constant("numberdictionaryshape_prefix_size")
                .unwrap_or(1) as u64;
            let size = self
                .v8
                .metadata
                .constant("numberdictionaryshape_entry_size")
                .unwrap_or(3)
                .max(1) as u64;
            let first = 3 + prefix;
            let entries = capacity.saturating_sub(first) / size;
            for i in 0..entries.min(1 << 20) {
                let slot = 16 + 8 * (first + i * size);
                let key = match self.field(store, slot) {
                    Some(Tagged::Smi(k)) => ElementKey::Index(i64::from(k)),
                    Some(Tagged::Object(h))
                        if Some(self.type_of(h).unwrap_or(0)) == self.types.heap_number =>
                    {
                        ElementKey::Number(Tagged::Object(h))
                    }
                    _ => continue,
                };
                if let Some(v) = self.field(store, slot + 8) {
                    f(key, SlotValue::Tagged(v));
                    seen += 1;
                }
                if seen >= limit {
                    return (kind, length, true);
                }
            }
            return (kind, length, false);
        }
        let double = matches!(kind, 4 | 5);
        let n = length.min(capacity);
        for i in 0..n {
            if seen >= limit {
                return (kind, length, true);
            }
            let off = 16 + 8 * i;
            let value = if double {
                match self.mem.read_u64_at(store, off) {
                    Some(HOLE_NAN) => SlotValue::Hole,
                    Some(bits) => SlotValue::Double(f64::from_bits(bits)),
                    None => break,
                }
            } else {
                match self.field(store, off) {
                    Some(v) if self.is_hole(v) => SlotValue::Hole,
                    Some(v) => SlotValue::Tagged(v),
                    None => break,
                }
            };
            f(ElementKey::Index(i as i64), value);
            seen += 1;
        }
        (kind, length, false)
    }

    /// A `Date`'s time value (ms since the epoch), NaN for invalid dates.
    pub fn date_value(&self, obj: u64) -> Option<f64> {
        if self.v8.layout.objects.date_value_is_double {
            return self
                .mem
                .read_u64_at(obj, self.off.date_value)
                .map(f64::from_bits);
        }
        match self.field(obj, self.off.date_value)? {
            Tagged::Smi(v) => Some(f64::from(v)),
            Tagged::Object(h) if self.type_of(h) == self.types.heap_number => self
                .mem
                .read_u64_at(h, self.off.heap_number_value)
                .map(f64::from_bits),
            _ => None,
        }
    }
}
