//! `corewalk analyze`: what fills the heap, by class, from a walk of every object of every page.

use crate::error::Diagnostics;
use crate::memory::{AddrMap, FastMap, Memory};
use crate::progress::{Progress, Unit};
use crate::report::session::Session;
use crate::v8::heap::Page;
use crate::v8::isolate::Isolate;
use crate::v8::names::MAX_NAME;
use crate::v8::names::{Class, NameKey, NodeType};
use crate::v8::node::{external_payload, is_free};
use crate::v8::object::Kind;
use crate::v8::walk::{stop_warning, MapCache, PageWalk};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;

/// One class of objects.
#[derive(Clone, Debug, Serialize)]
pub struct ClassRow {
    pub name: String,
    /// V8's node type (`object`, `closure`, `string`, `array`, `code`, ...).
    #[serde(rename = "type")]
    pub node_type: String,
    pub count: u64,
    pub self_size: u64,
    /// Bytes the class's reachable instances retain (`--retained`): the retained sizes of the
    /// instances no other instance of the class dominates, as DevTools sums them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retained_size: Option<u64>,
}

/// An object retaining much of the heap.
#[derive(Clone, Debug, Serialize)]
pub struct Retainer {
    pub address: String,
    pub class: String,
    #[serde(rename = "type")]
    pub node_type: String,
    pub self_size: u64,
    pub retained_size: u64,
}

/// Per-space totals of what the walk found.
#[derive(Clone, Debug, Serialize)]
pub struct SpaceRow {
    pub name: String,
    pub objects: u64,
    pub bytes: u64,
}

/// A part of a page that could not be decoded.
#[derive(Clone, Debug, Serialize)]
pub struct Undecodable {
    pub page: u64,
    pub at: u64,
    pub reason: String,
    /// Bytes of the page after `at` that were not walked.
    pub skipped_bytes: u64,
    /// The word found where the object's map should be (a map elsewhere that is itself damaged
    /// makes objects on healthy pages undecodable too).
    pub word: String,
}

/// The report.
#[derive(Clone, Debug, Serialize)]
pub struct AnalyzeReport {
    pub node_version: Option<String>,
    pub v8_version: Option<String>,
    /// Objects named like V8's snapshot nodes (free space and fillers excluded).
    pub objects: u64,
    pub bytes: u64,
    pub classes: Vec<ClassRow>,
    pub spaces: Vec<SpaceRow>,
    /// Bytes of string objects (all representations).
    pub string_bytes: u64,
    /// Bytes of ArrayBuffer backing stores (native memory the heap points to), each store once;
    /// also in `classes` as V8's native `system / JSArrayBufferData` nodes.
    pub array_buffer_backing_bytes: u64,
    pub array_buffers: u64,
    /// Free space and fillers on the walked pages.
    pub free_bytes: u64,
    /// Places where the walk of a page stopped on something it could not decode.
    pub undecodable: Vec<Undecodable>,
    /// The objects with the largest retained sizes (`--retained`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub top_retainers: Vec<Retainer>,
    /// Leak suspects (`--retained`): containers holding most instances of some classes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub leak_suspects: Vec<crate::report::leaks::Suspect>,
    /// Warnings (serialized as their texts) and whether the result is partial.
    #[serde(rename = "warnings")]
    pub diagnostics: Diagnostics,
}

/// How to order classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SortBy {
    Size,
    Count,
}

/// What decides an object's class, for aggregation before naming.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Key {
    /// A JS object named by its map alone.
    Map(u64),
    /// A closure, named by its function's shared info.
    Sfi(u64),
    /// Anything else: instance type and a variant (code-typed array, private symbol,
    /// read-only map).
    Type(u16, u8),
}

#[derive(Default)]
struct Acc {
    /// Objects named one by one.
    named: HashMap<Class, (u64, u64)>,
    /// Objects by key: count, bytes, first object.
    keyed: FastMap<Key, (u64, u64, u64)>,
    spaces: HashMap<String, (u64, u64)>,
    /// Arrays that code objects refer to (V8 types them `code`).
    code_refs: Vec<u64>,
    /// Where each page's walk stopped early: (page, stop address).
    stops: Vec<(u64, u64)>,
    /// The walks that stopped early.
    stopped: Vec<PageWalk>,
    objects: u64,
    bytes: u64,
    string_bytes: u64,
    backing: Vec<(u64, u64)>,
    buffers: u64,
    free: u64,
}

