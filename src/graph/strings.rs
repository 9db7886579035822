//! Interned strings (node and edge names), each stored once.

/// FNV-1a, for interning names (SipHash's DoS resistance buys nothing here).
#[derive(Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Interned strings (node and edge names), each stored once: the text of all of them in one
/// buffer, and an open-addressing table of their indices (a heap of millions of distinct strings
/// costs their bytes plus about 20 bytes each).
#[derive(Default)]
pub struct Strings {
    text: String,
    /// End of string `i` in `text` (its start is the previous end).
    ends: Vec<u64>,
    /// (index + 1, high half of the hash) by hash (0: empty), linear probing, at most half full.
    table: Vec<(u32, u32)>,
    /// Strings entered in the table (appended texts are not).
    indexed: usize,
}

impl Strings {
    /// Number of strings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// String `i` (empty when out of range).
    pub fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let Some(&end) = self.ends.get(i) else {
            return "";
        };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    /// Every string, in index order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.ends.len() as u32).map(|i| self.get(i))
    }

    /// The index of `s`, if interned.
    pub fn find(&self, s: &str) -> Option<u32> {
        self.find_hashed(s, Self::hash(s))
    }

    fn find_hashed(&self, s: &str, h: u64) -> Option<u32> {
        if self.table.is_empty() {
            return None;
        }
        let mask = self.table.len() - 1;
        let mut k = (h as usize) & mask;
        let tag = (h >> 32) as u32;
        loop {
            match self.table[k] {
                (0, _) => return None,
                (e, t) if t == tag && self.get(e - 1) == s => return Some(e - 1),
                _ => k = (k + 1) & mask,
            }
        }
    }

    /// Append `s` at the next index even if it is already there (keeps a file's string indices).
    pub fn push_verbatim(&mut self, s: &str) {
        let h = Self::hash(s);
        let known = self.find_hashed(s, h).is_some();
        let i = self.append(s);
        if !known {
            self.index(i, h);
        }
    }

    /// The index of `s`, adding it if new.
    pub fn intern(&mut self, s: &str) -> u32 {
        self.intern_hashed(s, Self::hash(s))
    }

    /// [`Strings::intern`] with the hash already computed by [`Strings::hash`].
    pub fn intern_hashed(&mut self, s: &str, h: u64) -> u32 {
        if let Some(i) = self.find_hashed(s, h) {
            return i;
        }
        let i = self.append(s);
        self.index(i, h);
        i
    }

    /// The hash the table uses for `s` (to compute it where there is time, e.g. in parallel):
    /// FNV-1a, mixed so that both halves are usable (low: slot, high: tag).
    pub fn hash(s: &str) -> u64 {
        use std::hash::Hasher;
        let mut h = Fnv::default();
        h.write(s.as_bytes());
        let v = h.finish();
        (v ^ (v >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9)
    }

    /// Add `s` at the next index without entering it in the table: [`Strings::find`] and
    /// [`Strings::intern`] do not see it (for texts that rarely repeat).
    pub fn append(&mut self, s: &str) -> u32 {
        self.text.push_str(s);
        self.ends.push(self.text.len() as u64);
        (self.ends.len() - 1) as u32
    }

    /// Enter string `i` (whose hash is `h`) in the table, growing it first if needed.
    fn index(&mut self, i: u32, h: u64) {
        self.indexed += 1;
        if 2 * self.indexed > self.table.len() {
            let size = (2 * self.table.len()).max(64);
            let old = std::mem::replace(&mut self.table, vec![(0, 0); size]);
            for (e, _) in old.into_iter().filter(|&(e, _)| e != 0) {
                let h = Self::hash(self.get(e - 1));
                self.place(e, h);
            }
        }
        self.place(i + 1, h);
    }

    fn place(&mut self, entry: u32, h: u64) {
        let mask = self.table.len() - 1;
        let mut k = (h as usize) & mask;
        while self.table[k].0 != 0 {
            k = (k + 1) & mask;
        }
        self.table[k] = (entry, (h >> 32) as u32);
    }
}

#[cfg(test)]
mod tests {
    use super::Strings;

    #[test]
    fn strings_intern_once_and_append_without_lookup() {
        let mut s = Strings::default();
        let a = s.intern("alpha");
        assert_eq!(s.intern("alpha"), a);
        let b = s.append("alpha");
        assert_ne!(a, b);
        assert_eq!(s.get(b), "alpha");
        assert_eq!(s.find("alpha"), Some(a));
        for i in 0..10_000 {
            let t = format!("name-{i}");
            let k = s.intern(&t);
            assert_eq!(s.get(k), t);
            assert_eq!(s.find(&t), Some(k));
        }
        assert_eq!(s.find("missing"), None);
        assert_eq!(s.get(u32::MAX), "");
    }
}
