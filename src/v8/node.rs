//! How V8's heap snapshot sees one object (`V8HeapExplorer`): its node type and name, self size
//! and source location, and its references as edges with V8's edge types and names. The rules live
//! here; the graph floor stores what this view yields, through an [`EdgeSink`] of its own.
//!
//! Edges come from the tagged slots of each object (its body minus raw data: string characters,
//! doubles, bytecode, machine code...). JS objects' slots get V8's names (properties by key,
//! elements by index, `map`, `properties`, `elements`, `__proto__`, context variables by name);
//! other objects' slots are `internal` (arrays, by index) or `hidden` edges, and weak references
//! `weak` edges.

use super::function::ScriptLines;
use super::isolate::Isolate;
use super::js_object::{ElementKey, LayoutSlot, SlotValue};
use super::map::Tagged;
use super::model::Reader;
use super::names::{NameKey, NodeType};
use super::object::{Kind, StringRep};
use super::walk::Object;
use crate::memory::{AddrMap, AddrSet, Memory};

/// V8's edge types (`HeapGraphEdge::Type`), in the snapshot's `edge_types` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum EdgeType {
    Context = 0,
    Element = 1,
    Property = 2,
    Internal = 3,
    Hidden = 4,
    Shortcut = 5,
    Weak = 6,
}

/// Edge types in the snapshot's order.
pub const EDGE_KINDS: [EdgeType; 7] = [
    EdgeType::Context,
    EdgeType::Element,
    EdgeType::Property,
    EdgeType::Internal,
    EdgeType::Hidden,
    EdgeType::Shortcut,
    EdgeType::Weak,
];

/// Edge names this view gives (not read from the heap).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum StaticName {
    Map,
    Properties,
    Elements,
    Proto,
    Shared,
    Context,
    ScopeInfo,
    Previous,
    First,
    Second,
    Parent,
    Actual,
    Extension,
    Getter,
    Setter,
    Function,
    Receiver,
    ParametersAndRegisters,
    Code,
}

impl StaticName {
    /// Number of names (the last one's index plus one).
    pub const COUNT: usize = StaticName::Code as usize + 1;

    /// The name as V8 spells it.
    pub fn text(self) -> &'static str {
        match self {
            StaticName::Map => "map",
            StaticName::Properties => "properties",
            StaticName::Elements => "elements",
            StaticName::Proto => "__proto__",
            StaticName::Shared => "shared",
            StaticName::Context => "context",
            StaticName::ScopeInfo => "scope_info",
            StaticName::Previous => "previous",
            StaticName::First => "first",
            StaticName::Second => "second",
            StaticName::Parent => "parent",
            StaticName::Actual => "actual",
            StaticName::Extension => "extension",
            StaticName::Getter => "getter",
            StaticName::Setter => "setter",
            StaticName::Function => "function",
            StaticName::Receiver => "receiver",
            StaticName::ParametersAndRegisters => "parameters_and_registers",
            StaticName::Code => "code",
        }
    }
}

/// An edge's name or index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EdgeName<'t> {
    /// A name read from the heap (a context variable, a property without a key object).
    Text(&'t str),
    /// A property edge named by its key (a string or symbol object).
    Key(u64),
    /// A name this view gives.
    Static(StaticName),
    /// An element or hidden edge's index.
    Index(u32),
    /// A number written as a string name (internal edges of arrays, weak slots).
    Number(u32),
}

/// Where the edges of one object go, in order. Targets are object addresses; the sink decides
/// which it keeps (an object start it knows, an [`Essential`] reference).
pub trait EdgeSink {
    fn edge(&mut self, kind: EdgeType, name: EdgeName<'_>, target: u64);
}

/// Which references to an object V8's snapshot keeps (`IsEssentialObject`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Essential {
    Yes,
    /// Oddballs other than the hole: kept as property values, left out elsewhere.
    AsProperty,
    /// The hole, the canonical empty arrays of read-only space.
    No,
}

impl Essential {
    /// Whether an edge of `kind` to an object of this kind is kept.
    pub fn keeps(self, kind: EdgeType) -> bool {
        match self {
            Essential::Yes => true,
            // true, false, undefined, null: as property values only.
            Essential::AsProperty => kind == EdgeType::Property,
            Essential::No => false,
        }
    }
}