impl Acc {
    fn merge(mut self, o: Acc) -> Acc {
        for (k, (c, b)) in o.named {
            let e = self.named.entry(k).or_default();
            e.0 += c;
            e.1 += b;
        }
        for (k, (c, b, f)) in o.keyed {
            let e = self.keyed.entry(k).or_insert((0, 0, f));
            e.0 += c;
            e.1 += b;
            e.2 = e.2.min(f);
        }
        for (k, (c, b)) in o.spaces {
            let e = self.spaces.entry(k).or_default();
            e.0 += c;
            e.1 += b;
        }
        self.objects += o.objects;
        self.bytes += o.bytes;
        self.string_bytes += o.string_bytes;
        self.backing.extend(o.backing);
        self.code_refs.extend(o.code_refs);
        self.stops.extend(o.stops);
        self.stopped.extend(o.stopped);
        self.buffers += o.buffers;
        self.free += o.free;
        self
    }
}

/// Analyze the heap of an opened core; with `retained`, also build the object graph for
/// retained sizes and leak suspects.
pub fn analyze(
    s: &Session<'_>,
    sort: SortBy,
    retained: bool,
    progress: &dyn Progress,
) -> AnalyzeReport {
    let mut r = classify(&s.isolate, sort, progress);
    r.node_version = s.versions.node.clone();
    r.v8_version = s.versions.v8.clone();
    r.diagnostics.prepend(&s.warnings);
    if retained {
        add_retained(s, &mut r, 20, progress);
    }
    r
}

/// Objects counted per map before they are added to their key: a direct-mapped table by map
/// address, so that the common case costs no hashing.
struct Tally {
    slots: Vec<TallySlot>,
}

#[derive(Clone, Copy)]
struct TallySlot {
    /// The map counted here (0: none).
    map: u64,
    /// The key of every object with this map, or `None` when it depends on the object.
    key: Option<Key>,
    count: u64,
    bytes: u64,
    first: u64,
}

impl Tally {
    const SLOTS: usize = 1024;

    fn new() -> Tally {
        let empty = TallySlot {
            map: 0,
            key: None,
            count: 0,
            bytes: 0,
            first: u64::MAX,
        };
        Tally {
            slots: vec![empty; Self::SLOTS],
        }
    }

    /// The slot of `map`: its own, or one whose previous map's counts were just moved into
    /// `keyed` (the caller then fills it in).
    fn slot(&mut self, map: u64, keyed: &mut FastMap<Key, (u64, u64, u64)>) -> &mut TallySlot {
        let s = &mut self.slots[((map >> 3) as usize) & (Self::SLOTS - 1)];
        if s.map != map {
            Self::flush(s, keyed);
        }
        s
    }

    fn flush(s: &mut TallySlot, keyed: &mut FastMap<Key, (u64, u64, u64)>) {
        if let (Some(k), true) = (s.key, s.count > 0) {
            let e = keyed.entry(k).or_insert((0, 0, s.first));
            e.0 += s.count;
            e.1 += s.bytes;
            e.2 = e.2.min(s.first);
        }
        s.count = 0;
        s.bytes = 0;
        s.first = u64::MAX;
    }

    fn flush_all(mut self, keyed: &mut FastMap<Key, (u64, u64, u64)>) {
        for s in &mut self.slots {
            Self::flush(s, keyed);
        }
    }
}

