//! Reading V8 objects: strings of every representation, functions and their names, properties of
//! JS objects (fast and dictionary mode), constructor names the way V8 computes them.
//!
//! Offsets come from the postmortem metadata (`v8dbg_class_*`, `v8dbg_prop_*`, dictionary shapes);
//! where a build lacks one, the default is V8's layout without pointer compression, which every
//! supported version shares.

use super::layout::ScopeInfoFields;
use super::map::{MapInfo, Tagged};
use super::object::{Kind, StringRep};
use super::walk::{MapCache, Object, Walker};
use super::Runtime;
use crate::memory::Memory;
use std::cell::RefCell;

/// Longest string we read in full; longer ones are cut (with their full length reported).
pub const MAX_STRING: usize = 1 << 20;
/// Cons-string pieces visited at most while reading one string.
const MAX_CONS_PIECES: usize = 1 << 16;
/// Prototype-chain steps followed at most.
const MAX_CHAIN: usize = 64;
/// Back-pointer steps followed at most from a map to its constructor.
const MAX_BACK_POINTERS: usize = 4096;

/// Field offsets used by the model.
#[derive(Clone, Copy, Debug)]
pub struct Offsets {
    pub properties: u64,
    pub elements: u64,
    pub js_array_length: u64,
    pub function_shared: u64,
    pub function_context: u64,
    pub sfi_name: u64,
    pub sfi_script: u64,
    pub string_length: u64,
    pub cons_first: u64,
    pub cons_second: u64,
    pub sliced_parent: u64,
    pub sliced_offset: u64,
    pub thin_actual: u64,
    pub external_resource: u64,
    pub symbol_name: u64,
    /// `Symbol::flags` (u32; bit 0: private), after `Name::raw_hash_field`.
    pub symbol_flags: u64,
    /// `JSGeneratorObject::function`: the first field after the JSObject header.
    pub generator_function: u64,
    /// `JSPrimitiveWrapper::value`: the first field after the JSObject header.
    pub primitive_wrapper_value: u64,
    /// A context's fixed slots (`Context::SCOPE_INFO_INDEX`, `PREVIOUS_INDEX`), after its length.
    pub context_scope_info: u64,
    pub context_previous: u64,
    pub regexp_source: u64,
    pub date_value: u64,
    pub heap_number_value: u64,
    pub oddball_to_string: u64,
    pub script_name: u64,
    pub map_inobject_start: u64,
    pub descriptors_header: u64,
    pub desc_key: u64,
    pub desc_details: u64,
    pub desc_value: u64,
    pub desc_size: u64,
    pub prop_kind_mask: u64,
    pub prop_location_mask: u64,
    pub prop_location_shift: u64,
    pub prop_location_field: u64,
    pub prop_index_mask: u64,
    pub prop_index_shift: u64,
    pub dict_prefix_start: u64,
    pub dict_prefix_size: u64,
    pub dict_entry_size: u64,
    pub own_descriptors_mask: u64,
    pub own_descriptors_shift: u64,
    pub is_dictionary_shift: u64,
    pub array_buffer_backing_store: u64,
    pub array_buffer_byte_length: u64,
    pub prop_representation_mask: u64,
    pub prop_representation_shift: u64,
    pub prop_representation_double: u64,
    pub elements_kind_mask: u8,
    pub elements_kind_shift: u8,
    /// `DICTIONARY_ELEMENTS`, when the metadata gives it.
    pub dictionary_elements: Option<usize>,
}

