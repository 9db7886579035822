//! Page discovery and the page walk.

use super::*;

// ---- heap discovery and the walk ----

/// One of everything, spilling onto a second old-space page, and one large object.
fn populate(h: &mut SynthHeap) -> Vec<u64> {
    let mut made = Vec::new();
    let s = h.string("a string");
    made.push(s);
    made.push(h.string("two-byte ☃"));
    let first = h.string("con");
    made.push(h.cons_string(first, s));
    made.push(h.sliced_string(s, 2, 3));
    let i = h.internalized("interned");
    made.push(h.thin_string(i));
    made.push(h.external_string("external", false, true));
    made.push(h.heap_number(1.25));
    made.push(h.plain_object(&[("a", smi(1)), ("b", obj(s))]));
    made.push(h.js_array(ElementsKind::HoleyDouble, &[Elem::Double(1.0), Elem::Hole]));
    made.push(h.js_array_dictionary(&[(smi(3), obj(s))], 4));
    made.push(h.dictionary_object(&[DictSlot::Data(i, smi(9))], None, None));
    made.push(h.closure("f", &[("v", smi(1))]).function);
    made.push(h.byte_array(&[1, 2, 3]));
    made.push(h.bigint(&[5, 6], true));
    made.push(h.weak_array_list(&[smi(1)], 3));
    made.push(h.free_space(40));
    made.push(h.js_map(&[Entry::Live(smi(1), obj(s)), Entry::Deleted]));
    made.push(h.js_set(&[Entry::Live(obj(s), smi(0))]));
    made.push(h.global_object(&[(i, Entry::Live(smi(0), smi(1)), false)]));
    made.push(h.js_date(smi(0)));
    made.push(h.primitive_wrapper(obj(s)));
    let sym = h.symbol(Some(s));
    made.push(sym);
    let source = h.string("function f() {}");
    made.push(h.script(source, obj(s), 3));
    made.push(h.scope_info(&ScopeSpec {
        scope_type: ScopeType::Module,
        module_variables: 2,
        ..ScopeSpec::function(&["m"])
    }));
    // Fill the first old-space page and go on to a second one.
    for _ in 0..40 {
        made.push(h.fixed_array(&[smi(0); 1000]));
    }
    // Above the regular object size: a large-object page.
    made.push(h.byte_array(&vec![7u8; 200_000]));
    made.push(h.plain_object(&[("after", smi(2))]));
    made
}

#[test]
fn discovery_finds_every_page_and_names_the_spaces() {
    let mut h = SynthHeap::new();
    populate(&mut h);
    let mem = h.memory();
    let iso = h.open(&mem).expect("opens");
    let found: Vec<(u64, u64, u64, u64, bool)> = iso
        .heap
        .pages
        .iter()
        .map(|p| (p.addr, p.size, p.area_start, p.area_end, p.heap == 0))
        .collect();
    let made: Vec<(u64, u64, u64, u64, bool)> = h
        .pages()
        .iter()
        .map(|p| (p.addr, p.size, p.area_start, p.area_end, p.read_only))
        .collect();
    assert_eq!(found, made);
    assert_eq!(iso.heap.heap_address, HEAP_ADDRESS);
    assert!(iso.heap.other_isolates.is_empty());
    let spaces: Vec<(&str, usize, u64, &str, u64)> = iso
        .heap
        .spaces
        .iter()
        .map(|s| {
            let c = (s.committed, s.committed_source);
            (s.name.as_str(), s.pages, c.0, c.1, s.used)
        })
        .collect();
    // Pages, bytes and bytes in use of the builder's pages of one kind.
    let size = |ro: bool, large: bool| -> (usize, u64, u64) {
        let ps: Vec<PageInfo> = h
            .pages()
            .into_iter()
            .filter(|p| p.read_only == ro && p.large == large)
            .collect();
        let used = ps.iter().map(|p| p.top - p.area_start).sum();
        (ps.len(), ps.iter().map(|p| p.size).sum(), used)
    };
    let (ro, ro_bytes, ro_used) = size(true, false);
    let (old, old_bytes, old_used) = size(false, false);
    let (lo, lo_bytes, lo_used) = size(false, true);
    assert_eq!((ro, old, lo), (1, 2, 1), "pages made by the builder");
    assert_eq!(
        spaces,
        vec![
            ("read_only_space", ro, ro_bytes, "pages", ro_used),
            ("old_space", old, old_bytes, "space", old_used),
            ("large_object_space", lo, lo_bytes, "space", lo_used),
        ]
    );
    assert_eq!(iso.walker().meta_maps, vec![h.roots().meta_map]);
}

