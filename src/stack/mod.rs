//! The stack walker: the frames of one thread, native and JavaScript, innermost first, from its
//! registers, the process's memory and the modules its caller found ([`native::Modules`]). Calls
//! `memory/`, `binary/` (unwind tables), `process/` (the mapped files' types) and `v8/`
//! (JavaScript frames, when the caller could open the heap); degrades to native frames when it
//! could not.
//!
//! Native frames are unwound by call frame information (`.eh_frame`) where the code has it, by
//! frame pointer where it does not (V8's builtins and generated code keep an `rbp` chain), and as
//! a last resort by scanning the stack for a return address; each frame says which. Frames in
//! V8's code are decoded as JavaScript frames (function, script, line and column) by
//! [`crate::v8::frames`].

pub mod native;

use crate::memory::Memory;
use crate::v8::frames::{FrameDecoder, JsFrame};
use native::{Modules, Regs, Step};
use serde::Serialize;

/// Frames per thread before the walk gives up.
const MAX_FRAMES: usize = 1024;
/// Words scanned for a return address when the other methods fail.
const SCAN_WORDS: u64 = 512;

/// How a frame's registers were found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum How {
    /// The thread's registers in the core.
    Context,
    /// Call frame information of the callee.
    Cfi,
    /// The callee's frame pointer chain.
    FramePointer,
    /// A return address found by scanning the stack (may be wrong).
    Scan,
}

impl How {
    pub fn label(self) -> &'static str {
        match self {
            How::Context => "context",
            How::Cfi => "cfi",
            How::FramePointer => "frame pointer",
            How::Scan => "scan",
        }
    }
}

/// One frame.
#[derive(Clone, Debug, Serialize)]
pub struct Frame {
    pub pc: u64,
    pub sp: u64,
    /// The frame pointer (`rbp`) when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fp: Option<u64>,
    pub how: How,
    /// The file the code is in (executable or library), when it is in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    /// The native function and the offset into it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// The JavaScript (or V8-internal) frame, for frames in V8's code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub js: Option<JsFrame>,
}

/// The stack of one thread.
#[derive(Clone, Debug, Serialize)]
pub struct ThreadStack {
    pub tid: u32,
    pub name: Option<String>,
    pub main: bool,
    pub frames: Vec<Frame>,
    /// Why the walk stopped before the outermost frame, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
}

/// Walk one thread from its registers.
pub fn walk_thread<M: Memory>(
    modules: &Modules<'_>,
    decoder: Option<&FrameDecoder<'_, '_, M>>,
    mem: &M,
    start: Regs,
    with_args: bool,
) -> (Vec<Frame>, Option<String>) {
    let mut frames = Vec::new();
    let mut regs = start;
    let mut how = How::Context;
    let mut stopped = None;
    loop {
        if frames.len() >= MAX_FRAMES {
            stopped = Some(format!(
                "more than {MAX_FRAMES} frames; the rest are not shown"
            ));
            break;
        }
        // A return address may be the first byte after the function that made a call that
        // does not return (abort): name the call's instruction, one byte back.
        let innermost = how == How::Context;
        let lookup = if innermost {
            regs.rip
        } else {
            regs.rip.saturating_sub(1)
        };
        let place = modules.place(lookup).map(|mut p| {
            if let Some((_, off)) = &mut p.symbol {
                *off += regs.rip - lookup;
            }
            p
        });
        let v8_code = match &place {
            None => true, // generated code (not in any file)
            Some(p) => p
                .symbol
                .as_ref()
                .is_some_and(|(name, _)| name.starts_with("Builtins_")),
        };
        let js = if v8_code {
            decoder.and_then(|d| d.decode(regs.rip, regs.rbp?, with_args))
        } else {
            None
        };
        let (module, symbol, offset) = match place {
            Some(p) => {
                let (s, o) = p.symbol.map_or((None, None), |(s, o)| (Some(s), Some(o)));
                (Some(p.module.to_string()), s, o)
            }
            None => (None, None, None),
        };
        frames.push(Frame {
            pc: regs.rip,
            sp: regs.rsp,
            fp: regs.rbp,
            how,
            module,
            symbol,
            offset,
            js,
        });
        // The caller: V8's code has no unwind tables but keeps frame pointers; other code is
        // unwound by its tables, else by frame pointer, else by scanning for a return address.
        let by_fp = || native::step_frame_pointer(mem, &regs).map(|r| (r, How::FramePointer));
        let primary = if v8_code {
            by_fp()
        } else {
            match modules.step_cfi(mem, &regs, innermost) {
                Step::Caller(r) => Some((r, How::Cfi)),
                Step::Outermost => break,
                Step::NoInfo => by_fp(),
            }
        };
        let valid = |r: &Regs| r.rsp > regs.rsp && r.rip != 0 && plausible(modules, r.rip);
        match primary {
            Some((r, h)) if valid(&r) => {
                regs = r;
                how = h;
                continue;
            }
            Some((r, _)) if r.rsp <= regs.rsp && r.rip != 0 => {
                stopped = Some(format!(
                    "the frame chain loops (frame {} would have stack pointer {:#x}, not above {:#x})",
                    frames.len(),
                    r.rsp,
                    regs.rsp
                ));
                break;
            }
            Some((r, _)) if v8_code && r.rip != 0 => {
                stopped = Some(format!(
                    "the frame pointer chain is broken: return address {:#x} is not code",
                    r.rip
                ));
                break;
            }
            None if v8_code => {
                stopped = Some(match regs.rbp {
                    Some(fp) if fp < regs.rsp => format!(
                        "the frame pointer chain loops back: {fp:#x} is below the stack pointer {:#x}",
                        regs.rsp
                    ),
                    Some(fp) => format!(
                        "the frame pointer chain is broken: frame pointer {fp:#x} cannot be read"
                    ),
                    None => "the frame pointer chain is broken: no frame pointer".into(),
                });
                break;
            }
            _ => {}
        }
        match native::step_scan(mem, &regs, SCAN_WORDS, |a| modules.is_return_address(a)) {
            Some(r) if r.rsp > regs.rsp => {
                regs = r;
                how = How::Scan;
            }
            _ => break,
        }
        if regs.rip == 0 {
            break;
        }
    }
    (frames, stopped)
}

/// A return address worth following: in a file's code or in V8's generated code (memory the core
/// has, outside any file).
fn plausible(modules: &Modules<'_>, pc: u64) -> bool {
    if modules.place(pc).is_some() {
        return true;
    }
    modules.is_executable(pc)
}
