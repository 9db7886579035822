//! Human-readable tables and JSON output of the library's reports.

use corewalk::report::analyze::AnalyzeReport;
use corewalk::report::info::InfoReport;
use corewalk::report::inspect::{InspectReport, ObjectsReport};
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
pub fn warnings(ws: &[corewalk::Warning]) {
    for w in ws {
        eprintln!("warning: {w}");
    }
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "?".to_string(), |v| v.to_string())
}

/// Print the `analyze` report as text: totals, then the `top` largest classes.
pub fn analyze(r: &AnalyzeReport, top: usize) {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Heap        {} objects, {} (Node {}, V8 {})",
        r.objects,
        bytes(r.bytes),
        r.node_version.as_deref().unwrap_or("?"),
        r.v8_version.as_deref().unwrap_or("?")
    );
    let _ = writeln!(
        s,
        "Strings     {}    ArrayBuffer backing stores: {} in {} buffers (outside the heap)",
        bytes(r.string_bytes),
        bytes(r.array_buffer_backing_bytes),
        r.array_buffers
    );
    if !r.undecodable.is_empty() {
        let lost: u64 = r.undecodable.iter().map(|u| u.skipped_bytes).sum();
        let _ = writeln!(
            s,
            "{} page walk(s) stopped before the page's end ({} not walked):",
            r.undecodable.len(),
            bytes(lost)
        );
        for u in r.undecodable.iter().take(10) {
            let _ = writeln!(s, "  {}", u.reason);
        }
    }
    let _ = writeln!(s);
    let retained = r.classes.iter().any(|c| c.retained_size.is_some());
    let _ = writeln!(
        s,
        "  {:>10} {:>12} {:>6}{}  {:<20} class",
        "count",
        "self size",
        "share",
        if retained {
            format!(" {:>12}", "retained")
        } else {
            String::new()
        },
        "type"
    );
    let total = r.bytes.max(1) as f64;
    let shown = if top == 0 {
        r.classes.len()
    } else {
        top.min(r.classes.len())
    };
    for c in &r.classes[..shown] {
        let name = if c.name.is_empty() {
            "(anonymous)"
        } else {
            &c.name
        };
        let ret = match c.retained_size {
            Some(v) => format!(" {:>12}", bytes(v)),
            None if retained => format!(" {:>12}", ""),
            None => String::new(),
        };
        let _ = writeln!(
            s,
            "  {:>10} {:>12} {:>5.1}%{ret}  {:<20} {}",
            c.count,
            bytes(c.self_size),
            100.0 * c.self_size as f64 / total,
            c.node_type,
            one_line(name, 100)
        );
    }
    if shown < r.classes.len() {
        let rest = &r.classes[shown..];
        let _ = writeln!(
            s,
            "  {:>10} {:>12} {:>5.1}%  ({} more classes; --top 0 shows all)",
            rest.iter().map(|c| c.count).sum::<u64>(),
            bytes(rest.iter().map(|c| c.self_size).sum()),
            100.0 * rest.iter().map(|c| c.self_size).sum::<u64>() as f64 / total,
            rest.len()
        );
    }
    if !r.top_retainers.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(s, "  largest retainers:");
        for t in &r.top_retainers {
            let _ = writeln!(
                s,
                "  {:>18} {:>12} retained {:>10} self  {} {}",
                t.address,
                bytes(t.retained_size),
                bytes(t.self_size),
                t.node_type,
                one_line(
                    if t.class.is_empty() {
                        "(anonymous)"
                    } else {
                        &t.class
                    },
                    80
                )
            );
        }
    }
    if !r.leak_suspects.is_empty() {
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "  leak suspects (containers holding most instances of a class):"
        );
        for (k, l) in r.leak_suspects.iter().enumerate() {
            let holds: Vec<String> = l
                .holds
                .iter()
                .map(|(c, n, share)| format!("{n} {} ({:.0}%)", one_line(c, 40), 100.0 * share))
                .collect();
            let _ = writeln!(
                s,
                "  {}. {} {} retains {}: holds {}",
                k + 1,
                one_line(&l.class, 60),
                l.address,
                bytes(l.retained_size),
                holds.join(", ")
            );
            for step in l.path.iter().take(8) {
                let _ = writeln!(s, "       ← {}", one_line(step, 100));
            }
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "  {:<28} {:>10} {:>12}", "space", "objects", "bytes");
    for sp in &r.spaces {
        let _ = writeln!(
            s,
            "  {:<28} {:>10} {:>12}",
            sp.name,
            sp.objects,
            bytes(sp.bytes)
        );
    }
    print_out(&s);
}

