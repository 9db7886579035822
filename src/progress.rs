//! Progress reporting for long work: the library reports phases and amounts; the binary decides
//! how to show them (a progress bar on a terminal, nothing otherwise).

/// Receives progress of one phase at a time. Implementations must be cheap to call from many
/// threads.
pub trait Progress: Sync {
    /// A phase starts; `total` is in `unit`s (e.g. bytes of heap pages).
    fn start(&self, phase: &str, total: u64, unit: Unit);
    /// `n` more units are done.
    fn advance(&self, n: u64);
    /// The phase is over.
    fn finish(&self);
}

/// What a phase counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Bytes,
    Items,
}

/// No progress output.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: &str, _: u64, _: Unit) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}
