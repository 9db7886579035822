//! Where objects start: a bitmap per page with ranks, so that a pointer is checked against the
//! exact set of object starts and turned into a node index in constant time.

use super::Essential;
use crate::memory::AddrMap;

/// Object starts, for validating pointers.
pub struct Index<'a> {
    /// Object starts by page (see [`PageStarts`]).
    pub pages: &'a PageStarts,
    /// Which references V8 keeps to each object (see [`crate::v8::node::essential`]).
    pub essential: &'a [Essential],
}

impl Index<'_> {
    /// The node of the object starting exactly at `a`.
    pub fn get(&self, a: u64) -> Option<u32> {
        self.pages.get(a)
    }
}

/// A bitmap with the number of set bits before each 64-bit word: whether bit `i` is set and how
/// many set bits precede it, in constant time.
#[derive(Default)]
pub struct RankBits {
    bits: Vec<u64>,
    before: Vec<u32>,
}

impl RankBits {
    /// `len` bits, those for which `set` is true set.
    pub fn new(len: usize, set: impl Fn(usize) -> bool) -> RankBits {
        let mut r = RankBits::default();
        r.extend(len, (0..len).filter(|&i| set(i)));
        r
    }

    /// Append `len` more bits (rounded up to whole words), set at the positions `ones` gives
    /// (ascending, relative to the first new bit, below `len`).
    pub fn extend(&mut self, len: usize, ones: impl IntoIterator<Item = usize>) {
        let first = self.bits.len();
        self.bits.resize(first + len.div_ceil(64), 0);
        for i in ones.into_iter().filter(|&i| i < len) {
            self.bits[first + i / 64] |= 1 << (i % 64);
        }
        let mut count = self.ones();
        for k in first..self.bits.len() {
            self.before.push(count);
            count += self.bits[k].count_ones();
        }
    }

    /// Append whole words of bits.
    pub fn extend_words(&mut self, words: &[u64]) {
        let mut count = self.ones();
        for &w in words {
            self.before.push(count);
            self.bits.push(w);
            count += w.count_ones();
        }
    }

    /// Number of bits (a multiple of 64).
    pub fn len(&self) -> usize {
        64 * self.bits.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.bits.is_empty()
    }

    /// Number of set bits.
    pub fn ones(&self) -> u32 {
        match (self.before.last(), self.bits.last()) {
            (Some(&b), Some(w)) => b + w.count_ones(),
            _ => 0,
        }
    }

    /// Whether bit `i` is set.
    pub fn has(&self, i: usize) -> bool {
        self.bits
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// The number of set bits before bit `i` (all of them when `i` is past the end).
    pub fn before(&self, i: usize) -> u32 {
        match self.bits.get(i / 64) {
            Some(&w) => self.before[i / 64] + (w & ((1u64 << (i % 64)) - 1)).count_ones(),
            None => self.ones(),
        }
    }

    /// The number of set bits before bit `i`, when bit `i` is set.
    pub fn rank(&self, i: usize) -> Option<u32> {
        let w = *self.bits.get(i / 64)?;
        let bit = 1u64 << (i % 64);
        (w & bit != 0).then(|| self.before[i / 64] + (w & (bit - 1)).count_ones())
    }
}

/// The object starts of each page as a bitmap (a bit per word, in one [`RankBits`] for all
/// pages), in node order: the node at an address is a hash probe, a bit test and a popcount, and
/// the addresses of a run of nodes come from the bits (no table of 8-byte addresses).
pub struct PageStarts {
    mask: u64,
    /// Page base → index in `runs`.
    pages: AddrMap<u32>,
    /// The same, direct-mapped by page number (base, run), at least twice as many slots as
    /// pages: most lookups are one load and a compare; `pages` holds the collisions too.
    direct: Vec<(u64, u32)>,
    runs: Vec<Run>,
    starts: RankBits,
    /// Nodes in all.
    n: u32,
}

/// The objects of one page.
#[derive(Clone, Copy)]
struct Run {
    base: u64,
    /// Its first node.
    first: u32,
    /// Its first bit in `starts` (a word boundary) and number of bits.
    bit: u32,
    bits: u32,
}

impl PageStarts {
    /// Empty, for pages of `page_size` (a power of two).
    pub fn empty(page_size: u64) -> PageStarts {
        PageStarts {
            mask: !(page_size - 1),
            pages: AddrMap::default(),
            direct: Vec::new(),
            runs: Vec::new(),
            starts: RankBits::default(),
            n: 0,
        }
    }

