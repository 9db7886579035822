//! ELF core files: memory segments (as a [`crate::memory::Memory`]), process notes, compressed
//! cores. The ground floor beside `memory/` and `binary/`: knows nothing of V8 or of the executable.

pub mod signal;

mod notes;

pub use notes::{MappedFile, PsInfo, Registers, ThreadState};

use crate::error::{Error, Result, Warning};
use crate::memory::{Region, Regions};
use memmap2::Mmap;
use object::elf::{FileHeader64, EM_X86_64, ET_CORE, PT_LOAD, PT_NOTE};
use object::read::elf::{FileHeader, NoteIterator, ProgramHeader};
use object::LittleEndian as LE;
use std::fs::File;
use std::path::{Path, PathBuf};

/// One `PT_LOAD` segment of a core: a range of the process's memory.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Segment {
    /// Virtual address of the segment's first byte.
    pub vaddr: u64,
    /// Size in the process (bytes).
    pub memsz: u64,
    /// Offset of the captured bytes in the core file.
    pub offset: u64,
    /// Bytes captured in the core (≤ memsz; 0 when the kernel left the range out). Already clamped to
    /// what the file really holds when it is truncated.
    pub filesz: u64,
    /// `PF_*` flags (1 = X, 2 = W, 4 = R).
    pub flags: u32,
}

/// An opened, memory-mapped ELF core file with its notes decoded.
pub struct CoreFile {
    path: PathBuf,
    map: Mmap,
    /// `PT_LOAD` segments in file order.
    pub segments: Vec<Segment>,
    /// Threads, one per `NT_PRSTATUS`, in note order (the kernel puts the dumping thread first).
    pub threads: Vec<ThreadState>,
    /// `NT_PRPSINFO`, when present.
    pub psinfo: Option<PsInfo>,
    /// `NT_AUXV` entries (type, value).
    pub auxv: Vec<(u64, u64)>,
    /// `NT_FILE` mappings.
    pub files: Vec<MappedFile>,
    /// Signal number from `NT_SIGINFO`, when present.
    pub siginfo_signo: Option<i32>,
    /// Problems that did not stop parsing (truncation, malformed notes).
    pub warnings: Vec<Warning>,
    /// True when the file ends before the memory its headers describe.
    pub truncated: bool,
}

impl std::fmt::Debug for CoreFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CoreFile")
            .field("path", &self.path)
            .field("segments", &self.segments.len())
            .field("threads", &self.threads.len())
            .finish()
    }
}

/// Compression formats of cores as `coredumpctl` stores them, by their magic bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Compression {
    Zstd,
    Xz,
    Lz4,
}

impl Compression {
    fn of(head: &[u8]) -> Option<Compression> {
        if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(Compression::Zstd)
        } else if head.starts_with(b"\xfd7zXZ\0") {
            Some(Compression::Xz)
        } else if head.starts_with(&[0x04, 0x22, 0x4d, 0x18]) {
            Some(Compression::Lz4)
        } else {
            None
        }
    }

    fn name(self) -> &'static str {
        match self {
            Compression::Zstd => "zstd",
            Compression::Xz => "xz",
            Compression::Lz4 => "lz4",
        }
    }
}

/// Distinguishes the temporary files of one process.
static TEMP_COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The first bytes of a file (fewer if it is shorter), leaving the file at its start.
fn read_head(file: &mut File, head: &mut [u8]) -> std::io::Result<usize> {
    use std::io::{Read, Seek, SeekFrom};
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..])? {
            0 => break,
            k => n += k,
        }
    }
    file.seek(SeekFrom::Start(0))?;
    Ok(n)
}

/// `AT_ENTRY`: the executable's entry point.
pub const AT_ENTRY: u64 = 9;
/// `AT_EXECFN`: address of the executed file name string.
pub const AT_EXECFN: u64 = 31;
/// `AT_PHDR`: address of the executable's program headers.
pub const AT_PHDR: u64 = 3;

impl CoreFile {
    /// Open and parse a core file. The file is mapped read-only and never written.
    pub fn open(path: &Path) -> Result<CoreFile> {
        let io = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        let mut file = File::open(path).map_err(io)?;
        let mut head = [0u8; 8];
        let n = read_head(&mut file, &mut head).map_err(io)?;
        if let Some(kind) = Compression::of(&head[..n]) {
            return Self::open_compressed(path, file, kind);
        }
        // SAFETY: the mapping is read-only and private; if another process truncates the file while
        // we read it, accesses may fault, which no safe reader of a file-backed mapping can prevent.
        let map = unsafe { Mmap::map(&file) }.map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(path.to_owned(), map)
    }

