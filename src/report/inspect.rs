//! `corewalk objects` (instances of a class, like llnode's `findjsinstances`) and `corewalk inspect`
//! (one object, decoded).

use crate::error::{Diagnostics, Error, Result, Warning};
use crate::memory::Memory;
use crate::process::Mem;
use crate::report::session::Session;
use crate::v8::heap::Page;
use crate::v8::isolate::Isolate;
use crate::v8::js_object::{Slot, SlotValue};
use crate::v8::map::Tagged;
use crate::v8::model::Reader;
use crate::v8::names::{format_number, Class, NodeType};
use crate::v8::object::Kind;
use crate::v8::walk::{stop_warning, MapCache, Object, PageWalk};
use rayon::prelude::*;
use serde::Serialize;

/// Longest string text shown by `inspect`.
const INSPECT_STRING: usize = 4096;
/// Properties, elements or entries shown at most.
const MAX_SLOTS: usize = 200;

/// An instance found by `objects`.
#[derive(Clone, Debug, Serialize)]
pub struct Instance {
    pub address: String,
    /// V8's node type (`object`, `closure`, ...).
    #[serde(rename = "type")]
    pub node_type: String,
    pub size: u64,
    pub preview: String,
}

/// The `objects` report.
#[derive(Clone, Debug, Serialize)]
pub struct ObjectsReport {
    pub class: String,
    /// All instances found (the list may be shorter).
    pub count: u64,
    pub objects: Vec<Instance>,
    /// Warnings (serialized as their texts) and whether the result is partial.
    #[serde(rename = "warnings")]
    pub diagnostics: Diagnostics,
}

