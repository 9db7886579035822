//! A synthetic V8 heap: objects laid out in code, in pages with valid headers, readable through
//! [`Memory`](crate::memory::Memory) like a core's. Tests build the input and run the real decoding code on it (page
//! discovery, the walk, the model), as rust-minidump's `synth_minidump` does for minidumps.
//!
//! The heap is V8 11.3's (Node 20) without pointer compression: the runtime is made from the
//! tables of [`tables`] (a mirror of that version's postmortem metadata and instance types) and
//! the 11.3 entry of the layout table. A read-only page holds the meta map, the maps of V8's
//! internal classes, the oddballs, the empty arrays and `Symbol.toStringTag`, as V8's read-only
//! space does; everything built afterwards goes to old-space pages (objects above V8's regular
//! object size limit to large-object pages). Every page's unused tail is covered by a filler, so
//! a page walks from its first object to its end.
//!
//! Each builder method returns the address of the object it placed (tag removed). The builder
//! never panics on what it is given: writes outside its own memory are dropped, and sizes come
//! from its own arithmetic (with saturation where inputs could overflow it).

mod arrays;
mod collections;
mod functions;
mod objects;
mod roots;
mod strings;
pub mod tables;
#[cfg(test)]
mod tests;

pub use collections::Entry;
pub use functions::{Closure, ScopeSpec, ScopeType};
pub use objects::{DictSlot, Elem, ElementsKind, MapSpec, ObjectMap, PropKind};

use super::isolate::Isolate;
use super::layout::HeaderKind;
use super::map::Tagged;
use super::roots::RootSources;
use super::types::TypeNames;
use super::Runtime;
use crate::binary::metadata::Metadata;
use crate::error::Result;
use crate::memory::{Region, Regions};
use std::collections::BTreeMap;
use tables::v8;

/// The read-only page; old-space pages follow it.
pub const READ_ONLY_PAGE: u64 = 0x1e00_0000_0000;
/// C++ memory outside the heap: the `Heap`, space objects, external strings' resources and
/// characters, allocation area descriptors.
pub const CXX_BASE: u64 = 0x5600_0000_0000;
/// The `Heap*` every page of the isolate names.
pub const HEAP_ADDRESS: u64 = CXX_BASE + 0x1000;
/// Fake vtable addresses of the space objects ([`class_of`] names them).
pub const VTABLE_OLD_SPACE: u64 = 0x5555_0000_1010;
pub const VTABLE_LO_SPACE: u64 = 0x5555_0000_2010;
/// Objects larger than this go to a large-object page (`kMaxRegularHeapObjectSize`).
pub const MAX_REGULAR_OBJECT: u64 = 0x20000;
/// The largest object the builder makes (larger requests are cut to it).
pub const MAX_BUILT_OBJECT: u64 = 1 << 32;

/// One object the builder placed (fillers included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placed {
    pub addr: u64,
    pub size: u64,
    pub instance_type: u16,
}

/// A page the builder made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageInfo {
    pub addr: u64,
    pub size: u64,
    pub area_start: u64,
    pub area_end: u64,
    /// The end of the objects placed (the unused tail's filler starts there).
    pub top: u64,
    pub read_only: bool,
    /// A large-object page (one object).
    pub large: bool,
}

/// Objects every heap has, made by [`SynthHeap::new`] in the read-only page.
#[derive(Clone, Copy, Debug, Default)]
pub struct Roots {
    pub meta_map: u64,
    pub undefined: u64,
    pub null: u64,
    pub the_hole: u64,
    pub true_value: u64,
    pub false_value: u64,
    pub nan: u64,
    pub empty_string: u64,
    pub empty_fixed_array: u64,
    pub empty_descriptor_array: u64,
    /// `Symbol.toStringTag` (its description is that text).
    pub to_string_tag: u64,
    pub free_space_map: u64,
    pub one_pointer_filler_map: u64,
    pub two_pointer_filler_map: u64,
}

struct SynthPage {
    addr: u64,
    data: Vec<u8>,
    area_start: u64,
    area_end: u64,
    /// Where the next object goes.
    top: u64,
    read_only: bool,
    large: bool,
}

