//! Reading a heap into a sink: the object starts (a parallel walk of the pages), then every
//! object through V8's view of it ([`NodeReader`]), in batches read in parallel while the previous
//! batch's names are interned and handed to the sink.

use super::index::set_bit;
use super::reach::roots_and_reach;
use super::{Edge, EdgeType, Graph, Index, PageStarts, Patches, StaticName, Strings};
use crate::error::Warning;
use crate::memory::{AddrMap, Memory};
use crate::progress::{Progress, Unit};
use crate::v8::function::ScriptLines;
use crate::v8::isolate::Isolate;
use crate::v8::model::Model;
use crate::v8::names::NodeType;
use crate::v8::node::{
    essential, is_free, is_shape_cell, root_candidate_types, script_lines_of, sizeless_areas,
    EdgeSink, Essential, Known, NodeReader, TAG_NAMES,
};
use crate::v8::roots::Special;
use crate::v8::walk::{stop_warning, MapCache, PageWalk};
use rayon::prelude::*;
use std::collections::HashMap;

/// A pending edge whose name is not interned yet.
#[derive(Clone, Copy)]
struct RawEdge {
    kind: EdgeType,
    name: EdgeName,
    to: u32,
}

#[derive(Clone, Copy)]
enum EdgeName {
    /// A span of the chunk's texts.
    Text(Span),
    /// A property edge named by its key (a string or symbol object).
    Key(u64),
    /// A name the reading code gives.
    Static(StaticName),
    /// An element or hidden edge's index.
    Index(u32),
    /// A number written as a string name (internal edges of arrays).
    Number(u32),
}

/// Objects read per batch while building edges.
const BATCH: usize = 1 << 18;

/// Whether a node's name is a string's (non-empty) text, which [`Absorbed`] appends to the
/// string table without looking for an equal one.
fn is_appended_text(t: NodeType, name: &str) -> bool {
    matches!(
        t,
        NodeType::String | NodeType::ConcatenatedString | NodeType::SlicedString
    ) && !name.is_empty()
}

/// Where [`Absorbed`] puts what it lays out: the columns of an in-memory [`Graph`] ([`Columns`]),
/// or the snapshot writer's spill files ([`crate::snapshot::spill`]). Nodes come in order, each followed by its
/// edges.
pub(crate) trait Sink {
    /// Room for `n` nodes.
    fn reserve_nodes(&mut self, _n: usize) {}
    /// Room for about this many edges in all.
    fn reserve_edges(&mut self, _expected: usize) {}
    /// The name of a string node: its text, which rarely repeats, so it is not looked up.
    fn text(&mut self, strings: &mut Strings, s: &str) -> u32;
    /// The next node: what was read of it, and its name.
    fn node(&mut self, raw: &RawNode, name: u32);
    /// An edge of the last node.
    fn edge(&mut self, e: Edge);
    /// Where node `i`'s function (or constructor) starts: script id, line, column.
    fn location(&mut self, i: u32, at: [u32; 3]);
}

/// The in-memory [`Sink`]: a [`Graph`]'s columns.
#[derive(Default)]
struct Columns {
    sizes: Vec<u64>,
    itypes: Vec<u16>,
    types: Vec<NodeType>,
    names: Vec<u32>,
    edge_start: Vec<u64>,
    edges: Vec<Edge>,
    locations: Vec<(u32, [u32; 3])>,
}

impl Sink for Columns {
    fn reserve_nodes(&mut self, n: usize) {
        self.sizes.reserve(n);
        self.itypes.reserve(n);
        self.types.reserve(n);
        self.names.reserve(n);
        self.edge_start.reserve(n + 1);
    }

    fn reserve_edges(&mut self, expected: usize) {
        self.edges
            .reserve(expected.saturating_sub(self.edges.len()));
    }

    fn text(&mut self, strings: &mut Strings, s: &str) -> u32 {
        strings.append(s)
    }

