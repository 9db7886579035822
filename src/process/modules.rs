//! The files mapped into the process (the core's `NT_FILE` note): the executable and the shared
//! libraries, opened from the paths the core names on this machine and checked against the
//! build-ids the core holds.

use super::{core_build_id, Process};
use crate::binary::Executable;
use crate::memory::Memory;
use std::collections::BTreeMap;
use std::path::Path;

/// A shared library mapped into the process.
pub struct Library {
    pub path: String,
    /// Where the file's image starts in the process, and its highest mapped address.
    pub start: u64,
    pub end: u64,
    /// Process address minus link-time address.
    pub bias: u64,
    /// The opened file; `None` when it could not be used (see [`MappedFiles::problems`]).
    pub file: Option<Executable>,
}

/// One file mapping: [start, end), its file offset, and its module (`None`: the executable, else
/// an index into [`MappedFiles::libraries`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping {
    pub start: u64,
    pub end: u64,
    pub offset: u64,
    pub module: Option<usize>,
}

/// The executable's and libraries' mappings.
pub struct MappedFiles {
    /// Libraries by path.
    pub libraries: Vec<Library>,
    /// Libraries that could not be read or whose build-id differs from the core's: one line each.
    pub problems: Vec<String>,
    /// Every file mapping, sorted by start.
    pub mappings: Vec<Mapping>,
    /// Memory the process could execute: [start, end) of each segment with `PF_X`.
    pub executable: Vec<(u64, u64)>,
}

impl Process {
    /// The files mapped into the process: libraries are opened from the paths the core names (on
    /// this machine); missing or different files are listed in `problems`, not fatal.
    pub fn mapped_files(&self, mem: &impl Memory) -> MappedFiles {
        let p = self;
        // The image base of each file: its lowest mapping of file offset 0.
        let mut bases: BTreeMap<&str, u64> = BTreeMap::new();
        for f in &p.core.files {
            if f.file_offset == 0 {
                let b = bases.entry(f.path.as_str()).or_insert(f.start);
                *b = (*b).min(f.start);
            }
        }
        let exe_path = p
            .core
            .files
            .iter()
            .find(|f| f.start == p.exe_base)
            .map(|f| f.path.as_str());
        let mut libraries = Vec::new();
        let mut problems = Vec::new();
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        for (&path, &base) in &bases {
            if Some(path) == exe_path || path.starts_with("/dev/") || path.starts_with("/memfd:") {
                continue;
            }
            // Only ELF images (the first mapped page starts with the ELF magic).
            if mem.slice(base, 4) != Some(&b"\x7fELF"[..]) {
                continue;
            }
            let mut lib = Library {
                path: path.to_string(),
                start: base,
                end: base,
                bias: 0,
                file: None,
            };
            match Executable::open(Path::new(path)) {
                Ok(exe) => {
                    let want = core_build_id(mem, base);
                    if want.is_some() && exe.build_id.is_some() && want != exe.build_id {
                        problems.push(format!(
                            "{path}: the file on this machine is not the one the process had (build-id differs); its frames are not named"
                        ));
                    } else if let Some(v) = exe.base_vaddr() {
                        lib.bias = base.wrapping_sub(v);
                        lib.file = Some(exe);
                    }
                }
                Err(e) => problems.push(format!("{path}: {e}")),
            }
            index.insert(path, libraries.len());
            libraries.push(lib);
        }
        let mut mappings = Vec::new();
        for f in &p.core.files {
            let module = if Some(f.path.as_str()) == exe_path {
                None
            } else if let Some(&i) = index.get(f.path.as_str()) {
                let l = &mut libraries[i];
                l.end = l.end.max(f.end);
                Some(i)
            } else {
                continue;
            };
            mappings.push(Mapping {
                start: f.start,
                end: f.end,
                offset: f.file_offset,
                module,
            });
        }
        mappings.sort_unstable_by_key(|m| (m.start, m.end, m.offset, m.module));
        let executable = p
            .core
            .segments
            .iter()
            .filter(|s| s.flags & 1 != 0)
            .map(|s| (s.vaddr, s.vaddr.saturating_add(s.memsz)))
            .collect();
        MappedFiles {
            libraries,
            problems,
            mappings,
            executable,
        }
    }
}