#[test]
fn page_walk_visits_every_placed_object_in_order_with_its_size() {
    let mut h = SynthHeap::new();
    let made = populate(&mut h);
    let mem = h.memory();
    let iso = h.open(&mem).expect("opens");
    let (objects, walks) = walk(&iso);
    let walked: Vec<Placed> = objects
        .iter()
        .map(|o| Placed {
            addr: o.addr,
            size: o.size,
            instance_type: o.map.instance_type,
        })
        .collect();
    let placed = h.objects();
    assert_eq!(walked.len(), placed.len());
    for (w, p) in walked.iter().zip(&placed) {
        assert_eq!(w, p, "walked vs placed");
    }
    for w in &walks {
        assert_eq!(w.stopped, None, "page {:#x}", w.page);
        assert_eq!((w.skipped_bytes, w.zero_bytes), (0, 0));
    }
    // Every object the test made is among them.
    for a in made {
        assert!(placed.iter().any(|p| p.addr == a), "{a:#x} placed");
    }
}

#[test]
fn walk_steps_over_zero_gaps_and_unused_allocation_areas() {
    let mut h = SynthHeap::new();
    let before = h.string("before the gap");
    let gap = h.zero_gap(64);
    let middle = h.heap_number(2.0);
    let lab = h.unused_area(256);
    let after = h.plain_object(&[("x", smi(1))]);
    let mem = h.memory();
    let iso = h.open(&mem).expect("opens");
    assert_eq!(iso.walker().holes, vec![(lab, lab + 256)]);
    let (objects, walks) = walk(&iso);
    let walked: Vec<u64> = objects.iter().map(|o| o.addr).collect();
    let placed: Vec<u64> = h.objects().iter().map(|p| p.addr).collect();
    assert_eq!(walked, placed);
    for a in [before, middle, after] {
        assert!(walked.contains(&a));
    }
    assert!(!walked.contains(&gap) && !walked.contains(&lab));
    assert!(walks.iter().all(|w| w.stopped.is_none()));
    assert_eq!(walks.iter().map(|w| w.zero_bytes).sum::<u64>(), 64);
}

#[test]
fn walk_stops_at_a_word_that_is_no_map_or_an_object_it_cannot_size() {
    let mut h = SynthHeap::new();
    let first = h.heap_number(1.0);
    let broken = h.string("its map is lost");
    let after = h.heap_number(2.0);
    // An object of a variable-sized class the decoder cannot size (an unknown type, size 0).
    let odd_map = h.custom_map(1999, 0);
    let no_size = h.fixed_array(&[]);
    assert!(h.write_tagged(broken, smi(12345)));
    assert!(h.write_tagged(no_size, obj(odd_map)));
    let page = h.pages()[1];
    let mem = h.memory();
    let iso = h.open(&mem).expect("opens");
    let (objects, walks) = walk(&iso);
    let walked: Vec<u64> = objects.iter().map(|o| o.addr).collect();
    assert!(walked.contains(&first));
    assert!(!walked.contains(&broken) && !walked.contains(&after));
    let w = walks
        .iter()
        .find(|w| w.page == page.addr)
        .expect("old page walked");
    assert_eq!(w.stopped, Some((broken, crate::v8::walk::Stop::BadMap)));
    assert_eq!(w.skipped_bytes, page.area_end - broken);
    // Repaired, the walk goes on to the object it cannot size.
    drop(iso);
    drop(mem);
    let map = h.std_map(tables::SEQ_ONE_BYTE, 0);
    assert!(h.write_tagged(broken, obj(map)));
    let mem = h.memory();
    let iso = h.open(&mem).expect("opens");
    let (_, walks) = walk(&iso);
    let w = walks
        .iter()
        .find(|w| w.page == page.addr)
        .expect("old page walked");
    assert_eq!(
        w.stopped,
        Some((no_size, crate::v8::walk::Stop::UnknownSize(1999)))
    );
}

#[test]
fn free_space_counted_in_words_is_walked_where_the_version_counts_bytes() {
    // Some V8 13.6 releases count FreeSpace in tagged words, others in bytes: the walk takes the
    // reading after which an object (or the page's end) follows, and stops nowhere.
    let mut h = SynthHeap::new();
    let before = h.heap_number(1.0);
    let free = h.free_space(96);
    let after = h.string("after the free space");
    // Rewrite the size as a word count (12 words), as V8 14 and late 13.6 releases do.
    assert!(h.write_tagged(free + 8, smi(12)));
    let mem = h.memory();
    let iso = h.open(&mem).expect("opens");
    let (objects, walks) = walk(&iso);
    let walked: Vec<u64> = objects.iter().map(|o| o.addr).collect();
    assert!(walked.contains(&before) && walked.contains(&free) && walked.contains(&after));
    let size = objects.iter().find(|o| o.addr == free).map(|o| o.size);
    assert_eq!(size, Some(96));
    assert!(walks.iter().all(|w| w.stopped.is_none()), "{walks:?}");
}
