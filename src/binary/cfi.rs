//! Call frame information from an executable's `.eh_frame` (found through `.eh_frame_hdr`'s
//! binary-search table when there is one): for a code address, how to compute the canonical frame
//! address (CFA) and where the caller's registers were saved.

use super::Executable;
use gimli::{
    BaseAddresses, CfaRule, EhFrame, EhFrameHdr, EndianSlice, LittleEndian, ParsedEhFrameHdr,
    Register, RegisterRule, UnwindContext, UnwindSection,
};

/// DWARF register numbers of x86-64 that unwinding needs: the callee-saved registers, the stack
/// pointer and the return address.
pub const RBX: u16 = 3;
pub const RBP: u16 = 6;
pub const RSP: u16 = 7;
pub const R12: u16 = 12;
pub const R13: u16 = 13;
pub const R14: u16 = 14;
pub const R15: u16 = 15;
pub const RA: u16 = 16;

/// The registers a row describes (besides the CFA).
pub const TRACKED: [u16; 7] = [RBX, RBP, R12, R13, R14, R15, RA];

/// Where a register's value in the caller comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// The caller has the same value (callee-saved and not touched).
    Same,
    /// Not recoverable.
    Undefined,
    /// Saved in memory at CFA + offset.
    AtCfa(i64),
    /// The value is CFA + offset.
    CfaPlus(i64),
    /// Held in another register.
    Register(u16),
}

/// How to unwind from one code address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    /// CFA = value of this register + offset.
    pub cfa_register: u16,
    pub cfa_offset: i64,
    /// Rules for [`TRACKED`], in that order.
    pub rules: [Rule; TRACKED.len()],
}

impl Row {
    /// The rule for a tracked register.
    pub fn rule(&self, reg: u16) -> Rule {
        TRACKED
            .iter()
            .position(|&r| r == reg)
            .map_or(Rule::Undefined, |i| self.rules[i])
    }
}

type Slice<'a> = EndianSlice<'a, LittleEndian>;

/// The unwind tables of one executable or library.
pub struct Cfi<'a> {
    eh_frame: EhFrame<Slice<'a>>,
    hdr: Option<ParsedEhFrameHdr<Slice<'a>>>,
    bases: BaseAddresses,
}

impl<'a> Cfi<'a> {
    /// The tables of `exe`, if it has an `.eh_frame`.
    pub fn new(exe: &'a Executable) -> Option<Cfi<'a>> {
        let place = exe.eh_frame?;
        let eh_frame = EhFrame::new(exe.section_data(&place)?, LittleEndian);
        let mut bases = BaseAddresses::default().set_eh_frame(place.addr);
        if let Some(t) = exe.text {
            bases = bases.set_text(t.addr);
        }
        let mut hdr = None;
        if let Some(h) = exe.eh_frame_hdr {
            bases = bases.set_eh_frame_hdr(h.addr);
            hdr = exe
                .section_data(&h)
                .and_then(|d| EhFrameHdr::new(d, LittleEndian).parse(&bases, 8).ok());
        }
        Some(Cfi {
            eh_frame,
            hdr,
            bases,
        })
    }

    /// The unwind row for link-time address `pc`, when an FDE covers it and its rules are of the
    /// kinds this unwinder follows (register + offset CFA; no DWARF expressions).
    pub fn row(&self, pc: u64) -> Option<Row> {
        let mut ctx = Box::new(UnwindContext::new());
        let table = self.hdr.as_ref().and_then(|h| h.table());
        let row = match table {
            Some(t) => t
                .unwind_info_for_address(
                    &self.eh_frame,
                    &self.bases,
                    &mut ctx,
                    pc,
                    EhFrame::cie_from_offset,
                )
                .ok()?
                .clone(),
            None => self
                .eh_frame
                .unwind_info_for_address(&self.bases, &mut ctx, pc, EhFrame::cie_from_offset)
                .ok()?
                .clone(),
        };
        let (cfa_register, cfa_offset) = match row.cfa() {
            CfaRule::RegisterAndOffset { register, offset } => (register.0, *offset),
            CfaRule::Expression(_) => return None,
        };
        let mut rules = [Rule::Same; TRACKED.len()];
        for (slot, &reg) in rules.iter_mut().zip(TRACKED.iter()) {
            *slot = match row.register(Register(reg)) {
                RegisterRule::SameValue => Rule::Same,
                // The return address has no "same value": undefined means the outermost frame.
                RegisterRule::Undefined if reg == RA => Rule::Undefined,
                RegisterRule::Undefined => Rule::Same,
                RegisterRule::Offset(o) => Rule::AtCfa(o),
                RegisterRule::ValOffset(o) => Rule::CfaPlus(o),
                RegisterRule::Register(r) => Rule::Register(r.0),
                _ => Rule::Undefined,
            };
        }
        Some(Row {
            cfa_register,
            cfa_offset,
            rules,
        })
    }
}
