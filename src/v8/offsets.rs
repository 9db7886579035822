//! The field offsets and instance types the object views use: from the postmortem metadata
//! (`v8dbg_class_*`, `v8dbg_prop_*`, dictionary shapes) and, where a build lacks one, V8's layout
//! without pointer compression, which every supported version shares.

use super::Runtime;

/// Field offsets used by the model.
#[derive(Clone, Copy, Debug)]
pub struct Offsets {
    pub properties: u64,
    pub elements: u64,
    pub js_array_length: u64,
    pub function_shared: u64,
    pub function_context: u64,
    pub sfi_name: u64,
    pub sfi_script: u64,
    pub string_length: u64,
    pub cons_first: u64,
    pub cons_second: u64,
    pub sliced_parent: u64,
    pub sliced_offset: u64,
    pub thin_actual: u64,
    pub external_resource: u64,
    pub symbol_name: u64,
    /// `Symbol::flags` (u32; bit 0: private), after `Name::raw_hash_field`.
    pub symbol_flags: u64,
    /// `JSGeneratorObject::function`: the first field after the JSObject header.
    pub generator_function: u64,
    /// `JSGeneratorObject`'s fields after `function`: context, receiver, and its saved frame.
    pub generator_context: u64,
    pub generator_receiver: u64,
    pub generator_registers: u64,
    /// `AccessorPair::getter` and `setter`.
    pub accessor_getter: u64,
    pub accessor_setter: u64,
    /// `JSPrimitiveWrapper::value`: the first field after the JSObject header.
    pub primitive_wrapper_value: u64,
    /// A context's fixed slots (`Context::SCOPE_INFO_INDEX`, `PREVIOUS_INDEX`), after its length.
    pub context_scope_info: u64,
    /// `JSCollection::table` (a `JSMap`'s or `JSSet`'s ordered hash table).
    pub collection_table: u64,
    pub context_previous: u64,
    pub regexp_source: u64,
    pub date_value: u64,
    pub heap_number_value: u64,
    pub oddball_to_string: u64,
    pub script_name: u64,
    pub map_inobject_start: u64,
    pub descriptors_header: u64,
    pub desc_key: u64,
    pub desc_details: u64,
    pub desc_value: u64,
    pub desc_size: u64,
    pub prop_kind_mask: u64,
    pub prop_location_mask: u64,
    pub prop_location_shift: u64,
    pub prop_location_field: u64,
    pub prop_index_mask: u64,
    pub prop_index_shift: u64,
    pub dict_prefix_start: u64,
    pub dict_prefix_size: u64,
    pub dict_entry_size: u64,
    pub own_descriptors_mask: u64,
    pub own_descriptors_shift: u64,
    pub is_dictionary_shift: u64,
    pub array_buffer_backing_store: u64,
    pub array_buffer_byte_length: u64,
    pub prop_representation_mask: u64,
    pub prop_representation_shift: u64,
    pub prop_representation_double: u64,
    pub elements_kind_mask: u8,
    pub elements_kind_shift: u8,
    /// `DICTIONARY_ELEMENTS`, when the metadata gives it.
    pub dictionary_elements: Option<usize>,
}