impl Offsets {
    fn new(v8: &Runtime) -> Offsets {
        let md = &v8.metadata;
        let c = |class: &str, field: &str, d: u64| md.class_offset(class, field).unwrap_or(d);
        let k = |name: &str, d: i64| md.constant(name).unwrap_or(d) as u64;
        Offsets {
            properties: c("JSReceiver", "raw_properties_or_hash", 8),
            elements: c("JSObject", "elements", 16),
            js_array_length: 24,
            function_shared: c("JSFunction", "shared", 24),
            function_context: c("JSFunction", "context", 32),
            sfi_name: c("SharedFunctionInfo", "name_or_scope_info", 16),
            sfi_script: md
                .class_offset("SharedFunctionInfo", "script_or_debug_info")
                .or_else(|| md.class_offset("SharedFunctionInfo", "script"))
                .unwrap_or(32),
            string_length: c("String", "length", 12),
            cons_first: c("ConsString", "first", 16),
            cons_second: c("ConsString", "second", 24),
            sliced_parent: c("SlicedString", "parent", 16),
            sliced_offset: c("SlicedString", "offset", 24),
            thin_actual: c("ThinString", "actual", 16),
            external_resource: c("ExternalString", "resource", 16),
            symbol_name: c("Symbol", "name", 16),
            symbol_flags: c("Symbol", "flags", 12),
            generator_function: c("JSGeneratorObject", "function", 24),
            primitive_wrapper_value: c("JSPrimitiveWrapper", "value", 24),
            context_scope_info: 16,
            context_previous: 24,
            regexp_source: c("JSRegExp", "source", 32),
            date_value: c("JSDate", "value", 24),
            heap_number_value: c("HeapNumber", "value", 8),
            oddball_to_string: c("Oddball", "to_string", 16),
            script_name: c("Script", "name", 16),
            map_inobject_start: c(
                "Map",
                "inobject_properties_start_or_constructor_function_index",
                9,
            ),
            descriptors_header: v8.shapes.descriptor_header,
            desc_key: k("prop_desc_key", 0),
            desc_details: k("prop_desc_details", 1),
            desc_value: k("prop_desc_value", 2),
            desc_size: k("prop_desc_size", 3).max(1),
            prop_kind_mask: k("prop_kind_mask", 1),
            prop_location_mask: k("prop_location_mask", 2),
            prop_location_shift: k("prop_location_shift", 1),
            prop_location_field: k("prop_location_Field", 0),
            prop_index_mask: k("prop_index_mask", 0x1ff80000),
            prop_index_shift: k("prop_index_shift", 19),
            dict_prefix_start: k("namedictionary_prefix_start_index", 3),
            dict_prefix_size: k("namedictionaryshape_prefix_size", 3),
            dict_entry_size: k("namedictionaryshape_entry_size", 3).max(1),
            own_descriptors_mask: k("bit_field3_number_of_own_descriptors_mask", 0xffc00),
            own_descriptors_shift: k("bit_field3_number_of_own_descriptors_shift", 10),
            is_dictionary_shift: k("bit_field3_is_dictionary_map_shift", 21),
            array_buffer_backing_store: c("JSArrayBuffer", "backing_store", 48),
            array_buffer_byte_length: c("JSArrayBuffer", "byte_length", 32),
            prop_representation_mask: k("prop_representation_mask", 0x1c0),
            prop_representation_shift: k("prop_representation_shift", 6),
            prop_representation_double: k("prop_representation_double", 2),
            elements_kind_mask: k("bit_field2_elements_kind_mask", 0xfc) as u8,
            elements_kind_shift: k("bit_field2_elements_kind_shift", 2) as u8,
            dictionary_elements: md
                .constant("elements_dictionary_elements")
                .map(|v| v as usize),
        }
    }
}

/// One entry of a property dictionary: its key (a name, or undefined / the hole when empty or
/// deleted), value and property details.
#[derive(Clone, Copy, Debug)]
pub struct DictEntry {
    pub key: Option<Tagged>,
    pub value: Option<Tagged>,
    pub details: u64,
}

