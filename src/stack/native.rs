//! Native code of the process: the executable and the shared libraries mapped into it (from the
//! core's `NT_FILE` note), their symbols, and unwinding native frames by call frame information
//! (`.eh_frame`), by frame pointer, or by scanning the stack for return addresses.

use crate::binary::cfi::{self, Cfi, Rule};
use crate::binary::Executable;
use crate::memory::Memory;
use crate::process::threads::short_name;
use crate::process::{core_build_id, Process};
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
    /// The opened file; `None` when it could not be used (see [`Modules::problems`]).
    pub file: Option<Executable>,
}

/// The executable and libraries of a process, for symbols and unwind tables.
pub struct Modules<'p> {
    pub process: &'p Process,
    /// Libraries by path.
    pub libraries: Vec<Library>,
    /// Libraries that could not be read or whose build-id differs from the core's: one line each.
    pub problems: Vec<String>,
    /// Every file mapping (sorted by start): start, end, file offset, module (`None`: the
    /// executable, else an index into `libraries`).
    mappings: Vec<(u64, u64, u64, Option<usize>)>,
}

/// Where a code address lies.
pub struct Place<'a> {
    /// The file's path.
    pub module: &'a str,
    /// Demangled function name and offset into it, when a symbol covers the address.
    pub symbol: Option<(String, u64)>,
}

/// Register values known while unwinding (`None`: not recoverable in this frame).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Regs {
    pub rip: u64,
    pub rsp: u64,
    pub rbp: Option<u64>,
    pub rbx: Option<u64>,
    pub r12: Option<u64>,
    pub r13: Option<u64>,
    pub r14: Option<u64>,
    pub r15: Option<u64>,
}

impl Regs {
    fn get(&self, reg: u16) -> Option<u64> {
        match reg {
            cfi::RSP => Some(self.rsp),
            cfi::RBP => self.rbp,
            cfi::RBX => self.rbx,
            cfi::R12 => self.r12,
            cfi::R13 => self.r13,
            cfi::R14 => self.r14,
            cfi::R15 => self.r15,
            cfi::RA => Some(self.rip),
            _ => None,
        }
    }

    fn set(&mut self, reg: u16, v: Option<u64>) {
        match reg {
            cfi::RBP => self.rbp = v,
            cfi::RBX => self.rbx = v,
            cfi::R12 => self.r12 = v,
            cfi::R13 => self.r13 = v,
            cfi::R14 => self.r14 = v,
            cfi::R15 => self.r15 = v,
            _ => {}
        }
    }
}

impl<'p> Modules<'p> {
    /// The modules of `p`: libraries are opened from the paths the core names (on this machine);
    /// missing or different files are listed in `problems`, not fatal.
    pub fn new(p: &'p Process, mem: &impl Memory) -> Modules<'p> {
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
            mappings.push((f.start, f.end, f.file_offset, module));
        }
        mappings.sort_unstable();
        Modules {
            process: p,
            libraries,
            problems,
            mappings,
        }
    }

    /// The file mapped at `addr` and the link-time address `addr` corresponds to (through the
    /// mapping's file offset, so that code mapped again elsewhere, like V8's remapped builtins,
    /// is found too).
    fn file_at(&self, addr: u64) -> Option<(&str, Option<&Executable>, u64)> {
        let i = self.mappings.partition_point(|m| m.0 <= addr);
        let &(start, end, offset, module) = self.mappings.get(i.checked_sub(1)?)?;
        if addr >= end {
            return None;
        }
        let p = self.process;
        let (path, file) = match module {
            None => (p.exe.path().to_str().unwrap_or("node"), Some(&p.exe)),
            Some(k) => {
                let l = &self.libraries[k];
                (l.path.as_str(), l.file.as_ref())
            }
        };
        let file_offset = addr - start + offset;
        let link = file.and_then(|f| {
            let seg = f
                .loads
                .iter()
                .find(|l| file_offset >= l.offset && file_offset - l.offset < l.filesz)?;
            Some(seg.vaddr + (file_offset - seg.offset))
        });
        Some((path, file, link.unwrap_or(0)))
    }

