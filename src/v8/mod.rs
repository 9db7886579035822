//! V8's heap as V8 defines it: the per-version layout table and the executable's metadata
//! ([`Runtime`]), heap pages and spaces, the object walk, views named after V8's classes, names
//! as V8's heap snapshot gives them, roots, stack frames. Reads memory only through
//! [`crate::memory::Memory`]; calls the binary floor for the executable's tables, never the core.

pub mod collections;
pub mod context;
pub mod dispatch;
pub mod frames;
pub mod function;
pub mod heap;
pub mod isolate;
pub mod js_object;
pub mod layout;
pub mod map;
pub mod model;
pub mod names;
pub mod node;
pub mod object;
pub mod offsets;
pub mod roots;
pub mod string;
#[cfg(any(test, feature = "synth"))]
pub mod synth;
pub mod types;
pub mod walk;

use crate::binary::metadata::Metadata;
use crate::binary::Executable;
use crate::error::{Error, Result, Warning};
use layout::Layout;
use object::Shapes;
use types::TypeNames;

/// What decoding one V8 build's heap needs, read once from its executable: the postmortem
/// metadata, the layout table for its version, instance type names and how each type is sized.
/// Owned and plain: a synthetic heap builds one from parts ([`Runtime::from_parts`]).
pub struct Runtime {
    /// Postmortem metadata from the executable.
    pub metadata: Metadata,
    /// Version-specific layouts.
    pub layout: Layout,
    /// Instance type numbers → V8 class names.
    pub types: TypeNames,
    /// How each instance type is sized.
    pub shapes: Shapes,
    /// Problems found while setting up (e.g. a version not in the table).
    pub warnings: Vec<Warning>,
    /// Whether this V8's heap snapshot names a global object `<constructor> (global*)` and its
    /// proxy `<constructor> (global)` (V8 14): the executable then holds the format strings (see
    /// [`Runtime::with_global_marks`]; false until asked).
    pub marks_global_objects: bool,
    /// `interpreter::Bytecodes::kBytecodeSizes` (`uint8[3][count]`: single, double and quadruple
    /// operand scale), read from the executable.
    pub bytecode_sizes: Option<Vec<u8>>,
}

impl Runtime {
    /// Read the metadata of `exe` and pick the layout for V8 `major.minor`.
    pub fn read(exe: &Executable, version: Option<(u32, u32)>) -> Result<Runtime> {
        let metadata = Metadata::read(exe)?;
        let (major, minor) = version.ok_or_else(|| {
            Error::UnsupportedVersion("unknown (no V8 version found in the process)".into())
        })?;
        let (layout, warning) = layout::for_version(major, minor)
            .ok_or_else(|| Error::UnsupportedVersion(format!("{major}.{minor}")))?;
        let (types, types_warning) = TypeNames::read(exe, &metadata);
        let mut rt = Runtime::from_parts(metadata, layout, types);
        // A layout taken from the nearest known version, or instance types without names: what
        // is decoded may be wrong.
        rt.warnings.extend(warning.map(Warning::partial));
        rt.warnings.extend(types_warning.map(Warning::partial));
        rt.bytecode_sizes = bytecode_sizes(exe);
        Ok(rt)
    }

    /// Also find out how this V8's snapshot names global objects ([`Runtime::marks_global_objects`]):
    /// a search of the whole executable, done only by the commands that name objects.
    pub fn with_global_marks(mut self, exe: &Executable) -> Runtime {
        self.marks_global_objects = exe.has_cstring("%s (global*)");
        self
    }

    /// A runtime from tables already in hand (tests build synthetic ones).
    pub fn from_parts(metadata: Metadata, layout: Layout, types: TypeNames) -> Runtime {
        let shapes = Shapes::new(&metadata, &types, layout.objects);
        Runtime {
            metadata,
            layout,
            types,
            shapes,
            warnings: Vec::new(),
            marks_global_objects: false,
            bytecode_sizes: None,
        }
    }
}

/// V8's table of bytecode sizes per operand scale, from the executable's read-only data.
fn bytecode_sizes(exe: &Executable) -> Option<Vec<u8>> {
    let s = exe.symbol("_ZN2v88internal11interpreter9Bytecodes14kBytecodeSizesE")?;
    if s.size == 0 || s.size % 3 != 0 || s.size > 3 * 1024 {
        return None;
    }
    let bytes = exe.read_static(s.addr, s.size)?;
    (bytes.len() as u64 == s.size).then(|| bytes.to_vec())
}

/// The unqualified class name from a mangled vtable symbol in `v8::internal`
/// (`_ZTVN2v88internal8OldSpaceE` → `OldSpace`).
pub fn vtable_class(mangled: &[u8]) -> Option<String> {
    let rest = mangled.strip_prefix(b"_ZTVN2v88internal")?;
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    let len: usize = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    let name = rest.get(digits..digits + len)?;
    (rest.get(digits + len) == Some(&b'E')).then(|| String::from_utf8_lossy(name).into_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn vtable_class_demangles_only_v8_internal_vtables() {
        assert_eq!(
            super::vtable_class(b"_ZTVN2v88internal8OldSpaceE").as_deref(),
            Some("OldSpace")
        );
        assert_eq!(super::vtable_class(b"_ZTVN2v88internal8OldSpace"), None);
        assert_eq!(super::vtable_class(b"_ZTVN4node3FooE"), None);
        assert_eq!(super::vtable_class(b"_ZTVN2v88internal99XE"), None);
    }
}
