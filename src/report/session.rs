//! A core opened down to its walkable V8 heap, once: the process, its runtime versions and the
//! main isolate, for the reports that read objects. A caller opens a session and asks it as many
//! questions as it likes.

use crate::error::{Diagnostics, Result, Warning};
use crate::graph::Graph;
use crate::process::runtime::Versions;
use crate::process::{Mem, OpenOptions, Process};
use crate::progress::Progress;
use crate::v8::isolate::Isolate;
use crate::v8::roots::RootSources;
use crate::v8::{vtable_class, Runtime};
use std::path::Path;
use std::sync::OnceLock;

/// An opened core.
pub struct Session<'a> {
    pub process: &'a Process,
    pub versions: &'a Versions,
    /// The main isolate's heap.
    pub isolate: Isolate<'a, Mem<'a>>,
    /// Problems met while opening: the process's, then the isolate's. Every report starts its
    /// diagnostics from these ([`Session::diagnostics`]).
    pub warnings: Vec<Warning>,
    /// The object graph, built on first use and shared by every report asked of the session.
    graph: OnceLock<Graph>,
}

impl<'a> Session<'a> {
    /// A session over an opened process and isolate.
    pub fn new(
        process: &'a Process,
        versions: &'a Versions,
        isolate: Isolate<'a, Mem<'a>>,
    ) -> Session<'a> {
        let mut warnings = process.warnings.clone();
        warnings.extend(isolate.warnings.iter().cloned());
        Session {
            process,
            versions,
            isolate,
            warnings,
            graph: OnceLock::new(),
        }
    }

    /// A report's diagnostics, starting with the session's warnings.
    pub fn diagnostics(&self) -> Diagnostics {
        Diagnostics::new(self.warnings.iter().cloned())
    }

    /// The object graph of the heap (built once; `progress` shows the first build).
    pub fn graph(&self, progress: &dyn Progress) -> &Graph {
        self.graph
            .get_or_init(|| Graph::build(&self.isolate, progress))
    }

    /// Open `core` and call `f` with the session.
    pub fn open<R>(
        core: &Path,
        opts: &OpenOptions,
        f: impl FnOnce(&Session<'_>) -> Result<R>,
    ) -> Result<R> {
        let process = Process::open(core, opts)?;
        let mem = process.memory();
        let versions = Versions::read(&process, &mem);
        let runtime =
            Runtime::read(&process.exe, versions.v8_major_minor())?.with_global_marks(&process.exe);
        let isolate = open_isolate(&process, &versions, &runtime, &mem)?;
        f(&Session::new(&process, &versions, isolate))
    }
}

/// Open the main isolate of `process` (also used by `stack`, which reads JavaScript frames
/// without a session when the heap is there).
pub fn open_isolate<'a>(
    process: &Process,
    versions: &Versions,
    runtime: &'a Runtime,
    mem: &'a Mem<'a>,
) -> Result<Isolate<'a, Mem<'a>>> {
    let class_of = |vtable: u64| process.exe_symbol_at(vtable).and_then(vtable_class);
    let roots = RootSources {
        stacks: process
            .core
            .threads
            .iter()
            .map(|t| (t.tid, t.regs.rsp))
            .collect(),
        executable: process.exe_ranges(),
        v8_version: versions.v8.clone(),
    };
    Isolate::open(runtime, mem, &class_of, roots)
}
