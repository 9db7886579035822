//! Instance types: which V8 class each `InstanceType` number stands for.
//!
//! The postmortem metadata names only part of the instance types (`v8dbg_type_<Class>__<TYPE>`);
//! hash tables, contexts, scope infos and other Torque-assigned types are missing, and their
//! numbers move between V8 versions. Every Node binary, however, carries the complete mapping in
//! the code of V8's heap-snapshot generator: `V8HeapExplorer::GetSystemEntryName` is a `switch`
//! over the instance type returning `"system / <Class>"` string literals, which compilers lower to
//! jump tables whose targets load the literal's address. We read those tables (x86-64: `jmp
//! [reg*8 + table]`, targets beginning with `mov r32, imm32` or `lea r64, [rip+disp]`), and find
//! each table's first instance type by matching its entries against the metadata's named types.
//! Types whose case returns `""` are V8's `FixedArray` range (plus `FixedDoubleArray` and
//! `ByteArray`, which the metadata names).

use crate::binary::metadata::Metadata;
use crate::binary::Executable;
use std::collections::{HashMap, HashSet};

/// The mangled-name prefix of `V8HeapExplorer::GetSystemEntryName(...)`.
const SYSTEM_ENTRY_NAME: &str = "_ZN2v88internal14V8HeapExplorer18GetSystemEntryNameE";
/// A table longer than this is not a switch over instance types.
const MAX_TABLE: usize = 1 << 14;

/// Instance type numbers and their classes, for one binary.
#[derive(Clone, Debug, Default)]
pub struct TypeNames {
    /// Instance type → class name (`"JSDate"`, `"ScopeInfo"`), or `""` for the `FixedArray`
    /// range, whose members the snapshot generator does not name.
    names: HashMap<u16, String>,
    /// The same, indexed by type (looked up for every object).
    dense: Vec<Option<Box<str>>>,
    /// Class name → instance type, for names that are unique.
    by_name: HashMap<String, u16>,
    /// How the table was obtained, for `--verbose` style reports.
    pub source: &'static str,
}

impl TypeNames {
    /// Build the table from the executable's code, checked against the metadata. On failure the
    /// table holds only what the metadata names, and the warning says so.
    pub fn read(exe: &Executable, md: &Metadata) -> (TypeNames, Option<String>) {
        let anchors = metadata_anchors(md);
        let mut names = match from_jump_tables(exe, &anchors) {
            Ok(n) => n,
            Err(why) => {
                let mut t = TypeNames::from_names(anchors.into_iter().collect());
                t.source = "metadata";
                return (
                    t,
                    Some(format!(
                        "instance types: {why}; only the {} types the metadata names are known",
                        md.instance_types.len()
                    )),
                );
            }
        };
        // The metadata is authoritative where it speaks.
        for (t, name) in anchors {
            names.insert(t, name);
        }
        let mut t = TypeNames::from_names(names);
        t.source = "code";
        (t, None)
    }

    /// A table from explicit names (tests, fallbacks).
    pub fn from_names(names: HashMap<u16, String>) -> TypeNames {
        let mut count: HashMap<&str, usize> = HashMap::new();
        for n in names.values() {
            *count.entry(n.as_str()).or_default() += 1;
        }
        let by_name = names
            .iter()
            .filter(|(_, n)| !n.is_empty() && count.get(n.as_str()) == Some(&1))
            .map(|(&t, n)| (n.clone(), t))
            .collect();
        let mut dense = vec![None; 1 << 16];
        for (&t, n) in &names {
            dense[t as usize] = Some(n.clone().into_boxed_str());
        }
        TypeNames {
            names,
            dense,
            by_name,
            source: "given",
        }
    }

    /// The class of instance type `t`: `Some("")` for the unnamed `FixedArray` range, `None` when
    /// the type is unknown.
    pub fn name(&self, t: u16) -> Option<&str> {
        self.dense.get(t as usize).and_then(|n| n.as_deref())
    }

    /// The instance type of a uniquely named class.
    pub fn type_of(&self, class: &str) -> Option<u16> {
        self.by_name.get(class).copied()
    }

    /// One more than the highest known type (every named type is below it).
    pub fn bound(&self) -> usize {
        self.dense.len()
    }

