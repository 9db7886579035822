//! corewalk: post-mortem forensics of Node.js processes from ELF core files.
//!
//! Floors, bottom to top; each module calls only the floors below it:
//! 1. [`memory`] (the `Memory` trait, addresses), [`core`] (the ELF core file) and [`binary`] (the
//!    executable: symbols, build-id, V8's postmortem metadata, unwind tables);
//! 2. [`process`]: a core joined with its executable (address space, threads, runtime versions);
//! 3. [`v8`]: V8's heap as V8 defines it (layouts, pages, the object walk, views named after V8's
//!    classes, names, roots, frames, the snapshot view of one object), over any `Memory`;
//! 4. [`graph`]: the object graph (strings, indexes, the build pipeline, reachability,
//!    dominators), with no V8 offsets of its own;
//! 5. consumers: [`snapshot`] (the `.heapsnapshot` format: writer, spill files, reader), [`stack`]
//!    (the native unwinder and thread walk), [`report`] (an opened [`report::session::Session`] and every
//!    command's report, with one diagnostics envelope);
//! 6. the command line (`src/bin/corewalk`): arguments, rendering, exit statuses.
//!
//! [`error`] and [`progress`] are shared by every floor.
#![deny(unsafe_op_in_unsafe_fn)]

pub mod binary;
pub mod core;
pub mod error;
pub mod graph;
pub mod memory;
pub mod process;
pub mod progress;
pub mod report;
pub mod snapshot;
pub mod stack;
pub mod v8;

pub use error::{Diagnostics, Error, Result, Warning};
