//! Leak hunting on the object graph: the retaining paths of a class's instances grouped by shape
//! (`retainers`), the objects referring to one object (`refs`), and the leak suspects `analyze
//! --retained` lists (containers that hold most instances of some classes, by dominance).

use crate::error::{Diagnostics, Error, Result};
use crate::graph::dominators::Dominators;
use crate::graph::{Edge, EdgeType, Graph};
use crate::progress::Progress;
use crate::report::session::Session;
use crate::report::summary::class_names;
use crate::v8::names::NodeType;
use serde::Serialize;
use std::collections::HashMap;

/// Steps shown of a retaining path (the rest is summarized).
const MAX_PATH: usize = 12;

/// Shortest retaining paths from the roots: every reachable node's parent and the edge from it,
/// by breadth-first search over non-weak edges from the global objects and the root categories.
pub struct Paths {
    parent: Vec<u32>,
    edge: Vec<u32>,
}

const NONE: u32 = u32::MAX;
/// A start node's parent: a root category (its index in `g.roots`) or a global object.
const ROOT: u32 = u32::MAX - 1;

impl Paths {
    pub fn compute(g: &Graph) -> Paths {
        let n = g.addrs.len();
        let mut parent = vec![NONE; n];
        let mut edge = vec![NONE; n];
        let mut queue = std::collections::VecDeque::new();
        let starts = g.globals.iter().copied().chain(
            g.roots
                .iter()
                .filter(|(name, _)| name != crate::v8::roots::OBJECT_CACHES)
                .flat_map(|(_, m)| m.iter().copied()),
        );
        for s in starts {
            if parent[s as usize] == NONE {
                parent[s as usize] = ROOT;
                queue.push_back(s);
            }
        }
        while let Some(i) = queue.pop_front() {
            let first = g.edge_start[i as usize] as usize;
            for (k, e) in g.edges_of(i).iter().enumerate() {
                if matches!(e.kind, EdgeType::Weak | EdgeType::Shortcut) {
                    continue;
                }
                if parent[e.to as usize] == NONE {
                    parent[e.to as usize] = i;
                    edge[e.to as usize] = (first + k) as u32;
                    queue.push_back(e.to);
                }
            }
        }
        Paths { parent, edge }
    }

    /// From `i` up to a root: (holder, edge from the holder), nearest first; `None` when `i` is
    /// not reached.
    pub fn path<'g>(&self, g: &'g Graph, i: u32) -> Option<Vec<(u32, &'g Edge)>> {
        let mut out = Vec::new();
        let mut cur = i;
        loop {
            match self.parent[cur as usize] {
                NONE => return None,
                ROOT => return Some(out),
                p => {
                    out.push((p, &g.edges[self.edge[cur as usize] as usize]));
                    if out.len() > 4096 {
                        return Some(out);
                    }
                    cur = p;
                }
            }
        }
    }
}

/// Describes nodes and edges for people: class names, and for contexts the function whose
/// variables they hold.
pub struct Describer<'g> {
    g: &'g Graph,
    pub names: Vec<String>,
    /// Context node -> a closure whose context it is.
    context_owner: HashMap<u32, u32>,
    /// Node -> its source location.
    locations: HashMap<u32, [u32; 3]>,
}