/// Whether V8 leaves references to `o` out of its snapshot: oddballs (but as property values),
/// holes, and the canonical empty arrays of read-only space.
pub fn essential<M: Memory>(ctx: &Isolate<'_, M>, o: &Object) -> Essential {
    let model = &ctx.model;
    let (a, t) = (o.addr, o.map.instance_type);
    if ctx.v8.types.name(t) == Some("Hole") {
        return Essential::No;
    }
    if Some(t) == model.types.oddball {
        let hole = model.reader().is_hole(Tagged::Object(a));
        return if hole {
            Essential::No
        } else {
            Essential::AsProperty
        };
    }
    if model.walker.in_read_only(a)
        && matches!(
            ctx.v8.shapes.kind(t),
            Kind::FixedArray | Kind::FixedDoubleArray | Kind::ByteArray | Kind::DescriptorArray
        )
        && model.smi(a, 8).unwrap_or(1) == 0
    {
        return Essential::No;
    }
    Essential::Yes
}

/// Names V8 gives arrays after the edge of an object or closure that holds them: its
/// `properties` and its `elements` (index 0 and 1).
pub const TAG_NAMES: [&str; 2] = ["(object properties)", "(object elements)"];

/// Free space and fillers: memory between objects, no nodes in V8's snapshot.
pub fn is_free<M: Memory>(ctx: &Isolate<'_, M>, t: u16) -> bool {
    let ty = &ctx.model.types;
    ctx.v8.shapes.kind(t) == Kind::FreeSpace || Some(t) == ty.filler || Some(t) == ty.free_space
}

/// The instance types of the objects roots and user roots are chosen among: code objects,
/// cells, global objects and their proxies, internalized strings (indexed by instance type; the
/// named types only, a few hundred, not 65536).
pub fn root_candidate_types<M: Memory>(ctx: &Isolate<'_, M>) -> Vec<bool> {
    let ty = &ctx.model.types;
    let wanted = [
        ctx.v8.types.type_of("Code"),
        ctx.v8.types.type_of("Cell"),
        ty.js_global_object,
        ty.js_global_proxy,
    ];
    (0..ctx.v8.types.bound().min(1 << 16) as u32)
        .map(|t| t as u16)
        .map(|t| {
            wanted.contains(&Some(t))
                || matches!(ctx.v8.shapes.kind(t), Kind::String(s) if s.internalized)
        })
        .collect()
}

/// Whether objects of type `t` that maps refer to (prototype validity cells) are shown as parts
/// of object shapes.
pub fn is_shape_cell<M: Memory>(ctx: &Isolate<'_, M>, t: u16) -> bool {
    ctx.v8.types.type_of("Cell") == Some(t)
}

/// Whether objects of type `t` are global objects or their proxies (the user roots).
pub fn is_global<M: Memory>(ctx: &Isolate<'_, M>, t: u16) -> bool {
    let ty = &ctx.model.types;
    [ty.js_global_object, ty.js_global_proxy].contains(&Some(t))
}

/// The line ends of `o` when it is a script (for the source locations of functions).
pub fn script_lines_of<M: Memory>(ctx: &Isolate<'_, M>, o: &Object) -> Option<ScriptLines> {
    if Some(o.map.instance_type) != ctx.model.types.script {
        return None;
    }
    ctx.model.reader().script_lines(o.addr)
}

/// The object areas of read-only pages, where V8 gives objects no size (some versions).
pub fn sizeless_areas<M: Memory>(ctx: &Isolate<'_, M>) -> Vec<(u64, u64)> {
    if !ctx.v8.layout.objects.read_only_size_zero {
        return Vec::new();
    }
    ctx.pages
        .iter()
        .filter(|p| p.heap == 0 || ctx.model.walker.in_read_only(p.area_start))
        .map(|p| (p.area_start, p.area_end))
        .collect()
}

/// What a first pass over every object found, that naming each object needs.
pub struct Known<'a> {
    /// Arrays that code objects refer to (V8 types them `code`).
    pub code_arrays: &'a AddrSet,
    /// Line ends of each script.
    pub scripts: &'a AddrMap<ScriptLines>,
    /// Read-only pages' object areas, when V8 gives their objects no size.
    pub read_only_areas: &'a [(u64, u64)],
}

