//! V8's `String` (every representation: sequential, cons, sliced, thin, external; one- and
//! two-byte) and the names properties are keyed by (strings and symbols).

use super::model::{Model, Reader};
use super::object::{Kind, StringRep};
use crate::memory::Memory;

/// Longest string we read in full; longer ones are cut (with their full length reported).
pub const MAX_STRING: usize = 1 << 20;

/// Cons-string pieces visited at most while reading one string.
const MAX_CONS_PIECES: usize = 1 << 16;

/// Decoded text of a string, possibly cut.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub text: String,
    /// Length in UTF-16 units as V8 counts it.
    pub length: u64,
    /// True when `text` holds less than the whole string.
    pub truncated: bool,
}

impl<M: Memory> Model<'_, M> {
    fn read_chars(
        &self,
        data: u64,
        two_byte: bool,
        start: u64,
        n: u64,
        out: &mut Vec<u16>,
    ) -> bool {
        let unit = if two_byte { 2 } else { 1 };
        let Some(bytes) = start
            .checked_mul(unit)
            .and_then(|s| data.checked_add(s))
            .and_then(|a| self.mem.slice(a, n * unit))
        else {
            return false;
        };
        if two_byte {
            out.extend(
                bytes
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]])),
            );
        } else {
            out.extend(bytes.iter().map(|&b| u16::from(b)));
        }
        true
    }
}

impl<M: Memory> Reader<'_, '_, M> {
    /// Whether the object at `addr` is a string.
    pub fn is_string(&self, addr: u64) -> bool {
        self.type_of(addr)
            .is_some_and(|t| matches!(self.v8.shapes.kind(t), Kind::String(_)))
    }

    /// The text of the string at `addr`, at most `max` UTF-16 units of it.
    pub fn string(&self, addr: u64, max: usize) -> Option<Text> {
        let t = self.type_of(addr)?;
        let Kind::String(_) = self.v8.shapes.kind(t) else {
            return None;
        };
        let length = u64::from(self.mem.read_u32_at(addr, self.off.string_length)?);
        let mut units: Vec<u16> = Vec::with_capacity((length as usize).min(max).min(4096));
        let mut ok = true;
        self.append_units(addr, 0, length, max, &mut units, &mut ok);
        let truncated = (units.len() as u64) < length;
        if !ok && units.is_empty() && length > 0 {
            return None;
        }
        Some(Text {
            text: String::from_utf16_lossy(&units),
            length,
            truncated,
        })
    }

    /// Append units [start, start+len) of string `addr` to `out`, stopping at `max` units.
    #[allow(clippy::too_many_arguments)]
    fn append_units(
        &self,
        addr: u64,
        start: u64,
        len: u64,
        max: usize,
        out: &mut Vec<u16>,
        ok: &mut bool,
    ) {
        // Iterative over cons pieces: a stack of (string, start, len).
        let mut stack = vec![(addr, start, len)];
        let mut pieces = 0;
        while let Some((a, start, len)) = stack.pop() {
            pieces += 1;
            if out.len() >= max || pieces > MAX_CONS_PIECES {
                return;
            }
            let Some(shape) = self.type_of(a).and_then(|t| match self.v8.shapes.kind(t) {
                Kind::String(s) => Some(s),
                _ => None,
            }) else {
                *ok = false;
                return;
            };
            let want = ((max - out.len()) as u64).min(len);
            match shape.rep {
                StringRep::Seq => {
                    let data = a + 16;
                    if !self.read_chars(data, shape.two_byte, start, want, out) {
                        *ok = false;
                        return;
                    }
                }
                StringRep::External => {
                    // The cached data pointer follows the resource pointer. Uncached strings are
                    // too small to have one: their bytes are not reachable without the embedder.
                    let data_at = self.off.external_resource + 8;
                    let cached = self
                        .map_of(a)
                        .is_some_and(|m| u64::from(m.instance_size) >= data_at + 8);
                    let Some(data) = cached.then(|| self.mem.read_u64_at(a, data_at)).flatten()
                    else {
                        *ok = false;
                        return;
                    };
                    if data == 0 || !self.read_chars(data, shape.two_byte, start, want, out) {
                        *ok = false;
                        return;
                    }
                }
                StringRep::Cons => {
                    let (Some(first), Some(second)) = (
                        self.ptr(a, self.off.cons_first),
                        self.ptr(a, self.off.cons_second),
                    ) else {
                        *ok = false;
                        return;
                    };
                    let first_len = u64::from(
                        self.mem
                            .read_u32_at(first, self.off.string_length)
                            .unwrap_or(0),
                    );
                    // Push second then first so that first is read first.
                    if start + len > first_len {
                        let s2 = start.saturating_sub(first_len);
                        let l2 = start + len - first_len.max(start);
                        stack.push((second, s2, l2));
                    }
                    if start < first_len {
                        stack.push((first, start, (first_len - start).min(len)));
                    }
                }
                StringRep::Sliced => {
                    let (Some(parent), Some(offset)) = (
                        self.ptr(a, self.off.sliced_parent),
                        self.smi(a, self.off.sliced_offset),
                    ) else {
                        *ok = false;
                        return;
                    };
                    stack.push((parent, start + offset.max(0) as u64, len));
                }
                StringRep::Thin => {
                    let Some(actual) = self.ptr(a, self.off.thin_actual) else {
                        *ok = false;
                        return;
                    };
                    stack.push((actual, start, len));
                }
            }
        }
    }

    /// A short string, empty when unreadable.
    pub fn short_string(&self, addr: u64, max: usize) -> String {
        self.string(addr, max).map(|t| t.text).unwrap_or_default()
    }

    /// A property key as V8's snapshot names property edges: strings as they are, symbols as
    /// `<symbol description>`.
    pub fn edge_key_text(&self, k: u64) -> Option<String> {
        let t = self.type_of(k)?;
        if Some(t) == self.types.symbol {
            let d = self.symbol_description(k);
            return Some(if d.is_empty() {
                "<symbol>".to_string()
            } else {
                format!("<symbol {d}>")
            });
        }
        self.key_text(k)
    }

    /// Whether `k` can be a property key (a string or a symbol), as [`Reader::key_text`] decides
    /// without reading it.
    pub fn is_key(&self, k: u64) -> bool {
        self.type_of(k).is_some_and(|t| {
            matches!(self.v8.shapes.kind(t), Kind::String(_)) || Some(t) == self.types.symbol
        })
    }

    /// A property key as text: strings as they are, symbols as `Symbol(description)`.
    pub fn key_text(&self, k: u64) -> Option<String> {
        let t = self.type_of(k)?;
        if let Kind::String(_) = self.v8.shapes.kind(t) {
            return self.string(k, 256).map(|s| s.text);
        }
        if Some(t) == self.types.symbol {
            return Some(format!("Symbol({})", self.symbol_description(k)));
        }
        None
    }

    /// A symbol's description (empty when it has none).
    fn symbol_description(&self, symbol: u64) -> String {
        self.ptr(symbol, self.off.symbol_name)
            .and_then(|d| self.string(d, 256))
            .map(|s| s.text)
            .unwrap_or_default()
    }
}
