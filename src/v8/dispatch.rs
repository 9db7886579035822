//! V8's JS dispatch table (V8 ≥ 13, "leaptiering"): a function holds a 32-bit handle, not a
//! pointer to its code. The table is an array of 16-byte entries (the entry point, then an
//! encoded word holding the `Code` object's address above bit 16 and the parameter count below);
//! handle `h` is entry `h >> 8`. The table lives in memory of its own; where its base is kept
//! differs by release (a process-wide isolate group, or the isolate's data), so it is found by
//! the functions' handles: the mapping through whose start they resolve to `Code` objects.

use super::heap::Page;
use super::model::{Model, Reader};
use super::walk::MapCache;
use crate::memory::Memory;

/// Size of one entry.
const ENTRY: u64 = 16;
/// `kJSDispatchHandleShift`.
const HANDLE_SHIFT: u32 = 8;
/// `JSDispatchTable`'s segment size.
const SEGMENT: u64 = 64 << 10;
/// Functions whose handles decide where the table starts.
const SAMPLE: usize = 256;
/// Free entries have these bits set in their encoded word.
const FREE_BITS: u64 = 0xffff_0000_0000_0000;

/// The `Code` object an entry's encoded word points to, if the word is an entry's.
fn code_of(word: u64) -> Option<u64> {
    if word & FREE_BITS == FREE_BITS || word == 0 {
        return None;
    }
    Some((word >> 16) & !1)
}

impl<M: Memory> Model<'_, M> {
    /// Find the dispatch table's base from functions' handles: among the starts of the memory's
    /// mappings, the one through which most of the handles of a sample of functions (found on
    /// `pages`) resolve to a `Code` object whose entry point the entry repeats. A segment of the
    /// table that is not its start resolves fewer (its indices are shifted); the table's first
    /// segment may be read-only and start with empty entries, so nothing is assumed of it.
    /// `None` on versions without the table, or when no base resolves most handles.
    pub fn find_dispatch_table(&self, pages: &[Page]) -> Option<u64> {
        let off = self.v8.layout.objects.function_dispatch_handle?;
        let code = self.v8.types.type_of("Code")?;
        let entry_point = self.v8.layout.frames.code_instruction_start;
        let reader = self.reader();
        let mut handles: Vec<u32> = Vec::new();
        let mut cache = MapCache::default();
        for page in pages {
            if handles.len() >= SAMPLE {
                break;
            }
            self.walker.walk_page(page, &mut cache, &mut |o| {
                if handles.len() < SAMPLE && self.types.is_function(o.map.instance_type) {
                    if let Some(h) = self.mem.read_u32_at(o.addr, off).filter(|&h| h != 0) {
                        handles.push(h);
                    }
                }
            });
        }
        handles.sort_unstable();
        handles.dedup();
        if handles.is_empty() {
            return None;
        }
        let resolves = |base: u64, h: u32| {
            let entry = base + u64::from(h >> HANDLE_SHIFT) * ENTRY;
            let (Some(start), Some(word)) =
                (self.mem.read_u64(entry), self.mem.read_u64(entry + 8))
            else {
                return false;
            };
            code_of(word).is_some_and(|c| {
                reader.type_of(c) == Some(code)
                    && self.mem.read_u64_at(c, entry_point) == Some(start)
            })
        };
        let (hits, base) = self
            .mem
            .ranges()
            .iter()
            // The table's first segment (read-only, for builtins) may be missing from the core
            // (the kernel leaves out file-backed shared memory): a mapping may also be the
            // second segment.
            .flat_map(|r| [r.start, r.start.saturating_sub(SEGMENT)])
            .map(|base| {
                let hits = handles.iter().filter(|&&h| resolves(base, h)).count();
                (hits, std::cmp::Reverse(base))
            })
            .max()?;
        (hits * 10 >= handles.len() * 9).then_some(base.0)
    }
}

impl<M: Memory> Reader<'_, '_, M> {
    /// The `Code` object of the function at `f`, through its dispatch handle (V8 ≥ 13).
    pub fn function_code(&self, f: u64) -> Option<u64> {
        let off = self.v8.layout.objects.function_dispatch_handle?;
        let table = self.dispatch_table?;
        let handle = self.mem.read_u32_at(f, off)?;
        if handle == 0 {
            return None;
        }
        let entry = table + u64::from(handle >> HANDLE_SHIFT) * ENTRY;
        let code = code_of(self.mem.read_u64(entry + 8)?)?;
        (self.type_of(code) == self.v8.types.type_of("Code")).then_some(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_words_give_the_code_address() {
        // Code at 0x1234_5678_9a00 (tagged: +1), marking bit set, 3 parameters.
        let word = ((0x1234_5678_9a00u64 + 1) << 16) | (1 << 16) | 3;
        assert_eq!(code_of(word), Some(0x1234_5678_9a00));
        assert_eq!(code_of(FREE_BITS | 5), None);
        assert_eq!(code_of(0), None);
    }
}
