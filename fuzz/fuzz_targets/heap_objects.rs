//! Object decoding over a synthetic heap: a [`SynthHeap`] (V8 11.3's layouts, no core needed)
//! with objects of many kinds supplies the maps and the rest of the heap; a region of one of its
//! old-space pages is then overwritten by the fuzz input, and the heap is decoded the way every
//! command does: page walk, names, references, roots, the snapshot writer, dominators, paths, the
//! summary and `analyze`'s classification.
//!
//! Input: a little-endian u16 choosing the first object's map among the heap's maps, then the
//! words that follow it. A word `0xCAFE_xxxx_xxxx_xxxx` becomes a pointer to map number `x % maps`
//! and `0xBEEF_xxxx_xxxx_xxxx` a tagged pointer `8·x` bytes into the region, so that the fuzzer
//! can reach further objects and references between them; anything else stays as is (the heap is
//! the same on every run, so raw pointers into it stay valid). With `COREWALK_FUZZ_SEEDS=DIR`
//! set, the first run writes seeds there: windows of the heap's own objects in that encoding.
#![no_main]
use corewalk::graph::dominators::Dominators;
use corewalk::graph::Graph;
use corewalk::progress::Silent;
use corewalk::v8::synth::{obj, smi, DictSlot, Elem, ElementsKind, Entry, SynthHeap};
use corewalk::v8::walk::MapCache;
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

const MAP_MARK: u64 = 0xCAFE;
const PTR_MARK: u64 = 0xBEEF;
/// Bytes of the region the input overwrites.
const REGION: u64 = 16 << 10;

/// The heap every run starts from, and what the input refers to.
struct Base {
    heap: SynthHeap,
    /// The region the input overwrites: [start, start + REGION).
    region: u64,
    /// Maps of the heap's objects, sorted.
    maps: Vec<u64>,
}

/// A heap with objects of many kinds (so that their maps exist), then the region to overwrite.
fn base() -> Base {
    let mut h = SynthHeap::new();
    let text = h.string("text");
    let two = h.two_byte_string(&[0x48, 0x20ac, 0x21], false);
    let cons = h.cons_string(text, two);
    let _ = h.sliced_string(cons, 1, 3);
    let name = h.internalized("name");
    let _ = h.thin_string(name);
    let _ = h.external_string("external", false, true);
    let n = h.heap_number(1.5);
    let point = h.plain_object(&[("x", smi(1)), ("y", obj(n)), ("label", obj(text))]);
    let _ = h.fixed_array(&[obj(point), smi(2), obj(cons)]);
    let _ = h.fixed_double_array(&[Some(0.5), None]);
    let _ = h.js_array(ElementsKind::Packed, &[Elem::Value(obj(point))]);
    let _ = h.js_array(ElementsKind::HoleyDouble, &[Elem::Double(2.0), Elem::Hole]);
    let key = h.internalized("key");
    let _ = h.dictionary_object(&[DictSlot::Data(key, obj(point))], None, None);
    let _ = h.js_map(&[Entry::Live(obj(text), obj(point)), Entry::Deleted]);
    let _ = h.js_set(&[Entry::Live(obj(n), obj(n))]);
    let _ = h.js_date(obj(n));
    let _ = h.closure("counter", &[("count", smi(0)), ("point", obj(point))]);
    let _ = h.symbol(Some(name));
    let region = h.byte_array(&vec![0; REGION as usize - 16]);
    let mem = h.memory();
    let maps = {
        let iso = h.open(&mem).expect("the base heap opens");
        let mut maps = std::collections::BTreeSet::new();
        let mut cache = MapCache::default();
        for p in &iso.pages {
            iso.walker().walk_page(p, &mut cache, &mut |o| {
                maps.insert(o.map.addr);
            });
        }
        maps.into_iter().collect::<Vec<_>>()
    };
    drop(mem);
    if let Some(dir) = std::env::var_os("COREWALK_FUZZ_SEEDS") {
        write_seeds(dir.as_ref(), &h, &maps);
    }
    Base {
        heap: h,
        region,
        maps,
    }
}

