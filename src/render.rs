//! Human-readable tables and JSON output of the library's reports.

use corewalk::info::InfoReport;
use std::io::Write;

/// Print any report as pretty JSON on stdout.
pub fn json<T: serde::Serialize>(report: &T) {
    let out = std::io::stdout();
    let mut out = out.lock();
    // A closed stdout (e.g. `| head`) is not an error worth a panic.
    let _ = serde_json::to_writer_pretty(&mut out, report);
    let _ = writeln!(out);
}

/// Bytes as a short human number (KiB/MiB/GiB, binary units).
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Print the `info` report as text.
pub fn info(r: &InfoReport) {
    let mut s = String::new();
    use std::fmt::Write as _;
    let p = &r.process;
    let _ = writeln!(
        s,
        "Core        {} ({}, {} segments, {} captured of {} mapped)",
        r.core.path,
        bytes(r.core.file_size),
        r.core.segments,
        bytes(r.core.captured_bytes),
        bytes(r.core.memory_bytes)
    );
    let _ = writeln!(
        s,
        "Process     pid {}  ppid {}  uid {}  command {}",
        opt(p.pid),
        opt(p.ppid),
        opt(p.uid),
        p.command.as_deref().unwrap_or("?")
    );
    let _ = writeln!(
        s,
        "Executable  {}",
        p.executable_path.as_deref().unwrap_or("?")
    );
    let _ = writeln!(
        s,
        "Command     {}{}",
        p.argv.join(" "),
        if p.argv_complete {
            ""
        } else {
            "  (truncated: from pr_psargs)"
        }
    );
    match &p.signal {
        Some(sig) => {
            let _ = writeln!(
                s,
                "Signal      {} ({})",
                sig.name.unwrap_or("?"),
                sig.number
            );
        }
        None => {
            let _ = writeln!(s, "Signal      none (core taken from a live process)");
        }
    }
    let e = &r.executable;
    let check = match &e.build_id {
        corewalk::process::BuildIdCheck::Match { build_id } => {
            format!("build-id {build_id} matches the core")
        }
        corewalk::process::BuildIdCheck::Mismatch { exe, core } => {
            format!("build-id MISMATCH: {exe} vs core {core} (forced)")
        }
        corewalk::process::BuildIdCheck::Unverified { reason } => {
            format!("build-id not verified: {reason}")
        }
    };
    let found = match e.found_by {
        corewalk::process::ExeSource::CoreNote => "path from the core",
        corewalk::process::ExeSource::User => "--node",
    };
    let _ = writeln!(s, "Node binary {} ({found}; {check})", e.path);
    let _ = writeln!(
        s,
        "Versions    Node {}  V8 {}  ({} v8dbg symbols)",
        r.versions.node.as_deref().unwrap_or("?"),
        r.versions.v8.as_deref().unwrap_or("?"),
        e.v8dbg_symbols
    );
    let _ = writeln!(s, "\nThreads ({})", p.threads.len());
    let _ = writeln!(
        s,
        "  {:>8}  {:>18}  {:>18}  name (main thread: command; others: start routine)",
        "tid", "rip", "rsp"
    );
    for t in &p.threads {
        let name = match (&t.name, t.main) {
            (Some(n), true) => format!("{n} (main)"),
            (None, true) => "(main)".to_string(),
            (Some(n), false) => n.clone(),
            (None, false) => "-".to_string(),
        };
        let _ = writeln!(s, "  {:>8}  {:#18x}  {:#18x}  {name}", t.tid, t.rip, t.rsp);
    }
    if let Some(h) = &r.heap {
        let _ = writeln!(
            s,
            "\nV8 heap (Heap at {:#x}, {} layout)",
            h.heap_address, h.layout
        );
        let _ = writeln!(
            s,
            "  {:<34} {:>6} {:>12} {:>12}",
            "space", "pages", "committed", "used"
        );
        for sp in &h.spaces {
            let _ = writeln!(
                s,
                "  {:<34} {:>6} {:>12} {:>12}",
                sp.name,
                sp.pages,
                bytes(sp.committed),
                bytes(sp.used)
            );
        }
        let _ = writeln!(
            s,
            "  {:<34} {:>6} {:>12} {:>12}",
            "total",
            h.total_pages,
            bytes(h.total_committed),
            bytes(h.total_used)
        );
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes());
}

/// Print warnings on stderr, one line each.
pub fn warnings(ws: &[String]) {
    for w in ws {
        eprintln!("warning: {w}");
    }
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "?".to_string(), |v| v.to_string())
}
