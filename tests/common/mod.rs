//! Shared by the integration tests: real Node processes, real cores, and the corewalk binary.
#![allow(dead_code)]

use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex, OnceLock};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Where this test binary keeps the cores it makes (never committed).
pub fn scratch() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cores")
}

/// The node executable for a major version: the system `node` for 20, the cached registry build
/// (scripts/fetch-node.sh) for the others. Panics with the reason when it cannot be had.
pub fn node_for(major: u32) -> PathBuf {
    let out = Command::new(root().join("scripts/fetch-node.sh"))
        .arg(if major == 20 {
            "system".to_string()
        } else {
            major.to_string()
        })
        .output()
        .expect("run scripts/fetch-node.sh");
    assert!(
        out.status.success(),
        "fetch-node.sh {major} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim().to_string());
    let version = Command::new(&path)
        .arg("--version")
        .output()
        .expect("node --version");
    let version = String::from_utf8_lossy(&version.stdout).to_string();
    assert!(
        version.starts_with(&format!("v{major}.")),
        "{} is {version}, wanted Node {major}",
        path.display()
    );
    path
}

/// A core made by scripts/make-core.sh, with what the live process said about itself.
#[derive(Debug)]
pub struct Made {
    pub dir: PathBuf,
    pub core: PathBuf,
    pub node: PathBuf,
    /// live.json: pid, versions, heap space statistics...
    pub live: Value,
}

type Cache = Mutex<HashMap<String, Arc<OnceLock<Arc<Made>>>>>;

/// Make (once per test binary) a core of `testdata/<workload>` under Node `major`, with the given
/// method (`kernel` or `gcore`).
pub fn core_of(workload: &str, major: u32, method: &str) -> Arc<Made> {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = format!("{workload}-{major}-{method}");
    let cell = {
        let mut map = CACHE.get_or_init(Default::default).lock().unwrap();
        map.entry(key.clone()).or_default().clone()
    };
    cell.get_or_init(|| {
        let node = node_for(major);
        let dir = scratch().join(key.replace(".js", ""));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let out = Command::new(root().join("scripts/make-core.sh"))
            .arg(&node)
            .arg(root().join("testdata").join(workload))
            .arg(&dir)
            .env("COREWALK_CORE_METHOD", method)
            .output()
            .expect("run scripts/make-core.sh");
        assert!(
            out.status.success(),
            "make-core.sh {workload} under Node {major} ({method}) failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let live: Value =
            serde_json::from_slice(&std::fs::read(dir.join("live.json")).unwrap()).unwrap();
        Arc::new(Made {
            core: dir.join("core"),
            dir,
            node,
            live,
        })
    })
    .clone()
}

/// Run the corewalk binary.
pub fn corewalk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corewalk"))
        .args(args)
        .output()
        .expect("run corewalk")
}

/// Require the exit status of a command that reads the object graph while C++-held roots
/// (global handles, handle scopes) are not decoded: the root set is guessed, so the result is
/// partial (exit 3) and a warning says so.
pub fn assert_guessed_roots(out: &Output, what: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{what}: {err}");
    assert!(
        err.lines()
            .any(|l| l.starts_with("warning: ") && l.contains("conservative root set")),
        "{what}: no warning about the guessed roots: {err}"
    );
}

/// Run corewalk, require success (exit 0), parse its JSON output.
pub fn corewalk_json(args: &[&str]) -> Value {
    let out = corewalk(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "corewalk {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("corewalk printed JSON")
}

/// Run a command that reads the object graph ([`assert_guessed_roots`]), parse its JSON output.
pub fn corewalk_graph_json(args: &[&str]) -> Value {
    let out = corewalk(args);
    assert_guessed_roots(&out, &format!("corewalk {args:?}"));
    serde_json::from_slice(&out.stdout).expect("corewalk printed JSON")
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A temporary directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = scratch().join("tmp").join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A path as the &str that `corewalk(&[...])` takes (test paths are ASCII).
pub fn p(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

/// A core of an arbitrary program (`argv`), started in `dir` and killed with SIGABRT; taken by the
/// kernel when core_pattern writes a plain file there, else by gcore.
pub fn core_of_program(argv: &[&str], dir: &Path) -> PathBuf {
    let pattern = std::fs::read_to_string("/proc/sys/kernel/core_pattern").unwrap_or_default();
    let kernel = !pattern.starts_with('|') && !pattern.contains('/') && !pattern.contains('%');
    let script = format!(
        "ulimit -c unlimited; cd '{}' && exec {}",
        dir.display(),
        argv.join(" ")
    );
    let mut child = Command::new("bash").arg("-c").arg(&script).spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let pid = child.id().to_string();
    let core = dir.join("core");
    if kernel {
        Command::new("kill").args(["-ABRT", &pid]).status().unwrap();
        let _ = child.wait();
        let made = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("core"))
            })
            .expect("the kernel wrote a core");
        if made != core {
            std::fs::rename(&made, &core).unwrap();
        }
    } else {
        let prefix = dir.join("gcore");
        let ok = Command::new("gcore")
            .arg("-o")
            .arg(&prefix)
            .arg(&pid)
            .output()
            .unwrap();
        assert!(ok.status.success(), "gcore failed");
        let _ = child.kill();
        let _ = child.wait();
        std::fs::rename(dir.join(format!("gcore.{pid}")), &core).unwrap();
    }
    core
}

/// Assert corewalk failed cleanly on unusable input: exit 1, and the first stderr line says `what`.
pub fn assert_refused(out: &Output, what: &str) {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "expected exit 1 (unusable input), got {:?}; stderr: {err}",
        out.status.code()
    );
    let first = err.lines().next().unwrap_or("");
    assert!(first.starts_with("corewalk: "), "stderr: {err}");
    assert!(
        first.contains(what),
        "wanted {what:?} in the first line: {err}"
    );
    assert_eq!(err.lines().count(), 1, "one line only: {err}");
}

/// The folder with the runnable check.mjs / compare.mjs (setup.sh is idempotent and prints it),
/// from $COREWALK_DEVTOOLS_CHECK or ../shared/tools/devtools-check next to the repository. `None`
/// when the tool is not there: the tests then check the file's structure themselves, and say so.
pub fn devtools_check() -> Option<PathBuf> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        let candidates = [
            std::env::var_os("COREWALK_DEVTOOLS_CHECK").map(PathBuf::from),
            Some(root().join("../shared/tools/devtools-check")),
            Some(PathBuf::from("/work/shared/tools/devtools-check")),
        ];
        let dir = candidates
            .into_iter()
            .flatten()
            .find(|d| d.join("setup.sh").exists())?;
        let out = Command::new("bash")
            .arg(dir.join("setup.sh"))
            .output()
            .expect("run setup.sh");
        assert!(
            out.status.success(),
            "setup.sh failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let dir = String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap_or("")
            .trim()
            .to_string();
        Some(PathBuf::from(dir))
    })
    .clone()
}

/// Run one of devtools-check's scripts (`check.mjs`, `compare.mjs`) with `--json`, parse its answer.
pub fn node_json(dir: &std::path::Path, script: &str, args: &[&str]) -> Value {
    let out = Command::new(node_for(20))
        .arg(dir.join(script))
        .args(args)
        .arg("--json")
        .output()
        .expect("run node");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .unwrap_or_else(|| panic!("{script}: {text}"));
    serde_json::from_str(line).expect("JSON from devtools-check")
}