/// One object as a node, its edges aside.
#[derive(Clone, Copy, Debug)]
pub struct NodeHead<'r> {
    pub node_type: NodeType,
    pub name: &'r str,
    /// The name's hash, by the reader's `hash` function (computed once per cached name).
    pub name_hash: u64,
    /// V8's self size (external strings: with their characters; read-only objects: 0 where V8
    /// gives them none).
    pub size: u64,
    /// The byte length of an array buffer's backing store, when it has one.
    pub backing_store: Option<u64>,
    /// Script id, 0-based line and column of the function (or constructor) behind the object.
    pub location: Option<[u32; 3]>,
    /// The object is a map: the cells it refers to are parts of object shapes.
    pub is_map: bool,
}

/// A name computed once per map or shared function info: node type, name, hash, location.
type NameCache = AddrMap<(NodeType, Box<str>, u64, Option<[u32; 3]>)>;

/// Reads objects as V8's snapshot sees them, with per-thread caches (decoded maps, names by map
/// or shared function info, property layouts by map).
pub struct NodeReader<'i, 'a, M> {
    ctx: &'i Isolate<'a, M>,
    reader: Reader<'i, 'a, M>,
    names: NameCache,
    /// Whether objects with a map are named one by one ([`NameKey`]).
    by_object: AddrMap<bool>,
    layouts: AddrMap<Option<Vec<LayoutSlot>>>,
    /// Slots already given an edge (a small list: objects have few named slots).
    visited: Vec<u64>,
    /// The name of the last node read, when not cached.
    scratch: String,
    hash: fn(NodeType, &str) -> u64,
}

impl<'i, 'a, M: Memory> NodeReader<'i, 'a, M> {
    /// A reader of `ctx`'s objects; `hash` hashes names for the caller's string table.
    pub fn new(ctx: &'i Isolate<'a, M>, hash: fn(NodeType, &str) -> u64) -> Self {
        NodeReader {
            ctx,
            reader: ctx.model.reader(),
            names: NameCache::default(),
            by_object: AddrMap::default(),
            layouts: AddrMap::default(),
            visited: Vec::new(),
            scratch: String::new(),
            hash,
        }
    }

    /// The object at `addr` (it starts there), with its map and size.
    pub fn object(&mut self, addr: u64) -> Option<Object> {
        self.reader.object(addr)
    }

