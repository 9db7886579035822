//! Builders for strings of every representation, heap numbers, symbols and BigInts.

use super::tables::{self, v8};
use super::{len_smi, obj, smi, SynthHeap};

impl SynthHeap {
    /// A sequential one-byte string of these Latin-1 bytes.
    pub fn one_byte_string(&mut self, bytes: &[u8], internalized: bool) -> u64 {
        let t = if internalized {
            tables::INTERNALIZED_ONE_BYTE
        } else {
            tables::SEQ_ONE_BYTE
        };
        let a = self.seq_string(t, bytes.len() as u64, bytes.len() as u64);
        self.put(a + v8::SEQ_CHARS, bytes);
        a
    }

    /// A sequential two-byte string of these UTF-16 units.
    pub fn two_byte_string(&mut self, units: &[u16], internalized: bool) -> u64 {
        let t = if internalized {
            tables::INTERNALIZED_TWO_BYTE
        } else {
            tables::SEQ_TWO_BYTE
        };
        let bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
        let a = self.seq_string(t, units.len() as u64, bytes.len() as u64);
        self.put(a + v8::SEQ_CHARS, &bytes);
        a
    }

    fn seq_string(&mut self, itype: u16, length: u64, bytes: u64) -> u64 {
        let map = self.std_map(itype, 0);
        let a = self.alloc(v8::SEQ_CHARS.saturating_add(bytes), itype);
        self.put_tagged(a, obj(map));
        self.put_u32(a + v8::NAME_HASH, v8::EMPTY_HASH);
        self.put_u32(a + v8::STRING_LENGTH, length.min(i32::MAX as u64) as u32);
        a
    }

    /// A sequential string of `text`: one-byte when every character is Latin-1, else two-byte.
    pub fn string(&mut self, text: &str) -> u64 {
        self.text_string(text, false)
    }

    /// The internalized string of `text` (one per text, as V8's string table keeps them).
    pub fn internalized(&mut self, text: &str) -> u64 {
        if let Some(&a) = self.names.get(text) {
            return a;
        }
        let a = self.text_string(text, true);
        self.names.insert(text.to_string(), a);
        a
    }

    fn text_string(&mut self, text: &str, internalized: bool) -> u64 {
        match latin1(text) {
            Some(bytes) => self.one_byte_string(&bytes, internalized),
            None => {
                let units: Vec<u16> = text.encode_utf16().collect();
                self.two_byte_string(&units, internalized)
            }
        }
    }

    /// The length of the string at `s`, as written.
    fn string_length(&self, s: u64) -> u32 {
        self.peek_u32(s + v8::STRING_LENGTH).unwrap_or(0)
    }

    /// Whether the string at `s` is one-byte (by its instance type).
    fn is_one_byte(&self, s: u64) -> bool {
        self.type_at(s).is_some_and(|t| t & 8 != 0)
    }

    /// A cons string of `first` then `second`.
    pub fn cons_string(&mut self, first: u64, second: u64) -> u64 {
        let one_byte = self.is_one_byte(first) && self.is_one_byte(second);
        let t = if one_byte {
            tables::CONS_ONE_BYTE
        } else {
            tables::CONS_TWO_BYTE
        };
        let length = self
            .string_length(first)
            .saturating_add(self.string_length(second));
        let a = self.fixed_string(t, v8::CONS_SIZE, length);
        self.put_tagged(a + v8::CONS_FIRST, obj(first));
        self.put_tagged(a + v8::CONS_SECOND, obj(second));
        a
    }

    /// A sliced string: `length` characters of `parent` from `offset`.
    pub fn sliced_string(&mut self, parent: u64, offset: u32, length: u32) -> u64 {
        let t = if self.is_one_byte(parent) {
            tables::SLICED_ONE_BYTE
        } else {
            tables::SLICED_TWO_BYTE
        };
        let a = self.fixed_string(t, v8::SLICED_SIZE, length);
        self.put_tagged(a + v8::SLICED_PARENT, obj(parent));
        self.put_tagged(a + v8::SLICED_OFFSET, len_smi(u64::from(offset)));
        a
    }

    /// A thin string forwarding to `actual` (an internalized string).
    pub fn thin_string(&mut self, actual: u64) -> u64 {
        let length = self.string_length(actual);
        let a = self.fixed_string(tables::THIN, v8::THIN_SIZE, length);
        self.put_tagged(a + v8::THIN_ACTUAL, obj(actual));
        a
    }

