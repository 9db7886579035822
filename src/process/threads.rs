//! Naming threads. Cores carry no per-thread names (the kernel dumps only the dumping thread's
//! `comm`), so the main thread gets the process's command name and the others their start routine:
//! glibc keeps `start_routine` in `struct pthread`, the thread control block `fs_base` points to.
//! Its offset differs between glibc versions, so it is found from the data: the one offset at which
//! the threads' control blocks hold the start address of a function of the executable.

use crate::binary::Executable;
use crate::core::ThreadState;
use crate::memory::Memory;
use crate::process::Process;
use std::collections::BTreeMap;

/// How far into `struct pthread` to look for `start_routine` (bytes).
const PTHREAD_SCAN: u64 = 0x1000;
/// `tcbhead_t::self` — the TCB points to itself here on x86-64.
const TCB_SELF: u64 = 0x10;

/// Names for every thread of `p`, by tid: the command name for the main thread, the start routine
/// (demangled, without parameters) for the others when it can be found.
pub fn thread_names(
    p: &Process,
    mem: &impl Memory,
    main_tid: Option<u32>,
) -> BTreeMap<u32, String> {
    let mut names = BTreeMap::new();
    let tcbs: Vec<(u32, u64)> = p
        .core
        .threads
        .iter()
        .filter(|t| Some(t.tid) != main_tid)
        .filter_map(|t: &ThreadState| {
            let fs = t.regs.fs_base;
            (fs != 0 && mem.read_u64(fs.checked_add(TCB_SELF)?) == Some(fs)).then_some((t.tid, fs))
        })
        .collect();
    if let Some(offset) = start_routine_offset(p, mem, &tcbs) {
        for &(tid, fs) in &tcbs {
            if let Some(name) = fs
                .checked_add(offset)
                .and_then(|a| mem.read_u64(a))
                .and_then(|f| function_starting_at(&p.exe, f.wrapping_sub(p.bias)))
            {
                names.insert(tid, name);
            }
        }
    }
    if let (Some(tid), Some(info)) = (main_tid, p.core.psinfo.as_ref()) {
        names.insert(tid, info.fname.clone());
    }
    names
}

/// The offset in `struct pthread` where most threads hold a function's start address; `None`
/// unless at least half of the threads (and at least one) agree on it.
fn start_routine_offset(p: &Process, mem: &impl Memory, tcbs: &[(u32, u64)]) -> Option<u64> {
    let mut votes: BTreeMap<u64, usize> = BTreeMap::new();
    for &(_, fs) in tcbs {
        let Some(block) = mem.bytes_at(fs, PTHREAD_SCAN) else {
            continue;
        };
        for (i, w) in block.chunks_exact(8).enumerate() {
            let v = u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
            if v != 0 && function_starting_at(&p.exe, v.wrapping_sub(p.bias)).is_some() {
                *votes.entry(i as u64 * 8).or_default() += 1;
            }
        }
    }
    let (&offset, &n) = votes
        .iter()
        .max_by_key(|(o, n)| (**n, std::cmp::Reverse(**o)))?;
    (n >= 1 && 2 * n >= tcbs.len()).then_some(offset)
}

/// The demangled name (parameters dropped) of the function that starts exactly at `addr`.
fn function_starting_at(exe: &Executable, addr: u64) -> Option<String> {
    let s = exe.symbol_at(addr)?;
    if !s.is_func || s.addr != addr {
        return None;
    }
    Some(short_name(exe.symbol_name(&s)))
}

/// A readable function name: demangled C++ without the parameter list, or the raw symbol.
pub fn short_name(mangled: &[u8]) -> String {
    let opts = cpp_demangle::DemangleOptions::new()
        .no_params()
        .no_return_type();
    cpp_demangle::Symbol::new(mangled)
        .ok()
        .and_then(|s| s.demangle_with_options(&opts).ok())
        .unwrap_or_else(|| String::from_utf8_lossy(mangled).into_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_name_drops_parameters() {
        assert_eq!(
            super::short_name(b"_ZN4node12_GLOBAL__N_120PlatformWorkerThreadEPv"),
            "node::(anonymous namespace)::PlatformWorkerThread"
        );
        assert_eq!(super::short_name(b"worker"), "worker");
    }
}
