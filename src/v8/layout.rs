//! Per-version knowledge of V8 layouts that the postmortem metadata does not carry: page headers and
//! space objects. One table, selected once from the V8 version; the rest of the code asks the table.

/// Where a page's bookkeeping fields live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderKind {
    /// In the page itself (`MemoryChunk`/`BasicMemoryChunk`, V8 ≤ 12.x).
    Inline,
    /// In a separate `MemoryChunkMetadata` object (C++ heap) that the page's header points to at
    /// this offset (V8 ≥ 13.0: the page starts with `flags, metadata*`).
    OutOfLine { metadata_ptr: u64 },
}

/// Byte offsets of a page's bookkeeping fields. `flags` is relative to the page; the others to the
/// header ([`HeaderKind::Inline`]) or to the metadata object ([`HeaderKind::OutOfLine`]).
#[derive(Clone, Copy, Debug)]
pub struct PageLayout {
    pub header: HeaderKind,
    pub flags: u64,
    /// A field that holds the page's own address (a back-pointer), when the version has one.
    pub self_ptr: Option<u64>,
    pub size: u64,
    pub heap: u64,
    pub area_start: u64,
    pub area_end: u64,
    pub allocated_bytes: u64,
    pub wasted_memory: u64,
    pub high_water_mark: u64,
    pub owner: u64,
    /// `MemoryChunk::READ_ONLY_HEAP` flag bit.
    pub flag_read_only: u64,
}

/// Offsets in V8's `BaseSpace` (after the vtable): `heap_`, `id_` (AllocationSpace, 32-bit),
/// `committed_` (bytes, the number `v8.getHeapSpaceStatistics()` reports as `space_size`).
#[derive(Clone, Copy, Debug)]
pub struct SpaceLayout {
    pub heap: u64,
    pub id: u64,
    pub committed: u64,
}

/// Everything version-specific that the heap layer needs.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    /// Human name, e.g. `"V8 12.4"`.
    pub name: &'static str,
    /// Regular page size (and alignment of every page, large ones included).
    pub page_size: u64,
    pub page: PageLayout,
    pub space: SpaceLayout,
    /// `AllocationSpace` enum: value → `getHeapSpaceStatistics()` name.
    pub space_names: &'static [&'static str],
    /// Object layouts not in the metadata.
    pub objects: ObjectLayout,
    /// Where stack decoding finds positions (fields the metadata does not give).
    pub frames: FrameLayout,
}

/// Fields for turning a frame into a script position, not in the metadata. Checked on cores of
/// crashes at known lines (tests/stack.rs).
#[derive(Clone, Copy, Debug)]
pub struct FrameLayout {
    /// `BytecodeArray::source_position_table`.
    pub bytecode_source_positions: u64,
    /// `Code`'s source position table (optimized code) or bytecode offset table (baseline).
    pub code_position_table: u64,
    /// `Code`'s deoptimization data (optimized code).
    pub code_deopt_data: u64,
    /// `Code::flags` (u32) and `Code::instruction_start`, when the metadata lacks them (11.3).
    pub code_flags: u64,
    pub code_instruction_start: u64,
    /// Source position tables encode each code offset with one more low bit (V8 14).
    pub positions_v2: bool,
}

const FRAMES_11_3: FrameLayout = FrameLayout {
    bytecode_source_positions: 32,
    code_position_table: 24,
    code_deopt_data: 16,
    code_flags: 48,
    code_instruction_start: 40,
    positions_v2: false,
};

const FRAMES_12_4: FrameLayout = FrameLayout {
    bytecode_source_positions: 24,
    code_position_table: 16,
    code_deopt_data: 8,
    code_flags: 48,
    code_instruction_start: 40,
    positions_v2: false,
};

const SPACE: SpaceLayout = SpaceLayout {
    heap: 8,
    id: 16,
    committed: 24,
};

