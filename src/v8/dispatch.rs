//! V8's JS dispatch table (V8 ≥ 13, "leaptiering"): a function holds a 32-bit handle, not a
//! pointer to its code. The table is an array of 16-byte entries (the entry point, then an
//! encoded word holding the `Code` object's address above bit 16 and the parameter count below);
//! handle `h` is entry `h >> 8`. The table lives in memory of its own; where its base is kept
//! differs by release (a process-wide isolate group, or the isolate's data), so it is found by
//! its contents: the mapping whose first entries decode to `Code` objects.

use super::model::Model;
use crate::memory::Memory;

/// Size of one entry.
const ENTRY: u64 = 16;
/// `kJSDispatchHandleShift`.
const HANDLE_SHIFT: u32 = 8;
/// Entries looked at per candidate, and how many must hold code.
const PROBE: u64 = 16;
const NEEDED: usize = 8;
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
    /// Find the dispatch table's base: the start of a writable mapping whose first entries hold
    /// `Code` objects of this heap. `None` on versions without the table, or when no mapping
    /// looks like it.
    pub fn find_dispatch_table(&self) -> Option<u64> {
        self.v8.layout.objects.function_dispatch_handle?;
        let code = self.v8.types.type_of("Code")?;
        let reader = self.reader();
        self.mem
            .ranges()
            .iter()
            .filter(|r| r.writable && r.len >= PROBE * ENTRY)
            .map(|r| r.start)
            .find(|&base| {
                (0..PROBE)
                    .filter_map(|i| self.mem.read_u64(base + i * ENTRY + 8))
                    .filter_map(code_of)
                    .filter(|&c| reader.type_of(c) == Some(code))
                    .count()
                    >= NEEDED
            })
    }

    /// The `Code` object of the function at `f`, through its dispatch handle (V8 ≥ 13).
    pub fn function_code(&self, f: u64) -> Option<u64> {
        let off = self.v8.layout.objects.function_dispatch_handle?;
        let table = self.dispatch_table?;
        let handle = self.mem.read_u32_at(f, off)?;
        if handle == 0 {
            return None;
        }
        let entry = table + u64::from(handle >> HANDLE_SHIFT) * ENTRY;
        code_of(self.mem.read_u64(entry + 8)?)
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
