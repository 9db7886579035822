//! The object graph: every heap object as a node (V8's node type and name), its references as
//! edges (V8's edge types and names), the roots, and what is reachable from them.
//!
//! Storage is columnar: node `i` is `addrs[i]`, `sizes[i]`, `types[i]`, `names[i]`; edges are one
//! flat array in node order (`edge_start[i]..edge_start[i+1]`), names interned in `strings`. The
//! reading ([`read_heap`]) hands nodes and edges to a [`Sink`]: these columns, or the snapshot
//! writer's spill files ([`spill`]), which keep only edge targets in memory.
//!
//! Edges come from the tagged slots of each object (its body minus raw data: string characters,
//! doubles, bytecode, machine code...), each slot checked against the exact set of object starts
//! found by the page walk, so a raw word that merely looks like a pointer cannot make an edge.
//! JS objects' slots get V8's names (properties by key, elements by index, `map`, `properties`,
//! `elements`, `__proto__`, context variables by name); other objects' slots are `internal`
//! (arrays, by index) or `hidden` edges, and weak references `weak` edges.

pub mod dominators;
use crate::error::Warning;
use crate::memory::{AddrMap, Memory};
use crate::progress::{Progress, Unit};
use crate::v8::isolate::Isolate;
pub use crate::v8::node::{EdgeType, Essential, StaticName, EDGE_KINDS};
use crate::v8::model::Model;
use crate::v8::names::NodeType;
use crate::v8::node::{essential, EdgeSink, Known, NodeReader};
use crate::v8::object::Kind;
use crate::v8::props::ScriptLines;
use crate::v8::roots::{self, Special};
use crate::v8::walk::MapCache;
use rayon::prelude::*;
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

/// FNV-1a, for interning names (SipHash's DoS resistance buys nothing here).
#[derive(Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Interned strings (node and edge names), each stored once: the text of all of them in one
/// buffer, and an open-addressing table of their indices (a heap of millions of distinct strings
/// costs their bytes plus about 20 bytes each).
#[derive(Default)]
pub struct Strings {
    text: String,
    /// End of string `i` in `text` (its start is the previous end).
    ends: Vec<u64>,
    /// (index + 1, high half of the hash) by hash (0: empty), linear probing, at most half full.
    table: Vec<(u32, u32)>,
    /// Strings entered in the table (appended texts are not).
    indexed: usize,
}