/// V8 11.3 (Node 20): `BasicMemoryChunk` with `size_` first.
/// Read from src/heap/basic-memory-chunk.h and memory-chunk.h at 11.3; checked on Node 20 cores.
const V8_11_3: Layout = Layout {
    name: "V8 11.3",
    page_size: 0x40000,
    page: PageLayout {
        header: HeaderKind::Inline,
        size: 0,
        flags: 8,
        self_ptr: None,
        heap: 16,
        area_start: 24,
        area_end: 32,
        allocated_bytes: 40,
        wasted_memory: 48,
        high_water_mark: 56,
        owner: 64,
        flag_read_only: 1 << 6,
    },
    space: SPACE,
    objects: OBJECTS_11_3,
    frames: FRAMES_11_3,
    space_names: &[
        "read_only_space",
        "new_space",
        "old_space",
        "code_space",
        "shared_space",
        "new_large_object_space",
        "large_object_space",
        "code_large_object_space",
        "shared_large_object_space",
    ],
};

/// V8 12.4 (Node 22): `MemoryChunk` starting with `flags_` and a self pointer.
const V8_12_4: Layout = Layout {
    name: "V8 12.4",
    page_size: 0x40000,
    page: PageLayout {
        header: HeaderKind::Inline,
        flags: 0,
        self_ptr: Some(8),
        size: 16,
        heap: 24,
        area_start: 32,
        area_end: 40,
        allocated_bytes: 48,
        wasted_memory: 56,
        high_water_mark: 64,
        owner: 72,
        flag_read_only: 1 << 6,
    },
    space: SPACE,
    objects: OBJECTS_12_4,
    frames: FRAMES_12_4,
    space_names: &[
        "read_only_space",
        "new_space",
        "old_space",
        "code_space",
        "shared_space",
        "trusted_space",
        "new_large_object_space",
        "large_object_space",
        "code_large_object_space",
        "shared_large_object_space",
        "trusted_large_object_space",
    ],
};

/// V8 13.6 and 14.6 (Node 24, 26): the page holds `flags, metadata*`; `MutablePageMetadata` holds
/// the rest (vtable, chunk back-pointer, size, allocated, wasted, high water mark, ..., area_end,
/// heap, area_start, owner).
const V8_13_6: Layout = Layout {
    name: "V8 13.6",
    page_size: 0x40000,
    page: PageLayout {
        header: HeaderKind::OutOfLine { metadata_ptr: 8 },
        flags: 0,
        self_ptr: Some(8),
        size: 16,
        allocated_bytes: 24,
        wasted_memory: 32,
        high_water_mark: 40,
        area_end: 56,
        heap: 64,
        area_start: 72,
        owner: 80,
        flag_read_only: 1 << 6,
    },
    space: SPACE,
    objects: OBJECTS_13_6,
    frames: FrameLayout {
        code_flags: 52,
        ..FRAMES_12_4
    },
    space_names: &[
        "read_only_space",
        "new_space",
        "old_space",
        "code_space",
        "shared_space",
        "trusted_space",
        "shared_trusted_space",
        "new_large_object_space",
        "large_object_space",
        "code_large_object_space",
        "shared_large_object_space",
        "shared_trusted_large_object_space",
        "trusted_large_object_space",
    ],
};

const V8_14_6: Layout = Layout {
    name: "V8 14.6",
    page: PageLayout {
        // The read-only page's flags are 0x400 here (0x40 up to 13.6).
        flag_read_only: 1 << 10,
        ..V8_13_6.page
    },
    objects: ObjectLayout {
        scope_info: ScopeInfoLayout::RawFlags {
            header: 48,
            function_slot: true,
        },
        hole_size: Some(8 + (1 << 16)),
        private_symbol_mask: 3,
        script_host_options_after_lazy: 40,
        ..OBJECTS_13_6
    },
    frames: FrameLayout {
        positions_v2: true,
        ..V8_13_6.frames
    },
    ..V8_13_6
};

/// The layout table: (major, minor) each entry was verified on, and the entry.
const TABLE: &[((u32, u32), Layout)] = &[
    ((11, 3), V8_11_3),
    ((12, 4), V8_12_4),
    ((13, 6), V8_13_6),
    ((14, 6), V8_14_6),
];

