//! V8's `Context` and `ScopeInfo`: the variables a closure's context holds, by name.

use super::js_object::{Slot, SlotValue};
use super::layout::ScopeInfoFields;
use super::map::Tagged;
use super::model::{Model, Reader};
use crate::memory::Memory;

impl<M: Memory> Model<'_, M> {
    /// The fields of a `ScopeInfo`.
    pub fn scope_info(&self, addr: u64) -> Option<ScopeInfoFields> {
        self.v8.layout.objects.scope_info_fields(self.mem, addr)
    }
}

impl<M: Memory> Reader<'_, '_, M> {
    /// V8 14 keeps some context variables in a `ContextCell` (map, tagged value, ...): its value.
    fn unwrap_context_cell(&self, v: Tagged) -> Tagged {
        if let Tagged::Object(a) = v {
            let class = self.type_of(a).and_then(|t| self.v8.types.name(t));
            if class == Some("ContextCell") {
                return self.field(a, 8).unwrap_or(v);
            }
        }
        v
    }

    /// The variables of a function context: names from its scope info, values from its slots.
    pub fn context_variables(&self, ctx: u64, limit: usize) -> Vec<Slot> {
        self.context_slots(ctx, limit, true)
    }

    /// Context variables with their raw slot values (`ContextCell`s not unwrapped) when
    /// `unwrap` is false.
    pub fn context_slots(&self, ctx: u64, limit: usize, unwrap: bool) -> Vec<Slot> {
        let mut out = Vec::new();
        let Some(scope) = self.ptr(ctx, self.off.context_scope_info) else {
            return out;
        };
        if self.type_of(scope) != self.types.scope_info {
            return out;
        }
        let Some(f) = self.scope_info(scope) else {
            return out;
        };
        let min_slots = self.v8.metadata.constant("context_min_slots").unwrap_or(2) as u64;
        let header = min_slots + u64::from(f.has_context_extension_slot);
        let count = f.context_local_count.min(limit as u64);
        let table = f
            .local_names_table
            .and_then(|t| self.ptr(scope, t))
            .map(|t| self.names_by_index(t, count))
            .unwrap_or_default();
        for i in 0..count {
            let name = match f.local_names {
                Some(n) => self
                    .ptr(scope, n + 8 * i)
                    .and_then(|n| self.string(n, 256))
                    .map(|s| s.text),
                None => table.get(i as usize).cloned().flatten(),
            }
            .unwrap_or_else(|| format!("<local {i}>"));
            // Slots follow the length: the scope info is slot 0.
            if let Some(v) = self.field(ctx, self.off.context_scope_info + 8 * (header + i)) {
                let v = if unwrap {
                    self.unwrap_context_cell(v)
                } else {
                    v
                };
                out.push(Slot {
                    name,
                    value: SlotValue::Tagged(v),
                    key: 0,
                    double: false,
                    in_object: Some(self.off.context_scope_info + 8 * (header + i)),
                });
            }
        }
        out
    }

    /// Whether V8's snapshot names this context's variables (`Context::is_declaration_context`):
    /// function, script and module contexts; eval contexts of strict code (scope flag 5, the
    /// language mode); block contexts of declaration scopes (scope flag 6).
    pub fn is_declaration_context(&self, ctx: u64, t: u16) -> bool {
        let ty = &self.types;
        if ty.declaration_contexts.contains(&Some(t)) {
            return true;
        }
        let bit = if Some(t) == ty.eval_context {
            5
        } else if Some(t) == ty.block_context {
            6
        } else {
            return false;
        };
        self.ptr(ctx, self.off.context_scope_info)
            .and_then(|s| self.scope_info(s))
            .is_some_and(|f| (f.flags >> bit) & 1 == 1)
    }

    /// Whether a context has an extension (`Context::has_extension`): its scope info gives it
    /// the slot and the slot holds something other than undefined.
    pub fn context_has_extension(&self, ctx: u64) -> bool {
        let has_slot = self
            .ptr(ctx, self.off.context_scope_info)
            .and_then(|s| self.scope_info(s))
            .is_some_and(|f| f.has_context_extension_slot);
        has_slot
            && self
                .ptr(ctx, self.off.context_previous + 8)
                .is_some_and(|e| !self.is_oddball(e))
    }

    /// Whether the object at `addr` is an oddball (undefined, null, true, false) or a hole.
    pub fn is_oddball(&self, addr: u64) -> bool {
        self.type_of(addr)
            .is_some_and(|t| Some(t) == self.types.oddball || self.v8.types.name(t) == Some("Hole"))
    }

    /// The names of a `NameToIndexHashTable` (where a scope with many context locals keeps
    /// them), by their index below `count`: a hash table's header (element count, deleted
    /// count, capacity), then `capacity` entries of (name, Smi index).
    fn names_by_index(&self, table: u64, count: u64) -> Vec<Option<String>> {
        let mut names = vec![None; count as usize];
        let (Some(capacity), Some(length)) = (self.smi(table, 16 + 2 * 8), self.smi(table, 8))
        else {
            return names;
        };
        let capacity = capacity.clamp(0, (length - 3).max(0) / 2) as u64;
        for e in 0..capacity {
            let entry = 16 + 8 * (3 + 2 * e);
            let Some(index) = self.smi(table, entry + 8) else {
                continue;
            };
            let Some(slot) = usize::try_from(index).ok().and_then(|i| names.get_mut(i)) else {
                continue;
            };
            if let Some(text) = self.ptr(table, entry).and_then(|n| self.string(n, 256)) {
                *slot = Some(text.text);
            }
        }
        names
    }
}
