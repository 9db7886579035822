//! Properties (fast, out-of-object, dictionary, global), collections and elements.

use super::*;

// ---- properties ----

#[test]
fn fast_properties_in_object_and_out_of_object_in_descriptor_order() {
    let mut h = SynthHeap::new();
    let k: Vec<u64> = ["x", "y", "m", "z", "g", "w", "u"]
        .iter()
        .map(|n| h.internalized(n))
        .collect();
    let tag = h.internalized("tag");
    let sym = h.symbol(Some(tag));
    let num = h.heap_number(2.5);
    let s = h.string("text");
    let other = h.plain_object(&[]);
    let method = h.closure("method", &[]).function;
    let getter = h.closure("get", &[]).function;
    let pair = h.accessor_pair(obj(getter), obj(h.roots().undefined));
    let map = h.object_map(&ObjectMap::js_object(
        vec![
            (k[0], PropKind::Field),
            (k[1], PropKind::DoubleField),
            (k[2], PropKind::Constant(obj(method))),
            (k[3], PropKind::Field),
            (k[4], PropKind::Accessor(pair)),
            (k[5], PropKind::Field),
            (sym, PropKind::Field),
            (k[6], PropKind::Field),
        ],
        2,
    ));
    let o = h.js_object(
        map,
        &[smi(7), obj(num), obj(s), obj(other), smi(8), smi(-3)],
    );
    let mem = h.memory();
    let iso = h.open(&mem).expect("opens");
    let slots = props(&iso, o, usize::MAX);
    assert_eq!(
        named(&slots),
        pairs(&[
            ("x", V::T(smi(7))),
            ("y", t(num)),
            ("m", t(method)),
            ("z", t(s)),
            ("g", V::Accessor(pair)),
            ("w", t(other)),
            ("Symbol(tag)", V::T(smi(8))),
            ("u", V::T(smi(-3))),
        ])
    );
    let keys: Vec<u64> = slots.iter().map(|s| s.key).collect();
    assert_eq!(keys, vec![k[0], k[1], k[2], k[3], k[4], k[5], sym, k[6]]);
    let in_object: Vec<Option<u64>> = slots.iter().map(|s| s.in_object).collect();
    assert_eq!(
        in_object,
        vec![Some(24), Some(32), None, None, None, None, None, None]
    );
    let doubles: Vec<bool> = slots.iter().map(|s| s.double).collect();
    assert_eq!(
        doubles,
        vec![false, true, false, false, false, false, false, false]
    );
    // The per-map layout reads the same values.
    let m = map_of(&iso, o);
    let layout = iso.model.property_layout(&m).expect("fast map");
    let body = mem.slice(o, 40).expect("object bytes");
    let by_layout = iso.model.slots_by_layout(o, body, &layout);
    let values = |s: &[Slot]| -> Vec<(u64, V, bool)> {
        s.iter().map(|s| (s.key, v(&s.value), s.double)).collect()
    };
    assert_eq!(values(&by_layout), values(&slots));
    // Lookups by name, and the limit.
    assert_eq!(named_property(&iso, o, "z"), Some(obj(s)));
    assert_eq!(named_property(&iso, o, "u"), Some(smi(-3)));
    assert_eq!(named_property(&iso, o, "g"), None, "accessors are not data");
    assert_eq!(named_property(&iso, o, "nope"), None);
    assert_eq!(props(&iso, o, 3).len(), 3);
}

