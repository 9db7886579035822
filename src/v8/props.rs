//! The contents of JS objects: named properties (fast and dictionary mode), elements of every
//! kind, `Map`/`Set` entries, `Date` values, functions' source locations and closure variables.

use super::map::{MapInfo, Tagged};
use super::model::Model;
use super::model::Reader;
use super::object::Kind;
use crate::memory::Memory;

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

/// Where a function is defined.
#[derive(Clone, Debug, PartialEq, Eq)]
/// A script's id and the positions where its lines end.
pub struct ScriptLines {
    pub id: u32,
    /// The script's name or URL, when it has one.
    pub name: Option<String>,
    pub ends: Vec<u32>,
}

impl ScriptLines {
    /// The 0-based line and column of a source position.
    pub fn position(&self, pos: u64) -> (u32, u32) {
        let line = self.ends.partition_point(|&e| u64::from(e) < pos);
        let start = if line == 0 {
            0
        } else {
            u64::from(self.ends[line - 1]) + 1
        };
        (line as u32, pos.saturating_sub(start) as u32)
    }
}

/// Longest script source read for line ends (longer sources are cut).
const MAX_SOURCE: usize = 256 << 20;

pub struct Location {
    pub script: String,
    /// 1-based line and column.
    pub line: u64,
    pub column: u64,
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
    /// Where the named properties of fast-mode objects with `map` are, decided by the map alone:
    /// what [`Model::property_slots`] (without names) reads per object, read once per map.
    /// `None` for dictionary-mode maps, whose properties are per object.
    pub fn property_layout(&self, map: &MapInfo) -> Option<Vec<LayoutSlot>> {
        let o = &self.off;
        if (u64::from(map.bit_field3) >> o.is_dictionary_shift) & 1 == 1 {
            return None;
        }
        let start = u64::from(self.mem.read_u8(map.addr + o.map_inobject_start)?);
        let inobject = (u64::from(map.instance_size) / 8).saturating_sub(start);
        let mut out = Vec::new();
        for base in self.descriptor_entries(map) {
            let word = |k: u64| self.mem.read_u64(base + 8 * k).map(Tagged::from_word);
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
    /// [`Model::property_slots`] gives without names. `body` is the object's bytes from its start
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
                        .or_else(|| self.mem.read_u64(obj + off));
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
        let start = u64::from(self.mem.read_u8(map.addr + self.off.map_inobject_start)?);
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

    /// [`Model::properties`]; with `names` false, slots with a key leave `name` empty (the
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
                .read_u64(base + 8 * o.desc_key)
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
                .read_u64(base + 8 * o.desc_details)
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
                    .read_u64(base + 8 * o.desc_value)
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

    /// A property key as V8's snapshot names property edges: strings as they are, symbols as
    /// `<symbol description>`.
    pub fn edge_key_text(&self, k: u64) -> Option<String> {
        let t = self.type_of(k)?;
        if Some(t) == self.types.symbol {
            let d = self.symbol_description(k);
            return Some(if d.is_empty() {
                "<symbol>".to_string()
            } else {
                format!("<symbol {d}>")
            });
        }
        self.key_text(k)
    }

    /// A property key as text: strings as they are, symbols as `Symbol(description)`.
    /// Whether `k` can be a property key (a string or a symbol), as [`Model::key_text`] decides
    /// without reading it.
    pub fn is_key(&self, k: u64) -> bool {
        self.type_of(k).is_some_and(|t| {
            matches!(self.v8.shapes.kind(t), Kind::String(_)) || Some(t) == self.types.symbol
        })
    }

    pub fn key_text(&self, k: u64) -> Option<String> {
        let t = self.type_of(k)?;
        if let Kind::String(_) = self.v8.shapes.kind(t) {
            return self.string(k, 256).map(|s| s.text);
        }
        if Some(t) == self.types.symbol {
            return Some(format!("Symbol({})", self.symbol_description(k)));
        }
        None
    }

    /// A symbol's description (empty when it has none).
    fn symbol_description(&self, symbol: u64) -> String {
        self.ptr(symbol, self.off.symbol_name)
            .and_then(|d| self.string(d, 256))
            .map(|s| s.text)
            .unwrap_or_default()
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
                    .read_u64(h + self.off.heap_number_value)
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
                match self.mem.read_u64(store + off) {
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

    /// Entries of a `Map` or `Set` (its `OrderedHashMap`/`OrderedHashSet` table): key, and value
    /// for maps. At most `limit`.
    pub fn collection_entries(
        &self,
        obj: u64,
        limit: usize,
    ) -> (Vec<(Tagged, Option<Tagged>)>, u64) {
        let mut out = Vec::new();
        // JSCollection: map, properties, elements, table.
        let Some(table) = self.ptr(obj, 24) else {
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

    /// A `Date`'s time value (ms since the epoch), NaN for invalid dates.
    pub fn date_value(&self, obj: u64) -> Option<f64> {
        if self.v8.layout.objects.date_value_is_double {
            return self
                .mem
                .read_u64(obj + self.off.date_value)
                .map(f64::from_bits);
        }
        match self.field(obj, self.off.date_value)? {
            Tagged::Smi(v) => Some(f64::from(v)),
            Tagged::Object(h) if self.type_of(h) == self.types.heap_number => self
                .mem
                .read_u64(h + self.off.heap_number_value)
                .map(f64::from_bits),
            _ => None,
        }
    }

    /// The script name and 1-based line and column where the function at `f` starts.
    pub fn function_location(&self, f: u64) -> Option<Location> {
        let sfi = self.function_sfi(f)?;
        let script = self.ptr(sfi, self.off.sfi_script)?;
        if self.type_of(script) != self.types.script {
            return None;
        }
        let name = self
            .ptr(script, self.off.script_name)
            .filter(|&n| self.is_string(n))
            .map(|n| self.short_string(n, 4096))
            .unwrap_or_default();
        let start = self.sfi_start_position(sfi)?;
        let source_off = self.v8.metadata.class_offset("Script", "source")?;
        let source = self.ptr(script, source_off)?;
        let text = self.string(source, start as usize + 1)?;
        let units: Vec<u16> = text.text.encode_utf16().take(start as usize).collect();
        let line = units.iter().filter(|&&c| c == u16::from(b'\n')).count() as u64 + 1;
        let column = units
            .iter()
            .rev()
            .take_while(|&&c| c != u16::from(b'\n'))
            .count() as u64
            + 1;
        Some(Location {
            script: name,
            line,
            column,
        })
    }

    /// The script that defines the function at `f` and the function's start position in it.
    pub fn function_script(&self, f: u64) -> Option<(u64, u64)> {
        self.sfi_script(self.function_sfi(f)?)
    }

    /// The script of a shared function info and the function's start position in it.
    pub fn sfi_script(&self, sfi: u64) -> Option<(u64, u64)> {
        let script = self.ptr(sfi, self.off.sfi_script)?;
        if self.type_of(script) != self.types.script {
            return None;
        }
        Some((script, self.sfi_start_position(sfi)?))
    }

    /// A script's id and line ends as V8 computes them (`String::CalculateLineEnds`): the
    /// position, in UTF-16 units, of each line terminator (`\n`, a `\r` not followed by `\n`,
    /// U+2028, U+2029), then the source's length. None for a script without a source string.
    pub fn script_lines(&self, script: u64) -> Option<ScriptLines> {
        let ends_off = self.v8.metadata.class_offset("Script", "line_ends")?;
        // The script id follows its line ends (script.tq, V8 11.3 to 14.6).
        let id = u32::try_from(self.smi(script, ends_off + 8)?).ok()?;
        let source_off = self.v8.metadata.class_offset("Script", "source")?;
        let source = self.ptr(script, source_off)?;
        let len = self.mem.read_u32(source + self.off.string_length)? as usize;
        let text = self.string(source, len.min(MAX_SOURCE))?;
        let units: Vec<u16> = text.text.encode_utf16().collect();
        let mut ends = Vec::new();
        for (i, &c) in units.iter().enumerate() {
            let terminator = match c {
                0x0a | 0x2028 | 0x2029 => true,
                0x0d => units.get(i + 1) != Some(&0x0a),
                _ => false,
            };
            if terminator {
                ends.push(i as u32);
            }
        }
        ends.push(units.len() as u32);
        let name = self
            .v8
            .metadata
            .class_offset("Script", "name")
            .and_then(|off| self.ptr(script, off))
            .filter(|&n| self.is_string(n))
            .map(|n| self.short_string(n, 4096));
        Some(ScriptLines { id, name, ends })
    }

    /// The address of the source string of the script that defines the function at `f`.
    pub fn function_source(&self, f: u64) -> Option<u64> {
        let sfi = self.function_sfi(f)?;
        let script = self.ptr(sfi, self.off.sfi_script)?;
        if self.type_of(script) != self.types.script {
            return None;
        }
        let source_off = self.v8.metadata.class_offset("Script", "source")?;
        self.ptr(script, source_off).filter(|&s| self.is_string(s))
    }

    /// `SharedFunctionInfo::StartPosition()`: from the scope info's position info when compiled,
    /// else from the uncompiled data.
    fn sfi_start_position(&self, sfi: u64) -> Option<u64> {
        // name_or_scope_info: a ScopeInfo once compiled; a name, or Smi 0 for no name, before.
        if let Some(v) = self.ptr(sfi, self.off.sfi_name) {
            if self.type_of(v) == self.types.scope_info {
                if let Some(pos) = self.scope_info(v).and_then(|f| f.position) {
                    if let Some(p) = self.smi(v, pos) {
                        return u64::try_from(p).ok();
                    }
                }
            }
        }
        // Uncompiled functions: function_data is an UncompiledData with start/end positions.
        let data_off = self
            .v8
            .metadata
            .class_offset("SharedFunctionInfo", "function_data")
            .unwrap_or(8);
        let data = self.ptr(sfi, data_off)?;
        let class = self.type_of(data).and_then(|t| self.v8.types.name(t))?;
        if class.starts_with("UncompiledData") {
            let off = self
                .v8
                .metadata
                .class_offset("UncompiledData", "start_position")?;
            return self.mem.read_u32(data + off).map(u64::from);
        }
        None
    }

    /// V8 14 keeps some context variables in a `ContextCell` (map, tagged value, ...): its value.
    fn unwrap_context_cell(&self, v: Tagged) -> Tagged {
        if let Tagged::Object(a) = v {
            let class = self.type_of(a).and_then(|t| self.v8.types.name(t));
            if class == Some("ContextCell") {
                return self.field(a, 8).unwrap_or(v);
            }
        }
        v
    }

    /// The variables of a function context: names from its scope info, values from its slots.
    pub fn context_variables(&self, ctx: u64, limit: usize) -> Vec<Slot> {
        self.context_slots(ctx, limit, true)
    }

    /// Context variables with their raw slot values (`ContextCell`s not unwrapped) when
    /// `unwrap` is false.
    pub fn context_slots(&self, ctx: u64, limit: usize, unwrap: bool) -> Vec<Slot> {
        let mut out = Vec::new();
        let Some(scope) = self.ptr(ctx, 16) else {
            return out;
        };
        if self.type_of(scope) != self.types.scope_info {
            return out;
        }
        let Some(f) = self.scope_info(scope) else {
            return out;
        };
        let min_slots = self.v8.metadata.constant("context_min_slots").unwrap_or(2) as u64;
        let header = min_slots + u64::from(f.has_context_extension_slot);
        for i in 0..f.context_local_count.min(limit as u64) {
            let name = f
                .local_names
                .and_then(|n| self.ptr(scope, n + 8 * i))
                .and_then(|n| self.string(n, 256))
                .map_or_else(|| format!("<local {i}>"), |s| s.text);
            if let Some(v) = self.field(ctx, 16 + 8 * (header + i)) {
                let v = if unwrap {
                    self.unwrap_context_cell(v)
                } else {
                    v
                };
                out.push(Slot {
                    name,
                    value: SlotValue::Tagged(v),
                    key: 0,
                    double: false,
                    in_object: None,
                });
            }
        }
        out
    }
}
