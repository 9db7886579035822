//! Reading a process's memory by address: the one interface every floor above the core file
//! uses. The ground floor: it calls nothing else of the crate.

mod hash;

pub use hash::{AddrHasher, AddrMap, AddrSet, FastMap};
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// A range of addresses a [`Memory`] holds, as [`Memory::ranges`] lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub start: u64,
    pub len: u64,
    /// The process could write it (heap, stacks, C++ data), as opposed to file contents.
    pub writable: bool,
}

impl Range {
    /// One past the last address.
    pub fn end(&self) -> u64 {
        self.start.saturating_add(self.len)
    }

    /// Whether `addr` is inside.
    pub fn contains(&self, addr: u64) -> bool {
        self.start <= addr && addr < self.end()
    }
}
/// Read-only access to a process's address space. Implementations return `None` for bytes that are
/// not available (unmapped, or not captured in the core); they never panic on any address.
pub trait Memory: Sync {
    /// The longest contiguous run of available bytes starting at `addr`, at most `max` long, borrowed
    /// without copying. `None` when `addr` itself is unavailable.
    fn bytes_at(&self, addr: u64, max: u64) -> Option<&[u8]>;

    /// Exactly `len` contiguous bytes at `addr`, or `None`.
    fn slice(&self, addr: u64, len: u64) -> Option<&[u8]> {
        let b = self.bytes_at(addr, len)?;
        (b.len() as u64 == len).then_some(b)
    }

    /// Fill `buf` from `addr`, crossing region boundaries if needed; false if any byte is missing.
    fn read_into(&self, addr: u64, buf: &mut [u8]) -> bool {
        let mut done = 0usize;
        while done < buf.len() {
            let Some(at) = addr.checked_add(done as u64) else {
                return false;
            };
            let Some(b) = self.bytes_at(at, (buf.len() - done) as u64) else {
                return false;
            };
            if b.is_empty() {
                return false;
            }
            buf[done..done + b.len()].copy_from_slice(b);
            done += b.len();
        }
        true
    }

    /// A little-endian u64 at `addr`.
    fn read_u64(&self, addr: u64) -> Option<u64> {
        if let Some(b) = self
            .bytes_at(addr, 8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
        {
            return Some(u64::from_le_bytes(b));
        }
        let mut b = [0u8; 8];
        self.read_into(addr, &mut b).then(|| u64::from_le_bytes(b))
    }

    /// A little-endian u32 at `addr`.
    fn read_u32(&self, addr: u64) -> Option<u32> {
        if let Some(b) = self
            .bytes_at(addr, 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
        {
            return Some(u32::from_le_bytes(b));
        }
        let mut b = [0u8; 4];
        self.read_into(addr, &mut b).then(|| u32::from_le_bytes(b))
    }

    /// A little-endian u16 at `addr`.
    fn read_u16(&self, addr: u64) -> Option<u16> {
        if let Some(b) = self
            .bytes_at(addr, 2)
            .and_then(|b| <[u8; 2]>::try_from(b).ok())
        {
            return Some(u16::from_le_bytes(b));
        }
        let mut b = [0u8; 2];
        self.read_into(addr, &mut b).then(|| u16::from_le_bytes(b))
    }

    /// A byte at `addr`.
    fn read_u8(&self, addr: u64) -> Option<u8> {
        self.bytes_at(addr, 1).and_then(|b| b.first().copied())
    }

    /// A little-endian u64 at `off` bytes past `base` (a field of an object: `None` when the sum
    /// overflows, as it can for a pointer read from a damaged heap).
    fn read_u64_at(&self, base: u64, off: u64) -> Option<u64> {
        self.read_u64(base.checked_add(off)?)
    }

    /// A little-endian u32 at `off` bytes past `base` (see [`Memory::read_u64_at`]).
    fn read_u32_at(&self, base: u64, off: u64) -> Option<u32> {
        self.read_u32(base.checked_add(off)?)
    }

    /// A little-endian u16 at `off` bytes past `base` (see [`Memory::read_u64_at`]).
    fn read_u16_at(&self, base: u64, off: u64) -> Option<u16> {
        self.read_u16(base.checked_add(off)?)
    }

    /// A byte at `off` bytes past `base` (see [`Memory::read_u64_at`]).
    fn read_u8_at(&self, base: u64, off: u64) -> Option<u8> {
        self.read_u8(base.checked_add(off)?)
    }

    /// Exactly `len` bytes at `off` bytes past `base` (see [`Memory::read_u64_at`]).
    fn slice_at(&self, base: u64, off: u64, len: u64) -> Option<&[u8]> {
        self.slice(base.checked_add(off)?, len)
    }

    /// A NUL-terminated string of at most `max` bytes (lossy UTF-8); `None` if unavailable or unterminated.
    fn read_cstr(&self, addr: u64, max: u64) -> Option<String> {
        let b = self.bytes_at(addr, max)?;
        let end = b.iter().position(|&c| c == 0)?;
        Some(String::from_utf8_lossy(&b[..end]).into_owned())
    }

    /// The ranges this memory holds as the process had them, sorted by address: what heap
    /// discovery, the search for allocation areas and root scanning look through.
    fn ranges(&self) -> Vec<Range>;
}

/// One contiguous range of memory backed by a byte slice.
#[derive(Clone, Copy, Debug)]
pub struct Region<'a> {
    /// Virtual address of `data[0]`.
    pub start: u64,
    /// The bytes; the region spans `start .. start + data.len()`.
    pub data: &'a [u8],
    /// The process could write it ([`Range::writable`]).
    pub writable: bool,
}

impl Region<'_> {
    /// One past the last address.
    pub fn end(&self) -> u64 {
        self.start.saturating_add(self.data.len() as u64)
    }
}

