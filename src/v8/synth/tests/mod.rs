//! One test per decoding rule: each builds a heap with [`SynthHeap`], opens it the way a core's
//! heap is opened, and compares what the decoding code reads with what the builder wrote.

use super::tables::{self, v8 as l};
use super::*;
use crate::memory::Memory;
use crate::v8::js_object::{Elements, Slot, SlotValue};
use crate::v8::map::MapInfo;
use crate::v8::names::{Naming, NodeType};
use crate::v8::object::{Kind, StringRep};
use crate::v8::string::Text;
use crate::v8::walk::{MapCache, Object, PageWalk};

mod functions;
mod heap;
mod names;
mod objects;
mod sizes;
mod strings;

type Iso<'a> = Isolate<'a, Regions<'a>>;

// ---- the calls into the model, in one place ----

fn map_of(iso: &Iso, addr: u64) -> MapInfo {
    iso.model
        .reader()
        .map_of(addr)
        .unwrap_or_else(|| panic!("no map at {addr:#x}"))
}

fn text(iso: &Iso, addr: u64, max: usize) -> Option<Text> {
    iso.model.reader().string(addr, max)
}

fn props(iso: &Iso, object: u64, limit: usize) -> Vec<Slot> {
    let map = map_of(iso, object);
    iso.model.reader().property_slots(object, &map, limit, true)
}

fn named_property(iso: &Iso, object: u64, name: &str) -> Option<Tagged> {
    iso.model.reader().own_data_property_named(object, name)
}

fn elements(iso: &Iso, object: u64, limit: usize) -> Elements {
    let map = map_of(iso, object);
    iso.model.reader().elements(object, &map, limit)
}

fn context_variables(iso: &Iso, context: u64) -> Vec<Slot> {
    iso.model.reader().context_variables(context, usize::MAX)
}

fn function_name(iso: &Iso, function: u64) -> String {
    iso.model.reader().function_name(function)
}

fn debug_name(iso: &Iso, shared: u64) -> String {
    iso.model.reader().sfi_debug_name(shared)
}

fn constructor_name(iso: &Iso, object: u64) -> String {
    let map = map_of(iso, object);
    iso.model.reader().constructor_name(object, &map)
}

fn naming(iso: &Iso, addr: u64) -> Option<Naming> {
    let o = object(iso, addr);
    iso.model.reader().naming(&o)
}

fn object(iso: &Iso, addr: u64) -> Object {
    iso.model
        .reader()
        .object(addr)
        .unwrap_or_else(|| panic!("no object at {addr:#x}"))
}

fn size_of(iso: &Iso, addr: u64) -> Option<u64> {
    let map = map_of(iso, addr);
    iso.v8.shapes.size_of(iso.model.mem, addr, &map)
}

/// Every object of every page, and how each page's walk went.
fn walk(iso: &Iso) -> (Vec<Object>, Vec<PageWalk>) {
    let mut cache = MapCache::default();
    let mut objects = Vec::new();
    let mut walks = Vec::new();
    for p in &iso.pages {
        walks.push(
            iso.walker()
                .walk_page(p, &mut cache, &mut |o| objects.push(*o)),
        );
    }
    (objects, walks)
}

// ---- comparing slots ----

/// A slot value that compares (doubles by bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum V {
    T(Tagged),
    D(u64),
    Hole,
    Accessor(u64),
}

fn v(s: &SlotValue) -> V {
    match *s {
        SlotValue::Tagged(t) => V::T(t),
        SlotValue::Double(d) => V::D(d.to_bits()),
        SlotValue::Hole => V::Hole,
        SlotValue::Accessor(a) => V::Accessor(a),
    }
}

fn named(slots: &[Slot]) -> Vec<(String, V)> {
    slots
        .iter()
        .map(|s| (s.name.clone(), v(&s.value)))
        .collect()
}

fn pairs(expected: &[(&str, V)]) -> Vec<(String, V)> {
    expected.iter().map(|(n, v)| (n.to_string(), *v)).collect()
}

fn t(addr: u64) -> V {
    V::T(obj(addr))
}

fn utf16_slice(s: &str, start: usize, len: usize) -> String {
    let units: Vec<u16> = s.encode_utf16().skip(start).take(len).collect();
    String::from_utf16_lossy(&units)
}

fn units(s: &str) -> u64 {
    s.encode_utf16().count() as u64
}