    /// Read `o`: its edges go to `sink` in V8's order, its node comes back.
    pub fn read(
        &mut self,
        o: &Object,
        known: &Known<'_>,
        sink: &mut impl EdgeSink,
    ) -> NodeHead<'_> {
        let ctx = self.ctx;
        let model = &self.reader;
        let ty = &model.types;
        let t = o.map.instance_type;
        self.visited.clear();
        let visited = &mut self.visited;
        // Names that depend only on the map (most JS objects) or on the function's shared info
        // (closures) are computed once per map or shared info.
        let key = match model.name_key(o, &mut self.by_object) {
            NameKey::Map(k) | NameKey::Function(k) => Some(k),
            NameKey::Object | NameKey::Other => None,
        };
        let cached = key
            .and_then(|k| self.names.get(&k))
            .map(|&(t, _, h, l)| (t, h, l));
        let (mut node_type, name_hash, mut location) = match cached {
            Some(c) => c,
            None => {
                let (node_type, name) = match model.naming(o) {
                    Some(n) => (n.node_type, n.name),
                    None => (NodeType::Hidden, std::borrow::Cow::Borrowed("")),
                };
                // V8 records where closures start, and for objects where their constructor does.
                let function = if ty.is_function(t) {
                    Some(o.addr)
                } else if node_type == NodeType::Object && ty.is_js_object(t) {
                    model.constructor(o.addr, &o.map).0
                } else {
                    None
                };
                let location = function.and_then(|f| self_location(model, known, f));
                let name_hash = (self.hash)(node_type, &name);
                self.scratch.clear();
                self.scratch.push_str(&name);
                if let Some(k) = key {
                    self.names
                        .insert(k, (node_type, name.into(), name_hash, location));
                }
                (node_type, name_hash, location)
            }
        };
        // A generator's location is its function's (not cached: it is per object).
        if ty.is_generator(t) {
            location = model
                .ptr(o.addr, model.off.generator_function)
                .filter(|&f| model.type_of(f).is_some_and(|ft| ty.is_function(ft)))
                .and_then(|f| self_location(model, known, f));
        }
        let array_kind = matches!(
            ctx.v8.shapes.kind(t),
            Kind::FixedArray | Kind::FixedDoubleArray | Kind::ByteArray
        );
        if array_kind
            && matches!(node_type, NodeType::Array | NodeType::Hidden)
            && known.code_arrays.contains(&o.addr)
        {
            node_type = NodeType::Code;
        }
        let mut backing_store = None;
        if ty.is_js_object(t) {
            // Named properties, in descriptor (or dictionary) order. Fast-mode objects by their
            // map's layout (descriptors read once per map), the others one by one.
            let layout = self
                .layouts
                .entry(o.map.addr)
                .or_insert_with(|| model.property_layout(&o.map));
            let slots = match layout {
                Some(layout) => {
                    let body = model.mem.slice(o.addr, o.size).unwrap_or(&[]);
                    model.slots_by_layout(o.addr, body, layout)
                }
                None => model.property_slots(o.addr, &o.map, usize::MAX, false),
            };
            for s in &slots {
                // Numbers in double fields are not properties in V8's snapshot (the box is
                // reached through a hidden edge instead).
                if s.double {
                    continue;
                }
                if let Some(off) = s.in_object {
                    visited.push(off);
                }
                let name = match s.key {
                    0 => EdgeName::Text(&s.name),
                    k => EdgeName::Key(k),
                };
                match s.value {
                    SlotValue::Tagged(Tagged::Object(v)) => sink.edge(EdgeType::Property, name, v),
                    // Native accessors (AccessorInfo: a function's length, name...) are not
                    // properties in V8's snapshot; JS getter/setter pairs are.
                    SlotValue::Accessor(v) if model.type_of(v) == ty.accessor_pair => {
                        sink.edge(EdgeType::Property, name, v);
                        // Then the getter and setter themselves, as `get x` / `set x` (a
                        // symbol key names them as it names the pair).
                        let halves = [
                            ("get", model.off.accessor_getter),
                            ("set", model.off.accessor_setter),
                        ];
                        for (prefix, off) in halves {
                            let Some(f) = model.ptr(v, off) else { continue };
                            if model.is_oddball(f) {
                                continue;
                            }
                            let text = match s.key {
                                0 => Some(s.name.clone()),
                                k if model.is_string(k) => model.string(k, 1024).map(|t| t.text),
                                _ => None,
                            };
                            match text {
                                Some(t) => {
                                    let n = format!("{prefix} {t}");
                                    sink.edge(EdgeType::Property, EdgeName::Text(&n), f);
                                }
                                None => sink.edge(EdgeType::Property, name, f),
                            }
                        }
                    }
                    _ => {}
                }
            }
            // Elements by index.
            model.visit_elements(o.addr, &o.map, usize::MAX, &mut |key, value| {
                if let SlotValue::Tagged(Tagged::Object(v)) = value {
                    // Indices beyond u32 and heap-number keys are named 0.
                    let i = match key {
                        ElementKey::Index(i) => u32::try_from(i).unwrap_or(0),
                        ElementKey::Number(_) => 0,
                    };
                    sink.edge(EdgeType::Element, EdgeName::Index(i), v);
                }
            });
            if let Some(p) = Tagged::from_word(o.map.prototype).object() {
                sink.edge(EdgeType::Property, EdgeName::Static(StaticName::Proto), p);
            }
            visited.push(model.off.properties);
            visited.push(model.off.elements);
            for (off, name) in [
                (model.off.properties, StaticName::Properties),
                (model.off.elements, StaticName::Elements),
            ] {
                if let Some(Tagged::Object(p)) = model.field(o.addr, off) {
                    sink.edge(EdgeType::Internal, EdgeName::Static(name), p);
                }
            }
            if ty.is_function(t) {
                for (off, name) in [
                    (model.off.function_shared, StaticName::Shared),
                    (model.off.function_context, StaticName::Context),
                ] {
                    visited.push(off);
                    if let Some(Tagged::Object(p)) = model.field(o.addr, off) {
                        sink.edge(EdgeType::Internal, EdgeName::Static(name), p);
                    }
                }
                // V8 ≥ 13: the code is behind the function's dispatch handle.
                if let Some(code) = model.function_code(o.addr) {
                    sink.edge(EdgeType::Internal, EdgeName::Static(StaticName::Code), code);
                }
            }
            if ty.is_generator(t) {
                let off = &model.off;
                for (off, name) in [
                    (off.generator_function, StaticName::Function),
                    (off.generator_context, StaticName::Context),
                    (off.generator_receiver, StaticName::Receiver),
                    (off.generator_registers, StaticName::ParametersAndRegisters),
                ] {
                    visited.push(off);
                    if let Some(Tagged::Object(p)) = model.field(o.addr, off) {
                        sink.edge(EdgeType::Internal, EdgeName::Static(name), p);
                    }
                }
            }
            if Some(t) == ty.js_array_buffer {
                let len = model
                    .mem
                    .read_u64_at(o.addr, model.off.array_buffer_byte_length)
                    .unwrap_or(0);
                let store = model
                    .mem
                    .read_u64_at(o.addr, model.off.array_buffer_backing_store)
                    .unwrap_or(0);
                if store != 0 {
                    backing_store = Some(len);
                }
            }
        } else if ty.is_context(t) && Some(t) != ty.native_context {
            // Variables by name in declaration contexts only, as V8 names them; the slots of
            // other contexts (blocks, catch, the synthetic contexts of promise resolvers and
            // await closures) are hidden edges, below.
            visited.push(8); // length
            if model.is_declaration_context(o.addr, t) {
                let slots = model.context_slots(o.addr, usize::MAX, false);
                for s in &slots {
                    visited.push(s.in_object.unwrap_or(0));
                    if let SlotValue::Tagged(Tagged::Object(v)) = s.value {
                        sink.edge(EdgeType::Context, EdgeName::Text(&s.name), v);
                    }
                }
            }
            let mut fixed = vec![
                (model.off.context_scope_info, StaticName::ScopeInfo),
                (model.off.context_previous, StaticName::Previous),
            ];
            if model.context_has_extension(o.addr) {
                fixed.push((model.off.context_previous + 8, StaticName::Extension));
            }
            for (off, name) in fixed {
                visited.push(off);
                if let Some(Tagged::Object(p)) = model.field(o.addr, off) {
                    if !model.is_oddball(p) {
                        sink.edge(EdgeType::Internal, EdgeName::Static(name), p);
                    }
                }
            }
        } else if Some(t) == ty.accessor_pair {
            for (off, name) in [
                (model.off.accessor_getter, StaticName::Getter),
                (model.off.accessor_setter, StaticName::Setter),
            ] {
                visited.push(off);
                if let Some(Tagged::Object(p)) = model.field(o.addr, off) {
                    if !model.is_oddball(p) {
                        sink.edge(EdgeType::Internal, EdgeName::Static(name), p);
                    }
                }
            }
        } else if let Kind::String(s) = ctx.v8.shapes.kind(t) {
            let off = &model.off;
            let named: &[(u64, StaticName)] = match s.rep {
                StringRep::Cons => &[
                    (off.cons_first, StaticName::First),
                    (off.cons_second, StaticName::Second),
                ],
                StringRep::Sliced => &[(off.sliced_parent, StaticName::Parent)],
                StringRep::Thin => &[(off.thin_actual, StaticName::Actual)],
                _ => &[],
            };
            for &(off, name) in named {
                visited.push(off);
                if let Some(Tagged::Object(p)) = model.field(o.addr, off) {
                    sink.edge(EdgeType::Internal, EdgeName::Static(name), p);
                }
            }
        }
        // Every other tagged slot: arrays' slots by index, the rest as hidden edges.
        let (from, to) = tagged_range(ctx, o);
        let array_like = matches!(
            ctx.v8.shapes.kind(t),
            Kind::FixedArray | Kind::CapacityArray(_) | Kind::PropertyArray
        );
        let mut off = from.max(8);
        // The object's bytes in one slice (one address lookup instead of one per slot).
        let body = model.mem.slice(o.addr, to).unwrap_or(&[]);
        while off + 8 <= to {
            if !visited.contains(&off) {
                let w = body
                    .get(off as usize..off as usize + 8)
                    .and_then(|b| b.try_into().ok())
                    .map(u64::from_le_bytes)
                    .or_else(|| model.mem.read_u64_at(o.addr, off));
                match w.map(Tagged::from_word) {
                    Some(Tagged::Object(p)) => {
                        if array_like && off >= 16 {
                            let i = ((off - 16) / 8) as u32;
                            sink.edge(EdgeType::Internal, EdgeName::Number(i), p);
                        } else {
                            let slot = ((off - 8) / 8) as u32;
                            sink.edge(EdgeType::Hidden, EdgeName::Index(slot), p);
                        }
                    }
                    Some(Tagged::Weak(p)) => {
                        let slot = ((off - 8) / 8) as u32;
                        sink.edge(EdgeType::Weak, EdgeName::Number(slot), p);
                    }
                    _ => {}
                }
            }
            off += 8;
        }
        sink.edge(
            EdgeType::Internal,
            EdgeName::Static(StaticName::Map),
            o.map.addr,
        );
        // External strings: V8 counts the characters they point to.
        let read_only = known
            .read_only_areas
            .iter()
            .any(|&(s, e)| (s..e).contains(&o.addr));
        let size = if read_only {
            0
        } else {
            o.size + external_payload(ctx, o)
        };
        let name = match key.and_then(|k| self.names.get(&k)) {
            Some((_, name, _, _)) if cached.is_some() => &**name,
            _ => self.scratch.as_str(),
        };
        NodeHead {
            node_type,
            name,
            name_hash,
            size,
            backing_store,
            location,
            is_map: Some(t) == ty.map,
        }
    }
}

