//! A core joined with the executable it came from: the whole address space as one [`Memory`],
//! the build-id check, what the core says about the process (pid, command line, threads), the
//! files mapped into it, and the runtime's versions. Calls `core/`, `binary/` and `memory/`.

pub mod modules;
pub mod runtime;
pub mod threads;

use crate::binary::{hex, Executable};
use crate::core::{CoreFile, AT_ENTRY, AT_EXECFN, AT_PHDR};
use crate::error::{Error, Result, Warning};
use crate::memory::{Layered, Memory, Regions};
use object::elf::FileHeader64;
use object::read::elf::NoteIterator;
use object::LittleEndian as LE;
use std::path::{Path, PathBuf};

/// How the executable was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExeSource {
    /// The path recorded in the core's `NT_FILE` note.
    CoreNote,
    /// Given by the user (`--node`).
    User,
}

/// Outcome of comparing the executable's build-id with the one captured in the core.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum BuildIdCheck {
    /// Both known and equal.
    Match { build_id: String },
    /// Both known and different; only reached with `force`.
    Mismatch { exe: String, core: String },
    /// The core does not hold the executable's build-id (e.g. its first page was not dumped).
    Unverified { reason: String },
}

/// Options for [`Process::open`].
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    /// Use this executable instead of the path recorded in the core.
    pub node: Option<PathBuf>,
    /// Read even when the build-ids differ.
    pub force: bool,
}

/// The process's memory: the core over the executable's file.
pub type Mem<'a> = Layered<Regions<'a>, Regions<'a>>;

/// A core file with its executable.
pub struct Process {
    /// The core.
    pub core: CoreFile,
    /// The executable.
    pub exe: Executable,
    /// How [`Self::exe`] was found.
    pub exe_source: ExeSource,
    /// Where the executable's image starts in the process.
    pub exe_base: u64,
    /// Load bias: process address minus link-time address.
    pub bias: u64,
    /// Build-id comparison.
    pub build_id: BuildIdCheck,
    /// Non-fatal problems found so far (core truncation, unverified build-id...).
    pub warnings: Vec<Warning>,
}

impl Process {
    /// Open `core_path` and its executable; refuse a mismatched executable unless `opts.force`.
    pub fn open(core_path: &Path, opts: &OpenOptions) -> Result<Process> {
        let core = CoreFile::open(core_path)?;
        let mut warnings = core.warnings.clone();
        let exe_mapping = Self::exe_mapping(&core);
        let (exe_path, exe_source) = match &opts.node {
            Some(p) => (p.clone(), ExeSource::User),
            None => {
                let m = exe_mapping.as_ref().ok_or_else(|| {
                    if core.truncated {
                        Error::Truncated {
                            path: core_path.to_owned(),
                            what: "the notes naming the executable are cut off; pass --node PATH"
                                .into(),
                        }
                    } else {
                        Error::NoExecutable(
                            "the core names no executable (no NT_FILE/auxv); pass --node PATH"
                                .into(),
                        )
                    }
                })?;
                let p = PathBuf::from(&m.1);
                if !p.exists() {
                    return Err(Error::NoExecutable(format!(
                        "{} (recorded in the core) does not exist here; pass --node PATH",
                        p.display()
                    )));
                }
                (p, ExeSource::CoreNote)
            }
        };
        let exe = Executable::open(&exe_path)?;
        let exe_base = exe_mapping
            .as_ref()
            .map(|m| m.0)
            .or_else(|| exe.base_vaddr())
            .unwrap_or(0);
        let bias = exe_base.wrapping_sub(exe.base_vaddr().unwrap_or(exe_base));
        let build_id = {
            let mem = core.memory();
            match (&exe.build_id, core_build_id(&mem, exe_base)) {
                (Some(e), Some(c)) if *e == c => BuildIdCheck::Match { build_id: hex(e) },
                (Some(e), Some(c)) => {
                    if !opts.force {
                        return Err(Error::BuildIdMismatch {
                            exe: exe_path,
                            exe_id: hex(e),
                            core_id: hex(&c),
                        });
                    }
                    warnings.push(Warning::partial(format!(
                        "build-id mismatch forced: executable {} vs core {}",
                        hex(e),
                        hex(&c)
                    )));
                    BuildIdCheck::Mismatch {
                        exe: hex(e),
                        core: hex(&c),
                    }
                }
                (None, _) => BuildIdCheck::Unverified {
                    reason: "the executable has no build-id".into(),
                },
                (_, None) => BuildIdCheck::Unverified {
                    reason: "the core does not contain the executable's build-id".into(),
                },
            }
        };
        if let BuildIdCheck::Unverified { reason } = &build_id {
            warnings.push(Warning::note(format!("build-id not verified: {reason}")));
        }
        Ok(Process {
            core,
            exe,
            exe_source,
            exe_base,
            bias,
            build_id,
            warnings,
        })
    }

    /// The main executable's mapping: (start of its image, path), found from `AT_ENTRY`/`AT_PHDR`.
    fn exe_mapping(core: &CoreFile) -> Option<(u64, String)> {
        let anchor = core
            .auxv_value(AT_ENTRY)
            .or_else(|| core.auxv_value(AT_PHDR))?;
        let hit = core.file_at(anchor)?;
        // The image starts at the mapping of the same file with offset 0.
        let start = core
            .files
            .iter()
            .filter(|f| f.path == hit.path && f.file_offset == 0)
            .map(|f| f.start)
            .min()
            .unwrap_or(hit.start.saturating_sub(hit.file_offset));
        Some((start, hit.path.clone()))
    }