/// Instance types the model needs to recognise, from the type table.
#[derive(Clone, Debug, Default)]
pub struct Types {
    /// Types whose objects V8 types `code` by class (indexed by instance type; none beyond).
    pub code_class: Vec<bool>,
    pub first_js_receiver: u16,
    pub first_js_object: u16,
    pub map: Option<u16>,
    pub symbol: Option<u16>,
    pub heap_number: Option<u16>,
    pub oddball: Option<u16>,
    pub bigint: Option<u16>,
    pub js_function_first: u16,
    pub js_function_last: u16,
    pub js_bound_function: Option<u16>,
    pub js_regexp: Option<u16>,
    pub js_date: Option<u16>,
    pub js_array: Option<u16>,
    pub js_array_buffer: Option<u16>,
    pub js_global_object: Option<u16>,
    pub js_global_proxy: Option<u16>,
    pub property_cell: Option<u16>,
    /// Generator objects (and async functions' and async generators'): they hold their function.
    pub generators: [Option<u16>; 3],
    pub shared_function_info: Option<u16>,
    pub scope_info: Option<u16>,
    pub script: Option<u16>,
    pub native_context: Option<u16>,
    pub first_context: u16,
    pub last_context: u16,
    pub fixed_array: Option<u16>,
    pub free_space: Option<u16>,
    pub filler: Option<u16>,
}

impl Types {
    fn new(v8: &Runtime) -> Types {
        let t = &v8.types;
        let md = &v8.metadata;
        let by = |class: &str, ty: &str| md.instance_type(ty).or_else(|| t.type_of(class));
        // JS receivers are the last instance types: from the first "JS…" class on.
        let first_js_receiver = (0..=u16::MAX)
            .find(|&i| {
                t.name(i).is_some_and(|n| {
                    n == "JSProxy" || n == "JSGlobalProxy" || n == "JSGlobalObject"
                })
            })
            .unwrap_or(u16::MAX);
        let first_js_object = md
            .instance_type("JS_GLOBAL_OBJECT_TYPE")
            .or_else(|| t.type_of("JSGlobalObject"))
            .unwrap_or(first_js_receiver)
            .min(t.type_of("JSGlobalProxy").unwrap_or(u16::MAX));
        let js_function = by("JSFunction", "JS_FUNCTION_TYPE");
        let fn_range = match (
            md.constant("FirstJSFunctionType"),
            md.constant("LastJSFunctionType"),
        ) {
            (Some(a), Some(b)) => (a as u16, b as u16),
            _ => function_range(t, js_function),
        };
        let sfi = by("SharedFunctionInfo", "SHARED_FUNCTION_INFO_TYPE");
        let script = by("Script", "SCRIPT_TYPE");
        // Named types (and the two from the metadata) only: types beyond are not code.
        let bound = [sfi, script]
            .iter()
            .flatten()
            .map(|&i| usize::from(i) + 1)
            .fold(t.bound(), usize::max)
            .min(1 << 16);
        let code_class = (0..bound as u32)
            .map(|i| i as u16)
            .map(|i| {
                t.name(i)
                    .is_some_and(|n| super::types::CODE_CLASSES.contains(&n))
                    || Some(i) == sfi
                    || Some(i) == script
            })
            .collect();
        Types {
            code_class,
            first_js_receiver,
            first_js_object,
            map: by("Map", "MAP_TYPE"),
            symbol: by("Symbol", "SYMBOL_TYPE"),
            heap_number: by("HeapNumber", "HEAP_NUMBER_TYPE"),
            oddball: by("Oddball", "ODDBALL_TYPE"),
            bigint: t
                .type_of("BigIntBase")
                .or_else(|| t.type_of("BigInt"))
                .or_else(|| {
                    v8.layout
                        .objects
                        .extra_types
                        .iter()
                        .find(|(_, n)| *n == "BigIntBase")
                        .map(|(t, _)| *t)
                }),
            js_function_first: fn_range.0,
            js_function_last: fn_range.1,
            js_bound_function: by("JSBoundFunction", "JS_BOUND_FUNCTION_TYPE"),
            js_regexp: by("JSRegExp", "JS_REG_EXP_TYPE"),
            js_date: by("JSDate", "JS_DATE_TYPE"),
            js_array: by("JSArray", "JS_ARRAY_TYPE"),
            js_array_buffer: by("JSArrayBuffer", "JS_ARRAY_BUFFER_TYPE"),
            js_global_object: by("JSGlobalObject", "JS_GLOBAL_OBJECT_TYPE"),
            js_global_proxy: by("JSGlobalProxy", "JS_GLOBAL_PROXY_TYPE"),
            property_cell: by("PropertyCell", "PROPERTY_CELL_TYPE"),
            generators: [
                by("JSGeneratorObject", "JS_GENERATOR_OBJECT_TYPE"),
                by("JSAsyncFunctionObject", "JS_ASYNC_FUNCTION_OBJECT_TYPE"),
                by("JSAsyncGeneratorObject", "JS_ASYNC_GENERATOR_OBJECT_TYPE"),
            ],
            shared_function_info: sfi,
            scope_info: by("ScopeInfo", "SCOPE_INFO_TYPE"),
            script,
            native_context: by("NativeContext", "NATIVE_CONTEXT_TYPE"),
            first_context: md
                .constant("FirstContextType")
                .map_or(u16::MAX, |v| v as u16),
            last_context: md.constant("LastContextType").map_or(0, |v| v as u16),
            fixed_array: by("FixedArray", "FIXED_ARRAY_TYPE"),
            free_space: by("FreeSpace", "FREE_SPACE_TYPE"),
            filler: t.type_of("Filler"),
        }
    }