/// Object layouts the metadata does not give (header sizes of variable-sized objects), for builds
/// without pointer compression. `None` means "not known for this version": objects of that class
/// are then counted as undecodable rather than guessed.
#[derive(Clone, Copy, Debug)]
pub struct ObjectLayout {
    /// `ByteArray` header (map + length).
    pub byte_array_header: u64,
    /// `BytecodeArray::kHeaderSize`.
    pub bytecode_header: Option<u64>,
    /// `FeedbackVector::kHeaderSize` (slots follow, 8 bytes each; the slot count is an int32 at +8).
    pub feedback_vector_header: Option<u64>,
    /// Feedback slot kinds packed per 32-bit word in `FeedbackMetadata`.
    pub feedback_slots_per_word: Option<u64>,
    /// Where `InstructionStream`'s body size (instructions + metadata, u32) is.
    pub instruction_body: InstructionBody,
    /// `InstructionStream::kHeaderSize` (instructions and metadata follow).
    pub instruction_header: u64,
    /// `FeedbackMetadata` has a u16 parameter count per closure-creation slot (V8 ≥ 13).
    pub feedback_closure_parameter_counts: bool,
    /// Code object alignment.
    pub code_alignment: u64,
    /// How `ScopeInfo` is sized.
    pub scope_info: ScopeInfoLayout,
    /// `FreeSpace`'s Smi size counts tagged words (V8 ≥ 13), not bytes.
    pub free_space_in_words: bool,
    /// Bytes after a variable-sized `NativeContext`'s slots (the raw microtask-queue pointer).
    pub native_context_extra: u64,
    /// Instance types the code-derived table misses on this version (e.g. cases V8 handles before
    /// its switch), by class name.
    pub extra_types: &'static [(u16, &'static str)],
    /// Size of `WasmNull` when its map says "variable" (just the map word, 11.3–13.6).
    pub wasm_null_size: Option<u64>,
    /// Size of a `Hole` with a variable-size map (V8 14.6: the map word, then a 64 KiB guard
    /// region that is never mapped readable; measured from consecutive holes in read-only space).
    pub hole_size: Option<u64>,
    /// V8's snapshot types `CodeWrapper`/`BytecodeWrapper` nodes as code (V8 ≥ 13; hidden on
    /// 12.4).
    pub wrappers_are_code: bool,
    /// V8's snapshot names oddballs by their value (`undefined`, `true`...; V8 ≥ 13), not
    /// `system / Oddball`.
    pub oddballs_by_value: bool,
    /// V8's snapshot gives objects in read-only space size 0 (V8 ≥ 13: they are shared by all
    /// isolates).
    pub read_only_size_zero: bool,
    /// V8's snapshot counts an external string's characters in its size (V8 ≥ 13).
    pub external_string_payload: bool,
    /// `JSDate::value` is a raw float64 (V8 ≥ 13; the metadata still calls it tagged).
    pub date_value_is_double: bool,
    /// The entries of a `DeoptimizationData` that V8's snapshot tags as code: frame
    /// translation, literal array, inlining positions.
    pub deopt_tagged: [u64; 3],
    /// `Script::host_defined_options`, in bytes after `compiled_lazy_function_positions`
    /// (flags, source URL, source mapping URL and, from V8 14, a debug id come between).
    pub script_host_options_after_lazy: u64,
    /// `BytecodeArray::constant_pool`.
    pub bytecode_constant_pool: u64,
    /// The bits of `Symbol::flags` that make a symbol private.
    pub private_symbol_mask: u32,
    /// A function's code is a 32-bit handle into the JS dispatch table at this offset, not a
    /// pointer (V8 ≥ 13, leaptiering).
    pub function_dispatch_handle: Option<u64>,
    /// Classes laid out as capacity (Smi at +8), length (Smi at +16), other fields, then
    /// `capacity` slots on this version: (class, header bytes before the slots).
    pub capacity_arrays: &'static [(&'static str, u64)],
}