    /// The process's memory: the core's captured bytes first, the executable's file contents
    /// (read-only data and code, which kernel cores leave out) beneath.
    pub fn memory(&self) -> Mem<'_> {
        Layered {
            top: self.core.memory(),
            bottom: self.exe.memory(self.bias),
        }
    }

    /// The mangled name of the executable's symbol that holds the process address `addr`.
    pub fn exe_symbol_at(&self, addr: u64) -> Option<&[u8]> {
        let sym = self.exe.symbol_at(addr.wrapping_sub(self.bias))?;
        Some(self.exe.symbol_name(&sym))
    }

    /// Where the executable's loadable segments are in the process: [start, end).
    pub fn exe_ranges(&self) -> Vec<(u64, u64)> {
        self.exe
            .loads
            .iter()
            .map(|l| {
                let a = l.vaddr.wrapping_add(self.bias);
                (a, a.saturating_add(l.memsz))
            })
            .collect()
    }

    /// Process id (from `NT_PRPSINFO`, else the first thread).
    pub fn pid(&self) -> Option<u32> {
        self.core
            .psinfo
            .as_ref()
            .map(|p| p.pid)
            .or_else(|| self.core.threads.first().map(|t| t.tid))
    }

    /// The path of the executed file as the process saw it (`AT_EXECFN`), when readable.
    pub fn execfn(&self, mem: &impl Memory) -> Option<String> {
        mem.read_cstr(self.core.auxv_value(AT_EXECFN)?, 4096)
    }

    /// The full command line, read from the initial process stack; falls back to `NT_PRPSINFO`'s
    /// 80-byte `pr_psargs` (split on spaces) when the stack cannot be decoded.
    pub fn argv(&self, mem: &impl Memory) -> (Vec<String>, bool) {
        match stack_argv(&self.core, mem) {
            Some(v) => (v, true),
            None => (
                self.core
                    .psinfo
                    .as_ref()
                    .map(|p| p.psargs.split(' ').map(str::to_string).collect())
                    .unwrap_or_default(),
                false,
            ),
        }
    }
}

/// Read a GNU build-id note from the ELF image whose first byte is at `base` in `mem`.
pub fn core_build_id(mem: &impl Memory, base: u64) -> Option<Vec<u8>> {
    let head = mem.slice(base, 64)?;
    if &head[..4] != b"\x7fELF" {
        return None;
    }
    let u16_at = |o: usize| u16::from_le_bytes([head[o], head[o + 1]]);
    let phoff = u64::from_le_bytes(head[32..40].try_into().ok()?);
    let phentsize = u16_at(54) as u64;
    let phnum = u16_at(56) as u64;
    if phentsize < 56 || phnum > 256 {
        return None;
    }
    // The link-time address of the image start, to turn note addresses into process addresses.
    let mut link_base = None;
    let mut notes = Vec::new();
    for i in 0..phnum {
        let at = phoff.checked_add(i.checked_mul(phentsize)?)?;
        let ph = mem.slice(base.checked_add(at)?, 56)?;
        let word = |o: usize| u64::from_le_bytes(ph[o..o + 8].try_into().unwrap_or([0; 8]));
        let kind = u32::from_le_bytes(ph[..4].try_into().ok()?);
        match kind {
            1 if word(8) == 0 => link_base = Some(word(16) & !0xfff),
            4 => notes.push((word(16), word(32))),
            _ => {}
        }
    }
    let bias = base.wrapping_sub(link_base.unwrap_or(0));
    for (vaddr, size) in notes {
        let data = mem.slice(vaddr.wrapping_add(bias), size.min(4096))?;
        let Ok(mut iter) = NoteIterator::<FileHeader64<LE>>::new(LE, 4u64, data) else {
            continue;
        };
        while let Ok(Some(note)) = iter.next() {
            if note.name() == b"GNU" && note.n_type(LE) == object::elf::NT_GNU_BUILD_ID {
                return Some(note.desc().to_vec());
            }
        }
    }
    None
}

/// Recover argv from the initial stack: locate the auxv vector (known from `NT_AUXV`) in the stack
/// segment that holds `AT_EXECFN`, then walk back over envp and argv to argc.
fn stack_argv(core: &CoreFile, mem: &impl Memory) -> Option<Vec<String>> {
    let execfn = core.auxv_value(AT_EXECFN)?;
    let seg = core
        .segments
        .iter()
        .find(|s| s.vaddr <= execfn && execfn < s.vaddr.saturating_add(s.filesz))?;
    let first = core.auxv.first()?;
    let words = mem.slice(seg.vaddr, seg.filesz)?;
    let word = |i: usize| -> Option<u64> {
        Some(u64::from_le_bytes(
            words.get(i * 8..i * 8 + 8)?.try_into().ok()?,
        ))
    };
    let n = words.len() / 8;
    let auxv_at = (0..n.saturating_sub(1))
        .rev()
        .find(|&i| word(i) == Some(first.0) && word(i + 1) == Some(first.1))?;
    // auxv_at-1 is envp's NULL; walk back over env pointers to argv's NULL.
    let mut i = auxv_at.checked_sub(1)?;
    if word(i)? != 0 {
        return None;
    }
    i = i.checked_sub(1)?;
    let mut steps = 0;
    while word(i)? != 0 {
        i = i.checked_sub(1)?;
        steps += 1;
        if steps > 1 << 20 {
            return None;
        }
    }
    // Now i is argv's NULL; argv pointers precede it, argc before them.
    let mut argv = Vec::new();
    let mut j = i;
    loop {
        j = j.checked_sub(1)?;
        let w = word(j)?;
        if w == argv.len() as u64 && !argv.is_empty() {
            break;
        }
        argv.push(w);
        if argv.len() > 1 << 16 {
            return None;
        }
    }
    argv.reverse();
    argv.iter()
        .map(|&p| mem.read_cstr(p, 1 << 17))
        .collect::<Option<Vec<_>>>()
}
