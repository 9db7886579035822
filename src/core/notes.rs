//! Decoding the notes of a Linux x86-64 core: `NT_PRSTATUS`, `NT_PRPSINFO`, `NT_AUXV`, `NT_FILE`,
//! `NT_SIGINFO`. Every field is read with bounds checks; a short or odd note becomes a warning.

use super::Notes;
use crate::error::Warning;
use object::elf::FileHeader64;
use object::read::elf::NoteIterator;
use object::LittleEndian as LE;

const NT_PRSTATUS: u32 = 1;
const NT_PRPSINFO: u32 = 3;
const NT_AUXV: u32 = 6;
const NT_FILE: u32 = 0x4649_4c45;
const NT_SIGINFO: u32 = 0x5349_4749;

/// General-purpose registers of a thread (x86-64 `user_regs_struct`).
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Registers {
    pub rax: u64,
    pub rbx: u64,
    pub rcx: u64,
    pub rdx: u64,
    pub rsi: u64,
    pub rdi: u64,
    pub rbp: u64,
    pub rsp: u64,
    pub r8: u64,
    pub r9: u64,
    pub r10: u64,
    pub r11: u64,
    pub r12: u64,
    pub r13: u64,
    pub r14: u64,
    pub r15: u64,
    pub rip: u64,
    pub eflags: u64,
    pub fs_base: u64,
    pub gs_base: u64,
}

/// One thread's state from `NT_PRSTATUS`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ThreadState {
    /// Kernel thread id (`pr_pid`).
    pub tid: u32,
    /// Signal pending for / delivered to this thread (`pr_cursig`), 0 if none.
    pub signal: u16,
    /// Register state at the time of the dump.
    pub regs: Registers,
}

/// Process information from `NT_PRPSINFO`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PsInfo {
    /// Process id.
    pub pid: u32,
    /// Parent process id.
    pub ppid: u32,
    /// User id.
    pub uid: u32,
    /// The command name (`comm`, at most 15 bytes).
    pub fname: String,
    /// The start of the command line (at most 80 bytes; arguments separated by spaces).
    pub psargs: String,
}

/// A file mapped into the process, from `NT_FILE`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct MappedFile {
    /// First address of the mapping.
    pub start: u64,
    /// One past the last address.
    pub end: u64,
    /// Offset in the file of the byte mapped at `start`.
    pub file_offset: u64,
    /// The file's path as the kernel saw it.
    pub path: String,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}
