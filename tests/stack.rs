//! `corewalk stack` on real crashes, Node 20, 22, 24 and 26: workloads that die at known places
//! (testdata/crash/), cored by scripts/crash-core.sh. The expected JavaScript frames come from the
//! process itself: `new Error().stack` taken on the line that aborts, or the JavaScript stack
//! Node prints when it aborts on an uncaught exception; the out-of-memory case is checked against
//! the allocation loop's line in its source.

mod common;

use common::*;
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

/// Make a crash core of `testdata/crash/<workload>` (once per test binary, workload and version).
fn crash(workload: &str, major: u32, options: &[&str]) -> PathBuf {
    crash_by(workload, major, options, None)
}

/// Crashes made while the kernel writes cores through a pipe (a global setting) must not overlap
/// other crashes: those hold this lock shared, a pipe crash holds it alone.
static CORE_PATTERN: RwLock<()> = RwLock::new(());

/// [`crash`] with a core method of scripts/crash-core.sh (`COREWALK_CORE_METHOD`).
fn crash_by(workload: &str, major: u32, options: &[&str], method: Option<&str>) -> PathBuf {
    type Cache = Mutex<HashMap<String, Arc<OnceLock<PathBuf>>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = format!(
        "crash-{}-{major}{}",
        workload.replace(".js", ""),
        method.map(|m| format!("-{m}")).unwrap_or_default()
    );
    let cell = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap()
        .entry(key.clone())
        .or_default()
        .clone();
    cell.get_or_init(|| {
        let node = node_for(major);
        let dir = scratch().join(&key);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut cmd = Command::new(root().join("scripts/crash-core.sh"));
        cmd.arg(&node)
            .arg(root().join("testdata/crash").join(workload))
            .arg(&dir)
            .args(options);
        let out = if let Some(m) = method {
            let _alone = CORE_PATTERN.write().unwrap_or_else(|e| e.into_inner());
            cmd.env("COREWALK_CORE_METHOD", m).output()
        } else {
            let _shared = CORE_PATTERN.read().unwrap_or_else(|e| e.into_inner());
            cmd.output()
        }
        .expect("run scripts/crash-core.sh");
        assert!(
            out.status.success(),
            "crash-core.sh {workload} under Node {major} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir
    })
    .clone()
}

/// A JavaScript frame as (function name, script, 1-based line, 1-based column).
type JsAt = (String, String, u64, u64);

/// The last part of a V8 stack-trace function label: `Timeout.onTimer [as _onTimeout]` is
/// `onTimer`, `process.processTimers` is `processTimers`.
fn bare_name(label: &str) -> String {
    let label = label.split(" [as ").next().unwrap_or(label);
    let label = label.strip_prefix("async ").unwrap_or(label);
    let label = label.strip_prefix("new ").unwrap_or(label);
    match label.rsplit('.').next().unwrap_or(label) {
        // V8's traces say `<anonymous>` where corewalk (like llnode) says `(anonymous)`.
        "<anonymous>" => "(anonymous)".to_string(),
        name => name.to_string(),
    }
}

/// Frames of a V8 stack trace text: `at NAME (FILE:LINE:COL)` lines, or Node's abort report
/// (`N: NAME (FILE:LINE:COL)`).
fn parse_trace(text: &str) -> Vec<JsAt> {
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        let body = if let Some(rest) = t.strip_prefix("at ") {
            rest
        } else if let Some((n, rest)) = t.split_once(": ") {
            if n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty() {
                rest
            } else {
                continue;
            }
        } else {
            continue;
        };
        let Some((name, at)) = body.rsplit_once(" (") else {
            continue;
        };
        let at = at.trim_end_matches(')');
        let mut parts = at.rsplitn(3, ':');
        let (col, line, file) = (parts.next(), parts.next(), parts.next());
        let (Some(col), Some(line), Some(file)) = (
            col.and_then(|c| c.parse().ok()),
            line.and_then(|l| l.parse().ok()),
            file,
        ) else {
            continue;
        };
        out.push((bare_name(name), file.to_string(), line, col));
    }
    out
}

