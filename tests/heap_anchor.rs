//! The object layer's anchor on real cores: the first object of every used page has a map whose
//! map is a meta map (a map that is its own map), and every meta map says it is a `MAP_TYPE` (per
//! the binary's metadata). V8 has one meta map in read-only space plus one per native context.

mod common;
use common::*;
use corewalk::memory::Memory;
use corewalk::process::runtime::Versions;
use corewalk::process::{OpenOptions, Process};
use corewalk::v8::heap::Heap;
use corewalk::v8::map::{meta_map_of, MapInfo, MapOffsets};
use corewalk::v8::{vtable_class, Runtime};

fn check(major: u32) {
    let made = core_of("small.js", major, "kernel");
    let p = Process::open(&made.core, &OpenOptions::default()).expect("open core");
    let mem = p.memory();
    let versions = Versions::read(&p, &mem);
    let v8 = Runtime::read(&p.exe, versions.v8_major_minor()).expect("V8 metadata");
    let class_of = |vtable: u64| p.exe_symbol_at(vtable).and_then(vtable_class);
    let heap = Heap::discover(&v8, &mem, &class_of).expect("heap");
    let offsets = MapOffsets::new(&v8).expect("map offsets in metadata");
    let map_type = v8.metadata.instance_type("MAP_TYPE").expect("MAP_TYPE");

    let mut metas = std::collections::BTreeSet::new();
    let mut checked = 0;
    for page in heap
        .pages
        .iter()
        .filter(|pg| pg.allocated_bytes > 0 && pg.heap != 0)
    {
        // Semi-space pages may be empty past their high-water mark; others start with an object.
        if page.high_water_mark <= page.area_start - page.addr {
            continue;
        }
        let meta = meta_map_of(&mem, page.area_start).unwrap_or_else(|| {
            panic!(
                "Node {major}: page {:#x}: object at area start {:#x} has no meta map (map word {:?})",
                page.addr,
                page.area_start,
                mem.read_u64(page.area_start)
            )
        });
        metas.insert(meta);
        checked += 1;
    }
    assert!(checked >= 15, "Node {major}: only {checked} pages checked");
    assert!(
        (1..=8).contains(&metas.len()),
        "Node {major}: implausible meta maps: {metas:x?}"
    );
    for &meta in &metas {
        let info = MapInfo::read(&offsets, &mem, meta).expect("meta map readable");
        assert_eq!(
            info.instance_type, map_type,
            "Node {major}: meta map {meta:#x}'s instance type"
        );
    }
    eprintln!(
        "Node {major}: {checked} pages anchored on {} meta map(s) {metas:x?} (MAP_TYPE {map_type})",
        metas.len()
    );
}

#[test]
fn pages_anchor_on_meta_map_node20() {
    check(20);
}

#[test]
fn pages_anchor_on_meta_map_node22() {
    check(22);
}

#[test]
fn pages_anchor_on_meta_map_node24() {
    check(24);
}

#[test]
fn pages_anchor_on_meta_map_node26() {
    check(26);
}
