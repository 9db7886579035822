//! Walking the objects of heap pages: from a page's first object, each object's size leads to the
//! next. A word that is not a map pointer ends the walk of a page, except where it is the start of
//! a linear allocation area (memory V8 hands out to the allocator and has not used yet): the walk
//! resumes at the area's limit.

use super::heap::{extra_read_only_pages, Heap, Page};
use super::map::{meta_map_of, MapInfo, MapOffsets, Tagged};
use super::object::Shapes;
use super::Runtime;
use crate::memory::{Memory, Range};
use rayon::prelude::*;
use std::collections::HashSet;
use std::collections::{BTreeSet, HashMap};

/// Writable ranges that hold no heap page: a LAB descriptor lives in the C++ heap, never on a
/// page.
fn off_heap_ranges<'c>(
    ranges: &'c [Range],
    heap: &'c Heap,
) -> impl Iterator<Item = (u64, u64)> + 'c {
    ranges
        .iter()
        .filter(|r| r.writable && r.len > 0)
        .filter(move |r| {
            let i = heap.pages.partition_point(|p| p.addr < r.start);
            heap.pages.get(i).is_none_or(|p| p.addr >= r.end())
        })
        .map(|r| (r.start, r.len))
}

/// One heap object.
#[derive(Clone, Copy, Debug)]
pub struct Object {
    pub addr: u64,
    pub size: u64,
    pub map: MapInfo,
}

/// Why a page's walk ended early.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Stop {
    /// A word that should be a map is not one.
    BadMap,
    /// An object of a variable-sized type we cannot size (instance type given).
    UnknownSize(u16),
    /// An object whose size runs past the page's object area.
    Overrun,
}

/// How the walk of one page went.
#[derive(Clone, Copy, Debug)]
pub struct PageWalk {
    pub page: u64,
    pub objects: usize,
    pub bytes: u64,
    /// Where and why it stopped early, when it did.
    pub stopped: Option<(u64, Stop)>,
    /// The last object before the stop (its size led there, so it is the first suspect).
    pub before: Option<Object>,
    /// Bytes of the object area left unwalked after a stop.
    pub skipped_bytes: u64,
    /// Runs of zero words stepped over between objects.
    pub zero_bytes: u64,
    /// Zero words from the last object to the end of the page: memory never allocated.
    pub unused_bytes: u64,
}

impl PageWalk {
    /// The self-check's verdict on one stop, for a warning: where, why, and the object whose size
    /// led there.
    pub fn describe_stop(&self, types: &super::types::TypeNames) -> Option<String> {
        let (at, stop) = self.stopped?;
        let type_name = |t: u16| types.name(t).unwrap_or("?").to_string();
        let why = match stop {
            Stop::BadMap => "no map where an object should start".to_string(),
            Stop::UnknownSize(t) => {
                format!("object of type {} ({t}) of unknown size", type_name(t))
            }
            Stop::Overrun => "an object runs past the end of its page".to_string(),
        };
        let after = match self.before {
            Some(o) => format!(
                ", after the {} ({}) at {:#x} sized {} bytes",
                type_name(o.map.instance_type),
                o.map.instance_type,
                o.addr,
                o.size
            ),
            None => ", at the page's first object".to_string(),
        };
        Some(format!(
            "page {:#x} at {at:#x}: {why}{after}; {} bytes not walked",
            self.page, self.skipped_bytes
        ))
    }
}

/// The self-check over a set of page walks: every page must be walked to its end (or to the
/// start of memory never allocated). A walk that stopped anywhere else lost the rest of its page:
/// one partial-result warning, naming the first stop.
pub fn stop_warning(
    walks: &[PageWalk],
    types: &super::types::TypeNames,
) -> Option<crate::error::Warning> {
    let mut stopped: Vec<&PageWalk> = walks.iter().filter(|w| w.stopped.is_some()).collect();
    stopped.sort_by_key(|w| w.stopped.map(|s| s.0));
    let first = stopped.first()?.describe_stop(types)?;
    let bytes: u64 = stopped.iter().map(|w| w.skipped_bytes).sum();
    Some(crate::error::Warning::partial(format!(
        "the walk of {} heap page(s) stopped before the page's end, {bytes} bytes not walked \
         (objects there are missing; first: {first})",
        stopped.len()
    )))
}

