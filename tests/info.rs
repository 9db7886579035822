//! `corewalk info` against what the live process reported about itself just before its core was
//! made: versions and pid exact, per-space committed bytes within 5 %.

mod common;
use common::*;
use serde_json::Value;

fn check_info(major: u32, method: &str) {
    let made = core_of("small.js", major, method);
    let live = &made.live;
    let r = corewalk_json(&["info", "--json", p(&made.core)]);

    // Versions and pid: exact.
    assert_eq!(
        r["versions"]["node"], live["versions"]["node"],
        "Node version"
    );
    assert_eq!(r["versions"]["v8"], live["versions"]["v8"], "V8 version");
    assert_eq!(r["process"]["pid"], live["pid"], "pid");
    assert_eq!(r["process"]["ppid"], live["ppid"], "ppid");
    // The command line read from the stack: the script path exactly.
    let argv = r["process"]["argv"].as_array().expect("argv");
    assert_eq!(argv.get(1), live["argv"].get(1), "argv[1] (the script)");
    assert_eq!(r["process"]["argv_complete"], true);
    assert_eq!(r["executable"]["build_id"]["status"], "match");

    // Threads: the main thread's tid is the pid; a kernel core records the fatal SIGABRT.
    let threads = r["process"]["threads"].as_array().expect("threads");
    assert!(threads.len() >= 2, "node has helper threads: {threads:?}");
    assert_eq!(threads[0]["main"], true);
    assert_eq!(threads[0]["tid"], live["pid"]);
    // Other threads are named by their start routine: node's 4 platform workers at least.
    let workers = threads
        .iter()
        .filter(|t| {
            t["name"]
                .as_str()
                .is_some_and(|n| n.ends_with("PlatformWorkerThread"))
        })
        .count();
    assert!(
        workers >= 4,
        "Node {major}: platform worker threads named: {threads:?}"
    );
    if method == "kernel" {
        assert_eq!(r["process"]["signal"]["name"], "SIGABRT");
    } else {
        assert_eq!(
            r["process"]["signal"],
            Value::Null,
            "gcore: nothing killed it"
        );
    }

    // Heap spaces: every space the live process had memory in, committed within 5 %.
    let spaces = r["heap"]["spaces"].as_array().expect("heap spaces");
    let mut report = Vec::new();
    for s in live["spaces"].as_array().expect("live spaces") {
        let want = s["size"].as_u64().unwrap();
        let name = s["name"].as_str().unwrap();
        let ours = spaces.iter().find(|x| x["name"] == name);
        let got = ours.map_or(0, |x| x["committed"].as_u64().unwrap());
        // The pages found by scanning, independently of V8's own counter.
        let found = ours.map_or(0, |x| x["page_bytes"].as_u64().unwrap());
        let used = ours.map_or(0, |x| x["used"].as_u64().unwrap());
        report.push(format!(
            "{name}: live {want} ours {got} (pages found: {found}); used live {} ours {used}",
            s["used"]
        ));
        if want == 0 {
            continue;
        }
        assert!(used <= found, "{name}: used {used} > pages {found}");
        let off = (found as f64 - want as f64).abs() / want as f64;
        assert!(
            off <= 0.05,
            "Node {major} {name}: pages found cover {found} bytes vs live {want}\n{}",
            report.join("\n")
        );
        let diff = (got as f64 - want as f64).abs() / want as f64;
        assert!(
            diff <= 0.05,
            "Node {major} {name}: committed {got} vs live {want} ({:.1} % off)\n{}",
            diff * 100.0,
            report.join("\n")
        );
    }
    eprintln!("Node {major} ({method}):\n  {}", report.join("\n  "));
}

#[test]
fn info_matches_live_node20() {
    check_info(20, "kernel");
}

#[test]
fn info_matches_live_node22() {
    check_info(22, "kernel");
}

#[test]
fn info_matches_live_node24() {
    check_info(24, "kernel");
}

#[test]
fn info_matches_live_node26() {
    check_info(26, "kernel");
}

#[test]
fn info_reads_gcore_cores_node20() {
    check_info(20, "gcore");
}

#[test]
fn info_reads_gcore_cores_node26() {
    check_info(26, "gcore");
}

#[test]
fn info_human_output_names_spaces_and_versions() {
    let made = core_of("small.js", 22, "kernel");
    let out = corewalk(&["info", p(&made.core)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let node = made.live["versions"]["node"].as_str().unwrap();
    assert!(text.contains(&format!("Node {node}")), "{text}");
    for space in ["old_space", "new_space", "code_space", "trusted_space"] {
        assert!(text.contains(space), "{space} missing from:\n{text}");
    }
}