/// Where function `f` starts: script id, 0-based line and column.
fn self_location<M: Memory>(
    reader: &Reader<'_, '_, M>,
    known: &Known<'_>,
    f: u64,
) -> Option<[u32; 3]> {
    let (script, start) = reader.function_script(f)?;
    let lines = known.scripts.get(&script)?;
    let (line, column) = lines.position(start);
    Some([lines.id, line, column])
}

/// The tagged part of an object's body: [start, end) byte offsets that may hold references.
fn tagged_range<M: Memory>(ctx: &Isolate<'_, M>, o: &Object) -> (u64, u64) {
    let l = &ctx.v8.layout.objects;
    let off = &ctx.model.off;
    let t = o.map.instance_type;
    match ctx.v8.shapes.kind(t) {
        Kind::String(s) => match s.rep {
            StringRep::Cons => (off.cons_first, off.cons_second + 8),
            StringRep::Sliced => (off.sliced_parent, off.sliced_parent + 8),
            StringRep::Thin => (off.thin_actual, off.thin_actual + 8),
            _ => (0, 0),
        },
        Kind::FixedDoubleArray
        | Kind::ByteArray
        | Kind::BigInt
        | Kind::FreeSpace
        | Kind::FeedbackMetadata
        | Kind::CoverageInfo
        | Kind::SwissNameDictionary
        | Kind::PairArray => (0, 0),
        Kind::BytecodeArray => (16, l.bytecode_header.unwrap_or(16)),
        Kind::InstructionStream => (8, l.instruction_header),
        Kind::PreparseData => {
            let data = u64::from(ctx.model.mem.read_u32_at(o.addr, 8).unwrap_or(0));
            (((16 + data) + 7) & !7, o.size)
        }
        Kind::DescriptorArray => (16, o.size),
        _ if Some(t) == ctx.model.types.heap_number => (0, 0),
        _ => (8, o.size),
    }
}

