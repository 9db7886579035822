//! One isolate's heap opened for reading: its pages and spaces found, the walker ready (meta maps,
//! unused allocation areas), the model that reads objects, and what the roots are found from.
//! The one opening sequence every command that reads objects (or JavaScript frames) goes
//! through.

use super::heap::{Heap, Page};
use super::map::Tagged;
use super::model::Model;
use super::roots::RootSources;
use super::walk::{MapCache, Walker};
use super::Runtime;
use crate::error::{Error, Result, Warning};
use crate::memory::Memory;

/// An isolate's heap, ready to walk and read.
pub struct Isolate<'a, M> {
    /// The runtime's tables.
    pub v8: &'a Runtime,
    /// Pages and spaces.
    pub heap: Heap,
    /// Reads objects (and owns the walker).
    pub model: Model<'a, M>,
    /// Pages to walk (the heap's and extra read-only ones), sorted by address.
    pub pages: Vec<Page>,
    /// Where roots outside the heap are found (threads' stacks, the executable's code): given by
    /// the caller, which knows the process.
    pub roots: RootSources,
    /// Problems met while opening (shown as warnings).
    pub warnings: Vec<Warning>,
}

impl<'a, M: Memory> Isolate<'a, M> {
    /// Find the heap in `mem` and prepare it for reading. `class_of` names the C++ class of a
    /// vtable address (see [`Heap::discover`]).
    pub fn open(
        v8: &'a Runtime,
        mem: &'a M,
        class_of: &dyn Fn(u64) -> Option<String>,
        roots: RootSources,
    ) -> Result<Isolate<'a, M>> {
        let heap = Heap::discover(v8, mem, class_of)?;
        // The runtime's warnings (a layout of the nearest version...), then the heap's.
        let mut warnings = v8.warnings.clone();
        warnings.extend(heap.warnings.iter().cloned());
        let mut walker = Walker::new(v8, &heap, mem).ok_or_else(|| {
            Error::NoHeap("no map of maps found: the heap pages hold no decodable objects".into())
        })?;
        walker.find_holes(&heap);
        let pages = walker.pages(&heap);
        let mut model = Model::new(v8, walker, mem);
        model.to_string_tag = find_to_string_tag(&model, &pages);
        model.dispatch_table = model.find_dispatch_table(&pages);

        if model.to_string_tag.is_none() {
            warnings.push(Warning::partial(
                "Symbol.toStringTag not found: constructor names that depend on it fall back to \
                 the object's class",
            ));
        }
        Ok(Isolate {
            v8,
            heap,
            model,
            pages,
            roots,
            warnings,
        })
    }

    /// The walker (via the model).
    pub fn walker(&self) -> &Walker<'a, M> {
        &self.model.walker
    }
}

/// The well-known symbol `Symbol.toStringTag`: a symbol in read-only space whose description is
/// that text.
fn find_to_string_tag<M: Memory>(model: &Model<'_, M>, pages: &[Page]) -> Option<u64> {
    let symbol = model.types.symbol?;
    let mut cache = MapCache::default();
    let reader = model.reader();
    let mut found = None;
    for p in pages.iter().filter(|p| p.heap == 0) {
        model.walker.walk_page(p, &mut cache, &mut |o| {
            if found.is_some() || o.map.instance_type != symbol {
                return;
            }
            let Some(Tagged::Object(d)) = model.field(o.addr, model.off.symbol_name) else {
                return;
            };
            if reader
                .string(d, 32)
                .is_some_and(|t| t.text == "Symbol.toStringTag")
            {
                found = Some(o.addr);
            }
        });
    }
    found.filter(|&a| model.mem.read_u64(a).is_some())
}
