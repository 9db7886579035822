//! The V8 model: metadata and the per-version layout table, then heap pages and spaces.

pub mod frames;
pub mod heap;
pub mod layout;
pub mod map;
pub mod model;
pub mod names;
pub mod object;
pub mod props;
pub mod types;
pub mod walk;

use crate::binary::metadata::Metadata;
use crate::error::{Error, Result};
use crate::process::runtime::Versions;
use crate::process::Process;
use layout::Layout;
use object::Shapes;
use types::TypeNames;

/// What the upper layers need to decode V8 structures of one process.
pub struct V8<'p> {
    /// The process (core + executable).
    pub process: &'p Process,
    /// Postmortem metadata from the executable.
    pub metadata: Metadata,
    /// Version-specific layouts.
    pub layout: Layout,
    /// Instance type numbers → V8 class names.
    pub types: TypeNames,
    /// How each instance type is sized.
    pub shapes: Shapes,
    /// Problems found while setting up (e.g. a version not in the table).
    pub warnings: Vec<String>,
    /// Whether V8's snapshot marks global objects and proxies in their names (found on first use).
    global_marks: std::sync::OnceLock<bool>,
}

impl<'p> V8<'p> {
    /// Read the metadata and pick the layout for the process's V8 version.
    pub fn new(process: &'p Process, versions: &Versions) -> Result<V8<'p>> {
        let metadata = Metadata::read(&process.exe)?;
        let (major, minor) = versions.v8_major_minor().ok_or_else(|| {
            Error::UnsupportedVersion("unknown (no V8 version found in the process)".into())
        })?;
        let (layout, warning) = layout::for_version(major, minor)
            .ok_or_else(|| Error::UnsupportedVersion(format!("{major}.{minor}")))?;
        let mut warnings: Vec<String> = warning.into_iter().collect();
        let (types, types_warning) = TypeNames::read(&process.exe, &metadata);
        warnings.extend(types_warning);
        let shapes = Shapes::new(&metadata, &types, layout.objects);
        Ok(V8 {
            process,
            metadata,
            layout,
            types,
            shapes,
            warnings,
            global_marks: std::sync::OnceLock::new(),
        })
    }

    /// Whether this V8's heap snapshot names a global object `<constructor> (global*)` and its
    /// proxy `<constructor> (global)` (V8 14): read from the binary, which then holds the format
    /// strings.
    pub fn marks_global_objects(&self) -> bool {
        *self
            .global_marks
            .get_or_init(|| self.process.exe.has_cstring("%s (global*)"))
    }

    /// The C++ class of the object at `addr` in the process, from its vtable pointer: e.g.
    /// `OldSpace` for a pointer to `vtable for v8::internal::OldSpace + 16`.
    pub fn v8_class_of(&self, vtable: u64) -> Option<String> {
        let exe = &self.process.exe;
        let link = vtable.wrapping_sub(self.process.bias);
        let sym = exe.symbol_at(link)?;
        let name = exe.symbol_name(&sym);
        vtable_class(name)
    }
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
