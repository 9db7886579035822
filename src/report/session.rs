//! Opening a core down to its walkable V8 heap, once, for the commands that read objects.

use crate::error::{Error, Result};
use crate::memory::{Layered, Memory, Regions};
use crate::process::runtime::Versions;
use crate::process::{OpenOptions, Process};
use crate::v8::heap::{Heap, Page};
use crate::v8::map::Tagged;
use crate::v8::model::Model;
use crate::v8::walk::{MapCache, Walker};
use crate::v8::V8;
use std::path::Path;

/// The process's memory: the core over the executable's file.
pub type Mem<'a> = Layered<Regions<'a>, Regions<'a>>;

/// Everything a heap-reading command needs.
pub struct Ctx<'a> {
    pub process: &'a Process,
    pub versions: &'a Versions,
    pub v8: &'a V8<'a>,
    pub heap: &'a Heap,
    pub model: &'a Model<'a, Mem<'a>>,
    /// Pages to walk (the heap's and extra read-only ones), sorted by address.
    pub pages: Vec<Page>,
    /// Problems met while opening (shown as warnings).
    pub warnings: Vec<String>,
}

impl Ctx<'_> {
    /// The walker (via the model).
    pub fn walker(&self) -> &Walker<'_, Mem<'_>> {
        self.model.walker
    }
}

/// Open `core` and call `f` with its heap ready to walk.
pub fn with_heap<R>(
    core: &Path,
    opts: &OpenOptions,
    f: impl FnOnce(&Ctx<'_>) -> Result<R>,
) -> Result<R> {
    let process = Process::open(core, opts)?;
    let mem = process.memory();
    let versions = Versions::read(&process, &mem);
    let v8 = V8::new(&process, &versions)?;
    let heap = Heap::discover(&v8, &process.core, &mem)?;
    let mut warnings = process.warnings.clone();
    warnings.extend(heap.warnings.iter().cloned());
    let mut walker = Walker::new(&v8, &heap, &mem).ok_or_else(|| {
        Error::NoHeap("no map of maps found: the heap pages hold no decodable objects".into())
    })?;
    walker.find_holes(&heap, &process.core);
    let pages = walker.pages(&heap);
    let mut model = Model::new(&v8, &walker, &mem);
    model.to_string_tag = find_to_string_tag(&model, &pages);
    if model.to_string_tag.is_none() {
        warnings.push(
            "Symbol.toStringTag not found: constructor names that depend on it fall back to \
             the object's class"
                .into(),
        );
    }
    let ctx = Ctx {
        process: &process,
        versions: &versions,
        v8: &v8,
        heap: &heap,
        model: &model,
        pages,
        warnings,
    };
    f(&ctx)
}

/// The well-known symbol `Symbol.toStringTag`: a symbol in read-only space whose description is
/// that text.
fn find_to_string_tag(model: &Model<'_, Mem<'_>>, pages: &[Page]) -> Option<u64> {
    let symbol = model.types.symbol?;
    let mut cache = MapCache::default();
    let mut c = MapCache::default();
    let mut found = None;
    for p in pages.iter().filter(|p| p.heap == 0) {
        model.walker.walk_page(p, &mut cache, &mut |o| {
            if found.is_some() || o.map.instance_type != symbol {
                return;
            }
            let Some(Tagged::Object(d)) = model.field(o.addr, model.off.symbol_name) else {
                return;
            };
            if model
                .string(&mut c, d, 32)
                .is_some_and(|t| t.text == "Symbol.toStringTag")
            {
                found = Some(o.addr);
            }
        });
    }
    found.filter(|&a| model.mem.read_u64(a).is_some())
}