/// A name on one line, cut to `max` characters.
pub fn one_line(s: &str, max: usize) -> String {
    let flat: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(max + 1)
        .collect();
    if flat.chars().count() > max {
        format!("{}…", flat.chars().take(max).collect::<String>())
    } else {
        flat
    }
}

fn print_out(s: &str) {
    let out = std::io::stdout();
    let mut out = out.lock();
    let _ = out.write_all(s.as_bytes());
}

/// Print the `objects` report: one line per instance.
pub fn objects(r: &ObjectsReport) {
    use std::fmt::Write as _;
    let mut s = String::new();
    for o in &r.objects {
        let _ = writeln!(
            s,
            "{:>18}  {:>8}  {}",
            o.address,
            o.size,
            one_line(&o.preview, 160)
        );
    }
    let _ = writeln!(
        s,
        "{} instance(s) of {}{}",
        r.count,
        r.class,
        if (r.objects.len() as u64) < r.count {
            format!(" ({} listed; --limit for more)", r.objects.len())
        } else {
            String::new()
        }
    );
    print_out(&s);
}

/// Print the `inspect` report.
pub fn inspect(r: &InspectReport) {
    use std::fmt::Write as _;
    let mut s = String::new();
    let class = if r.class.is_empty() {
        "(anonymous)"
    } else {
        &r.class
    };
    let _ = writeln!(
        s,
        "{}: {} ({}; V8 {}), {} bytes, map {}, {}",
        r.address,
        one_line(class, 100),
        r.node_type,
        r.v8_type,
        r.size,
        r.map,
        r.space
    );
    if let Some(st) = &r.string {
        let _ = writeln!(
            s,
            "  string ({}, length {}{}): {:?}",
            st.representation,
            st.length,
            if st.truncated { ", cut" } else { "" },
            st.text
        );
    }
    if let Some(n) = &r.number {
        let _ = writeln!(s, "  value: {n}");
    }
    if let Some(d) = &r.date {
        let _ = writeln!(s, "  date: {d}");
    }
    if let Some(f) = &r.function {
        let name = if f.name.is_empty() {
            "(anonymous)"
        } else {
            &f.name
        };
        match (&f.script, f.line, f.column) {
            (Some(sc), Some(l), Some(c)) => {
                let _ = writeln!(s, "  function {name} at {sc}:{l}:{c}");
            }
            _ => {
                let _ = writeln!(s, "  function {name} (location unknown)");
            }
        }
    }
    let list = |s: &mut String, title: &str, vs: &[corewalk::report::inspect::Value]| {
        if vs.is_empty() {
            return;
        }
        let _ = writeln!(s, "  {title}:");
        for v in vs {
            let _ = writeln!(
                s,
                "    {}: {}",
                one_line(&v.name, 60),
                one_line(&v.value, 120)
            );
        }
    };
    list(&mut s, "properties", &r.properties);
    if let Some(e) = &r.elements {
        let _ = writeln!(s, "  elements ({}, length {}):", e.kind, e.length);
        for v in &e.items {
            let _ = writeln!(s, "    [{}]: {}", v.name, one_line(&v.value, 120));
        }
        if e.more {
            let _ = writeln!(s, "    …");
        }
    }
    if let Some(es) = &r.entries {
        let total = r.entries_total.unwrap_or(es.len() as u64);
        let _ = writeln!(
            s,
            "  entries ({total}{}):",
            if total > es.len() as u64 {
                format!(", {} shown", es.len())
            } else {
                String::new()
            }
        );
        for v in es {
            if v.value.is_empty() {
                let _ = writeln!(s, "    {}", one_line(&v.name, 60));
            } else {
                let _ = writeln!(
                    s,
                    "    {} => {}",
                    one_line(&v.name, 60),
                    one_line(&v.value, 100)
                );
            }
        }
    }
    list(&mut s, "context variables", &r.context);
    if let Some(p) = &r.prototype {
        let _ = writeln!(s, "  [[Prototype]]: {}", p.value);
    }
    print_out(&s);
}

