//! `corewalk snapshot`: the heap of an opened core written as a `.heapsnapshot`, to a temporary
//! file that is renamed into place when complete (or straight into a device or pipe).

use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::report::session::Session;
use crate::snapshot::writer::{write_heap, SnapshotOptions, SnapshotReport};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Write the heap of an opened core as a heap snapshot at `out`.
pub fn snapshot(
    s: &Session<'_>,
    out: &Path,
    sopts: &SnapshotOptions,
    progress: &dyn Progress,
) -> Result<SnapshotReport> {
    refuse_input_as_output(s.process.core.path(), out)?;
    let ctx = &s.isolate;
    let io_error = |source| Error::Io {
        path: out.to_path_buf(),
        source,
    };
    // A device or a pipe (`-o /dev/stdout`, a FIFO) is written as it is: renaming a
    // temporary file over it would replace it.
    let special = std::fs::metadata(out).is_ok_and(|m| !m.is_file() && !m.is_dir());
    // Spill files go next to the output (the file system it is written to, not a /tmp that
    // may be memory), or to the temporary directory for a device or pipe.
    let spill_dir = match out.parent() {
        _ if special => std::env::temp_dir(),
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let write_into = |f: std::fs::File| -> std::io::Result<SnapshotReport> {
        let mut w = BufWriter::with_capacity(1 << 20, f);
        let counts = write_heap(ctx, sopts, &mut w, progress, &spill_dir)?;
        w.flush()?;
        Ok(counts)
    };
    let mut report = if special {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(out)
            .map_err(io_error)?;
        write_into(f).map_err(io_error)?
    } else {
        let tmp = temp_path(out);
        match std::fs::File::create(&tmp).and_then(write_into) {
            Ok(c) => {
                std::fs::rename(&tmp, out).map_err(io_error)?;
                c
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(io_error(e));
            }
        }
    };
    report.output = out.display().to_string();
    report.diagnostics.prepend(&s.warnings);
    Ok(report)
}

/// The output must not be the core itself (or another name of it).
fn refuse_input_as_output(core: &Path, out: &Path) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    if let (Ok(a), Ok(b)) = (std::fs::metadata(core), std::fs::metadata(out)) {
        if a.dev() == b.dev() && a.ino() == b.ino() {
            return Err(Error::BadArgument(format!(
                "{} is the core being read; choose another output",
                out.display()
            )));
        }
    }
    Ok(())
}

/// A temporary file next to `out` (same file system, so the rename is atomic).
fn temp_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "snapshot".into());
    out.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}
