//! Builders for arrays and other objects sized by a length: `FixedArray` and its kin,
//! `FixedDoubleArray`, `ByteArray`, `PropertyArray`, `WeakArrayList`, `FreeSpace`.

use super::tables::{self, v8};
use super::{align8, len_smi, obj, smi, SynthHeap, MAX_ARRAY_LENGTH};
use crate::v8::map::Tagged;

impl SynthHeap {
    /// A `FixedArray`.
    pub fn fixed_array(&mut self, values: &[Tagged]) -> u64 {
        self.array_of_type(tables::FIXED_ARRAY, values)
    }

    /// An object laid out as a `FixedArray` (hash tables, contexts...) of instance type `itype`.
    pub fn array_of_type(&mut self, itype: u16, values: &[Tagged]) -> u64 {
        let map = self.std_map(itype, 0);
        let n = values.len() as u64;
        let a = self.alloc(v8::ARRAY_HEADER.saturating_add(n.saturating_mul(8)), itype);
        self.put_tagged(a, obj(map));
        self.put_tagged(a + v8::ARRAY_LENGTH, len_smi(n));
        for (i, &v) in values.iter().enumerate() {
            self.put_tagged(a + v8::ARRAY_HEADER + 8 * i as u64, v);
        }
        a
    }

    /// A `FixedDoubleArray` (`None` is the hole).
    pub fn fixed_double_array(&mut self, values: &[Option<f64>]) -> u64 {
        let map = self.std_map(tables::FIXED_DOUBLE_ARRAY, 0);
        let n = values.len() as u64;
        let a = self.alloc(
            v8::ARRAY_HEADER.saturating_add(n.saturating_mul(8)),
            tables::FIXED_DOUBLE_ARRAY,
        );
        self.put_tagged(a, obj(map));
        self.put_tagged(a + v8::ARRAY_LENGTH, len_smi(n));
        for (i, v) in values.iter().enumerate() {
            let bits = v.map_or(v8::HOLE_NAN, f64::to_bits);
            self.put_u64(a + v8::ARRAY_HEADER + 8 * i as u64, bits);
        }
        a
    }

    /// A `ByteArray`.
    pub fn byte_array(&mut self, bytes: &[u8]) -> u64 {
        let map = self.std_map(tables::BYTE_ARRAY, 0);
        let n = bytes.len() as u64;
        let a = self.alloc(v8::ARRAY_HEADER.saturating_add(n), tables::BYTE_ARRAY);
        self.put_tagged(a, obj(map));
        self.put_tagged(a + v8::ARRAY_LENGTH, len_smi(n));
        self.put(a + v8::ARRAY_HEADER, bytes);
        a
    }

    /// A `PropertyArray` of these values, with `hash` in the bits above the length.
    pub fn property_array(&mut self, values: &[Tagged], hash: u32) -> u64 {
        let n = values.len().min((1 << v8::PROPERTY_ARRAY_LENGTH_BITS) - 1);
        let map = self.std_map(tables::PROPERTY_ARRAY, 0);
        let a = self.alloc(v8::ARRAY_HEADER + 8 * n as u64, tables::PROPERTY_ARRAY);
        let hash = hash & 0x1f_ffff;
        let length_and_hash = n as u32 | hash << v8::PROPERTY_ARRAY_LENGTH_BITS;
        self.put_tagged(a, obj(map));
        self.put_tagged(a + v8::ARRAY_LENGTH, smi(length_and_hash as i32));
        for (i, &v) in values.iter().take(n).enumerate() {
            self.put_tagged(a + v8::ARRAY_HEADER + 8 * i as u64, v);
        }
        a
    }

    /// A `WeakArrayList` of `values` with room for `capacity` (unused slots undefined).
    pub fn weak_array_list(&mut self, values: &[Tagged], capacity: usize) -> u64 {
        let capacity = capacity.max(values.len()).min(MAX_ARRAY_LENGTH);
        let map = self.std_map(tables::WEAK_ARRAY_LIST, 0);
        let a = self.alloc(
            v8::WEAK_ARRAY_LIST_HEADER.saturating_add(8 * capacity as u64),
            tables::WEAK_ARRAY_LIST,
        );
        self.put_tagged(a, obj(map));
        self.put_tagged(a + v8::WEAK_ARRAY_LIST_CAPACITY, len_smi(capacity as u64));
        self.put_tagged(a + v8::WEAK_ARRAY_LIST_LENGTH, len_smi(values.len() as u64));
        let undefined = obj(self.roots.undefined);
        for i in 0..capacity {
            let v = values.get(i).copied().unwrap_or(undefined);
            self.put_tagged(a + v8::WEAK_ARRAY_LIST_HEADER + 8 * i as u64, v);
        }
        a
    }

    /// A `FreeSpace` filler of `size` bytes (at least 16, rounded up to words, at most a page's
    /// object area).
    pub fn free_space(&mut self, size: u64) -> u64 {
        let size = align8(size.clamp(16, super::PAGE_AREA));
        let map = self.roots.free_space_map;
        let a = self.alloc(size, tables::FREE_SPACE);
        self.put_tagged(a, obj(map));
        self.put_tagged(a + v8::FREE_SPACE_SIZE, len_smi(size));
        self.put_tagged(a + v8::FREE_SPACE_NEXT, smi(0));
        a
    }
}
