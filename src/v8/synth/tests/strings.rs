//! Strings of every representation.

use super::*;

// ---- strings ----

#[test]
fn strings_of_every_representation_read_in_full() {
    let mut h = SynthHeap::new();
    let two_text = "snow ☃ and 日本語";
    let mut cases: Vec<(u64, String, StringRep, bool)> = Vec::new();
    let mut add =
        |a: u64, text: &str, rep, two_byte| cases.push((a, text.to_string(), rep, two_byte));
    let ascii = h.string("hello, world");
    add(ascii, "hello, world", StringRep::Seq, false);
    add(h.string("café olé"), "café olé", StringRep::Seq, false);
    let two = h.string(two_text);
    add(two, two_text, StringRep::Seq, true);
    let interned = h.internalized("interned");
    add(interned, "interned", StringRep::Seq, false);
    add(h.internalized("ünï ☃"), "ünï ☃", StringRep::Seq, true);
    add(h.string(""), "", StringRep::Seq, false);
    let a = h.string("con");
    let b = h.string("catenated");
    let cons = h.cons_string(a, b);
    add(cons, "concatenated", StringRep::Cons, false);
    let nested = h.cons_string(cons, two);
    let nested_text = format!("concatenated{two_text}");
    add(nested, &nested_text, StringRep::Cons, true);
    let deep = h.cons_string(two, nested);
    add(
        deep,
        &format!("{two_text}{nested_text}"),
        StringRep::Cons,
        true,
    );
    let digits = h.string("0123456789abcdef");
    add(
        h.sliced_string(digits, 3, 8),
        "3456789a",
        StringRep::Sliced,
        false,
    );
    add(
        h.sliced_string(two, 5, 3),
        &utf16_slice(two_text, 5, 3),
        StringRep::Sliced,
        true,
    );
    add(
        h.sliced_string(nested, 9, 8),
        &utf16_slice(&nested_text, 9, 8),
        StringRep::Sliced,
        true,
    );
    add(h.thin_string(interned), "interned", StringRep::Thin, true);
    let ext = "external one-byte";
    add(
        h.external_string(ext, false, true),
        ext,
        StringRep::External,
        false,
    );
    let ext2 = "extérnal ☃ two-byte";
    add(
        h.external_string(ext2, false, true),
        ext2,
        StringRep::External,
        true,
    );
    add(
        h.external_string("ext internalized", true, true),
        "ext internalized",
        StringRep::External,
        false,
    );
    let mem = h.memory();
    let iso = h.open(&mem).expect("opens");
    for (a, expected, rep, two_byte) in cases {
        let shape = match iso.v8.shapes.kind(map_of(&iso, a).instance_type) {
            Kind::String(s) => s,
            k => panic!("{expected:?}: kind {k:?}"),
        };
        assert_eq!((shape.rep, shape.two_byte), (rep, two_byte), "{expected:?}");
        let got = text(&iso, a, 1 << 20).expect("readable");
        assert_eq!(got.text, expected);
        assert_eq!(got.length, units(&expected), "{expected:?}");
        assert!(!got.truncated, "{expected:?}");
    }
    let _ = ascii;
}

#[test]
fn long_strings_are_cut_at_the_limit_with_their_full_length() {
    let mut h = SynthHeap::new();
    let long: String = (0..5000).map(|i| (b'a' + (i % 26) as u8) as char).collect();
    let wide: String = (0..3000)
        .map(|i| if i % 3 == 0 { '☃' } else { 'x' })
        .collect();
    let a = h.string(&long);
    let w = h.string(&wide);
    let cons = h.cons_string(a, w);
    let sliced = h.sliced_string(a, 100, 1000);
    let ext = h.external_string(&long, false, true);
    let cases: Vec<(u64, usize, String, u64)> = vec![
        (a, 100, long[..100].to_string(), 5000),
        (a, 5000, long.clone(), 5000),
        (w, 10, utf16_slice(&wide, 0, 10), 3000),
        (
            cons,
            5007,
            format!("{long}{}", utf16_slice(&wide, 0, 7)),
            8000,
        ),
        (cons, 30, long[..30].to_string(), 8000),
        (sliced, 50, long[100..150].to_string(), 1000),
        (ext, 20, long[..20].to_string(), 5000),
    ];
    let mem = h.memory();
    let iso = h.open(&mem).expect("opens");
    for (addr, max, expected, length) in cases {
        let got = text(&iso, addr, max).expect("readable");
        assert_eq!(got.text, expected, "max {max}");
        assert_eq!(got.length, length);
        assert_eq!(got.truncated, (max as u64) < length, "max {max}");
    }
}

#[test]
fn uncached_external_strings_are_not_read_past_their_end() {
    let mut h = SynthHeap::new();
    let ext = h.external_string("embedder-owned", false, false);
    let next = h.heap_number(1.0); // the object after it
    let mem = h.memory();
    let iso = h.open(&mem).expect("opens");
    assert_eq!(h.placed(ext).map(|p| p.size), Some(24));
    assert_eq!(h.placed(next).map(|p| p.addr), Some(ext + 24));
    // V8 11.3 keeps no data pointer in an uncached external string (`kUncachedSize` = 24): the
    // text cannot be read from the heap. Whatever is read, it must not be the next object's
    // bytes taken for characters.
    let got = text(&iso, ext, 64);
    assert!(
        got.as_ref()
            .is_none_or(|t| t.text.is_empty() || t.text == "embedder-owned"),
        "read {got:?}"
    );
}
