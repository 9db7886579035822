//! Classes the way Chrome DevTools' Summary view counts them, from a [`Graph`] of a core or of a
//! `.heapsnapshot` file: its class names (`(system)`, `(compiled code)`, `Function`, constructor
//! names, `(string)`...), plain objects named by their shape (`{url, date}`) where enough objects
//! share it, its shallow sizes (hidden and array nodes owned by one object count in that object),
//! nodes of size 0 left out.

use crate::graph::{dominators, EdgeType, Graph};
use crate::v8::names::NodeType;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One class: instances and their total (shallow) size.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct ClassRow {
    pub name: String,
    pub count: u64,
    pub self_size: u64,
}

/// DevTools' limits for naming plain objects by shape.
const MAX_SHAPE_NAME: usize = 120;
const MIN_SHAPE_COUNT: u64 = 2;
const MIN_SHAPE_SHARE: u64 = 1000;

/// Every node's class name (DevTools' `className()`), indexed by node.
pub fn class_names(g: &Graph) -> Vec<String> {
    let shapes = shape_names(g);
    (0..g.addrs.len())
        .map(|i| {
            if let Some(s) = shapes.get(&(i as u32)) {
                return s.clone();
            }
            let name = g.strings.get(g.names[i]);
            match g.types[i] {
                NodeType::Hidden => "(system)".into(),
                NodeType::Object | NodeType::Native => tag_name(name),
                NodeType::Code => "(compiled code)".into(),
                NodeType::Closure => "Function".into(),
                NodeType::RegExp => "RegExp".into(),
                t => format!("({})", t.as_str()),
            }
        })
        .collect()
}

/// DOM-like names `<div id=...>` shorten to `<div>`, as DevTools does.
fn tag_name(name: &str) -> String {
    for prefix in ["<", "Detached <"] {
        if let Some(rest) = name.strip_prefix(prefix) {
            if let Some(sp) = rest.find(' ') {
                return format!("{prefix}{}>", &rest[..sp]);
            }
        }
    }
    name.to_string()
}

/// A property name as DevTools writes it inside a shape name (quoted when it has `,'"{}`).
fn shape_key(name: &str) -> String {
    if name.contains([',', '\'', '"', '{', '}']) {
        serde_json::to_string(name).unwrap_or_else(|_| name.to_string())
    } else {
        name.to_string()
    }
}

/// DevTools' interface inference: plain objects (`object` nodes named `Object`) get the name of
/// the most specific shape (`{a, b}`, from property edges in order) that enough plain objects
/// have exactly, among those whose properties they all have.
fn shape_names(g: &Graph) -> HashMap<u32, String> {
    let plain: Vec<u32> = (0..g.addrs.len() as u32)
        .filter(|&i| {
            g.reachable[i as usize]
                && g.types[i as usize] == NodeType::Object
                && g.strings.get(g.names[i as usize]) == "Object"
        })
        .collect();
    let props = |i: u32, all: bool| -> Vec<&str> {
        g.edges_of(i)
            .iter()
            .filter(|e| e.kind == EdgeType::Property)
            .map(|e| g.strings.get(e.name))
            .filter(|n| all || *n != "__proto__")
            .collect()
    };
    // Candidates: the shape of each plain object, its name cut at DevTools' length limit.
    let mut candidates: HashMap<String, (Vec<String>, u64, usize)> = HashMap::new();
    for &i in &plain {
        let mut name = String::from("{");
        let mut properties = Vec::new();
        for p in props(i, false) {
            let key = shape_key(p);
            if name.len() > 1 && name.len() + key.len() > MAX_SHAPE_NAME {
                break;
            }
            if name.len() != 1 {
                name.push_str(", ");
            }
            name.push_str(&key);
            properties.push(p.to_string());
        }
        if properties.is_empty() {
            continue;
        }
        name.push('}');
        let order = candidates.len();
        let c = candidates.entry(name).or_insert((properties, 0, order));
        c.1 += 1;
    }
    let min = MIN_SHAPE_COUNT.max(plain.len() as u64 / MIN_SHAPE_SHARE);
    let mut defs: Vec<(String, Vec<String>, u64, usize)> = candidates
        .into_iter()
        .map(|(n, (p, c, o))| (n, p, c, o))
        .filter(|d| d.2 >= min)
        .collect();
    // Most common first (ties in first-seen order, as a stable sort over insertion would).
    defs.sort_by(|a, b| b.2.cmp(&a.2).then(a.3.cmp(&b.3)));
    let mut sorted_defs: Vec<(usize, Vec<&str>, &str)> = defs
        .iter()
        .enumerate()
        .map(|(k, d)| {
            let mut p: Vec<&str> = d.1.iter().map(String::as_str).collect();
            p.sort_unstable();
            (k, p, d.0.as_str())
        })
        .collect();
    sorted_defs.sort_by_key(|d| d.0);
    let mut out = HashMap::new();
    for &i in &plain {
        let mut have = props(i, true);
        have.sort_unstable();
        // The definition with the most properties, all present; ties to the more common one.
        let best = sorted_defs
            .iter()
            .filter(|(_, p, _)| is_subset(p, &have))
            .max_by(|a, b| a.1.len().cmp(&b.1.len()).then(b.0.cmp(&a.0)));
        if let Some((_, _, name)) = best {
            out.insert(i, (*name).to_string());
        }
    }
    out
}

/// Whether sorted `small` is contained in sorted `big`.
fn is_subset(small: &[&str], big: &[&str]) -> bool {
    let mut it = big.iter();
    small.iter().all(|s| it.any(|b| b == s))
}

/// The classes of a graph's reachable nodes, with DevTools' shallow sizes; nodes of size 0 are
/// left out, as DevTools leaves them out of its Summary.
pub fn classes(g: &Graph) -> Vec<ClassRow> {
    let sizes = dominators::shallow_sizes(g);
    let names = class_names(g);
    let mut by: BTreeMap<&str, ClassRow> = BTreeMap::new();
    for (i, name) in names.iter().enumerate() {
        if !g.reachable[i] || sizes[i] == 0 {
            continue;
        }
        let row = by.entry(name.as_str()).or_insert_with(|| ClassRow {
            name: name.clone(),
            ..Default::default()
        });
        row.count += 1;
        row.self_size += sizes[i];
    }
    // ArrayBuffer backing stores: native nodes of a written snapshot, not nodes of the graph.
    let mut stores = ClassRow {
        name: "system / JSArrayBufferData".into(),
        ..Default::default()
    };
    for &(i, size) in &g.backing_stores {
        if g.reachable[i as usize] && size > 0 {
            stores.count += 1;
            stores.self_size += size;
        }
    }
    let mut rows: Vec<ClassRow> = by.into_values().collect();
    if stores.count > 0 {
        match rows.iter_mut().find(|r| r.name == stores.name) {
            Some(r) => {
                r.count += stores.count;
                r.self_size += stores.self_size;
            }
            None => rows.push(stores),
        }
    }
    rows
}