/// A V8 heap under construction (see the module documentation).
pub struct SynthHeap {
    v8: Runtime,
    pages: Vec<SynthPage>,
    /// The page new objects go to.
    current: usize,
    next_page: u64,
    cxx: Vec<u8>,
    placed: Vec<Placed>,
    roots: Roots,
    /// Maps of V8's internal classes by (instance type, instance size).
    maps: BTreeMap<(u16, u32), u64>,
    /// Internalized strings by text (the string table).
    names: BTreeMap<String, u64>,
    /// `JSArray` maps by elements kind, function maps by instance type.
    array_maps: BTreeMap<u8, u64>,
    function_maps: BTreeMap<u16, u64>,
    native_context: u64,
    empty_scope_info: u64,
    old_space: u64,
    lo_space: u64,
}

/// The word V8 stores for a tagged value.
pub fn word(v: Tagged) -> u64 {
    match v {
        Tagged::Smi(i) => (i64::from(i) as u64) << 32,
        Tagged::Object(a) => a | 1,
        Tagged::Weak(a) => a | 3,
    }
}

/// A tagged pointer to the object at `addr`.
pub fn obj(addr: u64) -> Tagged {
    Tagged::Object(addr)
}

/// A Smi.
pub fn smi(v: i32) -> Tagged {
    Tagged::Smi(v)
}

/// The C++ class of the builder's fake vtables (what `Heap::discover` asks the executable).
pub fn class_of(vtable: u64) -> Option<String> {
    match vtable {
        VTABLE_OLD_SPACE => Some("OldSpace".into()),
        VTABLE_LO_SPACE => Some("OldLargeObjectSpace".into()),
        _ => None,
    }
}

/// `FixedArray::kMaxLength`: longer arrays are cut to it.
const MAX_ARRAY_LENGTH: usize = (1 << 27) - 1;

/// A Smi, saturated to V8's 31-bit-safe range of lengths.
fn len_smi(n: u64) -> Tagged {
    smi(i32::try_from(n).unwrap_or(i32::MAX))
}

/// Bytes of a regular page's object area.
const PAGE_AREA: u64 = v8::PAGE_SIZE - v8::AREA_START;

fn align8(v: u64) -> u64 {
    v.saturating_add(7) & !7
}

impl Default for SynthHeap {
    fn default() -> Self {
        Self::new()
    }
}

impl SynthHeap {
    /// A heap with its read-only page (meta map, internal maps, oddballs, empty arrays,
    /// `Symbol.toStringTag`) and one empty old-space page.
    pub fn new() -> SynthHeap {
        let v8 = runtime();
        let mut h = SynthHeap {
            v8,
            pages: Vec::new(),
            current: 0,
            next_page: READ_ONLY_PAGE,
            cxx: vec![0; 0x2000],
            placed: Vec::new(),
            roots: Roots::default(),
            maps: BTreeMap::new(),
            names: BTreeMap::new(),
            array_maps: BTreeMap::new(),
            function_maps: BTreeMap::new(),
            native_context: 0,
            empty_scope_info: 0,
            old_space: 0,
            lo_space: 0,
        };
        h.old_space = h.space_object(VTABLE_OLD_SPACE, v8::OLD_SPACE);
        h.lo_space = h.space_object(VTABLE_LO_SPACE, v8::LO_SPACE);
        h.current = h.add_page(v8::PAGE_SIZE, true, false);
        h.read_only_roots();
        h.current = h.add_page(v8::PAGE_SIZE, false, false);
        h
    }

    /// The runtime the heap is decoded with.
    pub fn runtime(&self) -> &Runtime {
        &self.v8
    }

    /// The heap's well-known objects.
    pub fn roots(&self) -> Roots {
        self.roots
    }