    fn node(&mut self, raw: &RawNode, name: u32) {
        self.types.push(raw.node_type);
        self.names.push(name);
        self.sizes.push(raw.size);
        self.itypes.push(raw.itype);
        self.edge_start.push(self.edges.len() as u64);
    }

    fn edge(&mut self, e: Edge) {
        self.edges.push(e);
    }

    fn location(&mut self, i: u32, at: [u32; 3]) {
        self.locations.push((i, at));
    }
}

/// Nodes and edges handed to a [`Sink`], names interned: what reading keeps of each batch.
struct Absorbed<S> {
    sink: S,
    strings: Strings,
    backing_stores: Vec<(u32, u64)>,
    /// Arrays named after the edge that holds them: (node, index in [`TAG_NAMES`]).
    tags: Vec<(u32, u8)>,
    shape_refs: Vec<u32>,
    special: Vec<Special>,
    /// Which instance types are [`Special`] (those beyond it are not).
    special_types: Vec<bool>,
    /// Interned "0", "1", ... for array slots.
    numbers: Vec<u32>,
    /// Interned names of property keys, by key object.
    keys: AddrMap<u32>,
    /// Interned [`StaticName`]s, once used.
    statics: [Option<u32>; StaticName::COUNT],
    /// A direct-mapped cache in front of `keys`: (key, name), most edges hitting.
    recent_keys: Vec<(u64, u32)>,
    /// Node names by hash: (hash, name).
    recent_names: Vec<(u64, u32)>,
    /// The next node.
    i: u32,
    /// Nodes in all.
    n: usize,
}

impl<S: Sink> Absorbed<S> {
    fn new<M: Memory>(ctx: &Isolate<'_, M>, mut sink: S, n: usize) -> Absorbed<S> {
        let mut strings = Strings::default();
        strings.intern("");
        sink.reserve_nodes(n);
        let special_types = root_candidate_types(ctx);
        Absorbed {
            sink,
            strings,
            backing_stores: Vec::new(),
            tags: Vec::new(),
            shape_refs: Vec::new(),
            special: Vec::new(),
            special_types,
            numbers: Vec::new(),
            keys: AddrMap::default(),
            statics: [None; StaticName::COUNT],
            recent_keys: vec![(0, 0); RECENT_KEYS],
            recent_names: vec![(u64::MAX, 0); RECENT_NAMES],
            i: 0,
            n,
        }
    }

    /// Intern and lay out one batch of nodes, in order.
    fn absorb<M: Memory>(&mut self, model: &Model<'_, M>, raws: &[RawChunk]) {
        let first_batch = self.i == 0;
        let edges_before: usize = raws.iter().map(|c| c.edges.len()).sum();
        self.absorb_batch(model, raws);
        if first_batch && self.i > 0 {
            // Size the edge list once from the first batch's edges per node (a tenth more),
            // instead of doubling it (and copying it) many times.
            let per_node = edges_before as f64 / f64::from(self.i);
            self.sink
                .reserve_edges((per_node * 1.1 * self.n as f64) as usize);
        }
    }

