//! Decoding V8's source position tables (both encodings) from untrusted heap bytes.
#![no_main]
use corewalk::v8::frames::decode_positions;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (flag, table) = data.split_first().unwrap_or((&0, &[]));
    let mut last = i64::MIN;
    for (code, _, _) in decode_positions(table, flag & 1 == 1).take(1 << 16) {
        // Offsets only grow (deltas are unsigned).
        assert!(code >= last);
        last = code;
    }
});
