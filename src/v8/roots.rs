//! The roots of the heap: what V8's garbage collector starts marking from.
//!
//! - `(Isolate roots)`: the isolate's own fields around its `Heap` — the roots table in
//!   `IsolateData` (read-only and mutable roots: maps, oddballs, the string table, builtins'
//!   constants), thread-local state, the native contexts list.
//! - `(Stack roots)`: every word of every thread's stack (from its stack pointer to the end of the
//!   mapping) that points to the start of a heap object — conservative, as for any C++ frame.
//! - `(Conservative roots)`: V8's global handles (Node's persistent handles), eternal handles, handle
//!   scopes and the compilation cache live in C++ memory whose layout the metadata does not
//!   describe; every other writable mapping outside the heap is scanned for pointers to object
//!   starts instead. That set is a superset of the real one (stale C++ memory can still hold
//!   pointers), which a warning says.

use super::isolate::Isolate;
use super::map::Tagged;
use super::names::NodeType;
use crate::error::Warning;
use crate::memory::Memory;

/// What roots are found from outside the heap, as the process layer knows it.
#[derive(Clone, Debug, Default)]
pub struct RootSources {
    /// Each thread: its id and stack pointer.
    pub stacks: Vec<(u32, u64)>,
    /// Where the executable is mapped ([start, end) process addresses): code objects whose
    /// instructions are there are the embedded builtins.
    pub executable: Vec<(u64, u64)>,
    /// V8's version, for the warning about roots not decoded.
    pub v8_version: Option<String>,
}

/// A node that roots and user roots are chosen among (internalized strings, code objects,
/// global objects and their proxies, cells).
#[derive(Clone, Copy, Debug)]
pub struct Special {
    pub node: u32,
    pub addr: u64,
    pub itype: u16,
    pub node_type: NodeType,
}

/// The name of the conservative root category.
pub const CONSERVATIVE: &str = "(Conservative roots)";

/// The category of V8's object vectors found in C++ memory. Its edges are weak: the vectors
/// (startup and shareable object caches) hold objects other roots also hold, and weak edges keep
/// them from posing as owners or dominators; members nothing else reaches are conservative roots.
pub const OBJECT_CACHES: &str = "(Object caches)";

/// A run of at least this many consecutive object pointers in C++ memory is an object vector.
const MIN_CACHE_RUN: usize = 256;

/// How far around the `Heap` object the isolate's fields are scanned (the roots table sits at
/// most ~0xe000 bytes before it on V8 11–14).
const ISOLATE_BEFORE: u64 = 0x10000;
const ISOLATE_AFTER: u64 = 0x8000;

