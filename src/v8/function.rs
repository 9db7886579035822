//! V8's `JSFunction`, `SharedFunctionInfo` and `Script`: function names as V8 gives them, where
//! a function starts (script, line, column), scripts' line ends.

use super::model::{Model, Reader};
use crate::memory::Memory;

/// A script's id and the positions where its lines end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptLines {
    pub id: u32,
    /// The script's name or URL, when it has one.
    pub name: Option<String>,
    pub ends: Vec<u32>,
}

impl ScriptLines {
    /// The 0-based line and column of a source position.
    pub fn position(&self, pos: u64) -> (u32, u32) {
        let line = self.ends.partition_point(|&e| u64::from(e) < pos);
        let start = if line == 0 {
            0
        } else {
            u64::from(self.ends[line - 1]) + 1
        };
        (line as u32, pos.saturating_sub(start) as u32)
    }
}

/// Where the lines of a source (UTF-16 units) end, as V8 counts them: at `\n`, a `\r` not
/// followed by `\n`, U+2028 and U+2029.
fn line_ends(units: &[u16]) -> Vec<u32> {
    let mut ends = Vec::new();
    for (i, &c) in units.iter().enumerate() {
        let terminator = match c {
            0x0a | 0x2028 | 0x2029 => true,
            0x0d => units.get(i + 1) != Some(&0x0a),
            _ => false,
        };
        if terminator {
            ends.push(i as u32);
        }
    }
    ends
}

/// Longest script source read for line ends (longer sources are cut).
const MAX_SOURCE: usize = 256 << 20;

/// Where a function is defined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub script: String,
    /// 1-based line and column.
    pub line: u64,
    pub column: u64,
}

impl<M: Memory> Model<'_, M> {
    /// The shared function info of the function at `f`.
    pub fn function_sfi(&self, f: u64) -> Option<u64> {
        self.ptr(f, self.off.function_shared)
    }
}

impl<M: Memory> Reader<'_, '_, M> {
    /// `SharedFunctionInfo::Name()`: the name string's address, or `None` for no name.
    pub fn sfi_name(&self, sfi: u64) -> Option<u64> {
        let v = self.ptr(sfi, self.off.sfi_name)?;
        if self.is_string(v) {
            return Some(v);
        }
        if Some(self.type_of(v)?) == self.types.scope_info {
            let f = self.scope_info(v)?;
            let name = self.ptr(v, f.function_name?)?;
            return self.is_string(name).then_some(name);
        }
        None
    }

    /// `SharedFunctionInfo::DebugName()`: the name, or the inferred name when empty.
    pub fn sfi_debug_name(&self, sfi: u64) -> String {
        let name = self
            .sfi_name(sfi)
            .map(|n| self.short_string(n, 1024))
            .unwrap_or_default();
        if !name.is_empty() {
            return name;
        }
        // The inferred name lives in the scope info (compiled) or uncompiled data.
        let Some(v) = self.ptr(sfi, self.off.sfi_name) else {
            return name;
        };
        if Some(self.type_of(v).unwrap_or(0)) == self.types.scope_info {
            if let Some(n) = self
                .scope_info(v)
                .and_then(|f| f.inferred_name)
                .and_then(|o| self.ptr(v, o))
            {
                return self.short_string(n, 1024);
            }
        }
        name
    }

    /// The function's name as V8's snapshot shows it (`SharedFunctionInfo::Name()`).
    pub fn function_name(&self, f: u64) -> String {
        self.function_sfi(f)
            .and_then(|s| self.sfi_name(s))
            .map(|n| self.short_string(n, 1024))
            .unwrap_or_default()
    }