/// Per-thread cache of decoded maps.
pub type MapCache = crate::memory::AddrMap<Option<MapInfo>>;

/// Everything a page walk needs; shared read-only between threads.
pub struct Walker<'a, M> {
    pub mem: &'a M,
    pub shapes: &'a Shapes,
    pub offsets: MapOffsets,
    /// Maps that are their own map (one per native context plus read-only space's).
    pub meta_maps: Vec<u64>,
    /// Regular page size: pages larger than this hold one large object.
    pub page_size: u64,
    /// Unused linear allocation areas: (start, end), sorted (the walk jumps over them).
    pub holes: Vec<(u64, u64)>,
    /// Object areas of read-only pages: [start, end).
    pub read_only: Vec<(u64, u64)>,
    /// Read-only pages that page discovery did not list (V8 ≥ 13 keeps their metadata in a
    /// different class), found from the meta map that lives on them.
    pub extra_pages: Vec<Page>,
}

impl<'a, M: Memory> Walker<'a, M> {
    /// Prepare a walk of `heap`: find the meta maps from the pages' first objects.
    pub fn new(v8: &'a Runtime, heap: &Heap, mem: &'a M) -> Option<Walker<'a, M>> {
        let offsets = MapOffsets::new(v8)?;
        let mut meta: BTreeSet<u64> = BTreeSet::new();
        for p in &heap.pages {
            if let Some(m) = meta_map_of(mem, p.area_start) {
                meta.insert(m);
            }
        }
        let map_type = v8.metadata.instance_type("MAP_TYPE");
        let meta_maps: Vec<u64> = meta
            .into_iter()
            .filter(|&m| {
                MapInfo::read(&offsets, mem, m).map(|i| Some(i.instance_type)) == Some(map_type)
            })
            .collect();
        if meta_maps.is_empty() {
            return None;
        }
        let page_size = v8.layout.page_size;
        let extra_pages = extra_read_only_pages(v8, heap, mem, &meta_maps);
        let read_only = heap
            .pages
            .iter()
            .chain(&extra_pages)
            .filter(|p| p.heap == 0)
            .map(|p| (p.area_start, p.area_end))
            .collect();
        Some(Walker {
            mem,
            shapes: &v8.shapes,
            offsets,
            meta_maps,
            page_size,
            holes: Vec::new(),
            read_only,
            extra_pages,
        })
    }

    /// Whether `addr` is in the object area of a read-only page.
    pub fn in_read_only(&self, addr: u64) -> bool {
        self.read_only.iter().any(|&(s, e)| (s..e).contains(&addr))
    }

    /// Every page to walk: the heap's and the extra read-only ones.
    pub fn pages<'h>(&'h self, heap: &'h Heap) -> Vec<Page> {
        let mut v: Vec<Page> = heap
            .pages
            .iter()
            .chain(&self.extra_pages)
            .copied()
            .collect();
        v.sort_by_key(|p| p.addr);
        v
    }

    /// Find the unused parts of linear allocation areas: a `LinearAllocationArea {start, top,
    /// limit}` lives in the process's writable memory outside the heap, with all three inside
    /// one page's object area and no object at `top` (memory handed out but not used yet). The
    /// walk jumps from `top` to `limit` when it gets there; since that is only where it would
    /// stop otherwise, a stale descriptor costs nothing. No page is walked to find them.
    pub fn find_holes(&mut self, heap: &Heap)
    where
        M: Sync,
    {
        let pages = self.pages(heap);
        // Object areas by page base (pages are aligned to the regular page size).
        let areas: crate::memory::AddrMap<(u64, u64)> = pages
            .iter()
            .map(|p| (p.addr & !(self.page_size - 1), (p.area_start, p.area_end)))
            .collect();
        let mask = !(self.page_size - 1);
        let ranges = self.mem.ranges();
        let segments: Vec<(u64, u64)> = off_heap_ranges(&ranges, heap).collect();
        let found: Vec<(u64, u64, u64)> = segments
            .par_iter()
            .flat_map_iter(|&(start, len)| {
                let mut out = Vec::new();
                if let Some(d) = self.mem.slice(start, len) {
                    let word = |k: usize| -> u64 {
                        d.get(8 * k..8 * k + 8)
                            .and_then(|b| b.try_into().ok())
                            .map_or(0, u64::from_le_bytes)
                    };
                    let n = d.len() / 8;
                    for i in 1..n.saturating_sub(1) {
                        let (lab_start, top, limit) = (word(i - 1), word(i), word(i + 1));
                        // Cheap tests first: most words are not three ordered addresses.
                        if !(lab_start <= top && top < limit && limit - lab_start <= self.page_size)
                            || top & 7 != 0
                            || top & mask != lab_start & mask
                        {
                            continue;
                        }
                        let Some(&(area_start, area_end)) = areas.get(&(top & mask)) else {
                            continue;
                        };
                        if area_start <= lab_start && limit <= area_end {
                            out.push((top, limit, area_end));
                        }
                    }
                }
                out
            })
            .collect();
        // Several descriptors can name the same top (stale copies): keep, deterministically, the
        // smallest limit from which the walk can go on (an object starts there, or the page ends).
        let mut by_top: HashMap<u64, (u64, Vec<u64>)> = HashMap::new();
        for (top, limit, area_end) in found.into_iter().collect::<HashSet<_>>() {
            by_top
                .entry(top)
                .or_insert((area_end, Vec::new()))
                .1
                .push(limit);
        }
        let mut cache = MapCache::default();
        for (top, (area_end, mut limits)) in by_top {
            if !matches!(self.object_at(&mut cache, top), Err(Stop::BadMap)) {
                continue; // an object starts at top: the area was used since
            }
            limits.sort_unstable();
            if let Some(&limit) = limits.iter().find(|&&l| {
                l == area_end || !matches!(self.object_at(&mut cache, l), Err(Stop::BadMap))
            }) {
                self.holes.push((top, limit));
            }
        }
        self.holes.sort_unstable();
    }

    /// The map at `addr` if it is one (its own map is a meta map).
    pub fn map_at(&self, cache: &mut MapCache, addr: u64) -> Option<MapInfo> {
        if let Some(m) = cache.get(&addr) {
            return *m;
        }
        let info = self.read_map(addr);
        cache.insert(addr, info);
        info
    }

    fn read_map(&self, addr: u64) -> Option<MapInfo> {
        if addr & 7 != 0 {
            return None;
        }
        let meta = Tagged::from_word(self.mem.read_u64(addr)?).object()?;
        if !self.meta_maps.contains(&meta) {
            return None;
        }
        MapInfo::read(&self.offsets, self.mem, addr)
    }

    /// The object at `addr`: its map and size, or why it cannot be decoded.
    pub fn object_at(&self, cache: &mut MapCache, addr: u64) -> Result<Object, Stop> {
        self.object_in(self.mem, cache, addr)
    }

    /// [`Walker::object_at`] reading the object through `mem` (e.g. a window on its page).
    fn object_in(
        &self,
        mem: &impl Memory,
        cache: &mut MapCache,
        addr: u64,
    ) -> Result<Object, Stop> {
        let word = mem.read_u64(addr).ok_or(Stop::BadMap)?;
        let Tagged::Object(m) = Tagged::from_word(word) else {
            return Err(Stop::BadMap);
        };
        let map = self.map_at(cache, m).ok_or(Stop::BadMap)?;
        let size = self
            .shapes
            .size_of(mem, addr, &map)
            .ok_or(Stop::UnknownSize(map.instance_type))?;
        Ok(Object { addr, size, map })
    }

    /// A `FreeSpace` object's size, checked against what follows it: V8 counts it in bytes up
    /// to 13.6 and in tagged words from 14 on, and some 13.6 releases (Node 24 since late 2025)
    /// took the change. When the version's reading does not end at an object or the page's end
    /// and the other one does, the other one is right.
    fn free_space_checked(
        &self,
        mem: &impl Memory,
        cache: &mut MapCache,
        o: Object,
        end: u64,
    ) -> Object {
        if self.shapes.kind(o.map.instance_type) != super::object::Kind::FreeSpace
            || o.map.instance_size != 0
        {
            return o;
        }
        let lands = |size: u64, cache: &mut MapCache| {
            let next = o.addr.saturating_add(size);
            next == end || (next < end && self.object_in(mem, cache, next).is_ok())
        };
        if lands(o.size, cache) {
            return o;
        }
        let Some(raw) = mem
            .read_u64_at(o.addr, 8)
            .filter(|w| w & 1 == 0)
            .map(|w| w >> 32)
        else {
            return o;
        };
        let words = self.shapes.layout.free_space_in_words;
        let alternative = if words { raw } else { raw.saturating_mul(8) };
        if alternative >= 8 && alternative % 8 == 0 && lands(alternative, cache) {
            return Object {
                size: alternative,
                ..o
            };
        }
        o
    }

    /// Walk one page, calling `f` for every object (fillers and free space included).
    pub fn walk_page(
        &self,
        page: &Page,
        cache: &mut MapCache,
        f: &mut impl FnMut(&Object),
    ) -> PageWalk {
        let large = page.size > self.page_size;
        let end = page.area_end;
        let mut w = PageWalk {
            page: page.addr,
            objects: 0,
            bytes: 0,
            stopped: None,
            before: None,
            skipped_bytes: 0,
            zero_bytes: 0,
            unused_bytes: 0,
        };
        // Reads inside the page go straight to its bytes.
        let data = self
            .mem
            .bytes_at(page.area_start, end.saturating_sub(page.area_start))
            .unwrap_or(&[]);
        let view = crate::memory::Window {
            start: page.area_start,
            data,
            inner: self.mem,
        };
        let mut a = page.area_start;
        // Maps met lately, direct-mapped by address (a page uses few maps, over and over).
        const RECENT: usize = 64;
        let mut recent: [Option<MapInfo>; RECENT] = [None; RECENT];
        let slot = |m: u64| ((m >> 3) as usize) & (RECENT - 1);
        while a < end {
            let word = data
                .get((a - page.area_start) as usize..)
                .and_then(|d| d.get(..8))
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_le_bytes);
            let known = match word.map(Tagged::from_word) {
                Some(Tagged::Object(m)) => recent[slot(m)].filter(|l| l.addr == m),
                _ => None,
            };
            let found = match known {
                Some(map) => self
                    .shapes
                    .size_of(&view, a, &map)
                    .map(|size| Object { addr: a, size, map })
                    .ok_or(Stop::UnknownSize(map.instance_type)),
                None => self.object_in(&view, cache, a),
            };
            let found = found.map(|o| self.free_space_checked(&view, cache, o, end));
            let stop = match found {
                Ok(o) if o.size <= end - a => {
                    recent[slot(o.map.addr)] = Some(o.map);
                    f(&o);
                    w.before = Some(o);
                    w.objects += 1;
                    w.bytes += o.size;
                    a += o.size;
                    if large {
                        return w;
                    }
                    continue;
                }
                Ok(_) => Stop::Overrun,
                Err(Stop::BadMap) if view.read_u64(a) == Some(0) => {
                    // Zero words hide nothing: skip them if an object follows.
                    let mut z = a + 8;
                    while z < end && view.read_u64(z) == Some(0) {
                        z += 8;
                    }
                    if z >= end {
                        // Zeros to the page's end: memory never allocated.
                        w.unused_bytes = end - a;
                        break;
                    }
                    if z < end && !matches!(self.object_in(&view, cache, z), Err(Stop::BadMap)) {
                        w.zero_bytes += z - a;
                        a = z;
                        continue;
                    }
                    Stop::BadMap
                }
                Err(stop) => stop,
            };
            // Where the walk cannot go on, it jumps over an unused allocation area if one
            // starts there.
            match self.holes.binary_search_by_key(&a, |h| h.0) {
                Ok(i) => a = self.holes[i].1.max(a + 8),
                Err(_) => {
                    w.stopped = Some((a, stop));
                    break;
                }
            }
        }
        if let Some((at, _)) = w.stopped {
            w.skipped_bytes = end - at;
        }
        w
    }
}
