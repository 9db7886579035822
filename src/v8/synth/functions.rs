//! Builders for functions and what they hold: `ScopeInfo`s, `SharedFunctionInfo`s, contexts,
//! `JSFunction`s, scripts.

use super::objects::ObjectMap;
use super::tables::{self, v8};
use super::{obj, smi, SynthHeap};
use crate::v8::map::Tagged;

/// V8 11.3's `ScopeType` (the order up to 12.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeType {
    Class = 0,
    Eval = 1,
    Function = 2,
    Module = 3,
    Script = 4,
    Catch = 5,
    Block = 6,
    With = 7,
}

/// What a `ScopeInfo` holds (see [`SynthHeap::scope_info`]).
#[derive(Clone, Debug)]
pub struct ScopeSpec {
    pub scope_type: ScopeType,
    pub parameters: i32,
    /// Names of the context-allocated locals, in slot order.
    pub locals: Vec<String>,
    /// The function's own name (function variable info: name and context slot).
    pub function_name: Option<u64>,
    /// The inferred name (a string; for anonymous functions).
    pub inferred_name: Option<u64>,
    /// Start and end source positions (written for scopes that have position info).
    pub position: (i32, i32),
    pub outer: Option<u64>,
    /// Contexts of this scope have an extension slot.
    pub context_extension: bool,
    pub saved_class_variable: bool,
    pub locals_block_list: bool,
    pub empty: bool,
    /// Module scopes: the number of module variables.
    pub module_variables: u32,
}

impl ScopeSpec {
    /// A function scope with these context locals.
    pub fn function(locals: &[&str]) -> ScopeSpec {
        ScopeSpec {
            scope_type: ScopeType::Function,
            parameters: 0,
            locals: locals.iter().map(|s| s.to_string()).collect(),
            function_name: None,
            inferred_name: None,
            position: (0, 0),
            outer: None,
            context_extension: false,
            saved_class_variable: false,
            locals_block_list: false,
            empty: false,
            module_variables: 0,
        }
    }

    /// Whether V8 11.3 gives this scope position info.
    fn has_position(&self) -> bool {
        match self.scope_type {
            ScopeType::Eval | ScopeType::Function | ScopeType::Module | ScopeType::Script => true,
            ScopeType::Class => !self.empty,
            _ => false,
        }
    }
}

/// A closure made by [`SynthHeap::closure`] and its parts.
#[derive(Clone, Copy, Debug)]
pub struct Closure {
    pub function: u64,
    pub shared: u64,
    pub scope_info: u64,
    pub context: u64,
}

impl SynthHeap {
    /// A `ScopeInfo` laid out as V8 11.3's (Smi flags, parameter and local counts, then the
    /// variable parts in `scope-info.tq` order). From 75 context locals on, the names are in a
    /// `NameToIndexHashTable` instead of inline.
    pub fn scope_info(&mut self, s: &ScopeSpec) -> u64 {
        let n = s.locals.len().min(1 << 16);
        let inline = n < v8::MAX_INLINED_LOCAL_NAMES;
        let undefined = obj(self.roots.undefined);
        let mut flags = s.scope_type as u32;
        let mut slots: Vec<Tagged> = Vec::new();
        let names: Vec<u64> = s
            .locals
            .iter()
            .take(n)
            .map(|l| self.internalized(l))
            .collect();
        if inline {
            slots.extend(names.iter().map(|&a| obj(a)));
        } else {
            let table = self.name_to_index_table(&names);
            slots.push(obj(table));
        }
        // Context local infos: mutable `let` variables.
        slots.extend((0..n).map(|_| smi(1)));
        if s.saved_class_variable {
            flags |= v8::SF_SAVED_CLASS_VARIABLE;
            slots.push(smi(0));
        }
        if let Some(name) = s.function_name {
            flags |= v8::VARIABLE_UNUSED << v8::SF_FUNCTION_VARIABLE_SHIFT;
            slots.push(obj(name));
            slots.push(smi(-1)); // no context slot of its own
        }
        if let Some(name) = s.inferred_name {
            flags |= v8::SF_INFERRED_NAME;
            slots.push(obj(name));
        }
        if s.empty {
            flags |= v8::SF_IS_EMPTY;
        }
        if s.has_position() {
            slots.push(smi(s.position.0));
            slots.push(smi(s.position.1));
        }
        if let Some(outer) = s.outer {
            flags |= v8::SF_OUTER_SCOPE_INFO;
            slots.push(obj(outer));
        }
        if s.locals_block_list {
            flags |= v8::SF_LOCALS_BLOCK_LIST;
            slots.push(obj(self.roots.empty_fixed_array));
        }
        if s.scope_type == ScopeType::Module {
            let count = s.module_variables.min(1 << 16);
            slots.push(obj(self.roots.empty_fixed_array)); // module info
            slots.push(smi(count as i32));
            for i in 0..count {
                slots.extend([undefined, smi(i as i32), smi(0)]);
            }
        }
        if s.context_extension {
            flags |= v8::SF_CONTEXT_EXTENSION_SLOT;
        }
        let map = self.std_map(tables::SCOPE_INFO, 0);
        let a = self.alloc(
            v8::SCOPE_HEADER + 8 * slots.len() as u64,
            tables::SCOPE_INFO,
        );
        self.put_tagged(a, obj(map));
        self.put_tagged(a + v8::SCOPE_FLAGS, smi(flags as i32));
        self.put_tagged(a + v8::SCOPE_PARAMETERS, smi(s.parameters));
        self.put_tagged(a + v8::SCOPE_LOCALS, smi(n as i32));
        for (i, &v) in slots.iter().enumerate() {
            self.put_tagged(a + v8::SCOPE_HEADER + 8 * i as u64, v);
        }
        a
    }

