//! `corewalk diff A B`: per class, instances and bytes in A and in B and the change, largest
//! growth first. Either side is a core or a `.heapsnapshot` file (V8's own or ours); both are
//! summarized as DevTools' Summary view counts classes ([`crate::report::summary`]).

use crate::error::{Diagnostics, Error, Result, Warning};
use crate::process::OpenOptions;
use crate::progress::Progress;
use crate::report::session::Session;
use crate::report::summary::{classes, ClassRow};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use {crate::graph::Graph, crate::snapshot::reader as file};

/// One side of a diff.
#[derive(Debug, Serialize)]
pub struct Side {
    pub path: String,
    /// `core` or `snapshot`.
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub v8_version: Option<String>,
    pub objects: u64,
    pub bytes: u64,
}

/// One class in both.
#[derive(Debug, Serialize)]
pub struct DiffRow {
    pub name: String,
    pub count_a: u64,
    pub count_b: u64,
    pub bytes_a: u64,
    pub bytes_b: u64,
    pub count_change: i64,
    pub bytes_change: i64,
}

#[derive(Debug, Serialize)]
pub struct DiffReport {
    pub a: Side,
    pub b: Side,
    /// Every class of either side, largest growth in bytes first (then in count).
    pub classes: Vec<DiffRow>,
    /// Warnings (serialized as their texts) and whether the result is partial.
    #[serde(rename = "warnings")]
    pub diagnostics: Diagnostics,
}

/// Whether `path` holds a heap snapshot (JSON) rather than a core (ELF).
fn is_snapshot_file(path: &Path) -> Result<bool> {
    let mut head = [0u8; 64];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
    Ok(head[..n]
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{'))
}

/// Summarize one side.
fn load(
    path: &Path,
    opts: &OpenOptions,
    progress: &dyn Progress,
) -> Result<(Side, Vec<ClassRow>, Diagnostics)> {
    let side = |kind, node: Option<String>, v8: Option<String>, rows: &[ClassRow]| Side {
        path: path.display().to_string(),
        kind,
        node_version: node,
        v8_version: v8,
        objects: rows.iter().map(|r| r.count).sum(),
        bytes: rows.iter().map(|r| r.self_size).sum(),
    };
    if is_snapshot_file(path)? {
        let g = file::read(path)?;
        let rows = classes(&g);
        return Ok((
            side("snapshot", None, None, &rows),
            rows,
            Diagnostics::default(),
        ));
    }
    Session::open(path, opts, |s| {
        let g = Graph::build(&s.isolate, progress);
        let rows = classes(&g);
        let mut warnings = s.diagnostics();
        warnings.extend(g.warnings.iter().cloned());
        let side = side(
            "core",
            s.versions.node.clone(),
            s.versions.v8.clone(),
            &rows,
        );
        Ok((side, rows, warnings))
    })
}

/// Compare the classes of `a` and `b`.
pub fn diff(a: &Path, b: &Path, opts: &OpenOptions, progress: &dyn Progress) -> Result<DiffReport> {
    let (sa, ra, mut warnings) = load(a, opts, progress)?;
    let (sb, rb, wb) = load(b, opts, progress)?;
    warnings.merge(wb);
    if sa.kind == "core" && sb.kind == "core" && (sa.node_version != sb.node_version) {
        warnings.push(Warning::note(format!(
            "the cores come from different Node versions ({} and {}): classes are matched by name",
            sa.node_version.as_deref().unwrap_or("?"),
            sb.node_version.as_deref().unwrap_or("?")
        )));
    }
    let mut by: BTreeMap<String, DiffRow> = BTreeMap::new();
    for (side, rows) in [(0, &ra), (1, &rb)] {
        for r in rows {
            let d = by.entry(r.name.clone()).or_insert_with(|| DiffRow {
                name: r.name.clone(),
                count_a: 0,
                count_b: 0,
                bytes_a: 0,
                bytes_b: 0,
                count_change: 0,
                bytes_change: 0,
            });
            if side == 0 {
                (d.count_a, d.bytes_a) = (r.count, r.self_size);
            } else {
                (d.count_b, d.bytes_b) = (r.count, r.self_size);
            }
        }
    }
    let mut rows: Vec<DiffRow> = by
        .into_values()
        .map(|mut d| {
            d.count_change = d.count_b as i64 - d.count_a as i64;
            d.bytes_change = d.bytes_b as i64 - d.bytes_a as i64;
            d
        })
        .collect();
    rows.sort_by(|x, y| {
        y.bytes_change
            .cmp(&x.bytes_change)
            .then(y.count_change.cmp(&x.count_change))
            .then(x.name.cmp(&y.name))
    });
    Ok(DiffReport {
        a: sa,
        b: sb,
        classes: rows,
        diagnostics: warnings,
    })
}
