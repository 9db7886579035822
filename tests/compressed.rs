//! Cores as systemd-coredump stores them: zstd-, xz- or lz4-compressed. corewalk reads them
//! directly (streaming into a temporary file) and reports the same process as from the plain
//! core; a compressed stream cut short is read as a truncated core, never a panic.

mod common;

use common::*;
use serde_json::Value;
use std::io::Write;

fn compress(kind: &str, data: &[u8]) -> Vec<u8> {
    match kind {
        "zst" => zstd::encode_all(data, 3).unwrap(),
        "xz" => {
            let mut e = xz2::write::XzEncoder::new(Vec::new(), 1);
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        "lz4" => {
            let mut e = lz4_flex::frame::FrameEncoder::new(Vec::new());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        _ => unreachable!(),
    }
}

#[test]
fn compressed_cores_read_like_plain_ones() {
    let made = core_of("small.js", 22, "kernel");
    let plain = std::fs::read(&made.core).unwrap();
    let node = made.node.clone();
    let want = corewalk_json(&["info", p(&made.core), "--json", "--node", p(&node)]);
    let d = temp_dir("compressed");
    for kind in ["zst", "xz", "lz4"] {
        let f = d.join(format!("core.{kind}"));
        let packed = compress(kind, &plain);
        std::fs::write(&f, &packed).unwrap();
        let out = corewalk(&["info", p(&f), "--json", "--node", p(&node)]);
        assert!(
            matches!(out.status.code(), Some(0) | Some(3)),
            "{kind}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("compressed"),
            "{kind}: {}",
            stderr(&out)
        );
        let got: Value = serde_json::from_slice(&out.stdout).unwrap();
        for key in ["process", "versions", "heap"] {
            assert_eq!(got[key], want[key], "{kind}: {key}");
        }
        // The heap commands too.
        let a = corewalk(&["analyze", p(&f), "--json", "--node", p(&node), "-q"]);
        assert!(
            matches!(a.status.code(), Some(0) | Some(3)),
            "{kind}: {}",
            stderr(&a)
        );
        // Cut short: read as a truncated core or refused, with a message; no panic.
        let cut = d.join(format!("cut.{kind}"));
        std::fs::write(&cut, &packed[..packed.len() / 2]).unwrap();
        let out = corewalk(&["info", p(&cut), "--node", p(&node)]);
        assert!(
            matches!(out.status.code(), Some(1) | Some(3)),
            "{kind} cut: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("ends early"),
            "{kind} cut: {}",
            stderr(&out)
        );
    }
}