#[test]
fn dictionary_properties_in_table_order_without_empty_and_deleted_entries() {
    let mut h = SynthHeap::new();
    let (a, b, c) = (
        h.internalized("a"),
        h.internalized("b"),
        h.internalized("c"),
    );
    let desc = h.internalized("secret");
    let sym = h.symbol(Some(desc));
    let s = h.string("value");
    let getter = h.closure("getter", &[]).function;
    let pair = h.accessor_pair(obj(getter), smi(0));
    let o = h.dictionary_object(
        &[
            DictSlot::Empty,
            DictSlot::Data(a, smi(1)),
            DictSlot::Deleted,
            DictSlot::Data(b, obj(s)),
            DictSlot::Accessor(c, pair),
            DictSlot::Empty,
            DictSlot::Data(sym, smi(3)),
        ],
        None,
        None,
    );
    let mem = h.memory();
    let iso = h.open(&mem).expect("opens");
    let slots = props(&iso, o, usize::MAX);
    assert_eq!(
        named(&slots),
        pairs(&[
            ("a", V::T(smi(1))),
            ("b", t(s)),
            ("c", V::Accessor(pair)),
            ("Symbol(secret)", V::T(smi(3))),
        ])
    );
    assert_eq!(
        slots.iter().map(|s| s.key).collect::<Vec<_>>(),
        vec![a, b, c, sym]
    );
    assert_eq!(named_property(&iso, o, "b"), Some(obj(s)));
    assert_eq!(named_property(&iso, o, "c"), None);
    assert_eq!(props(&iso, o, 2).len(), 2);
    // Every entry of the table, where the builder put it (capacity 8).
    let r = h.roots();
    let keys: Vec<Option<Tagged>> = iso
        .model
        .dictionary_entries(o, &map_of(&iso, o))
        .iter()
        .map(|e| e.key)
        .collect();
    let u = Some(obj(r.undefined));
    let expected = [
        u,
        Some(obj(a)),
        Some(obj(r.the_hole)),
        Some(obj(b)),
        Some(obj(c)),
        u,
        Some(obj(sym)),
        u,
    ];
    assert_eq!(keys, expected);
}

#[test]
fn global_object_properties_are_property_cells_in_table_order() {
    let mut h = SynthHeap::new();
    let (a, b, c) = (
        h.internalized("a"),
        h.internalized("b"),
        h.internalized("c"),
    );
    let s = h.string("global value");
    let getter = h.closure("getter", &[]).function;
    let pair = h.accessor_pair(obj(getter), smi(0));
    let g = h.global_object(&[
        (a, Entry::Live(smi(0), smi(1)), false),
        (0, Entry::Deleted, false),
        (b, Entry::Live(smi(0), obj(s)), false),
        (c, Entry::Live(smi(0), obj(pair)), true),
    ]);
    let mem = h.memory();
    let iso = h.open(&mem).expect("opens");
    assert_eq!(
        named(&props(&iso, g, usize::MAX)),
        pairs(&[("a", V::T(smi(1))), ("b", t(s)), ("c", V::Accessor(pair))])
    );
    assert_eq!(named_property(&iso, g, "b"), Some(obj(s)));
    assert_eq!(named_property(&iso, g, "c"), None, "accessors are not data");
}

#[test]
fn map_and_set_entries_in_insertion_order_without_deleted_ones() {
    let mut h = SynthHeap::new();
    let k = h.string("key");
    let v = h.heap_number(0.5);
    let m = h.js_map(&[
        Entry::Live(obj(k), smi(1)),
        Entry::Deleted,
        Entry::Live(smi(2), obj(v)),
        Entry::Live(smi(3), smi(4)),
        Entry::Live(smi(5), smi(6)),
    ]);
    let set = h.js_set(&[
        Entry::Deleted,
        Entry::Live(obj(k), smi(0)),
        Entry::Live(smi(9), smi(0)),
    ]);
    let empty = h.js_set(&[]);
    let mem = h.memory();
    let iso = h.open(&mem).expect("opens");
    let r = iso.model.reader();
    let (entries, count) = r.collection_entries(m, usize::MAX);
    assert_eq!(
        entries,
        vec![
            (obj(k), Some(smi(1))),
            (smi(2), Some(obj(v))),
            (smi(3), Some(smi(4))),
            (smi(5), Some(smi(6))),
        ]
    );
    assert_eq!(count, 4);
    assert_eq!(r.collection_entries(m, 2).0.len(), 2);
    let (entries, count) = r.collection_entries(set, usize::MAX);
    assert_eq!(entries, vec![(obj(k), None), (smi(9), None)]);
    assert_eq!(count, 2);
    assert_eq!(r.collection_entries(empty, usize::MAX), (Vec::new(), 0));
    assert_eq!(constructor_name(&iso, m), "Map");
    assert_eq!(constructor_name(&iso, set), "Set");
}

// ---- elements ----