/// A progress bar on stderr when it is a terminal and not `--quiet`; otherwise nothing.
pub fn progress(quiet: bool) -> Box<dyn corewalk::progress::Progress> {
    use std::io::IsTerminal;
    if std::env::var_os("COREWALK_TIMINGS").is_some() {
        return Box::new(Timings(std::sync::Mutex::new(None)));
    }
    if quiet || !std::io::stderr().is_terminal() {
        return Box::new(corewalk::progress::Silent);
    }
    Box::new(Bar(std::sync::Mutex::new(None)))
}

/// With `COREWALK_TIMINGS` set (benchmarks, profiling): one line per phase on stderr, with its
/// wall time.
struct Timings(std::sync::Mutex<Option<(String, std::time::Instant)>>);

impl corewalk::progress::Progress for Timings {
    fn start(&self, phase: &str, _: u64, _: corewalk::progress::Unit) {
        if let Ok(mut p) = self.0.lock() {
            *p = Some((phase.to_string(), std::time::Instant::now()));
        }
    }
    fn advance(&self, _: u64) {}
    fn finish(&self) {
        if let Ok(mut p) = self.0.lock() {
            if let Some((phase, t)) = p.take() {
                eprintln!("timing: {phase}: {:.3} s", t.elapsed().as_secs_f64());
            }
        }
    }
}

/// indicatif's bar behind the library's `Progress`.
struct Bar(std::sync::Mutex<Option<indicatif::ProgressBar>>);

impl corewalk::progress::Progress for Bar {
    fn start(&self, phase: &str, total: u64, unit: corewalk::progress::Unit) {
        let template = match unit {
            corewalk::progress::Unit::Bytes => {
                "{msg:24} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}"
            }
            corewalk::progress::Unit::Items => {
                "{msg:24} [{bar:30}] {pos}/{len} {per_sec} eta {eta}"
            }
        };
        let bar = indicatif::ProgressBar::new(total);
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(phase.to_string());
        if let Ok(mut b) = self.0.lock() {
            *b = Some(bar);
        }
    }
    fn advance(&self, n: u64) {
        if let Ok(b) = self.0.lock() {
            if let Some(bar) = b.as_ref() {
                bar.inc(n);
            }
        }
    }
    fn finish(&self) {
        if let Ok(mut b) = self.0.lock() {
            if let Some(bar) = b.take() {
                bar.finish_and_clear();
            }
        }
    }
}

pub fn stack(r: &corewalk::report::stack::StackReport) {
    use std::fmt::Write as _;
    let mut s = String::new();
    for m in &r.missing_libraries {
        eprintln!("warning: {m}");
    }
    for (i, t) in r.threads.iter().enumerate() {
        if i > 0 {
            let _ = writeln!(s);
        }
        let role = if t.main { ", main thread" } else { "" };
        let _ = writeln!(
            s,
            "Thread {} ({}{role})",
            t.tid,
            t.name.as_deref().unwrap_or("?")
        );
        for (k, f) in t.frames.iter().enumerate() {
            for js in f.js.iter().flat_map(|j| &j.inlined) {
                let _ = writeln!(s, "  #{k:<3} {:18}  {}  [JS inlined]", "", js_label(js));
            }
            let what = match (&f.js, &f.symbol) {
                (Some(js), _) if js.function.is_some() => {
                    format!("{}  [JS {}]", js_label(js), js.kind)
                }
                (Some(js), Some(sym)) => format!("{sym}  [V8 {} frame]", js.kind),
                (Some(js), None) => format!("<V8 {} frame>", js.kind),
                (None, Some(sym)) => {
                    let module = f
                        .module
                        .as_deref()
                        .and_then(|m| m.rsplit('/').next())
                        .unwrap_or("?");
                    format!("{sym}+{:#x} ({module})", f.offset.unwrap_or(0))
                }
                (None, None) => match &f.module {
                    Some(m) => format!("?? ({})", m.rsplit('/').next().unwrap_or(m)),
                    None => "?? (generated code)".into(),
                },
            };
            let _ = writeln!(s, "  #{k:<3} {:#018x}  {what}  <{}>", f.pc, f.how.label());
        }
        if let Some(why) = &t.stopped {
            let _ = writeln!(s, "  -- walk stopped: {why}");
        }
    }
    print_out(&s);
}

