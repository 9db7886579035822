//! The object graph written in V8's heap-snapshot JSON format (the layout
//! `v8.writeHeapSnapshot()` writes, which Chrome DevTools, memlab and other tools load), streamed
//! from spill files.

use crate::error::Diagnostics;
use crate::graph::{EdgeType, Patches, RankBits};
use crate::memory::Memory;
use crate::progress::{Progress, Unit};
use crate::snapshot::spill::{
    self, edge_record, location_field, node_record, read_into, Spilled, EDGE_CHUNK,
    LOCATION_RECORD, NODE_RECORD, TEXT,
};
use crate::snapshot::EDGE_TYPES;
use crate::v8::isolate::Isolate;
use crate::v8::names::{NodeType, ALL};
use rayon::prelude::*;
use serde::Serialize;
use std::io::{Read, Write};
use std::path::Path;
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
    /// Warnings (serialized as their texts) and whether the result is partial.
    #[serde(rename = "warnings")]
    pub diagnostics: Diagnostics,
}

/// Options of the `snapshot` command.
#[derive(Clone, Debug, Default)]
pub struct SnapshotOptions {
    /// Keep unreachable objects, under a synthetic `(unreachable)` node.
    pub include_unreachable: bool,
}

/// Read an opened heap and write it as a `.heapsnapshot` to `w`, spilling nodes and edges to
/// temporary files in `spill_dir` on the way (see [`crate::snapshot::spill`]). The report's output
/// is left empty, and its warnings are the graph's (the session's are the caller's).
pub fn write_heap<M: Memory>(
    ctx: &Isolate<'_, M>,
    sopts: &SnapshotOptions,
    w: &mut (impl Write + Send),
    progress: &dyn Progress,
    spill_dir: &Path,
) -> std::io::Result<SnapshotReport> {
    let mut s = spill::build(ctx, progress, spill_dir)?;
    write(&mut s, sopts, w, progress)
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

/// Nodes formatted per window: the window's node and edge records are read from the spill files,
/// then formatted in parallel.
const WINDOW: usize = 1 << 20;
const _: () = assert!(WINDOW.is_multiple_of(EDGE_CHUNK));

/// Write a spilled heap as a `.heapsnapshot` to `w`.
fn write(
    s: &mut Spilled,
    sopts: &SnapshotOptions,
    w: &mut (impl Write + Send),
    progress: &dyn Progress,
) -> std::io::Result<SnapshotReport> {
    const F: u32 = 7; // node fields
    let weak_members = s
        .reach
        .roots
        .iter()
        .filter(|(name, _)| name == crate::v8::roots::OBJECT_CACHES)
        .map(|(_, v)| v.len())
        .max()
        .unwrap_or(0);
    let weak_names: Vec<u32> = (1..=weak_members)
        .map(|k| s.strings.intern(&k.to_string()))
        .collect();
    let s = &*s;
    let n = s.n;
    let reach = &s.reach;
    let categories = reach.roots.len() as u32;
    let synthetic = 2 + categories + u32::from(sopts.include_unreachable);
    let index = OutputIndex {
        first: synthetic,
        kept: RankBits::new(n, |i| reach.reachable[i] || sopts.include_unreachable),
    };
    let layout = Layout {
        heap_count: index.kept.ones(),
        index,
        unreachable_node: sopts.include_unreachable.then_some(2 + categories),
    };
    let natives: Vec<(u32, u64)> = s
        .backing_stores
        .iter()
        .filter(|(i, _)| layout.index.has(*i as usize))
        .copied()
        .collect();
    let total_nodes = (synthetic + layout.heap_count) as u64 + natives.len() as u64;

    // Strings: the interned ones, then the extra ones, then the texts of string nodes.
    let mut extras: Vec<&str> = Vec::new();
    let base = s.strings.len();
    let mut extra = |x: &'static str| {
        extras.push(x);
        (base + extras.len() - 1) as u32
    };
    let s_root = extra("");
    let s_gc = extra("(GC roots)");
    let s_unreachable = extra("(unreachable)");
    let s_backing = extra("system / JSArrayBufferData");
    let s_backing_edge = extra("backing_store");
    let s_global = extra("global");
    let cat_names: Vec<u32> = reach
        .roots
        .iter()
        .map(|(name, _)| {
            extras.push(name.as_str());
            (base + extras.len() - 1) as u32
        })
        .collect();
    let text_base = (base + extras.len()) as u64;
    let string_index = |name: u32| -> u64 {
        if name >= TEXT {
            text_base + u64::from(name - TEXT)
        } else {
            u64::from(name)
        }
    };
    // User roots, as V8 gives them: shortcut edges from the root to the global objects (and
    // their proxies), from which DevTools measures distances.
    let globals: Vec<u32> = reach
        .globals
        .iter()
        .copied()
        .filter(|&i| layout.index.has(i as usize))
        .collect();

    let native_of: crate::memory::AddrMap<u32> = natives
        .iter()
        .enumerate()
        .map(|(p, (j, _))| (u64::from(*j), p as u32))
        .collect();
    let native_node = |i: usize| {
        native_of
            .get(&(i as u64))
            .map(|&p| synthetic + layout.heap_count + p)
    };
    // Edges written for a kept node: those to kept nodes, and its backing store. Strong edges of
    // a kept node always lead to kept nodes (what a reachable node reaches is reachable, and with
    // --include-unreachable everything is kept): only weak ones are looked up.
    let edge_count = |i: usize| -> u64 {
        let kept = s
            .edge_targets(i)
            .iter()
            .filter(|&&t| !Spilled::is_weak(t) || layout.index.has(Spilled::target(t) as usize))
            .count();
        kept as u64 + u64::from(native_node(i).is_some())
    };
    let unreachable_members: Vec<u32> = if sopts.include_unreachable {
        (0..n)
            .filter(|&i| !reach.reachable[i])
            .map(|i| layout.index.at(i))
            .collect()
    } else {
        Vec::new()
    };

    progress.start("writing the snapshot", total_nodes, Unit::Items);
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
    total_edges += reach
        .roots
        .iter()
        .map(|(_, v)| v.iter().filter(|&&m| layout.index.has(m as usize)).count() as u64)
        .sum::<u64>();
    total_edges += unreachable_members.len() as u64;
    total_edges += (0..n)
        .into_par_iter()
        .filter(|&i| layout.index.has(i))
        .map(edge_count)
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
    for (c, (_, members)) in reach.roots.iter().enumerate() {
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
    // Heap nodes (never the first record), a window at a time: read in order, formatted in
    // parallel. Unreachable ones are counted here (their sizes are only in the records).
    let unreachable_bytes = AtomicU64::new(0);
    let mut formatter = Parallel::default();
    let mut records = s.nodes()?;
    let mut buf = Vec::new();
    let (tags, cells) = (&s.patches.tags, &s.patches.shape_cells);
    for a in (0..n).step_by(WINDOW) {
        let b = (a + WINDOW).min(n);
        read_into(&mut records, &mut buf, (b - a) * NODE_RECORD)?;
        let window = &buf;
        formatter.run(
            w,
            a,
            b,
            |i, out, (tag_at, cell_at): &mut (Option<usize>, Option<usize>)| {
                let (t, name, size) = node_record(&window[(i - a) * NODE_RECORD..]);
                if !reach.reachable[i] {
                    unreachable_bytes.fetch_add(u64::from(size), Ordering::Relaxed);
                }
                let Some(o) = layout.index.get(i) else {
                    return;
                };
                // Patches are ascending by node: cursors from the chunk's first node.
                let i32 = i as u32;
                let mut tag_k =
                    *tag_at.get_or_insert_with(|| tags.partition_point(|&(t, _)| t < i32));
                let mut cell_k =
                    *cell_at.get_or_insert_with(|| cells.partition_point(|&t| t < i32));
                while tags.get(tag_k).is_some_and(|&(t, _)| t < i32) {
                    tag_k += 1;
                }
                while cells.get(cell_k).is_some_and(|&t| t < i32) {
                    cell_k += 1;
                }
                let tag = tags.get(tag_k).filter(|&&(t, _)| t == i32).map(|&(_, n)| n);
                let cell = cells.get(cell_k).is_some_and(|&t| t == i32);
                (*tag_at, *cell_at) = (Some(tag_k), Some(cell_k));
                let (t, name) = Patches::apply(t, name, tag, cell);
                put_record(
                    out,
                    &[
                        t.index() as u64,
                        string_index(name),
                        id_of(o),
                        u64::from(size),
                        edge_count(i),
                        0,
                        0,
                    ],
                );
            },
        )?;
        progress.advance(u64::from(
            layout.index.kept.before(b) - layout.index.kept.before(a),
        ));
    }
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
        put_record(
            &mut edge_buf,
            &[kind as u64, u64::from(name), u64::from(to) * u64::from(F)],
        );
        let skip = usize::from(std::mem::replace(&mut first_edge, false));
        w.write_all(&edge_buf[skip..])
    };
    edge(w, EdgeType::Element, 1, 1)?;
    for &gi in &globals {
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
    for (name, members) in &reach.roots {
        let weak = name == crate::v8::roots::OBJECT_CACHES;
        for (k, &m) in members
            .iter()
            .filter(|&&m| layout.index.has(m as usize))
            .enumerate()
        {
            // Weak edges are named (by their index's text, as V8 names them), element edges
            // indexed.
            let (kind, name) = if weak {
                (EdgeType::Weak, weak_names.get(k).copied().unwrap_or(0))
            } else {
                (EdgeType::Element, k as u32 + 1)
            };
            edge(w, kind, name, layout.index.at(m as usize))?;
        }
    }
    for (k, &m) in unreachable_members.iter().enumerate() {
        edge(w, EdgeType::Element, k as u32 + 1, m)?;
    }
    let mut records = s.edges()?;
    for a in (0..n).step_by(WINDOW) {
        let b = (a + WINDOW).min(n);
        // The window's edge records, from the first node's chunk start to the next window's.
        let chunk_at = |i: usize| -> usize {
            let k = (i / EDGE_CHUNK).min(s.edge_chunks.len().saturating_sub(1));
            s.edge_chunks.get(k).map_or(0, |&o| o as usize)
        };
        let first = chunk_at(a);
        let end = if b == n {
            s.edge_chunks.last().map_or(0, |&o| o as usize)
        } else {
            chunk_at(b)
        };
        read_into(&mut records, &mut buf, end.saturating_sub(first))?;
        let window = &buf;
        // Chunks start at multiples of EDGE_CHUNK (windows are multiples of it): each decodes
        // its records from its own start, every node's in turn (left-out nodes' skipped).
        formatter.run(w, a, b, |i, out, cursor: &mut Option<usize>| {
            let at = cursor.get_or_insert_with(|| chunk_at(i) - first);
            let kept = layout.index.has(i);
            for &t in s.edge_targets(i) {
                let (kind, name) = edge_record(window, at);
                if !kept {
                    continue;
                }
                let Some(to) = layout.index.get(Spilled::target(t) as usize) else {
                    continue;
                };
                put_record(
                    out,
                    &[kind as u64, u64::from(name), u64::from(to) * u64::from(F)],
                );
            }
            if let (true, Some(to)) = (kept, native_node(i)) {
                put_record(
                    out,
                    &[
                        EdgeType::Internal as u64,
                        u64::from(s_backing_edge),
                        u64::from(to) * u64::from(F),
                    ],
                );
            }
        })?;
    }
    write!(
        w,
        "],\n\"trace_function_infos\":[],\n\"trace_tree\":[],\n\"samples\":[],\n\"locations\":["
    )?;
    // Locations refer to nodes by their index in the nodes array (object_index).
    let mut first_location = true;
    let mut loc_buf: Vec<u8> = Vec::with_capacity(64);
    let mut records = s.locations()?;
    let mut rec = [0u8; LOCATION_RECORD];
    loop {
        match records.read_exact(&mut rec) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e),
        }
        let field = |k| location_field(&rec, k);
        let Some(k) = layout.index.get(field(0) as usize) else {
            continue;
        };
        loc_buf.clear();
        put_record(
            &mut loc_buf,
            &[
                u64::from(k * F),
                field(1).into(),
                field(2).into(),
                field(3).into(),
            ],
        );
        let skip = usize::from(std::mem::replace(&mut first_location, false));
        w.write_all(&loc_buf[skip..])?;
    }
    write!(w, "],\n\"strings\":[")?;
    // The interned strings in parallel chunks, the extra ones, then the texts.
    formatter.run(w, 0, s.strings.len(), |i, buf, _: &mut ()| {
        if i > 0 {
            buf.extend_from_slice(b",\n");
        }
        let _ = write_json_string(buf, s.strings.get(i as u32));
    })?;
    for (k, x) in extras.iter().enumerate() {
        if k > 0 || !s.strings.is_empty() {
            w.write_all(b",\n")?;
        }
        write_json_string(&mut *w, x)?;
    }
    write_texts(w, s, &mut formatter)?;
    w.write_all(b"]}\n")?;
    progress.finish();
    let unreachable_objects = reach.reachable.iter().filter(|&&r| !r).count() as u64;
    Ok(SnapshotReport {
        output: String::new(),
        nodes: total_nodes,
        edges: total_edges,
        objects: u64::from(layout.heap_count),
        unreachable_objects,
        unreachable_bytes: unreachable_bytes.into_inner(),
        roots: reach
            .roots
            .iter()
            .map(|(n, v)| (n.clone(), v.len()))
            .collect(),
        diagnostics: Diagnostics::new(reach.warnings.iter().cloned()),
    })
}