    /// The memory: every page and the C++ region.
    pub fn memory(&self) -> Regions<'_> {
        let mut regions: Vec<Region<'_>> = self
            .pages
            .iter()
            .map(|p| Region {
                start: p.addr,
                data: &p.data,
                writable: true,
            })
            .collect();
        regions.push(Region {
            start: CXX_BASE,
            data: &self.cxx,
            writable: true,
        });
        Regions::new(regions)
    }

    /// Open the heap in `mem` (from [`SynthHeap::memory`]) the way a core's is opened.
    pub fn open<'a>(&'a self, mem: &'a Regions<'a>) -> Result<Isolate<'a, Regions<'a>>> {
        Isolate::open(&self.v8, mem, &class_of, RootSources::default())
    }

    /// Every object placed, fillers of the pages' unused tails included, by address.
    pub fn objects(&self) -> Vec<Placed> {
        let mut out = self.placed.clone();
        for p in &self.pages {
            if let Some(f) = self.tail_filler(p) {
                out.push(f);
            }
        }
        out.sort_by_key(|p| p.addr);
        out
    }

    /// The placed object at `addr`, when there is one.
    pub fn placed(&self, addr: u64) -> Option<Placed> {
        self.objects().into_iter().find(|p| p.addr == addr)
    }

    /// Every page made, by address.
    pub fn pages(&self) -> Vec<PageInfo> {
        self.pages
            .iter()
            .map(|p| PageInfo {
                addr: p.addr,
                size: p.data.len() as u64,
                area_start: p.area_start,
                area_end: p.area_end,
                top: p.top,
                read_only: p.read_only,
                large: p.large,
            })
            .collect()
    }

    /// Leave `bytes` (rounded up to words, at most a page's object area) of zeros between
    /// objects, as snapshot-deserialized pages and fresh allocation areas have. Returns the gap's
    /// address.
    pub fn zero_gap(&mut self, bytes: u64) -> u64 {
        self.reserve(align8(bytes.clamp(8, PAGE_AREA)))
    }

    /// Leave `bytes` (rounded up to words) of unused linear allocation area: non-zero bytes that
    /// are no object, with the `LinearAllocationArea {start, top, limit}` descriptor that names
    /// them in C++ memory. Returns the area's address (`top`).
    pub fn unused_area(&mut self, bytes: u64) -> u64 {
        let len = align8(bytes.clamp(8, PAGE_AREA));
        let top = self.reserve(len);
        if let Some(b) = self.bytes_mut(top, len) {
            b.fill(0xab);
        }
        let lab = self.cxx_alloc(24);
        for (i, v) in [top, top, top.saturating_add(len)].into_iter().enumerate() {
            self.put_u64(lab + 8 * i as u64, v);
        }
        top
    }

    /// Overwrite bytes of the heap or of C++ memory (to damage a heap on purpose). False when
    /// they are not all in the builder's memory (nothing is written then).
    pub fn write(&mut self, addr: u64, bytes: &[u8]) -> bool {
        match self.bytes_mut(addr, bytes.len() as u64) {
            Some(b) => {
                b.copy_from_slice(bytes);
                true
            }
            None => false,
        }
    }

    /// Overwrite a tagged word (see [`SynthHeap::write`]).
    pub fn write_tagged(&mut self, addr: u64, v: Tagged) -> bool {
        self.write(addr, &word(v).to_le_bytes())
    }

    /// Bytes of the builder's memory, when they are all in it.
    pub fn read(&self, addr: u64, len: u64) -> Option<&[u8]> {
        self.bytes(addr, len)
    }

    /// Bytes of C++ memory (e.g. an embedder's string data): their address.
    pub fn cxx_bytes(&mut self, bytes: &[u8]) -> u64 {
        let a = self.cxx_alloc(bytes.len() as u64);
        if let Some(b) = self.bytes_mut(a, bytes.len() as u64) {
            b.copy_from_slice(bytes);
        }
        a
    }

    // ---- allocation ----

    /// Room for an object of `size` bytes and type `itype`, zeroed and recorded.
    fn alloc(&mut self, size: u64, itype: u16) -> u64 {
        let size = align8(size.clamp(8, MAX_BUILT_OBJECT));
        let addr = self.reserve(size);
        self.placed.push(Placed {
            addr,
            size,
            instance_type: itype,
        });
        addr
    }

    /// `size` bytes of a page's object area (a fresh page when the current one is full, a large
    /// page for large sizes), zeroed; the page's tail filler moves past them.
    fn reserve(&mut self, size: u64) -> u64 {
        let idx = if size > MAX_REGULAR_OBJECT {
            self.add_page(size, false, true)
        } else {
            let fits = |p: &SynthPage| p.area_end - p.top >= size;
            if !fits(&self.pages[self.current]) {
                // The read-only page only takes the roots, which fit.
                self.current = self.add_page(v8::PAGE_SIZE, false, false);
            }
            self.current
        };
        let addr = self.pages[idx].top;
        self.pages[idx].top += size;
        if let Some(b) = self.bytes_mut(addr, size) {
            b.fill(0);
        }
        self.cap_page(idx);
        addr
    }

    /// A new page of `size` bytes (a large page holds one object of `size` bytes).
    fn add_page(&mut self, size: u64, read_only: bool, large: bool) -> usize {
        let addr = self.next_page;
        let area_start = addr + v8::AREA_START;
        let len = if large {
            (v8::AREA_START + size.min(MAX_BUILT_OBJECT)).div_ceil(0x1000) * 0x1000
        } else {
            v8::PAGE_SIZE
        };
        let area_end = if large { area_start + size } else { addr + len };
        self.next_page = addr.saturating_add(len.div_ceil(v8::PAGE_SIZE) * v8::PAGE_SIZE);
        self.pages.push(SynthPage {
            addr,
            data: vec![0; len as usize],
            area_start,
            area_end,
            top: area_start,
            read_only,
            large,
        });
        let idx = self.pages.len() - 1;
        let l = self.v8.layout.page;
        let (flags, heap, owner) = if read_only {
            (l.flag_read_only, 0, 0)
        } else if large {
            (v8::LARGE_PAGE_FLAGS, HEAP_ADDRESS, self.lo_space)
        } else {
            (v8::OLD_PAGE_FLAGS, HEAP_ADDRESS, self.old_space)
        };
        // V8 11.3's header is inline (the layout table's `PageLayout`).
        debug_assert!(matches!(l.header, HeaderKind::Inline));
        if let Some(off) = l.self_ptr {
            self.put_u64(addr + off, addr);
        }
        for (off, v) in [
            (l.size, len),
            (l.flags, flags),
            (l.heap, heap),
            (l.area_start, area_start),
            (l.area_end, area_end),
            (l.owner, owner),
        ] {
            self.put_u64(addr + off, v);
        }
        if owner != 0 {
            let committed = owner + self.v8.layout.space.committed;
            let c = self.peek_u64(committed).unwrap_or(0);
            self.put_u64(committed, c + len);
        }
        self.cap_page(idx);
        idx
    }

    /// Cover the unused tail of page `idx` with a filler and update its counters.
    fn cap_page(&mut self, idx: usize) {
        let l = self.v8.layout.page;
        let p = &self.pages[idx];
        let (addr, top, area_start) = (p.addr, p.top, p.area_start);
        let filler = self.tail_filler(p);
        self.put_u64(addr + l.allocated_bytes, top - area_start);
        self.put_u64(addr + l.high_water_mark, top - addr);
        let Some(f) = filler else {
            return;
        };
        let map = if f.instance_type == tables::FREE_SPACE {
            self.roots.free_space_map
        } else {
            self.roots.one_pointer_filler_map
        };
        if map == 0 {
            return; // the fillers' maps are not made yet: the roots follow
        }
        self.put_tagged(f.addr, obj(map));
        if f.instance_type == tables::FREE_SPACE {
            self.put_tagged(f.addr + v8::FREE_SPACE_SIZE, smi(f.size as i32));
            self.put_tagged(f.addr + v8::FREE_SPACE_NEXT, smi(0));
        }
    }

    /// The filler that covers a page's unused tail.
    fn tail_filler(&self, p: &SynthPage) -> Option<Placed> {
        let size = p.area_end - p.top;
        (size > 0 && !p.large).then_some(Placed {
            addr: p.top,
            size,
            instance_type: if size >= 16 {
                tables::FREE_SPACE
            } else {
                tables::FILLER
            },
        })
    }

    /// A `BaseSpace` object in C++ memory: vtable, heap, id, committed bytes.
    fn space_object(&mut self, vtable: u64, id: u32) -> u64 {
        let s = self.cxx_alloc(64);
        let l = self.v8.layout.space;
        self.put_u64(s, vtable);
        self.put_u64(s + l.heap, HEAP_ADDRESS);
        self.put_u32(s + l.id, id);
        s
    }

    /// `len` bytes of C++ memory, 16-aligned.
    fn cxx_alloc(&mut self, len: u64) -> u64 {
        let start = (self.cxx.len() as u64).div_ceil(16) * 16;
        let end = start.saturating_add(len.max(1));
        self.cxx.resize(end as usize, 0);
        CXX_BASE + start
    }

    // ---- raw access to the builder's memory ----

    fn bytes_mut(&mut self, addr: u64, len: u64) -> Option<&mut [u8]> {
        let (start, data) = if (CXX_BASE..CXX_BASE + self.cxx.len() as u64).contains(&addr) {
            (CXX_BASE, &mut self.cxx)
        } else {
            let p = self
                .pages
                .iter_mut()
                .find(|p| p.addr <= addr && addr < p.addr + p.data.len() as u64)?;
            (p.addr, &mut p.data)
        };
        let off = usize::try_from(addr - start).ok()?;
        let end = off.checked_add(usize::try_from(len).ok()?)?;
        data.get_mut(off..end)
    }

    fn bytes(&self, addr: u64, len: u64) -> Option<&[u8]> {
        let (start, data) = if (CXX_BASE..CXX_BASE + self.cxx.len() as u64).contains(&addr) {
            (CXX_BASE, &self.cxx)
        } else {
            let p = self
                .pages
                .iter()
                .find(|p| p.addr <= addr && addr < p.addr + p.data.len() as u64)?;
            (p.addr, &p.data)
        };
        let off = usize::try_from(addr - start).ok()?;
        let end = off.checked_add(usize::try_from(len).ok()?)?;
        data.get(off..end)
    }

    fn put(&mut self, addr: u64, bytes: &[u8]) {
        if let Some(b) = self.bytes_mut(addr, bytes.len() as u64) {
            b.copy_from_slice(bytes);
        }
    }

    fn put_u64(&mut self, addr: u64, v: u64) {
        self.put(addr, &v.to_le_bytes());
    }

    fn put_u32(&mut self, addr: u64, v: u32) {
        self.put(addr, &v.to_le_bytes());
    }

    fn put_u16(&mut self, addr: u64, v: u16) {
        self.put(addr, &v.to_le_bytes());
    }

    fn put_u8(&mut self, addr: u64, v: u8) {
        self.put(addr, &[v]);
    }

    fn put_tagged(&mut self, addr: u64, v: Tagged) {
        self.put_u64(addr, word(v));
    }

    fn peek_u64(&self, addr: u64) -> Option<u64> {
        let b = self.bytes(addr, 8)?;
        Some(u64::from_le_bytes(b.try_into().ok()?))
    }

    fn peek_u32(&self, addr: u64) -> Option<u32> {
        let b = self.bytes(addr, 4)?;
        Some(u32::from_le_bytes(b.try_into().ok()?))
    }

    fn peek_u16(&self, addr: u64) -> Option<u16> {
        let b = self.bytes(addr, 2)?;
        Some(u16::from_le_bytes(b.try_into().ok()?))
    }

    fn peek_u8(&self, addr: u64) -> u8 {
        self.bytes(addr, 1).map_or(0, |b| b[0])
    }

    /// The instance type of the object at `addr`, read back from its map.
    fn type_at(&self, addr: u64) -> Option<u16> {
        let map = self.peek_u64(addr)? & !3;
        self.peek_u16(map + v8::MAP_INSTANCE_TYPE)
    }
}

/// The V8 11.3 runtime of [`tables`].
pub fn runtime() -> Runtime {
    let metadata = Metadata::from_raw(tables::metadata(), std::path::Path::new("synthetic"));
    // The table holds every required constant: `from_raw` cannot fail on it.
    let metadata = match metadata {
        Ok(m) => m,
        Err(e) => unreachable!("synthetic metadata is complete: {e}"),
    };
    let (layout, _) = match super::layout::for_version(11, 3) {
        Some(l) => l,
        None => unreachable!("V8 11.3 is in the layout table"),
    };
    Runtime::from_parts(
        metadata,
        layout,
        TypeNames::from_names(tables::type_names()),
    )
}