/// Arrays that code objects refer to were counted under their array type: move each one, once,
/// to the `code` variant of its type. Only objects the walk met count (their page's walk did not
/// stop before them).
fn move_code_arrays<M: Memory>(ctx: &Isolate<'_, M>, acc: &mut Acc) {
    let model = &ctx.model;
    let mut refs = std::mem::take(&mut acc.code_refs);
    refs.sort_unstable();
    refs.dedup();
    let stops: AddrMap<u64> = acc.stops.iter().copied().collect();
    let model = &model.reader();
    for a in refs {
        let i = ctx.pages.partition_point(|p| p.area_end <= a);
        let Some(page) = ctx.pages.get(i).filter(|p| p.area_start <= a) else {
            continue;
        };
        if stops.get(&page.addr).is_some_and(|&stop| a >= stop) {
            continue;
        }
        let Some(o) = model.object(a) else {
            continue;
        };
        let t = o.map.instance_type;
        if !model.is_array_kind(t) {
            continue;
        }
        let Some(plain) = acc.keyed.get_mut(&Key::Type(t, 0)) else {
            continue;
        };
        if plain.0 == 0 {
            continue;
        }
        plain.0 -= 1;
        plain.1 = plain.1.saturating_sub(o.size);
        let e = acc.keyed.entry(Key::Type(t, 1)).or_insert((0, 0, a));
        e.0 += 1;
        e.1 += o.size;
        e.2 = e.2.min(a);
    }
    acc.keyed.retain(|_, e| e.0 > 0);
}

