//! Unusable and damaged inputs: each gives a clear one-line error (exit 1), or a partial result
//! with a warning (exit 3); never a panic (exit 101).

mod common;
use common::*;
use std::fs;

#[test]
fn a_text_file_is_not_elf() {
    let d = temp_dir("not-elf");
    let f = d.join("notes.txt");
    fs::write(&f, "this is not a core\n").unwrap();
    assert_refused(&corewalk(&["info", p(&f)]), "is not an ELF file");
    let empty = d.join("empty");
    fs::write(&empty, "").unwrap();
    assert_refused(&corewalk(&["info", p(&empty)]), "is not an ELF file");
}

#[test]
fn an_executable_is_not_a_core() {
    let node = node_for(20);
    assert_refused(
        &corewalk(&["info", p(&node)]),
        "is an ELF file but not a core file (type executable)",
    );
}

#[test]
fn a_missing_file_is_named() {
    assert_refused(
        &corewalk(&["info", "/nonexistent/core.1"]),
        "cannot read /nonexistent/core.1",
    );
}

#[test]
fn garbage_after_elf_magic_is_refused() {
    let d = temp_dir("garbage");
    let f = d.join("core");
    let mut bytes = b"\x7fELF\x02\x01\x01".to_vec();
    let mut x: u32 = 12345;
    for _ in 0..4096 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        bytes.push((x >> 16) as u8);
    }
    fs::write(&f, &bytes).unwrap();
    let out = corewalk(&["info", p(&f)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

#[test]
fn truncated_cores_are_refused_or_partial() {
    let made = core_of("small.js", 22, "kernel");
    let full = fs::read(&made.core).unwrap();
    let d = temp_dir("truncated");
    // Inside the ELF header, and inside the program header table: nothing usable.
    for (name, len) in [("in-header", 40usize), ("in-phdrs", 200)] {
        let f = d.join(name);
        fs::write(&f, &full[..len]).unwrap();
        let out = corewalk(&["info", p(&f)]);
        assert_refused(&out, "truncated");
    }
    // Inside the memory: the report is printed, flagged partial (exit 3) with a warning first.
    let f = d.join("in-memory");
    fs::write(&f, &full[..full.len() * 3 / 4]).unwrap();
    let out = corewalk(&["info", "--json", p(&f)]);
    assert_eq!(out.status.code(), Some(3), "stderr: {}", stderr(&out));
    let first = stderr(&out).lines().next().unwrap_or("").to_string();
    assert!(first.contains("core is truncated"), "first line: {first}");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(r["process"]["pid"], made.live["pid"]);
    assert_eq!(r["partial"], true);
}

#[test]
fn a_core_of_another_program_is_not_node() {
    let d = temp_dir("sleep-core");
    let core = core_of_program(&["sleep", "100"], &d);
    assert_refused(
        &corewalk(&["info", p(&core)]),
        "not a Node.js process: /usr/bin/sleep has no V8 postmortem metadata",
    );
}

#[test]
fn a_deleted_executable_is_reported() {
    let d = temp_dir("deleted-exe");
    let exe = d.join("mysleep");
    fs::copy("/usr/bin/sleep", &exe).unwrap();
    let core = core_of_program(&[p(&exe), "100"], &d);
    fs::remove_file(&exe).unwrap();
    assert_refused(
        &corewalk(&["info", p(&core)]),
        "does not exist here; pass --node PATH",
    );
    assert_refused(
        &corewalk(&["info", "--node", "/nonexistent/node", p(&core)]),
        "cannot read /nonexistent/node",
    );
}

#[test]
fn a_mismatched_node_is_refused_unless_forced() {
    let made = core_of("small.js", 22, "kernel");
    let other = node_for(20);
    let out = corewalk(&["info", "--node", p(&other), p(&made.core)]);
    assert_refused(&out, "does not match the core: build-id");
    let forced = corewalk(&["info", "--force", "--node", p(&other), p(&made.core)]);
    assert_ne!(forced.status.code(), Some(101), "{}", stderr(&forced));
    assert!(
        !stderr(&forced).contains("does not match the core"),
        "--force must get past the check"
    );
}

/// The file offset of virtual address `va` in an ELF core (from its PT_LOAD headers).
fn file_offset(core: &[u8], va: u64) -> Option<u64> {
    use object::read::elf::{FileHeader, ProgramHeader};
    let e = object::elf::FileHeader64::<object::LittleEndian>::parse(core).ok()?;
    let endian = e.endian().ok()?;
    e.program_headers(endian, core).ok()?.iter().find_map(|ph| {
        let (v, off, sz) = (ph.p_vaddr(endian), ph.p_offset(endian), ph.p_filesz(endian));
        (ph.p_type(endian) == object::elf::PT_LOAD && v <= va && va < v + sz).then(|| off + va - v)
    })
}

/// The instances of `class`; a damaged core's listing must be flagged partial (exit 3 and the
/// walk's warning), an intact one's complete (exit 0).
fn instances(core: &str, class: &str) -> Vec<u64> {
    let out = corewalk(&[
        "objects", core, "--class", class, "--limit", "1000000", "--json",
    ]);
    let damaged = core.contains("damaged");
    assert_eq!(
        out.status.code(),
        Some(if damaged { 3 } else { 0 }),
        "objects --class {class} on {core}: {}",
        stderr(&out)
    );
    if damaged {
        assert!(stderr(&out).contains("stopped before the page's end"));
    }
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    r["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["type"] == "object")
        .map(|o| {
            u64::from_str_radix(o["address"].as_str().unwrap().trim_start_matches("0x"), 16)
                .unwrap()
        })
        .collect()
}

#[test]
fn garbage_in_a_heap_page_is_reported_and_the_rest_stays_right() {
    for major in [20, 26] {
        let made = core_of("zoo.js", major, "kernel");
        let original = p(&made.core);
        let sessions = instances(original, "Session");
        // Damage the page holding the 100th Session: random bytes from 8 KiB into the page to
        // its end (the page header stays, so the page is still found and its damage seen).
        let page = sessions[100] & !0x3ffff;
        let (from, to) = (page + 0x2000, page + 0x40000);
        let mut bytes = fs::read(&made.core).unwrap();
        let off = file_offset(&bytes, from).expect("page in the core") as usize;
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for b in &mut bytes[off..off + (to - from) as usize] {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
        let d = temp_dir(&format!("damaged-page-{major}"));
        let damaged = d.join("core");
        fs::write(&damaged, &bytes).unwrap();
        let damaged = p(&damaged);

        let out = corewalk(&["analyze", damaged, "--json"]);
        assert_eq!(
            out.status.code(),
            Some(3),
            "partial result: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("stopped before the page's end"),
            "{}",
            stderr(&out)
        );
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let bad = r["undecodable"].as_array().unwrap();
        assert!(
            bad.iter().any(|u| u["page"] == page),
            "damage on {page:#x} reported: {bad:?}"
        );
        // Nothing else is reported that the undamaged core did not report already.
        let before = corewalk(&["analyze", original, "--json"]);
        let before: serde_json::Value = serde_json::from_slice(&before.stdout).unwrap();
        let before: Vec<&serde_json::Value> =
            before["undecodable"].as_array().unwrap().iter().collect();
        // Elsewhere, only objects whose map lived in the damaged range (or what the undamaged
        // core already reported) may be undecodable.
        let mut lost: Vec<(u64, u64)> = Vec::new();
        for u in bad.iter().filter(|u| u["page"] != page) {
            let at = u["at"].as_u64().unwrap();
            let word =
                u64::from_str_radix(u["word"].as_str().unwrap().trim_start_matches("0x"), 16)
                    .unwrap();
            let map_was_damaged = (from..to).contains(&(word & !3));
            assert!(
                map_was_damaged || before.contains(&u),
                "Node {major}: new damage outside the page: {u}"
            );
            // The walk of that page stops there: what follows on it is lost with the map.
            let _ = at;
            let p0 = u["page"].as_u64().unwrap();
            lost.push((p0, p0 + 0x40000));
        }
        // Instances outside the damaged range are all still found, at the same addresses.
        for class in ["Session", "Point", "Date", "Node3"] {
            let before = instances(original, class);
            let after = instances(damaged, class);
            let outside: Vec<u64> = before
                .iter()
                .copied()
                .filter(|&a| !(from..to).contains(&a))
                .filter(|&a| !lost.iter().any(|&(s, e)| (s..e).contains(&a)))
                .collect();
            // Nothing invented, and everything on pages without reported damage still found.
            assert!(
                after.iter().all(|a| before.contains(a)),
                "Node {major}: {class}: objects that were not there"
            );
            // An object can keep its address and map but lose its class name, when what names
            // it (its constructor, the function's name) was in the damaged range: it must still
            // decode as an object at that address.
            let missing: Vec<&u64> = outside.iter().filter(|a| !after.contains(a)).collect();
            for &&a in missing.iter().take(5) {
                let out = corewalk(&["inspect", damaged, &format!("{a:#x}"), "--json"]);
                assert!(
                    matches!(out.status.code(), Some(0) | Some(3)),
                    "Node {major}: {class} at {a:#x} outside the damaged pages lost: {}",
                    stderr(&out)
                );
                let o: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                assert_eq!(o["address"], format!("{a:#x}"), "Node {major}: {o}");
            }
        }
        // The text output says so too.
        let out = corewalk(&["analyze", damaged]);
        assert!(String::from_utf8_lossy(&out.stdout).contains("stopped before the page's end"));
    }
}

#[test]
fn every_command_documents_its_exit_statuses_and_usage_errors_exit_2() {
    let commands = [
        "info",
        "analyze",
        "objects",
        "snapshot",
        "diff",
        "retainers",
        "refs",
        "stack",
        "inspect",
    ];
    for c in commands {
        let help = corewalk(&[c, "--help"]);
        assert_eq!(help.status.code(), Some(0), "{c} --help");
        let text = String::from_utf8_lossy(&help.stdout);
        for line in [
            "0    success",
            "1    unusable input",
            "2    usage error",
            "3    partial result",
        ] {
            assert!(
                text.contains(line),
                "`{c} --help` does not say `{line}`:\n{text}"
            );
        }
        // No arguments is a usage error, with clap's own message.
        let bare = corewalk(&[c]);
        assert_eq!(
            bare.status.code(),
            Some(2),
            "{c} without arguments: {}",
            stderr(&bare)
        );
    }
    let top = corewalk(&["--help"]);
    assert!(String::from_utf8_lossy(&top.stdout).contains("101  a panic"));
}

#[test]
fn snapshot_never_replaces_its_input_or_a_device_or_pipe_it_writes_to() {
    use std::os::unix::fs::FileTypeExt;
    let made = core_of("small.js", 22, "kernel");
    let before = fs::metadata(&made.core).unwrap();
    // The core itself as output: refused, untouched.
    let out = corewalk(&["snapshot", p(&made.core), "-o", p(&made.core)]);
    assert_refused(&out, "is the core being read");
    let after = fs::metadata(&made.core).unwrap();
    assert_eq!(before.len(), after.len());
    assert_eq!(before.modified().unwrap(), after.modified().unwrap());
    // A FIFO as output: written through (a rename would have replaced it with a file).
    let d = temp_dir("fifo-out");
    let fifo = d.join("snapshot.fifo");
    let _ = fs::remove_file(&fifo);
    let made_fifo = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made_fifo.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read(&fifo).unwrap())
    };
    let out = corewalk(&["-q", "snapshot", p(&made.core), "-o", p(&fifo)]);
    // Had corewalk not opened the FIFO, release the reader (an open without a reader fails).
    {
        use std::os::unix::fs::OpenOptionsExt;
        let _ = fs::OpenOptions::new()
            .write(true)
            .custom_flags(0o4000) // O_NONBLOCK
            .open(&fifo);
    }
    assert!(
        matches!(out.status.code(), Some(0) | Some(3)),
        "snapshot to a FIFO: {}",
        stderr(&out)
    );
    let bytes = reader.join().unwrap();
    let parsed: serde_json::Value = serde_json::from_slice(&bytes).expect("a whole snapshot");
    assert!(parsed["snapshot"]["node_count"].as_u64().unwrap() > 1000);
    assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
    let leftovers: Vec<_> = fs::read_dir(&d)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn a_closed_stdout_is_no_panic() {
    let made = core_of("small.js", 20, "kernel");
    let core = p(&made.core);
    for args in [
        &["info", core][..],
        &["analyze", core, "-q"],
        &["objects", core, "--class", "Object", "-q"],
        &["stack", core, "--args"],
        &["retainers", core, "--class", "Object", "-q"],
        &["diff", core, core, "-q"],
    ] {
        // The reading end is closed before corewalk writes anything (as `| head -0` would).
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_corewalk"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run corewalk");
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait for corewalk");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(0) | Some(3)) && !err.contains("panicked"),
            "corewalk {args:?} with stdout closed: {:?} {err}",
            out.status.code()
        );
    }
}