    fn absorb_batch<M: Memory>(&mut self, model: &Model<'_, M>, raws: &[RawChunk]) {
        // Keys are named once each (then found in `keys`): a reader per batch is enough.
        let model = &model.reader();
        for chunk in raws {
            let texts = &chunk.texts;
            self.shape_refs.extend_from_slice(&chunk.shape_refs);
            for raw in &chunk.nodes {
                let text = spanned(texts, raw.name);
                let i = self.i;
                if self
                    .special_types
                    .get(usize::from(raw.itype))
                    .copied()
                    .unwrap_or(false)
                {
                    self.special.push(Special {
                        node: i,
                        addr: raw.addr,
                        itype: raw.itype,
                        node_type: raw.node_type,
                    });
                }
                // A string's name is its text: mostly unique, so appended without looking for
                // an equal one (the snapshot's string table may then hold repeats; names of
                // everything else are interned).
                let name = if is_appended_text(raw.node_type, text) {
                    self.sink.text(&mut self.strings, text)
                } else {
                    // Most nodes repeat a recent name: a direct-mapped table by hash first.
                    let h = raw.name_hash;
                    let slot = (h >> 40) as usize & (RECENT_NAMES - 1);
                    match self.recent_names[slot] {
                        (k, name) if k == h && self.strings.get(name) == text => name,
                        _ => {
                            let name = self.strings.intern_hashed(text, h);
                            self.recent_names[slot] = (h, name);
                            name
                        }
                    }
                };
                self.sink.node(raw, name);
                if raw.backing_store != NO_BACKING_STORE {
                    self.backing_stores.push((i, raw.backing_store));
                }
                if let Some(l) = raw.location {
                    self.sink.location(i, l);
                }
                let holder = matches!(raw.node_type, NodeType::Object | NodeType::Closure);
                let edges = chunk
                    .edges
                    .get(raw.edges.0 as usize..raw.edges.1 as usize)
                    .unwrap_or(&[]);
                for e in edges {
                    let name = match e.name {
                        EdgeName::Index(k) => k,
                        EdgeName::Number(k) => {
                            let k = k as usize;
                            while self.numbers.len() <= k {
                                let next = self.strings.intern(&self.numbers.len().to_string());
                                self.numbers.push(next);
                            }
                            self.numbers[k]
                        }
                        EdgeName::Static(k) => {
                            if holder {
                                match k {
                                    StaticName::Properties => self.tags.push((e.to, 0)),
                                    StaticName::Elements => self.tags.push((e.to, 1)),
                                    _ => {}
                                }
                            }
                            *self.statics[k as usize]
                                .get_or_insert_with(|| self.strings.intern(k.text()))
                        }
                        EdgeName::Text(t) => self.strings.intern(spanned(texts, t)),
                        EdgeName::Key(k) => {
                            let slot = direct_slot(k, RECENT_KEYS);
                            match self.recent_keys[slot] {
                                (key, name) if key == k => name,
                                _ => {
                                    let name = match self.keys.get(&k) {
                                        Some(&name) => name,
                                        None => {
                                            let text = model
                                                .edge_key_text(k)
                                                .unwrap_or_else(|| format!("<key {k:#x}>"));
                                            let name = self.strings.intern(&text);
                                            self.keys.insert(k, name);
                                            name
                                        }
                                    };
                                    self.recent_keys[slot] = (k, name);
                                    name
                                }
                            }
                        }
                    };
                    self.sink.edge(Edge {
                        kind: e.kind,
                        name,
                        to: e.to,
                    });
                }
                self.i += 1;
            }
        }
    }
}

/// Entries of [`Absorbed`]'s direct-mapped cache of property keys.
const RECENT_KEYS: usize = 4096;
/// Entries of [`Absorbed`]'s direct-mapped cache of node names.
const RECENT_NAMES: usize = 1024;

/// The slot of `key` (an address) in a direct-mapped table of `len` (a power of two) entries.
fn direct_slot(key: u64, len: usize) -> usize {
    ((key >> 3) ^ (key >> 15)) as usize & (len - 1)
}

/// What reading a heap yields, whichever [`Sink`] holds the nodes and edges.
pub(crate) struct Read<S> {
    pub sink: S,
    /// Object starts, in node order.
    pub starts: PageStarts,
    pub warnings: Vec<Warning>,
    pub strings: Strings,
    pub backing_stores: Vec<(u32, u64)>,
    pub special: Vec<Special>,
    pub patches: Patches,
    /// Script names by script id.
    pub scripts: HashMap<u32, String>,
}

/// The objects of one page (see [`read_heap`]).
#[derive(Default)]
struct PageObjects {
    /// The page's base, and a bit for each word where an object starts.
    base: u64,
    words: Vec<u64>,
    /// Objects outside the page's aligned span (a corrupt page), left out.
    outside: u64,
    essential: Vec<Essential>,
    code_refs: Vec<u64>,
    scripts: Vec<(u64, ScriptLines)>,
    /// How the page's walk went.
    walk: Option<PageWalk>,
}

