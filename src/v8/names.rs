//! Naming heap objects the way V8's heap-snapshot generator names its nodes
//! (`V8HeapExplorer::AddEntry`, `GetSystemEntryType`, `GetSystemEntryName`, V8 11.3–14.6): a node
//! type from V8's vocabulary and a name.
//!
//! V8 also renames some nodes after the fact from the object that refers to them (`TagObject`:
//! "(object properties)" for a property array, a `kHidden` node becoming `kCode` when code refers
//! to it). Those depend on the object graph and are not applied here; [`Class`] groups nodes so
//! that the difference does not split a class.

use super::map::Tagged;
use super::model::{Model, Reader};
use super::object::{Kind, StringRep};
use super::walk::MapCache;
use super::walk::Object;
use crate::memory::{AddrMap, Memory};
use std::borrow::Cow;

/// V8's `HeapEntry::Type`, in the order of the snapshot's `node_types`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeType {
    Hidden,
    Array,
    String,
    Object,
    Code,
    Closure,
    RegExp,
    Number,
    Native,
    Synthetic,
    ConcatenatedString,
    SlicedString,
    Symbol,
    BigInt,
    ObjectShape,
}

impl NodeType {
    /// The snapshot's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeType::Hidden => "hidden",
            NodeType::Array => "array",
            NodeType::String => "string",
            NodeType::Object => "object",
            NodeType::Code => "code",
            NodeType::Closure => "closure",
            NodeType::RegExp => "regexp",
            NodeType::Number => "number",
            NodeType::Native => "native",
            NodeType::Synthetic => "synthetic",
            NodeType::ConcatenatedString => "concatenated string",
            NodeType::SlicedString => "sliced string",
            NodeType::Symbol => "symbol",
            NodeType::BigInt => "bigint",
            NodeType::ObjectShape => "object shape",
        }
    }

    /// Parse the snapshot's spelling.
    pub fn parse(s: &str) -> Option<NodeType> {
        ALL.iter().copied().find(|t| t.as_str() == s)
    }

    /// The index in V8's `node_types` list.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Every node type, in V8's order.
pub const ALL: [NodeType; 15] = [
    NodeType::Hidden,
    NodeType::Array,
    NodeType::String,
    NodeType::Object,
    NodeType::Code,
    NodeType::Closure,
    NodeType::RegExp,
    NodeType::Number,
    NodeType::Native,
    NodeType::Synthetic,
    NodeType::ConcatenatedString,
    NodeType::SlicedString,
    NodeType::Symbol,
    NodeType::BigInt,
    NodeType::ObjectShape,
];

/// Longest name taken from a string's text (V8 cuts string node names the same way).
pub const MAX_NAME: usize = 1024;

/// A node as V8 would name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Naming {
    pub node_type: NodeType,
    pub name: Cow<'static, str>,
}

/// What an object's name depends on, as V8's snapshot names it: the one rule that both the class
/// counts of `analyze` and the graph's per-map name cache follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NameKey {
    /// A JS object named by its map alone (its constructor, found from the map).
    Map(u64),
    /// A closure, named by its function's shared info.
    Function(u64),
    /// A JS object named one by one by its constructor: objects in dictionary mode, maps with an
    /// own `Symbol.toStringTag` (see [`Model::name_depends_on_object`]).
    Object,
    /// Anything else, named by instance type and contents: strings by their text, regexps by
    /// their source, bound functions by their target, closures without a shared info...
    Other,
}

/// Classes for summaries: the groups DevTools' Summary view shows, so that counts line up with
/// it. JS objects by constructor name, closures by function name, everything else by type.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Class {
    pub node_type: NodeType,
    pub name: String,
}

impl Class {
    /// The summary class of a node named `name` of type `t` (V8's or ours).
    pub fn of(t: NodeType, name: &str) -> Class {
        let name = match t {
            NodeType::Object | NodeType::Closure | NodeType::Native | NodeType::Synthetic => {
                name.to_string()
            }
            NodeType::Hidden | NodeType::Code => "(system)".into(),
            NodeType::Array => "(array)".into(),
            NodeType::String => "(string)".into(),
            NodeType::ConcatenatedString => "(concatenated string)".into(),
            NodeType::SlicedString => "(sliced string)".into(),
            NodeType::Number => "(number)".into(),
            NodeType::Symbol => "(symbol)".into(),
            NodeType::BigInt => "(bigint)".into(),
            NodeType::RegExp => "(regexp)".into(),
            NodeType::ObjectShape => "(object shape)".into(),
        };
        // Hidden and code nodes share a class: V8 turns hidden nodes into code nodes depending
        // on who refers to them.
        let node_type = if t == NodeType::Hidden {
            NodeType::Code
        } else {
            t
        };
        Class { node_type, name }
    }