/// Where an `InstructionStream` keeps its body size.
#[derive(Clone, Copy, Debug)]
pub enum InstructionBody {
    /// In the stream itself, at this offset.
    Own(u64),
    /// In its `Code` object (pointer at `code` in the stream): the instruction size (u32) at
    /// `offset` plus the metadata size (u32) after it (V8 11.3: `Code::body_size()`).
    InCode { code: u64, offset: u64 },
}

/// `ScopeInfo` sizing (its Torque layout): a header, then variable parts whose presence the flags
/// word says. Bit positions are those of `ScopeFlags`.
#[derive(Clone, Copy, Debug)]
pub enum ScopeInfoLayout {
    /// V8 ≤ 12: flags, parameter_count and context_local_count are Smis at +8/+16/+24; the
    /// position info (two Smis) is optional. `module_count_first`: a module scope's variable count
    /// follows the header (12.4) rather than its module info near the end (11.3).
    SmiFlags {
        module_count_first: bool,
    },
    /// V8 ≥ 13: flags are a raw u32 at +8; the header (with the position info) is `header` bytes.
    /// With `function_slot`, function scopes carry one more slot (V8 14.6; measured on real cores:
    /// with it every ScopeInfo ends where the next object starts).
    RawFlags {
        header: u64,
        function_slot: bool,
    },
    Unknown,
}

/// `kScopeInfoMaxInlinedLocalNamesSize`: from this many context locals on, the names move to a
/// hash table (one slot).
const MAX_INLINED_LOCAL_NAMES: u64 = 75;

/// Where a `ScopeInfo`'s parts are, as byte offsets from its start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScopeInfoFields {
    pub flags: u64,
    pub scope_type: u64,
    pub parameter_count: u64,
    pub context_local_count: u64,
    /// Inlined context-local names (`context_local_count` slots), when inlined.
    pub local_names: Option<u64>,
    /// The names hash table slot, when not inlined.
    pub local_names_table: Option<u64>,
    pub local_infos: u64,
    /// Name slot of the function variable info (the function's own name).
    pub function_name: Option<u64>,
    pub inferred_name: Option<u64>,
    pub outer_scope_info: Option<u64>,
    /// Start and end source positions (two Smis), when present.
    pub position: Option<u64>,
    /// Whether contexts of this scope have an extension slot after the two fixed ones.
    pub has_context_extension_slot: bool,
    pub size: u64,
}

impl ObjectLayout {
    /// The size of the `ScopeInfo` at `addr`.
    pub fn scope_info_size(&self, mem: &impl crate::memory::Memory, addr: u64) -> Option<u64> {
        self.scope_info_fields(mem, addr).map(|f| f.size)
    }

