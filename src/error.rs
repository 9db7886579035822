//! The library's error type: one variant per way an input can be unusable.

use std::path::PathBuf;

/// Why an input (core file, executable) cannot be used. `Display` is one line naming the problem.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not an ELF file")]
    NotElf { path: PathBuf },
    #[error("{path} is not a 64-bit x86-64 ELF file")]
    UnsupportedElf { path: PathBuf },
    #[error("{path} is an ELF file but not a core file (type {kind})")]
    NotCore { path: PathBuf, kind: String },
    #[error("{path}: malformed ELF: {what}")]
    Malformed { path: PathBuf, what: String },
    #[error("{path}: core is truncated: {what}")]
    Truncated { path: PathBuf, what: String },
    #[error("cannot find the executable: {0}")]
    NoExecutable(String),
    #[error("executable {exe} does not match the core: build-id {exe_id} != {core_id} recorded in the core (use --force to read it anyway)")]
    BuildIdMismatch {
        exe: PathBuf,
        exe_id: String,
        core_id: String,
    },
    #[error("not a Node.js process: {exe} has no V8 postmortem metadata (v8dbg_* symbols)")]
    NotNode { exe: PathBuf },
    #[error("V8 metadata in {exe} lacks required {what}")]
    MissingMetadata { exe: PathBuf, what: String },
    #[error("unsupported V8 version {0}: no heap layout known for it")]
    UnsupportedVersion(String),
    #[error("no V8 heap found in the core: {0}")]
    NoHeap(String),
    #[error("not an object: {0}")]
    NotAnObject(String),
    #[error("bad argument: {0}")]
    BadArgument(String),
}

/// Result with the library's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
