//! Object decoding over a synthetic heap page: a real Node core (`COREWALK_FUZZ_CORE`, made by
//! `scripts/fuzz.sh`) supplies V8's layout, maps and the rest of the heap; one of its old-space
//! pages is replaced by the fuzz input, and that page alone is decoded the way every command does:
//! object walk, names, references, roots, the snapshot writer, dominators, paths, the summary.
//!
//! Input: a little-endian u16 choosing the first object's map among the maps of the real heap,
//! then the words that follow it. A word `0xCAFE_xxxx_xxxx_xxxx` becomes a pointer to map number
//! `x % maps` and `0xBEEF_xxxx_xxxx_xxxx` a tagged pointer `8·x` bytes into the page, so that the
//! fuzzer can reach further objects and references between them; anything else stays as is.
//! With `COREWALK_FUZZ_SEEDS=DIR` set, the first run writes seeds there: windows of real pages in
//! that encoding.
#![no_main]
use corewalk::graph::dominators::Dominators;
use corewalk::graph::Graph;
use corewalk::memory::{Layered, Memory, Region, Regions};
use corewalk::process::{OpenOptions, Process};
use corewalk::progress::Silent;
use corewalk::process::runtime::Versions;
use corewalk::process::Mem;
use corewalk::report::session::Session;
use corewalk::v8::isolate::Isolate;
use corewalk::v8::roots::RootSources;
use corewalk::v8::heap::{Heap, Page};
use corewalk::v8::model::Model;
use corewalk::v8::walk::{MapCache, Walker};
use corewalk::v8::{vtable_class, Runtime};
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;
use std::sync::OnceLock;

const MAP_MARK: u64 = 0xCAFE;
const PTR_MARK: u64 = 0xBEEF;

struct Base {
    process: &'static Process,
    versions: &'static Versions,
    v8: &'static Runtime,
    heap: &'static Heap,
    walker: Walker<'static, Mem<'static>>,
    /// The page the input replaces.
    page: Page,
    /// Maps of the real heap's objects, sorted.
    maps: Vec<u64>,
    /// The core's memory kept: heap pages and the isolate's fields (the rest of C++ memory would
    /// only slow every run down by being scanned for roots).
    kept: Vec<Region<'static>>,
    /// The page's header bytes, as in the core.
    header: Vec<u8>,
}

fn leak<T>(v: T) -> &'static T {
    Box::leak(Box::new(v))
}

fn setup() -> Base {
    let path = std::env::var_os("COREWALK_FUZZ_CORE")
        .expect("set COREWALK_FUZZ_CORE to a Node core (scripts/fuzz.sh makes one)");
    let process: &'static Process =
        leak(Process::open(path.as_ref(), &OpenOptions::default()).expect("open the core"));
    let mem: &'static Mem<'static> = leak(process.memory());
    let versions = leak(Versions::read(process, mem));
    let v8: &'static Runtime =
        leak(Runtime::read(&process.exe, versions.v8_major_minor()).expect("V8 metadata"));
    let class_of = |vtable: u64| process.exe_symbol_at(vtable).and_then(vtable_class);
    let heap = leak(Heap::discover(v8, mem, &class_of).expect("heap"));
    let walker = Walker::new(v8, heap, mem).expect("meta map");
    // The old-space page with the most objects; the maps of every page.
    let mut cache = MapCache::default();
    let mut maps = std::collections::BTreeSet::new();
    let mut best: Option<(usize, Page)> = None;
    for p in heap
        .pages
        .iter()
        .filter(|p| p.heap != 0 && p.size == v8.layout.page_size)
    {
        let mut n = 0;
        walker.walk_page(p, &mut cache, &mut |o| {
            maps.insert(o.map.addr);
            n += 1;
        });
        if best.as_ref().is_none_or(|(m, _)| n > *m) {
            best = Some((n, *p));
        }
    }
    let (_, page) = best.expect("a regular heap page");
    let mut ranges: Vec<(u64, u64)> = heap
        .pages
        .iter()
        .chain(&walker.extra_pages)
        .map(|p| (p.addr, p.addr + p.size))
        .collect();
    ranges.push((
        heap.heap_address.saturating_sub(1 << 17),
        heap.heap_address + (1 << 17),
    ));
    let kept = process
        .core
        .memory()
        .regions()
        .iter()
        .flat_map(|r| ranges.iter().filter_map(move |&(a, b)| clip(r, a, b)))
        .collect();
    let maps: Vec<u64> = maps.into_iter().collect();
    let header = mem
        .slice(page.addr, page.area_start - page.addr)
        .unwrap_or_default()
        .to_vec();
    if let Some(dir) = std::env::var_os("COREWALK_FUZZ_SEEDS") {
        write_seeds(dir.as_ref(), mem, &walker, &page, &maps);
    }
    Base {
        process,
        versions,
        v8,
        heap,
        walker,
        page,
        maps,
        kept,
        header,
    }
}

/// The part of `r` inside [a, b).
fn clip<'a>(r: &Region<'a>, a: u64, b: u64) -> Option<Region<'a>> {
    let (s, e) = (r.start.max(a), r.end().min(b));
    (s < e).then(|| Region {
        start: s,
        data: &r.data[(s - r.start) as usize..(e - r.start) as usize],
        writable: r.writable,
    })
}

