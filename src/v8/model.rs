//! Reading V8 objects: the shared [`Model`] of one heap (offsets, instance types, the walker) and
//! the per-thread [`Reader`] that owns its cache of decoded maps. What each kind of object holds
//! is read by the views named after V8's classes: [`super::string`], [`super::js_object`],
//! [`super::function`], [`super::context`], [`super::collections`].

use super::map::{MapInfo, Tagged};
use super::offsets::{Offsets, Types};
use super::walk::{MapCache, Object, Walker};
use super::Runtime;
use crate::memory::Memory;
use std::cell::RefCell;

/// Reads objects of one process's heap.
pub struct Model<'a, M> {
    pub walker: Walker<'a, M>,
    pub mem: &'a M,
    pub off: Offsets,
    pub types: Types,
    pub v8: &'a Runtime,
    /// `Symbol.toStringTag`, found by its description.
    pub to_string_tag: Option<u64>,
    /// The JS dispatch table's base, where functions' code is found (V8 ≥ 13).
    pub dispatch_table: Option<u64>,
}

/// Reads objects of one heap on one thread: the shared [`Model`] (through `Deref`) and this
/// thread's cache of decoded maps. Made by [`Model::reader`]; every method that looks at an
/// object's map is here. The cache is borrowed only inside [`Reader::map_at`] and
/// [`Reader::object`], which call nothing back, so the borrow never nests.
pub struct Reader<'m, 'a, M> {
    model: &'m Model<'a, M>,
    cache: RefCell<MapCache>,
}

impl<'a, M> std::ops::Deref for Reader<'_, 'a, M> {
    type Target = Model<'a, M>;

    fn deref(&self) -> &Model<'a, M> {
        self.model
    }
}

impl<'a, M: Memory> Model<'a, M> {
    /// A reader for one thread.
    pub fn reader(&self) -> Reader<'_, 'a, M> {
        Reader {
            model: self,
            cache: RefCell::new(MapCache::default()),
        }
    }

    pub fn new(v8: &'a Runtime, walker: Walker<'a, M>, mem: &'a M) -> Model<'a, M> {
        Model {
            walker,
            mem,
            off: Offsets::new(v8),
            types: Types::new(v8),
            v8,
            to_string_tag: None,
            dispatch_table: None,
        }
    }

    /// A tagged field of the object at `addr`.
    pub fn field(&self, addr: u64, off: u64) -> Option<Tagged> {
        self.mem
            .read_u64(addr.checked_add(off)?)
            .map(Tagged::from_word)
    }

    /// A strong pointer field.
    pub fn ptr(&self, addr: u64, off: u64) -> Option<u64> {
        match self.field(addr, off)? {
            Tagged::Object(a) => Some(a),
            _ => None,
        }
    }

    /// A Smi field.
    pub fn smi(&self, addr: u64, off: u64) -> Option<i64> {
        match self.field(addr, off)? {
            Tagged::Smi(v) => Some(i64::from(v)),
            _ => None,
        }
    }
}

impl<M: Memory> Reader<'_, '_, M> {
    /// The map at `addr`, if it is one (decoded once per reader).
    pub fn map_at(&self, addr: u64) -> Option<MapInfo> {
        self.model.walker.map_at(&mut self.cache.borrow_mut(), addr)
    }

    /// The map of the heap object at `addr`.
    pub fn map_of(&self, addr: u64) -> Option<MapInfo> {
        let m = self.ptr(addr, 0)?;
        self.map_at(m)
    }

    /// The instance type of the heap object at `addr`.
    pub fn type_of(&self, addr: u64) -> Option<u16> {
        self.map_of(addr).map(|m| m.instance_type)
    }

    /// The object at `addr` with its size.
    pub fn object(&self, addr: u64) -> Option<Object> {
        self.model
            .walker
            .object_at(&mut self.cache.borrow_mut(), addr)
            .ok()
    }
}
