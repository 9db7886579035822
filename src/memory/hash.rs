//! Cheap hashing for addresses and small keys, looked up once per object on the hot paths.

/// A hasher for addresses (already well spread in their middle bits): one multiply, for the
/// per-thread caches that every object lookup goes through.
#[derive(Clone, Copy, Default)]
pub struct AddrHasher(u64);

impl std::hash::Hasher for AddrHasher {
    fn finish(&self) -> u64 {
        // Addresses are 8-aligned: fold the high bits of the product into the low ones, which
        // pick the bucket.
        self.0 ^ (self.0 >> 29)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u8(&mut self, v: u8) {
        self.write_u64(u64::from(v));
    }
    fn write_u16(&mut self, v: u16) {
        self.write_u64(u64::from(v));
    }
    fn write_u32(&mut self, v: u32) {
        self.write_u64(u64::from(v));
    }
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// A `HashMap` with the cheap hasher of [`AddrHasher`], for small keys (numbers, enums of them)
/// looked up once per object.
pub type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<AddrHasher>>;

/// A `HashMap` keyed by addresses.
pub type AddrMap<V> = FastMap<u64, V>;
/// A `HashSet` of addresses.
pub type AddrSet = std::collections::HashSet<u64, std::hash::BuildHasherDefault<AddrHasher>>;