/// Walk every page of a heap and summarize it (the report's versions are left empty, its
/// warnings are only the heap's own).
pub fn classify<M: Memory>(
    ctx: &Isolate<'_, M>,
    sort: SortBy,
    progress: &dyn Progress,
) -> AnalyzeReport {
    let page_bytes: u64 = ctx.pages.iter().map(|p| p.area_end - p.area_start).sum();
    let model = &ctx.model;
    let space_of = |p: &Page| -> String {
        if p.heap == 0 {
            return "read_only_space".into();
        }
        ctx.heap
            .space_of(p)
            .map_or_else(|| "unknown".into(), |s| s.name.clone())
    };
    // One pass over every page. Arrays that code objects refer to (V8 types them `code`) are
    // counted as arrays here and moved to `code` afterwards.
    progress.start("classifying objects", page_bytes, Unit::Bytes);
    let acc = ctx
        .pages
        .par_iter()
        .fold(
            || {
                (
                    (
                        MapCache::default(),
                        model.reader(),
                        AddrMap::<bool>::default(),
                        Tally::new(),
                    ),
                    Acc::default(),
                )
            },
            |((mut walk_cache, reader, mut per_object, mut tally), mut acc), page| {
                let space = space_of(page);
                let mut space_objects = 0;
                let mut space_bytes = 0;
                let ty = &model.types;
                let walk: PageWalk = model.walker.walk_page(page, &mut walk_cache, &mut |o| {
                    let t = o.map.instance_type;
                    let kind = ctx.v8.shapes.kind(t);
                    if is_free(ctx, t) {
                        acc.free += o.size;
                        return;
                    }
                    acc.objects += 1;
                    acc.bytes += o.size;
                    space_objects += 1;
                    space_bytes += o.size;
                    // Classes count what V8's snapshot counts: an external string's characters
                    // too (V8 ≥ 13); spaces and totals count heap bytes.
                    let mut class_size = o.size;
                    if let Kind::String(_) = kind {
                        acc.string_bytes += o.size;
                        class_size += external_payload(ctx, o);
                    }
                    model.code_tagged_candidates(o, &mut acc.code_refs);
                    if Some(t) == ty.js_array_buffer {
                        acc.buffers += 1;
                        let m = model.mem;
                        let store = m.read_u64_at(o.addr, model.off.array_buffer_backing_store);
                        let len = m.read_u64_at(o.addr, model.off.array_buffer_byte_length);
                        if let (Some(store), Some(len)) = (store, len) {
                            if store != 0 {
                                acc.backing.push((store, len));
                            }
                        }
                    }
                    // Aggregate by what decides the class, name it once per key afterwards.
                    // Most objects are classed by their map alone: counted per map first.
                    let slot = tally.slot(o.map.addr, &mut acc.keyed);
                    if slot.map != o.map.addr {
                        slot.map = o.map.addr;
                        // Closures, symbols (private or not) and maps (read-only or not) are
                        // classed one by one.
                        slot.key = if ty.is_function(t) || Some(t) == ty.symbol || Some(t) == ty.map
                        {
                            None
                        } else {
                            match model.name_key(o, &mut per_object) {
                                NameKey::Map(m) => Some(Key::Map(m)),
                                NameKey::Object => None,
                                NameKey::Function(_) | NameKey::Other => Some(Key::Type(t, 0)),
                            }
                        };
                    }
                    if slot.key.is_some() {
                        slot.count += 1;
                        slot.bytes += class_size;
                        slot.first = slot.first.min(o.addr);
                        return;
                    }
                    // The rest depend on the object: closures (their function), JS objects
                    // named one by one, symbols (private or not), maps (read-only or not).
                    let key = if Some(t) == ty.symbol {
                        Key::Type(t, u8::from(model.is_private_symbol(o.addr)))
                    } else if Some(t) == ty.map {
                        Key::Type(t, u8::from(model.walker.in_read_only(o.addr)))
                    } else if let NameKey::Function(sfi) = model.name_key(o, &mut per_object) {
                        Key::Sfi(sfi)
                    } else if ty.is_function(t) {
                        Key::Type(t, 0)
                    } else {
                        let name = reader.constructor_name(o.addr, &o.map);
                        let e = acc
                            .named
                            .entry(Class::of(NodeType::Object, &name))
                            .or_default();
                        e.0 += 1;
                        e.1 += class_size;
                        return;
                    };
                    let e = acc.keyed.entry(key).or_insert((0, 0, o.addr));
                    e.0 += 1;
                    e.1 += class_size;
                });
                let e = acc.spaces.entry(space).or_default();
                e.0 += space_objects;
                e.1 += space_bytes;
                progress.advance(page.area_end - page.area_start);
                if let Some((at, _)) = walk.stopped {
                    acc.stops.push((page.addr, at));
                    acc.stopped.push(walk);
                }
                ((walk_cache, reader, per_object, tally), acc)
            },
        )
        .map(|((_, _, _, tally), mut acc)| {
            tally.flush_all(&mut acc.keyed);
            acc
        })
        .reduce(Acc::default, Acc::merge);
    progress.finish();
    let mut acc = acc;
    move_code_arrays(ctx, &mut acc);
    // Name each key once, from its first object.
    let model = &model.reader();
    let mut class_map = acc.named;
    for (key, (count, bytes, first)) in acc.keyed {
        let class = match key {
            Key::Sfi(sfi) => {
                let name = model
                    .sfi_name(sfi)
                    .map(|n| model.short_string(n, MAX_NAME))
                    .unwrap_or_default();
                Class::of(NodeType::Closure, &name)
            }
            Key::Map(_) | Key::Type(..) => {
                let Some(o) = model.object(first) else {
                    continue;
                };
                let Some(mut n) = model.naming(&o) else {
                    continue;
                };
                if matches!(key, Key::Type(_, 1)) && n.node_type == NodeType::Array {
                    n.node_type = NodeType::Code;
                }
                Class::of(n.node_type, &n.name)
            }
        };
        let e = class_map.entry(class).or_default();
        e.0 += count;
        e.1 += bytes;
    }

    // Backing stores, once each (buffers can share one), as V8's native nodes.
    let mut stores = acc.backing;
    stores.sort_unstable();
    stores.dedup_by_key(|s| s.0);
    let backing_bytes: u64 = stores.iter().map(|s| s.1).sum();
    if !stores.is_empty() {
        class_map.insert(
            Class::of(NodeType::Native, "system / JSArrayBufferData"),
            (stores.len() as u64, backing_bytes),
        );
    }
    let mut classes: Vec<ClassRow> = class_map
        .into_iter()
        .map(|(k, (count, self_size))| ClassRow {
            name: k.name,
            node_type: k.node_type.as_str().to_string(),
            count,
            self_size,
            retained_size: None,
        })
        .collect();
    // Largest first by the chosen measure, then the other; ties by name and type, so that the
    // order is the same on every run.
    let measures = |r: &ClassRow| match sort {
        SortBy::Size => (r.self_size, r.count),
        SortBy::Count => (r.count, r.self_size),
    };
    classes.sort_by(|a, b| {
        measures(b)
            .cmp(&measures(a))
            .then_with(|| (&a.name, &a.node_type).cmp(&(&b.name, &b.node_type)))
    });
    let mut spaces: Vec<SpaceRow> = acc
        .spaces
        .into_iter()
        .map(|(name, (objects, bytes))| SpaceRow {
            name,
            objects,
            bytes,
        })
        .collect();
    spaces.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.name.cmp(&b.name)));
    let mut undecodable: Vec<Undecodable> = acc
        .stopped
        .iter()
        .filter_map(|w| {
            let (at, _) = w.stopped?;
            Some(Undecodable {
                page: w.page,
                at,
                reason: w.describe_stop(&ctx.v8.types)?,
                skipped_bytes: w.skipped_bytes,
                word: format!("{:#x}", model.mem.read_u64(at).unwrap_or(0)),
            })
        })
        .collect();
    undecodable.sort_by_key(|u| u.at);
    let mut diagnostics = Diagnostics::default();
    if let Some(w) = stop_warning(&acc.stopped, &ctx.v8.types) {
        diagnostics.push(w);
    }
    AnalyzeReport {
        node_version: None,
        v8_version: None,
        objects: acc.objects,
        bytes: acc.bytes,
        classes,
        spaces,
        string_bytes: acc.string_bytes,
        array_buffer_backing_bytes: backing_bytes,
        array_buffers: acc.buffers,
        free_bytes: acc.free,
        undecodable,
        top_retainers: Vec::new(),
        leak_suspects: Vec::new(),
        diagnostics,
    }
}

