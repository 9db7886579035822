//! The executable a core was made from: its loadable segments, symbols, build-id, unwind tables
//! and V8's postmortem metadata. Ground floor: calls only `memory/`; knows nothing of the core.

pub mod cfi;
pub mod metadata;

use crate::error::{Error, Result};
use crate::memory::{Region, Regions};
use memmap2::Mmap;
use object::elf::{FileHeader64, PT_LOAD, SHT_DYNSYM, SHT_SYMTAB, STT_FUNC, STT_OBJECT};
use object::read::elf::{FileHeader, ProgramHeader, SectionHeader, Sym};
use object::LittleEndian as LE;
use std::fs::File;
use std::path::{Path, PathBuf};

/// A loadable segment of the executable.
#[derive(Clone, Copy, Debug)]
pub struct LoadSegment {
    /// Link-time virtual address.
    pub vaddr: u64,
    /// Offset in the file.
    pub offset: u64,
    /// Bytes present in the file.
    pub filesz: u64,
    /// Bytes in memory (the rest is zero-filled `.bss`).
    pub memsz: u64,
}

/// One symbol of the executable's `.symtab` (functions and data objects only).
#[derive(Clone, Copy, Debug)]
pub struct Symbol {
    /// Link-time address.
    pub addr: u64,
    /// Size in bytes (may be 0).
    pub size: u64,
    /// Where the name lies in the file: (offset, length).
    name: (u32, u32),
    /// True for functions (`STT_FUNC`).
    pub is_func: bool,
}

/// An opened, memory-mapped executable (ELF, x86-64).
pub struct Executable {
    path: PathBuf,
    map: Mmap,
    /// GNU build-id, when the file has one.
    pub build_id: Option<Vec<u8>>,
    /// `PT_LOAD` segments.
    pub loads: Vec<LoadSegment>,
    /// Symbols sorted by address.
    symbols: Vec<Symbol>,
    /// Where `.eh_frame`, `.eh_frame_hdr` and `.text` are: (link-time address, file offset, size).
    pub eh_frame: Option<SectionPlace>,
    pub eh_frame_hdr: Option<SectionPlace>,
    pub text: Option<SectionPlace>,
}

/// A section's link-time address, file offset and size.
#[derive(Clone, Copy, Debug)]
pub struct SectionPlace {
    pub addr: u64,
    pub offset: u64,
    pub size: u64,
}

impl std::fmt::Debug for Executable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executable")
            .field("path", &self.path)
            .finish()
    }
}

impl Executable {
    /// Open and index an executable. Reads only; the file is never written.
    pub fn open(path: &Path) -> Result<Executable> {
        let io = |source| Error::Io {
            path: path.to_owned(),
            source,
        };
        let file = File::open(path).map_err(io)?;
        // SAFETY: read-only private mapping of a regular file.
        let map = unsafe { Mmap::map(&file) }.map_err(io)?;
        Self::parse(path, map)
    }

    /// Index an executable held in memory (for tests and fuzzing); `name` stands for its path.
    pub fn from_bytes(name: &Path, bytes: &[u8]) -> Result<Executable> {
        let map = crate::memory::mapped_copy(bytes).map_err(|source| Error::Io {
            path: name.to_owned(),
            source,
        })?;
        Self::parse(name, map)
    }

    fn parse(path: &Path, map: Mmap) -> Result<Executable> {
        let data: &[u8] = &map;
        let bad = |what: String| Error::Malformed {
            path: path.to_owned(),
            what,
        };
        if data.len() < 64 || &data[..4] != b"\x7fELF" {
            return Err(Error::NotElf {
                path: path.to_owned(),
            });
        }
        if data[4] != 2 || data[5] != 1 {
            return Err(Error::UnsupportedElf {
                path: path.to_owned(),
            });
        }
        let e = LE;
        let header = FileHeader64::<LE>::parse(data).map_err(|x| bad(x.to_string()))?;
        let loads = header
            .program_headers(e, data)
            .map_err(|x| bad(x.to_string()))?
            .iter()
            .filter(|p| p.p_type(e) == PT_LOAD)
            .map(|p| LoadSegment {
                vaddr: p.p_vaddr(e),
                offset: p.p_offset(e),
                filesz: p.p_filesz(e),
                memsz: p.p_memsz(e),
            })
            .collect();
        let sections = header.sections(e, data).map_err(|x| bad(x.to_string()))?;
        let mut build_id = None;
        for section in sections.iter() {
            if let Ok(Some(mut notes)) = section.notes(e, data) {
                while let Ok(Some(n)) = notes.next() {
                    if n.name() == b"GNU" && n.n_type(e) == object::elf::NT_GNU_BUILD_ID {
                        build_id = Some(n.desc().to_vec());
                    }
                }
            }
        }
        let (mut eh_frame, mut eh_frame_hdr, mut text) = (None, None, None);
        for section in sections.iter() {
            let place = SectionPlace {
                addr: section.sh_addr(e),
                offset: section.sh_offset(e),
                size: section.sh_size(e),
            };
            match sections.section_name(e, section) {
                Ok(b".eh_frame") => eh_frame = Some(place),
                Ok(b".eh_frame_hdr") => eh_frame_hdr = Some(place),
                Ok(b".text") => text = Some(place),
                _ => {}
            }
        }
        let mut symbols = Vec::new();
        // The full symbol table, or for stripped libraries the dynamic one.
        let table = sections
            .symbols(e, data, SHT_SYMTAB)
            .ok()
            .filter(|t| !t.is_empty())
            .or_else(|| sections.symbols(e, data, SHT_DYNSYM).ok());
        if let Some(table) = table {
            let strings = table.strings();
            for sym in table.iter() {
                let kind = sym.st_type();
                if kind != STT_FUNC && kind != STT_OBJECT {
                    continue;
                }
                let Ok(name) = sym.name(e, strings) else {
                    continue;
                };
                if name.is_empty() {
                    continue;
                }
                let off = name.as_ptr() as usize - data.as_ptr() as usize;
                symbols.push(Symbol {
                    addr: sym.st_value(e),
                    size: sym.st_size(e),
                    name: (off as u32, name.len() as u32),
                    is_func: kind == STT_FUNC,
                });
            }
        }
        symbols.sort_by_key(|s| s.addr);
        Ok(Executable {
            path: path.to_owned(),
            map,
            build_id,
            loads,
            symbols,
            eh_frame,
            eh_frame_hdr,
            text,
        })
    }