/// The texts of string nodes from their spill file, each after a separator, escaped in parallel
/// a window at a time.
fn write_texts(
    w: &mut (impl Write + Send),
    s: &Spilled,
    formatter: &mut Parallel,
) -> std::io::Result<()> {
    let mut records = s.texts()?;
    let mut buf: Vec<u8> = Vec::new();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut left = s.texts as usize;
    let mut len = [0u8; 4];
    while left > 0 {
        // A window: up to WINDOW texts or 64 MiB.
        buf.clear();
        spans.clear();
        while left > 0 && spans.len() < WINDOW && buf.len() < 64 << 20 {
            records.read_exact(&mut len)?;
            let l = u32::from_le_bytes(len) as usize;
            let at = buf.len();
            buf.resize(at + l, 0);
            records.read_exact(&mut buf[at..])?;
            spans.push((at, at + l));
            left -= 1;
        }
        let (window, spans) = (&buf, &spans);
        formatter.run(w, 0, spans.len(), |k, out, _: &mut ()| {
            let (a, b) = spans[k];
            out.extend_from_slice(b",\n");
            let text = String::from_utf8_lossy(&window[a..b]);
            let _ = write_json_string(out, &text);
        })?;
    }
    Ok(())
}

/// Records formatted in parallel: a buffer per chunk of items, a bounded number of chunks (a
/// window) at a time, written in item order. A window is written while the next one is being
/// formatted, so the writes (the kernel's copy into the page cache, or a wait for the disk) do not
/// leave a core idle. The buffers are reused from call to call (fresh ones would be page-faulted
/// in each time).
#[derive(Default)]
struct Parallel {
    /// The window being written and the one being formatted.
    bufs: [Vec<Vec<u8>>; 2],
}