/// `name(args) at script:line:column` of a JavaScript frame.
fn js_label(js: &corewalk::v8::frames::JsFrame) -> String {
    let name = js.function.as_deref().unwrap_or("(anonymous)");
    let at = match (&js.script, js.line) {
        (Some(s), Some(l)) => format!(
            " at {s}:{l}:{}{}",
            js.column.unwrap_or(0),
            if js.exact { "" } else { " (function start)" }
        ),
        (Some(s), None) => format!(" at {s}"),
        _ => String::new(),
    };
    let args = if js.args.is_empty() {
        String::new()
    } else {
        format!("({})", js.args.join(", "))
    };
    format!("{name}{args}{at}")
}

pub fn diff(r: &corewalk::report::diff::DiffReport, top: usize) {
    use std::fmt::Write as _;
    let mut s = String::new();
    for (label, side) in [("A", &r.a), ("B", &r.b)] {
        let version = side
            .node_version
            .as_deref()
            .map(|v| format!(", Node {v}"))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "{label}  {} ({}{version}): {} objects, {}",
            side.path,
            side.kind,
            side.objects,
            bytes(side.bytes)
        );
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{:>10} {:>10} {:>10} {:>12} {:>12}  class",
        "count A", "count B", "change", "bytes A", "change"
    );
    for d in r.classes.iter().take(top) {
        let _ = writeln!(
            s,
            "{:>10} {:>10} {:>+10} {:>12} {:>12}  {}",
            d.count_a,
            d.count_b,
            d.count_change,
            bytes(d.bytes_a),
            signed_bytes(d.bytes_change),
            one_line(&d.name, 80)
        );
    }
    if r.classes.len() > top {
        let _ = writeln!(
            s,
            "... {} more classes (--top, or --json for all)",
            r.classes.len() - top
        );
    }
    print_out(&s);
}

fn signed_bytes(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "+" };
    format!("{sign}{}", bytes(n.unsigned_abs()))
}

pub fn retainers(r: &corewalk::report::leaks::RetainersReport) {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} instance(s) of {}{}",
        r.instances,
        r.class,
        if r.unreachable > 0 {
            format!(" ({} unreachable: dead, not yet collected)", r.unreachable)
        } else {
            String::new()
        }
    );
    for g in &r.groups {
        let mut line = format!("{} × {}", g.count, one_line(&r.class, 60));
        for step in &g.path {
            line.push_str(" ← ");
            line.push_str(step);
        }
        if g.more_steps > 0 {
            line.push_str(&format!(" ← ... {} more", g.more_steps));
        }
        let _ = writeln!(s, "{line}");
        let _ = writeln!(s, "    e.g. {}", g.example);
    }
    print_out(&s);
}

pub fn refs(r: &corewalk::report::leaks::RefsReport) {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} {}: {} referrer(s)",
        r.address,
        r.class,
        r.referrers.len()
    );
    for f in &r.referrers {
        let _ = writeln!(
            s,
            "  {:>18}  {} {}{}",
            f.address,
            f.edge,
            one_line(&f.class, 80),
            if f.reachable { "" } else { "  (unreachable)" }
        );
    }
    print_out(&s);
}