/// Bytes of characters an external string keeps outside the heap (when its data is known).
/// The characters an external string points to, which V8's snapshot counts in the string's
/// self size (V8 ≥ 13); 0 for other objects and versions.
pub fn external_payload<M: Memory>(ctx: &Isolate<'_, M>, o: &Object) -> u64 {
    let Kind::String(s) = ctx.v8.shapes.kind(o.map.instance_type) else {
        return 0;
    };
    if s.rep != StringRep::External || !ctx.v8.layout.objects.external_string_payload {
        return 0;
    }
    let m = &ctx.model;
    let data = m
        .mem
        .read_u64_at(o.addr, m.off.external_resource + 8)
        .unwrap_or(0);
    if data == 0 {
        return 0;
    }
    let len = u64::from(m.mem.read_u32_at(o.addr, m.off.string_length).unwrap_or(0));
    if s.two_byte {
        2 * len
    } else {
        len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v8::synth::{obj, smi, DictSlot, ObjectMap, PropKind, SynthHeap};

    /// Every edge the view gives, names spelled out (keys by their text).
    #[derive(Default)]
    struct Record(Vec<(EdgeType, String, u64)>);

    impl EdgeSink for Record {
        fn edge(&mut self, kind: EdgeType, name: EdgeName<'_>, target: u64) {
            let name = match name {
                EdgeName::Text(s) => s.to_string(),
                EdgeName::Key(k) => format!("key {k:#x}"),
                EdgeName::Static(s) => s.text().to_string(),
                EdgeName::Index(i) => format!("[{i}]"),
                EdgeName::Number(n) => format!("#{n}"),
            };
            self.0.push((kind, name, target));
        }
    }

    /// Read the object at `addr` through the view: its head's type and name, and its edges.
    fn view<M: Memory>(
        iso: &Isolate<'_, M>,
        addr: u64,
    ) -> (NodeType, String, Vec<(EdgeType, String, u64)>) {
        let (code_arrays, scripts) = (AddrSet::default(), AddrMap::default());
        let known = Known {
            code_arrays: &code_arrays,
            scripts: &scripts,
            read_only_areas: &[],
        };
        let mut reader = NodeReader::new(iso, |_, s| s.len() as u64);
        let o = reader.object(addr).expect("an object starts there");
        let mut edges = Record::default();
        let head = reader.read(&o, &known, &mut edges);
        (head.node_type, head.name.to_string(), edges.0)
    }

    fn key(h: &mut SynthHeap, text: &str) -> String {
        format!("key {:#x}", h.internalized(text))
    }

    #[test]
    fn a_plain_objects_edges_are_its_properties_then_prototype_arrays_and_map() {
        let mut h = SynthHeap::new();
        let target = h.plain_object(&[]);
        let text = h.string("text");
        let o = h.plain_object(&[("a", obj(target)), ("n", smi(7)), ("s", obj(text))]);
        let (ka, ks) = (key(&mut h, "a"), key(&mut h, "s"));
        let empty = h.roots().empty_fixed_array;
        let mem = h.memory();
        let iso = h.open(&mem).expect("opens");
        let map = iso.model.reader().map_of(o).expect("map");
        let (t, name, edges) = view(&iso, o);
        assert_eq!((t, name.as_str()), (NodeType::Object, "Object"));
        let mut want = vec![
            (EdgeType::Property, ka, target),
            (EdgeType::Property, ks, text),
        ];
        if let Some(p) = Tagged::from_word(map.prototype).object() {
            want.push((EdgeType::Property, "__proto__".into(), p));
        }
        want.extend([
            (EdgeType::Internal, "properties".into(), empty),
            (EdgeType::Internal, "elements".into(), empty),
            (EdgeType::Internal, "map".into(), map.addr),
        ]);
        // The Smi makes no edge, and no in-object slot is given a second (hidden) edge.
        assert_eq!(edges, want);
    }

    #[test]
    fn string_edges_name_the_parts_of_cons_sliced_and_thin_strings() {
        let mut h = SynthHeap::new();
        let (a, b) = (h.string("con"), h.string("catenated"));
        let cons = h.cons_string(a, b);
        let parent = h.string("a parent string");
        let sliced = h.sliced_string(parent, 2, 6);
        let actual = h.internalized("actual");
        let thin = h.thin_string(actual);
        let mem = h.memory();
        let iso = h.open(&mem).expect("opens");
        let map = |a| iso.model.reader().map_of(a).expect("map").addr;
        let (t, name, edges) = view(&iso, cons);
        assert_eq!(
            (t, name.as_str()),
            (NodeType::ConcatenatedString, "(concatenated string)")
        );
        assert_eq!(
            edges,
            vec![
                (EdgeType::Internal, "first".into(), a),
                (EdgeType::Internal, "second".into(), b),
                (EdgeType::Internal, "map".into(), map(cons)),
            ]
        );
        let (t, name, edges) = view(&iso, sliced);
        assert_eq!(
            (t, name.as_str()),
            (NodeType::SlicedString, "(sliced string)")
        );
        assert_eq!(
            edges,
            vec![
                (EdgeType::Internal, "parent".into(), parent),
                (EdgeType::Internal, "map".into(), map(sliced)),
            ]
        );
        let (_, _, edges) = view(&iso, thin);
        assert_eq!(
            edges,
            vec![
                (EdgeType::Internal, "actual".into(), actual),
                (EdgeType::Internal, "map".into(), map(thin)),
            ]
        );
    }

    #[test]
    fn a_closure_holds_its_shared_info_and_context_whose_variables_are_context_edges() {
        let mut h = SynthHeap::new();
        let n = h.heap_number(0.5);
        let s = h.string("label");
        let c = h.closure(
            "counter",
            &[("count", smi(1)), ("step", obj(n)), ("label", obj(s))],
        );
        let mem = h.memory();
        let iso = h.open(&mem).expect("opens");
        let (t, name, edges) = view(&iso, c.function);
        assert_eq!((t, name.as_str()), (NodeType::Closure, "counter"));
        let internal = |name: &str| {
            edges
                .iter()
                .filter(|e| e.0 == EdgeType::Internal && e.1 == name)
                .map(|e| e.2)
                .collect::<Vec<_>>()
        };
        assert_eq!(internal("shared"), vec![c.shared]);
        assert_eq!(internal("context"), vec![c.context]);
        // The shared info and context slots are not given hidden edges as well.
        assert!(!edges
            .iter()
            .any(|e| e.0 == EdgeType::Hidden && (e.2 == c.shared || e.2 == c.context)));
        let (_, _, edges) = view(&iso, c.context);
        let context: Vec<(String, u64)> = edges
            .iter()
            .filter(|e| e.0 == EdgeType::Context)
            .map(|e| (e.1.clone(), e.2))
            .collect();
        assert_eq!(context, vec![("step".into(), n), ("label".into(), s)]);
        let scope: Vec<u64> = edges
            .iter()
            .filter(|e| e.0 == EdgeType::Internal && e.1 == "scope_info")
            .map(|e| e.2)
            .collect();
        assert_eq!(scope, vec![c.scope_info]);
        assert!(!edges.iter().any(|e| e.0 == EdgeType::Hidden));
    }

    #[test]
    fn array_slots_are_internal_edges_by_index_and_smis_make_none() {
        let mut h = SynthHeap::new();
        let (a, b) = (h.string("x"), h.string("y"));
        let array = h.fixed_array(&[obj(a), smi(3), obj(b)]);
        let mem = h.memory();
        let iso = h.open(&mem).expect("opens");
        let map = iso.model.reader().map_of(array).expect("map").addr;
        let (_, _, edges) = view(&iso, array);
        assert_eq!(
            edges,
            vec![
                (EdgeType::Internal, "#0".into(), a),
                (EdgeType::Internal, "#2".into(), b),
                (EdgeType::Internal, "map".into(), map),
            ]
        );
    }

    #[test]
    fn names_are_keyed_by_map_by_shared_info_or_one_by_one() {
        let mut h = SynthHeap::new();
        let a = h.internalized("a");
        let shape = h.object_map(&ObjectMap::js_object(vec![(a, PropKind::Field)], 1));
        let one = h.js_object(shape, &[smi(1)]);
        let two = h.js_object(shape, &[smi(2)]);
        let c = h.closure("f", &[]);
        let k = h.internalized("k");
        let dict = h.dictionary_object(&[DictSlot::Data(k, smi(1))], None, None);
        let text = h.string("text");
        let mem = h.memory();
        let iso = h.open(&mem).expect("opens");
        let r = iso.model.reader();
        let key = |a| {
            let o = r.object(a).expect("object");
            iso.model.name_key(&o, &mut AddrMap::default())
        };
        let map_of = |a| r.map_of(a).expect("map").addr;
        assert_eq!(map_of(one), map_of(two), "the same shape, the same map");
        assert_eq!(key(one), NameKey::Map(map_of(one)));
        assert_eq!(key(two), key(one));
        assert_eq!(key(c.function), NameKey::Function(c.shared));
        assert_eq!(key(dict), NameKey::Object);
        assert_eq!(key(text), NameKey::Other);
    }
}
