//! The object graph: every heap object as a node (V8's node type and name), its references as
//! edges (V8's edge types and names), the roots, and what is reachable from them. The floor above
//! `v8/`: it stores what V8's view of each object ([`crate::v8::node`]) yields and knows no V8
//! offsets of its own.
//!
//! Storage is columnar: node `i` is `addrs[i]`, `sizes[i]`, `types[i]`, `names[i]`; edges are one
//! flat array in node order (`edge_start[i]..edge_start[i+1]`), names interned in `strings`
//! ([`strings`]). Reading (`build.rs`) hands nodes and edges to a sink: these columns, or the
//! snapshot writer's spill files ([`crate::snapshot::spill`]), which keep only edge targets in
//! memory. Each slot is checked against the exact set of object starts found by the page walk
//! ([`index`]), so a raw word that merely looks like a pointer cannot make an edge. Then roots and
//! reachability (`reach.rs`) and dominators ([`dominators`]).

mod build;
pub mod dominators;
pub mod index;
mod reach;
pub mod strings;

pub use crate::v8::node::{EdgeType, Essential, StaticName, EDGE_KINDS};
pub(crate) use build::{read_heap, RawNode, Sink};
pub use index::{Index, PageStarts, RankBits};
pub use reach::Reach;
pub(crate) use reach::{roots_and_reach, Strong};
pub use strings::{Fnv, Strings};

use crate::error::Warning;
use crate::v8::names::NodeType;
use reach::spread;
use std::collections::HashMap;

/// One edge: its type, its name (an interned string) or index (element, hidden), its target node.
/// Packed: 9 bytes instead of 12, for the tens of millions of a big heap (fields are read by
/// value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C, packed)]
pub struct Edge {
    pub kind: EdgeType,
    pub name: u32,
    pub to: u32,
}

/// The graph of one heap.
pub struct Graph {
    pub addrs: Vec<u64>,
    pub sizes: Vec<u64>,
    pub types: Vec<NodeType>,
    pub names: Vec<u32>,
    pub edge_start: Vec<u64>,
    pub edges: Vec<Edge>,
    pub strings: Strings,
    /// Root categories: (name, node indices).
    pub roots: Vec<(String, Vec<u32>)>,
    /// Nodes reachable from the roots through strong edges.
    pub reachable: Vec<bool>,
    /// Instance type of each node.
    pub itypes: Vec<u16>,
    /// Global objects and their proxies: the user roots the synthetic root points to.
    pub globals: Vec<u32>,
    /// ArrayBuffer backing stores (native memory): (referring node, size).
    pub backing_stores: Vec<(u32, u64)>,
    /// Source locations of closures and of objects made by a JS constructor: (node, script id,
    /// 0-based line, 0-based column), in node order.
    pub locations: Vec<(u32, [u32; 3])>,
    /// Script names by script id.
    pub scripts: HashMap<u32, String>,
    pub warnings: Vec<Warning>,
    /// Object starts by page, for [`Graph::node_at`] (graphs read from a heap; `None` for
    /// snapshot files, whose node addresses are ids).
    pub starts: Option<PageStarts>,
}

/// Renames and retypes that depend on other nodes' edges, known once every node is read:
/// arrays named after the edge that holds them (`(object elements)`, ...), and cells that maps
/// refer to shown as part of object shapes.
pub struct Patches {
    /// (node, interned name), by node: the first holder's tag.
    pub tags: Vec<(u32, u32)>,
    /// Cells maps refer to, ascending.
    pub shape_cells: Vec<u32>,
}

impl Patches {
    /// Node `i`'s type and name, patched ([`Patches::tags`] and [`Patches::shape_cells`] give
    /// the candidates: `tag` and `shape_cell`).
    pub fn apply(t: NodeType, name: u32, tag: Option<u32>, shape_cell: bool) -> (NodeType, u32) {
        let name = match tag {
            Some(tag) if name == 0 && matches!(t, NodeType::Array | NodeType::Hidden) => tag,
            _ => name,
        };
        let t = if shape_cell && t == NodeType::Hidden {
            NodeType::ObjectShape
        } else {
            t
        };
        (t, name)
    }
}

impl Graph {
    /// The node of the object starting at `addr`.
    pub fn node_at(&self, addr: u64) -> Option<u32> {
        match &self.starts {
            Some(starts) => starts.get(addr),
            None => self.addrs.binary_search(&addr).ok().map(|i| i as u32),
        }
    }

    /// Edges of node `i`.
    pub fn edges_of(&self, i: u32) -> &[Edge] {
        let (a, b) = (self.edge_start[i as usize], self.edge_start[i as usize + 1]);
        &self.edges[a as usize..b as usize]
    }

    /// The nodes reachable from `starts` by non-weak edges (the starts included).
    pub fn closure(&self, starts: impl IntoIterator<Item = u32>) -> Vec<bool> {
        let mut seen = vec![false; self.addrs.len()];
        spread(&mut seen, starts, self);
        seen
    }
}
