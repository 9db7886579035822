//! The snapshot writer's strings: any text (names come from the heap) is written as a JSON
//! literal that parses back to the same text.
#![no_main]
use corewalk::snapshot::writer::write_json_string;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut out = Vec::new();
    write_json_string(&mut out, &text).expect("writing to memory");
    let back: String = serde_json::from_slice(&out).expect("valid JSON");
    assert_eq!(back, text);
});
