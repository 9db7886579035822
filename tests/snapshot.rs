//! `corewalk snapshot` judged by Chrome DevTools' own heap-snapshot parser (../shared/tools/
//! devtools-check): every generated file loads with no problem, and its Summary view is compared
//! with that of V8's own snapshot of the same process.

mod common;

use common::*;
use serde_json::Value;
use std::collections::HashMap;

/// Structural checks of a snapshot without DevTools: the meta V8 writes, consistent counts,
/// every edge pointing at a node record, odd ids for heap objects.
fn check_structure(path: &std::path::Path) {
    let s: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).expect("valid JSON");
    let meta = &s["snapshot"]["meta"];
    let nf = meta["node_fields"].as_array().unwrap().len();
    let ef = meta["edge_fields"].as_array().unwrap().len();
    assert_eq!(nf, 7);
    assert_eq!(ef, 3);
    let nodes = s["nodes"].as_array().unwrap();
    let edges = s["edges"].as_array().unwrap();
    assert_eq!(
        nodes.len() / nf,
        s["snapshot"]["node_count"].as_u64().unwrap() as usize
    );
    assert_eq!(
        edges.len() / ef,
        s["snapshot"]["edge_count"].as_u64().unwrap() as usize
    );
    let total: u64 = nodes.chunks(nf).map(|n| n[4].as_u64().unwrap()).sum();
    assert_eq!(total as usize, edges.len() / ef, "edge counts add up");
    let strings = s["strings"].as_array().unwrap().len() as u64;
    for n in nodes.chunks(nf) {
        assert!(n[1].as_u64().unwrap() < strings);
    }
    for e in edges.chunks(ef) {
        let to = e[2].as_u64().unwrap() as usize;
        assert!(to.is_multiple_of(nf) && to < nodes.len(), "edge to {to}");
    }
    for k in ["trace_function_infos", "trace_tree", "samples", "locations"] {
        assert!(s[k].is_array(), "{k}");
    }
}

/// Source locations of a snapshot: (node type, node name, script id, line, column) -> count.
fn locations(path: &std::path::Path) -> HashMap<(String, String, u64, u64, u64), u64> {
    let s: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let meta = &s["snapshot"]["meta"];
    let types = meta["node_types"][0].as_array().unwrap();
    let nodes = s["nodes"].as_array().unwrap();
    let strings = s["strings"].as_array().unwrap();
    let l = s["locations"].as_array().unwrap();
    let mut out = HashMap::new();
    for r in l.chunks(4) {
        let [k, script, line, column] = [0, 1, 2, 3].map(|i| r[i].as_u64().unwrap());
        let k = k as usize;
        let t = types[nodes[k].as_u64().unwrap() as usize].as_str().unwrap();
        let name = strings[nodes[k + 1].as_u64().unwrap() as usize]
            .as_str()
            .unwrap();
        *out.entry((t.to_string(), name.to_string(), script, line, column))
            .or_insert(0) += 1;
    }
    out
}