impl Parallel {
    /// Items per chunk: the spill's [`EDGE_CHUNK`], so that every chunk of nodes starts where
    /// the edge file records an offset.
    const CHUNK: usize = EDGE_CHUNK;
    const IN_FLIGHT: usize = 16;

    /// Items `a..b`, each formatted by `f` with a state per chunk (starting from its default).
    fn run<S: Default>(
        &mut self,
        w: &mut (impl Write + Send),
        a: usize,
        b: usize,
        f: impl Fn(usize, &mut Vec<u8>, &mut S) + Sync,
    ) -> std::io::Result<()> {
        let chunks: Vec<(usize, usize)> = (a..b)
            .step_by(Self::CHUNK)
            .map(|x| (x, (x + Self::CHUNK).min(b)))
            .collect();
        let windows: Vec<&[(usize, usize)]> = chunks.chunks(Self::IN_FLIGHT).collect();
        let format = |bufs: &mut Vec<Vec<u8>>, window: &[(usize, usize)]| {
            if bufs.len() < window.len() {
                bufs.resize_with(window.len(), Vec::new);
            }
            bufs.par_iter_mut()
                .zip(window.par_iter())
                .for_each(|(buf, &(x, y))| {
                    buf.clear();
                    let mut state = S::default();
                    for i in x..y {
                        f(i, buf, &mut state);
                    }
                });
        };
        let [mut current, mut next] = std::mem::take(&mut self.bufs);
        if let Some(first) = windows.first() {
            format(&mut current, first);
        }
        let mut result = Ok(());
        for k in 0..windows.len() {
            let done = windows[k].len();
            let (written, ()) = rayon::join(
                || current[..done].iter().try_for_each(|buf| w.write_all(buf)),
                || {
                    if let Some(following) = windows.get(k + 1) {
                        format(&mut next, following);
                    }
                },
            );
            if written.is_err() {
                result = written;
                break;
            }
            std::mem::swap(&mut current, &mut next);
        }
        self.bufs = [current, next];
        result
    }
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

/// Two-digit decimal strings "00" to "99", back to back.
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Append the decimal digits of `v`. Hundreds of millions of fields go through here. Numbers
/// below 10^8 (nearly all) are assembled as eight ASCII digits in one register from four
/// two-digit pairs, shifted past their leading zeros and stored whole; longer ones get room for
/// twenty digits written two at a time. No call copies a variable number of bytes.
fn put_u64(buf: &mut Vec<u8>, v: u64) {
    if v < 10 {
        buf.push(b'0' + v as u8);
        return;
    }
    let n = v.ilog10() as usize + 1;
    let at = buf.len();
    if v < 100_000_000 {
        let pair = |k: u64| {
            u64::from(u16::from_le_bytes([
                PAIRS[2 * k as usize],
                PAIRS[2 * k as usize + 1],
            ]))
        };
        let (hi, lo) = (v / 10_000, v % 10_000);
        let word =
            pair(hi / 100) | pair(hi % 100) << 16 | pair(lo / 100) << 32 | pair(lo % 100) << 48;
        // Little-endian: the first digit is the lowest byte; drop the 8 - n leading zeros.
        buf.extend_from_slice(&(word >> (8 * (8 - n))).to_le_bytes());
        buf.truncate(at + n);
        return;
    }
    buf.extend_from_slice(&[0u8; 20]);
    let digits = &mut buf[at..at + n];
    let (mut x, mut i) = (v, n);
    while x >= 100 {
        let r = (x % 100) as usize * 2;
        x /= 100;
        i -= 2;
        digits[i] = PAIRS[r];
        digits[i + 1] = PAIRS[r + 1];
    }
    if x >= 10 {
        let r = x as usize * 2;
        digits[0] = PAIRS[r];
        digits[1] = PAIRS[r + 1];
    } else {
        digits[0] = b'0' + x as u8;
    }
    buf.truncate(at + n);
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
        // Every number below 10^6, then every length and both sides of each power of ten.
        let mut b = Vec::new();
        let mut expected = String::new();
        for v in (0..1_000_000u64).chain((1_000_000..200_000_000).step_by(9_973)) {
            super::put_u64(&mut b, v);
            b.push(b',');
            expected.push_str(&format!("{v},"));
        }
        assert_eq!(String::from_utf8(b).unwrap(), expected);
        let mut x: u64 = 1;
        for _ in 0..20 {
            for v in [x - 1, x, x + 1, x.wrapping_mul(7) / 3] {
                let mut b = Vec::new();
                super::put_u64(&mut b, v);
                assert_eq!(String::from_utf8(b).unwrap(), v.to_string());
            }
            x = x.saturating_mul(10);
        }
    }
}