    /// An external string of `text` (one-byte when Latin-1): its characters and resource live
    /// in C++ memory. `cached` strings keep the data pointer after the resource pointer; uncached
    /// ones (`kUncachedExternalStringTag`) end after the resource pointer.
    pub fn external_string(&mut self, text: &str, internalized: bool, cached: bool) -> u64 {
        let (bytes, one_byte, length) = match latin1(text) {
            Some(b) => {
                let n = b.len();
                (b, true, n)
            }
            None => {
                let units: Vec<u16> = text.encode_utf16().collect();
                let n = units.len();
                (
                    units.iter().flat_map(|u| u.to_le_bytes()).collect(),
                    false,
                    n,
                )
            }
        };
        let mut t = match (one_byte, internalized) {
            (true, true) => tables::EXTERNAL_INTERNALIZED_ONE_BYTE,
            (true, false) => tables::EXTERNAL_ONE_BYTE,
            (false, true) => tables::EXTERNAL_INTERNALIZED_TWO_BYTE,
            (false, false) => tables::EXTERNAL_TWO_BYTE,
        };
        let size = if cached {
            v8::EXTERNAL_SIZE
        } else {
            t |= tables::UNCACHED_EXTERNAL_BIT;
            v8::UNCACHED_EXTERNAL_SIZE
        };
        let data = self.cxx_bytes(&bytes);
        // The embedder's resource: vtable, data, length.
        let resource = self.cxx_alloc(24);
        self.put_u64(resource, 0x5555_0000_3010);
        self.put_u64(resource + 8, data);
        self.put_u64(resource + 16, length as u64);
        let a = self.fixed_string(t, size, length.min(i32::MAX as usize) as u32);
        self.put_u64(a + v8::EXTERNAL_RESOURCE, resource);
        if cached {
            self.put_u64(a + v8::EXTERNAL_DATA, data);
        }
        a
    }

    fn fixed_string(&mut self, itype: u16, size: u32, length: u32) -> u64 {
        let map = self.std_map(itype, size);
        let a = self.alloc(u64::from(size), itype);
        self.put_tagged(a, obj(map));
        self.put_u32(a + v8::NAME_HASH, v8::EMPTY_HASH);
        self.put_u32(a + v8::STRING_LENGTH, length.min(i32::MAX as u32));
        a
    }

    /// A `HeapNumber`.
    pub fn heap_number(&mut self, value: f64) -> u64 {
        let map = self.std_map(tables::HEAP_NUMBER, v8::HEAP_NUMBER_SIZE);
        let a = self.alloc(u64::from(v8::HEAP_NUMBER_SIZE), tables::HEAP_NUMBER);
        self.put_tagged(a, obj(map));
        self.put_u64(a + v8::HEAP_NUMBER_VALUE, value.to_bits());
        a
    }

    /// A symbol with this description (a string's address; undefined when `None`).
    pub fn symbol(&mut self, description: Option<u64>) -> u64 {
        self.make_symbol(description, false)
    }

    /// A private symbol (`Symbol::is_private`).
    pub fn private_symbol(&mut self, description: Option<u64>) -> u64 {
        self.make_symbol(description, true)
    }

    fn make_symbol(&mut self, description: Option<u64>, private: bool) -> u64 {
        let map = self.std_map(tables::SYMBOL, v8::SYMBOL_SIZE);
        let a = self.alloc(u64::from(v8::SYMBOL_SIZE), tables::SYMBOL);
        let description = match (description, self.roots.undefined) {
            (Some(d), _) => obj(d),
            (None, 0) => smi(0),
            (None, u) => obj(u),
        };
        self.put_tagged(a, obj(map));
        self.put_u32(a + v8::NAME_HASH, v8::EMPTY_HASH);
        self.put_u32(a + v8::SYMBOL_FLAGS, u32::from(private));
        self.put_tagged(a + v8::SYMBOL_DESCRIPTION, description);
        a
    }

    /// A `BigInt` of these 64-bit digits (least significant first).
    pub fn bigint(&mut self, digits: &[u64], negative: bool) -> u64 {
        let n = digits.len().min(1 << 24);
        let map = self.std_map(tables::BIGINT, 0);
        let a = self.alloc(v8::BIGINT_DIGITS + 8 * n as u64, tables::BIGINT);
        self.put_tagged(a, obj(map));
        self.put_u32(
            a + v8::BIGINT_BITFIELD,
            (n as u32) << 1 | u32::from(negative),
        );
        for (i, &d) in digits.iter().take(n).enumerate() {
            self.put_u64(a + v8::BIGINT_DIGITS + 8 * i as u64, d);
        }
        a
    }
}

/// The Latin-1 bytes of `text`, when every character is Latin-1.
fn latin1(text: &str) -> Option<Vec<u8>> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect()
}