/// Windows of the heap's objects before the region, in the input encoding.
fn write_seeds(dir: &std::path::Path, h: &SynthHeap, maps: &[u64]) {
    let index: HashMap<u64, usize> = maps.iter().enumerate().map(|(i, &m)| (m, i)).collect();
    std::fs::create_dir_all(dir).expect("seed directory");
    let objects = h.objects();
    for (k, o) in objects.iter().enumerate().filter(|(_, o)| o.size >= 16).take(64) {
        let end = objects
            .get(k + 8)
            .map_or(o.addr + o.size, |last| last.addr + last.size)
            .min(o.addr + REGION);
        let Some(bytes) = h.read(o.addr, end.saturating_sub(o.addr)) else {
            continue;
        };
        let Some(&first) = bytes
            .get(..8)
            .and_then(|b| b.try_into().ok())
            .map(|b: [u8; 8]| u64::from_le_bytes(b) & !1)
            .and_then(|m| index.get(&m))
        else {
            continue;
        };
        let mut seed = (first as u16).to_le_bytes().to_vec();
        for w in bytes[8..].chunks_exact(8) {
            let v = u64::from_le_bytes(w.try_into().unwrap_or_default());
            let enc = if v & 3 == 1 {
                let a = v - 1;
                if let Some(&i) = index.get(&a) {
                    MAP_MARK << 48 | i as u64
                } else if (o.addr..end).contains(&a) {
                    // Offset from the window's start, which becomes the region's start.
                    PTR_MARK << 48 | (a - o.addr) / 8
                } else {
                    v
                }
            } else {
                v
            };
            seed.extend_from_slice(&enc.to_le_bytes());
        }
        std::fs::write(dir.join(format!("object-{:x}", o.addr)), &seed).expect("write a seed");
    }
}

fn run(base: &mut Base, data: &[u8]) {
    let [a, b, body @ ..] = data else { return };
    let first = base.maps[u16::from_le_bytes([*a, *b]) as usize % base.maps.len()];
    let mut buf = Vec::with_capacity(8 + body.len());
    buf.extend_from_slice(&(first | 1).to_le_bytes());
    for w in body.chunks(8) {
        let Ok(word) = <[u8; 8]>::try_from(w) else {
            buf.extend_from_slice(w);
            break;
        };
        let v = u64::from_le_bytes(word);
        let v = match v >> 48 {
            MAP_MARK => base.maps[(v & 0xffff) as usize % base.maps.len()] | 1,
            PTR_MARK => base.region + ((v & 0xffff_ffff) * 8) % REGION | 1,
            _ => v,
        };
        buf.extend_from_slice(&v.to_le_bytes());
    }
    // The whole region every time (zeros past the input): each run sees the same heap around it.
    buf.resize(REGION as usize, 0);
    base.heap.write(base.region, &buf);
    let heap = &base.heap;
    let mem = heap.memory();
    let Ok(iso) = heap.open(&mem) else { return };
    let g = Graph::build(&iso, &Silent);
    let mut out = std::io::sink();
    // Spill files in memory when there is a tmpfs: thousands of runs per minute.
    let spill = std::path::Path::new("/dev/shm");
    let spill = if spill.is_dir() {
        spill.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    corewalk::snapshot::writer::write_heap(&iso, &Default::default(), &mut out, &Silent, &spill)
        .expect("sink");
    let _ = Dominators::compute(&g, &g.globals);
    let paths = corewalk::report::leaks::Paths::compute(&g);
    for i in 0..g.addrs.len().min(64) as u32 {
        let _ = paths.path(&g, i);
    }
    let _ = corewalk::report::summary::classes(&g);
    let _ = corewalk::report::analyze::classify(
        &iso,
        corewalk::report::analyze::SortBy::Size,
        &Silent,
    );
}

fuzz_target!(|data: &[u8]| {
    static BASE: OnceLock<Mutex<Base>> = OnceLock::new();
    let mut base = BASE
        .get_or_init(|| Mutex::new(base()))
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    run(&mut base, data);
});
