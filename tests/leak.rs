//! Leak hunting on the real scenario (testdata/leak/): an HTTP server that keeps every request in a
//! module-level array is driven with N requests from a second process, snapshotted by V8 and cored,
//! then driven with M more and snapshotted and cored again (scripts/leak-cores.sh). On Node 20, 22,
//! 24 and 26: `diff` shows exactly +M `Date` and +M `{url, date}`, the same growth as V8's own two
//! snapshots; `retainers` names `requestLogs` and the server's script; `analyze --retained` lists the
//! array first among the leak suspects; `refs` finds what holds one `Date`.

mod common;

use common::*;
use serde_json::Value;
use std::process::Command;

const N: u64 = 600;

/// Run corewalk and parse its JSON; a live process cored by gdb may have a page of code being
/// written (exit 3, partial, with a warning), which is accepted here.
fn json_of(args: &[&str]) -> Value {
    let out = corewalk(args);
    assert!(
        matches!(out.status.code(), Some(0) | Some(3)),
        "corewalk {args:?}: {}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}
const M: u64 = 400;

fn class<'a>(diff: &'a Value, name: &str) -> &'a Value {
    diff["classes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no class {name} in the diff"))
}

fn scenario(major: u32) {
    let node = node_for(major);
    let dir = scratch().join(format!("leak-{major}"));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(root().join("scripts/leak-cores.sh"))
        .arg(&node)
        .arg(&dir)
        .arg(N.to_string())
        .arg(M.to_string())
        .output()
        .expect("run scripts/leak-cores.sh");
    assert!(
        out.status.success(),
        "leak-cores.sh under Node {major}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (a, b) = (dir.join("core.a"), dir.join("core.b"));

    // Growth between the two cores, and between V8's own snapshots of the same moments.
    let ours = json_of(&["diff", p(&a), p(&b), "--json", "-q"]);
    let truth = json_of(&[
        "diff",
        p(&dir.join("a.heapsnapshot")),
        p(&dir.join("b.heapsnapshot")),
        "--json",
    ]);
    for name in ["Date", "{url, date}"] {
        let (o, t) = (class(&ours, name), class(&truth, name));
        println!(
            "Node {major}: {name} {} -> {} ({:+}); V8's snapshots {} -> {} ({:+})",
            o["count_a"],
            o["count_b"],
            o["count_change"],
            t["count_a"],
            t["count_b"],
            t["count_change"]
        );
        assert_eq!(o["count_change"], M, "{name} growth between the cores");
        assert_eq!(t["count_change"], M, "{name} growth between V8's snapshots");
    }
    assert_eq!(
        class(&ours, "Date")["count_b"],
        class(&truth, "Date")["count_b"]
    );

    // The retaining path of the Dates names the array's variable and the server's script.
    let r = json_of(&["retainers", p(&b), "--class", "Date", "--json", "-q"]);
    let top = &r["groups"][0];
    let path = top["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect::<Vec<_>>()
        .join(" ← ");
    println!("Node {major}: {} × Date ← {path}", top["count"]);
    assert_eq!(top["count"], N + M);
    assert!(path.contains("`requestLogs`"), "{path}");
    assert!(path.contains("testdata/leak/server.js"), "{path}");

    // The array is the first leak suspect, holding every Date and log entry.
    let an = json_of(&["analyze", p(&b), "--retained", "--json", "-q"]);
    let first = &an["leak_suspects"][0];
    println!("Node {major}: first suspect {first}");
    assert_eq!(first["class"], "Array");
    let holds = first["holds"].as_array().unwrap();
    for name in ["Date", "{url, date}"] {
        assert!(
            holds.iter().any(|h| h[0] == name && h[1] == N + M),
            "{name} in {holds:?}"
        );
    }
    assert!(first["path"][0].as_str().unwrap().contains("`requestLogs`"));

    // What refers to one of those Dates: its log entry's `date`.
    let date = top["example"].as_str().unwrap();
    let refs = json_of(&["refs", p(&b), date, "--json", "-q"]);
    let referrers = refs["referrers"].as_array().unwrap();
    assert!(
        referrers
            .iter()
            .any(|f| f["edge"] == "`date` of" && f["class"] == "{url, date}"),
        "{referrers:?}"
    );
    // The cores are large (gdb keeps the process's whole writable memory): not kept.
    let _ = std::fs::remove_file(&a);
    let _ = std::fs::remove_file(&b);
}

#[test]
fn leak_scenario_on_node20() {
    scenario(20);
}

#[test]
fn leak_scenario_on_node22() {
    scenario(22);
}

#[test]
fn leak_scenario_on_node24() {
    scenario(24);
}

#[test]
fn leak_scenario_on_node26() {
    scenario(26);
}

#[test]
fn cores_of_different_versions_diff_by_class_name() {
    let (a, b) = (
        core_of("zoo.js", 20, "kernel"),
        core_of("zoo.js", 22, "kernel"),
    );
    let out = corewalk(&["diff", p(&a.core), p(&b.core), "--json", "-q"]);
    assert_guessed_roots(&out, "diff of two cores");
    assert!(
        stderr(&out).contains("different Node versions"),
        "{}",
        stderr(&out)
    );
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The workload's own classes, the same in both, do not change.
    for name in ["Session", "Point", "Node3"] {
        assert_eq!(class(&d, name)["count_change"], 0, "{name}");
    }
}

#[test]
fn refs_of_a_non_object_is_a_clear_error() {
    let made = core_of("small.js", 20, "kernel");
    let out = corewalk(&["refs", p(&made.core), "0x10", "-q"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("no heap object starts at 0x10"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}