    /// Whether the class holds JavaScript-level objects (type object or closure).
    pub fn is_js(&self) -> bool {
        matches!(self.node_type, NodeType::Object | NodeType::Closure)
    }
}

/// Classes whose nodes V8 gives type `object shape`.
const SHAPE_CLASSES: &[&str] = &[
    "DescriptorArray",
    "StrongDescriptorArray",
    "TransitionArray",
    "PrototypeInfo",
    "EnumCache",
];

impl<M: Memory> Model<'_, M> {
    /// What `o`'s name depends on ([`NameKey`]). `per_map` caches, by map, whether objects with
    /// that map are named one by one.
    pub fn name_key(&self, o: &Object, per_map: &mut AddrMap<bool>) -> NameKey {
        let t = o.map.instance_type;
        let ty = &self.types;
        if ty.is_function(t) {
            return self
                .function_sfi(o.addr)
                .map_or(NameKey::Other, NameKey::Function);
        }
        if !ty.is_js_object(t) {
            return NameKey::Other;
        }
        if Some(t) == ty.js_regexp || Some(t) == ty.js_bound_function {
            return NameKey::Other;
        }
        let by_object = *per_map
            .entry(o.map.addr)
            .or_insert_with(|| self.name_depends_on_object(&o.map));
        if by_object {
            NameKey::Object
        } else {
            NameKey::Map(o.map.addr)
        }
    }

    /// Whether V8 gives the object's nodes type `code` (by class, before any tagging).
    /// Whether the symbol at `addr` is private: flag bit 0 up to V8 13; from 14 on a two-bit
    /// private kind (internal, field name, brand) that is not public.
    pub fn is_private_symbol(&self, addr: u64) -> bool {
        let flags = self
            .mem
            .read_u32_at(addr, self.off.symbol_flags)
            .unwrap_or(0);
        flags & self.v8.layout.objects.private_symbol_mask != 0
    }

    pub fn is_code_class(&self, t: u16) -> bool {
        self.types
            .code_class
            .get(t as usize)
            .copied()
            .unwrap_or(false)
    }

    /// Objects referenced from the tagged fields of a code-class object (V8 tags many of them
    /// as `code`: constant pools, tables, feedback arrays).
    pub fn code_references(&self, o: &Object, out: &mut Vec<u64>) {
        if Some(o.map.instance_type) == self.types.script {
            // `ExtractScriptReferences` tags a script's line ends, its functions' list and its
            // host-defined options as code; its other arrays stay arrays.
            let md = &self.v8.metadata;
            let lazy = md.class_offset("Script", "compiled_lazy_function_positions");
            let fields = [
                md.class_offset("Script", "line_ends"),
                lazy.map(|l| l - 8),
                lazy.map(|l| l + self.v8.layout.objects.script_host_options_after_lazy),
            ];
            out.extend(
                fields
                    .into_iter()
                    .flatten()
                    .filter_map(|f| self.ptr(o.addr, f)),
            );
            return;
        }
        if !self.is_code_class(o.map.instance_type) {
            return;
        }
        let l = &self.v8.layout.objects;
        let end = match self.v8.shapes.kind(o.map.instance_type) {
            Kind::Fixed
            | Kind::FixedArray
            | Kind::CapacityArray(_)
            | Kind::FeedbackVector
            | Kind::ScopeInfo => o.size,
            Kind::BytecodeArray => l.bytecode_header.unwrap_or(0),
            Kind::InstructionStream => l.instruction_header,
            _ => 0,
        };
        let mut off = 8;
        while off + 8 <= end {
            if let Some(a) = self.field(o.addr, off).and_then(|t| t.object()) {
                out.push(a);
            }
            off += 8;
        }
        // A bytecode array's constant pool, and the arrays in it to a depth of three
        // (`RecursivelyTagConstantPool`).
        if self.v8.shapes.kind(o.map.instance_type) == Kind::BytecodeArray {
            if let Some(pool) = self.ptr(o.addr, self.v8.layout.objects.bytecode_constant_pool) {
                let mut cache = MapCache::default();
                self.constant_pool_arrays(&mut cache, pool, 3, out);
            }
        }
        // Optimized code's deoptimization data: V8 tags its frame translation, literal array
        // and inlining positions as code too (`ExtractCodeReferences`), nothing else in it.
        if self.v8.types.name(o.map.instance_type) == Some("Code") {
            let deopt = self
                .ptr(o.addr, self.v8.layout.frames.code_deopt_data)
                .filter(|&d| self.smi(d, 8).is_some());
            if let Some(d) = deopt {
                let n = self.smi(d, 8).unwrap_or(0).max(0) as u64;
                for i in self.v8.layout.objects.deopt_tagged {
                    if let Some(a) = self.ptr(d, 16 + 8 * i).filter(|_| i < n) {
                        out.push(a);
                    }
                }
            }
        }
    }

    /// The arrays of a constant pool that V8 tags as code: the pool and the plain or trusted
    /// fixed arrays in it, down to `depth` levels, and the dictionaries met there.
    fn constant_pool_arrays(&self, cache: &mut MapCache, a: u64, depth: u32, out: &mut Vec<u64>) {
        let Some(t) = self
            .walker
            .object_at(cache, a)
            .ok()
            .map(|o| o.map.instance_type)
        else {
            return;
        };
        match self.v8.types.name(t) {
            Some("FixedArray" | "TrustedFixedArray") => {
                out.push(a);
                if depth <= 1 {
                    return;
                }
                let n = self.smi(a, 8).unwrap_or(0).clamp(0, 1 << 16) as u64;
                for i in 0..n {
                    if let Some(e) = self.ptr(a, 16 + 8 * i) {
                        self.constant_pool_arrays(cache, e, depth - 1, out);
                    }
                }
            }
            Some("NameDictionary" | "NumberDictionary") => out.push(a),
            _ => {}
        }
    }

    /// Whether objects of type `t` are arrays that code objects can re-type as `code`.
    pub fn is_array_kind(&self, t: u16) -> bool {
        matches!(
            self.v8.shapes.kind(t),
            Kind::FixedArray | Kind::FixedDoubleArray | Kind::ByteArray
        )
    }

    /// Candidates for the arrays that V8 re-types as `code` because a code object refers to them
    /// (`TagObject` with `kCode`: constant pools, handler and source position tables,
    /// relocation info, deoptimization data, boilerplate elements, closure feedback cell
    /// arrays): every object the tagged header fields of the code-class object `o` point to,
    /// arrays or not (the caller keeps those of [`Model::is_array_kind`]).
    pub fn code_tagged_candidates(&self, o: &Object, out: &mut Vec<u64>) {
        if !self.is_code_class(o.map.instance_type) {
            return;
        }
        let l = &self.v8.layout.objects;
        // The part of the object that holds tagged fields.
        let end = match self.v8.shapes.kind(o.map.instance_type) {
            Kind::Fixed => o.size,
            Kind::BytecodeArray => l.bytecode_header.unwrap_or(0),
            Kind::FeedbackVector => l.feedback_vector_header.unwrap_or(0),
            Kind::InstructionStream => l.instruction_header,
            _ => 0,
        };
        let mut off = 8;
        while off + 8 <= end {
            if let Some(Tagged::Object(a)) = self.field(o.addr, off) {
                out.push(a);
            }
            off += 8;
        }
    }
}