    /// Decode the layout of the `ScopeInfo` at `addr`.
    pub fn scope_info_fields(
        &self,
        mem: &impl crate::memory::Memory,
        addr: u64,
    ) -> Option<ScopeInfoFields> {
        let smi = |off: u64| -> Option<u64> {
            let w = mem.read_u64_at(addr, off)?;
            (w & 1 == 0 && w >> 63 == 0).then_some(w >> 32)
        };
        let bit = |flags: u64, b: u32| (flags >> b) & 1 == 1;
        let smi_flags = matches!(self.scope_info, ScopeInfoLayout::SmiFlags { .. });
        let (flags, header, module_type, tail) = match self.scope_info {
            ScopeInfoLayout::SmiFlags { .. } => (smi(8)?, 32, 3, 0),
            ScopeInfoLayout::RawFlags {
                header,
                function_slot,
            } => {
                let flags = u64::from(mem.read_u32_at(addr, 8)?);
                let tail = if function_slot && flags & 0xf == 4 {
                    8
                } else {
                    0
                };
                (flags, header, 5, tail)
            }
            ScopeInfoLayout::Unknown => return None,
        };
        let scope_type = flags & 0xf;
        let is_module = scope_type == module_type;
        let locals = smi(24)?;
        let mut f = ScopeInfoFields {
            flags,
            scope_type,
            parameter_count: smi(16)?,
            context_local_count: locals,
            ..Default::default()
        };
        if !smi_flags {
            f.position = Some(32);
        }
        f.has_context_extension_slot = bit(flags, 26);
        let count_first = !matches!(
            self.scope_info,
            ScopeInfoLayout::SmiFlags {
                module_count_first: false
            }
        );
        let mut at = header;
        let mut module_count_at = at;
        if is_module && count_first {
            at += 8; // module_variable_count
        }
        // Names (inlined, or one hash table), then one info per local.
        if locals < MAX_INLINED_LOCAL_NAMES {
            f.local_names = Some(at);
            at += 8 * locals;
        } else {
            f.local_names_table = Some(at);
            at += 8;
        }
        f.local_infos = at;
        at += 8 * locals;
        if bit(flags, 10) {
            at += 8; // saved_class_variable_info
        }
        if (flags >> 12) & 3 != 0 {
            f.function_name = Some(at);
            at += 16; // function_variable_info: name, slot
        }
        if bit(flags, 14) {
            f.inferred_name = Some(at);
            at += 8;
        }
        if smi_flags {
            // CLASS 0, EVAL 1, FUNCTION 2, MODULE 3, SCRIPT 4, SHADOW_REALM 8; empty scope
            // infos have none.
            let empty = bit(flags, 29);
            if matches!(scope_type, 1..=4 | 8) || (scope_type == 0 && !empty) {
                f.position = Some(at);
                at += 16; // position_info
            }
        }
        if bit(flags, 22) {
            f.outer_scope_info = Some(at);
            at += 8;
        }
        if smi_flags && bit(flags, 28) {
            at += 8; // locals_block_list
        }
        if is_module {
            at += 8; // module_info
            if !count_first {
                module_count_at = at;
                at += 8;
            }
            let count = smi(module_count_at)?;
            at += 24 * count; // (name, index, properties) per variable
        }
        if !smi_flags && bit(flags, 4) {
            at += 8; // dependent_code, when sloppy eval can extend the scope's variables (V8 ≥ 13)
        }
        f.size = at + tail;
        Some(f)
    }
}

const OBJECTS_11_3: ObjectLayout = ObjectLayout {
    bytecode_header: Some(54),
    bytecode_constant_pool: 16,
    instruction_body: InstructionBody::InCode {
        code: 8,
        offset: 56,
    },
    instruction_header: 16,
    scope_info: ScopeInfoLayout::SmiFlags {
        module_count_first: false,
    },
    feedback_vector_header: Some(56),
    ..OBJECTS_BASE
};
const OBJECTS_12_4: ObjectLayout = ObjectLayout {
    bytecode_header: Some(64),
    feedback_vector_header: Some(56),
    scope_info: ScopeInfoLayout::SmiFlags {
        module_count_first: true,
    },
    capacity_arrays: &[
        ("ArrayList", 24),
        ("ScriptContextTable", 32),
        ("ObjectBoilerplateDescription", 32),
        // V8 ≥ 12: length, capture register count, last subject, last input, then captures.
        ("RegExpMatchInfo", 40),
    ],
    ..OBJECTS_BASE
};
const OBJECTS_13_6: ObjectLayout = ObjectLayout {
    bytecode_header: Some(64),
    feedback_vector_header: Some(48),
    free_space_in_words: true,
    scope_info: ScopeInfoLayout::RawFlags {
        header: 48,
        function_slot: false,
    },
    extra_types: &[(129, "BigIntBase")],
    feedback_closure_parameter_counts: true,
    date_value_is_double: true,
    external_string_payload: true,
    read_only_size_zero: true,
    oddballs_by_value: true,
    wrappers_are_code: true,
    function_dispatch_handle: Some(24),
    // A protected literal array comes before the literal array from V8 13 on.
    deopt_tagged: [0, 3, 8],
    capacity_arrays: &[
        ("ArrayList", 24),
        ("ScriptContextTable", 32),
        ("ObjectBoilerplateDescription", 32),
        // V8 ≥ 12: length, capture register count, last subject, last input, then captures.
        ("RegExpMatchInfo", 40),
    ],
    ..OBJECTS_BASE
};
const OBJECTS_BASE: ObjectLayout = ObjectLayout {
    byte_array_header: 16,
    bytecode_header: None,
    feedback_vector_header: None,
    feedback_slots_per_word: Some(6),
    instruction_body: InstructionBody::Own(24),
    instruction_header: 32,
    feedback_closure_parameter_counts: false,
    code_alignment: 64,
    scope_info: ScopeInfoLayout::Unknown,
    free_space_in_words: false,
    native_context_extra: 8,
    extra_types: &[],
    capacity_arrays: &[],
    date_value_is_double: false,
    function_dispatch_handle: None,
    deopt_tagged: [0, 2, 7],
    script_host_options_after_lazy: 32,
    // After the length, the bytecode wrapper, source positions and handler table (V8 ≥ 12).
    bytecode_constant_pool: 40,
    private_symbol_mask: 1,
    external_string_payload: false,
    read_only_size_zero: false,
    oddballs_by_value: false,
    wrappers_are_code: false,
    wasm_null_size: Some(8),
    hole_size: None,
};

