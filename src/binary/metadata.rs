//! V8's postmortem metadata: the `v8dbg_*` data symbols whose contents are layout constants.
//!
//! Families (as V8's `gen-postmortem-metadata.py` names them): `type_<Class>__<INSTANCE_TYPE>`,
//! `class_<Class>__<field>__<type>`, `parent_<Class>__<Parent>`, `frametype_*`, `prop_*`, and
//! plain constants (`HeapObjectTag`, `SmiShiftSize`, ...). The set differs between versions, so
//! callers ask for what they need and get `None` (or a named error) when it is absent.

use super::Executable;
use crate::error::{Error, Result};
use std::collections::{BTreeMap, HashMap};

/// All `v8dbg_*` constants of one executable, plus the few that every layer needs, checked.
#[derive(Clone, Debug)]
pub struct Metadata {
    /// Every constant by its name without the `v8dbg_` prefix.
    pub raw: BTreeMap<String, i64>,
    /// Instance type numbers by V8 name (`JS_OBJECT_TYPE` → 1057).
    pub instance_types: HashMap<String, u16>,
    /// Offset of the map word in every heap object.
    pub heap_object_map: u64,
    /// Offset of `Map::instance_type` (u16).
    pub map_instance_type: u64,
    /// Low bits of a tagged pointer that mark a heap object (usually 1).
    pub heap_object_tag: u64,
    /// Mask for [`Self::heap_object_tag`].
    pub heap_object_tag_mask: u64,
    /// Total shift of a Smi's payload (`SmiShiftSize + kSmiTagSize`; 32 without pointer compression).
    pub smi_shift: u32,
    /// Size of a tagged slot in bytes.
    pub tagged_size: u64,
}

impl Metadata {
    /// Read every `v8dbg_*` symbol of `exe`. Fails with [`Error::NotNode`] when there are none, and
    /// with [`Error::MissingMetadata`] naming the first required constant that is absent.
    pub fn read(exe: &Executable) -> Result<Metadata> {
        let mut raw = BTreeMap::new();
        for (name, sym) in exe.symbols_with_prefix("v8dbg_") {
            let size = sym.size.clamp(1, 8);
            let Some(bytes) = exe.read_static_value(sym.addr, size) else {
                continue;
            };
            let value = match bytes.len() {
                1 => bytes[0] as i8 as i64,
                2 => i16::from_le_bytes([bytes[0], bytes[1]]) as i64,
                4 => i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as i64,
                8 => i64::from_le_bytes(bytes[..8].try_into().unwrap_or([0; 8])),
                _ => continue,
            };
            raw.insert(name["v8dbg_".len()..].to_string(), value);
        }
        if raw.is_empty() {
            return Err(Error::NotNode {
                exe: exe.path().to_owned(),
            });
        }
        Self::from_raw(raw, exe.path())
    }

    /// Build from already-read constants (also used by tests with synthetic tables).
    pub fn from_raw(raw: BTreeMap<String, i64>, exe: &std::path::Path) -> Result<Metadata> {
        let missing = |what: &str| Error::MissingMetadata {
            exe: exe.to_owned(),
            what: what.to_string(),
        };
        let instance_types = raw
            .iter()
            .filter_map(|(k, &v)| {
                let rest = k.strip_prefix("type_")?;
                let (_, ty) = rest.split_once("__")?;
                Some((ty.to_string(), u16::try_from(v).ok()?))
            })
            .collect();
        let class = |class: &str, field: &str| -> Result<u64> {
            class_offset(&raw, class, field)
                .ok_or_else(|| missing(&format!("offset {class}::{field}")))
        };
        let constant = |name: &str| -> Result<i64> {
            raw.get(name)
                .copied()
                .ok_or_else(|| missing(&format!("constant {name}")))
        };
        let m = Metadata {
            heap_object_map: class("HeapObject", "map")?,
            map_instance_type: class("Map", "instance_type")?,
            heap_object_tag: constant("HeapObjectTag")? as u64,
            heap_object_tag_mask: constant("HeapObjectTagMask")? as u64,
            smi_shift: (constant("SmiShiftSize")? + 1) as u32,
            tagged_size: raw.get("TaggedSize").copied().unwrap_or(8) as u64,
            instance_types,
            raw,
        };
        Ok(m)
    }

    /// Offset of `Class::field`, whatever type suffix the metadata gives it.
    pub fn class_offset(&self, class: &str, field: &str) -> Option<u64> {
        class_offset(&self.raw, class, field)
    }

    /// An instance type number by its V8 name, e.g. `MAP_TYPE`.
    pub fn instance_type(&self, name: &str) -> Option<u16> {
        self.instance_types.get(name).copied()
    }

    /// A plain constant, e.g. `OddballNull`.
    pub fn constant(&self, name: &str) -> Option<i64> {
        self.raw.get(name).copied()
    }
}

fn class_offset(raw: &BTreeMap<String, i64>, class: &str, field: &str) -> Option<u64> {
    let prefix = format!("class_{class}__{field}__");
    raw.range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .map(|(_, &v)| v)
        .next()
        .and_then(|v| u64::try_from(v).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(entries: &[(&str, i64)]) -> BTreeMap<String, i64> {
        entries.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn typed_fields_come_from_their_symbols() {
        let raw = table(&[
            ("class_HeapObject__map__Map", 0),
            ("class_Map__instance_type__uint16_t", 12),
            ("HeapObjectTag", 1),
            ("HeapObjectTagMask", 3),
            ("SmiShiftSize", 31),
            ("type_Map__MAP_TYPE", 178),
        ]);
        let m = Metadata::from_raw(raw, std::path::Path::new("node")).expect("complete table");
        assert_eq!(m.map_instance_type, 12);
        assert_eq!(m.smi_shift, 32);
        assert_eq!(m.instance_type("MAP_TYPE"), Some(178));
        assert_eq!(m.class_offset("Map", "instance_type"), Some(12));
        assert_eq!(
            m.class_offset("Map", "instance"),
            None,
            "prefix must end at __"
        );
    }

    #[test]
    fn missing_required_constant_is_named() {
        let raw = table(&[("class_HeapObject__map__Map", 0)]);
        let err = Metadata::from_raw(raw, std::path::Path::new("node")).unwrap_err();
        assert!(
            err.to_string().contains("Map::instance_type"),
            "error was: {err}"
        );
    }
}