    /// A core compressed as systemd-coredump stores them (zstd, xz or lz4): decompressed by
    /// streaming into an unlinked temporary file, which is then mapped. A stream that ends early
    /// leaves a truncated core, read as such, with a warning.
    fn open_compressed(path: &Path, file: File, kind: Compression) -> Result<CoreFile> {
        use std::io::BufReader;
        let io = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        let tmp_path = std::env::temp_dir().join(format!(
            "corewalk-{}-{}.core",
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let mut tmp = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&tmp_path)
            .map_err(io)?;
        // Unlinked now: the space is returned when the mapping and the handle are gone.
        let _ = std::fs::remove_file(&tmp_path);
        let input = BufReader::new(file);
        let copied = match kind {
            Compression::Zstd => {
                zstd::Decoder::new(input).and_then(|mut d| std::io::copy(&mut d, &mut tmp))
            }
            Compression::Xz => std::io::copy(&mut xz2::read::XzDecoder::new(input), &mut tmp),
            Compression::Lz4 => {
                std::io::copy(&mut lz4_flex::frame::FrameDecoder::new(input), &mut tmp)
            }
        };
        let mut warnings = Vec::new();
        if let Err(e) = copied {
            warnings.push(Warning::partial(format!(
                "the {} stream of {} ends early ({e}): reading what it held",
                kind.name(),
                path.display()
            )));
        }
        // SAFETY: read-only private mapping of our own unlinked temporary file.
        let map = unsafe { Mmap::map(&tmp) }.map_err(io)?;
        let mut core = Self::parse(path.to_owned(), map)?;
        warnings.push(Warning::note(format!(
            "{} is {}-compressed: decompressed into a temporary file ({} bytes)",
            path.display(),
            kind.name(),
            core.map.len()
        )));
        warnings.append(&mut core.warnings);
        core.warnings = warnings;
        Ok(core)
    }

    /// Parse a core held in memory (for tests and fuzzing); `name` stands for its path.
    pub fn from_bytes(name: &Path, bytes: &[u8]) -> Result<CoreFile> {
        let map = crate::memory::mapped_copy(bytes).map_err(|source| Error::Io {
            path: name.to_owned(),
            source,
        })?;
        Self::parse(name.to_owned(), map)
    }

    fn parse(path: PathBuf, map: Mmap) -> Result<CoreFile> {
        let data: &[u8] = &map;
        let malformed = |what: &str| Error::Malformed {
            path: path.clone(),
            what: what.to_string(),
        };
        if data.len() < 4 || &data[..4] != b"\x7fELF" {
            return Err(Error::NotElf { path });
        }
        if data.len() < 64 {
            return Err(Error::Truncated {
                path,
                what: "shorter than an ELF header".into(),
            });
        }
        if data[4] != 2 || data[5] != 1 {
            return Err(Error::UnsupportedElf { path });
        }
        let header = FileHeader64::<LE>::parse(data).map_err(|e| malformed(&e.to_string()))?;
        let e = LE;
        if header.e_machine(e) != EM_X86_64 {
            return Err(Error::UnsupportedElf { path });
        }
        let kind = header.e_type(e);
        if kind != ET_CORE {
            let kind = match kind {
                object::elf::ET_EXEC => "executable".to_string(),
                object::elf::ET_DYN => "shared object or PIE executable".to_string(),
                object::elf::ET_REL => "relocatable object".to_string(),
                k => format!("{k}"),
            };
            return Err(Error::NotCore { path, kind });
        }
        let phdrs = header.program_headers(e, data).map_err(|err| {
            if (header.e_phoff(e) as usize) >= data.len() {
                Error::Truncated {
                    path: path.clone(),
                    what: "program headers are past the end of the file".into(),
                }
            } else {
                malformed(&err.to_string())
            }
        })?;
        let mut core = Notes::default();
        let mut segments = Vec::new();
        let file_len = data.len() as u64;
        let mut missing = 0u64;
        for ph in phdrs {
            match ph.p_type(e) {
                PT_LOAD => {
                    let offset = ph.p_offset(e);
                    let want = ph.p_filesz(e);
                    let have = file_len.saturating_sub(offset).min(want);
                    missing = missing.saturating_add(want - have);
                    segments.push(Segment {
                        vaddr: ph.p_vaddr(e),
                        memsz: ph.p_memsz(e),
                        offset,
                        filesz: have,
                        flags: ph.p_flags(e),
                    });
                }
                PT_NOTE => {
                    let offset = ph.p_offset(e);
                    let want = ph.p_filesz(e);
                    let have = file_len.saturating_sub(offset).min(want);
                    if have < want {
                        core.warnings.push(Warning::partial(format!(
                            "note segment truncated: {have} of {want} bytes"
                        )));
                    }
                    let start = offset.min(file_len) as usize;
                    let bytes = &data[start..start + have as usize];
                    match NoteIterator::<FileHeader64<LE>>::new(e, ph.p_align(e), bytes) {
                        Ok(iter) => notes::decode_all(iter, &mut core),
                        Err(err) => core
                            .warnings
                            .push(Warning::partial(format!("bad note segment: {err}"))),
                    }
                }
                _ => {}
            }
        }
        if core.threads.is_empty() && segments.is_empty() {
            return Err(Error::Truncated {
                path,
                what: "no notes and no memory segments could be read".into(),
            });
        }
        let notes_cut = core
            .warnings
            .iter()
            .any(|w| w.text.starts_with("note segment truncated"));
        if missing > 0 {
            core.warnings.push(Warning::partial(format!(
                "core is truncated: {missing} bytes of captured memory are missing from the file"
            )));
        }
        Ok(CoreFile {
            path,
            map,
            segments,
            threads: core.threads,
            psinfo: core.psinfo,
            auxv: core.auxv,
            files: core.files,
            siginfo_signo: core.siginfo_signo,
            warnings: core.warnings,
            truncated: missing > 0 || notes_cut,
        })
    }

    /// The path the core was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Size of the core file in bytes.
    pub fn file_size(&self) -> u64 {
        self.map.len() as u64
    }

    /// The captured memory, addressable by virtual address, borrowed from the mapping.
    pub fn memory(&self) -> Regions<'_> {
        let data: &[u8] = &self.map;
        Regions::new(
            self.segments
                .iter()
                .filter(|s| s.filesz > 0)
                .map(|s| Region {
                    start: s.vaddr,
                    data: &data[s.offset as usize..(s.offset + s.filesz) as usize],
                    writable: s.flags & 2 != 0,
                })
                .collect(),
        )
    }

