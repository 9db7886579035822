//! The core-file parser and its notes: any bytes are refused or parsed, and everything parsed can
//! be read back without panicking.
#![no_main]
use corewalk::core::CoreFile;
use corewalk::memory::Memory;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(core) = CoreFile::from_bytes("fuzz.core".as_ref(), data) {
        let mem = core.memory();
        for s in core.segments.iter().take(64) {
            let _ = mem.read_u64(s.vaddr);
            let _ = mem.bytes_at(s.vaddr, s.filesz.min(4096));
            let _ = core.file_at(s.vaddr);
        }
        for t in &core.threads {
            let _ = mem.read_u64(t.regs.rsp);
        }
        let _ = core.memory_totals();
        let _ = core.auxv_value(corewalk::core::AT_EXECFN);
    }
});
