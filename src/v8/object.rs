//! The size of every heap object: fixed sizes from the map, variable sizes from the object's own
//! length fields, per class (V8's `HeapObject::SizeFromMap`), for builds without pointer compression
//! (8-byte tagged words, 8-byte object alignment).

use super::layout::{InstructionBody, ObjectLayout};
use super::map::{MapInfo, Tagged};
use super::types::TypeNames;
use crate::binary::metadata::Metadata;
use crate::memory::Memory;

/// How an instance type's objects are sized and what they are, decided once per type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Size from the map (`instance_size`), nothing else known about the type.
    Fixed,
    /// A string; `seq` strings are sized by their length, others have fixed sizes.
    String(StringShape),
    /// Tagged slots after a Smi length at +8 (FixedArray, hash tables, contexts, ...).
    FixedArray,
    /// 8-byte doubles after a Smi length at +8.
    FixedDoubleArray,
    /// Bytes after a Smi length at +8.
    ByteArray,
    /// Slots after a Smi capacity at +8, a Smi length at +16 and other fields: the header size
    /// (WeakArrayList and its kin).
    CapacityArray(u64),
    /// `PropertyArray`: the length is the low bits of a Smi at +8.
    PropertyArray,
    /// Entries of three slots after a 16-bit count at +8.
    DescriptorArray,
    /// Digits after a 32-bit bitfield holding the length.
    BigInt,
    /// The size is a Smi at +8.
    FreeSpace,
    /// Context slots, then raw fields.
    NativeContext,
    /// 16-byte entries after a 32-bit count at +8 (`DoubleStringCache`).
    PairArray,
    BytecodeArray,
    FeedbackVector,
    FeedbackMetadata,
    PreparseData,
    ScopeInfo,
    InstructionStream,
    SwissNameDictionary,
    WasmNull,
    Hole,
    SloppyArgumentsElements,
    CoverageInfo,
    /// Variable-sized, and we do not know how: objects of this type cannot be walked past.
    Unknown,
}

/// The string representation and encoding, from the instance type's bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StringShape {
    pub rep: StringRep,
    pub two_byte: bool,
    pub internalized: bool,
}

/// V8's string representations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StringRep {
    Seq,
    Cons,
    External,
    Sliced,
    Thin,
}

/// Per-binary decoding tables: kind of every instance type, and the version's layouts.
#[derive(Clone, Debug)]
pub struct Shapes {
    kinds: Vec<Kind>,
    /// Version-specific offsets and header sizes.
    pub layout: ObjectLayout,
    /// `Name::length`-style offsets.
    pub string_length: u64,
    pub descriptor_header: u64,
}

impl Shapes {
    /// Classify every instance type (0..=u16::MAX) of this binary.
    pub fn new(md: &Metadata, types: &TypeNames, layout: ObjectLayout) -> Shapes {
        let first_nonstring = md.constant("FirstNonstringType").unwrap_or(0x80) as u16;
        let c = |n: &str, d: i64| md.constant(n).unwrap_or(d) as u16;
        let rep_mask = c("StringRepresentationMask", 7);
        let enc_mask = c("StringEncodingMask", 8);
        let two_byte_tag = c("TwoByteStringTag", 0);
        let not_internalized = c("NotInternalizedTag", 0x20).max(1);
        let reps = [
            (c("SeqStringTag", 0), StringRep::Seq),
            (c("ConsStringTag", 1), StringRep::Cons),
            (c("ExternalStringTag", 2), StringRep::External),
            (c("SlicedStringTag", 3), StringRep::Sliced),
            (c("ThinStringTag", 5), StringRep::Thin),
        ];
        let fixed_double = md.instance_type("FIXED_DOUBLE_ARRAY_TYPE");
        let byte_array = md.instance_type("BYTE_ARRAY_TYPE");
        let has_instruction_stream = types.type_of("InstructionStream").is_some();
        let mut kinds = vec![Kind::Fixed; 1 << 16];
        for (t, k) in kinds.iter_mut().enumerate() {
            let t = t as u16;
            if t < first_nonstring {
                if let Some(&(_, rep)) = reps.iter().find(|(tag, _)| t & rep_mask == *tag) {
                    *k = Kind::String(StringShape {
                        rep,
                        two_byte: t & enc_mask == two_byte_tag,
                        internalized: t & not_internalized == 0,
                    });
                }
                continue;
            }
            if Some(t) == fixed_double {
                *k = Kind::FixedDoubleArray;
                continue;
            }
            if Some(t) == byte_array {
                *k = Kind::ByteArray;
                continue;
            }
            let extra = layout
                .extra_types
                .iter()
                .find(|(x, _)| *x == t)
                .map(|(_, n)| *n);
            *k = match types.name(t).or(extra) {
                Some(name) if layout.capacity_arrays.iter().any(|(c, _)| *c == name) => {
                    let h = layout.capacity_arrays.iter().find(|(c, _)| *c == name);
                    Kind::CapacityArray(h.map_or(24, |(_, h)| *h))
                }
                // Before V8 11.3 the variable-sized code object was called `Code`; since the
                // split, `Code` is a fixed-size descriptor pointing to its InstructionStream.
                Some("Code") if has_instruction_stream => Kind::Fixed,
                Some(name) => kind_of_class(name),
                None => Kind::Fixed,
            };
        }
        Shapes {
            kinds,
            layout,
            string_length: md.class_offset("String", "length").unwrap_or(12),
            descriptor_header: md
                .class_offset("DescriptorArray", "header_size")
                .filter(|&h| h > 0)
                .unwrap_or(24),
        }
    }

