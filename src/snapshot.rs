//! `corewalk snapshot`: the object graph written in V8's heap-snapshot JSON format (the layout
//! `v8.writeHeapSnapshot()` writes, which Chrome DevTools, memlab and other tools load), streamed to
//! a temporary file that is renamed into place when complete.

use crate::error::{Error, Result};
use crate::graph::{EdgeType, Graph, RankBits, EDGE_TYPES};
use crate::process::OpenOptions;
use crate::progress::{Progress, Unit};
use crate::session::with_heap;
use crate::v8::names::{NodeType, ALL};
use rayon::prelude::*;
use serde::Serialize;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// What was written.
#[derive(Clone, Debug, Serialize)]
pub struct SnapshotReport {
    pub output: String,
    pub nodes: u64,
    pub edges: u64,
    /// Heap objects written.
    pub objects: u64,
    /// Heap objects left out because nothing reaches them (dead, not yet collected).
    pub unreachable_objects: u64,
    pub unreachable_bytes: u64,
    pub roots: Vec<(String, usize)>,
    pub warnings: Vec<String>,
}

/// Options of the `snapshot` command.
#[derive(Clone, Debug, Default)]
pub struct SnapshotOptions {
    /// Keep unreachable objects, under a synthetic `(unreachable)` node.
    pub include_unreachable: bool,
}

/// Convert `core` into a heap snapshot at `out`.
pub fn snapshot(
    core: &Path,
    opts: &OpenOptions,
    out: &Path,
    sopts: &SnapshotOptions,
    progress: &dyn Progress,
) -> Result<SnapshotReport> {
    refuse_input_as_output(core, out)?;
    with_heap(core, opts, |ctx| {
        let g = Graph::build(ctx, progress);
        let mut warnings = ctx.warnings.clone();
        warnings.extend(g.warnings.iter().cloned());
        let io_error = |source| Error::Io {
            path: out.to_path_buf(),
            source,
        };
        // A device or a pipe (`-o /dev/stdout`, a FIFO) is written as it is: renaming a
        // temporary file over it would replace it.
        let special = std::fs::metadata(out).is_ok_and(|m| !m.is_file() && !m.is_dir());
        let write_into = |f: std::fs::File| -> std::io::Result<(u64, u64, u64)> {
            let mut w = BufWriter::with_capacity(1 << 20, f);
            let counts = write(&g, sopts, &mut w, progress)?;
            w.flush()?;
            Ok(counts)
        };
        let (nodes, edges, objects) = if special {
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(out)
                .map_err(io_error)?;
            write_into(f).map_err(io_error)?
        } else {
            let tmp = temp_path(out);
            match std::fs::File::create(&tmp).and_then(write_into) {
                Ok(c) => {
                    std::fs::rename(&tmp, out).map_err(io_error)?;
                    c
                }
                Err(e) => {
                    let _ = std::fs::remove_file(&tmp);
                    return Err(io_error(e));
                }
            }
        };
        let unreachable: Vec<usize> = (0..g.addrs.len()).filter(|&i| !g.reachable[i]).collect();
        Ok(SnapshotReport {
            output: out.display().to_string(),
            nodes,
            edges,
            objects,
            unreachable_objects: unreachable.len() as u64,
            unreachable_bytes: unreachable.iter().map(|&i| g.sizes[i]).sum(),
            roots: g.roots.iter().map(|(n, v)| (n.clone(), v.len())).collect(),
            warnings,
        })
    })
}

/// The output must not be the core itself (or another name of it).
fn refuse_input_as_output(core: &Path, out: &Path) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    if let (Ok(a), Ok(b)) = (std::fs::metadata(core), std::fs::metadata(out)) {
        if a.dev() == b.dev() && a.ino() == b.ino() {
            return Err(Error::BadArgument(format!(
                "{} is the core being read; choose another output",
                out.display()
            )));
        }
    }
    Ok(())
}

/// A temporary file next to `out` (same file system, so the rename is atomic).
fn temp_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "snapshot".into());
    out.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Synthetic nodes before the heap's: root, (GC roots), one per root category, and optionally
/// (unreachable).
struct Layout {
    /// Output index of each heap node, or none when it is left out.
    index: OutputIndex,
    heap_count: u32,
    unreachable_node: Option<u32>,
}

/// Heap node → output node: a bit per node (kept or not) with ranks, so that the edge loop's
/// lookups touch 1/20 of the memory a table of indices would.
struct OutputIndex {
    first: u32,
    kept: RankBits,
}

impl OutputIndex {
    fn has(&self, i: usize) -> bool {
        self.kept.has(i)
    }