    /// Number of known types.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when no type is known.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Types the metadata names: `v8dbg_type_JSDate__JS_DATE_TYPE = 1061` → (1061, "JSDate").
fn metadata_anchors(md: &Metadata) -> HashMap<u16, String> {
    md.raw
        .iter()
        .filter_map(|(k, &v)| {
            let rest = k.strip_prefix("type_")?;
            let (class, _) = rest.split_once("__")?;
            Some((u16::try_from(v).ok()?, class.to_string()))
        })
        .collect()
}

/// The jump tables of `GetSystemEntryName`, decoded and placed by the anchors.
fn from_jump_tables(
    exe: &Executable,
    anchors: &HashMap<u16, String>,
) -> Result<HashMap<u16, String>, String> {
    let func = exe
        .symbols_with_prefix(SYSTEM_ENTRY_NAME)
        .map(|(_, s)| s)
        .find(|s| s.is_func && s.size > 0)
        .ok_or("no V8HeapExplorer::GetSystemEntryName in the symbol table")?;
    let code = exe
        .read_static(func.addr, func.size)
        .filter(|c| c.len() as u64 == func.size)
        .ok_or("GetSystemEntryName's code is not in the file")?;
    let in_func = |a: u64| a >= func.addr && a < func.addr + func.size;
    let tables = jump_tables(code);
    if tables.is_empty() {
        return Err("no jump table in GetSystemEntryName".into());
    }
    let mut anchor_by_class: HashMap<&str, Vec<u16>> = HashMap::new();
    for (&t, c) in anchors {
        anchor_by_class.entry(c.as_str()).or_default().push(t);
    }
    let starts: HashSet<u64> = tables.iter().copied().collect();
    let mut out: HashMap<u16, Option<String>> = HashMap::new();
    for &table in &tables {
        // Entries: link-time addresses of code inside the function; stop at the next table.
        let mut entries: Vec<Option<String>> = Vec::new();
        while entries.len() < MAX_TABLE {
            let at = table + 8 * entries.len() as u64;
            if !entries.is_empty() && starts.contains(&at) {
                break;
            }
            let Some(target) = exe
                .read_static(at, 8)
                .and_then(|b| b.try_into().ok())
                .map(u64::from_le_bytes)
            else {
                break;
            };
            if !in_func(target) {
                break;
            }
            entries.push(returned_literal(exe, target));
        }
        // Which instance type does entry 0 stand for? Vote with the named types.
        let mut votes: HashMap<i64, usize> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            let Some(class) = e.as_deref().and_then(|s| s.strip_prefix("system / ")) else {
                continue;
            };
            for &t in anchor_by_class.get(class).map(Vec::as_slice).unwrap_or(&[]) {
                *votes.entry(i64::from(t) - i as i64).or_default() += 1;
            }
        }
        let Some((&base, &n)) = votes.iter().max_by_key(|(&b, &n)| (n, -b)) else {
            continue;
        };
        // One agreeing entry could be chance (e.g. the table of string maps); demand several.
        if n < 3 {
            continue;
        }
        // A literal at several indices is the compiler filling unreachable cases (V8 handled
        // that range before the switch) with some other case's code: those types are unnamed.
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for e in entries.iter().flatten() {
            *seen.entry(e.as_str()).or_default() += 1;
        }
        for (i, e) in entries.iter().enumerate() {
            let Ok(t) = u16::try_from(base + i as i64) else {
                continue;
            };
            let name = match e.as_deref() {
                Some(s) if seen.get(s) == Some(&1) || s.is_empty() => s
                    .strip_prefix("system / ")
                    .or(s.is_empty().then_some(""))
                    .map(str::to_string),
                _ => None,
            };
            out.entry(t).or_insert(name);
        }
    }
    let named = out.values().filter(|n| n.is_some()).count();
    if named < 50 {
        return Err(format!(
            "GetSystemEntryName's jump tables gave only {named} types"
        ));
    }
    // The FixedArray range: the run of unnamed types around FIXED_ARRAY_TYPE.
    if let Some(&fa) = anchor_by_class.get("FixedArray").and_then(|v| v.first()) {
        let unnamed = |t: u16| !anchors.contains_key(&t) && matches!(out.get(&t), Some(None));
        let mut lo = fa;
        while lo > 0 && unnamed(lo - 1) {
            lo -= 1;
        }
        let mut hi = fa;
        while hi < u16::MAX && unnamed(hi + 1) {
            hi += 1;
        }
        for t in lo..=hi {
            out.insert(t, Some(String::new()));
        }
    }
    Ok(out.into_iter().filter_map(|(t, n)| Some((t, n?))).collect())
}