/// A chunk of nodes read in parallel: the nodes, their edges, the texts of their names, and the
/// targets of maps' references. Nodes are kept small (tens of millions pass from the reading
/// threads to the one that absorbs them): what varies in size lives in the chunk.
#[derive(Default)]
struct RawChunk {
    nodes: Vec<RawNode>,
    edges: Vec<RawEdge>,
    texts: String,
    shape_refs: Vec<u32>,
}

impl RawChunk {
    /// Empty, its buffers kept.
    fn clear(&mut self) {
        self.nodes.clear();
        self.edges.clear();
        self.texts.clear();
        self.shape_refs.clear();
    }
}

/// A span of a chunk's texts.
type Span = (u32, u32);

/// Append `s` to a chunk's texts (an empty span past 4 GiB of texts in one chunk).
fn span(texts: &mut String, s: &str) -> Span {
    let at = texts.len();
    match u32::try_from(at + s.len()) {
        Ok(end) => {
            texts.push_str(s);
            (at as u32, end)
        }
        Err(_) => (0, 0),
    }
}

/// The text of a span.
fn spanned(texts: &str, (a, b): Span) -> &str {
    texts.get(a as usize..b as usize).unwrap_or("")
}

/// No backing store ([`RawNode::backing_store`]).
const NO_BACKING_STORE: u64 = u64::MAX;

/// What one node contributes before interning.
pub(crate) struct RawNode {
    addr: u64,
    /// V8's self size (external strings: with their characters).
    pub(crate) size: u64,
    /// [`Strings::hash`] of the name (0 for appended texts).
    name_hash: u64,
    /// The size of an array buffer's backing store, or [`NO_BACKING_STORE`].
    backing_store: u64,
    /// Script id, line and column of the function (or constructor) behind a JS object.
    location: Option<[u32; 3]>,
    name: Span,
    /// This node's edges in its chunk's edge buffer.
    edges: (u32, u32),
    itype: u16,
    pub(crate) node_type: NodeType,
}

impl RawNode {
    /// A nameless hidden node without edges.
    pub(crate) fn empty(addr: u64, at: u32) -> RawNode {
        RawNode {
            addr,
            size: 0,
            name_hash: Strings::hash(""),
            backing_store: NO_BACKING_STORE,
            location: None,
            name: (0, 0),
            edges: (at, at),
            itype: 0,
            node_type: NodeType::Hidden,
        }
    }
}