/// Root categories with their nodes, and warnings. `node_at` finds the node of an object start;
/// `special` lists the internalized strings and code objects (among others).
pub fn find<M: Memory>(
    ctx: &Isolate<'_, M>,
    node_at: &dyn Fn(u64) -> Option<u32>,
    special: &[Special],
) -> (Vec<(String, Vec<u32>)>, Vec<Warning>) {
    let mem = ctx.model.mem;
    let ranges = mem.ranges();
    let heap = ctx.heap.heap_address;
    let mut warnings = Vec::new();
    let scan = |start: u64, len: u64, out: &mut Vec<u32>| {
        let Some(data) = mem.bytes_at(start, len) else {
            return;
        };
        for c in data.chunks_exact(8) {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            if let Tagged::Object(a) = Tagged::from_word(w) {
                if let Some(i) = node_at(a) {
                    out.push(i);
                }
            }
        }
    };
    // Long runs of object pointers in C++ memory are V8's object vectors (the startup and
    // shareable object caches, ...): every member is a root, as V8 lists them.
    let scan_runs = |start: u64, len: u64, caches: &mut Vec<u32>, rest: &mut Vec<u32>| {
        let Some(data) = mem.bytes_at(start, len) else {
            return;
        };
        let mut run: Vec<u32> = Vec::new();
        let flush = |run: &mut Vec<u32>, caches: &mut Vec<u32>, rest: &mut Vec<u32>| {
            if run.len() >= MIN_CACHE_RUN {
                caches.append(run);
            } else {
                rest.append(run);
            }
        };
        for c in data.chunks_exact(8) {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            match Tagged::from_word(w) {
                Tagged::Object(a) => match node_at(a) {
                    Some(i) => run.push(i),
                    None => flush(&mut run, caches, rest),
                },
                _ => flush(&mut run, caches, rest),
            }
        }
        flush(&mut run, caches, rest);
    };
    let mut caches = Vec::new();
    let mut isolate = Vec::new();
    let start = heap.saturating_sub(ISOLATE_BEFORE) & !7;
    scan(start, ISOLATE_BEFORE + ISOLATE_AFTER, &mut isolate);

    // Stacks: each thread's from its stack pointer to the end of the range holding it.
    let mut stack = Vec::new();
    let mut stack_ranges = Vec::new();
    for &(tid, sp) in &ctx.roots.stacks {
        if let Some(r) = ranges.iter().find(|r| r.contains(sp)) {
            let end = r.end();
            scan(sp & !7, end - (sp & !7), &mut stack);
            stack_ranges.push((r.start, end));
        } else {
            warnings.push(Warning::partial(format!(
                "thread {tid}: stack at {sp:#x} is not in the core"
            )));
        }
    }

    // Everything else that is writable and outside the heap.
    let heap_pages: Vec<(u64, u64)> = ctx
        .heap
        .pages
        .iter()
        .chain(&ctx.walker().extra_pages)
        .map(|p| (p.addr, p.addr + p.size))
        .collect();
    let mut conservative = Vec::new();
    let iso = (start, start.saturating_add(ISOLATE_BEFORE + ISOLATE_AFTER));
    for r in ranges.iter().filter(|r| r.writable && r.len > 0) {
        let (a, b) = (r.start, r.end());
        if heap_pages.iter().any(|&(p, q)| p < b && a < q) {
            continue; // a heap segment
        }
        if stack_ranges.iter().any(|&(p, q)| p == a && q == b) {
            continue;
        }
        // Skip the isolate window, scanned above.
        if iso.0 < b && a < iso.1 {
            if a < iso.0 {
                scan_runs(a, iso.0 - a, &mut caches, &mut conservative);
            }
            if iso.1 < b {
                scan_runs(iso.1, b - iso.1, &mut caches, &mut conservative);
            }
        } else {
            scan_runs(a, b - a, &mut caches, &mut conservative);
        }
    }
    // A guessed root set: what is reachable, garbage and retained sizes are guesses too.
    warnings.push(Warning::partial(format!(
        "global handles, handle scopes and other C++-held roots are not decoded on V8 {}: \
         {} objects referenced from C++ memory are used as a conservative root set",
        ctx.roots.v8_version.as_deref().unwrap_or("?"),
        {
            let mut c = conservative.clone();
            c.sort_unstable();
            c.dedup();
            c.len()
        }
    )));
    // The string table and the builtins, as V8 lists them: every internalized string, and every
    // Code object whose instructions are in the executable (the embedded builtins).
    let mut internalized = Vec::new();
    let mut builtins = Vec::new();
    let code_type = ctx.v8.types.type_of("Code");
    let start_off = ctx.v8.metadata.class_offset("Code", "instruction_start");
    let exe = &ctx.roots.executable;
    for &Special {
        node: i,
        addr: a,
        itype: t,
        ..
    } in special
    {
        match ctx.v8.shapes.kind(t) {
            crate::v8::object::Kind::String(s) if s.internalized => internalized.push(i),
            _ if Some(t) == code_type => {
                if let Some(start) = start_off.and_then(|o| mem.read_u64_at(a, o)) {
                    if exe.iter().any(|&(x, y)| (x..y).contains(&start)) {
                        builtins.push(i);
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (name, mut v) in [
        ("(Isolate roots)", isolate),
        ("(Stack roots)", stack),
        ("(Internalized strings)", internalized),
        ("(Builtins)", builtins),
        (OBJECT_CACHES, caches.clone()),
        (CONSERVATIVE, {
            conservative.extend(caches);
            conservative
        }),
    ] {
        v.sort_unstable();
        v.dedup();
        out.push((name.to_string(), v));
    }
    (out, warnings)
}