    fn get(&self, i: usize) -> Option<u32> {
        self.kept.rank(i).map(|r| self.first + r)
    }

    /// The output index of a kept node (callers check [`OutputIndex::has`] first).
    fn at(&self, i: usize) -> u32 {
        self.get(i).unwrap_or(u32::MAX)
    }
}

/// Write `g` as a `.heapsnapshot` to `w`; returns (nodes, edges, heap objects) written.
pub fn write(
    g: &Graph,
    sopts: &SnapshotOptions,
    w: &mut impl Write,
    progress: &dyn Progress,
) -> std::io::Result<(u64, u64, u64)> {
    const F: u32 = 7; // node fields
    let n = g.addrs.len();
    let categories = g.roots.len() as u32;
    let synthetic = 2 + categories + u32::from(sopts.include_unreachable);
    let index = OutputIndex {
        first: synthetic,
        kept: RankBits::new(n, |i| g.reachable[i] || sopts.include_unreachable),
    };
    let layout = Layout {
        heap_count: index.kept.ones(),
        index,
        unreachable_node: sopts.include_unreachable.then_some(2 + categories),
    };
    let natives: Vec<(u32, u64)> = g
        .backing_stores
        .iter()
        .filter(|(i, _)| layout.index.has(*i as usize))
        .copied()
        .collect();
    let total_nodes = (synthetic + layout.heap_count) as u64 + natives.len() as u64;

    // Extra strings, after the graph's.
    let mut extras: Vec<&str> = Vec::new();
    let base = g.strings.len();
    let mut extra = |s: &'static str| {
        extras.push(s);
        (base + extras.len() - 1) as u32
    };
    let s_root = extra("");
    let s_gc = extra("(GC roots)");
    let s_unreachable = extra("(unreachable)");
    let s_backing = extra("system / JSArrayBufferData");
    let s_backing_edge = extra("backing_store");
    let s_global = extra("global");
    let cat_names: Vec<u32> = g
        .roots
        .iter()
        .map(|(name, _)| {
            extras.push(name.as_str());
            (base + extras.len() - 1) as u32
        })
        .collect();
    // User roots, as V8 gives them: shortcut edges from the root to the global objects (and
    // their proxies), from which DevTools measures distances.
    let globals: Vec<u32> = g
        .globals
        .iter()
        .copied()
        .filter(|&i| layout.index.has(i as usize))
        .collect();

    // Edges of each output node, counted first (node records carry edge counts).
    let native_of: crate::memory::AddrMap<u32> = natives
        .iter()
        .enumerate()
        .map(|(p, (j, _))| (u64::from(*j), p as u32))
        .collect();
    // A node's edges to kept nodes, and its backing store (no allocation per node).
    let heap_edges = |i: usize| {
        let extra = native_of.get(&(i as u64)).map(|&p| {
            (
                EdgeType::Internal,
                s_backing_edge,
                synthetic + layout.heap_count + p,
            )
        });
        g.edges_of(i as u32)
            .iter()
            .filter_map(|e| {
                layout
                    .index
                    .get(e.to as usize)
                    .map(|to| (e.kind, e.name, to))
            })
            .chain(extra)
    };
    let unreachable_members: Vec<u32> = if sopts.include_unreachable {
        (0..n)
            .filter(|&i| !g.reachable[i])
            .map(|i| layout.index.at(i))
            .collect()
    } else {
        Vec::new()
    };

    progress.start("writing the snapshot", total_nodes, Unit::Items);
    let mut edge_count: u64 = 0;
    let mut nodes_buf: Vec<u8> = Vec::with_capacity(128);
    write!(
        w,
        "{{\"snapshot\":{{\"meta\":{{\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\
         \"edge_count\",\"trace_node_id\",\"detachedness\"],\"node_types\":[["
    )?;
    for (i, t) in ALL.iter().enumerate() {
        write!(w, "{}\"{}\"", if i > 0 { "," } else { "" }, t.as_str())?;
    }
    write!(
        w,
        "],\"string\",\"number\",\"number\",\"number\",\"number\",\"number\"],\
         \"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],\"edge_types\":[["
    )?;
    for (i, t) in EDGE_TYPES.iter().enumerate() {
        write!(w, "{}\"{t}\"", if i > 0 { "," } else { "" })?;
    }
    // Edge count is needed up front: count.
    let mut total_edges: u64 = 1 + globals.len() as u64 + u64::from(categories);
    total_edges += u64::from(sopts.include_unreachable);
    total_edges += g.roots.iter().map(|(_, v)| v.len() as u64).sum::<u64>();
    total_edges += unreachable_members.len() as u64;
    total_edges += (0..n)
        .into_par_iter()
        .filter(|&i| layout.index.has(i))
        .map(|i| heap_edges(i).count() as u64)
        .sum::<u64>();
    write!(
        w,
        "],\"string_or_number\",\"node\"],\"trace_function_info_fields\":[\"function_id\",\"name\",\
         \"script_name\",\"script_id\",\"line\",\"column\"],\"trace_node_fields\":[\"id\",\
         \"function_info_index\",\"count\",\"size\",\"children\"],\"sample_fields\":[\
         \"timestamp_us\",\"last_assigned_id\"],\"location_fields\":[\"object_index\",\
         \"script_id\",\"line\",\"column\"]}},\"node_count\":{total_nodes},\"edge_count\":\
         {total_edges},\"trace_function_count\":0}},\n\"nodes\":["
    )?;
    let id_of = |out_index: u32| -> u64 { 2 * u64::from(out_index) + 1 };
    let mut first = true;
    let mut node = |w: &mut dyn Write, t: NodeType, name: u32, id: u64, size: u64, edges: u64| {
        nodes_buf.clear();
        put_record(
            &mut nodes_buf,
            &[t.index() as u64, u64::from(name), id, size, edges, 0, 0],
        );
        // The first record has no separator before it.
        let skip = usize::from(std::mem::replace(&mut first, false));
        w.write_all(&nodes_buf[skip..])
    };
    // Synthetic nodes.
    let root_edges = 1 + globals.len() as u64 + u64::from(sopts.include_unreachable);
    node(w, NodeType::Synthetic, s_root, id_of(0), 0, root_edges)?;
    node(
        w,
        NodeType::Synthetic,
        s_gc,
        id_of(1),
        0,
        u64::from(categories),
    )?;
    for (c, (_, members)) in g.roots.iter().enumerate() {
        let members = members
            .iter()
            .filter(|&&m| layout.index.has(m as usize))
            .count();
        node(
            w,
            NodeType::Synthetic,
            cat_names[c],
            id_of(2 + c as u32),
            0,
            members as u64,
        )?;
    }
    if let Some(u) = layout.unreachable_node {
        node(
            w,
            NodeType::Synthetic,
            s_unreachable,
            id_of(u),
            0,
            unreachable_members.len() as u64,
        )?;
    }
    // Heap nodes (never the first record): formatted in parallel, written in order.
    in_parallel(w, n, |i, buf| {
        let Some(o) = layout.index.get(i) else {
            return;
        };
        let ec = heap_edges(i).count() as u64;
        let t = g.types[i].index() as u64;
        put_record(
            buf,
            &[t, u64::from(g.names[i]), id_of(o), g.sizes[i], ec, 0, 0],
        );
    })?;
    progress.advance(u64::from(layout.heap_count));
    for (p, (_, size)) in natives.iter().enumerate() {
        // Native nodes get even ids, as V8 gives its native objects.
        let id = 2 * u64::from(synthetic + layout.heap_count + p as u32) + 2;
        node(w, NodeType::Native, s_backing, id, *size, 0)?;
    }
    write!(w, "],\n\"edges\":[")?;
    let mut first_edge = true;
    let mut edge_buf: Vec<u8> = Vec::with_capacity(64);
    let mut edge = |w: &mut dyn Write, kind: EdgeType, name: u32, to: u32| {
        edge_buf.clear();
        edge_count += 1;
        put_record(
            &mut edge_buf,
            &[kind as u64, u64::from(name), u64::from(to) * u64::from(F)],
        );
        let skip = usize::from(std::mem::replace(&mut first_edge, false));
        w.write_all(&edge_buf[skip..])
    };
    edge(w, EdgeType::Element, 1, 1)?;
    for (k, &gi) in globals.iter().enumerate() {
        let _ = k;
        edge(
            w,
            EdgeType::Shortcut,
            s_global,
            layout.index.at(gi as usize),
        )?;
    }
    if let Some(u) = layout.unreachable_node {
        edge(w, EdgeType::Element, 2 + globals.len() as u32, u)?;
    }
    for c in 0..categories {
        edge(w, EdgeType::Element, c + 1, 2 + c)?;
    }
    for (name, members) in &g.roots {
        let weak = name == crate::graph::roots::OBJECT_CACHES;
        for (k, &m) in members
            .iter()
            .filter(|&&m| layout.index.has(m as usize))
            .enumerate()
        {
            let kind = if weak {
                EdgeType::Weak
            } else {
                EdgeType::Element
            };
            edge(w, kind, k as u32 + 1, layout.index.at(m as usize))?;
        }
    }
    for (k, &m) in unreachable_members.iter().enumerate() {
        edge(w, EdgeType::Element, k as u32 + 1, m)?;
    }
    let heap_edge_count = AtomicU64::new(0);
    in_parallel(w, n, |i, buf| {
        if !layout.index.has(i) {
            return;
        }
        let mut k = 0;
        for (kind, name, to) in heap_edges(i) {
            put_record(
                buf,
                &[kind as u64, u64::from(name), u64::from(to) * u64::from(F)],
            );
            k += 1;
        }
        heap_edge_count.fetch_add(k, Ordering::Relaxed);
    })?;
    edge_count += heap_edge_count.into_inner();
    write!(
        w,
        "],\n\"trace_function_infos\":[],\n\"trace_tree\":[],\n\"samples\":[],\n\"locations\":["
    )?;
    // Locations refer to nodes by their index in the nodes array (object_index).
    let mut first_location = true;
    let mut loc_buf: Vec<u8> = Vec::with_capacity(64);
    for &(i, [script, line, column]) in &g.locations {
        let Some(k) = layout.index.get(i as usize) else {
            continue;
        };
        loc_buf.clear();
        put_record(
            &mut loc_buf,
            &[u64::from(k * F), script.into(), line.into(), column.into()],
        );
        let skip = usize::from(std::mem::replace(&mut first_location, false));
        w.write_all(&loc_buf[skip..])?;
    }
    write!(w, "],\n\"strings\":[")?;
    // The graph's strings in parallel chunks, then the extra ones.
    in_parallel(w, g.strings.len(), |i, buf| {
        if i > 0 {
            buf.extend_from_slice(b",\n");
        }
        let _ = write_json_string(buf, g.strings.get(i as u32));
    })?;
    for (k, s) in extras.iter().enumerate() {
        if k > 0 || !g.strings.is_empty() {
            w.write_all(b",\n")?;
        }
        write_json_string(&mut *w, s)?;
    }
    w.write_all(b"]}\n")?;
    progress.finish();
    let _ = s_root;
    debug_assert_eq!(edge_count, total_edges);
    Ok((total_nodes, edge_count, u64::from(layout.heap_count)))
}