    /// An auxv value by type.
    pub fn auxv_value(&self, kind: u64) -> Option<u64> {
        self.auxv.iter().find(|(k, _)| *k == kind).map(|(_, v)| *v)
    }

    /// The `NT_FILE` mapping that contains `addr`.
    pub fn file_at(&self, addr: u64) -> Option<&MappedFile> {
        self.files.iter().find(|f| f.start <= addr && addr < f.end)
    }

    /// Total bytes of process memory covered by `PT_LOAD` segments, and how many were captured.
    pub fn memory_totals(&self) -> (u64, u64) {
        self.segments.iter().fold((0u64, 0u64), |(m, f), s| {
            (m.saturating_add(s.memsz), f.saturating_add(s.filesz))
        })
    }
}

/// What the notes of a core say, gathered while parsing.
#[derive(Default)]
pub(crate) struct Notes {
    pub threads: Vec<ThreadState>,
    pub psinfo: Option<PsInfo>,
    pub auxv: Vec<(u64, u64)>,
    pub files: Vec<MappedFile>,
    pub siginfo_signo: Option<i32>,
    pub warnings: Vec<Warning>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(out: &mut Vec<u8>, kind: u32, desc: &[u8]) {
        out.extend_from_slice(&5u32.to_le_bytes());
        out.extend_from_slice(&(desc.len() as u32).to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(b"CORE\0\0\0\0");
        out.extend_from_slice(desc);
        while !out.len().is_multiple_of(4) {
            out.push(0);
        }
    }

    fn phdr(out: &mut Vec<u8>, kind: u32, offset: u64, vaddr: u64, filesz: u64, memsz: u64) {
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&6u32.to_le_bytes());
        for v in [offset, vaddr, 0, filesz, memsz, 4] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }

