//! corewalk: post-mortem forensics of Node.js processes from ELF core files.
//!
//! Layers, bottom to top (each only calls downward): [`memory`] and [`core`] (the core file),
//! [`binary`] (the executable, its symbols and V8's postmortem metadata), [`process`] (a core joined
//! with its executable), [`v8`] (V8's heap: pages, object walk, naming), [`session`] (a core opened
//! down to its walkable heap), and the reports built on them ([`info`], [`analyze`], [`inspect`]).
#![deny(unsafe_op_in_unsafe_fn)]

pub mod analyze;
pub mod binary;
pub mod core;
pub mod diff;
pub mod error;
pub mod graph;
pub mod info;
pub mod inspect;
pub mod leaks;
pub mod memory;
pub mod native;
pub mod process;
pub mod progress;
pub mod runtime;
pub mod session;
pub mod signal;
pub mod snapshot;
pub mod stack;
pub mod summary;
pub mod threads;
pub mod v8;

pub use error::{Error, Result};