/// Add retained sizes (dominator tree of the object graph, as a snapshot would have it) to a
/// report: per class, and the `top` largest retainers.
pub fn add_retained(s: &Session<'_>, r: &mut AnalyzeReport, top: usize, progress: &dyn Progress) {
    use crate::graph::dominators::Dominators;
    use crate::graph::Graph;
    let g = Graph::build(&s.isolate, progress);
    progress.start("computing dominators", 1, Unit::Items);
    let d = Dominators::compute(&g, &g.globals);
    progress.finish();
    let class_of = |i: u32| Class::of(g.types[i as usize], g.strings.get(g.names[i as usize]));
    // DevTools' rule: walk the dominator tree; an instance counts unless an instance of the same
    // class dominates it.
    let (start, kids) = d.children();
    let mut retained: HashMap<Class, u64> = HashMap::new();
    let mut on_path: HashMap<Class, u32> = HashMap::new();
    let mut stack: Vec<(u32, bool)> = vec![(0, false)];
    while let Some((v, leaving)) = stack.pop() {
        let class = d.heap_node(v).map(class_of);
        if leaving {
            if let Some(c) = class {
                if let Some(k) = on_path.get_mut(&c) {
                    *k -= 1;
                }
            }
            continue;
        }
        if let Some(c) = class {
            let depth = on_path.entry(c.clone()).or_default();
            if *depth == 0 {
                *retained.entry(c.clone()).or_default() += d.retained[v as usize];
            }
            *depth += 1;
            stack.push((v, true));
        }
        for &k in &kids[start[v as usize] as usize..start[v as usize + 1] as usize] {
            stack.push((k, false));
        }
    }
    for row in &mut r.classes {
        let Some(t) = crate::v8::names::NodeType::parse(&row.node_type) else {
            continue;
        };
        let key = Class {
            node_type: t,
            name: row.name.clone(),
        };
        row.retained_size = Some(retained.get(&key).copied().unwrap_or(0));
    }
    let mut order: Vec<u32> = (0..g.addrs.len() as u32)
        .filter(|&i| g.reachable[i as usize])
        .collect();
    let ret = |i: u32| d.retained[d.virtual_of(i) as usize];
    order.sort_unstable_by_key(|&i| std::cmp::Reverse(ret(i)));
    r.top_retainers = order
        .into_iter()
        .take(top)
        .map(|i| {
            let c = class_of(i);
            Retainer {
                address: format!("{:#x}", g.addrs[i as usize]),
                class: c.name,
                node_type: g.types[i as usize].as_str().to_string(),
                self_size: g.sizes[i as usize],
                retained_size: ret(i),
            }
        })
        .collect();
    let describer = crate::report::leaks::Describer::new(&g);
    let paths = crate::report::leaks::Paths::compute(&g);
    r.leak_suspects = crate::report::leaks::suspects(&g, &d, &describer, &paths);
    r.leak_suspects.truncate(top);
    r.diagnostics.extend(g.warnings.iter().cloned());
}
