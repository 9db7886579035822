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

use crate::error::Diagnostics;

/// What the command line needs of every report: it serializes (`--json`) and carries its
/// diagnostics, from which the exit status follows (partial: 3).
pub trait Report: serde::Serialize {
    fn diagnostics(&self) -> &Diagnostics;
}

macro_rules! reports {
    ($($t:ty),* $(,)?) => {
        $(impl Report for $t {
            fn diagnostics(&self) -> &Diagnostics {
                &self.diagnostics
            }
        })*
    };
}

reports!(
    info::InfoReport,
    analyze::AnalyzeReport,
    inspect::ObjectsReport,
    inspect::InspectReport,
    crate::snapshot::writer::SnapshotReport,
    diff::DiffReport,
    leaks::RetainersReport,
    leaks::RefsReport,
    stack::StackReport,
);
