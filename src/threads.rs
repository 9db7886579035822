//! Naming threads. Cores carry no thread names (the kernel's per-thread `comm` is not dumped), so
//! the main thread gets the process's command name and the others what can be recovered.

use crate::core::ThreadState;
use crate::memory::Memory;
use crate::process::Process;

/// A name for thread `t`: the command name for the main thread; `None` when nothing is known.
pub fn thread_name(
    p: &Process,
    _mem: &impl Memory,
    _t: &ThreadState,
    main: bool,
) -> Option<String> {
    if main {
        return p.core.psinfo.as_ref().map(|i| i.fname.clone());
    }
    None
}