    pub fn is_generator(&self, t: u16) -> bool {
        self.generators.contains(&Some(t))
    }

    pub fn is_js_object(&self, t: u16) -> bool {
        t >= self.first_js_object
    }
    pub fn is_function(&self, t: u16) -> bool {
        (self.js_function_first..=self.js_function_last).contains(&t)
    }
    pub fn is_context(&self, t: u16) -> bool {
        (self.first_context..=self.last_context).contains(&t)
    }
}

/// The contiguous run of JS function types around `JS_FUNCTION_TYPE` (constructors of built-ins
/// have their own types), when the metadata does not give the range.
fn function_range(t: &super::types::TypeNames, js_function: Option<u16>) -> (u16, u16) {
    let Some(f) = js_function else {
        return (1, 0);
    };
    let is_fn = |i: u16| {
        t.name(i).is_some_and(|n| {
            n == "JSFunction" || (n.ends_with("Constructor") && !n.starts_with("JSApi"))
        })
    };
    let mut lo = f;
    while lo > 0 && is_fn(lo - 1) {
        lo -= 1;
    }
    let mut hi = f;
    while hi < u16::MAX && is_fn(hi + 1) {
        hi += 1;
    }
    (lo, hi)
}

/// Decoded text of a string, possibly cut.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub text: String,
    /// Length in UTF-16 units as V8 counts it.
    pub length: u64,
    /// True when `text` holds less than the whole string.
    pub truncated: bool,
}

/// Reads objects of one process's heap.
pub struct Model<'a, M> {
    pub walker: Walker<'a, M>,
    pub mem: &'a M,
    pub off: Offsets,
    pub types: Types,
    pub v8: &'a Runtime,
    /// `Symbol.toStringTag`, found by its description.
    pub to_string_tag: Option<u64>,
}

/// Reads objects of one heap on one thread: the shared [`Model`] (through `Deref`) and this
/// thread's cache of decoded maps. Made by [`Model::reader`]; every method that looks at an
/// object's map is here. The cache is borrowed only inside [`Reader::map_at`] and
/// [`Reader::object`], which call nothing back, so the borrow never nests.
pub struct Reader<'m, 'a, M> {
    model: &'m Model<'a, M>,
    cache: RefCell<MapCache>,
}