    fn slot(&self, base: u64) -> usize {
        let shift = (!self.mask).count_ones();
        (base >> shift) as usize & (self.direct.len() - 1)
    }

    /// Enter run `r` (at `base`) in the direct-mapped table, growing it first if needed.
    fn enter(&mut self, base: u64, r: u32) {
        if 2 * self.runs.len() > self.direct.len() {
            let len = (4 * self.runs.len()).next_power_of_two().max(64);
            self.direct = vec![(u64::MAX, 0); len];
            for (k, run) in self.runs.iter().enumerate() {
                let slot = self.slot(run.base);
                self.direct[slot] = (run.base, k as u32);
            }
        }
        let slot = self.slot(base);
        self.direct[slot] = (base, r);
    }

    /// From sorted object addresses.
    pub fn new(addrs: &[u64], page_size: u64) -> PageStarts {
        let mut p = PageStarts::empty(page_size);
        let mut start = 0usize;
        while start < addrs.len() {
            let base = addrs[start] & p.mask;
            let end = start + addrs[start..].partition_point(|&a| a & p.mask == base);
            let mut words = Vec::new();
            for &a in &addrs[start..end] {
                set_bit(&mut words, ((a - base) / 8) as usize);
            }
            p.push(base, &words);
            start = end;
        }
        p
    }

    /// The page base of address `a`.
    pub fn base(&self, a: u64) -> u64 {
        a & self.mask
    }

    /// Append the objects of the page at `base` (after every page pushed before): bit `k` of
    /// `words` is set when an object starts `8 * k` bytes after `base`. Returns false (and adds
    /// nothing) when the page is already there, or the bitmap is full.
    pub fn push(&mut self, base: u64, words: &[u64]) -> bool {
        let count: u32 = words.iter().map(|w| w.count_ones()).sum();
        let bit = self.starts.len();
        let total = bit + 64 * words.len();
        if self.pages.contains_key(&base)
            || u32::try_from(total).is_err()
            || self.n.checked_add(count).is_none_or(|n| n == u32::MAX)
        {
            return false;
        }
        self.starts.extend_words(words);
        let r = self.runs.len() as u32;
        self.pages.insert(base, r);
        self.runs.push(Run {
            base,
            first: self.n,
            bit: bit as u32,
            bits: (64 * words.len()) as u32,
        });
        self.enter(base, r);
        self.n += count;
        true
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        self.n as usize
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The node of the object at `a`.
    pub fn get(&self, a: u64) -> Option<u32> {
        if self.direct.is_empty() {
            return None;
        }
        let base = a & self.mask;
        let &(b, r) = self.direct.get(self.slot(base))?;
        let r = if b == base {
            r
        } else {
            *self.pages.get(&base)?
        };
        let run = self.runs[r as usize];
        let w = (a - base) / 8;
        if a & 7 != 0 || w >= u64::from(run.bits) {
            return None;
        }
        let first = run.bit as usize;
        let rank = self.starts.rank(first + w as usize)?;
        Some(run.first + rank - self.starts.before[first / 64])
    }

    /// Runs of about `size` nodes (whole pages), as ranges of pages for [`PageStarts::addrs`].
    pub fn batches(&self, size: usize) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        let mut from = 0;
        for (k, r) in self.runs.iter().enumerate() {
            let next = self.runs.get(k + 1).map_or(self.n, |x| x.first);
            if (next - self.runs[from].first) as usize >= size || k + 1 == self.runs.len() {
                out.push(from..k + 1);
                from = k + 1;
            }
            let _ = r;
        }
        out
    }