/// Memory made of non-overlapping regions, looked up by binary search. Later layers of a
/// [`Layered`] stack fill gaps of earlier ones.
#[derive(Debug, Default)]
pub struct Regions<'a> {
    regions: Vec<Region<'a>>,
    /// For each 1 MiB chunk of the address space that holds data: the first region in it, so
    /// that a lookup is a hash probe and a short forward scan instead of a binary search.
    chunks: HashMap<u64, u32, BuildHasherDefault<AddrHasher>>,
}

/// log2 of the chunk size of [`Regions`]' index.
const CHUNK_SHIFT: u32 = 20;
/// Regions scanned from a chunk's first before falling back to binary search.
const CHUNK_SCAN: usize = 8;

impl<'a> Regions<'a> {
    /// Build from regions in any order; empty regions are dropped, overlaps resolved by keeping the first.
    pub fn new(mut regions: Vec<Region<'a>>) -> Self {
        regions.retain(|r| !r.data.is_empty());
        regions.sort_by_key(|r| r.start);
        let mut out: Vec<Region<'a>> = Vec::with_capacity(regions.len());
        for r in regions {
            match out.last() {
                Some(prev) if r.start < prev.end() => {
                    // Keep the part past the previous region, if any.
                    let skip = prev.end() - r.start;
                    if skip < r.data.len() as u64 {
                        out.push(Region {
                            start: prev.end(),
                            data: &r.data[skip as usize..],
                            writable: r.writable,
                        });
                    }
                }
                _ => out.push(r),
            }
        }
        let mut chunks: HashMap<u64, u32, BuildHasherDefault<AddrHasher>> = HashMap::default();
        for (i, r) in out.iter().enumerate() {
            for c in (r.start >> CHUNK_SHIFT)..=((r.end() - 1) >> CHUNK_SHIFT) {
                chunks.entry(c).or_insert(i as u32);
            }
        }
        Regions {
            regions: out,
            chunks,
        }
    }

    fn find(&self, addr: u64) -> Option<&Region<'a>> {
        // Reads cluster: try the region this thread found last in this memory first.
        thread_local! {
            static LAST: std::cell::Cell<(usize, usize)> = const { std::cell::Cell::new((0, 0)) };
        }
        let me = self as *const Self as usize;
        let (owner, last) = LAST.with(|l| l.get());
        if owner == me {
            if let Some(r) = self.regions.get(last) {
                if r.start <= addr && addr < r.end() {
                    return Some(r);
                }
            }
        }
        let found = self.find_indexed(addr)?;
        LAST.with(|l| l.set((me, found)));
        self.regions.get(found)
    }

    fn find_indexed(&self, addr: u64) -> Option<usize> {
        let first = *self.chunks.get(&(addr >> CHUNK_SHIFT))? as usize;
        for (k, r) in self.regions[first..].iter().enumerate().take(CHUNK_SCAN) {
            if r.start > addr {
                return None;
            }
            if addr < r.end() {
                return Some(first + k);
            }
        }
        let i = self.regions.partition_point(|r| r.end() <= addr);
        self.regions.get(i).filter(|r| r.start <= addr).map(|_| i)
    }
}

impl Memory for Regions<'_> {
    fn bytes_at(&self, addr: u64, max: u64) -> Option<&[u8]> {
        let r = self.find(addr)?;
        let off = (addr - r.start) as usize;
        let avail = r.data.len() - off;
        let n = avail.min(usize::try_from(max).unwrap_or(usize::MAX));
        Some(&r.data[off..off + n])
    }

    fn ranges(&self) -> Vec<Range> {
        self.regions
            .iter()
            .map(|r| Range {
                start: r.start,
                len: r.data.len() as u64,
                writable: r.writable,
            })
            .collect()
    }
}

/// Two memories stacked: `top` answers first, `bottom` fills what `top` lacks.
pub struct Layered<A, B> {
    /// Consulted first.
    pub top: A,
    /// Consulted for addresses `top` does not have.
    pub bottom: B,
}

impl<A: Memory, B: Memory> Memory for Layered<A, B> {
    fn bytes_at(&self, addr: u64, max: u64) -> Option<&[u8]> {
        self.top
            .bytes_at(addr, max)
            .or_else(|| self.bottom.bytes_at(addr, max))
    }