impl<'a, M> std::ops::Deref for Reader<'_, 'a, M> {
    type Target = Model<'a, M>;

    fn deref(&self) -> &Model<'a, M> {
        self.model
    }
}

impl<'a, M: Memory> Model<'a, M> {
    /// A reader for one thread.
    pub fn reader(&self) -> Reader<'_, 'a, M> {
        Reader {
            model: self,
            cache: RefCell::new(MapCache::default()),
        }
    }

    pub fn new(v8: &'a Runtime, walker: Walker<'a, M>, mem: &'a M) -> Model<'a, M> {
        Model {
            walker,
            mem,
            off: Offsets::new(v8),
            types: Types::new(v8),
            v8,
            to_string_tag: None,
        }
    }

    /// A tagged field of the object at `addr`.
    pub fn field(&self, addr: u64, off: u64) -> Option<Tagged> {
        self.mem
            .read_u64(addr.checked_add(off)?)
            .map(Tagged::from_word)
    }

    /// A strong pointer field.
    pub fn ptr(&self, addr: u64, off: u64) -> Option<u64> {
        match self.field(addr, off)? {
            Tagged::Object(a) => Some(a),
            _ => None,
        }
    }

    /// A Smi field.
    pub fn smi(&self, addr: u64, off: u64) -> Option<i64> {
        match self.field(addr, off)? {
            Tagged::Smi(v) => Some(i64::from(v)),
            _ => None,
        }
    }

    fn read_chars(
        &self,
        data: u64,
        two_byte: bool,
        start: u64,
        n: u64,
        out: &mut Vec<u16>,
    ) -> bool {
        let unit = if two_byte { 2 } else { 1 };
        let Some(bytes) = start
            .checked_mul(unit)
            .and_then(|s| data.checked_add(s))
            .and_then(|a| self.mem.slice(a, n * unit))
        else {
            return false;
        };
        if two_byte {
            out.extend(
                bytes
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]])),
            );
        } else {
            out.extend(bytes.iter().map(|&b| u16::from(b)));
        }
        true
    }

    /// The fields of a `ScopeInfo`.
    pub fn scope_info(&self, addr: u64) -> Option<ScopeInfoFields> {
        self.v8.layout.objects.scope_info_fields(self.mem, addr)
    }

    /// The shared function info of the function at `f`.
    pub fn function_sfi(&self, f: u64) -> Option<u64> {
        self.ptr(f, self.off.function_shared)
    }

    /// The own data property `key` (an internalized name's address) of the JS object at `obj`.
    pub fn own_data_property(&self, obj: u64, map: &MapInfo, key: u64) -> Option<Tagged> {
        let bf3 = u64::from(map.bit_field3);
        if (bf3 >> self.off.is_dictionary_shift) & 1 == 1 {
            return self.dictionary_property(obj, map, key);
        }
        let o = &self.off;
        for base in self.descriptor_entries(map) {
            let Some(k) = self.mem.read_u64(base + 8 * o.desc_key) else {
                break;
            };
            if Tagged::from_word(k).object() != Some(key) {
                continue;
            }
            let details = match Tagged::from_word(self.mem.read_u64(base + 8 * o.desc_details)?) {
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
                    .read_u64(base + 8 * o.desc_value)
                    .map(Tagged::from_word);
            }
            let index = (details & o.prop_index_mask) >> o.prop_index_shift;
            return self.field_value(obj, map, index);
        }
        None
    }

    /// The value of field `index` (in-object first, then the property array).
    pub fn field_value(&self, obj: u64, map: &MapInfo, index: u64) -> Option<Tagged> {
        let start = u64::from(self.mem.read_u8(map.addr + self.off.map_inobject_start)?);
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
        let descriptors = Tagged::from_word(map.instance_descriptors).object();
        let own = if descriptors.is_some() {
            own.min(1024)
        } else {
            0
        };
        let base = descriptors.unwrap_or(0) + o.descriptors_header;
        (0..own).map(move |i| base + 8 * i * o.desc_size)
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
                .read_u64(base + 8 * o.desc_key)
                .is_some_and(|k| Tagged::from_word(k).object() == Some(tag))
        })
    }
}

