//! `corewalk analyze` against V8's own heap snapshot of the same process, taken just before the core
//! (scripts/make-core.sh), on Node 20, 22, 24 and 26: class by class (node type + summary name).

mod common;

use common::*;
use corewalk::v8::names::{Class, NodeType};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// Per-class node counts of a V8 heap snapshot, grouped the way `analyze` groups them. Synthetic
/// nodes and the embedder's (Node's) nodes are not heap objects: V8 gives heap objects odd ids.
fn snapshot_classes(path: &Path) -> HashMap<Class, (u64, u64)> {
    let s: Value = serde_json::from_slice(&std::fs::read(path).expect("read V8's snapshot"))
        .expect("V8's snapshot is JSON");
    let meta = &s["snapshot"]["meta"];
    let fields: Vec<&str> = meta["node_fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    let types: Vec<&str> = meta["node_types"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    let at = |f: &str| fields.iter().position(|x| *x == f).unwrap();
    let (ti, ni, ii, si) = (at("type"), at("name"), at("id"), at("self_size"));
    let strings: Vec<&str> = s["strings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap_or(""))
        .collect();
    let nodes: Vec<u64> = s["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let mut out: HashMap<Class, (u64, u64)> = HashMap::new();
    for n in nodes.chunks_exact(fields.len()) {
        let t = NodeType::parse(types[n[ti] as usize]).expect("known node type");
        if t == NodeType::Synthetic || n[ii] % 2 == 0 {
            continue;
        }
        let e = out
            .entry(Class::of(t, strings[n[ni] as usize]))
            .or_default();
        e.0 += 1;
        e.1 += n[si];
    }
    out
}

/// Our classes from `analyze --json`.
fn our_classes(core: &Path) -> (HashMap<Class, (u64, u64)>, Value) {
    let r = corewalk_json(&["analyze", p(core), "--json"]);
    let mut out = HashMap::new();
    for c in r["classes"].as_array().unwrap() {
        let t = NodeType::parse(c["type"].as_str().unwrap()).expect("known type");
        let k = Class {
            node_type: t,
            name: c["name"].as_str().unwrap().to_string(),
        };
        out.insert(
            k,
            (
                c["count"].as_u64().unwrap(),
                c["self_size"].as_u64().unwrap(),
            ),
        );
    }
    (out, r)
}

struct Fidelity {
    recall: f64,
    precision: f64,
    js_recall: f64,
    ours: u64,
    theirs: u64,
}

fn fidelity(ours: &HashMap<Class, (u64, u64)>, v8: &HashMap<Class, (u64, u64)>) -> Fidelity {
    let count = |m: &HashMap<Class, (u64, u64)>, k: &Class| m.get(k).map_or(0, |v| v.0);
    let theirs: u64 = v8.values().map(|v| v.0).sum();
    let ours_total: u64 = ours.values().map(|v| v.0).sum();
    let common: u64 = v8.keys().map(|k| count(ours, k).min(count(v8, k))).sum();
    let js: Vec<&Class> = v8.keys().filter(|k| k.is_js()).collect();
    let js_theirs: u64 = js.iter().map(|k| count(v8, k)).sum();
    let js_common: u64 = js.iter().map(|k| count(ours, k).min(count(v8, k))).sum();
    Fidelity {
        recall: common as f64 / theirs as f64,
        precision: common as f64 / ours_total as f64,
        js_recall: js_common as f64 / js_theirs as f64,
        ours: ours_total,
        theirs,
    }
}

/// The workload's own classes: (class, key in live.json's `extra.counts`, node type).
type Expected = &'static [(&'static str, &'static str, NodeType)];

const ZOO: Expected = &[
    ("Session", "sessions", NodeType::Object),
    ("Point", "points", NodeType::Object),
    ("Node3", "list", NodeType::Object),
    ("CustomError", "errors", NodeType::Object),
    ("counter", "closures", NodeType::Closure),
];

/// kitchen.mjs: class instances with private fields, generator objects (named after their
/// function), objects named by `Symbol.toStringTag`.
const KITCHEN: Expected = &[
    ("Account", "accounts", NodeType::Object),
    ("counter", "generators", NodeType::Object),
    ("Tagged", "tagged", NodeType::Object),
];

fn check(major: u32) {
    check_workload("zoo.js", major, ZOO);
    check_workload("kitchen.mjs", major, KITCHEN);
}

fn check_workload(workload: &str, major: u32, expected: Expected) {
    let made = core_of(workload, major, "kernel");
    let v8 = snapshot_classes(&made.dir.join("v8.heapsnapshot"));
    let (ours, report) = our_classes(&made.core);
    let f = fidelity(&ours, &v8);
    println!(
        "{workload} on Node {major}: recall {:.4} precision {:.4} JS recall {:.4} (V8 {} nodes, ours {} objects)",
        f.recall, f.precision, f.js_recall, f.theirs, f.ours
    );
    let mut worst: Vec<(&Class, i64)> = v8
        .keys()
        .chain(ours.keys())
        .map(|k| {
            let o = ours.get(k).map_or(0, |v| v.0) as i64;
            let t = v8.get(k).map_or(0, |v| v.0) as i64;
            (k, o - t)
        })
        .filter(|(_, d)| *d != 0)
        .collect();
    worst.sort_by_key(|(k, d)| (-d.abs(), (*k).clone()));
    worst.dedup();
    for (k, d) in worst.iter().take(8) {
        println!("  {:+6}  {} {:?}", d, k.node_type.as_str(), k.name);
    }
    assert!(
        f.recall >= 0.99,
        "Node {major}: recall {:.4} < 0.99",
        f.recall
    );
    assert!(
        f.js_recall >= 0.995,
        "Node {major}: JS recall {:.4} < 0.995",
        f.js_recall
    );
    assert!(
        f.precision >= 0.97,
        "Node {major}: precision {:.4} < 0.97",
        f.precision
    );

    // The workload's own classes: exactly what it made, exactly what V8 counted, same bytes.
    let counts = &made.live["extra"]["counts"];
    for &(class, key, t) in expected {
        let k = Class {
            node_type: t,
            name: class.into(),
        };
        let want = counts[key].as_u64().expect("count in live.json");
        let got = ours.get(&k).copied().unwrap_or_default();
        assert_eq!(got.0, want, "Node {major}: {class} instances");
        assert_eq!(
            v8.get(&k).map(|v| v.0),
            Some(want),
            "Node {major}: V8's {class}"
        );
        assert_eq!(
            Some(got.1),
            v8.get(&k).map(|v| v.1),
            "Node {major}: {class} bytes"
        );
    }
    assert!(
        report["undecodable"].as_array().unwrap().is_empty(),
        "Node {major}: undecodable objects in a healthy core: {}",
        report["undecodable"]
    );
    if workload != "zoo.js" {
        return;
    }
    // Backing stores: as many and as large as V8's native nodes.
    let k = Class::of(NodeType::Native, "system / JSArrayBufferData");
    let (n, b) = ours.get(&k).copied().unwrap_or_default();
    let (vn, vb) = v8.get(&k).copied().unwrap_or_default();
    assert!(
        n >= vn && n <= vn + 2,
        "Node {major}: {n} backing stores, V8 {vn}"
    );
    assert!(b >= vb, "Node {major}: backing bytes {b} < V8's {vb}");
}

#[test]
fn analyze_matches_v8_on_node20() {
    check(20);
}

#[test]
fn analyze_matches_v8_on_node22() {
    check(22);
}

#[test]
fn analyze_matches_v8_on_node24() {
    check(24);
}

#[test]
fn analyze_matches_v8_on_node26() {
    check(26);
}

#[test]
fn analyze_sorts_by_count_and_prints_a_table() {
    let made = core_of("zoo.js", 22, "kernel");
    let r = corewalk_json(&["analyze", p(&made.core), "--json", "--sort", "count"]);
    let counts: Vec<u64> = r["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "sorted by count");
    let out = corewalk(&["analyze", p(&made.core), "--top", "5"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let rows = text.lines().filter(|l| l.contains('%')).count();
    assert_eq!(rows, 6, "5 classes and the rest: {text}");
}