fn check(workload: &str, major: u32) {
    let made = core_of(workload, major, "kernel");
    let d = temp_dir(&format!("snapshot-{}-{major}", workload.replace('.', "-")));
    let out = d.join("core.heapsnapshot");
    let started = std::time::Instant::now();
    let r = corewalk(&["snapshot", p(&made.core), "-o", p(&out), "--json"]);
    let took = started.elapsed().as_secs_f64();
    assert_guessed_roots(&r, "snapshot");
    let report: Value = serde_json::from_slice(&r.stdout).unwrap();
    assert!(
        out.exists()
            && !d.read_dir().unwrap().any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp"))
    );

    check_structure(&out);
    // With --include-unreachable: the same heap nodes plus the unreachable objects, under one
    // synthetic (unreachable) node whose edges reach each of them.
    let all = d.join("all.heapsnapshot");
    let r = corewalk(&[
        "snapshot",
        p(&made.core),
        "-o",
        p(&all),
        "--include-unreachable",
        "--json",
    ]);
    assert_guessed_roots(&r, "snapshot --include-unreachable");
    check_structure(&all);
    let wide: Value = serde_json::from_slice(&r.stdout).unwrap();
    let unreachable_objects = report["unreachable_objects"].as_u64().unwrap();
    assert!(
        unreachable_objects > 0,
        "the workloads leave garbage behind"
    );
    // Native nodes (array buffers' backing stores) come with the buffers that hold them.
    let natives = |path: &std::path::Path| {
        let s: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let types = s["snapshot"]["meta"]["node_types"][0]
            .as_array()
            .unwrap()
            .clone();
        let native = types.iter().position(|t| t == "native").unwrap() as u64;
        s["nodes"]
            .as_array()
            .unwrap()
            .chunks(7)
            .filter(|n| n[0].as_u64() == Some(native))
            .count() as u64
    };
    assert_eq!(
        wide["nodes"].as_u64().unwrap(),
        report["nodes"].as_u64().unwrap() + unreachable_objects + 1 + natives(&all) - natives(&out)
    );
    let s: Value = serde_json::from_slice(&std::fs::read(&all).unwrap()).unwrap();
    let strings = s["strings"].as_array().unwrap();
    let nodes = s["nodes"].as_array().unwrap();
    let held = nodes
        .chunks(7)
        .find(|n| strings[n[1].as_u64().unwrap() as usize] == "(unreachable)")
        .map(|n| n[4].as_u64().unwrap());
    assert_eq!(held, Some(unreachable_objects));
    // The spill files are gone.
    assert!(!d.read_dir().unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .contains("spill")));
    let Some(tool) = devtools_check() else {
        println!("devtools-check not found: structure checked, DevTools' parser not run");
        return;
    };
    // DevTools loads it, with no problem and every node reachable from the root.
    let c = node_json(&tool, "check.mjs", &[p(&out)]);
    assert_eq!(c["loaded"], true, "{c}");
    assert_eq!(c["problems"].as_array().unwrap().len(), 0, "{c}");
    assert_eq!(c["nodes"], report["nodes"]);
    let unreachable = c["unreachable"].as_u64().unwrap() as f64 / c["nodes"].as_f64().unwrap();
    assert!(unreachable <= 0.005, "unreachable share {unreachable}");

    // Against V8's own snapshot of the same process.
    let truth = made.dir.join("v8.heapsnapshot");
    let m = node_json(&tool, "compare.mjs", &[p(&truth), p(&out)]);
    let f = |k: &str| m[k].as_f64().unwrap();
    let edges = m["candidate"]["edges"].as_f64().unwrap() / m["truth"]["edges"].as_f64().unwrap();
    println!(
        "{workload} on Node {major}: recall {:.4} precision {:.4} (bytes: {:.4} {:.4}), edges {:.3}x V8's, \
         {} unreachable objects left out",
        f("recall"), f("precision"), f("recallBytes"), f("precisionBytes"), edges, report["unreachable_objects"]
    );
    // The snapshot issue's targets: recall 0.99 and precision 0.98, by count and by bytes; edges
    // within 3 % of V8's. (Measured on these workloads: recall 0.992-0.997, precision 0.991-0.996,
    // bytes 0.991-0.995 and 0.985-0.991, edges 0.98-1.02.)
    assert!(f("recall") >= 0.99, "recall {}", f("recall"));
    assert!(f("precision") >= 0.98, "precision {}", f("precision"));
    assert!(
        f("recallBytes") >= 0.99,
        "recall by bytes {}",
        f("recallBytes")
    );
    assert!(
        f("precisionBytes") >= 0.98,
        "precision by bytes {}",
        f("precisionBytes")
    );
    assert!((0.97..=1.03).contains(&edges), "edges {edges}");

    // Source locations (script id, line, column of closures and of constructed objects) as V8
    // records them. V8's snapshots on 22+ also keep some dead objects (finished async
    // functions), which ours leave out, so recall is not 1 there.
    let (lt, lo) = (locations(&truth), locations(&out));
    let both: u64 = lt
        .iter()
        .map(|(k, &n)| n.min(*lo.get(k).unwrap_or(&0)))
        .sum();
    let (nt, no) = (lt.values().sum::<u64>(), lo.values().sum::<u64>());
    println!("{workload} on Node {major}: locations {both} of V8's {nt} match ({no} written)");
    // Time, next to what writeHeapSnapshot took in the process (recorded by the harness).
    let live: Value =
        serde_json::from_slice(&std::fs::read(made.dir.join("live.json")).unwrap()).unwrap();
    if let Some(ms) = live["snapshotMs"].as_f64() {
        println!(
            "{workload} on Node {major}: snapshot {:.2} s, V8's writeHeapSnapshot {:.2} s (ratio {:.2})",
            took,
            ms / 1000.0,
            took * 1000.0 / ms
        );
    }
    assert!(both as f64 >= 0.97 * nt as f64, "locations recall");
    assert!(both as f64 >= 0.995 * no as f64, "locations precision");
}

#[test]
fn snapshots_load_in_devtools_and_match_v8_on_node20() {
    check("zoo.js", 20);
    check("kitchen.mjs", 20);
}

#[test]
fn snapshots_load_in_devtools_and_match_v8_on_node22() {
    check("zoo.js", 22);
    check("kitchen.mjs", 22);
}

#[test]
fn snapshots_load_in_devtools_and_match_v8_on_node24() {
    check("zoo.js", 24);
    check("kitchen.mjs", 24);
}

#[test]
fn snapshots_load_in_devtools_and_match_v8_on_node26() {
    check("zoo.js", 26);
    check("kitchen.mjs", 26);
}