impl<M: Memory> Reader<'_, '_, M> {
    /// Name the object as V8's snapshot would, or `None` for what V8 leaves out (free space and
    /// fillers).
    pub fn naming(&self, o: &Object) -> Option<Naming> {
        let t = o.map.instance_type;
        let ty = &self.types;
        let class = self.v8.types.name(t).unwrap_or("");
        let named = |nt: NodeType, name: &'static str| {
            Some(Naming {
                node_type: nt,
                name: Cow::Borrowed(name),
            })
        };
        if Some(t) == ty.free_space
            || Some(t) == ty.filler
            || class == "FreeSpace"
            || class == "Filler"
        {
            return None;
        }
        if ty.is_js_object(t) {
            if ty.is_function(t) {
                let name = self.function_name(o.addr);
                return Some(Naming {
                    node_type: NodeType::Closure,
                    name: Cow::Owned(name),
                });
            }
            if Some(t) == ty.js_bound_function {
                return named(NodeType::Closure, "native_bind");
            }
            if Some(t) == ty.js_regexp {
                let name = self
                    .ptr(o.addr, self.off.regexp_source)
                    .map(|s| self.short_string(s, MAX_NAME))
                    .unwrap_or_default();
                return Some(Naming {
                    node_type: NodeType::RegExp,
                    name: Cow::Owned(name),
                });
            }
            let mut name = self.constructor_name(o.addr, &o.map);
            let global = Some(t) == ty.js_global_object;
            if (global || Some(t) == ty.js_global_proxy) && self.v8.marks_global_objects {
                name.push_str(if global { " (global*)" } else { " (global)" });
            }
            return Some(Naming {
                node_type: NodeType::Object,
                name: Cow::Owned(name),
            });
        }
        if let Kind::String(s) = self.v8.shapes.kind(t) {
            return match s.rep {
                StringRep::Cons => named(NodeType::ConcatenatedString, "(concatenated string)"),
                StringRep::Sliced => named(NodeType::SlicedString, "(sliced string)"),
                _ => Some(Naming {
                    node_type: NodeType::String,
                    name: Cow::Owned(self.short_string(o.addr, MAX_NAME)),
                }),
            };
        }
        if Some(t) == ty.symbol {
            return if self.is_private_symbol(o.addr) {
                named(NodeType::Hidden, "private symbol")
            } else {
                named(NodeType::Symbol, "symbol")
            };
        }
        if Some(t) == ty.bigint {
            return named(NodeType::BigInt, "bigint");
        }
        if Some(t) == ty.heap_number {
            return named(NodeType::Number, "heap number");
        }
        if Some(t) == ty.oddball && self.v8.layout.objects.oddballs_by_value {
            let name = self
                .ptr(o.addr, self.off.oddball_to_string)
                .map(|s| self.short_string(s, 64))
                .unwrap_or_default();
            return Some(Naming {
                node_type: NodeType::Hidden,
                name: Cow::Owned(name),
            });
        }
        if Some(t) == ty.native_context {
            return named(NodeType::Hidden, "system / NativeContext");
        }
        if ty.is_context(t) {
            return named(NodeType::Object, "system / Context");
        }
        if Some(t) == ty.shared_function_info {
            let name = self
                .sfi_name(o.addr)
                .map(|n| self.short_string(n, MAX_NAME))
                .unwrap_or_default();
            return Some(Naming {
                node_type: NodeType::Code,
                name: Cow::Owned(name),
            });
        }
        if Some(t) == ty.script {
            let name = self
                .ptr(o.addr, self.off.script_name)
                .filter(|&n| self.is_string(n))
                .map(|n| self.short_string(n, MAX_NAME))
                .unwrap_or_default();
            return Some(Naming {
                node_type: NodeType::Code,
                name: Cow::Owned(name),
            });
        }
        if Some(t) == ty.map {
            return if self.walker.in_read_only(o.addr) {
                named(NodeType::Hidden, "system / Map")
            } else {
                named(NodeType::ObjectShape, "system / Map")
            };
        }
        let wrapper = class == "CodeWrapper" || class == "BytecodeWrapper";
        let node_type = if wrapper {
            if self.v8.layout.objects.wrappers_are_code {
                NodeType::Code
            } else {
                NodeType::Hidden
            }
        } else if super::types::CODE_CLASSES.contains(&class) || class.starts_with("Turbofan") {
            NodeType::Code
        } else if matches!(
            self.v8.shapes.kind(t),
            Kind::FixedArray | Kind::FixedDoubleArray | Kind::ByteArray
        ) && (class.is_empty()
            || class == "FixedArray"
            || class == "FixedDoubleArray"
            || class == "ByteArray")
        {
            NodeType::Array
        } else if SHAPE_CLASSES.contains(&class) {
            NodeType::ObjectShape
        } else {
            NodeType::Hidden
        };
        let name = if node_type == NodeType::Array || class.is_empty() {
            Cow::Borrowed("")
        } else {
            Cow::Owned(format!("system / {class}"))
        };
        Some(Naming { node_type, name })
    }

    /// A one-line preview of a tagged value: numbers, strings (cut), oddballs, objects as class
    /// and address.
    pub fn preview(&self, v: Tagged, max: usize) -> String {
        match v {
            Tagged::Smi(i) => i.to_string(),
            Tagged::Weak(a) => format!("[weak] {}", self.preview(Tagged::Object(a), max)),
            Tagged::Object(a) => {
                let Some(o) = self.object(a) else {
                    return format!("<unreadable {a:#x}>");
                };
                let t = o.map.instance_type;
                if Some(t) == self.types.heap_number {
                    if let Some(bits) = self.mem.read_u64_at(a, self.off.heap_number_value) {
                        return format_number(f64::from_bits(bits));
                    }
                }
                if Some(t) == self.types.oddball {
                    if let Some(s) = self.ptr(a, self.off.oddball_to_string) {
                        return self.short_string(s, 32);
                    }
                }
                if let Kind::String(_) = self.v8.shapes.kind(t) {
                    if let Some(s) = self.string(a, max) {
                        let more = if s.truncated { "…" } else { "" };
                        return format!("{:?}{more}", s.text);
                    }
                }
                match self.naming(&o) {
                    Some(n) if n.node_type == NodeType::Closure => {
                        let name = if n.name.is_empty() {
                            "(anonymous)"
                        } else {
                            &n.name
                        };
                        format!("<function {name} {a:#x}>")
                    }
                    Some(n) if !n.name.is_empty() && n.node_type != NodeType::String => {
                        format!("<{} {a:#x}>", n.name)
                    }
                    _ => format!("<{} {a:#x}>", self.v8.types.name(t).unwrap_or("?")),
                }
            }
        }
    }
}

/// A double the way JavaScript prints it (close enough for previews).
pub fn format_number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else if v == v.trunc() && v.abs() < 1e21 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