/// Addresses of the tables used by `jmp qword ptr [reg*8 + disp32]` in `code`.
fn jump_tables(code: &[u8]) -> Vec<u64> {
    let mut out = Vec::new();
    for w in code.windows(7) {
        // FF /4 with ModRM 0x24 (SIB follows), SIB scale 8, no base (disp32).
        if w[0] == 0xff && w[1] == 0x24 && w[2] & 0xc7 == 0xc5 {
            let disp = i32::from_le_bytes([w[3], w[4], w[5], w[6]]);
            if let Ok(a) = u64::try_from(i64::from(disp)) {
                out.push(a);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The string literal whose address the code at `target` loads first, if it does.
fn returned_literal(exe: &Executable, target: u64) -> Option<String> {
    let c = exe.read_static(target, 8)?;
    let addr = match c {
        // mov r32, imm32
        [op, a, b, cc, d, ..] if (0xb8..=0xbf).contains(op) => {
            u64::from(u32::from_le_bytes([*a, *b, *cc, *d]))
        }
        // lea r64, [rip + disp32] (REX.W, 8D, ModRM mod=00 rm=101)
        [rex, 0x8d, modrm, a, b, cc, d, ..] if rex & 0xf8 == 0x48 && modrm & 0xc7 == 0x05 => {
            let disp = i32::from_le_bytes([*a, *b, *cc, *d]);
            (target + 7).wrapping_add_signed(i64::from(disp))
        }
        _ => return None,
    };
    let bytes = exe.read_static(addr, 128)?;
    let end = bytes.iter().position(|&b| b == 0)?;
    std::str::from_utf8(&bytes[..end]).ok().map(str::to_string)
}

/// Classes whose nodes V8 gives type `code` (`GetSystemEntryType`).
pub(crate) const CODE_CLASSES: &[&str] = &[
    "AllocationSite",
    "ArrayBoilerplateDescription",
    "BytecodeArray",
    "BytecodeWrapper",
    "ClosureFeedbackCellArray",
    "Code",
    "CodeWrapper",
    "CodeDataContainer",
    "FeedbackCell",
    "FeedbackMetadata",
    "FeedbackVector",
    "InstructionStream",
    "InterpreterData",
    "LoadHandler",
    "ObjectBoilerplateDescription",
    "PreparseData",
    "RegExpBoilerplateDescription",
    "ScopeInfo",
    "StoreHandler",
    "TemplateObjectDescription",
    "UncompiledDataWithoutPreparseData",
    "UncompiledDataWithPreparseData",
    "UncompiledDataWithoutPreparseDataWithJob",
    "UncompiledDataWithPreparseDataAndJob",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_indirect_jumps_through_scaled_tables() {
        // jmp [rax*8 + 0x2c7bc08]; jmp [rdx*8 + 0x100]; and an unrelated FF 24 24 (SIB with base).
        let code = [
            0xff, 0x24, 0xc5, 0x08, 0xbc, 0xc7, 0x02, 0x90, 0xff, 0x24, 0xd5, 0x00, 0x01, 0x00,
            0x00, 0xff, 0x24, 0x24, 0, 0, 0, 0,
        ];
        assert_eq!(jump_tables(&code), vec![0x100, 0x2c7bc08]);
    }

    #[test]
    fn unique_names_map_back_to_types() {
        let names: HashMap<u16, String> = [
            (1, "JSDate".to_string()),
            (2, String::new()),
            (3, String::new()),
            (4, "Twice".into()),
            (5, "Twice".into()),
        ]
        .into_iter()
        .collect();
        let t = TypeNames::from_names(names);
        assert_eq!(t.type_of("JSDate"), Some(1));
        assert_eq!(t.type_of("Twice"), None);
        assert_eq!(t.name(2), Some(""));
        assert_eq!(t.name(9), None);
    }
}