    /// The kind of an instance type.
    pub fn kind(&self, t: u16) -> Kind {
        self.kinds[t as usize]
    }

    /// The size in bytes of the object at `addr` with map `map`, or `None` when it cannot be
    /// determined (unknown variable-sized type, unreadable length, absurd value).
    pub fn size_of(&self, mem: &impl Memory, addr: u64, map: &MapInfo) -> Option<u64> {
        let kind = self.kind(map.instance_type);
        if map.instance_size != 0 {
            return Some(u64::from(map.instance_size));
        }
        let l = &self.layout;
        let smi = |off: u64| -> Option<u64> {
            let w = mem.read_u64_at(addr, off)?;
            (w & 1 == 0).then_some(w >> 32).filter(|&v| v >> 31 == 0)
        };
        let u32_at = |off: u64| mem.read_u32_at(addr, off).map(u64::from);
        let size = match kind {
            Kind::Fixed | Kind::Unknown => return None,
            Kind::String(s) => {
                if s.rep != StringRep::Seq {
                    return None;
                }
                let len = u32_at(self.string_length)?;
                16 + if s.two_byte { 2 * len } else { len }
            }
            Kind::FixedArray | Kind::FixedDoubleArray => 16 + 8 * smi(8)?,
            Kind::ByteArray => l.byte_array_header + smi(8)?,
            Kind::CapacityArray(header) => header + 8 * smi(8)?,
            Kind::PropertyArray => 16 + 8 * (smi(8)? & 0x3ff),
            Kind::DescriptorArray => {
                let n = u64::from(mem.read_u16_at(addr, 8)?);
                self.descriptor_header + 24 * n
            }
            Kind::BigInt => 16 + 8 * ((u32_at(8)? >> 1) & 0x3fff_ffff),
            Kind::FreeSpace if l.free_space_in_words => 8 * smi(8)?,
            Kind::FreeSpace => smi(8)?,
            Kind::NativeContext => 16 + 8 * smi(8)? + l.native_context_extra,
            Kind::PairArray => 16 + 16 * u32_at(8)?,
            Kind::BytecodeArray => l.bytecode_header? + smi(8)?,
            Kind::FeedbackVector => l.feedback_vector_header? + 8 * u32_at(8)?,
            Kind::FeedbackMetadata => {
                let slots = u32_at(8)?;
                let closures = if l.feedback_closure_parameter_counts {
                    2 * u32_at(12)?
                } else {
                    0
                };
                16 + 4 * slots.div_ceil(l.feedback_slots_per_word?) + closures
            }
            Kind::PreparseData => {
                let data = u32_at(8)?;
                let children = u32_at(12)?;
                align8(16 + data) + 8 * children
            }
            Kind::ScopeInfo => l.scope_info_size(mem, addr)?,
            Kind::InstructionStream => {
                let body = match l.instruction_body {
                    InstructionBody::Own(off) => u32_at(off)?,
                    InstructionBody::InCode { code, offset } => {
                        let code = Tagged::from_word(mem.read_u64_at(addr, code)?).object()?;
                        u64::from(mem.read_u32_at(code, offset)?)
                            + u64::from(mem.read_u32_at(code, offset + 4)?)
                    }
                };
                align_to(l.instruction_header + body, l.code_alignment)
            }
            Kind::WasmNull => l.wasm_null_size?,
            Kind::Hole => l.hole_size?,
            Kind::SwissNameDictionary => {
                let capacity = u32_at(12)?;
                40 + 18 * capacity
            }
            Kind::SloppyArgumentsElements => 32 + 8 * smi(8)?,
            Kind::CoverageInfo => 16 + 16 * u32_at(8)?,
        };
        let size = align8(size);
        (8..MAX_OBJECT).contains(&size).then_some(size)
    }
}