/// Read every object of an opened heap into `sink`: first the object starts (a parallel walk of
/// the pages), then each object's name and edges, in batches read in parallel while the previous
/// batch is interned and handed to the sink (transient memory stays one batch's worth).
pub(crate) fn read_heap<S: Sink + Send, M: Memory>(
    ctx: &Isolate<'_, M>,
    progress: &dyn Progress,
    sink: S,
) -> Read<S> {
    let model = &ctx.model;
    let page_bytes: u64 = ctx.pages.iter().map(|p| p.area_end - p.area_start).sum();
    // 1. Every object, in address order: its address and which references V8 keeps to it; with
    // what code objects refer to and the scripts' lines.
    progress.start("finding objects", page_bytes, Unit::Bytes);
    let per_page: Vec<PageObjects> = ctx
        .pages
        .par_iter()
        .map_init(MapCache::default, |cache, page| {
            let mut v = PageObjects {
                base: page.area_start & !(ctx.v8.layout.page_size - 1),
                ..PageObjects::default()
            };
            let span = ctx.v8.layout.page_size;
            v.walk = Some(model.walker.walk_page(page, cache, &mut |o| {
                let t = o.map.instance_type;
                if is_free(ctx, t) {
                    return;
                }
                let off = o.addr.wrapping_sub(v.base);
                if off >= span {
                    v.outside += 1;
                    return;
                }
                set_bit(&mut v.words, (off / 8) as usize);
                v.essential.push(essential(ctx, o));
                model.code_references(o, &mut v.code_refs);
                if let Some(lines) = script_lines_of(ctx, o) {
                    v.scripts.push((o.addr, lines));
                }
            }));
            progress.advance(page.area_end - page.area_start);
            v
        })
        .collect();
    progress.finish();
    let read_only_areas = sizeless_areas(ctx);
    let n: usize = per_page.iter().map(|p| p.essential.len()).sum();
    let mut pages = PageStarts::empty(ctx.v8.layout.page_size);
    let mut essential_flags: Vec<Essential> = Vec::with_capacity(n);
    let mut left_out = 0u64;
    let stopped: Vec<PageWalk> = per_page
        .iter()
        .filter_map(|p| p.walk.filter(|w| w.stopped.is_some()))
        .collect();
    // Arrays and hidden objects that code objects refer to are code (V8's tagging).
    let mut code_arrays = crate::memory::AddrSet::default();
    // Line ends of every script, for the source locations of functions.
    let mut scripts: AddrMap<ScriptLines> = AddrMap::default();
    for p in per_page {
        left_out += p.outside;
        if !pages.push(p.base, &p.words) {
            left_out += p.essential.len() as u64;
            continue;
        }
        essential_flags.extend_from_slice(&p.essential);
        code_arrays.extend(p.code_refs);
        scripts.extend(p.scripts);
    }
    let n = pages.len();
    let mut warnings: Vec<Warning> = stop_warning(&stopped, &ctx.v8.types).into_iter().collect();
    // V8 ≥ 13: functions reach their code through the JS dispatch table; a core without it
    // (a kernel core leaves out file-backed shared memory) cuts those edges.
    if ctx.v8.layout.objects.function_dispatch_handle.is_some() && model.dispatch_table.is_none() {
        warnings.push(Warning::partial(
            "the JS dispatch table was not found in the core: functions are not linked to their \
             code objects, and code held only that way is missing",
        ));
    }
    if left_out > 0 {
        warnings.push(Warning::partial(format!(
            "{left_out} objects on pages that overlap or exceed their page size were left out"
        )));
    }
    let index = Index {
        essential: &essential_flags,
        pages: &pages,
    };
    let script_names: HashMap<u32, String> = scripts
        .values()
        .filter_map(|l| Some((l.id, l.name.clone()?)))
        .collect();

    // 2. Names and edges.
    progress.start("reading references", n as u64, Unit::Items);
    let mut acc = Absorbed::new(ctx, sink, n);
    let known = Known {
        code_arrays: &code_arrays,
        scripts: &scripts,
        read_only_areas: &read_only_areas,
    };
    let spare: std::sync::Mutex<Vec<RawChunk>> = std::sync::Mutex::new(Vec::new());
    let read = |batch: &[u64]| -> Vec<RawChunk> {
        batch
            .par_chunks(4096)
            .map_init(
                || NodeReader::new(ctx, name_hash),
                |reader, chunk| {
                    // Chunks come back from absorbing, with their buffers (fresh ones would be
                    // page-faulted in and given back to the system each time).
                    let mut out = spare
                        .lock()
                        .ok()
                        .and_then(|mut s| s.pop())
                        .unwrap_or_default();
                    for &a in chunk {
                        let node = match reader.object(a) {
                            Some(o) => read_node(reader, &index, &known, &o, &mut out),
                            // The walk decoded it from the same bytes: cannot happen.
                            None => RawNode::empty(a, out.edges.len() as u32),
                        };
                        out.nodes.push(node);
                    }
                    progress.advance(chunk.len() as u64);
                    out
                },
            )
            .collect()
    };
    let batches = pages.batches(BATCH);
    let read_batch = |k: usize| {
        batches.get(k).map(|b| {
            let mut addrs = Vec::with_capacity(BATCH + BATCH / 4);
            pages.addrs(b.clone(), &mut addrs);
            read(&addrs)
        })
    };
    let mut next = read_batch(0);
    for k in 0..batches.len() {
        let Some(raws) = next.take() else { break };
        let ((), following) = rayon::join(
            || {
                let mut raws = raws;
                acc.absorb(model, &raws);
                for c in &mut raws {
                    c.clear();
                }
                if let Ok(mut s) = spare.lock() {
                    s.append(&mut raws);
                }
            },
            || read_batch(k + 1),
        );
        next = following;
    }
    progress.finish();
    let Absorbed {
        sink,
        mut strings,
        backing_stores,
        mut tags,
        mut shape_refs,
        special,
        ..
    } = acc;
    // The first holder's tag of each array, its name interned only when used.
    tags.par_sort_by_key(|&(to, _)| to);
    tags.dedup_by_key(|&mut (to, _)| to);
    let mut tag_names: [Option<u32>; 2] = [None; 2];
    let tags = tags
        .into_iter()
        .map(|(to, tag)| {
            let k = usize::from(tag);
            (
                to,
                *tag_names[k].get_or_insert_with(|| strings.intern(TAG_NAMES[k])),
            )
        })
        .collect();
    let cells: std::collections::HashSet<u32> = special
        .iter()
        .filter(|s| is_shape_cell(ctx, s.itype))
        .map(|s| s.node)
        .collect();
    shape_refs.retain(|to| cells.contains(to));
    shape_refs.par_sort_unstable();
    shape_refs.dedup();
    Read {
        sink,
        starts: pages,
        warnings,
        strings,
        backing_stores,
        special,
        patches: Patches {
            tags,
            shape_cells: shape_refs,
        },
        scripts: script_names,
    }
}