    /// The top's ranges: what the process had. The bottom only fills bytes the top lacks (for a
    /// process: the executable's file contents beneath the core), which no heap page, allocation
    /// area or root lives in.
    fn ranges(&self) -> Vec<Range> {
        self.top.ranges()
    }
}

/// A window of memory already borrowed as one slice (e.g. a heap page), in front of the memory it
/// came from: reads inside the window cost an index, reads outside go to `inner`.
pub struct Window<'a, M> {
    pub start: u64,
    pub data: &'a [u8],
    pub inner: &'a M,
}

impl<M: Memory> Memory for Window<'_, M> {
    fn bytes_at(&self, addr: u64, max: u64) -> Option<&[u8]> {
        if let Some(off) = addr.checked_sub(self.start) {
            if off < self.data.len() as u64 {
                let off = off as usize;
                let n = (self.data.len() - off).min(usize::try_from(max).unwrap_or(usize::MAX));
                return Some(&self.data[off..off + n]);
            }
        }
        self.inner.bytes_at(addr, max)
    }

    fn ranges(&self) -> Vec<Range> {
        self.inner.ranges()
    }
}

/// A read-only anonymous mapping holding a copy of `bytes` (at least one page), so that code
/// written for memory-mapped files can read bytes that come from elsewhere.
pub fn mapped_copy(bytes: &[u8]) -> std::io::Result<memmap2::Mmap> {
    let mut m = memmap2::MmapMut::map_anon(bytes.len().max(1))?;
    m[..bytes.len()].copy_from_slice(bytes);
    m.make_read_only()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_read_across_boundary_and_report_gaps() {
        let a = [1u8, 2, 3, 4];
        let b = [5u8, 6, 7, 8];
        let m = Regions::new(vec![
            Region {
                start: 0x1004,
                data: &b,
                writable: true,
            },
            Region {
                start: 0x1000,
                data: &a,
                writable: true,
            },
        ]);
        assert_eq!(m.read_u64(0x1000), Some(0x0807060504030201));
        assert_eq!(m.bytes_at(0x1002, 100), Some(&a[2..]));
        assert_eq!(m.read_u32(0x1006), None, "read past the end must fail");
        assert_eq!(m.read_u8(0xfff), None);
        assert_eq!(m.read_u64(u64::MAX - 3), None);
    }

    #[test]
    fn field_reads_past_the_end_of_the_address_space_are_none() {
        let a = [7u8; 16];
        let m = Regions::new(vec![Region {
            start: 0x1000,
            data: &a,
            writable: true,
        }]);
        assert_eq!(m.read_u64_at(0x1000, 8), Some(0x0707_0707_0707_0707));
        assert_eq!(m.read_u8_at(0xff8, 8), Some(7));
        assert_eq!(
            m.read_u64_at(u64::MAX - 7, 0x1009),
            None,
            "no wrap to 0x1001"
        );
        assert_eq!(m.read_u32_at(u64::MAX, 1), None);
        assert_eq!(m.read_u16_at(u64::MAX, 0x1001), None);
        assert_eq!(m.slice_at(0x1000, 4, 8), Some(&a[4..12]));
        assert_eq!(m.slice_at(u64::MAX, 0x1001, 8), None);
    }

    #[test]
    fn overlapping_regions_keep_first() {
        let a = [1u8; 8];
        let b = [2u8; 8];
        let m = Regions::new(vec![
            Region {
                start: 0x100,
                data: &a,
                writable: true,
            },
            Region {
                start: 0x104,
                data: &b,
                writable: true,
            },
        ]);
        assert_eq!(m.read_u8(0x107), Some(1));
        assert_eq!(m.read_u8(0x10b), Some(2));
        assert_eq!(m.read_u8(0x10c), None);
    }

    #[test]
    fn layered_fills_gaps() {
        let a = [1u8; 4];
        let b = [2u8; 16];
        let top = Regions::new(vec![Region {
            start: 0x10,
            data: &a,
            writable: true,
        }]);
        let bottom = Regions::new(vec![Region {
            start: 0x10,
            data: &b,
            writable: true,
        }]);
        let m = Layered { top, bottom };
        assert_eq!(m.read_u8(0x10), Some(1));
        assert_eq!(m.read_u8(0x18), Some(2));
    }

    #[test]
    fn layered_ranges_are_the_tops_only() {
        let a = [1u8; 4];
        let b = [2u8; 32];
        let top = Regions::new(vec![Region {
            start: 0x18,
            data: &a,
            writable: true,
        }]);
        let bottom = Regions::new(vec![Region {
            start: 0x10,
            data: &b,
            writable: false,
        }]);
        let want = top.ranges();
        assert_eq!(
            want,
            vec![Range {
                start: 0x18,
                len: 4,
                writable: true
            }]
        );
        let m = Layered { top, bottom };
        assert_eq!(m.ranges(), want);
        assert_eq!(m.read_u8(0x10), Some(2), "the bottom still fills the gaps");
    }
}