#[test]
fn the_workloads_classes_and_retained_sizes_match() {
    let made = core_of("zoo.js", 22, "kernel");
    let d = temp_dir("snapshot-classes");
    let out = d.join("core.heapsnapshot");
    let r = corewalk(&["snapshot", p(&made.core), "-o", p(&out)]);
    assert_guessed_roots(&r, "snapshot");
    check_structure(&out);
    let Some(tool) = devtools_check() else {
        println!("devtools-check not found: structure checked, DevTools' parser not run");
        return;
    };
    let ours = node_json(&tool, "check.mjs", &[p(&out), "--top", "100000"]);
    let truth = node_json(
        &tool,
        "check.mjs",
        &[p(&made.dir.join("v8.heapsnapshot")), "--top", "100000"],
    );
    let find = |v: &Value, name: &str| -> (u64, u64) {
        let c = v["classes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{name}"));
        (
            c["count"].as_u64().unwrap(),
            c["retained"].as_u64().unwrap(),
        )
    };
    // `analyze --retained` computes what DevTools computes from our snapshot.
    let a = corewalk_graph_json(&["analyze", p(&made.core), "--retained", "--json"]);
    assert!(!a["top_retainers"].as_array().unwrap().is_empty());
    for class in ["Session", "Point", "Node3", "Date"] {
        let (n, r) = find(&ours, class);
        let (tn, tr) = find(&truth, class);
        assert_eq!(n, tn, "{class} count");
        let ratio = r as f64 / tr as f64;
        let row = a["classes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == class && c["type"] == "object")
            .unwrap();
        let ar = row["retained_size"].as_u64().unwrap();
        println!("{class}: retained {r} vs V8's {tr} ({ratio:.3}); analyze says {ar}");
        assert!(
            (0.95..=1.05).contains(&ratio),
            "{class}: retained {r} vs V8's {tr}"
        );
        // The same dominator tree as DevTools' (page objects, weak and shortcut edges alike).
        assert_eq!(ar, r, "{class}: analyze {ar} vs DevTools {r}");
    }
}

/// `diff` reads V8's own snapshot files and counts classes as DevTools' Summary view does (the
/// same names, counts and shallow sizes), and a core summarizes exactly like the snapshot
/// corewalk writes from it.
fn summaries_agree(major: u32) {
    let made = core_of("zoo.js", major, "kernel");
    let truth = made.dir.join("v8.heapsnapshot");
    let Some(tool) = devtools_check() else {
        println!("devtools-check not found: summary not compared with DevTools");
        return;
    };
    let c = node_json(&tool, "check.mjs", &[p(&truth), "--top", "1000000"]);
    let mut devtools: HashMap<String, (u64, u64)> = HashMap::new();
    for row in c["classes"].as_array().unwrap() {
        let e = devtools
            .entry(row["name"].as_str().unwrap().to_string())
            .or_default();
        e.0 += row["count"].as_u64().unwrap();
        e.1 += row["self"].as_u64().unwrap();
    }
    let d = corewalk_json(&["diff", p(&truth), p(&truth), "--json"]);
    let ours: HashMap<String, (u64, u64)> = d["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                (
                    r["count_a"].as_u64().unwrap(),
                    r["bytes_a"].as_u64().unwrap(),
                ),
            )
        })
        .collect();
    // Node's embedder nodes: before V8 13, DevTools works out which are detached itself (not
    // replicated); from 13 on, the file says.
    let embedder =
        |n: &str| major < 24 && (n.starts_with("Node / ") || n.starts_with("Detached Node / "));
    let mut differ = Vec::new();
    for name in devtools.keys().chain(ours.keys()) {
        if !embedder(name) && devtools.get(name) != ours.get(name) {
            differ.push((name.clone(), devtools.get(name), ours.get(name)));
        }
    }
    println!(
        "Node {major}: {} classes in DevTools' Summary of V8's snapshot, {} differ in ours",
        devtools.len(),
        differ.len()
    );
    assert!(differ.is_empty(), "{differ:?}");

    // A core and the snapshot written from it: the same classes.
    let d = temp_dir(&format!("summary-{major}"));
    let file = d.join("core.heapsnapshot");
    let r = corewalk(&["snapshot", p(&made.core), "-o", p(&file), "-q"]);
    assert_guessed_roots(&r, "snapshot");
    let same = corewalk_graph_json(&["diff", p(&file), p(&made.core), "--json", "-q"]);
    let changed: Vec<&Value> = same["classes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["count_change"] != 0 || c["bytes_change"] != 0)
        .collect();
    assert!(changed.is_empty(), "{changed:?}");
}

#[test]
fn summaries_agree_with_devtools() {
    for major in [20, 22, 24, 26] {
        summaries_agree(major);
    }
}
