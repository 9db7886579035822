//! Node and V8 versions as the process knew them, read from its memory and its executable.

use crate::memory::Memory;
use crate::process::Process;

/// Versions of the runtime that wrote the core.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Versions {
    /// Node's version without the `v`, e.g. `22.23.3`.
    pub node: Option<String>,
    /// V8's full version string, e.g. `12.4.254.21-node.57`.
    pub v8: Option<String>,
    /// V8's (major, minor, build, patch) from `v8::internal::Version`'s statics.
    #[serde(skip)]
    pub v8_numbers: Option<(u32, u32, u32, u32)>,
    /// Where each came from, for the report.
    pub source: String,
}

/// `node::per_process::metadata`: a `Metadata` whose first member is `Versions`, itself starting with
/// the `std::string`s `node` and `v8` (NODE_VERSIONS_KEYS order), each 32 bytes in libstdc++.
const NODE_METADATA: &str = "_ZN4node11per_process8metadataE";
const STD_STRING_SIZE: u64 = 32;

impl Versions {
    /// Read the versions of `p`. Never fails: what cannot be read stays `None`.
    pub fn read(p: &Process, mem: &impl Memory) -> Versions {
        let sym = |name: &str| p.exe.symbol(name).map(|s| s.addr.wrapping_add(p.bias));
        let int = |name: &str| sym(name).and_then(|a| mem.read_u32(a));
        let v8_numbers = (|| {
            Some((
                int("_ZN2v88internal7Version6major_E")?,
                int("_ZN2v88internal7Version6minor_E")?,
                int("_ZN2v88internal7Version6build_E")?,
                int("_ZN2v88internal7Version6patch_E")?,
            ))
        })();
        let v8_string = sym("_ZN2v88internal7Version15version_string_E")
            .and_then(|a| mem.read_u64(a))
            .and_then(|s| mem.read_cstr(s, 64));
        let meta = sym(NODE_METADATA);
        let node = meta
            .and_then(|m| read_std_string(mem, m, 32))
            .filter(|s| is_version(s));
        let meta_v8 = meta.and_then(|m| {
            m.checked_add(STD_STRING_SIZE)
                .and_then(|a| read_std_string(mem, a, 64))
        });
        let v8 = v8_string
            .clone()
            .or(meta_v8)
            .or_else(|| v8_numbers.map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}")));
        Versions {
            source: "node::per_process::metadata, v8::internal::Version".into(),
            node,
            v8,
            v8_numbers,
        }
    }

    /// V8's (major, minor), from the statics or else parsed from the version string.
    pub fn v8_major_minor(&self) -> Option<(u32, u32)> {
        if let Some((a, b, _, _)) = self.v8_numbers {
            return Some((a, b));
        }
        let s = self.v8.as_deref()?;
        let mut it = s.split(['.', '-']);
        Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
    }
}

/// A libstdc++ `std::string` at `addr`: (data pointer, length, capacity or inline buffer).
pub fn read_std_string(mem: &impl Memory, addr: u64, max: u64) -> Option<String> {
    let ptr = mem.read_u64(addr)?;
    let len = mem.read_u64_at(addr, 8)?;
    if len > max {
        return None;
    }
    let bytes = mem.slice(ptr, len)?;
    String::from_utf8(bytes.to_vec()).ok()
}

fn is_version(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::{Region, Regions};

    #[test]
    fn std_string_reads_inline_buffer_and_rejects_long_lengths() {
        let mut b = vec![0u8; 32];
        b[..8].copy_from_slice(&0x1010u64.to_le_bytes());
        b[8..16].copy_from_slice(&7u64.to_le_bytes());
        b[16..23].copy_from_slice(b"22.23.3");
        let m = Regions::new(vec![Region {
            start: 0x1000,
            data: &b,
            writable: true,
        }]);
        assert_eq!(read_std_string(&m, 0x1000, 32).as_deref(), Some("22.23.3"));
        assert_eq!(read_std_string(&m, 0x1000, 4), None);
        assert!(is_version("22.23.3") && !is_version("22.x.3") && !is_version("1.2"));
    }
}