    /// A minimal x86-64 core: one thread, one 16-byte memory segment; `xnum` stores the program
    /// header count in section 0 (`PN_XNUM`) as kernels do past 65535 segments.
    fn synthetic_core(xnum: bool) -> Vec<u8> {
        let mut notes = Vec::new();
        let mut prstatus = vec![0u8; 336];
        prstatus[32..36].copy_from_slice(&777u32.to_le_bytes());
        note(&mut notes, 1, &prstatus);
        let mut psinfo = vec![0u8; 136];
        psinfo[24..28].copy_from_slice(&777u32.to_le_bytes());
        psinfo[40..44].copy_from_slice(b"node");
        note(&mut notes, 3, &psinfo);
        let phoff = 64u64;
        let notes_at = phoff + 2 * 56;
        let mem_at = notes_at + notes.len() as u64;
        let shoff = mem_at + 16;
        let mut f = Vec::new();
        f.extend_from_slice(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
        f.extend_from_slice(&4u16.to_le_bytes()); // ET_CORE
        f.extend_from_slice(&62u16.to_le_bytes()); // EM_X86_64
        f.extend_from_slice(&1u32.to_le_bytes());
        f.extend_from_slice(&0u64.to_le_bytes()); // entry
        f.extend_from_slice(&phoff.to_le_bytes());
        f.extend_from_slice(&(if xnum { shoff } else { 0 }).to_le_bytes());
        f.extend_from_slice(&0u32.to_le_bytes()); // flags
        f.extend_from_slice(&64u16.to_le_bytes()); // ehsize
        f.extend_from_slice(&56u16.to_le_bytes()); // phentsize
        f.extend_from_slice(&(if xnum { 0xffffu16 } else { 2 }).to_le_bytes());
        f.extend_from_slice(&64u16.to_le_bytes()); // shentsize
        f.extend_from_slice(&(if xnum { 1u16 } else { 0 }).to_le_bytes());
        f.extend_from_slice(&0u16.to_le_bytes()); // shstrndx
        phdr(&mut f, PT_NOTE, notes_at, 0, notes.len() as u64, 0);
        phdr(&mut f, PT_LOAD, mem_at, 0x10000, 16, 0x1000);
        f.extend_from_slice(&notes);
        f.extend_from_slice(&0x1122_3344_5566_7788u64.to_le_bytes());
        f.extend_from_slice(&[0xab; 8]);
        if xnum {
            let mut sh = vec![0u8; 64];
            sh[44..48].copy_from_slice(&2u32.to_le_bytes()); // sh_info = real e_phnum
            f.extend_from_slice(&sh);
        }
        f
    }

    fn open_bytes(name: &str, bytes: &[u8]) -> Result<CoreFile> {
        CoreFile::from_bytes(Path::new(name), bytes)
    }

    /// Seeds for the core-file fuzz target (fuzz/): written when COREWALK_FUZZ_SEEDS names a
    /// directory (scripts/fuzz.sh sets it).
    #[test]
    fn write_fuzz_seeds() {
        let Some(dir) = std::env::var_os("COREWALK_FUZZ_SEEDS") else {
            return;
        };
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("seed directory");
        for xnum in [false, true] {
            std::fs::write(dir.join(format!("synthetic-{xnum}")), synthetic_core(xnum))
                .expect("write seed");
        }
    }

    #[test]
    fn synthetic_core_yields_thread_psinfo_and_memory() {
        for xnum in [false, true] {
            let core = open_bytes(&format!("syn{xnum}"), &synthetic_core(xnum))
                .expect("synthetic core parses");
            assert_eq!(core.threads.len(), 1, "xnum={xnum}");
            assert_eq!(core.threads[0].tid, 777);
            assert_eq!(core.psinfo.as_ref().map(|p| p.fname.as_str()), Some("node"));
            assert_eq!(core.segments.len(), 1);
            let mem = core.memory();
            use crate::memory::Memory;
            assert_eq!(mem.read_u64(0x10000), Some(0x1122_3344_5566_7788));
            assert_eq!(
                mem.read_u8(0x10010),
                None,
                "memsz beyond filesz is not captured"
            );
            assert!(!core.truncated && core.warnings.is_empty());
        }
    }

    #[test]
    fn truncation_is_flagged_not_fatal() {
        let full = synthetic_core(false);
        let core = open_bytes("trunc", &full[..full.len() - 8]).expect("still parses");
        assert!(core.truncated);
        assert_eq!(core.segments[0].filesz, 8);
        assert!(core.warnings[0]
            .text
            .contains("8 bytes of captured memory are missing"));
    }

    #[test]
    fn corrupted_headers_and_notes_never_panic() {
        // Every single-byte corruption of the headers and notes, and every truncation point,
        // must give a Result, never a panic.
        let full = synthetic_core(true);
        let notes_end = full.len() - 16 - 64;
        let mut x: u32 = 7;
        for at in 0..notes_end {
            for value in [0u8, 0xff, 0x80] {
                let mut bad = full.clone();
                bad[at] = value;
                let _ = open_bytes("mut", &bad);
            }
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let mut bad = full.clone();
            bad[at] = (x >> 16) as u8;
            let _ = open_bytes("rnd", &bad);
        }
        for len in (0..full.len()).step_by(7) {
            let _ = open_bytes("cut", &full[..len]);
        }
    }

    #[test]
    fn non_cores_are_refused_by_kind() {
        let mut exe = synthetic_core(false);
        exe[16] = 2; // ET_EXEC
        let err = open_bytes("exec", &exe).unwrap_err();
        assert!(
            err.to_string()
                .contains("not a core file (type executable)"),
            "{err}"
        );
        let err = open_bytes("text", b"hello").unwrap_err();
        assert!(matches!(err, Error::NotElf { .. }), "{err}");
        let mut elf32 = synthetic_core(false);
        elf32[4] = 1;
        assert!(matches!(
            open_bytes("e32", &elf32).unwrap_err(),
            Error::UnsupportedElf { .. }
        ));
    }
}
