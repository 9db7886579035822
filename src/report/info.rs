//! `corewalk info`: what a core says about its process, runtime and V8 heap.

use crate::core::ThreadState;
use crate::error::{Diagnostics, Result, Warning};
use crate::memory::Memory;
use crate::process::runtime::Versions;
use crate::process::{BuildIdCheck, ExeSource, OpenOptions, Process};
use crate::v8::heap::{Heap, SpaceStats};
use crate::v8::{vtable_class, Runtime};
use std::path::Path;

/// The whole `info` report; rendered as a table or as JSON from this one struct.
#[derive(Debug, serde::Serialize)]
pub struct InfoReport {
    pub core: CoreSummary,
    pub process: ProcessSummary,
    pub executable: ExecutableSummary,
    pub versions: Versions,
    pub heap: Option<HeapSummary>,
    /// Warnings (serialized as their texts) and whether the result is partial.
    #[serde(rename = "warnings")]
    pub diagnostics: Diagnostics,
    /// The result is partial ([`Diagnostics::is_partial`]: a truncated core, no heap found...).
    pub partial: bool,
}

/// The core file itself.
#[derive(Debug, serde::Serialize)]
pub struct CoreSummary {
    pub path: String,
    pub file_size: u64,
    pub segments: usize,
    /// Bytes of process memory the segments cover.
    pub memory_bytes: u64,
    /// Bytes of it actually captured in the file.
    pub captured_bytes: u64,
}

/// The process that died.
#[derive(Debug, serde::Serialize)]
pub struct ProcessSummary {
    pub pid: Option<u32>,
    pub ppid: Option<u32>,
    pub uid: Option<u32>,
    /// `comm`, the kernel's 15-byte command name.
    pub command: Option<String>,
    /// The executed file as the process saw it (`AT_EXECFN`).
    pub executable_path: Option<String>,
    pub argv: Vec<String>,
    /// True when `argv` was read whole from the initial stack; false when it is `pr_psargs` (≤ 80 bytes).
    pub argv_complete: bool,
    pub signal: Option<SignalSummary>,
    pub threads: Vec<ThreadSummary>,
}

/// The signal that killed the process.
#[derive(Debug, serde::Serialize)]
pub struct SignalSummary {
    pub number: i32,
    pub name: Option<&'static str>,
}

/// One thread.
#[derive(Debug, serde::Serialize)]
pub struct ThreadSummary {
    pub tid: u32,
    pub main: bool,
    pub name: Option<String>,
    pub rip: u64,
    pub rsp: u64,
}

/// The executable used to read the core.
#[derive(Debug, serde::Serialize)]
pub struct ExecutableSummary {
    pub path: String,
    pub found_by: ExeSource,
    pub build_id: BuildIdCheck,
    pub v8dbg_symbols: usize,
}

/// The V8 heap, per space.
#[derive(Debug, serde::Serialize)]
pub struct HeapSummary {
    /// Address of the isolate's `Heap`.
    pub heap_address: u64,
    pub layout: &'static str,
    pub spaces: Vec<SpaceStats>,
    pub total_pages: usize,
    pub total_committed: u64,
    pub total_used: u64,
}

/// SIGSTOP cannot kill a process or make the kernel dump it: a core showing it was taken from a live,
/// stopped process (gdb's `gcore`), so no signal killed it.
const SIGSTOP: i32 = 19;

/// Build the report for `core_path`.
pub fn info(core_path: &Path, opts: &OpenOptions) -> Result<InfoReport> {
    let p = Process::open(core_path, opts)?;
    let mem = p.memory();
    let mut diagnostics = Diagnostics::new(p.warnings.iter().cloned());
    let versions = Versions::read(&p, &mem);
    let v8 = Runtime::read(&p.exe, versions.v8_major_minor())?;
    // The runtime's warnings also when no heap is found: a guessed layout is a likely cause.
    diagnostics.extend(v8.warnings.iter().cloned());
    let class_of = |vtable: u64| p.exe_symbol_at(vtable).and_then(vtable_class);
    let heap = match Heap::discover(&v8, &mem, &class_of) {
        Ok(h) => {
            diagnostics.extend(h.warnings.iter().cloned());
            Some(summarize_heap(&h))
        }
        Err(e) => {
            diagnostics.push(Warning::partial(e.to_string()));
            None
        }
    };
    let (argv, argv_complete) = p.argv(&mem);
    let psinfo = p.core.psinfo.as_ref();
    let pid = p.pid();
    let signo = p
        .core
        .siginfo_signo
        .filter(|&s| s > 0)
        .or_else(|| p.core.threads.first().map(|t| t.signal as i32))
        .filter(|&s| s > 0 && s != SIGSTOP);
    let threads = thread_summaries(&p, &mem, pid);
    let (memory_bytes, captured_bytes) = p.core.memory_totals();
    Ok(InfoReport {
        core: CoreSummary {
            path: p.core.path().display().to_string(),
            file_size: p.core.file_size(),
            segments: p.core.segments.len(),
            memory_bytes,
            captured_bytes,
        },
        process: ProcessSummary {
            pid,
            ppid: psinfo.map(|i| i.ppid),
            uid: psinfo.map(|i| i.uid),
            command: psinfo.map(|i| i.fname.clone()),
            executable_path: p.execfn(&mem),
            argv,
            argv_complete,
            signal: signo.map(|number| SignalSummary {
                number,
                name: crate::core::signal::name(number),
            }),
            threads,
        },
        executable: ExecutableSummary {
            path: p.exe.path().display().to_string(),
            found_by: p.exe_source,
            build_id: p.build_id.clone(),
            v8dbg_symbols: v8.metadata.raw.len(),
        },
        versions,
        partial: diagnostics.is_partial(),
        heap,
        diagnostics,
    })
}

fn thread_summaries(p: &Process, mem: &impl Memory, pid: Option<u32>) -> Vec<ThreadSummary> {
    let names = crate::process::threads::thread_names(p, mem, pid);
    let mut out: Vec<ThreadSummary> = p
        .core
        .threads
        .iter()
        .map(|t: &ThreadState| {
            let main = Some(t.tid) == pid;
            ThreadSummary {
                tid: t.tid,
                main,
                name: names.get(&t.tid).cloned(),
                rip: t.regs.rip,
                rsp: t.regs.rsp,
            }
        })
        .collect();
    // Main thread first, then by tid.
    out.sort_by_key(|t| (!t.main, t.tid));
    out
}

fn summarize_heap(h: &Heap) -> HeapSummary {
    HeapSummary {
        heap_address: h.heap_address,
        layout: h.layout_name,
        total_pages: h.spaces.iter().map(|s| s.pages).sum(),
        total_committed: h.spaces.iter().map(|s| s.committed).sum(),
        total_used: h.spaces.iter().map(|s| s.used).sum(),
        spaces: h.spaces.clone(),
    }
}
