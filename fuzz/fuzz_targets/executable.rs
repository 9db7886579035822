//! The executable reader and V8's postmortem metadata: symbols, sections, `v8dbg_*` constants,
//! unwind tables and the instance-type table decoded from code.
#![no_main]
use corewalk::binary::cfi::Cfi;
use corewalk::binary::metadata::Metadata;
use corewalk::binary::Executable;
use corewalk::v8::types::TypeNames;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(exe) = Executable::from_bytes("fuzz.node".as_ref(), data) else {
        return;
    };
    for s in exe.symbols().iter().take(256) {
        let _ = exe.symbol_name(s);
        let _ = exe.symbol_at(s.addr);
    }
    if let Some(cfi) = Cfi::new(&exe) {
        for s in exe.symbols().iter().take(64) {
            let _ = cfi.row(s.addr);
        }
    }
    if let Ok(md) = Metadata::read(&exe) {
        let _ = TypeNames::read(&exe, &md);
    }
});