/// Records of nodes `0..n` formatted by `f` (into a buffer per chunk of nodes, in parallel, a
/// bounded number of chunks at a time) and written in node order.
fn in_parallel(
    w: &mut impl Write,
    n: usize,
    f: impl Fn(usize, &mut Vec<u8>) + Sync,
) -> std::io::Result<()> {
    const CHUNK: usize = 1 << 15;
    const IN_FLIGHT: usize = 32;
    let chunks: Vec<(usize, usize)> = (0..n)
        .step_by(CHUNK)
        .map(|a| (a, (a + CHUNK).min(n)))
        .collect();
    // Buffers are reused from window to window (fresh ones would be page-faulted in each time).
    let mut bufs: Vec<Vec<u8>> = vec![Vec::new(); IN_FLIGHT.min(chunks.len())];
    for window in chunks.chunks(IN_FLIGHT) {
        bufs.par_iter_mut()
            .zip(window.par_iter())
            .for_each(|(buf, &(a, b))| {
                buf.clear();
                for i in a..b {
                    f(i, buf);
                }
            });
        for b in &bufs[..window.len()] {
            w.write_all(b)?;
        }
    }
    Ok(())
}

/// One record of a later node or edge: `,a,b,...\n`.
fn put_record(buf: &mut Vec<u8>, fields: &[u64]) {
    for &v in fields {
        buf.push(b',');
        put_u64(buf, v);
    }
    buf.push(b'\n');
}

/// A string as a JSON literal (quoted, escaped), as the snapshot's string table holds it.
pub fn write_json_string(w: &mut impl Write, s: &str) -> std::io::Result<()> {
    // Most names need no escaping: copied as they are.
    if !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        w.write_all(b"\"")?;
        w.write_all(s.as_bytes())?;
        return w.write_all(b"\"");
    }
    serde_json::to_writer(w, s).map_err(std::io::Error::other)
}

/// Append the decimal digits of `v` (no allocation).
fn put_u64(buf: &mut Vec<u8>, v: u64) {
    buf.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

#[cfg(test)]
mod tests {
    #[test]
    fn integers_are_written_in_decimal() {
        let mut b = Vec::new();
        for v in [0, 7, 10, 4_294_967_295, u64::MAX] {
            super::put_u64(&mut b, v);
            b.push(b' ');
        }
        assert_eq!(
            String::from_utf8(b).unwrap(),
            "0 7 10 4294967295 18446744073709551615 "
        );
    }
}