/// The main thread's frames, innermost first.
fn main_frames(report: &Value) -> &Vec<Value> {
    report["threads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["main"] == true)
        .expect("a main thread")["frames"]
        .as_array()
        .unwrap()
}

/// The main thread's JavaScript frames, innermost first, as `corewalk stack --json` gives them
/// (functions inlined into an optimized frame come before it).
fn our_js_frames(report: &Value) -> Vec<JsAt> {
    let at = |js: &Value| -> Option<JsAt> {
        Some((
            js.get("function")?.as_str()?.to_string(),
            js["script"].as_str().unwrap_or("").to_string(),
            js["line"].as_u64().unwrap_or(0),
            js["column"].as_u64().unwrap_or(0),
        ))
    };
    let mut out = Vec::new();
    for f in main_frames(report) {
        let Some(js) = f.get("js") else { continue };
        if let Some(inlined) = js["inlined"].as_array() {
            out.extend(inlined.iter().filter_map(at));
        }
        out.extend(at(js));
    }
    out
}

/// Native symbols of the main thread, innermost first.
fn our_native_symbols(report: &Value) -> Vec<String> {
    main_frames(report)
        .iter()
        .filter_map(|f| f["symbol"].as_str().map(str::to_string))
        .collect()
}

fn stack_json(core: &std::path::Path) -> Value {
    stack_json_with(core, &[])
}

fn stack_json_with(core: &std::path::Path, extra: &[&str]) -> Value {
    let mut args = vec!["stack", p(core), "--json"];
    args.extend_from_slice(extra);
    let out = corewalk(&args);
    assert!(
        matches!(out.status.code(), Some(0) | Some(3)),
        "stack failed: {}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// Our frames must begin with the expected ones, frame by frame: same function, same script,
/// same line, and from frame `columns_from` on the same column (a trace taken a little before the
/// crash, in the innermost function, may be at another column of the same line).
fn assert_frames(what: &str, ours: &[JsAt], expected: &[JsAt], columns_from: usize) {
    assert!(!expected.is_empty(), "{what}: no expected frames");
    for (k, e) in expected.iter().enumerate() {
        let o = ours
            .get(k)
            .unwrap_or_else(|| panic!("{what}: frame {k} missing; ours {ours:?}"));
        assert_eq!(
            bare_name(&o.0),
            e.0,
            "{what}: frame {k} function; ours {ours:?}"
        );
        assert!(
            o.1.ends_with(&e.1) || e.1.ends_with(&o.1),
            "{what}: frame {k} script {} vs {}",
            o.1,
            e.1
        );
        assert_eq!(o.2, e.2, "{what}: frame {k} ({}) line; ours {ours:?}", e.0);
        if k >= columns_from {
            assert_eq!(
                o.3, e.3,
                "{what}: frame {k} ({}) column; ours {ours:?}",
                e.0
            );
        }
    }
}

fn abort_three_deep(major: u32) {
    abort_three_deep_by(major, None);
}

fn abort_three_deep_by(major: u32, method: Option<&str>) {
    let dir = crash_by("abort.js", major, &[], method);
    let expected = parse_trace(&std::fs::read_to_string(dir.join("expected.txt")).unwrap());
    let report = stack_json_with(&dir.join("core"), &["--args"]);
    // --args: the receiver and arguments, as the workload passed them.
    let js: Vec<&Value> = report["threads"][0]["frames"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f.get("js"))
        .filter(|j| j.get("function").is_some())
        .collect();
    assert_eq!(
        js[0]["args"],
        serde_json::json!(["this=undefined", "3"]),
        "{:?}",
        js[0]
    );
    assert!(
        js[1]["args"][0]
            .as_str()
            .unwrap_or("")
            .starts_with("this=<Diver"),
        "{:?}",
        js[1]
    );
    let ours = our_js_frames(&report);
    println!("Node {major} abort: ours {ours:?}");
    // The trace was taken at `new Error` on the line that aborts: columns from the caller on.
    assert_frames(&format!("abort on Node {major}"), &ours, &expected, 1);
    let native = our_native_symbols(&report);
    assert!(native.iter().any(|s| s == "abort"), "{native:?}");
}

fn out_of_memory(major: u32) {
    let dir = crash("oom.js", major, &["--max-old-space-size=16"]);
    let source = std::fs::read_to_string(root().join("testdata/crash/oom.js")).unwrap();
    let line_of =
        |marker: &str| source.lines().position(|l| l.contains(marker)).unwrap() as u64 + 1;
    // Optimized code attributes the failing allocation to the loop statement or to the push:
    // either line of the allocation loop is the truth here.
    let (first, last) = (line_of("LOOP-LINE"), line_of("GROW-LINE"));
    let report = stack_json(&dir.join("core"));
    let ours = our_js_frames(&report);
    println!("Node {major} oom: ours {ours:?}");
    let top = ours.first().expect("a JavaScript frame");
    assert_eq!(top.0, "grow", "{ours:?}");
    assert!(top.1.ends_with("testdata/crash/oom.js"), "{ours:?}");
    assert!(
        (first..=last).contains(&top.2),
        "grow at line {}, the loop is lines {first}-{last}",
        top.2
    );
    let native = our_native_symbols(&report);
    assert!(native.iter().any(|s| s == "abort"), "{native:?}");
    assert!(
        native
            .iter()
            .any(|s| s.contains("OOMErrorHandler") || s.contains("FatalProcessOutOfMemory")),
        "V8's out-of-memory handler: {native:?}"
    );
}

/// An optimized frame with a function inlined into it, at a call made from the inlined code.
fn inlined_in_optimized_code(major: u32) {
    let dir = crash("inlined.js", major, &["--allow-natives-syntax"]);
    // The whole trace, Node's loader below the workload included (its anonymous functions are
    // named by the property they were called through, `Module._compile`, as V8 does).
    let expected = parse_trace(&std::fs::read_to_string(dir.join("expected.txt")).unwrap());
    let report = stack_json(&dir.join("core"));
    let ours = our_js_frames(&report);
    println!("Node {major} inlined: ours {ours:?}");
    assert_frames(&format!("inlined on Node {major}"), &ours, &expected, 1);
    let kinds: Vec<&str> = main_frames(&report)
        .iter()
        .filter_map(|f| f["js"]["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"optimized"), "{kinds:?}");
}

fn uncaught_in_promise(major: u32) {
    let dir = crash("uncaught.js", major, &["--abort-on-uncaught-exception"]);
    let err = std::fs::read_to_string(dir.join("stderr.txt")).unwrap();
    let js = err
        .split("----- JavaScript stack trace -----")
        .nth(1)
        .expect("Node printed the JavaScript stack");
    let expected = parse_trace(js);
    let report = stack_json(&dir.join("core"));
    let ours = our_js_frames(&report);
    println!("Node {major} uncaught: ours {ours:?}");
    assert_frames(&format!("uncaught on Node {major}"), &ours, &expected, 0);
}

#[test]
fn crashes_on_node20() {
    abort_three_deep(20);
    out_of_memory(20);
    uncaught_in_promise(20);
    inlined_in_optimized_code(20);
}

#[test]
fn crashes_on_node22() {
    abort_three_deep(22);
    out_of_memory(22);
    uncaught_in_promise(22);
    inlined_in_optimized_code(22);
}

#[test]
fn crashes_on_node24() {
    abort_three_deep(24);
    out_of_memory(24);
    uncaught_in_promise(24);
    inlined_in_optimized_code(24);
}

#[test]
fn crashes_on_node26() {
    abort_three_deep(26);
    out_of_memory(26);
    uncaught_in_promise(26);
    inlined_in_optimized_code(26);
}

/// A core as the kernel writes it into a `core_pattern` pipe (systemd-coredump, apport, or
/// scripts/core-pipe-handler.sh here) reads like any other. Needs a writable core_pattern (root).
#[test]
fn a_core_written_through_a_core_pattern_pipe() {
    let writable = std::fs::OpenOptions::new()
        .write(true)
        .open("/proc/sys/kernel/core_pattern")
        .is_ok();
    if !writable {
        println!("skipped: /proc/sys/kernel/core_pattern is not writable here (not root)");
        return;
    }
    for major in [20, 26] {
        abort_three_deep_by(major, Some("pipe"));
    }
}

#[test]
fn traces_parse() {
    let t = "Error: x\n    at dive (/a/b.js:13:37)\n    at Timeout.onTimer [as _onTimeout] (/a/b.js:26:16)\n    at process.processTimers (node:internal/timers:519:7)";
    assert_eq!(
        parse_trace(t),
        vec![
            ("dive".into(), "/a/b.js".into(), 13, 37),
            ("onTimer".into(), "/a/b.js".into(), 26, 16),
            (
                "processTimers".into(),
                "node:internal/timers".into(),
                519,
                7
            )
        ]
    );
    let n = "1: throwUnhandledRejectionsMode (node:internal/process/promises:391:5)\n";
    assert_eq!(parse_trace(n)[0].2, 391);
}

/// Program headers of a core: (file offset of the header, p_offset, p_vaddr, p_filesz).
fn segments(core: &[u8]) -> Vec<(usize, u64, u64, u64)> {
    let u16_at = |o: usize| u16::from_le_bytes(core[o..o + 2].try_into().unwrap()) as usize;
    let u64_at = |o: usize| u64::from_le_bytes(core[o..o + 8].try_into().unwrap());
    let (phoff, phnum) = (u64_at(32) as usize, u16_at(56));
    (0..phnum)
        .map(|i| phoff + 56 * i)
        .filter(|&h| u32::from_le_bytes(core[h..h + 4].try_into().unwrap()) == 1)
        .map(|h| (h, u64_at(h + 8), u64_at(h + 16), u64_at(h + 32)))
        .collect()
}

/// Where process address `addr` is in the core file.
fn file_offset(core: &[u8], addr: u64) -> usize {
    let (_, off, vaddr, _) = segments(core)
        .into_iter()
        .find(|&(_, _, v, f)| addr >= v && addr < v + f)
        .expect("address in the core");
    (off + addr - vaddr) as usize
}

/// A damaged copy of a crash core: the walk of the main thread stops with a marker saying why,
/// exit status 3, and every other thread still prints.
fn damaged(core: &[u8], name: &str, damage: impl Fn(&mut Vec<u8>)) -> Value {
    let mut bytes = core.to_vec();
    damage(&mut bytes);
    let dir = temp_dir(&format!("stack-damage-{name}"));
    let path = dir.join("core");
    std::fs::write(&path, &bytes).unwrap();
    let out = corewalk(&["stack", p(&path), "--json", "--node", p(&node_for(20))]);
    assert_eq!(out.status.code(), Some(3), "{name}: {}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let threads = report["threads"].as_array().unwrap();
    assert!(threads.len() > 1);
    for t in &threads[1..] {
        assert!(t["frames"].as_array().unwrap().len() >= 3, "{name}: {t}");
    }
    report
}

#[test]
fn damaged_stacks_stop_with_a_marker() {
    let dir = crash("abort.js", 20, &[]);
    let core = std::fs::read(dir.join("core")).unwrap();
    let report = stack_json(&dir.join("core"));
    let main = &report["threads"][0];
    let frames = main["frames"].as_array().unwrap();
    let js_fp: Vec<u64> = frames
        .iter()
        .filter(|f| f["js"]["function"].is_string())
        .map(|f| f["fp"].as_u64().unwrap())
        .collect();
    let (inner, outer) = (js_fp[0], js_fp[1]);
    let full = frames.len();

    // A loop: the second JavaScript frame's saved frame pointer points back at the first.
    let r = damaged(&core, "loop", |b| {
        let at = file_offset(b, outer);
        b[at..at + 8].copy_from_slice(&inner.to_le_bytes());
    });
    let stopped = r["threads"][0]["stopped"].as_str().unwrap_or("");
    assert!(stopped.contains("loops"), "{stopped}");
    assert!(r["threads"][0]["frames"].as_array().unwrap().len() < full);

    // A corrupt chain: a return address that points nowhere.
    let r = damaged(&core, "garbage", |b| {
        let at = file_offset(b, inner + 8);
        b[at..at + 8].copy_from_slice(&0x4141_4141_4141_4141u64.to_le_bytes());
    });
    let stopped = r["threads"][0]["stopped"].as_str().unwrap_or("");
    assert!(stopped.contains("broken"), "{stopped}");

    // The thread's stack missing from the core: its segment keeps no bytes.
    let rsp = frames[0]["sp"].as_u64().unwrap();
    let r = damaged(&core, "missing", |b| {
        let (h, _, _, _) = segments(b)
            .into_iter()
            .find(|&(_, _, v, f)| rsp >= v && rsp < v + f)
            .unwrap();
        b[h + 32..h + 40].copy_from_slice(&0u64.to_le_bytes());
    });
    let t = &r["threads"][0];
    assert!(t["frames"].as_array().unwrap().len() <= 1, "{t}");
    assert!(
        t["stopped"]
            .as_str()
            .unwrap_or("")
            .contains("not in the core"),
        "{t}"
    );
}

/// A live (not crashed) process cored while waiting: the harness's `ready` (interpreted) and the
/// workload's top level (baseline code by then), at the very calls, on every version.
fn waiting(major: u32) {
    let made = core_of("zoo.js", major, "kernel");
    let harness = std::fs::read_to_string(root().join("testdata/lib/harness.js")).unwrap();
    let zoo = std::fs::read_to_string(root().join("testdata/zoo.js")).unwrap();
    let find = |text: &str, needle: &str, at: &str| {
        let (i, l) = text
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains(needle))
            .unwrap();
        (i as u64 + 1, l.find(at).unwrap() as u64 + 1)
    };
    let (wl, wc) = find(&harness, "Atomics.wait(", "wait(");
    let (rl, rc) = find(&zoo, "ready({", "ready(");
    let report = stack_json(&made.core);
    let ours = our_js_frames(&report);
    println!("Node {major} waiting: {:?}", &ours[..2.min(ours.len())]);
    assert_frames(
        &format!("waiting on Node {major}"),
        &ours,
        &[
            ("ready".into(), "testdata/lib/harness.js".into(), wl, wc),
            ("(anonymous)".into(), "testdata/zoo.js".into(), rl, rc),
        ],
        0,
    );
}

#[test]
fn waiting_processes() {
    for major in [20, 22, 24, 26] {
        waiting(major);
    }
}

#[test]
fn a_missing_library_is_reported_not_fatal() {
    let dir = crash("abort.js", 20, &[]);
    let mut core = std::fs::read(dir.join("core")).unwrap();
    let report = stack_json(&dir.join("core"));
    let expected = our_js_frames(&report);
    // Rename libc in the core's file list to a path that does not exist (same length).
    let libc = report["threads"][0]["frames"][0]["module"]
        .as_str()
        .unwrap()
        .to_string();
    let gone = libc.replacen("libc", "libX", 1);
    assert_eq!(libc.len(), gone.len());
    let mut renamed = 0;
    let mut i = 0;
    while let Some(k) = core[i..]
        .windows(libc.len())
        .position(|w| w == libc.as_bytes())
    {
        core[i + k..i + k + libc.len()].copy_from_slice(gone.as_bytes());
        renamed += 1;
        i += k + libc.len();
    }
    assert!(renamed > 0);
    let d = temp_dir("stack-missing-library");
    std::fs::write(d.join("core"), &core).unwrap();
    let out = corewalk(&[
        "stack",
        p(&d.join("core")),
        "--json",
        "--node",
        p(&node_for(20)),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let missing = r["missing_libraries"].as_array().unwrap();
    assert!(
        missing.iter().any(|m| m.as_str().unwrap().contains(&gone)),
        "{missing:?}"
    );
    // Unwinding gets past the unreadable library (by scanning) and finds every JS frame.
    assert_eq!(our_js_frames(&r), expected);
}