impl Offsets {
    pub(crate) fn new(v8: &Runtime) -> Offsets {
        let md = &v8.metadata;
        let c = |class: &str, field: &str, d: u64| md.class_offset(class, field).unwrap_or(d);
        let k = |name: &str, d: i64| md.constant(name).unwrap_or(d) as u64;
        Offsets {
            properties: c("JSReceiver", "raw_properties_or_hash", 8),
            elements: c("JSObject", "elements", 16),
            js_array_length: 24,
            function_shared: c("JSFunction", "shared", 24),
            function_context: c("JSFunction", "context", 32),
            sfi_name: c("SharedFunctionInfo", "name_or_scope_info", 16),
            sfi_script: md
                .class_offset("SharedFunctionInfo", "script_or_debug_info")
                .or_else(|| md.class_offset("SharedFunctionInfo", "script"))
                .unwrap_or(32),
            string_length: c("String", "length", 12),
            cons_first: c("ConsString", "first", 16),
            cons_second: c("ConsString", "second", 24),
            sliced_parent: c("SlicedString", "parent", 16),
            sliced_offset: c("SlicedString", "offset", 24),
            thin_actual: c("ThinString", "actual", 16),
            external_resource: c("ExternalString", "resource", 16),
            symbol_name: c("Symbol", "name", 16),
            symbol_flags: c("Symbol", "flags", 12),
            generator_function: c("JSGeneratorObject", "function", 24),
            generator_context: c("JSGeneratorObject", "context", 32),
            generator_receiver: c("JSGeneratorObject", "receiver", 40),
            generator_registers: c("JSGeneratorObject", "parameters_and_registers", 72),
            accessor_getter: c("AccessorPair", "getter", 8),
            accessor_setter: c("AccessorPair", "setter", 16),
            primitive_wrapper_value: c("JSPrimitiveWrapper", "value", 24),
            context_scope_info: 16,
            collection_table: c("JSCollection", "table", 24),
            context_previous: 24,
            regexp_source: c("JSRegExp", "source", 32),
            date_value: c("JSDate", "value", 24),
            heap_number_value: c("HeapNumber", "value", 8),
            oddball_to_string: c("Oddball", "to_string", 16),
            script_name: c("Script", "name", 16),
            map_inobject_start: c(
                "Map",
                "inobject_properties_start_or_constructor_function_index",
                9,
            ),
            descriptors_header: v8.shapes.descriptor_header,
            desc_key: k("prop_desc_key", 0),
            desc_details: k("prop_desc_details", 1),
            desc_value: k("prop_desc_value", 2),
            desc_size: k("prop_desc_size", 3).max(1),
            prop_kind_mask: k("prop_kind_mask", 1),
            prop_location_mask: k("prop_location_mask", 2),
            prop_location_shift: k("prop_location_shift", 1),
            prop_location_field: k("prop_location_Field", 0),
            prop_index_mask: k("prop_index_mask", 0x1ff80000),
            prop_index_shift: k("prop_index_shift", 19),
            dict_prefix_start: k("namedictionary_prefix_start_index", 3),
            dict_prefix_size: k("namedictionaryshape_prefix_size", 3),
            dict_entry_size: k("namedictionaryshape_entry_size", 3).max(1),
            own_descriptors_mask: k("bit_field3_number_of_own_descriptors_mask", 0xffc00),
            own_descriptors_shift: k("bit_field3_number_of_own_descriptors_shift", 10),
            is_dictionary_shift: k("bit_field3_is_dictionary_map_shift", 21),
            array_buffer_backing_store: c("JSArrayBuffer", "backing_store", 48),
            array_buffer_byte_length: c("JSArrayBuffer", "byte_length", 32),
            prop_representation_mask: k("prop_representation_mask", 0x1c0),
            prop_representation_shift: k("prop_representation_shift", 6),
            prop_representation_double: k("prop_representation_double", 2),
            elements_kind_mask: k("bit_field2_elements_kind_mask", 0xfc) as u8,
            elements_kind_shift: k("bit_field2_elements_kind_shift", 2) as u8,
            dictionary_elements: md
                .constant("elements_dictionary_elements")
                .map(|v| v as usize),
        }
    }
}

/// Instance types the model needs to recognise, from the type table.
#[derive(Clone, Debug, Default)]
pub struct Types {
    /// Types whose objects V8 types `code` by class (indexed by instance type; none beyond).
    pub code_class: Vec<bool>,
    pub first_js_receiver: u16,
    pub first_js_object: u16,
    pub map: Option<u16>,
    pub symbol: Option<u16>,
    pub heap_number: Option<u16>,
    pub oddball: Option<u16>,
    pub bigint: Option<u16>,
    pub js_function_first: u16,
    pub js_function_last: u16,
    pub js_bound_function: Option<u16>,
    pub js_regexp: Option<u16>,
    pub js_date: Option<u16>,
    pub js_array: Option<u16>,
    pub js_array_buffer: Option<u16>,
    pub js_global_object: Option<u16>,
    pub js_global_proxy: Option<u16>,
    pub property_cell: Option<u16>,
    /// Generator objects (and async functions' and async generators'): they hold their function.
    pub generators: [Option<u16>; 3],
    pub shared_function_info: Option<u16>,
    pub scope_info: Option<u16>,
    pub script: Option<u16>,
    pub native_context: Option<u16>,
    /// Contexts whose variables V8's snapshot names (`Context::is_declaration_context`):
    /// function, script and module contexts always; eval contexts of strict code and block
    /// contexts of declaration scopes by their scope info's flags.
    pub declaration_contexts: [Option<u16>; 3],
    pub eval_context: Option<u16>,
    pub block_context: Option<u16>,
    pub accessor_pair: Option<u16>,
    pub first_context: u16,
    pub last_context: u16,
    pub fixed_array: Option<u16>,
    pub free_space: Option<u16>,
    pub filler: Option<u16>,
}