    /// The file's bytes of a section.
    pub fn section_data(&self, place: &SectionPlace) -> Option<&[u8]> {
        let end = place.offset.checked_add(place.size)?;
        self.map.get(place.offset as usize..end as usize)
    }

    /// The path the executable was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A symbol's name (raw bytes, mangled).
    pub fn symbol_name(&self, s: &Symbol) -> &[u8] {
        let (off, len) = (s.name.0 as usize, s.name.1 as usize);
        self.map.get(off..off + len).unwrap_or(&[])
    }

    /// All indexed symbols, sorted by address.
    pub fn symbols(&self) -> &[Symbol] {
        &self.symbols
    }

    /// The first symbol with exactly this (mangled) name.
    pub fn symbol(&self, name: &str) -> Option<Symbol> {
        self.symbols
            .iter()
            .find(|s| self.symbol_name(s) == name.as_bytes())
            .copied()
    }

    /// The symbol containing link-time address `addr` (or, for size-0 symbols, starting at it).
    pub fn symbol_at(&self, addr: u64) -> Option<Symbol> {
        let i = self.symbols.partition_point(|s| s.addr <= addr);
        self.symbols[..i]
            .iter()
            .rev()
            .take(64)
            .find(|s| addr < s.addr.saturating_add(s.size.max(1)))
            .copied()
    }

    /// Symbols whose names start with `prefix`, with their names.
    pub fn symbols_with_prefix<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a str, Symbol)> + 'a {
        self.symbols.iter().filter_map(move |s| {
            let name = self.symbol_name(s);
            if name.starts_with(prefix.as_bytes()) {
                std::str::from_utf8(name).ok().map(|n| (n, *s))
            } else {
                None
            }
        })
    }

    /// The link-time address of the first byte of the file (the segment with file offset 0).
    pub fn base_vaddr(&self) -> Option<u64> {
        self.loads
            .iter()
            .find(|l| l.offset == 0)
            .map(|l| l.vaddr & !0xfff)
    }

    /// Bytes at a link-time address, read from the file (at most `len`, within one segment).
    pub fn read_static(&self, vaddr: u64, len: u64) -> Option<&[u8]> {
        let seg = self
            .loads
            .iter()
            .find(|l| l.vaddr <= vaddr && vaddr < l.vaddr.saturating_add(l.filesz))?;
        let off = seg.offset.checked_add(vaddr - seg.vaddr)?;
        let avail = seg.vaddr + seg.filesz - vaddr;
        let end = off.checked_add(len.min(avail))?;
        self.map.get(off as usize..end as usize)
    }

    /// Whether the file's loadable bytes hold `text` as a NUL-terminated string of its own (a
    /// literal or format string compiled into the program).
    pub fn has_cstring(&self, text: &str) -> bool {
        let needle: Vec<u8> = [&[0u8][..], text.as_bytes(), &[0u8]].concat();
        let finder = memchr::memmem::Finder::new(&needle);
        let data: &[u8] = &self.map;
        self.loads.iter().any(|l| {
            let end = l.offset.saturating_add(l.filesz) as usize;
            data.get(l.offset as usize..end.min(data.len()))
                .is_some_and(|seg| finder.find(seg).is_some())
        })
    }

    /// Up to 8 bytes of a static variable at a link-time address, with `.bss` (in memory, not in the
    /// file) reading as the zeros the loader would give it.
    pub fn read_static_value(&self, vaddr: u64, len: u64) -> Option<Vec<u8>> {
        let len = len.min(8);
        if let Some(b) = self.read_static(vaddr, len) {
            if b.len() as u64 == len {
                return Some(b.to_vec());
            }
        }
        let in_bss = self.loads.iter().any(|l| {
            vaddr >= l.vaddr.saturating_add(l.filesz)
                && vaddr.saturating_add(len) <= l.vaddr.saturating_add(l.memsz)
        });
        in_bss.then(|| vec![0u8; len as usize])
    }

    /// The file's loadable bytes as memory, placed at `bias` + link-time addresses.
    pub fn memory(&self, bias: u64) -> Regions<'_> {
        let data: &[u8] = &self.map;
        Regions::new(
            self.loads
                .iter()
                .filter_map(|l| {
                    let end = l.offset.checked_add(l.filesz)?;
                    Some(Region {
                        start: l.vaddr.wrapping_add(bias),
                        data: data.get(l.offset as usize..end as usize)?,
                        // File contents beneath the core: what the process could write is
                        // the core's.
                        writable: false,
                    })
                })
                .collect(),
        )
    }
}

/// Hex string of a build-id.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