/// A value in `inspect` output.
#[derive(Clone, Debug, Serialize)]
pub struct Value {
    pub name: String,
    pub value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// The `inspect` report.
#[derive(Clone, Debug, Serialize)]
pub struct InspectReport {
    pub address: String,
    pub class: String,
    #[serde(rename = "type")]
    pub node_type: String,
    pub v8_type: String,
    pub map: String,
    pub size: u64,
    pub space: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub string: Option<StringValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<FunctionInfo>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elements: Option<ElementsValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entries: Option<Vec<Value>>,
    /// Entries in the collection (more than `entries` lists when large).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entries_total: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prototype: Option<Value>,
    /// Warnings (serialized as their texts) and whether the result is partial.
    #[serde(rename = "warnings")]
    pub diagnostics: Diagnostics,
}

/// A string's text.
#[derive(Clone, Debug, Serialize)]
pub struct StringValue {
    pub text: String,
    pub length: u64,
    pub truncated: bool,
    pub representation: String,
}

/// A function's name and where it is defined.
#[derive(Clone, Debug, Serialize)]
pub struct FunctionInfo {
    pub name: String,
    /// Address of the script's source string.
    pub source: Option<String>,
    pub script: Option<String>,
    pub line: Option<u64>,
    pub column: Option<u64>,
}

/// Elements of an array-like object.
#[derive(Clone, Debug, Serialize)]
pub struct ElementsValue {
    pub kind: String,
    pub length: u64,
    pub items: Vec<Value>,
    pub more: bool,
}

/// List the instances of `class` (a constructor name, a closure's function name, or a summary
/// class such as `(string)`), at most `limit`, in address order.
pub fn objects(s: &Session<'_>, class: &str, limit: usize) -> ObjectsReport {
    let ctx = &s.isolate;
    let model = &ctx.model;
    type Found = Vec<(u64, u64, NodeType)>;
    let (found, walks): (Vec<Found>, Vec<PageWalk>) = ctx
        .pages
        .par_iter()
        .map_init(
            || (MapCache::default(), model.reader()),
            |(wc, reader), page| {
                let mut v = Vec::new();
                let walk = model.walker.walk_page(page, wc, &mut |o| {
                    if let Some(n) = reader.naming(o) {
                        let c = Class::of(n.node_type, &n.name);
                        if c.name == class {
                            v.push((o.addr, o.size, c.node_type));
                        }
                    }
                });
                (v, walk)
            },
        )
        .unzip();
    let found: Found = found.into_iter().flatten().collect();
    // A name can be both a constructor and its function (`Date`): instances, not the
    // constructor, unless only functions have that name.
    let has_objects = found.iter().any(|f| f.2 == NodeType::Object);
    let mut found: Vec<(u64, u64, NodeType)> = found
        .into_iter()
        .filter(|f| !has_objects || f.2 == NodeType::Object)
        .collect();
    found.sort_unstable();
    let reader = model.reader();
    let objects = found
        .iter()
        .take(limit)
        .map(|&(addr, size, t)| Instance {
            address: format!("{addr:#x}"),
            node_type: t.as_str().to_string(),
            size,
            preview: one_line_preview(&reader, addr),
        })
        .collect();
    let mut diagnostics = s.diagnostics();
    diagnostics.extend(stop_warning(&walks, &ctx.v8.types));
    ObjectsReport {
        class: class.to_string(),
        count: found.len() as u64,
        objects,
        diagnostics,
    }
}

/// A one-line description of the object at `addr`: class plus its first properties, a date, a
/// string's text, a function's name.
pub fn one_line_preview(model: &Reader<'_, '_, Mem<'_>>, addr: u64) -> String {
    let Some(o) = model.object(addr) else {
        return format!("<unreadable {addr:#x}>");
    };
    let Some(n) = model.naming(&o) else {
        return "(free space)".into();
    };
    match n.node_type {
        NodeType::Object if model.types.is_js_object(o.map.instance_type) => {
            if Some(o.map.instance_type) == model.types.js_date {
                let d = model.date_value(addr).map(format_date).unwrap_or_default();
                return format!("{} {d}", n.name);
            }
            let class = model.v8.types.name(o.map.instance_type).unwrap_or("");
            if class == "JSMap" || class == "JSSet" {
                let (_, n_entries) = model.collection_entries(addr, 0);
                return format!("{}({n_entries})", n.name);
            }
            let props = model.properties(addr, &o.map, 5);
            let shown: Vec<String> = props
                .iter()
                .take(4)
                .map(|s| format!("{}: {}", s.name, slot_preview(model, s)))
                .collect();
            let more = if props.len() > 4 { ", …" } else { "" };
            format!("{} {{{}{more}}}", n.name, shown.join(", "))
        }
        NodeType::Closure => {
            let name = if n.name.is_empty() {
                "(anonymous)"
            } else {
                &n.name
            };
            match model.function_location(addr) {
                Some(l) => format!("function {name} {}:{}:{}", l.script, l.line, l.column),
                None => format!("function {name}"),
            }
        }
        _ => model.preview(Tagged::Object(addr), 80),
    }
}

fn slot_preview(model: &Reader<'_, '_, Mem<'_>>, s: &Slot) -> String {
    match s.value {
        SlotValue::Tagged(v) => model.preview(v, 40),
        SlotValue::Double(d) => format_number(d),
        SlotValue::Hole => "<hole>".into(),
        SlotValue::Accessor(a) => format!("<accessor {a:#x}>"),
    }
}

fn value_of(model: &Reader<'_, '_, Mem<'_>>, s: &Slot) -> Value {
    let address = match s.value {
        SlotValue::Tagged(Tagged::Object(a)) | SlotValue::Accessor(a) => Some(format!("{a:#x}")),
        _ => None,
    };
    Value {
        name: s.name.clone(),
        value: slot_preview(model, s),
        address,
    }
}

/// A time value as an ISO-8601 UTC date (`Invalid Date` for NaN).
pub fn format_date(ms: f64) -> String {
    if !ms.is_finite() {
        return "Invalid Date".into();
    }
    let ms_i = ms as i64;
    let days = ms_i.div_euclid(86_400_000);
    let rem = ms_i.rem_euclid(86_400_000);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

/// Find the object starting at `addr`: walk its page. Errors say what is there instead.
fn locate(ctx: &Isolate<'_, Mem<'_>>, addr: u64) -> Result<(Object, Page)> {
    let page = ctx
        .pages
        .iter()
        .find(|p| p.area_start <= addr && addr < p.area_end)
        .copied()
        .ok_or_else(|| Error::NotAnObject(format!("{addr:#x} is not in the V8 heap")))?;
    let mut cache = MapCache::default();
    let mut hit = None;
    let mut inside = None;
    let walk = ctx.model.walker.walk_page(&page, &mut cache, &mut |o| {
        if o.addr == addr {
            hit = Some(*o);
        } else if o.addr < addr && addr < o.addr + o.size {
            inside = Some(*o);
        }
    });
    if let Some(o) = hit {
        return Ok((o, page));
    }
    if let Some(stop) = walk
        .stopped
        .filter(|&(at, _)| at <= addr)
        .and_then(|_| walk.describe_stop(&ctx.v8.types))
    {
        return Err(Error::NotAnObject(format!(
            "{addr:#x} could not be reached: the walk of its page stopped ({stop})"
        )));
    }
    Err(Error::NotAnObject(match inside {
        Some(o) => format!(
            "{addr:#x} is inside the {} at {:#x} ({} bytes), not the start of an object",
            ctx.v8.types.name(o.map.instance_type).unwrap_or("object"),
            o.addr,
            o.size
        ),
        None => format!("{addr:#x} is not the start of a heap object"),
    }))
}

/// Decode the object at `addr`.
pub fn inspect(s: &Session<'_>, addr: u64) -> Result<InspectReport> {
    let ctx = &s.isolate;
    let model = &ctx.model.reader();
    let (o, page) = locate(ctx, addr)?;
    let t = o.map.instance_type;
    let naming = model.naming(&o);
    let (node_type, class) = match &naming {
        Some(n) => (
            n.node_type.as_str().to_string(),
            Class::of(n.node_type, &n.name).name,
        ),
        None => ("hidden".into(), "(free space)".into()),
    };
    let space = if page.heap == 0 {
        "read_only_space".to_string()
    } else {
        ctx.heap
            .space_of(&page)
            .map_or("unknown".into(), |s| s.name.clone())
    };
    let mut r = InspectReport {
        address: format!("{addr:#x}"),
        class,
        node_type,
        v8_type: ctx.v8.types.name(t).unwrap_or("?").to_string(),
        map: format!("{:#x}", o.map.addr),
        size: o.size,
        space,
        string: None,
        number: None,
        date: None,
        function: None,
        properties: Vec::new(),
        elements: None,
        entries: None,
        entries_total: None,
        context: Vec::new(),
        prototype: None,
        diagnostics: s.diagnostics(),
    };
    if let Kind::String(shape) = ctx.v8.shapes.kind(t) {
        if let Some(s) = model.string(addr, INSPECT_STRING) {
            r.string = Some(StringValue {
                text: s.text,
                length: s.length,
                truncated: s.truncated,
                representation: format!(
                    "{:?}{}",
                    shape.rep,
                    if shape.two_byte {
                        " two-byte"
                    } else {
                        " one-byte"
                    }
                )
                .to_lowercase(),
            });
        } else {
            r.diagnostics.push(Warning::partial(
                "the string's characters are not in the core",
            ));
        }
        return Ok(r);
    }
    if Some(t) == model.types.heap_number {
        r.number = model
            .mem
            .read_u64_at(addr, model.off.heap_number_value)
            .map(f64::from_bits)
            .map(format_number);
        return Ok(r);
    }
    if Some(t) == model.types.js_date {
        r.date = model.date_value(addr).map(format_date);
    }
    if model.types.is_function(t) {
        let loc = model.function_location(addr);
        r.function = Some(FunctionInfo {
            name: model.function_name(addr),
            source: model.function_source(addr).map(|a| format!("{a:#x}")),
            script: loc.as_ref().map(|l| l.script.clone()),
            line: loc.as_ref().map(|l| l.line),
            column: loc.as_ref().map(|l| l.column),
        });
        if let Some(ctx_addr) = model.ptr(addr, model.off.function_context) {
            let vars = model.context_variables(ctx_addr, MAX_SLOTS);
            r.context = vars.iter().map(|s| value_of(model, s)).collect();
        }
    }
    if model.types.is_context(t) {
        let vars = model.context_variables(addr, MAX_SLOTS);
        r.context = vars.iter().map(|s| value_of(model, s)).collect();
    }
    if model.types.is_js_object(t) {
        let props = model.properties(addr, &o.map, MAX_SLOTS);
        r.properties = props.iter().map(|s| value_of(model, s)).collect();
        let e = model.elements(addr, &o.map, MAX_SLOTS);
        if e.length > 0 || !e.items.is_empty() {
            r.elements = Some(ElementsValue {
                kind: e.kind,
                length: e.length,
                items: e.items.iter().map(|s| value_of(model, s)).collect(),
                more: e.more,
            });
        }
        let class = ctx.v8.types.name(t).unwrap_or("");
        if class == "JSMap" || class == "JSSet" {
            let (entries, total) = model.collection_entries(addr, MAX_SLOTS);
            r.entries_total = Some(total);
            r.entries = Some(
                entries
                    .into_iter()
                    .map(|(k, v)| Value {
                        name: model.preview(k, 60),
                        value: v.map(|v| model.preview(v, 60)).unwrap_or_default(),
                        address: v.and_then(|v| v.object()).map(|a| format!("{a:#x}")),
                    })
                    .collect(),
            );
        }
        if let Some(p) = Tagged::from_word(o.map.prototype).object() {
            r.prototype = Some(Value {
                name: "[[Prototype]]".into(),
                value: model.preview(Tagged::Object(p), 40),
                address: Some(format!("{p:#x}")),
            });
        }
    } else if matches!(
        ctx.v8.shapes.kind(t),
        Kind::FixedArray | Kind::FixedDoubleArray
    ) {
        // Internal arrays: their slots.
        let len = model.smi(addr, 8).unwrap_or(0).max(0) as u64;
        let double = ctx.v8.shapes.kind(t) == Kind::FixedDoubleArray;
        let items = (0..len.min(MAX_SLOTS as u64))
            .filter_map(|i| {
                let off = 16 + 8 * i;
                let value = if double {
                    SlotValue::Double(f64::from_bits(model.mem.read_u64_at(addr, off)?))
                } else {
                    SlotValue::Tagged(model.field(addr, off)?)
                };
                Some(value_of(
                    model,
                    &Slot {
                        name: i.to_string(),
                        value,
                        key: 0,
                        double: false,
                        in_object: None,
                    },
                ))
            })
            .collect();
        r.elements = Some(ElementsValue {
            kind: ctx.v8.types.name(t).unwrap_or("FixedArray").to_string(),
            length: len,
            items,
            more: len > MAX_SLOTS as u64,
        });
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_format_like_javascript() {
        assert_eq!(super::format_date(0.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            super::format_date(1_700_000_000_123.0),
            "2023-11-14T22:13:20.123Z"
        );
        assert_eq!(
            super::format_date(-86_400_000.0),
            "1969-12-31T00:00:00.000Z"
        );
        assert_eq!(super::format_date(f64::NAN), "Invalid Date");
    }
}