/// No single object is larger than this (V8's limits are far below).
pub const MAX_OBJECT: u64 = 1 << 34;

fn align8(v: u64) -> u64 {
    (v + 7) & !7
}

fn align_to(v: u64, a: u64) -> u64 {
    let a = a.max(8);
    v.div_ceil(a) * a
}

/// The sizing kind of a variable-sized class, by its V8 name.
fn kind_of_class(name: &str) -> Kind {
    match name {
        // The unnamed FixedArray range: FixedArray and its subclasses (hash tables, ...).
        "" => Kind::FixedArray,
        "FixedArray"
        | "WeakFixedArray"
        | "TransitionArray"
        | "TrustedFixedArray"
        | "ProtectedFixedArray"
        | "TrustedWeakFixedArray"
        | "ProtectedWeakFixedArray"
        | "ClosureFeedbackCellArray"
        | "ScriptContextTable"
        | "ObjectBoilerplateDescription"
        | "RegExpMatchInfo"
        | "ArrayList"
        | "HashTable"
        | "OrderedHashMap"
        | "OrderedHashSet"
        | "OrderedNameDictionary"
        | "NameDictionary"
        | "GlobalDictionary"
        | "NumberDictionary"
        | "SimpleNumberDictionary"
        | "EphemeronHashTable"
        | "StringTable"
        | "RegisteredSymbolTable"
        | "NameToIndexHashTable" => Kind::FixedArray,
        "NativeContext" => Kind::NativeContext,
        "DoubleStringCache" => Kind::PairArray,
        n if n.ends_with("Context") => Kind::FixedArray,
        "EmbedderDataArray" => Kind::FixedArray,
        "FixedDoubleArray" => Kind::FixedDoubleArray,
        "ByteArray" | "TrustedByteArray" => Kind::ByteArray,
        "WeakArrayList" | "DependentCode" => Kind::CapacityArray(24),
        "PropertyArray" => Kind::PropertyArray,
        "DescriptorArray" | "StrongDescriptorArray" => Kind::DescriptorArray,
        "BigInt" | "BigIntBase" | "MutableBigInt" => Kind::BigInt,
        "FreeSpace" => Kind::FreeSpace,
        "BytecodeArray" => Kind::BytecodeArray,
        "FeedbackVector" => Kind::FeedbackVector,
        "FeedbackMetadata" => Kind::FeedbackMetadata,
        "PreparseData" => Kind::PreparseData,
        "ScopeInfo" => Kind::ScopeInfo,
        "InstructionStream" | "Code" => Kind::InstructionStream,
        "SloppyArgumentsElements" => Kind::SloppyArgumentsElements,
        "SwissNameDictionary" => Kind::SwissNameDictionary,
        "WasmNull" => Kind::WasmNull,
        "Hole" => Kind::Hole,
        "ExternalPointerArray" => Kind::FixedArray,
        "CoverageInfo" => Kind::CoverageInfo,
        // Fixed-size classes (their maps give the size); a variable-size map of a class not
        // listed here cannot be sized and is reported as undecodable.
        _ => Kind::Fixed,
    }
}