impl<'g> Describer<'g> {
    pub fn new(g: &'g Graph) -> Describer<'g> {
        let mut context_owner = HashMap::new();
        let context = g.strings.find("context");
        for i in 0..g.addrs.len() as u32 {
            if g.types[i as usize] != NodeType::Closure {
                continue;
            }
            for e in g.edges_of(i) {
                if e.kind == EdgeType::Internal && Some(e.name) == context {
                    context_owner.entry(e.to).or_insert(i);
                }
            }
        }
        Describer {
            g,
            names: class_names(g),
            context_owner,
            locations: g.locations.iter().copied().collect(),
        }
    }

    /// `script:line` of a node with a location.
    fn place(&self, i: u32) -> Option<String> {
        let [script, line, _] = *self.locations.get(&i)?;
        let name = self.g.scripts.get(&script)?;
        Some(format!("{name}:{}", line + 1))
    }

    /// A node: its class (a function's name for closures), and for contexts whose they are.
    pub fn node(&self, i: u32) -> String {
        let g = self.g;
        let raw = g.strings.get(g.names[i as usize]);
        match g.types[i as usize] {
            NodeType::Closure => {
                let name = if raw.is_empty() { "(anonymous)" } else { raw };
                match self.place(i) {
                    Some(p) => format!("function {name} ({p})"),
                    None => format!("function {name}"),
                }
            }
            _ if raw.starts_with("system / Context")
                || raw.starts_with("system / NativeContext") =>
            {
                match self.context_owner.get(&i) {
                    Some(&f) => format!("context of {}", self.node(f)),
                    None => raw.trim_start_matches("system / ").to_string(),
                }
            }
            _ => self.names[i as usize].clone(),
        }
    }

    /// An edge as a path step: `` `name` `` for properties and context variables, `[i]` for
    /// elements (indices generalized, so that paths group), the slot for internal ones.
    pub fn edge(&self, e: &Edge, generalize: bool) -> String {
        let name = || self.g.strings.get(e.name).to_string();
        match e.kind {
            EdgeType::Element if generalize => "[i]".into(),
            EdgeType::Element => format!("[{}]", { e.name }),
            EdgeType::Hidden => format!("<{}>", { e.name }),
            EdgeType::Context => format!("`{}` in", name()),
            EdgeType::Property => format!("`{}` of", name()),
            EdgeType::Internal | EdgeType::Shortcut | EdgeType::Weak => format!("{} of", name()),
        }
    }

    /// A path as text: `← step holder ← step holder ...` (nearest first).
    pub fn path_text(&self, path: &[(u32, &Edge)], generalize: bool) -> Vec<String> {
        path.iter()
            .map(|(h, e)| {
                let edge = self.edge(e, generalize);
                let holder = self.node(*h);
                match e.kind {
                    EdgeType::Element | EdgeType::Hidden => format!("{edge} of {holder}"),
                    _ => format!("{edge} {holder}"),
                }
            })
            .collect()
    }
}

/// Instances of a class that share a retaining path's shape.
#[derive(Debug, Serialize)]
pub struct PathGroup {
    pub count: u64,
    /// The steps from the instance outwards: `` `date` of {url, date} ``, `[i] of Array`...
    pub path: Vec<String>,
    /// Steps beyond those shown.
    pub more_steps: usize,
    /// One instance with this path.
    pub example: String,
}

#[derive(Debug, Serialize)]
pub struct RetainersReport {
    pub class: String,
    pub instances: u64,
    /// Instances nothing retains (dead, not yet collected).
    pub unreachable: u64,
    pub groups: Vec<PathGroup>,
    /// Warnings (serialized as their texts) and whether the result is partial.
    #[serde(rename = "warnings")]
    pub diagnostics: Diagnostics,
}

/// The retaining paths of the instances of `class` (as `diff` and DevTools name classes),
/// grouped by shape, largest group first, at most `limit` groups.
pub fn retainers(
    s: &Session<'_>,
    class: &str,
    limit: usize,
    progress: &dyn Progress,
) -> Result<RetainersReport> {
    let g = s.graph(progress);
    let mut diagnostics = s.diagnostics();
    diagnostics.extend(g.warnings.iter().cloned());
    let paths = Paths::compute(g);
    let d = Describer::new(g);
    let mut groups: HashMap<Vec<String>, (u64, u32, usize)> = HashMap::new();
    let (mut instances, mut unreachable) = (0u64, 0u64);
    for i in 0..g.addrs.len() as u32 {
        if d.names[i as usize] != class || g.sizes[i as usize] == 0 {
            continue;
        }
        instances += 1;
        let Some(path) = paths.path(g, i) else {
            unreachable += 1;
            continue;
        };
        let more = path.len().saturating_sub(MAX_PATH);
        let key = d.path_text(&path[..path.len().min(MAX_PATH)], true);
        let e = groups.entry(key).or_insert((0, i, more));
        e.0 += 1;
    }
    if instances == 0 {
        return Err(Error::BadArgument(format!(
            "no instances of {class:?} (class names as `analyze` and `diff` show them)"
        )));
    }
    let mut groups: Vec<PathGroup> = groups
        .into_iter()
        .map(|(path, (count, example, more))| PathGroup {
            count,
            path,
            more_steps: more,
            example: format!("{:#x}", g.addrs[example as usize]),
        })
        .collect();
    groups.sort_by(|a, b| b.count.cmp(&a.count).then(a.path.cmp(&b.path)));
    groups.truncate(limit);
    Ok(RetainersReport {
        class: class.to_string(),
        instances,
        unreachable,
        groups,
        diagnostics,
    })
}

/// One object referring to another.
#[derive(Debug, Serialize)]
pub struct Referrer {
    pub address: String,
    pub class: String,
    /// How it refers: `` `name` of ``, `[3] of`, `elements of`...
    pub edge: String,
    pub reachable: bool,
}

#[derive(Debug, Serialize)]
pub struct RefsReport {
    pub address: String,
    pub class: String,
    pub referrers: Vec<Referrer>,
    /// Warnings (serialized as their texts) and whether the result is partial.
    #[serde(rename = "warnings")]
    pub diagnostics: Diagnostics,
}

/// Every object that refers to the object at `addr`, with the edge (llnode's `findrefs`, from the
/// graph).
pub fn refs(s: &Session<'_>, addr: u64, progress: &dyn Progress) -> Result<RefsReport> {
    let g = s.graph(progress);
    let Ok(target) = g.addrs.binary_search(&addr) else {
        let i = g.addrs.partition_point(|&a| a <= addr);
        let inside = i
            .checked_sub(1)
            .filter(|&k| addr < g.addrs[k] + g.sizes[k].max(8));
        return Err(Error::NotAnObject(match inside {
            Some(k) => format!(
                "{addr:#x} is inside the object at {:#x}, {} bytes in",
                g.addrs[k],
                addr - g.addrs[k]
            ),
            None => format!("no heap object starts at {addr:#x}"),
        }));
    };
    let target = target as u32;
    let d = Describer::new(g);
    let mut referrers = Vec::new();
    for i in 0..g.addrs.len() as u32 {
        for e in g.edges_of(i).iter().filter(|e| e.to == target) {
            referrers.push(Referrer {
                address: format!("{:#x}", g.addrs[i as usize]),
                class: d.node(i),
                edge: d.edge(e, false),
                reachable: g.reachable[i as usize],
            });
        }
    }
    let mut diagnostics = s.diagnostics();
    diagnostics.extend(g.warnings.iter().cloned());
    Ok(RefsReport {
        address: format!("{addr:#x}"),
        class: d.node(target),
        referrers,
        diagnostics,
    })
}

/// A container that holds most instances of some classes.
#[derive(Clone, Debug, Serialize)]
pub struct Suspect {
    pub address: String,
    pub class: String,
    pub retained_size: u64,
    /// (class, instances it holds, share of all instances of the class).
    pub holds: Vec<(String, u64, f64)>,
    /// Its retaining path from the roots, nearest first.
    pub path: Vec<String>,
}

/// Classes with fewer instances are not considered for suspects.
const MIN_INSTANCES: u64 = 100;
/// The share of a class's instances one container must hold.
const MIN_SHARE: f64 = 0.8;

/// Leak suspects: for each class of JavaScript objects with many instances, the nearest object
/// (not an internal array or hidden object) that dominates at least 80 % of them. Such containers
/// are listed by the number of instances they hold, then by retained size.
pub fn suspects(
    g: &Graph,
    dom: &Dominators,
    describer: &Describer<'_>,
    paths: &Paths,
) -> Vec<Suspect> {
    let names = &describer.names;
    let mut by_class: HashMap<&str, Vec<u32>> = HashMap::new();
    for i in 0..g.addrs.len() as u32 {
        let t = g.types[i as usize];
        if g.reachable[i as usize] && matches!(t, NodeType::Object | NodeType::Closure) {
            by_class
                .entry(names[i as usize].as_str())
                .or_default()
                .push(i);
        }
    }
    let mut held: HashMap<u32, Vec<(String, u64, f64)>> = HashMap::new();
    for (class, members) in by_class {
        let n = members.len() as u64;
        if n < MIN_INSTANCES {
            continue;
        }
        // How many instances each dominator (up to a depth) dominates.
        let mut counts: HashMap<u32, (u64, usize)> = HashMap::new();
        for &i in &members {
            let mut v = dom.idom[dom.virtual_of(i) as usize];
            for depth in 0..32 {
                let Some(h) = dom.heap_node(v).filter(|_| v != NONE) else {
                    break;
                };
                let c = counts.entry(h).or_insert((0, depth));
                c.0 += 1;
                c.1 = c.1.min(depth);
                v = dom.idom[v as usize];
            }
        }
        // The nearest container (smallest depth) holding enough of them.
        let best = counts
            .iter()
            .filter(|(&h, &(c, _))| {
                c as f64 >= MIN_SHARE * n as f64
                    && !matches!(
                        g.types[h as usize],
                        NodeType::Hidden | NodeType::Array | NodeType::Code | NodeType::Synthetic
                    )
                    && !g.globals.contains(&h)
            })
            .min_by_key(|(&h, &(_, depth))| (depth, h));
        if let Some((&h, &(c, _))) = best {
            held.entry(h)
                .or_default()
                .push((class.to_string(), c, c as f64 / n as f64));
        }
    }
    let mut out: Vec<Suspect> = held
        .into_iter()
        .map(|(h, mut holds)| {
            holds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            Suspect {
                address: format!("{:#x}", g.addrs[h as usize]),
                class: describer.node(h),
                retained_size: dom.retained[dom.virtual_of(h) as usize],
                holds,
                path: paths
                    .path(g, h)
                    .map(|p| describer.path_text(&p[..p.len().min(MAX_PATH)], false))
                    .unwrap_or_default(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        let held = |s: &Suspect| s.holds.iter().map(|h| h.1).sum::<u64>();
        held(b)
            .cmp(&held(a))
            .then(b.retained_size.cmp(&a.retained_size))
    });
    out
}