#[test]
fn elements_of_each_kind_with_holes_and_doubles() {
    let mut h = SynthHeap::new();
    let s = h.string("s");
    let n = h.heap_number(0.5);
    let cases: Vec<(ElementsKind, Vec<Elem>)> = vec![
        (
            ElementsKind::PackedSmi,
            vec![
                Elem::Value(smi(1)),
                Elem::Value(smi(-2)),
                Elem::Value(smi(3)),
            ],
        ),
        (
            ElementsKind::HoleySmi,
            vec![Elem::Value(smi(1)), Elem::Hole, Elem::Value(smi(3))],
        ),
        (
            ElementsKind::Packed,
            vec![
                Elem::Value(obj(s)),
                Elem::Value(smi(5)),
                Elem::Value(obj(n)),
            ],
        ),
        (
            ElementsKind::Holey,
            vec![Elem::Hole, Elem::Value(obj(s)), Elem::Hole],
        ),
        (
            ElementsKind::PackedDouble,
            vec![Elem::Double(1.5), Elem::Double(-0.25), Elem::Double(1e300)],
        ),
        (
            ElementsKind::HoleyDouble,
            vec![
                Elem::Hole,
                Elem::Double(2.5),
                Elem::Hole,
                Elem::Double(f64::NAN),
            ],
        ),
    ];
    let arrays: Vec<u64> = cases.iter().map(|(k, e)| h.js_array(*k, e)).collect();
    let short = h.js_array_with_capacity(
        ElementsKind::Packed,
        &[Elem::Value(smi(1)), Elem::Value(smi(2))],
        10,
    );
    let empty = h.js_array(ElementsKind::PackedSmi, &[]);
    let big = h.heap_number(4294967296.0);
    let dict = h.js_array_dictionary(
        &[(smi(0), obj(s)), (smi(7), smi(70)), (obj(big), smi(1))],
        100,
    );
    let plain = h.plain_object(&[]);
    let store = h.fixed_array(&[smi(4), obj(h.roots().the_hole), smi(6)]);
    h.set_elements(plain, store);
    let mem = h.memory();
    let iso = h.open(&mem).expect("opens");
    for ((kind, elems), a) in cases.iter().zip(&arrays) {
        let e = elements(&iso, *a, 100);
        assert_eq!(e.kind, kind.name());
        assert_eq!(e.length, elems.len() as u64);
        assert!(!e.more);
        let expected: Vec<(String, V)> = elems
            .iter()
            .enumerate()
            .map(|(i, el)| {
                let value = match *el {
                    Elem::Hole => V::Hole,
                    Elem::Double(d) => V::D(d.to_bits()),
                    Elem::Value(x) => V::T(x),
                };
                (i.to_string(), value)
            })
            .collect();
        assert_eq!(named(&e.items), expected, "{}", kind.name());
        // What is not a hole, with its index: holes are left out by the caller.
        let present = e.items.iter().filter(|s| v(&s.value) != V::Hole).count();
        let given = elems.iter().filter(|e| **e != Elem::Hole).count();
        assert_eq!(present, given);
    }
    let e = elements(&iso, short, 100);
    assert_eq!((e.length, e.items.len()), (2, 2), "up to the length only");
    let e = elements(&iso, empty, 100);
    assert_eq!((e.length, e.items.len()), (0, 0));
    let e = elements(&iso, arrays[0], 2);
    assert_eq!((e.items.len(), e.more), (2, true));
    let e = elements(&iso, dict, 100);
    assert_eq!(e.kind, "DICTIONARY_ELEMENTS");
    assert_eq!(e.length, 100);
    assert_eq!(
        named(&e.items),
        pairs(&[
            ("0", t(s)),
            ("7", V::T(smi(70))),
            ("4294967296", V::T(smi(1)))
        ])
    );
    let e = elements(&iso, plain, 100);
    assert_eq!(e.kind, "HOLEY_ELEMENTS");
    assert_eq!(e.length, 3, "objects: the store's capacity");
    assert_eq!(
        named(&e.items),
        pairs(&[("0", V::T(smi(4))), ("1", V::Hole), ("2", V::T(smi(6)))])
    );
}
