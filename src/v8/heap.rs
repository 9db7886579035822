//! Finding V8's heap pages in a core and grouping them into spaces.
//!
//! Every page (regular or large) starts at a `page_size`-aligned address. We look at each aligned
//! address of each captured segment and accept it as a page when its header (or, from V8 13, the
//! metadata object it points to) satisfies the layout's invariants: a back-pointer equal to the
//! page address where the version has one, an object area inside the page, a size that is a whole
//! number of OS pages, and a `Heap*`. Pages are then grouped by `Heap*` (one per isolate) and by
//! owner space, whose C++ class (vtable symbol), `AllocationSpace` id and committed-bytes counter
//! are read from the space object.

use super::layout::{space_name_for_class, HeaderKind, Layout};
use super::map::meta_map_of;
use super::Runtime;
use crate::error::{Error, Result, Warning};
use crate::memory::{Memory, Range};
use std::collections::BTreeMap;

/// Largest page we accept (a large-object page can be big, but not absurd).
const MAX_PAGE: u64 = 1 << 36;
/// The object area starts within this many bytes of the page start (header + guard pages).
const MAX_HEADER: u64 = 0x10000;

/// One heap page.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Page {
    pub addr: u64,
    pub size: u64,
    pub flags: u64,
    pub heap: u64,
    pub area_start: u64,
    pub area_end: u64,
    pub allocated_bytes: u64,
    pub wasted_memory: u64,
    pub high_water_mark: u64,
    pub owner: u64,
}

/// Per-space totals, in the vocabulary of `v8.getHeapSpaceStatistics()`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SpaceStats {
    /// `getHeapSpaceStatistics()` name (`old_space`...), or `unknown_space@0x...`.
    pub name: String,
    /// V8's C++ class of the space object (from its vtable), when known.
    pub class: Option<String>,
    /// `AllocationSpace` id read from the space object.
    pub id: Option<u32>,
    /// Pages found.
    pub pages: usize,
    /// Sum of the sizes of the pages found.
    pub page_bytes: u64,
    /// Committed bytes: V8's own counter from the space object when readable, else `page_bytes`.
    pub committed: u64,
    /// Where `committed` came from: `space` (V8's counter) or `pages`.
    pub committed_source: &'static str,
    /// Bytes in use: allocated bytes of the pages (semi-spaces: up to their high water mark).
    pub used: u64,
    /// Addresses of the space objects that own these pages.
    #[serde(skip)]
    pub owners: Vec<u64>,
}

/// The pages and spaces of one isolate's heap.
#[derive(Clone, Debug)]
pub struct Heap {
    /// Address of V8's `Heap` object (shared by all of the isolate's pages).
    pub heap_address: u64,
    /// Name of the layout used.
    pub layout_name: &'static str,
    /// Pages of this heap (read-only pages included), sorted by address.
    pub pages: Vec<Page>,
    /// Spaces, in V8's `AllocationSpace` order where known.
    pub spaces: Vec<SpaceStats>,
    /// `Heap*` values of other isolates (e.g. worker threads) whose pages were also seen.
    pub other_isolates: Vec<(u64, usize)>,
    /// Problems that did not stop discovery.
    pub warnings: Vec<Warning>,
}

impl Heap {
    /// The space a page belongs to.
    pub fn space_of(&self, page: &Page) -> Option<&SpaceStats> {
        self.spaces.iter().find(|s| s.owners.contains(&page.owner))
    }

    /// Find the heap of the process's main isolate (the one with the most pages) in the ranges
    /// of `mem`. `class_of` names the C++ class of a vtable address (from the executable's
    /// symbols), to tell the spaces apart.
    pub fn discover(
        v8: &Runtime,
        mem: &impl Memory,
        class_of: &dyn Fn(u64) -> Option<String>,
    ) -> Result<Heap> {
        let layout = &v8.layout;
        let ranges = mem.ranges();
        let pages = scan_pages(layout, &ranges, mem);
        let mut by_heap: BTreeMap<u64, usize> = BTreeMap::new();
        for p in pages.iter().filter(|p| p.heap != 0) {
            *by_heap.entry(p.heap).or_default() += 1;
        }
        let (&heap_address, _) = by_heap.iter().max_by_key(|(_, &n)| n).ok_or_else(|| {
            Error::NoHeap(format!(
                "no page matched the {} page layout in {} memory ranges",
                layout.name,
                ranges.len()
            ))
        })?;
        let other_isolates: Vec<(u64, usize)> = by_heap
            .iter()
            .filter(|(&h, _)| h != heap_address)
            .map(|(&h, &n)| (h, n))
            .collect();
        let mut warnings = Vec::new();
        if !other_isolates.is_empty() {
            warnings.push(Warning::partial(format!(
                "{} other isolate(s) found (worker threads?); reporting the one with the most pages",
                other_isolates.len()
            )));
        }
        let pages: Vec<Page> = pages
            .into_iter()
            .filter(|p| p.heap == heap_address || is_read_only(layout, p))
            .collect();
        let spaces = group_spaces(v8, &pages, heap_address, mem, class_of, &mut warnings);
        // Self-check: V8's own count of a space's committed bytes is what its pages add up to.
        let missing: Vec<String> = spaces
            .iter()
            .filter(|s| s.committed_source == "space" && s.page_bytes < s.committed)
            .map(|s| format!("{} of {}", s.committed - s.page_bytes, s.name))
            .collect();
        if !missing.is_empty() {
            warnings.push(Warning::partial(format!(
                "heap pages not found (bytes V8 counts as committed that no page found covers: {}); \
                 objects on them are missing",
                missing.join(", ")
            )));
        }
        Ok(Heap {
            heap_address,
            layout_name: layout.name,
            pages,
            spaces,
            other_isolates,
            warnings,
        })
    }
}