    /// A `NameToIndexHashTable` of names → context slot indices.
    fn name_to_index_table(&mut self, names: &[u64]) -> u64 {
        let capacity = (2 * names.len()).max(4).next_power_of_two();
        let undefined = obj(self.roots.undefined);
        let mut values = vec![undefined; 3 + 2 * capacity];
        values[0] = smi(names.len() as i32);
        values[1] = smi(0);
        values[2] = smi(capacity as i32);
        for (i, &n) in names.iter().enumerate() {
            values[3 + 2 * i] = obj(n);
            values[4 + 2 * i] = smi(i as i32);
        }
        self.array_of_type(tables::NAME_TO_INDEX_HASH_TABLE, &values)
    }

    /// The empty `ScopeInfo` (of native contexts).
    pub fn empty_scope_info(&mut self) -> u64 {
        if self.empty_scope_info == 0 {
            self.empty_scope_info = self.scope_info(&ScopeSpec {
                scope_type: ScopeType::Class,
                empty: true,
                ..ScopeSpec::function(&[])
            });
        }
        self.empty_scope_info
    }

    /// A `SharedFunctionInfo`: `name_or_scope_info` holds the scope info when given (a compiled
    /// function), else the name (Smi 0 for none).
    pub fn shared_function_info(
        &mut self,
        name: Option<u64>,
        scope_info: Option<u64>,
        script: Option<u64>,
    ) -> u64 {
        let map = self.std_map(tables::SHARED_FUNCTION_INFO, v8::SFI_SIZE);
        let a = self.alloc(u64::from(v8::SFI_SIZE), tables::SHARED_FUNCTION_INFO);
        let undefined = obj(self.roots.undefined);
        let name_or_scope = scope_info.or(name).map_or(smi(0), obj);
        self.put_tagged(a, obj(map));
        self.put_tagged(a + v8::SFI_FUNCTION_DATA, smi(0));
        self.put_tagged(a + v8::SFI_NAME_OR_SCOPE_INFO, name_or_scope);
        self.put_tagged(a + v8::SFI_OUTER_SCOPE_INFO, undefined);
        self.put_tagged(a + v8::SFI_SCRIPT, script.map_or(undefined, obj));
        a
    }

    /// A `FunctionContext`: scope info, previous context, the extension slot when given, then the
    /// locals' values.
    pub fn function_context(
        &mut self,
        scope_info: u64,
        previous: u64,
        extension: Option<Tagged>,
        locals: &[Tagged],
    ) -> u64 {
        let mut slots = vec![obj(scope_info), obj(previous)];
        slots.extend(extension);
        slots.extend_from_slice(locals);
        self.array_of_type(tables::FUNCTION_CONTEXT, &slots)
    }

