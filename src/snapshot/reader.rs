//! Reading a `.heapsnapshot` (V8's or ours) into a [`Graph`], so that class summaries and diffs
//! treat a snapshot file and a core alike. The file is read whole (its numbers as flat arrays).

use crate::error::{Error, Result};
use crate::graph::{Edge, EdgeType, Graph, Strings, EDGE_KINDS};
use crate::snapshot::EDGE_TYPES;
use crate::v8::names::NodeType;
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
struct File {
    snapshot: Header,
    nodes: Vec<u64>,
    edges: Vec<u64>,
    strings: Vec<String>,
    #[serde(default)]
    locations: Vec<u64>,
}

#[derive(Deserialize)]
struct Header {
    meta: Meta,
}

#[derive(Deserialize)]
struct Meta {
    node_fields: Vec<String>,
    node_types: Vec<serde_json::Value>,
    edge_fields: Vec<String>,
    edge_types: Vec<serde_json::Value>,
    #[serde(default)]
    location_fields: Vec<String>,
}

/// `detachedness` of a node detached from its (DOM) tree.
const DETACHED: u64 = 2;

/// The node types V8 writes, by their snapshot spelling.
fn node_type(name: &str) -> NodeType {
    match name {
        "array" => NodeType::Array,
        "string" => NodeType::String,
        "object" => NodeType::Object,
        "code" => NodeType::Code,
        "closure" => NodeType::Closure,
        "regexp" => NodeType::RegExp,
        "number" => NodeType::Number,
        "native" => NodeType::Native,
        "synthetic" => NodeType::Synthetic,
        "concatenated string" => NodeType::ConcatenatedString,
        "sliced string" => NodeType::SlicedString,
        "symbol" => NodeType::Symbol,
        "bigint" => NodeType::BigInt,
        "object shape" => NodeType::ObjectShape,
        _ => NodeType::Hidden,
    }
}

/// Read a heap snapshot file. Every node counts as reachable (the file holds what its writer
/// kept); the root's shortcut edges give the global objects.
pub fn read(path: &Path) -> Result<Graph> {
    let bad = |what: String| Error::Malformed {
        path: path.to_owned(),
        what,
    };
    let f = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let file: File = serde_json::from_reader(std::io::BufReader::new(f))
        .map_err(|e| bad(format!("not a heap snapshot: {e}")))?;
    let m = &file.snapshot.meta;
    let field = |fields: &[String], name: &str| {
        fields
            .iter()
            .position(|f| f == name)
            .ok_or_else(|| bad(format!("no {name} field")))
    };
    let nf = m.node_fields.len();
    let ef = m.edge_fields.len();
    if nf == 0
        || ef == 0
        || !file.nodes.len().is_multiple_of(nf)
        || !file.edges.len().is_multiple_of(ef)
    {
        return Err(bad("node or edge arrays do not fit their fields".into()));
    }
    let (nt, nn, ni, ns, nc) = (
        field(&m.node_fields, "type")?,
        field(&m.node_fields, "name")?,
        field(&m.node_fields, "id")?,
        field(&m.node_fields, "self_size")?,
        field(&m.node_fields, "edge_count")?,
    );
    // V8 marks nodes detached from the DOM (Node's embedder nodes too); DevTools prefixes them.
    let nd = m.node_fields.iter().position(|f| f == "detachedness");
    let (et, en, eto) = (
        field(&m.edge_fields, "type")?,
        field(&m.edge_fields, "name_or_index")?,
        field(&m.edge_fields, "to_node")?,
    );
    let type_names = |v: &[serde_json::Value]| -> Vec<String> {
        v.first()
            .and_then(|t| t.as_array())
            .map(|a| {
                a.iter()
                    .map(|s| s.as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let node_types: Vec<NodeType> = type_names(&m.node_types)
        .iter()
        .map(|t| node_type(t))
        .collect();
    let edge_types: Vec<Option<EdgeType>> = type_names(&m.edge_types)
        .iter()
        .map(|t| {
            EDGE_TYPES
                .iter()
                .position(|e| e == t)
                .map(|k| EDGE_KINDS[k])
        })
        .collect();
    let n = file.nodes.len() / nf;
    let strings_len = file.strings.len() as u64;
    let mut strings = Strings::default();
    for s in &file.strings {
        strings.push_verbatim(s);
    }
    let mut addrs = Vec::with_capacity(n);
    let mut sizes = Vec::with_capacity(n);
    let mut types = Vec::with_capacity(n);
    let mut names = Vec::with_capacity(n);
    let mut edge_start = Vec::with_capacity(n + 1);
    let mut edges = Vec::with_capacity(file.edges.len() / ef);
    let mut e = 0usize;
    for k in 0..n {
        let rec = &file.nodes[k * nf..k * nf + nf];
        addrs.push(rec[ni]);
        sizes.push(rec[ns]);
        types.push(
            *node_types
                .get(rec[nt] as usize)
                .unwrap_or(&NodeType::Hidden),
        );
        let name = rec[nn];
        if name >= strings_len {
            return Err(bad(format!("node {k} names string {name}, past the table")));
        }
        let detached = nd.is_some_and(|d| rec[d] == DETACHED);
        if detached && matches!(types[k], NodeType::Object | NodeType::Native) {
            let text = format!("Detached {}", file.strings[name as usize]);
            names.push(strings.intern(&text));
        } else {
            names.push(name as u32);
        }
        edge_start.push(edges.len() as u64);
        let count = rec[nc] as usize;
        for _ in 0..count {
            let r = file
                .edges
                .get(e * ef..e * ef + ef)
                .ok_or_else(|| bad("fewer edges than the nodes count".into()))?;
            e += 1;
            let to = r[eto] as usize / nf;
            if to >= n || !(r[eto] as usize).is_multiple_of(nf) {
                return Err(bad(format!("edge to {}, not a node", r[eto])));
            }
            let Some(Some(kind)) = edge_types.get(r[et] as usize) else {
                continue; // an edge type this reader does not know
            };
            edges.push(Edge {
                kind: *kind,
                name: u32::try_from(r[en]).unwrap_or(u32::MAX),
                to: to as u32,
            });
        }
    }
    edge_start.push(edges.len() as u64);
    let globals: Vec<u32> = if n > 0 {
        edges[edge_start[0] as usize..edge_start[1] as usize]
            .iter()
            .filter(|e| e.kind == EdgeType::Shortcut)
            .map(|e| e.to)
            .collect()
    } else {
        Vec::new()
    };
    let lf = m.location_fields.len().max(1);
    let locations = file
        .locations
        .chunks_exact(4.max(lf))
        .filter_map(|l| {
            let node = (l[0] as usize / nf) as u32;
            ((node as usize) < n).then_some((node, [l[1] as u32, l[2] as u32, l[3] as u32]))
        })
        .collect();
    Ok(Graph {
        itypes: vec![0; n],
        reachable: vec![true; n],
        addrs,
        sizes,
        types,
        names,
        edge_start,
        edges,
        strings,
        roots: Vec::new(),
        globals,
        backing_stores: Vec::new(),
        locations,
        scripts: Default::default(),
        warnings: Vec::new(),
        starts: None,
    })
}