fn is_read_only(layout: &Layout, p: &Page) -> bool {
    p.heap == 0 && p.flags & layout.page.flag_read_only != 0
}

/// Every page of every isolate in `ranges`, sorted by address.
pub fn scan_pages(layout: &Layout, ranges: &[Range], mem: &impl Memory) -> Vec<Page> {
    let align = layout.page_size;
    let mut out = Vec::new();
    for r in ranges.iter().filter(|r| r.len >= 16) {
        let end = r.end();
        let Some(mut a) = r.start.checked_add(align - 1).map(|x| x & !(align - 1)) else {
            continue;
        };
        while a < end {
            match read_page(layout, mem, a) {
                Some(p) => {
                    out.push(p);
                    // Skip the rest of this page (large pages span many alignment units).
                    let next = a.saturating_add(p.size.max(align));
                    a = next
                        .checked_add(align - 1)
                        .map_or(u64::MAX, |x| x & !(align - 1));
                }
                None => a = a.saturating_add(align),
            }
        }
    }
    out.sort_by_key(|p| p.addr);
    out.dedup_by_key(|p| p.addr);
    out
}

/// Decode and validate the page header at `a`, or `None` when `a` does not start a page.
pub fn read_page(layout: &Layout, mem: &impl Memory, a: u64) -> Option<Page> {
    let l = &layout.page;
    let base = match l.header {
        HeaderKind::Inline => a,
        HeaderKind::OutOfLine { metadata_ptr } => mem.read_u64(a.checked_add(metadata_ptr)?)?,
    };
    let field = |off: u64| mem.read_u64(base.checked_add(off)?);
    if let Some(off) = l.self_ptr {
        if field(off)? != a {
            return None;
        }
    }
    let p = Page {
        addr: a,
        flags: mem.read_u64(a.checked_add(l.flags)?)?,
        size: field(l.size)?,
        heap: field(l.heap)?,
        area_start: field(l.area_start)?,
        area_end: field(l.area_end)?,
        allocated_bytes: field(l.allocated_bytes)?,
        wasted_memory: field(l.wasted_memory)?,
        high_water_mark: field(l.high_water_mark)?,
        owner: field(l.owner)?,
    };
    let end = a.checked_add(p.size)?;
    let plausible = p.size >= 0x1000
        && p.size <= MAX_PAGE
        && p.size.is_multiple_of(0x1000)
        && p.area_start > a
        && p.area_start - a < MAX_HEADER
        && p.area_start <= p.area_end
        && p.area_end <= end
        // A large page shrunk to a trimmed object keeps its larger allocated byte count: the
        // count is a test only where no self pointer vouches for the header (V8 11.3).
        && (l.self_ptr.is_some() || p.allocated_bytes <= p.size)
        && p.high_water_mark <= p.size
        && p.heap.is_multiple_of(8)
        && p.owner.is_multiple_of(8)
        && (p.heap != 0 || p.flags & l.flag_read_only != 0);
    plausible.then_some(p)
}

