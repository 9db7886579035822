//! Reports: what each command computes from an opened [`session::Session`], as plain structs that
//! the command line renders as tables or JSON. The top floor of the library: it may call every
//! floor below (process, v8, graph, snapshot, stack).

pub mod analyze;
pub mod diff;
pub mod info;
pub mod inspect;
pub mod leaks;
pub mod session;
pub mod snapshot;
pub mod stack;
pub mod summary;