    /// The script name and 1-based line and column where the function at `f` starts.
    pub fn function_location(&self, f: u64) -> Option<Location> {
        let sfi = self.function_sfi(f)?;
        let script = self.ptr(sfi, self.off.sfi_script)?;
        if self.type_of(script) != self.types.script {
            return None;
        }
        let name = self
            .ptr(script, self.off.script_name)
            .filter(|&n| self.is_string(n))
            .map(|n| self.short_string(n, 4096))
            .unwrap_or_default();
        let start = self.sfi_start_position(sfi)?;
        let source_off = self.v8.metadata.class_offset("Script", "source")?;
        let source = self.ptr(script, source_off)?;
        // One unit past the start, so that a `\r` just before it is seen with what follows.
        let text = self.string(source, start as usize + 1)?;
        let units: Vec<u16> = text.text.encode_utf16().collect();
        let lines = ScriptLines {
            id: 0,
            name: None,
            ends: line_ends(&units),
        };
        let (line, column) = lines.position(start);
        Some(Location {
            script: name,
            line: u64::from(line) + 1,
            column: u64::from(column) + 1,
        })
    }

    /// The script that defines the function at `f` and the function's start position in it.
    pub fn function_script(&self, f: u64) -> Option<(u64, u64)> {
        self.sfi_script(self.function_sfi(f)?)
    }

    /// The script of a shared function info and the function's start position in it.
    pub fn sfi_script(&self, sfi: u64) -> Option<(u64, u64)> {
        let script = self.ptr(sfi, self.off.sfi_script)?;
        if self.type_of(script) != self.types.script {
            return None;
        }
        Some((script, self.sfi_start_position(sfi)?))
    }

    /// A script's id and line ends as V8 computes them (`String::CalculateLineEnds`): the
    /// position, in UTF-16 units, of each line terminator (`\n`, a `\r` not followed by `\n`,
    /// U+2028, U+2029), then the source's length. None for a script without a source string.
    pub fn script_lines(&self, script: u64) -> Option<ScriptLines> {
        let ends_off = self.v8.metadata.class_offset("Script", "line_ends")?;
        // The script id follows its line ends (script.tq, V8 11.3 to 14.6).
        let id = u32::try_from(self.smi(script, ends_off + 8)?).ok()?;
        let source_off = self.v8.metadata.class_offset("Script", "source")?;
        let source = self.ptr(script, source_off)?;
        let len = self.mem.read_u32_at(source, self.off.string_length)? as usize;
        let text = self.string(source, len.min(MAX_SOURCE))?;
        let units: Vec<u16> = text.text.encode_utf16().collect();
        let mut ends = line_ends(&units);
        ends.push(units.len() as u32);
        let name = self
            .v8
            .metadata
            .class_offset("Script", "name")
            .and_then(|off| self.ptr(script, off))
            .filter(|&n| self.is_string(n))
            .map(|n| self.short_string(n, 4096));
        Some(ScriptLines { id, name, ends })
    }

    /// The address of the source string of the script that defines the function at `f`.
    pub fn function_source(&self, f: u64) -> Option<u64> {
        let sfi = self.function_sfi(f)?;
        let script = self.ptr(sfi, self.off.sfi_script)?;
        if self.type_of(script) != self.types.script {
            return None;
        }
        let source_off = self.v8.metadata.class_offset("Script", "source")?;
        self.ptr(script, source_off).filter(|&s| self.is_string(s))
    }

    /// `SharedFunctionInfo::StartPosition()`: from the scope info's position info when compiled,
    /// else from the uncompiled data.
    fn sfi_start_position(&self, sfi: u64) -> Option<u64> {
        // name_or_scope_info: a ScopeInfo once compiled; a name, or Smi 0 for no name, before.
        if let Some(v) = self.ptr(sfi, self.off.sfi_name) {
            if self.type_of(v) == self.types.scope_info {
                if let Some(pos) = self.scope_info(v).and_then(|f| f.position) {
                    if let Some(p) = self.smi(v, pos) {
                        return u64::try_from(p).ok();
                    }
                }
            }
        }
        // Uncompiled functions: function_data is an UncompiledData with start/end positions.
        let data_off = self
            .v8
            .metadata
            .class_offset("SharedFunctionInfo", "function_data")
            .unwrap_or(8);
        let data = self.ptr(sfi, data_off)?;
        let class = self.type_of(data).and_then(|t| self.v8.types.name(t))?;
        if class.starts_with("UncompiledData") {
            let off = self
                .v8
                .metadata
                .class_offset("UncompiledData", "start_position")?;
            return self.mem.read_u32_at(data, off).map(u64::from);
        }
        None
    }
}