    /// Append the object addresses of pages `pages` (in node order) to `out`.
    pub fn addrs(&self, pages: std::ops::Range<usize>, out: &mut Vec<u64>) {
        for r in self.runs.get(pages).unwrap_or(&[]) {
            let first_word = r.bit as usize / 64;
            for k in 0..(r.bits as usize / 64) {
                let mut w = self.starts.bits[first_word + k];
                while w != 0 {
                    let b = w.trailing_zeros() as u64;
                    out.push(r.base + 8 * (64 * k as u64 + b));
                    w &= w - 1;
                }
            }
        }
    }

    /// Every object address, in node order.
    pub fn all_addrs(&self) -> Vec<u64> {
        let mut out = Vec::with_capacity(self.len());
        self.addrs(0..self.runs.len(), &mut out);
        out
    }
}

/// Set bit `k` of `words`, growing it as needed.
pub(crate) fn set_bit(words: &mut Vec<u64>, k: usize) {
    if words.len() <= k / 64 {
        words.resize(k / 64 + 1, 0);
    }
    words[k / 64] |= 1 << (k % 64);
}

#[cfg(test)]
mod tests {
    use super::{PageStarts, RankBits};

    #[test]
    fn rank_bits_count_the_set_bits_before() {
        let r = RankBits::new(200, |i| i % 3 == 0);
        for i in 0..256usize {
            let expected = (i < 200 && i % 3 == 0).then(|| i.div_ceil(3) as u32);
            assert_eq!(r.rank(i), expected, "{i}");
            assert_eq!(r.has(i), expected.is_some());
        }
        assert_eq!(r.ones(), 67);
        assert_eq!(r.len(), 256);
        assert_eq!(r.rank(10_000), None);
    }

    #[test]
    fn page_starts_find_exactly_the_object_starts() {
        // Pages of 0x40000: a dense one, a sparse one, and two with one object each.
        let mut addrs: Vec<u64> = (0..3000u64)
            .map(|i| 0x10_0000_0000 + 0x100 + 24 * i)
            .collect();
        addrs.extend((0..40u64).map(|i| 0x10_0004_0000 + 0x100 + 0x1000 * i));
        addrs.push(0x10_0100_0000 + 0x100);
        addrs.push(0x10_0100_0000 + 0x3f_0000);
        let p = PageStarts::new(&addrs, 0x4_0000);
        for (i, &a) in addrs.iter().enumerate() {
            assert_eq!(p.get(a), Some(i as u32), "{a:#x}");
            for off in [1u64, 8, 16] {
                let expected = addrs.binary_search(&(a + off)).ok().map(|k| k as u32);
                assert_eq!(p.get(a + off), expected, "{:#x}", a + off);
            }
        }
        assert_eq!(p.get(0x20_0000_0000), None);
        assert_eq!(p.get(0x10_0000_0000), None);
        // The addresses come back from the bits, in order, in batches of whole pages.
        assert_eq!(p.all_addrs(), addrs);
        let mut batched = Vec::new();
        for b in p.batches(1000) {
            p.addrs(b, &mut batched);
        }
        assert_eq!(batched, addrs);
        // The first page alone, then the three small ones together.
        assert_eq!(p.batches(1000), vec![0..1, 1..4]);
        // Pages whose numbers collide in the direct-mapped table.
        let far: Vec<u64> = (0..100u64).map(|k| (k << 40) + 0x40).collect();
        let f = PageStarts::new(&far, 0x4_0000);
        for (i, &a) in far.iter().enumerate() {
            assert_eq!(f.get(a), Some(i as u32), "{a:#x}");
            assert_eq!(f.get(a + 0x4_0000), None);
        }
        assert_eq!(PageStarts::empty(0x4_0000).get(0x40), None);
        // A page pushed twice is refused.
        let mut q = PageStarts::new(&addrs, 0x4_0000);
        assert!(!q.push(0x10_0000_0000, &[1]));
        assert_eq!(q.len(), addrs.len());
    }
}
