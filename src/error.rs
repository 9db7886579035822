//! What can go wrong, shared by every floor: the error type (one variant per way an input can be
//! unusable) and the warnings of a result that could still be given ([`Warning`], [`Diagnostics`]).

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

/// Something the reader of a result should know. A `partial` warning says the result is
/// incomplete or partly guessed (part of the input could not be read, a root set was guessed...):
/// a command that prints one exits 3. Other warnings are notes (a decompressed core, an
/// unverified build-id) and leave the result complete. Serialized as its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub text: String,
    pub partial: bool,
}

impl Warning {
    /// A warning that makes the result partial.
    pub fn partial(text: impl Into<String>) -> Warning {
        Warning {
            text: text.into(),
            partial: true,
        }
    }

    /// A note: worth saying, the result stays complete.
    pub fn note(text: impl Into<String>) -> Warning {
        Warning {
            text: text.into(),
            partial: false,
        }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl serde::Serialize for Warning {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// The diagnostics envelope every report carries: its warnings in the order they were met, and
/// whether the result is partial — because of a partial warning, or because the report itself
/// shows what is missing (a thread whose stack walk stopped). Serialized as the list of warning
/// texts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics {
    pub warnings: Vec<Warning>,
    /// Partial for a reason the result shows itself.
    shown_partial: bool,
}

impl Diagnostics {
    /// Diagnostics starting with `warnings`.
    pub fn new(warnings: impl IntoIterator<Item = Warning>) -> Diagnostics {
        Diagnostics {
            warnings: warnings.into_iter().collect(),
            shown_partial: false,
        }
    }

    /// Add a warning.
    pub fn push(&mut self, w: Warning) {
        self.warnings.push(w);
    }

    /// Add warnings (e.g. the graph's, after the session's).
    pub fn extend(&mut self, ws: impl IntoIterator<Item = Warning>) {
        self.warnings.extend(ws);
    }

    /// Put `first` (e.g. the session's warnings) before the warnings already here.
    pub fn prepend(&mut self, first: &[Warning]) {
        self.warnings.splice(0..0, first.iter().cloned());
    }

    /// Add another result's diagnostics: its warnings, and its partial marks.
    pub fn merge(&mut self, other: Diagnostics) {
        self.warnings.extend(other.warnings);
        self.shown_partial |= other.shown_partial;
    }

    /// Mark the result partial for a reason it shows itself.
    pub fn mark_partial(&mut self) {
        self.shown_partial = true;
    }

    /// Whether the result is partial: exit status 3.
    pub fn is_partial(&self) -> bool {
        self.shown_partial || self.warnings.iter().any(|w| w.partial)
    }
}

impl serde::Serialize for Diagnostics {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.warnings.serialize(s)
    }
}