impl Strings {
    /// Number of strings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// String `i` (empty when out of range).
    pub fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let Some(&end) = self.ends.get(i) else {
            return "";
        };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    /// Every string, in index order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.ends.len() as u32).map(|i| self.get(i))
    }

    /// The index of `s`, if interned.
    pub fn find(&self, s: &str) -> Option<u32> {
        self.find_hashed(s, Self::hash(s))
    }

    fn find_hashed(&self, s: &str, h: u64) -> Option<u32> {
        if self.table.is_empty() {
            return None;
        }
        let mask = self.table.len() - 1;
        let mut k = (h as usize) & mask;
        let tag = (h >> 32) as u32;
        loop {
            match self.table[k] {
                (0, _) => return None,
                (e, t) if t == tag && self.get(e - 1) == s => return Some(e - 1),
                _ => k = (k + 1) & mask,
            }
        }
    }

    /// Append `s` at the next index even if it is already there (keeps a file's string indices).
    pub fn push_verbatim(&mut self, s: &str) {
        let h = Self::hash(s);
        let known = self.find_hashed(s, h).is_some();
        let i = self.append(s);
        if !known {
            self.index(i, h);
        }
    }

    /// The index of `s`, adding it if new.
    pub fn intern(&mut self, s: &str) -> u32 {
        self.intern_hashed(s, Self::hash(s))
    }

    /// [`Strings::intern`] with the hash already computed by [`Strings::hash`].
    pub fn intern_hashed(&mut self, s: &str, h: u64) -> u32 {
        if let Some(i) = self.find_hashed(s, h) {
            return i;
        }
        let i = self.append(s);
        self.index(i, h);
        i
    }

    /// The hash the table uses for `s` (to compute it where there is time, e.g. in parallel):
    /// FNV-1a, mixed so that both halves are usable (low: slot, high: tag).
    pub fn hash(s: &str) -> u64 {
        use std::hash::Hasher;
        let mut h = Fnv::default();
        h.write(s.as_bytes());
        let v = h.finish();
        (v ^ (v >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9)
    }

    /// Add `s` at the next index without entering it in the table: [`Strings::find`] and
    /// [`Strings::intern`] do not see it (for texts that rarely repeat).
    pub fn append(&mut self, s: &str) -> u32 {
        self.text.push_str(s);
        self.ends.push(self.text.len() as u64);
        (self.ends.len() - 1) as u32
    }

    /// Enter string `i` (whose hash is `h`) in the table, growing it first if needed.
    fn index(&mut self, i: u32, h: u64) {
        self.indexed += 1;
        if 2 * self.indexed > self.table.len() {
            let size = (2 * self.table.len()).max(64);
            let old = std::mem::replace(&mut self.table, vec![(0, 0); size]);
            for (e, _) in old.into_iter().filter(|&(e, _)| e != 0) {
                let h = Self::hash(self.get(e - 1));
                self.place(e, h);
            }
        }
        self.place(i + 1, h);
    }

    fn place(&mut self, entry: u32, h: u64) {
        let mask = self.table.len() - 1;
        let mut k = (h as usize) & mask;
        while self.table[k].0 != 0 {
            k = (k + 1) & mask;
        }
        self.table[k] = (entry, (h >> 32) as u32);
    }
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

/// Names V8 gives arrays after the edge of an object or closure that holds them: `properties`,
/// `elements`.
const TAG_NAMES: [&str; 2] = ["(object properties)", "(object elements)"];

/// Whether a node's name is a string's (non-empty) text, which [`Absorbed`] appends to the
/// string table without looking for an equal one.
fn is_appended_text(t: NodeType, name: &str) -> bool {
    matches!(
        t,
        NodeType::String | NodeType::ConcatenatedString | NodeType::SlicedString
    ) && !name.is_empty()
}

/// Where [`Absorbed`] puts what it lays out: the columns of an in-memory [`Graph`] ([`Columns`]),
/// or the snapshot writer's spill files ([`spill`]). Nodes come in order, each followed by its
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
    cache: MapCache,
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
        let ty = &ctx.model.types;
        let wanted = [
            ctx.v8.types.type_of("Code"),
            ctx.v8.types.type_of("Cell"),
            ty.js_global_object,
            ty.js_global_proxy,
        ];
        // Named types only (the others have no shape): a few hundred, not 65536.
        let special_types = (0..ctx.v8.types.bound().min(1 << 16) as u32)
            .map(|t| t as u16)
            .map(|t| {
                wanted.contains(&Some(t))
                    || matches!(ctx.v8.shapes.kind(t), Kind::String(s) if s.internalized)
            })
            .collect();
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
            cache: MapCache::default(),
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
                                                .edge_key_text(&mut self.cache, k)
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

/// Roots, and what strong edges (`strong`) reach from them. Conservative roots are kept only
/// for what the precise ones do not already reach, so they do not pose as extra owners of
/// objects.
pub(crate) fn roots_and_reach<M: Memory>(
    ctx: &Isolate<'_, M>,
    starts: &PageStarts,
    special: &[Special],
    strong: &impl Strong,
) -> Reach {
    let model = &ctx.model;
    let (found, warnings) = roots::find(ctx, &|a| starts.get(a), special);
    let (conservative, mut roots): (Vec<_>, Vec<_>) = found
        .into_iter()
        .partition(|(name, _)| name == roots::CONSERVATIVE);
    let mut seen = vec![false; starts.len()];
    let precise = roots
        .iter()
        .filter(|(n, _)| n != roots::OBJECT_CACHES)
        .flat_map(|(_, nodes)| nodes.iter().copied());
    spread(&mut seen, precise, strong);
    for (name, candidates) in conservative {
        let mut kept = Vec::new();
        for c in candidates {
            if !seen[c as usize] {
                kept.push(c);
                spread(&mut seen, [c], strong);
            }
        }
        roots.push((name, kept));
    }
    let global_types = [model.types.js_global_object, model.types.js_global_proxy];
    let globals = special
        .iter()
        .filter(|s| {
            seen[s.node as usize]
                && s.node_type == NodeType::Object
                && global_types.contains(&Some(s.itype))
        })
        .map(|s| s.node)
        .collect();
    Reach {
        roots,
        reachable: seen,
        globals,
        warnings,
    }
}

/// Roots and what they reach (see [`roots_and_reach`]).
pub struct Reach {
    pub roots: Vec<(String, Vec<u32>)>,
    pub reachable: Vec<bool>,
    /// Global objects and their proxies that are reachable: the user roots.
    pub globals: Vec<u32>,
    pub warnings: Vec<Warning>,
}

/// Strong (non-weak) edges of each node, for reachability.
pub(crate) trait Strong {
    /// Call `f` with the target of every strong edge of node `i`.
    fn each(&self, i: u32, f: impl FnMut(u32));
}

/// Mark what strong edges reach from `starts` (the starts included) in `seen`.
fn spread(seen: &mut [bool], starts: impl IntoIterator<Item = u32>, strong: &impl Strong) {
    let mut queue: Vec<u32> = Vec::new();
    for r in starts {
        if !seen[r as usize] {
            seen[r as usize] = true;
            queue.push(r);
        }
    }
    while let Some(i) = queue.pop() {
        strong.each(i, |t| {
            if !seen[t as usize] {
                seen[t as usize] = true;
                queue.push(t);
            }
        });
    }
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
    let mut read_only_areas: Vec<(u64, u64)> = Vec::new();
    let per_page: Vec<PageObjects> = ctx
        .pages
        .par_iter()
        .map_init(MapCache::default, |cache, page| {
            let mut v = PageObjects {
                base: page.area_start & !(ctx.v8.layout.page_size - 1),
                ..PageObjects::default()
            };
            let span = ctx.v8.layout.page_size;
            model.walker.walk_page(page, cache, &mut |o| {
                let t = o.map.instance_type;
                let k = ctx.v8.shapes.kind(t);
                if k == Kind::FreeSpace
                    || Some(t) == model.types.filler
                    || Some(t) == model.types.free_space
                {
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
                if Some(t) == model.types.script {
                    if let Some(lines) = model.script_lines(&mut MapCache::default(), o.addr) {
                        v.scripts.push((o.addr, lines));
                    }
                }
            });
            progress.advance(page.area_end - page.area_start);
            v
        })
        .collect();
    progress.finish();
    if ctx.v8.layout.objects.read_only_size_zero {
        for page in ctx.pages.iter() {
            let read_only = page.heap == 0
                || model
                    .walker
                    .read_only
                    .iter()
                    .any(|&(s, e)| (s..e).contains(&page.area_start));
            if read_only {
                read_only_areas.push((page.area_start, page.area_end));
            }
        }
    }
    let n: usize = per_page.iter().map(|p| p.essential.len()).sum();
    let mut pages = PageStarts::empty(ctx.v8.layout.page_size);
    let mut essential_flags: Vec<Essential> = Vec::with_capacity(n);
    let mut left_out = 0u64;
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
    let mut warnings = Vec::new();
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
    let cell = ctx.v8.types.type_of("Cell");
    let cells: std::collections::HashSet<u32> = special
        .iter()
        .filter(|s| cell == Some(s.itype))
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

impl Strong for Graph {
    fn each(&self, i: u32, mut f: impl FnMut(u32)) {
        for e in self.edges_of(i) {
            if e.kind != EdgeType::Weak {
                f(e.to);
            }
        }
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

    /// The nodes reachable from `starts` by non-weak edges (the starts included).
    pub fn closure(&self, starts: impl IntoIterator<Item = u32>) -> Vec<bool> {
        let mut seen = vec![false; self.addrs.len()];
        spread(&mut seen, starts, self);
        seen
    }
}

/// Object starts, for validating pointers.
pub struct Index<'a> {
    /// Object starts by page (see [`PageStarts`]).
    pub pages: &'a PageStarts,
    /// Which references V8 keeps to each object (see [`essential`]).
    pub essential: &'a [Essential],
}

impl Index<'_> {
    /// The node of the object starting exactly at `a`.
    pub fn get(&self, a: u64) -> Option<u32> {
        self.pages.get(a)
    }
}

/// A bitmap with the number of set bits before each 64-bit word: whether bit `i` is set and how
/// many set bits precede it, in constant time.
#[derive(Default)]
pub struct RankBits {
    bits: Vec<u64>,
    before: Vec<u32>,
}

impl RankBits {
    /// `len` bits, those for which `set` is true set.
    pub fn new(len: usize, set: impl Fn(usize) -> bool) -> RankBits {
        let mut r = RankBits::default();
        r.extend(len, (0..len).filter(|&i| set(i)));
        r
    }

    /// Append `len` more bits (rounded up to whole words), set at the positions `ones` gives
    /// (ascending, relative to the first new bit, below `len`).
    pub fn extend(&mut self, len: usize, ones: impl IntoIterator<Item = usize>) {
        let first = self.bits.len();
        self.bits.resize(first + len.div_ceil(64), 0);
        for i in ones.into_iter().filter(|&i| i < len) {
            self.bits[first + i / 64] |= 1 << (i % 64);
        }
        let mut count = self.ones();
        for k in first..self.bits.len() {
            self.before.push(count);
            count += self.bits[k].count_ones();
        }
    }

    /// Append whole words of bits.
    pub fn extend_words(&mut self, words: &[u64]) {
        let mut count = self.ones();
        for &w in words {
            self.before.push(count);
            self.bits.push(w);
            count += w.count_ones();
        }
    }

    /// Number of bits (a multiple of 64).
    pub fn len(&self) -> usize {
        64 * self.bits.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.bits.is_empty()
    }

    /// Number of set bits.
    pub fn ones(&self) -> u32 {
        match (self.before.last(), self.bits.last()) {
            (Some(&b), Some(w)) => b + w.count_ones(),
            _ => 0,
        }
    }

    /// Whether bit `i` is set.
    pub fn has(&self, i: usize) -> bool {
        self.bits
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// The number of set bits before bit `i` (all of them when `i` is past the end).
    pub fn before(&self, i: usize) -> u32 {
        match self.bits.get(i / 64) {
            Some(&w) => self.before[i / 64] + (w & ((1u64 << (i % 64)) - 1)).count_ones(),
            None => self.ones(),
        }
    }

    /// The number of set bits before bit `i`, when bit `i` is set.
    pub fn rank(&self, i: usize) -> Option<u32> {
        let w = *self.bits.get(i / 64)?;
        let bit = 1u64 << (i % 64);
        (w & bit != 0).then(|| self.before[i / 64] + (w & (bit - 1)).count_ones())
    }
}

/// The object starts of each page as a bitmap (a bit per word, in one [`RankBits`] for all
/// pages), in node order: the node at an address is a hash probe, a bit test and a popcount, and
/// the addresses of a run of nodes come from the bits (no table of 8-byte addresses).
pub struct PageStarts {
    mask: u64,
    /// Page base → index in `runs`.
    pages: AddrMap<u32>,
    /// The same, direct-mapped by page number (base, run), at least twice as many slots as
    /// pages: most lookups are one load and a compare; `pages` holds the collisions too.
    direct: Vec<(u64, u32)>,
    runs: Vec<Run>,
    starts: RankBits,
    /// Nodes in all.
    n: u32,
}

/// The objects of one page.
#[derive(Clone, Copy)]
struct Run {
    base: u64,
    /// Its first node.
    first: u32,
    /// Its first bit in `starts` (a word boundary) and number of bits.
    bit: u32,
    bits: u32,
}

impl PageStarts {
    /// Empty, for pages of `page_size` (a power of two).
    pub fn empty(page_size: u64) -> PageStarts {
        PageStarts {
            mask: !(page_size - 1),
            pages: AddrMap::default(),
            direct: Vec::new(),
            runs: Vec::new(),
            starts: RankBits::default(),
            n: 0,
        }
    }

    fn slot(&self, base: u64) -> usize {
        let shift = (!self.mask).count_ones();
        (base >> shift) as usize & (self.direct.len() - 1)
    }

    /// Enter run `r` (at `base`) in the direct-mapped table, growing it first if needed.
    fn enter(&mut self, base: u64, r: u32) {
        if 2 * self.runs.len() > self.direct.len() {
            let len = (4 * self.runs.len()).next_power_of_two().max(64);
            self.direct = vec![(u64::MAX, 0); len];
            for (k, run) in self.runs.iter().enumerate() {
                let slot = self.slot(run.base);
                self.direct[slot] = (run.base, k as u32);
            }
        }
        let slot = self.slot(base);
        self.direct[slot] = (base, r);
    }

    /// From sorted object addresses.
    pub fn new(addrs: &[u64], page_size: u64) -> PageStarts {
        let mut p = PageStarts::empty(page_size);
        let mut start = 0usize;
        while start < addrs.len() {
            let base = addrs[start] & p.mask;
            let end = start + addrs[start..].partition_point(|&a| a & p.mask == base);
            let mut words = Vec::new();
            for &a in &addrs[start..end] {
                set_bit(&mut words, ((a - base) / 8) as usize);
            }
            p.push(base, &words);
            start = end;
        }
        p
    }

    /// The page base of address `a`.
    pub fn base(&self, a: u64) -> u64 {
        a & self.mask
    }

    /// Append the objects of the page at `base` (after every page pushed before): bit `k` of
    /// `words` is set when an object starts `8 * k` bytes after `base`. Returns false (and adds
    /// nothing) when the page is already there, or the bitmap is full.
    pub fn push(&mut self, base: u64, words: &[u64]) -> bool {
        let count: u32 = words.iter().map(|w| w.count_ones()).sum();
        let bit = self.starts.len();
        let total = bit + 64 * words.len();
        if self.pages.contains_key(&base)
            || u32::try_from(total).is_err()
            || self.n.checked_add(count).is_none_or(|n| n == u32::MAX)
        {
            return false;
        }
        self.starts.extend_words(words);
        let r = self.runs.len() as u32;
        self.pages.insert(base, r);
        self.runs.push(Run {
            base,
            first: self.n,
            bit: bit as u32,
            bits: (64 * words.len()) as u32,
        });
        self.enter(base, r);
        self.n += count;
        true
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        self.n as usize
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The node of the object at `a`.
    pub fn get(&self, a: u64) -> Option<u32> {
        if self.direct.is_empty() {
            return None;
        }
        let base = a & self.mask;
        let &(b, r) = self.direct.get(self.slot(base))?;
        let r = if b == base {
            r
        } else {
            *self.pages.get(&base)?
        };
        let run = self.runs[r as usize];
        let w = (a - base) / 8;
        if a & 7 != 0 || w >= u64::from(run.bits) {
            return None;
        }
        let first = run.bit as usize;
        let rank = self.starts.rank(first + w as usize)?;
        Some(run.first + rank - self.starts.before[first / 64])
    }

    /// Runs of about `size` nodes (whole pages), as ranges of pages for [`PageStarts::addrs`].
    pub fn batches(&self, size: usize) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        let mut from = 0;
        for (k, r) in self.runs.iter().enumerate() {
            let next = self.runs.get(k + 1).map_or(self.n, |x| x.first);
            if (next - self.runs[from].first) as usize >= size || k + 1 == self.runs.len() {
                out.push(from..k + 1);
                from = k + 1;
            }
            let _ = r;
        }
        out
    }

    /// Append the object addresses of pages `pages` (in node order) to `out`.
    pub fn addrs(&self, pages: std::ops::Range<usize>, out: &mut Vec<u64>) {
        for r in self.runs.get(pages).unwrap_or(&[]) {
            let first_word = r.bit as usize / 64;
            for k in 0..(r.bits as usize / 64) {
                let mut w = self.starts.bits[first_word + k];
                while w != 0 {
                    let b = w.trailing_zeros() as u64;
                    out.push(r.base + 8 * (64 * k as u64 + b));
                    w &= w - 1;
                }
            }
        }
    }

    /// Every object address, in node order.
    pub fn all_addrs(&self) -> Vec<u64> {
        let mut out = Vec::with_capacity(self.len());
        self.addrs(0..self.runs.len(), &mut out);
        out
    }
}

/// Set bit `k` of `words`, growing it as needed.
fn set_bit(words: &mut Vec<u64>, k: usize) {
    if words.len() <= k / 64 {
        words.resize(k / 64 + 1, 0);
    }
    words[k / 64] |= 1 << (k % 64);
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
    use super::{PageStarts, RankBits, Strings};

    #[test]
    fn rank_bits_count_the_set_bits_before() {
        let r = RankBits::new(200, |i| i % 3 == 0);
        for i in 0..256usize {
            let expected = (i < 200 && i % 3 == 0).then(|| i.div_ceil(3) as u32);
            assert_eq!(r.rank(i), expected, "{i}");
            assert_eq!(r.has(i), expected.is_some());
        }
        assert_eq!(r.ones(), 67);
        assert_eq!(r.len(), 256);
        assert_eq!(r.rank(10_000), None);
    }

    #[test]
    fn page_starts_find_exactly_the_object_starts() {
        // Pages of 0x40000: a dense one, a sparse one, and two with one object each.
        let mut addrs: Vec<u64> = (0..3000u64)
            .map(|i| 0x10_0000_0000 + 0x100 + 24 * i)
            .collect();
        addrs.extend((0..40u64).map(|i| 0x10_0004_0000 + 0x100 + 0x1000 * i));
        addrs.push(0x10_0100_0000 + 0x100);
        addrs.push(0x10_0100_0000 + 0x3f_0000);
        let p = PageStarts::new(&addrs, 0x4_0000);
        for (i, &a) in addrs.iter().enumerate() {
            assert_eq!(p.get(a), Some(i as u32), "{a:#x}");
            for off in [1u64, 8, 16] {
                let expected = addrs.binary_search(&(a + off)).ok().map(|k| k as u32);
                assert_eq!(p.get(a + off), expected, "{:#x}", a + off);
            }
        }
        assert_eq!(p.get(0x20_0000_0000), None);
        assert_eq!(p.get(0x10_0000_0000), None);
        // The addresses come back from the bits, in order, in batches of whole pages.
        assert_eq!(p.all_addrs(), addrs);
        let mut batched = Vec::new();
        for b in p.batches(1000) {
            p.addrs(b, &mut batched);
        }
        assert_eq!(batched, addrs);
        // The first page alone, then the three small ones together.
        assert_eq!(p.batches(1000), vec![0..1, 1..4]);
        // Pages whose numbers collide in the direct-mapped table.
        let far: Vec<u64> = (0..100u64).map(|k| (k << 40) + 0x40).collect();
        let f = PageStarts::new(&far, 0x4_0000);
        for (i, &a) in far.iter().enumerate() {
            assert_eq!(f.get(a), Some(i as u32), "{a:#x}");
            assert_eq!(f.get(a + 0x4_0000), None);
        }
        assert_eq!(PageStarts::empty(0x4_0000).get(0x40), None);
        // A page pushed twice is refused.
        let mut q = PageStarts::new(&addrs, 0x4_0000);
        assert!(!q.push(0x10_0000_0000, &[1]));
        assert_eq!(q.len(), addrs.len());
    }

    #[test]
    fn strings_intern_once_and_append_without_lookup() {
        let mut s = Strings::default();
        let a = s.intern("alpha");
        assert_eq!(s.intern("alpha"), a);
        let b = s.append("alpha");
        assert_ne!(a, b);
        assert_eq!(s.get(b), "alpha");
        assert_eq!(s.find("alpha"), Some(a));
        for i in 0..10_000 {
            let t = format!("name-{i}");
            let k = s.intern(&t);
            assert_eq!(s.get(k), t);
            assert_eq!(s.find(&t), Some(k));
        }
        assert_eq!(s.find("missing"), None);
        assert_eq!(s.get(u32::MAX), "");
    }
}
