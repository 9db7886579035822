//! A corpus of broken cores made from a real one (Node 22, testdata/small.js), and every command
//! run on each: truncated at several depths (inside the ELF header, the program headers, the
//! notes, a heap page), a segment table pointing past the end of the file, zeroed and random heap
//! pages, a core of `sleep`. Each run must end within a time bound (no hang) under an address-space
//! limit (no unbounded allocation), never panic (exit 101), and either succeed, print a partial
//! result (exit 3, a warning first), or refuse the input (exit 1) with one line on stderr.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Every command, as it is run on each core of the corpus.
const COMMANDS: &[&[&str]] = &[
    &["info"],
    &["analyze"],
    &["analyze", "--retained"],
    &["objects", "--class", "Object"],
    &["snapshot", "-o", "OUT"],
    &["stack"],
    &["retainers", "--class", "Object"],
    &["inspect", "0x1000"],
    &["refs", "0x1000"],
    &["diff", "CORE"],
];

/// Wall-clock bound per run, and the address-space limit (KiB) it runs under.
const TIME_LIMIT: Duration = Duration::from_secs(60);
const MEMORY_LIMIT_KB: u64 = 4 << 20;

/// Run one command on `core` under the limits; (exit code, stderr).
fn run(core: &Path, node: &Path, args: &[&str], out: &Path) -> (i32, String) {
    let mut argv: Vec<String> = vec![args[0].to_string(), core.display().to_string()];
    for a in &args[1..] {
        argv.push(match *a {
            "OUT" => out.display().to_string(),
            "CORE" => core.display().to_string(),
            a => a.to_string(),
        });
    }
    if args[0] != "diff" {
        argv.extend(["--node".into(), node.display().to_string()]);
    }
    argv.push("-q".into());
    let script = format!(
        "ulimit -v {MEMORY_LIMIT_KB}; exec timeout -s KILL {} \"$@\"",
        TIME_LIMIT.as_secs()
    );
    let started = Instant::now();
    let o = Command::new("bash")
        .args(["-c", &script, "bash", env!("CARGO_BIN_EXE_corewalk")])
        .args(&argv)
        .output()
        .expect("run corewalk");
    assert!(
        started.elapsed() < TIME_LIMIT,
        "{argv:?} on {}: no answer within {TIME_LIMIT:?}",
        core.display()
    );
    (o.status.code().unwrap_or(-1), stderr(&o))
}

/// Check every command on `core`; `usable`: whether the core can be read at all.
fn check(name: &str, core: &Path, node: &Path, usable: bool) {
    let out = temp_dir(&format!("corpus-out-{name}")).join("x.heapsnapshot");
    for args in COMMANDS {
        let (code, err) = run(core, node, args, &out);
        let what = format!("{name}: corewalk {}", args.join(" "));
        assert_ne!(code, 101, "{what} panicked: {err}");
        assert!(matches!(code, 0 | 1 | 3), "{what}: exit {code}: {err}");
        let first = err.lines().next().unwrap_or("");
        match code {
            1 => {
                assert!(first.starts_with("corewalk: "), "{what}: {err}");
                assert_eq!(err.lines().count(), 1, "{what}: one line: {err}");
            }
            3 => assert!(first.starts_with("warning: "), "{what}: {err}"),
            _ => {}
        }
        if !usable {
            assert_eq!(code, 1, "{what} should refuse: {err}");
        }
    }
}

/// Program headers: (header offset, p_type, p_offset, p_vaddr, p_filesz).
fn phdrs(core: &[u8]) -> Vec<(usize, u32, u64, u64, u64)> {
    let u64_at = |o: usize| u64::from_le_bytes(core[o..o + 8].try_into().unwrap());
    let phoff = u64_at(32) as usize;
    let phnum = u16::from_le_bytes(core[56..58].try_into().unwrap()) as usize;
    (0..phnum)
        .map(|i| {
            let h = phoff + 56 * i;
            let t = u32::from_le_bytes(core[h..h + 4].try_into().unwrap());
            (h, t, u64_at(h + 8), u64_at(h + 16), u64_at(h + 32))
        })
        .collect()
}

#[test]
fn broken_cores_are_refused_or_read_in_part() {
    let made = core_of("small.js", 22, "kernel");
    let node = made.node.clone();
    let full = std::fs::read(&made.core).unwrap();
    let d = temp_dir("corpus");
    let headers = phdrs(&full);
    let note = headers.iter().find(|h| h.1 == 4).expect("a PT_NOTE");
    // The heap: the largest loadable segment with bytes in the file.
    let heap = headers
        .iter()
        .filter(|h| h.1 == 1 && h.4 >= 0x40000)
        .max_by_key(|h| h.4)
        .expect("a big segment");
    let mut corpus: Vec<(String, Vec<u8>, bool)> = Vec::new();
    corpus.push(("intact".into(), full.clone(), true));
    corpus.push(("cut-in-elf-header".into(), full[..40].to_vec(), false));
    corpus.push(("cut-in-phdrs".into(), full[..200].to_vec(), false));
    let in_notes = (note.2 + note.4 / 2) as usize;
    corpus.push(("cut-in-notes".into(), full[..in_notes].to_vec(), true));
    let in_heap = (heap.2 + heap.4 / 2) as usize;
    corpus.push(("cut-in-heap".into(), full[..in_heap].to_vec(), true));
    // A segment whose bytes would lie past the end of the file.
    let mut past = full.clone();
    past[heap.0 + 8..heap.0 + 16].copy_from_slice(&(full.len() as u64 * 4).to_le_bytes());
    corpus.push(("segment-past-end".into(), past, true));
    // A heap segment zeroed, and one filled with random bytes.
    let mut zero = full.clone();
    zero[heap.2 as usize..(heap.2 + heap.4) as usize].fill(0);
    corpus.push(("zeroed-heap".into(), zero, true));
    let mut random = full.clone();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for b in &mut random[heap.2 as usize..(heap.2 + heap.4) as usize] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    corpus.push(("random-heap".into(), random, true));
    for (name, bytes, usable) in &corpus {
        let f = d.join(name);
        std::fs::write(&f, bytes).unwrap();
        check(name, &f, &node, *usable);
    }
    // A core of another program: refused by the heap commands, its stack still printed.
    let sleep = core_of_program(&["sleep", "100"], &temp_dir("corpus-sleep"));
    for args in COMMANDS {
        let (code, err) = run(&sleep, Path::new("/bin/sleep"), args, &d.join("x"));
        assert_ne!(code, 101, "sleep: {args:?} panicked: {err}");
        let expected = if args[0] == "stack" { 3 } else { 1 };
        assert_eq!(code, expected, "sleep: {args:?}: {err}");
    }
}