    /// The heap's `NativeContext` (made once, with `slots` slots the first time): variable-sized
    /// in 11.3, its slots followed by the raw microtask queue pointer.
    pub fn native_context(&mut self, slots: usize) -> u64 {
        if self.native_context != 0 {
            return self.native_context;
        }
        let scope = self.empty_scope_info();
        let n = slots.clamp(2, 1 << 20);
        let undefined = obj(self.roots.undefined);
        let map = self.std_map(tables::NATIVE_CONTEXT, 0);
        let a = self.alloc(
            v8::ARRAY_HEADER + 8 * n as u64 + v8::NATIVE_CONTEXT_EXTRA,
            tables::NATIVE_CONTEXT,
        );
        self.put_tagged(a, obj(map));
        self.put_tagged(a + v8::ARRAY_LENGTH, smi(n as i32));
        self.put_tagged(a + v8::ARRAY_HEADER, obj(scope));
        for i in 1..n as u64 {
            self.put_tagged(a + v8::ARRAY_HEADER + 8 * i, undefined);
        }
        self.native_context = a;
        a
    }

    /// The map of functions of instance type `itype` (made once).
    pub fn function_map(&mut self, itype: u16) -> u64 {
        if let Some(&m) = self.function_maps.get(&itype) {
            return m;
        }
        let spec = ObjectMap {
            instance_type: itype,
            header_words: v8::JS_FUNCTION_HEADER_WORDS,
            ..ObjectMap::js_object(Vec::new(), 0)
        };
        let m = self.object_map(&spec);
        let bits = v8::BF_IS_CALLABLE | v8::BF_IS_CONSTRUCTOR | v8::BF_HAS_PROTOTYPE_SLOT;
        self.put_u8(m + v8::MAP_BIT_FIELD, bits);
        self.function_maps.insert(itype, m);
        m
    }

    /// A `JSFunction` (`JS_FUNCTION_TYPE`) of this shared info and context.
    pub fn function(&mut self, shared: u64, context: u64) -> u64 {
        self.function_of_type(tables::JS_FUNCTION, shared, context)
    }

    /// A function of another function type (e.g. `JS_CLASS_CONSTRUCTOR_TYPE`).
    pub fn function_of_type(&mut self, itype: u16, shared: u64, context: u64) -> u64 {
        let map = self.function_map(itype);
        let a = self.js_object(map, &[]);
        self.put_tagged(a + v8::JS_FUNCTION_SHARED, obj(shared));
        self.put_tagged(a + v8::JS_FUNCTION_CONTEXT, obj(context));
        self.put_tagged(a + v8::JS_FUNCTION_FEEDBACK_CELL, obj(self.roots.undefined));
        self.put_tagged(a + v8::JS_FUNCTION_CODE, smi(0));
        self.put_tagged(
            a + v8::JS_FUNCTION_PROTOTYPE_OR_INITIAL_MAP,
            obj(self.roots.the_hole),
        );
        a
    }

    /// A compiled function named `name` whose context holds `vars` (names in its scope info,
    /// values in its slots), the native context before it.
    pub fn closure(&mut self, name: &str, vars: &[(&str, Tagged)]) -> Closure {
        let names: Vec<&str> = vars.iter().map(|(n, _)| *n).collect();
        let name = self.internalized(name);
        let scope_info = self.scope_info(&ScopeSpec {
            function_name: Some(name),
            position: (10, 20),
            ..ScopeSpec::function(&names)
        });
        let shared = self.shared_function_info(None, Some(scope_info), None);
        let native = self.native_context(8);
        let values: Vec<Tagged> = vars.iter().map(|&(_, v)| v).collect();
        let context = self.function_context(scope_info, native, None, &values);
        let function = self.function(shared, context);
        Closure {
            function,
            shared,
            scope_info,
            context,
        }
    }

    /// A `Script` of this source (a string), name and id.
    pub fn script(&mut self, source: u64, name: Tagged, id: i32) -> u64 {
        let map = self.std_map(tables::SCRIPT, v8::SCRIPT_SIZE);
        let a = self.alloc(u64::from(v8::SCRIPT_SIZE), tables::SCRIPT);
        let undefined = obj(self.roots.undefined);
        self.put_tagged(a, obj(map));
        let mut off = 8;
        while off < u64::from(v8::SCRIPT_SIZE) {
            self.put_tagged(a + off, undefined);
            off += 8;
        }
        self.put_tagged(a + v8::SCRIPT_SOURCE, obj(source));
        self.put_tagged(a + v8::SCRIPT_NAME, name);
        self.put_tagged(a + v8::SCRIPT_LINE_ENDS, undefined);
        self.put_tagged(a + v8::SCRIPT_ID, smi(id));
        a
    }
}