fn group_spaces(
    v8: &Runtime,
    pages: &[Page],
    heap: u64,
    mem: &impl Memory,
    class_of: &dyn Fn(u64) -> Option<String>,
    warnings: &mut Vec<Warning>,
) -> Vec<SpaceStats> {
    let layout = &v8.layout;
    let mut owners: BTreeMap<u64, Vec<&Page>> = BTreeMap::new();
    for p in pages {
        owners.entry(p.owner).or_default().push(p);
    }
    let mut spaces: BTreeMap<String, SpaceStats> = BTreeMap::new();
    for (owner, pages) in owners {
        let read_only = pages.iter().all(|p| is_read_only(layout, p));
        // A space object is trusted only when it points back at our heap.
        let valid = owner != 0 && mem.read_u64_at(owner, layout.space.heap) == Some(heap);
        let class = valid
            .then(|| mem.read_u64(owner).and_then(class_of))
            .flatten();
        let id = valid
            .then(|| mem.read_u32_at(owner, layout.space.id))
            .flatten();
        let by_class = class.as_deref().and_then(space_name_for_class);
        let by_id = id.and_then(|i| layout.space_name(i));
        if let (Some(c), Some(i)) = (by_class, by_id) {
            if c != i {
                warnings.push(Warning::note(format!(
                    "space at {owner:#x}: class {} says {c}, id {} says {i}; using {c}",
                    class.as_deref().unwrap_or("?"),
                    id.unwrap_or(0)
                )));
            }
        }
        let name = by_class
            .or(by_id)
            .map(str::to_string)
            .or_else(|| read_only.then(|| "read_only_space".to_string()))
            .unwrap_or_else(|| format!("unknown_space@{owner:#x}"));
        let page_bytes: u64 = pages.iter().map(|p| p.size).sum();
        let counter = valid
            .then(|| mem.read_u64_at(owner, layout.space.committed))
            .flatten()
            .filter(|&c| c <= MAX_PAGE.saturating_mul(64));
        let semi = name == "new_space";
        let used: u64 = pages
            .iter()
            .map(|p| {
                if semi {
                    // Semi-space pages do not keep allocated_bytes; the high water mark (an offset
                    // from the page start) bounds what was allocated.
                    p.high_water_mark
                        .saturating_sub(p.area_start - p.addr)
                        .min(p.area_end - p.area_start)
                } else {
                    // A large page shrunk to a trimmed object still counts what it held.
                    p.allocated_bytes.min(p.area_end - p.area_start)
                }
            })
            .sum();
        let entry = spaces.entry(name.clone()).or_insert_with(|| SpaceStats {
            name,
            class: class.clone(),
            id,
            pages: 0,
            page_bytes: 0,
            committed: 0,
            committed_source: "space",
            used: 0,
            owners: Vec::new(),
        });
        entry.owners.push(owner);
        entry.pages += pages.len();
        entry.page_bytes += page_bytes;
        entry.used += used;
        match counter {
            Some(c) => entry.committed += c,
            None => {
                entry.committed += page_bytes;
                entry.committed_source = "pages";
            }
        }
    }
    let order = |s: &SpaceStats| {
        layout
            .space_names
            .iter()
            .position(|n| *n == s.name)
            .unwrap_or(usize::MAX)
    };
    let mut out: Vec<SpaceStats> = spaces.into_values().collect();
    out.sort_by_key(|s| (order(s), s.name.clone()));
    out
}

/// Read-only pages that [`Heap::discover`] does not list (V8 ≥ 13 keeps their metadata in a
/// different class): every page-aligned address of `mem`'s ranges, not already a page of `heap`,
/// whose header passes `read_only_page`.
pub fn extra_read_only_pages(
    v8: &Runtime,
    heap: &Heap,
    mem: &impl Memory,
    meta_maps: &[u64],
) -> Vec<Page> {
    let page_size = v8.layout.page_size;
    let mut extra = Vec::new();
    if !matches!(v8.layout.page.header, HeaderKind::OutOfLine { .. }) {
        return extra;
    }
    for r in mem.ranges().iter().filter(|r| r.len >= 16) {
        let mut next = r
            .start
            .checked_add(page_size - 1)
            .map(|a| a & !(page_size - 1));
        while let Some(a) = next.filter(|&a| a < r.end()) {
            let known = heap.pages.binary_search_by_key(&a, |p| p.addr).is_ok();
            if !known {
                if let Some(p) = read_only_page(v8, mem, a, meta_maps) {
                    extra.push(p);
                }
            }
            next = a.checked_add(page_size);
        }
    }
    extra
}

/// A read-only page of V8 ≥ 13 (`flags, metadata*` header) whose metadata is a
/// `ReadOnlyPageMetadata`: no chunk back-pointer, but area start and end at the offsets the layout
/// gives. Accepted only with the read-only flag, an 8-aligned object area inside the page, and a
/// first object whose map's map is one of the heap's meta maps (malloc'd memory can look like a
/// page header by chance).
fn read_only_page(v8: &Runtime, mem: &impl Memory, page: u64, meta_maps: &[u64]) -> Option<Page> {
    let l = &v8.layout.page;
    let HeaderKind::OutOfLine { metadata_ptr } = l.header else {
        return None;
    };
    let flags = mem.read_u64_at(page, l.flags)?;
    if flags & l.flag_read_only == 0 {
        return None;
    }
    let meta = mem.read_u64_at(page, metadata_ptr)?;
    let area_start = mem.read_u64(meta.checked_add(l.area_start)?)?;
    let area_end = mem.read_u64(meta.checked_add(l.area_end)?)?;
    let plausible = area_start > page
        && area_start - page < 0x10000
        && area_start < area_end
        && area_start % 8 == 0
        && area_end % 8 == 0
        && area_end - page <= 16 * v8.layout.page_size
        && meta_map_of(mem, area_start).is_some_and(|m| meta_maps.contains(&m));
    plausible.then_some(Page {
        addr: page,
        size: area_end - page,
        flags,
        heap: 0,
        area_start,
        area_end,
        allocated_bytes: area_end - area_start,
        wasted_memory: 0,
        high_water_mark: area_end - page,
        owner: 0,
    })
}