impl Graph {
    /// Build the graph of an opened heap.
    pub fn build<M: Memory>(ctx: &Isolate<'_, M>, progress: &dyn Progress) -> Graph {
        let r = read_heap(ctx, progress, Columns::default());
        let mut c = r.sink;
        let addrs = r.starts.all_addrs();
        c.edge_start.push(c.edges.len() as u64);
        // Tags, then shape cells (both ascending by node).
        let mut cells = r.patches.shape_cells.iter().peekable();
        let mut tags = r.patches.tags.iter().peekable();
        for i in 0..c.types.len() as u32 {
            let tag = tags.next_if(|&&(t, _)| t == i).map(|&(_, name)| name);
            let cell = cells.next_if(|&&t| t == i).is_some();
            if tag.is_some() || cell {
                let k = i as usize;
                (c.types[k], c.names[k]) = Patches::apply(c.types[k], c.names[k], tag, cell);
            }
        }
        let mut g = Graph {
            addrs,
            sizes: c.sizes,
            types: c.types,
            names: c.names,
            edge_start: c.edge_start,
            edges: c.edges,
            strings: r.strings,
            roots: Vec::new(),
            reachable: Vec::new(),
            globals: Vec::new(),
            itypes: c.itypes,
            backing_stores: r.backing_stores,
            locations: c.locations,
            scripts: r.scripts,
            warnings: Vec::new(),
            starts: None,
        };
        // 3. Roots, then what they reach.
        progress.start("finding roots", 1, Unit::Items);
        let reach = roots_and_reach(ctx, &r.starts, &r.special, &g);
        g.roots = reach.roots;
        g.reachable = reach.reachable;
        g.globals = reach.globals;
        g.warnings = r.warnings;
        g.warnings.extend(reach.warnings);
        g.starts = Some(r.starts);
        progress.finish();
        g
    }
}

/// The hash a node's name is interned by: none for a string's text, which is appended without a
/// lookup ([`is_appended_text`]).
fn name_hash(t: NodeType, name: &str) -> u64 {
    if is_appended_text(t, name) {
        0
    } else {
        Strings::hash(name)
    }
}

