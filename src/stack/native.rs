//! Native code of the process: symbols of the executable and the libraries its caller found
//! mapped, and unwinding native frames by call frame information (`.eh_frame`), by frame pointer,
//! or by scanning the stack for return addresses.

use crate::binary::cfi::{self, Cfi, Rule};
use crate::binary::Executable;
use crate::memory::Memory;
use crate::process::modules::{MappedFiles, Mapping};
use crate::process::threads::short_name;

/// The executable and libraries of a process, for symbols and unwind tables: what the caller
/// found mapped ([`MappedFiles`]); this floor opens no file and reads no core.
pub struct Modules<'p> {
    exe: &'p Executable,
    files: MappedFiles,
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
    /// The modules of a process: its executable and the files mapped into it.
    pub fn new(exe: &'p Executable, files: MappedFiles) -> Modules<'p> {
        Modules { exe, files }
    }

    /// Libraries that could not be used: one line each.
    pub fn problems(&self) -> &[String] {
        &self.files.problems
    }

    /// The file mapped at `addr` and the link-time address `addr` corresponds to (through the
    /// mapping's file offset, so that code mapped again elsewhere, like V8's remapped builtins,
    /// is found too).
    fn file_at(&self, addr: u64) -> Option<(&str, Option<&Executable>, u64)> {
        let maps = &self.files.mappings;
        let i = maps.partition_point(|m| m.start <= addr);
        let &Mapping {
            start,
            end,
            offset,
            module,
        } = maps.get(i.checked_sub(1)?)?;
        if addr >= end {
            return None;
        }
        let (path, file) = match module {
            None => (self.exe.path().to_str().unwrap_or("node"), Some(self.exe)),
            Some(k) => {
                let l = &self.files.libraries[k];
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

    /// Whether `addr` lies in memory the process could execute.
    pub fn is_executable(&self, addr: u64) -> bool {
        self.files
            .executable
            .iter()
            .any(|&(a, b)| a <= addr && addr < b)
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