impl<M: Memory> Reader<'_, '_, M> {
    /// The map at `addr`, if it is one (decoded once per reader).
    pub fn map_at(&self, addr: u64) -> Option<MapInfo> {
        self.model.walker.map_at(&mut self.cache.borrow_mut(), addr)
    }

    /// The map of the heap object at `addr`.
    pub fn map_of(&self, addr: u64) -> Option<MapInfo> {
        let m = self.ptr(addr, 0)?;
        self.map_at(m)
    }

    /// The instance type of the heap object at `addr`.
    pub fn type_of(&self, addr: u64) -> Option<u16> {
        self.map_of(addr).map(|m| m.instance_type)
    }

    /// The object at `addr` with its size.
    pub fn object(&self, addr: u64) -> Option<Object> {
        self.model
            .walker
            .object_at(&mut self.cache.borrow_mut(), addr)
            .ok()
    }

    /// Whether the object at `addr` is a string.
    pub fn is_string(&self, addr: u64) -> bool {
        self.type_of(addr)
            .is_some_and(|t| matches!(self.v8.shapes.kind(t), Kind::String(_)))
    }

    /// The text of the string at `addr`, at most `max` UTF-16 units of it.
    pub fn string(&self, addr: u64, max: usize) -> Option<Text> {
        let t = self.type_of(addr)?;
        let Kind::String(_) = self.v8.shapes.kind(t) else {
            return None;
        };
        let length = u64::from(self.mem.read_u32(addr + self.off.string_length)?);
        let mut units: Vec<u16> = Vec::with_capacity((length as usize).min(max).min(4096));
        let mut ok = true;
        self.append_units(addr, 0, length, max, &mut units, &mut ok);
        let truncated = (units.len() as u64) < length;
        if !ok && units.is_empty() && length > 0 {
            return None;
        }
        Some(Text {
            text: String::from_utf16_lossy(&units),
            length,
            truncated,
        })
    }

    /// Append units [start, start+len) of string `addr` to `out`, stopping at `max` units.
    #[allow(clippy::too_many_arguments)]
    fn append_units(
        &self,
        addr: u64,
        start: u64,
        len: u64,
        max: usize,
        out: &mut Vec<u16>,
        ok: &mut bool,
    ) {
        // Iterative over cons pieces: a stack of (string, start, len).
        let mut stack = vec![(addr, start, len)];
        let mut pieces = 0;
        while let Some((a, start, len)) = stack.pop() {
            pieces += 1;
            if out.len() >= max || pieces > MAX_CONS_PIECES {
                return;
            }
            let Some(shape) = self.type_of(a).and_then(|t| match self.v8.shapes.kind(t) {
                Kind::String(s) => Some(s),
                _ => None,
            }) else {
                *ok = false;
                return;
            };
            let want = ((max - out.len()) as u64).min(len);
            match shape.rep {
                StringRep::Seq => {
                    let data = a + 16;
                    if !self.read_chars(data, shape.two_byte, start, want, out) {
                        *ok = false;
                        return;
                    }
                }
                StringRep::External => {
                    // The cached data pointer follows the resource pointer (uncached strings have
                    // none; then the bytes are not reachable without the embedder).
                    let Some(data) = self.mem.read_u64(a + self.off.external_resource + 8) else {
                        *ok = false;
                        return;
                    };
                    if data == 0 || !self.read_chars(data, shape.two_byte, start, want, out) {
                        *ok = false;
                        return;
                    }
                }
                StringRep::Cons => {
                    let (Some(first), Some(second)) = (
                        self.ptr(a, self.off.cons_first),
                        self.ptr(a, self.off.cons_second),
                    ) else {
                        *ok = false;
                        return;
                    };
                    let first_len = u64::from(
                        self.mem
                            .read_u32(first + self.off.string_length)
                            .unwrap_or(0),
                    );
                    // Push second then first so that first is read first.
                    if start + len > first_len {
                        let s2 = start.saturating_sub(first_len);
                        let l2 = start + len - first_len.max(start);
                        stack.push((second, s2, l2));
                    }
                    if start < first_len {
                        stack.push((first, start, (first_len - start).min(len)));
                    }
                }
                StringRep::Sliced => {
                    let (Some(parent), Some(offset)) = (
                        self.ptr(a, self.off.sliced_parent),
                        self.smi(a, self.off.sliced_offset),
                    ) else {
                        *ok = false;
                        return;
                    };
                    stack.push((parent, start + offset.max(0) as u64, len));
                }
                StringRep::Thin => {
                    let Some(actual) = self.ptr(a, self.off.thin_actual) else {
                        *ok = false;
                        return;
                    };
                    stack.push((actual, start, len));
                }
            }
        }
    }

