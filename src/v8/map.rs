//! Tagged values and V8 `Map`s: the first word of every heap object, and what it says about the
//! object (instance type, fixed size, bit fields, prototype, constructor).

use super::Runtime;
use crate::memory::Memory;

/// A tagged word as V8 stores it without pointer compression: a Smi (low bit 0, value in the upper
/// 32 bits) or a heap object pointer (low bits `01`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tagged {
    /// A small integer.
    Smi(i32),
    /// The address of a heap object (tag removed).
    Object(u64),
    /// A weak reference to a heap object (low bits `11`, tag removed).
    Weak(u64),
}

impl Tagged {
    /// Decode a raw word.
    pub fn from_word(w: u64) -> Tagged {
        match w & 3 {
            1 => Tagged::Object(w - 1),
            3 => Tagged::Weak(w - 3),
            _ => Tagged::Smi((w as i64 >> 32) as i32),
        }
    }

    /// The object address for strong and weak references.
    pub fn object(self) -> Option<u64> {
        match self {
            Tagged::Object(a) | Tagged::Weak(a) => Some(a),
            Tagged::Smi(_) => None,
        }
    }
}

/// Offsets in `Map`, from the postmortem metadata.
#[derive(Clone, Copy, Debug)]
pub struct MapOffsets {
    pub instance_type: u64,
    pub instance_size_in_words: u64,
    pub bit_field: u64,
    pub bit_field2: u64,
    pub bit_field3: u64,
    pub prototype: u64,
    pub constructor_or_back_pointer: u64,
    pub instance_descriptors: u64,
}

impl MapOffsets {
    /// Read the offsets from `v8`'s metadata; `None` names nothing but means the build lacks one.
    pub fn new(v8: &Runtime) -> Option<MapOffsets> {
        let m = &v8.metadata;
        Some(MapOffsets {
            instance_type: m.map_instance_type,
            instance_size_in_words: m.class_offset("Map", "instance_size_in_words")?,
            bit_field: m.class_offset("Map", "bit_field")?,
            bit_field2: m.class_offset("Map", "bit_field2")?,
            bit_field3: m.class_offset("Map", "bit_field3")?,
            prototype: m.class_offset("Map", "prototype")?,
            constructor_or_back_pointer: m.class_offset("Map", "constructor_or_back_pointer")?,
            instance_descriptors: m.class_offset("Map", "instance_descriptors")?,
        })
    }
}

/// The decoded fields of one `Map`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapInfo {
    /// Address of the map itself.
    pub addr: u64,
    pub instance_type: u16,
    /// Instance size in bytes; 0 means the size varies per object (`kVariableSizeSentinel`).
    pub instance_size: u32,
    pub bit_field: u8,
    pub bit_field2: u8,
    pub bit_field3: u32,
    pub prototype: u64,
    pub constructor_or_back_pointer: u64,
    pub instance_descriptors: u64,
}

impl MapInfo {
    /// Decode the map at `addr`; `None` when any field is unreadable.
    pub fn read(off: &MapOffsets, mem: &impl Memory, addr: u64) -> Option<MapInfo> {
        Some(MapInfo {
            addr,
            instance_type: mem.read_u16(addr.checked_add(off.instance_type)?)?,
            instance_size: u32::from(mem.read_u8(addr.checked_add(off.instance_size_in_words)?)?)
                * 8,
            bit_field: mem.read_u8(addr.checked_add(off.bit_field)?)?,
            bit_field2: mem.read_u8(addr.checked_add(off.bit_field2)?)?,
            bit_field3: mem.read_u32(addr.checked_add(off.bit_field3)?)?,
            prototype: mem.read_u64(addr.checked_add(off.prototype)?)?,
            constructor_or_back_pointer: mem
                .read_u64(addr.checked_add(off.constructor_or_back_pointer)?)?,
            instance_descriptors: mem.read_u64(addr.checked_add(off.instance_descriptors)?)?,
        })
    }
}

/// The meta map reached from the object at `obj`: its map's map, which must be its own map.
/// Returns `None` when the chain does not end in such a fixed point within two steps.
pub fn meta_map_of(mem: &impl Memory, obj: u64) -> Option<u64> {
    let map = Tagged::from_word(mem.read_u64(obj)?).object()?;
    let meta = Tagged::from_word(mem.read_u64(map)?).object()?;
    let meta_of_meta = Tagged::from_word(mem.read_u64(meta)?).object()?;
    (meta_of_meta == meta).then_some(meta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::{Region, Regions};

    #[test]
    fn tagged_words_decode_smis_and_pointers() {
        assert_eq!(Tagged::from_word(42u64 << 32), Tagged::Smi(42));
        assert_eq!(Tagged::from_word((-7i64 << 32) as u64), Tagged::Smi(-7));
        assert_eq!(Tagged::from_word(0x1001), Tagged::Object(0x1000));
        assert_eq!(Tagged::from_word(0x1003), Tagged::Weak(0x1000));
        assert_eq!(Tagged::from_word(0x1003).object(), Some(0x1000));
    }

    #[test]
    fn meta_map_is_the_fixed_point_of_map_of() {
        // object@0x100 -> map@0x200 -> meta@0x300 -> meta
        let mut b = vec![0u8; 0x400];
        b[0x100..0x108].copy_from_slice(&0x201u64.to_le_bytes());
        b[0x200..0x208].copy_from_slice(&0x301u64.to_le_bytes());
        b[0x300..0x308].copy_from_slice(&0x301u64.to_le_bytes());
        let m = Regions::new(vec![Region {
            start: 0,
            data: &b,
            writable: true,
        }]);
        assert_eq!(meta_map_of(&m, 0x100), Some(0x300));
        // Break the fixed point: meta's map points elsewhere.
        b[0x300..0x308].copy_from_slice(&0x201u64.to_le_bytes());
        let m = Regions::new(vec![Region {
            start: 0,
            data: &b,
            writable: true,
        }]);
        assert_eq!(meta_map_of(&m, 0x100), None);
    }
}
