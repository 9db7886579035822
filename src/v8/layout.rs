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
}

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
    space_names: &[
        "read_only_space",
        "new_space",
        "old_space",
        "code_space",
        "map_space",
        "shared_space",
        "large_object_space",
        "code_large_object_space",
        "new_large_object_space",
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
    ..V8_13_6
};

/// The layout table: (major, minor) each entry was verified on, and the entry.
const TABLE: &[((u32, u32), Layout)] = &[
    ((11, 3), V8_11_3),
    ((12, 4), V8_12_4),
    ((13, 6), V8_13_6),
    ((14, 6), V8_14_6),
];

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