    /// A short string, empty when unreadable.
    pub fn short_string(&self, addr: u64, max: usize) -> String {
        self.string(addr, max).map(|t| t.text).unwrap_or_default()
    }

    /// `SharedFunctionInfo::Name()`: the name string's address, or `None` for no name.
    pub fn sfi_name(&self, sfi: u64) -> Option<u64> {
        let v = self.ptr(sfi, self.off.sfi_name)?;
        if self.is_string(v) {
            return Some(v);
        }
        if Some(self.type_of(v)?) == self.types.scope_info {
            let f = self.scope_info(v)?;
            let name = self.ptr(v, f.function_name?)?;
            return self.is_string(name).then_some(name);
        }
        None
    }

    /// `SharedFunctionInfo::DebugName()`: the name, or the inferred name when empty.
    pub fn sfi_debug_name(&self, sfi: u64) -> String {
        let name = self
            .sfi_name(sfi)
            .map(|n| self.short_string(n, 1024))
            .unwrap_or_default();
        if !name.is_empty() {
            return name;
        }
        // The inferred name lives in the scope info (compiled) or uncompiled data.
        let Some(v) = self.ptr(sfi, self.off.sfi_name) else {
            return name;
        };
        if Some(self.type_of(v).unwrap_or(0)) == self.types.scope_info {
            if let Some(n) = self
                .scope_info(v)
                .and_then(|f| f.inferred_name)
                .and_then(|o| self.ptr(v, o))
            {
                return self.short_string(n, 1024);
            }
        }
        name
    }

    /// The function's name as V8's snapshot shows it (`SharedFunctionInfo::Name()`).
    pub fn function_name(&self, f: u64) -> String {
        self.function_sfi(f)
            .and_then(|s| self.sfi_name(s))
            .map(|n| self.short_string(n, 1024))
            .unwrap_or_default()
    }

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
            let k = Tagged::from_word(self.mem.read_u64(base + 8 * o.desc_key)?).object()?;
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
            if let Some(c) = self.map_constructor(map) {
                let ct = self.type_of(c);
                if ct.is_some_and(|ct| ty.is_function(ct)) {
                    let name = self
                        .function_sfi(c)
                        .map(|s| self.sfi_debug_name(s))
                        .unwrap_or_default();
                    if !name.is_empty() && name != "Object" {
                        return (Some(c), name);
                    }
                }
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
                if let Some(Tagged::Object(c)) =
                    self.own_data_property_named(current, "constructor")
                {
                    if self.type_of(c).is_some_and(|ct| ty.is_function(ct)) {
                        let name = self
                            .function_sfi(c)
                            .map(|s| self.sfi_debug_name(s))
                            .unwrap_or_default();
                        if !name.is_empty() && name != "Object" {
                            return (Some(c), name);
                        }
                    }
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