/// The layout for V8 `major.minor`: the exact entry when there is one; otherwise the newest entry of
/// the same major that is not newer, with a warning that the version was not verified. `None` when
/// the major version is unknown.
pub fn for_version(major: u32, minor: u32) -> Option<(Layout, Option<String>)> {
    if let Some((_, l)) = TABLE.iter().find(|(v, _)| *v == (major, minor)) {
        return Some((*l, None));
    }
    let (_, l) = TABLE
        .iter()
        .filter(|((ma, mi), _)| *ma == major && *mi <= minor)
        .max_by_key(|(v, _)| *v)
        .or_else(|| TABLE.iter().find(|((ma, _), _)| *ma == major))?;
    Some((
        *l,
        Some(format!(
            "V8 {major}.{minor} is not in the layout table; using the {} layout (unverified)",
            l.name
        )),
    ))
}

impl Layout {
    /// The `getHeapSpaceStatistics()` name of an `AllocationSpace` value.
    pub fn space_name(&self, id: u32) -> Option<&'static str> {
        self.space_names.get(id as usize).copied()
    }
}

/// The `getHeapSpaceStatistics()` name for a V8 space class (from the space object's vtable symbol).
pub fn space_name_for_class(class: &str) -> Option<&'static str> {
    Some(match class {
        "OldSpace" => "old_space",
        "SemiSpace"
        | "NewSpace"
        | "SemiSpaceNewSpace"
        | "PagedNewSpace"
        | "PagedSpaceForNewSpace" => "new_space",
        "CodeSpace" => "code_space",
        "MapSpace" => "map_space",
        "SharedSpace" => "shared_space",
        "TrustedSpace" => "trusted_space",
        "SharedTrustedSpace" => "shared_trusted_space",
        "OldLargeObjectSpace" => "large_object_space",
        "NewLargeObjectSpace" => "new_large_object_space",
        "CodeLargeObjectSpace" => "code_large_object_space",
        "SharedLargeObjectSpace" => "shared_large_object_space",
        "TrustedLargeObjectSpace" => "trusted_large_object_space",
        "SharedTrustedLargeObjectSpace" => "shared_trusted_large_object_space",
        "ReadOnlySpace" => "read_only_space",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_versions_have_no_warning_and_neighbours_do() {
        let (l, w) = for_version(12, 4).expect("12.4 known");
        assert_eq!(l.name, "V8 12.4");
        assert!(w.is_none());
        let (l, w) = for_version(12, 9).expect("12.x falls back");
        assert_eq!(l.name, "V8 12.4");
        assert!(w.expect("warning").contains("unverified"));
        assert!(for_version(9, 4).is_none());
    }

    #[test]
    fn space_names_follow_each_versions_enum() {
        assert_eq!(V8_11_3.space_name(6), Some("large_object_space"));
        assert_eq!(V8_13_6.space_name(8), Some("large_object_space"));
        assert_eq!(V8_13_6.space_name(5), Some("trusted_space"));
        assert_eq!(space_name_for_class("SemiSpace"), Some("new_space"));
    }
}