impl Types {
    pub(crate) fn new(v8: &Runtime) -> Types {
        let t = &v8.types;
        let md = &v8.metadata;
        let by = |class: &str, ty: &str| md.instance_type(ty).or_else(|| t.type_of(class));
        // JS receivers are the last instance types: from the first "JS…" class on.
        let first_js_receiver = (0..=u16::MAX)
            .find(|&i| {
                t.name(i).is_some_and(|n| {
                    n == "JSProxy" || n == "JSGlobalProxy" || n == "JSGlobalObject"
                })
            })
            .unwrap_or(u16::MAX);
        let first_js_object = md
            .instance_type("JS_GLOBAL_OBJECT_TYPE")
            .or_else(|| t.type_of("JSGlobalObject"))
            .unwrap_or(first_js_receiver)
            .min(t.type_of("JSGlobalProxy").unwrap_or(u16::MAX));
        let js_function = by("JSFunction", "JS_FUNCTION_TYPE");
        let fn_range = match (
            md.constant("FirstJSFunctionType"),
            md.constant("LastJSFunctionType"),
        ) {
            (Some(a), Some(b)) => (a as u16, b as u16),
            _ => function_range(t, js_function),
        };
        let sfi = by("SharedFunctionInfo", "SHARED_FUNCTION_INFO_TYPE");
        let script = by("Script", "SCRIPT_TYPE");
        // Named types (and the two from the metadata) only: types beyond are not code.
        let bound = [sfi, script]
            .iter()
            .flatten()
            .map(|&i| usize::from(i) + 1)
            .fold(t.bound(), usize::max)
            .min(1 << 16);
        let code_class = (0..bound as u32)
            .map(|i| i as u16)
            .map(|i| {
                t.name(i)
                    .is_some_and(|n| super::types::CODE_CLASSES.contains(&n))
                    || Some(i) == sfi
                    || Some(i) == script
            })
            .collect();
        Types {
            code_class,
            first_js_receiver,
            first_js_object,
            map: by("Map", "MAP_TYPE"),
            symbol: by("Symbol", "SYMBOL_TYPE"),
            heap_number: by("HeapNumber", "HEAP_NUMBER_TYPE"),
            oddball: by("Oddball", "ODDBALL_TYPE"),
            bigint: t
                .type_of("BigIntBase")
                .or_else(|| t.type_of("BigInt"))
                .or_else(|| {
                    v8.layout
                        .objects
                        .extra_types
                        .iter()
                        .find(|(_, n)| *n == "BigIntBase")
                        .map(|(t, _)| *t)
                }),
            js_function_first: fn_range.0,
            js_function_last: fn_range.1,
            js_bound_function: by("JSBoundFunction", "JS_BOUND_FUNCTION_TYPE"),
            js_regexp: by("JSRegExp", "JS_REG_EXP_TYPE"),
            js_date: by("JSDate", "JS_DATE_TYPE"),
            js_array: by("JSArray", "JS_ARRAY_TYPE"),
            js_array_buffer: by("JSArrayBuffer", "JS_ARRAY_BUFFER_TYPE"),
            js_global_object: by("JSGlobalObject", "JS_GLOBAL_OBJECT_TYPE"),
            js_global_proxy: by("JSGlobalProxy", "JS_GLOBAL_PROXY_TYPE"),
            property_cell: by("PropertyCell", "PROPERTY_CELL_TYPE"),
            generators: [
                by("JSGeneratorObject", "JS_GENERATOR_OBJECT_TYPE"),
                by("JSAsyncFunctionObject", "JS_ASYNC_FUNCTION_OBJECT_TYPE"),
                by("JSAsyncGeneratorObject", "JS_ASYNC_GENERATOR_OBJECT_TYPE"),
            ],
            shared_function_info: sfi,
            scope_info: by("ScopeInfo", "SCOPE_INFO_TYPE"),
            script,
            native_context: by("NativeContext", "NATIVE_CONTEXT_TYPE"),
            declaration_contexts: [
                by("FunctionContext", "FUNCTION_CONTEXT_TYPE"),
                by("ScriptContext", "SCRIPT_CONTEXT_TYPE"),
                by("ModuleContext", "MODULE_CONTEXT_TYPE"),
            ],
            eval_context: by("EvalContext", "EVAL_CONTEXT_TYPE"),
            block_context: by("BlockContext", "BLOCK_CONTEXT_TYPE"),
            accessor_pair: by("AccessorPair", "ACCESSOR_PAIR_TYPE"),
            first_context: md
                .constant("FirstContextType")
                .map_or(u16::MAX, |v| v as u16),
            last_context: md.constant("LastContextType").map_or(0, |v| v as u16),
            fixed_array: by("FixedArray", "FIXED_ARRAY_TYPE"),
            free_space: by("FreeSpace", "FREE_SPACE_TYPE"),
            filler: t.type_of("Filler"),
        }
    }

    pub fn is_generator(&self, t: u16) -> bool {
        self.generators.contains(&Some(t))
    }

    pub fn is_js_object(&self, t: u16) -> bool {
        t >= self.first_js_object
    }
    pub fn is_function(&self, t: u16) -> bool {
        (self.js_function_first..=self.js_function_last).contains(&t)
    }
    pub fn is_context(&self, t: u16) -> bool {
        (self.first_context..=self.last_context).contains(&t)
    }
}

/// The contiguous run of JS function types around `JS_FUNCTION_TYPE` (constructors of built-ins
/// have their own types), when the metadata does not give the range.
fn function_range(t: &super::types::TypeNames, js_function: Option<u16>) -> (u16, u16) {
    let Some(f) = js_function else {
        return (1, 0);
    };
    let is_fn = |i: u16| {
        t.name(i).is_some_and(|n| {
            n == "JSFunction" || (n.ends_with("Constructor") && !n.starts_with("JSApi"))
        })
    };
    let mut lo = f;
    while lo > 0 && is_fn(lo - 1) {
        lo -= 1;
    }
    let mut hi = f;
    while hi < u16::MAX && is_fn(hi + 1) {
        hi += 1;
    }
    (lo, hi)
}
