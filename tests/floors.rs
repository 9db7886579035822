//! The library's floors (see `src/lib.rs`): every module may use its own folder and the floors
//! below it, never one above. Read from the sources: a `crate::` path to a higher floor in code
//! (comments aside) fails.

use std::path::{Path, PathBuf};

/// A top-level module and its floor (higher may use lower).
const FLOORS: &[(&str, u32)] = &[
    ("error", 0),
    ("progress", 0),
    ("memory", 0),
    ("core", 1),
    ("binary", 1),
    ("process", 2),
    ("v8", 3),
    ("graph", 4),
    ("snapshot", 5),
    ("stack", 5),
    ("report", 6),
];

fn floor(module: &str) -> Option<u32> {
    FLOORS.iter().find(|(m, _)| *m == module).map(|&(_, f)| f)
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read src") {
        let p = e.expect("dir entry").path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_module_uses_a_floor_above_its_own() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut checked = 0;
    let mut wrong = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).expect("under src");
        let first = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or("")
            .trim_end_matches(".rs");
        // The command line (src/bin) and the crate root may use everything.
        let Some(own) = floor(first) else {
            continue;
        };
        let text = std::fs::read_to_string(f).expect("read a source file");
        for (n, line) in text.lines().enumerate() {
            // Comments may name who calls a module; code may not reach up.
            let mut rest = line.split("//").next().unwrap_or_default();
            while let Some(i) = rest.find("crate::") {
                rest = &rest[i + "crate::".len()..];
                let used: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if let Some(theirs) = floor(&used) {
                    checked += 1;
                    if theirs > own {
                        wrong.push(format!(
                            "{}:{}: {first} (floor {own}) uses {used} (floor {theirs})",
                            rel.display(),
                            n + 1
                        ));
                    }
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} crate paths found");
    assert!(
        wrong.is_empty(),
        "uses of higher floors:\n{}",
        wrong.join("\n")
    );
}