/// Windows of about 2 KiB of the chosen page, starting at objects, in the input encoding.
fn write_seeds(
    dir: &std::path::Path,
    mem: &Mem<'_>,
    walker: &Walker<'_, Mem<'_>>,
    page: &Page,
    maps: &[u64],
) {
    let index: HashMap<u64, usize> = maps.iter().enumerate().map(|(i, &m)| (m, i)).collect();
    let mut starts = Vec::new();
    walker.walk_page(page, &mut MapCache::default(), &mut |o| starts.push(o.addr));
    std::fs::create_dir_all(dir).expect("seed directory");
    let mut last = 0u64;
    let mut written = 0;
    for &s in &starts {
        if s < last + 2048 || written >= 64 {
            continue;
        }
        last = s;
        let end = (s + 2048).min(page.area_end);
        let Some(bytes) = mem.slice(s, end - s) else {
            continue;
        };
        let Some(&first) = mem.read_u64(s).and_then(|m| index.get(&(m & !1))) else {
            continue;
        };
        let mut seed = (first as u16).to_le_bytes().to_vec();
        for w in bytes[8..].chunks_exact(8) {
            let v = u64::from_le_bytes(w.try_into().unwrap_or_default());
            let enc = if v & 3 == 1 {
                let a = v - 1;
                if let Some(&i) = index.get(&a) {
                    MAP_MARK << 48 | i as u64
                } else if (s..end).contains(&a) {
                    // Offset from the window's start, which becomes the page's area start.
                    PTR_MARK << 48 | (a - s) / 8
                } else {
                    v
                }
            } else {
                v
            };
            seed.extend_from_slice(&enc.to_le_bytes());
        }
        std::fs::write(dir.join(format!("page-{:x}", s)), &seed).expect("write a seed");
        written += 1;
    }
}

fn run(base: &Base, data: &[u8]) {
    let [a, b, body @ ..] = data else { return };
    let page = &base.page;
    let area_len = page.area_end - page.area_start;
    let header_len = (page.area_start - page.addr) as usize;
    let first = base.maps[u16::from_le_bytes([*a, *b]) as usize % base.maps.len()];
    // The page: its real header, then the synthetic object area.
    let mut buf = Vec::with_capacity(header_len + 8 + body.len());
    buf.extend_from_slice(&base.header);
    buf.resize(header_len, 0);
    buf.extend_from_slice(&(first | 1).to_le_bytes());
    for w in body.chunks(8) {
        let Ok(word) = <[u8; 8]>::try_from(w) else {
            buf.extend_from_slice(w);
            break;
        };
        let v = u64::from_le_bytes(word);
        let v = match v >> 48 {
            MAP_MARK => base.maps[(v & 0xffff) as usize % base.maps.len()] | 1,
            PTR_MARK => page.area_start + ((v & 0xffff_ffff) * 8) % area_len | 1,
            _ => v,
        };
        buf.extend_from_slice(&v.to_le_bytes());
    }
    buf.truncate(header_len + area_len as usize);
    let synthetic_end = page.addr + buf.len() as u64;
    // The core's memory with the page's range cut out and the synthetic page put in.
    let mut regions: Vec<Region<'_>> = Vec::new();
    for r in &base.kept {
        regions.extend(clip(r, 0, page.addr));
        regions.extend(clip(r, page.addr + page.size, u64::MAX));
    }
    regions.push(Region {
        start: page.addr,
        data: &buf,
        writable: true,
    });
    let mem: Mem<'_> = Layered {
        top: Regions::new(regions),
        bottom: base.process.exe.memory(base.process.bias),
    };
    let walker = Walker {
        mem: &mem,
        shapes: base.walker.shapes,
        offsets: base.walker.offsets,
        meta_maps: base.walker.meta_maps.clone(),
        page_size: base.walker.page_size,
        holes: Vec::new(),
        read_only: base.walker.read_only.clone(),
        extra_pages: Vec::new(),
    };
    let model = Model::new(base.v8, walker, &mem);
    let mut synthetic = *page;
    synthetic.area_end = synthetic_end.min(page.area_end);
    let ctx = Isolate {
        v8: base.v8,
        heap: base.heap.clone(),
        model,
        pages: vec![synthetic],
        roots: RootSources {
            stacks: base.process.core.threads.iter().map(|t| (t.tid, t.regs.rsp)).collect(),
            executable: base.process.exe_ranges(),
            v8_version: base.versions.v8.clone(),
        },
        warnings: Vec::new(),
    };
    let g = Graph::build(&ctx, &Silent);
    let mut out = std::io::sink();
    // Spill files in memory when there is a tmpfs: thousands of runs per minute.
    let spill = std::path::Path::new("/dev/shm");
    let spill = if spill.is_dir() {
        spill.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    corewalk::snapshot::writer::write_heap(&ctx, &Default::default(), &mut out, &Silent, &spill)
        .expect("sink");
    let _ = Dominators::compute(&g, &g.globals);
    let paths = corewalk::report::leaks::Paths::compute(&g);
    for i in 0..g.addrs.len().min(64) as u32 {
        let _ = paths.path(&g, i);
    }
    let _ = corewalk::report::summary::classes(&g);
    let session = Session::new(base.process, base.versions, ctx);
    let _ = corewalk::report::analyze::analyze(
        &session,
        corewalk::report::analyze::SortBy::Size,
        false,
        &Silent,
    );
}

fuzz_target!(|data: &[u8]| {
    static BASE: OnceLock<Base> = OnceLock::new();
    run(BASE.get_or_init(setup), data);
});
