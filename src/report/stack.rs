//! `corewalk stack`: every thread's native and JavaScript frames, main thread first.

use crate::error::{Diagnostics, Result, Warning};
use crate::memory::Memory;
use crate::process::runtime::Versions;
use crate::process::{OpenOptions, Process};
use crate::report::session::open_isolate;
use crate::stack::native::Modules;
use crate::stack::native::Regs;
use crate::stack::{walk_thread, ThreadStack};
use crate::v8::frames::FrameDecoder;
use crate::v8::Runtime;
use serde::Serialize;
use std::path::Path;

/// What `corewalk stack` prints.
#[derive(Debug, Serialize)]
pub struct StackReport {
    pub pid: Option<u32>,
    pub node_version: Option<String>,
    pub v8_version: Option<String>,
    /// The signal the process died of, when the core says.
    pub signal: Option<i32>,
    /// Main thread first, then the others by thread id.
    pub threads: Vec<ThreadStack>,
    /// Libraries that could not be used for symbols and unwinding.
    pub missing_libraries: Vec<String>,
    /// Warnings (serialized as their texts) and whether the result is partial.
    #[serde(rename = "warnings")]
    pub diagnostics: Diagnostics,
    /// The result is partial ([`Diagnostics::is_partial`]): some thread's walk stopped early,
    /// some library was missing, JavaScript frames could not be decoded.
    pub partial: bool,
}

/// The stacks of every thread of the process in `core`. Needs no session: JavaScript frames are
/// decoded when the heap can be opened, native frames are shown in any case.
pub fn stacks(core: &Path, opts: &OpenOptions, with_args: bool) -> Result<StackReport> {
    let process = Process::open(core, opts)?;
    let mem = process.memory();
    let modules = Modules::new(&process.exe, process.mapped_files(&mem));
    let versions = Versions::read(&process, &mem);
    let mut diagnostics = Diagnostics::new(process.warnings.iter().cloned());
    let pid = process.pid();
    let names = crate::process::threads::thread_names(&process, &mem, pid);
    let mut order: Vec<&crate::core::ThreadState> = process.core.threads.iter().collect();
    order.sort_by_key(|t| (Some(t.tid) != pid, t.tid));

    // JavaScript frames need V8's heap (function and script objects); without it the native
    // frames still print.
    let runtime = Runtime::read(&process.exe, versions.v8_major_minor())
        .map(|rt| rt.with_global_marks(&process.exe));
    let isolate = runtime
        .as_ref()
        .map_err(|e| e.to_string())
        .and_then(|rt| open_isolate(&process, &versions, rt, &mem).map_err(|e| e.to_string()));
    let decoder = isolate
        .as_ref()
        .ok()
        .and_then(|i| FrameDecoder::new(&i.model, i.pages.clone()));
    match (&isolate, &decoder) {
        (Err(e), _) => diagnostics.push(Warning::partial(format!(
            "JavaScript frames not decoded: {e}"
        ))),
        (_, None) => diagnostics.push(Warning::partial(
            "JavaScript frames not decoded: the executable's metadata has no frame layout",
        )),
        _ => {}
    }

    let mut threads = Vec::new();
    for t in order {
        let Some(start) = thread_regs(&process, t.tid) else {
            continue;
        };
        let (frames, mut stopped) = walk_thread(&modules, decoder.as_ref(), &mem, start, with_args);
        if frames.len() <= 1 && mem.read_u64(start.rsp).is_none() {
            stopped = Some("the thread's stack is not in the core".into());
        }
        threads.push(ThreadStack {
            tid: t.tid,
            name: names.get(&t.tid).cloned(),
            main: Some(t.tid) == pid,
            frames,
            stopped,
        });
    }
    // Shown in the report itself: a marker line per stopped thread, the missing libraries.
    if threads.iter().any(|t| t.stopped.is_some()) || !modules.problems().is_empty() {
        diagnostics.mark_partial();
    }
    Ok(StackReport {
        pid,
        node_version: versions.node.clone(),
        v8_version: versions.v8.clone(),
        signal: process.core.siginfo_signo,
        threads,
        missing_libraries: modules.problems().to_vec(),
        partial: diagnostics.is_partial(),
        diagnostics,
    })
}

/// Registers of a thread as the core recorded them.
pub fn thread_regs(p: &Process, tid: u32) -> Option<Regs> {
    let t = p.core.threads.iter().find(|t| t.tid == tid)?;
    let r = &t.regs;
    Some(Regs {
        rip: r.rip,
        rsp: r.rsp,
        rbp: Some(r.rbp),
        rbx: Some(r.rbx),
        r12: Some(r.r12),
        r13: Some(r.r13),
        r14: Some(r.r14),
        r15: Some(r.r15),
    })
}
