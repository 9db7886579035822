//! V8's `.heapsnapshot` format: the writer (streaming a graph read from a heap, through spill
//! files), and the reader (a snapshot file, V8's or ours, into a [`crate::graph::Graph`]). Calls
//! the graph and v8 floors.

pub mod reader;
pub mod spill;
pub mod writer;
