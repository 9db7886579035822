//! V8's `.heapsnapshot` format: the writer (streaming a graph read from a heap, through spill
//! files), and the reader (a snapshot file, V8's or ours, into a [`crate::graph::Graph`]). Calls
//! the graph and v8 floors.

pub mod reader;
pub mod spill;
pub mod writer;

/// The snapshot's spelling of edge types, in [`crate::graph::EdgeType`]'s order.
pub const EDGE_TYPES: [&str; 7] = [
    "context", "element", "property", "internal", "hidden", "shortcut", "weak",
];