    /// The module and function of a code address.
    pub fn place(&self, addr: u64) -> Option<Place<'_>> {
        let (module, file, link) = self.file_at(addr)?;
        let symbol = file.and_then(|f| {
            let s = f.symbol_at(link)?;
            s.is_func
                .then(|| (short_name(f.symbol_name(&s)), link - s.addr))
        });
        Some(Place { module, symbol })
    }

    /// Whether `addr` lies in memory the process could execute (a core segment with `PF_X`).
    pub fn is_executable(&self, addr: u64) -> bool {
        self.process
            .core
            .segments
            .iter()
            .any(|s| s.flags & 1 != 0 && addr >= s.vaddr && addr - s.vaddr < s.memsz)
    }

    /// Whether `addr` is a plausible return address: in executable memory of a known file, right
    /// after a call instruction (`call rel32`, `call reg`, `call [reg + disp]`, `call [rip + disp]`).
    pub fn is_return_address(&self, addr: u64) -> bool {
        let Some((_, Some(file), link)) = self.file_at(addr) else {
            return false;
        };
        if !self.is_executable(addr) {
            return false;
        }
        let Some(b) = link
            .checked_sub(7)
            .and_then(|a| file.read_static(a, 7))
            .filter(|b| b.len() == 7)
        else {
            return false;
        };
        let modrm = |m: u8| (m >> 3) & 7 == 2; // the /2 extension of opcode FF: call
        b[2] == 0xe8
            || (b[5] == 0xff && modrm(b[6]) && b[6] >> 6 == 3)
            || (b[4] == 0xff && modrm(b[5]) && b[5] >> 6 == 1)
            || (b[3] == 0xff && modrm(b[4]) && b[4] >> 6 == 1)
            || (b[1] == 0xff && modrm(b[2]) && (b[2] >> 6 == 2 || b[2] & 0xc7 == 0x05))
            || (b[0] == 0xff && modrm(b[1]) && b[1] >> 6 == 2)
    }

    /// One step by call frame information: the caller's registers, when an FDE covers the
    /// address (`Cfi::Outermost` when it says there is no caller). `innermost`: `regs.rip` is
    /// where the thread stopped, not a return address.
    pub fn step_cfi(&self, mem: &impl Memory, regs: &Regs, innermost: bool) -> Step {
        match self.cfi_caller(mem, regs, innermost) {
            None => Step::NoInfo,
            Some(None) => Step::Outermost,
            Some(Some(r)) => Step::Caller(r),
        }
    }

    fn cfi_caller(&self, mem: &impl Memory, regs: &Regs, innermost: bool) -> Option<Option<Regs>> {
        let pc = if innermost {
            regs.rip
        } else {
            regs.rip.saturating_sub(1)
        };
        let (_, file, link) = self.file_at(pc)?;
        let row = Cfi::new(file?)?.row(link)?;
        let cfa = regs
            .get(row.cfa_register)?
            .checked_add_signed(row.cfa_offset)?;
        let mut next = Regs {
            rip: 0,
            rsp: cfa,
            ..*regs
        };
        for &reg in &cfi::TRACKED {
            let v = match row.rule(reg) {
                Rule::Same => regs.get(reg),
                Rule::Undefined => None,
                Rule::AtCfa(o) => cfa.checked_add_signed(o).and_then(|a| mem.read_u64(a)),
                Rule::CfaPlus(o) => cfa.checked_add_signed(o),
                Rule::Register(r) => regs.get(r),
            };
            if reg == cfi::RA {
                match (row.rule(reg), v) {
                    (Rule::Undefined, _) => return Some(None),
                    (_, Some(v)) => next.rip = v,
                    (_, None) => return None,
                }
            } else {
                next.set(reg, v);
            }
        }
        Some(Some(next))
    }
}

/// The outcome of one unwinding step by call frame information.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// No unwind information covers the address (or it could not be applied).
    NoInfo,
    /// The information says this frame has no caller (a thread's or the process's start).
    Outermost,
    Caller(Regs),
}

/// The largest distance between a frame's stack slots that scanning accepts (1 MiB).
const MAX_FRAME: u64 = 1 << 20;

/// One step by frame pointer: `[rbp]` is the caller's frame pointer and `[rbp + 8]` the return
/// address (V8's generated code and code built with frame pointers keep this chain).
pub fn step_frame_pointer(mem: &impl Memory, regs: &Regs) -> Option<Regs> {
    let fp = regs.rbp?;
    if fp < regs.rsp || fp % 8 != 0 {
        return None;
    }
    let rip = mem.read_u64(fp.checked_add(8)?)?;
    let caller_fp = mem.read_u64(fp)?;
    Some(Regs {
        rip,
        rsp: fp + 16,
        rbp: Some(caller_fp),
        // Callee-saved registers other than rbp are not known after a frame-pointer step.
        rbx: None,
        r12: None,
        r13: None,
        r14: None,
        r15: None,
    })
}

/// Scan the stack from `regs.rsp` for the nearest word that is a return address into mapped
/// code (`is_code`), at most `words` words; the caller's registers as if that were the frame's
/// return address slot. The caller's frame pointer is taken from the word below that slot when
/// it looks like a saved frame pointer (the callee began with `push rbp`): higher on the stack,
/// and itself followed by a return address. Otherwise it is unknown.
pub fn step_scan(
    mem: &impl Memory,
    regs: &Regs,
    words: u64,
    is_code: impl Fn(u64) -> bool,
) -> Option<Regs> {
    for i in 0..words {
        let at = regs.rsp.checked_add(8 * i)?;
        let v = mem.read_u64(at)?;
        if is_code(v) {
            let saved = mem.read_u64(at.wrapping_sub(8)).filter(|&f| {
                f > at
                    && f - at < MAX_FRAME
                    && f % 8 == 0
                    && mem.read_u64(f.wrapping_add(8)).is_some_and(&is_code)
            });
            return Some(Regs {
                rip: v,
                rsp: at + 8,
                rbp: saved,
                rbx: None,
                r12: None,
                r13: None,
                r14: None,
                r15: None,
            });
        }
    }
    None
}