/// Read one object through V8's view of it into a chunk: its edges (to objects the index knows,
/// and that V8 keeps references to), then its node.
fn read_node<M: Memory>(
    reader: &mut NodeReader<'_, '_, M>,
    index: &Index<'_>,
    known: &Known<'_>,
    o: &crate::v8::walk::Object,
    out: &mut RawChunk,
) -> RawNode {
    let first = out.edges.len();
    let mut sink = ChunkEdges {
        index,
        edges: &mut out.edges,
        texts: &mut out.texts,
    };
    let head = reader.read(o, known, &mut sink);
    // Cells a map refers to (prototype validity cells) are shown as part of object shapes.
    if head.is_map {
        out.shape_refs
            .extend(out.edges[first..].iter().map(|e| e.to));
    }
    RawNode {
        addr: o.addr,
        size: head.size,
        name_hash: head.name_hash,
        backing_store: head
            .backing_store
            .map_or(NO_BACKING_STORE, |len| len.min(NO_BACKING_STORE - 1)),
        location: head.location,
        name: span(&mut out.texts, head.name),
        edges: (first as u32, out.edges.len() as u32),
        itype: o.map.instance_type,
        node_type: head.node_type,
    }
}

/// The edges of the objects of a chunk, as [`NodeReader`] gives them.
struct ChunkEdges<'c> {
    index: &'c Index<'c>,
    edges: &'c mut Vec<RawEdge>,
    texts: &'c mut String,
}

impl EdgeSink for ChunkEdges<'_> {
    fn edge(&mut self, kind: EdgeType, name: crate::v8::node::EdgeName<'_>, target: u64) {
        use crate::v8::node::EdgeName as V8Name;
        let Some(to) = self.index.get(target) else {
            return;
        };
        if !self.index.essential[to as usize].keeps(kind) {
            return;
        }
        let name = match name {
            V8Name::Text(s) => EdgeName::Text(span(self.texts, s)),
            V8Name::Key(k) => EdgeName::Key(k),
            V8Name::Static(n) => EdgeName::Static(n),
            V8Name::Index(i) => EdgeName::Index(i),
            V8Name::Number(n) => EdgeName::Number(n),
        };
        self.edges.push(RawEdge { kind, name, to });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;
    use crate::v8::synth::{obj, smi, SynthHeap};

    #[test]
    fn every_object_of_a_synthetic_heap_is_a_node_with_v8s_edges() {
        let mut h = SynthHeap::new();
        let target = h.plain_object(&[]);
        let text = h.string("some text");
        let holder = h.plain_object(&[("a", obj(target)), ("n", smi(3)), ("s", obj(text))]);
        let array = h.fixed_array(&[obj(holder), obj(holder)]);
        let mem = h.memory();
        let iso = h.open(&mem).expect("opens");
        let g = Graph::build(&iso, &Silent);
        // Every object the builder placed is a node at its address, free space and fillers
        // aside.
        let placed: Vec<u64> = h
            .objects()
            .iter()
            .filter(|o| !is_free(&iso, o.instance_type))
            .map(|o| o.addr)
            .collect();
        assert_eq!(g.addrs, placed);
        let node = |a: u64| g.node_at(a).expect("a node");
        let named = |from: u64, kind: EdgeType, name: &str| -> Vec<u64> {
            g.edges_of(node(from))
                .iter()
                .filter(|e| {
                    let k = e.kind;
                    let n = e.name;
                    k == kind && g.strings.get(n) == name
                })
                .map(|e| g.addrs[e.to as usize])
                .collect()
        };
        assert_eq!(named(holder, EdgeType::Property, "a"), vec![target]);
        assert_eq!(named(holder, EdgeType::Property, "s"), vec![text]);
        assert!(
            named(holder, EdgeType::Property, "n").is_empty(),
            "a Smi makes no edge"
        );
        assert_eq!(named(array, EdgeType::Internal, "0"), vec![holder]);
        assert_eq!(named(array, EdgeType::Internal, "1"), vec![holder]);
        let i = node(holder) as usize;
        assert_eq!(
            (g.types[i], g.strings.get(g.names[i])),
            (NodeType::Object, "Object")
        );
        assert_eq!(g.sizes[i], h.placed(holder).expect("placed").size);
        let t = node(text) as usize;
        assert_eq!(
            (g.types[t], g.strings.get(g.names[t])),
            (NodeType::String, "some text")
        );
    }
}