fn cstr(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

pub(super) fn decode_all(mut iter: NoteIterator<'_, FileHeader64<LE>>, out: &mut Notes) {
    loop {
        let note = match iter.next() {
            Ok(Some(n)) => n,
            Ok(None) => break,
            Err(e) => {
                out.warnings
                    .push(Warning::partial(format!("stopped reading notes: {e}")));
                break;
            }
        };
        let name = note.name();
        let desc = note.desc();
        let kind = note.n_type(LE);
        let ok = match (name, kind) {
            (b"CORE", NT_PRSTATUS) => decode_prstatus(desc).map(|t| out.threads.push(t)),
            (b"CORE", NT_PRPSINFO) => decode_prpsinfo(desc).map(|p| out.psinfo = Some(p)),
            (b"CORE", NT_AUXV) => {
                out.auxv = desc
                    .chunks_exact(16)
                    .filter_map(|c| Some((u64_at(c, 0)?, u64_at(c, 8)?)))
                    .take_while(|&(k, _)| k != 0)
                    .collect();
                Some(())
            }
            (b"CORE", NT_FILE) => decode_file(desc).map(|f| out.files = f),
            (b"CORE", NT_SIGINFO) => {
                out.siginfo_signo = u32_at(desc, 0).map(|s| s as i32);
                Some(())
            }
            _ => Some(()),
        };
        if ok.is_none() {
            out.warnings.push(Warning::partial(format!(
                "malformed core note of type {kind:#x} ignored"
            )));
        }
    }
}

/// Offsets in x86-64 `struct elf_prstatus`.
const PRSTATUS_CURSIG: usize = 12;
const PRSTATUS_PID: usize = 32;
const PRSTATUS_REGS: usize = 112;
const PRSTATUS_SIZE: usize = 336;

fn decode_prstatus(d: &[u8]) -> Option<crate::core::ThreadState> {
    if d.len() < PRSTATUS_SIZE {
        return None;
    }
    // user_regs_struct order: r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax
    // rip cs eflags rsp ss fs_base gs_base ds es fs gs.
    let r = |i: usize| u64_at(d, PRSTATUS_REGS + 8 * i).unwrap_or(0);
    let regs = Registers {
        r15: r(0),
        r14: r(1),
        r13: r(2),
        r12: r(3),
        rbp: r(4),
        rbx: r(5),
        r11: r(6),
        r10: r(7),
        r9: r(8),
        r8: r(9),
        rax: r(10),
        rcx: r(11),
        rdx: r(12),
        rsi: r(13),
        rdi: r(14),
        rip: r(16),
        eflags: r(18),
        rsp: r(19),
        fs_base: r(21),
        gs_base: r(22),
    };
    Some(ThreadState {
        tid: u32_at(d, PRSTATUS_PID)?,
        signal: u16_at(d, PRSTATUS_CURSIG)?,
        regs,
    })
}

fn decode_prpsinfo(d: &[u8]) -> Option<PsInfo> {
    // x86-64 `struct elf_prpsinfo`: state,sname,zomb,nice (4 bytes), pad, flag (8), uid (4) at 16,
    // gid (4), pid at 24, ppid, pgrp, sid, fname[16] at 40, psargs[80] at 56.
    if d.len() < 136 {
        return None;
    }
    Some(PsInfo {
        uid: u32_at(d, 16)?,
        pid: u32_at(d, 24)?,
        ppid: u32_at(d, 28)?,
        fname: cstr(d.get(40..56)?),
        psargs: cstr(d.get(56..136)?).trim_end().to_string(),
    })
}

fn decode_file(d: &[u8]) -> Option<Vec<MappedFile>> {
    let count = u64_at(d, 0)?;
    let page = u64_at(d, 8)?;
    // Each entry is 24 bytes; a count the note cannot hold is malformed (no huge allocation).
    let table_len = usize::try_from(count).ok()?.checked_mul(24)?;
    let names_at = 16usize.checked_add(table_len)?;
    if names_at > d.len() {
        return None;
    }
    let mut names = d[names_at..].split(|&c| c == 0);
    let mut out = Vec::with_capacity(count as usize);
    for i in 0..count as usize {
        let e = 16 + 24 * i;
        let name = names.next()?;
        out.push(MappedFile {
            start: u64_at(d, e)?,
            end: u64_at(d, e + 8)?,
            file_offset: u64_at(d, e + 16)?.checked_mul(page)?,
            path: String::from_utf8_lossy(name).into_owned(),
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nt_file_decodes_entries_and_rejects_impossible_count() {
        let mut d = Vec::new();
        d.extend_from_slice(&2u64.to_le_bytes());
        d.extend_from_slice(&4096u64.to_le_bytes());
        for (s, e, o) in [(0x400000u64, 0x401000u64, 0u64), (0x7f00, 0x8f00, 3)] {
            d.extend_from_slice(&s.to_le_bytes());
            d.extend_from_slice(&e.to_le_bytes());
            d.extend_from_slice(&o.to_le_bytes());
        }
        d.extend_from_slice(b"/usr/bin/node\0/lib/libc.so.6\0");
        let f = decode_file(&d).expect("valid NT_FILE");
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].path, "/usr/bin/node");
        assert_eq!(f[1].file_offset, 3 * 4096);
        assert_eq!(f[1].path, "/lib/libc.so.6");

        let mut bad = d.clone();
        bad[..8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(decode_file(&bad).is_none());
        assert!(
            decode_file(&d[..40]).is_none(),
            "truncated table must be rejected"
        );
    }

    #[test]
    fn prstatus_reads_tid_signal_and_registers() {
        let mut d = vec![0u8; PRSTATUS_SIZE];
        d[PRSTATUS_CURSIG..PRSTATUS_CURSIG + 2].copy_from_slice(&6u16.to_le_bytes());
        d[PRSTATUS_PID..PRSTATUS_PID + 4].copy_from_slice(&4242u32.to_le_bytes());
        let rip = PRSTATUS_REGS + 16 * 8;
        d[rip..rip + 8].copy_from_slice(&0xdead_beefu64.to_le_bytes());
        let rsp = PRSTATUS_REGS + 19 * 8;
        d[rsp..rsp + 8].copy_from_slice(&0x7ffc_0000u64.to_le_bytes());
        let t = decode_prstatus(&d).expect("valid prstatus");
        assert_eq!((t.tid, t.signal), (4242, 6));
        assert_eq!((t.regs.rip, t.regs.rsp), (0xdead_beef, 0x7ffc_0000));
        assert!(decode_prstatus(&d[..100]).is_none());
    }
}
