//! What the synthetic heap is built from: V8 11.3's postmortem metadata (the part the decoding code
//! asks for), its instance type numbers and class names, and its object layouts.
//!
//! The metadata values mirror the `v8dbg_*` constants of Node 20.20.2's binary (V8 11.3.244.8),
//! read with `Metadata::read`; the instance type numbers and class names are those of the same
//! binary's `TypeNames::read` (FixedArray subclasses are unnamed there, as in the real table).
//! The object layouts below the tables are V8 11.3's (`src/objects/*.tq`, builds without pointer
//! compression): the builder writes with them and never with the metadata, so that a decoder that
//! reads a wrong constant, or assumes a wrong default, disagrees with what the builder wrote.

use std::collections::{BTreeMap, HashMap};

/// `v8dbg_*` constants (names without the prefix) that the decoding code looks up, with V8 11.3's
/// values. Constants the code asks for that 11.3 lacks (e.g. `NotInternalizedTag`,
/// `FirstJSFunctionType`) are absent here too, so the code's fallbacks are what get tested.
pub const METADATA: &[(&str, i64)] = &[
    ("HeapObjectTag", 1),
    ("HeapObjectTagMask", 3),
    ("SmiShiftSize", 31),
    ("TaggedSize", 8),
    ("FirstNonstringType", 128),
    ("StringRepresentationMask", 7),
    ("StringEncodingMask", 8),
    ("TwoByteStringTag", 0),
    ("SeqStringTag", 0),
    ("ConsStringTag", 1),
    ("ExternalStringTag", 2),
    ("SlicedStringTag", 3),
    ("ThinStringTag", 5),
    ("FirstContextType", 205),
    ("LastContextType", 214),
    ("OddballTheHole", 2),
    ("context_min_slots", 2),
    ("prop_desc_key", 0),
    ("prop_desc_details", 1),
    ("prop_desc_value", 2),
    ("prop_desc_size", 3),
    ("prop_kind_mask", 1),
    ("prop_location_mask", 32),
    ("prop_location_shift", 5),
    ("prop_location_Field", 0),
    ("prop_index_mask", 536346624),
    ("prop_index_shift", 19),
    ("prop_representation_mask", 448),
    ("prop_representation_shift", 6),
    ("prop_representation_double", 2),
    ("namedictionary_prefix_start_index", 3),
    ("namedictionaryshape_prefix_size", 3),
    ("namedictionaryshape_entry_size", 3),
    ("numberdictionaryshape_prefix_size", 1),
    ("numberdictionaryshape_entry_size", 3),
    ("bit_field2_elements_kind_mask", 252),
    ("bit_field2_elements_kind_shift", 2),
    ("bit_field3_is_dictionary_map_shift", 21),
    ("bit_field3_number_of_own_descriptors_mask", 1047552),
    ("bit_field3_number_of_own_descriptors_shift", 10),
    ("elements_dictionary_elements", 13),
    ("class_HeapObject__map__Map", 0),
    ("class_Map__instance_size_in_words__char", 8),
    (
        "class_Map__inobject_properties_start_or_constructor_function_index__char",
        9,
    ),
    ("class_Map__instance_type__uint16_t", 12),
    ("class_Map__bit_field__char", 14),
    ("class_Map__bit_field2__char", 15),
    ("class_Map__bit_field3__int", 16),
    ("class_Map__prototype__Object", 24),
    ("class_Map__constructor_or_back_pointer__Object", 32),
    ("class_Map__instance_descriptors__DescriptorArray", 40),
    ("class_DescriptorArray__header_size__uintptr_t", 24),
    ("class_String__length__int32_t", 12),
    ("class_ConsString__first__String", 16),
    ("class_ConsString__second__String", 24),
    ("class_SlicedString__parent__String", 16),
    ("class_SlicedString__offset__SMI", 24),
    ("class_ThinString__actual__String", 16),
    ("class_ExternalString__resource__Object", 16),
    ("class_Symbol__name__Object", 16),
    ("class_HeapNumber__value__double", 8),
    ("class_Oddball__to_string__String", 16),
    ("class_Oddball__kind_offset__int", 40),
    ("class_JSReceiver__raw_properties_or_hash__Object", 8),
    ("class_JSObject__elements__Object", 16),
    ("class_JSFunction__shared__SharedFunctionInfo", 24),
    ("class_JSFunction__context__Context", 32),
    ("class_JSDate__value__Object", 24),
    ("class_JSRegExp__source__Object", 32),
    ("class_JSArrayBuffer__backing_store__uintptr_t", 48),
    ("class_JSArrayBuffer__byte_length__size_t", 32),
    ("class_SharedFunctionInfo__function_data__Object", 8),
    ("class_SharedFunctionInfo__name_or_scope_info__Object", 16),
    (
        "class_SharedFunctionInfo__script_or_debug_info__HeapObject",
        32,
    ),
    ("class_Script__source__Object", 8),
    ("class_Script__name__Object", 16),
    ("class_Script__line_ends__Object", 56),
];

// Instance types of V8 11.3 (`InstanceType`), the ones the builder makes or the decoding code
// classifies by name.
pub const INTERNALIZED_TWO_BYTE: u16 = 0;
pub const EXTERNAL_INTERNALIZED_TWO_BYTE: u16 = 2;
pub const INTERNALIZED_ONE_BYTE: u16 = 8;
pub const EXTERNAL_INTERNALIZED_ONE_BYTE: u16 = 10;
pub const SEQ_TWO_BYTE: u16 = 32;
pub const CONS_TWO_BYTE: u16 = 33;
pub const EXTERNAL_TWO_BYTE: u16 = 34;
pub const SLICED_TWO_BYTE: u16 = 35;
pub const THIN: u16 = 37;
pub const SEQ_ONE_BYTE: u16 = 40;
pub const CONS_ONE_BYTE: u16 = 41;
pub const EXTERNAL_ONE_BYTE: u16 = 42;
pub const SLICED_ONE_BYTE: u16 = 43;
/// `kUncachedExternalStringTag`: external strings without the cached data pointer.
pub const UNCACHED_EXTERNAL_BIT: u16 = 0x10;
pub const SYMBOL: u16 = 128;
pub const BIGINT: u16 = 129;
pub const HEAP_NUMBER: u16 = 130;
pub const ODDBALL: u16 = 131;
pub const ACCESSOR_PAIR: u16 = 142;
pub const SCRIPT: u16 = 167;
pub const FIXED_ARRAY: u16 = 175;
pub const GLOBAL_DICTIONARY: u16 = 178;
pub const NAME_DICTIONARY: u16 = 179;
pub const NAME_TO_INDEX_HASH_TABLE: u16 = 180;
pub const NUMBER_DICTIONARY: u16 = 181;
pub const ORDERED_HASH_MAP: u16 = 182;
pub const ORDERED_HASH_SET: u16 = 183;
pub const BYTE_ARRAY: u16 = 190;
pub const FIXED_DOUBLE_ARRAY: u16 = 192;
pub const FUNCTION_CONTEXT: u16 = 210;
pub const NATIVE_CONTEXT: u16 = 212;
pub const DESCRIPTOR_ARRAY: u16 = 236;
pub const FILLER: u16 = 250;
pub const FREE_SPACE: u16 = 251;
pub const MAP: u16 = 255;
pub const PROPERTY_ARRAY: u16 = 259;
pub const PROPERTY_CELL: u16 = 260;
pub const SCOPE_INFO: u16 = 261;
pub const SHARED_FUNCTION_INFO: u16 = 262;
pub const WEAK_ARRAY_LIST: u16 = 274;
pub const JS_GLOBAL_OBJECT: u16 = 279;
pub const JS_PRIMITIVE_WRAPPER: u16 = 1041;
pub const JS_OBJECT: u16 = 1057;
pub const JS_FUNCTION: u16 = 2066;
pub const JS_CLASS_CONSTRUCTOR: u16 = 2081;
pub const JS_MAP: u16 = 2108;
pub const JS_SET: u16 = 2109;
pub const JS_ARRAY: u16 = 2113;
pub const JS_DATE: u16 = 2118;
pub const JS_ERROR: u16 = 2122;

/// (instance type, class name as V8 11.3's `TypeNames` gives it, the metadata's
/// `type_<Class>__<TYPE>` name when 11.3's metadata has one and the decoding code asks for it).
pub const TYPES: &[(u16, &str, Option<&str>)] = &[
    (INTERNALIZED_ONE_BYTE, "InternalizedString", None),
    (SEQ_TWO_BYTE, "SeqTwoByteString", None),
    (CONS_TWO_BYTE, "ConsString", None),
    (EXTERNAL_TWO_BYTE, "ExternalTwoByteString", None),
    (SLICED_TWO_BYTE, "SlicedString", None),
    (SEQ_ONE_BYTE, "SeqOneByteString", None),
    (CONS_ONE_BYTE, "ConsString", None),
    (EXTERNAL_ONE_BYTE, "ExternalOneByteString", None),
    (SLICED_ONE_BYTE, "SlicedString", None),
    (SYMBOL, "Symbol", Some("SYMBOL_TYPE")),
    (BIGINT, "BigIntBase", None),
    (HEAP_NUMBER, "HeapNumber", Some("HEAP_NUMBER_TYPE")),
    (ODDBALL, "Oddball", Some("ODDBALL_TYPE")),
    (ACCESSOR_PAIR, "AccessorPair", None),
    (SCRIPT, "Script", Some("SCRIPT_TYPE")),
    (FIXED_ARRAY, "FixedArray", Some("FIXED_ARRAY_TYPE")),
    (176, "", None),
    (177, "", None),
    (GLOBAL_DICTIONARY, "", None),
    (NAME_DICTIONARY, "", None),
    (NAME_TO_INDEX_HASH_TABLE, "", None),
    (NUMBER_DICTIONARY, "", None),
    (ORDERED_HASH_MAP, "", None),
    (ORDERED_HASH_SET, "", None),
    (184, "", None),
    (185, "", None),
    (186, "", None),
    (187, "", None),
    (188, "", None),
    (189, "", None),
    (BYTE_ARRAY, "ByteArray", Some("BYTE_ARRAY_TYPE")),
    (191, "BytecodeArray", None),
    (
        FIXED_DOUBLE_ARRAY,
        "FixedDoubleArray",
        Some("FIXED_DOUBLE_ARRAY_TYPE"),
    ),
    (205, "AwaitContext", None),
    (206, "BlockContext", None),
    (207, "CatchContext", None),
    (208, "DebugEvaluateContext", None),
    (209, "EvalContext", None),
    (FUNCTION_CONTEXT, "FunctionContext", None),
    (211, "ModuleContext", None),
    (NATIVE_CONTEXT, "NativeContext", None),
    (213, "ScriptContext", None),
    (214, "WithContext", None),
    (DESCRIPTOR_ARRAY, "DescriptorArray", None),
    (237, "StrongDescriptorArray", None),
    (240, "WeakFixedArray", None),
    (241, "TransitionArray", None),
    (245, "Code", None),
    (FILLER, "Filler", None),
    (FREE_SPACE, "FreeSpace", Some("FREE_SPACE_TYPE")),
    (252, "InstructionStream", None),
    (MAP, "Map", Some("MAP_TYPE")),
    (PROPERTY_ARRAY, "PropertyArray", None),
    (PROPERTY_CELL, "PropertyCell", Some("PROPERTY_CELL_TYPE")),
    (SCOPE_INFO, "ScopeInfo", Some("SCOPE_INFO_TYPE")),
    (
        SHARED_FUNCTION_INFO,
        "SharedFunctionInfo",
        Some("SHARED_FUNCTION_INFO_TYPE"),
    ),
    (WEAK_ARRAY_LIST, "WeakArrayList", None),
    (278, "JSProxy", None),
    (
        JS_GLOBAL_OBJECT,
        "JSGlobalObject",
        Some("JS_GLOBAL_OBJECT_TYPE"),
    ),
    (280, "JSGlobalProxy", Some("JS_GLOBAL_PROXY_TYPE")),
    (JS_PRIMITIVE_WRAPPER, "JSPrimitiveWrapper", None),
    (JS_OBJECT, "JSObject", None),
    (2062, "JSArrayBuffer", Some("JS_ARRAY_BUFFER_TYPE")),
    (2064, "JSBoundFunction", Some("JS_BOUND_FUNCTION_TYPE")),
    (2065, "JSWrappedFunction", None),
    (JS_FUNCTION, "JSFunction", Some("JS_FUNCTION_TYPE")),
    (2067, "Bigint64TypedArrayConstructor", None),
    (2068, "Biguint64TypedArrayConstructor", None),
    (2069, "Float32TypedArrayConstructor", None),
    (2070, "Float64TypedArrayConstructor", None),
    (2071, "Int16TypedArrayConstructor", None),
    (2072, "Int32TypedArrayConstructor", None),
    (2073, "Int8TypedArrayConstructor", None),
    (2074, "Uint16TypedArrayConstructor", None),
    (2075, "Uint32TypedArrayConstructor", None),
    (2076, "Uint8ClampedTypedArrayConstructor", None),
    (2077, "Uint8TypedArrayConstructor", None),
    (2078, "JSArrayConstructor", None),
    (2079, "JSPromiseConstructor", None),
    (2080, "JSRegExpConstructor", None),
    (JS_CLASS_CONSTRUCTOR, "JSClassConstructor", None),
    (2082, "JSArrayIteratorPrototype", None),
    (2105, "JSGeneratorObject", None),
    (
        2106,
        "JSAsyncFunctionObject",
        Some("JS_ASYNC_FUNCTION_OBJECT_TYPE"),
    ),
    (
        2107,
        "JSAsyncGeneratorObject",
        Some("JS_ASYNC_GENERATOR_OBJECT_TYPE"),
    ),
    (JS_MAP, "JSMap", None),
    (JS_SET, "JSSet", None),
    (JS_ARRAY, "JSArray", Some("JS_ARRAY_TYPE")),
    (JS_DATE, "JSDate", Some("JS_DATE_TYPE")),
    (JS_ERROR, "JSError", None),
    (2131, "JSRegExp", Some("JS_REG_EXP_TYPE")),
];

/// The metadata table: [`METADATA`] plus the `type_*` entries of [`TYPES`].
pub fn metadata() -> BTreeMap<String, i64> {
    let mut raw: BTreeMap<String, i64> =
        METADATA.iter().map(|&(k, v)| (k.to_string(), v)).collect();
    for &(t, class, name) in TYPES {
        if let Some(name) = name {
            raw.insert(format!("type_{class}__{name}"), i64::from(t));
        }
    }
    raw
}

/// The instance type names of [`TYPES`].
pub fn type_names() -> HashMap<u16, String> {
    TYPES
        .iter()
        .map(|&(t, class, _)| (t, class.to_string()))
        .collect()
}

/// V8 11.3's object layouts (byte offsets and sizes, 8-byte tagged words).
pub mod v8 {
    /// Page size and alignment.
    pub const PAGE_SIZE: u64 = 0x40000;
    /// Where a regular page's object area starts (measured on Node 20 cores).
    pub const AREA_START: u64 = 0x1148;
    /// `MemoryChunk` flags of old-space pages (`OLD_GENERATION_PAGE`-style bits seen on cores).
    pub const OLD_PAGE_FLAGS: u64 = 0x4;
    /// Large-object pages.
    pub const LARGE_PAGE_FLAGS: u64 = 0x84;
    /// `AllocationSpace` ids of 11.3.
    pub const OLD_SPACE: u32 = 2;
    pub const LO_SPACE: u32 = 6;

    pub const MAP_SIZE: u32 = 72;
    pub const MAP_INSTANCE_SIZE_IN_WORDS: u64 = 8;
    pub const MAP_INOBJECT_START: u64 = 9;
    pub const MAP_USED_OR_UNUSED: u64 = 10;
    pub const MAP_INSTANCE_TYPE: u64 = 12;
    pub const MAP_BIT_FIELD: u64 = 14;
    pub const MAP_BIT_FIELD2: u64 = 15;
    pub const MAP_BIT_FIELD3: u64 = 16;
    pub const MAP_PROTOTYPE: u64 = 24;
    pub const MAP_CONSTRUCTOR: u64 = 32;
    pub const MAP_DESCRIPTORS: u64 = 40;
    pub const MAP_DEPENDENT_CODE: u64 = 48;
    pub const MAP_VALIDITY_CELL: u64 = 56;
    pub const MAP_TRANSITIONS: u64 = 64;
    /// `Map::Bits1`: callable (bit 1), constructor (bit 6), has prototype slot (bit 7).
    pub const BF_IS_CALLABLE: u8 = 1 << 1;
    pub const BF_IS_CONSTRUCTOR: u8 = 1 << 6;
    pub const BF_HAS_PROTOTYPE_SLOT: u8 = 1 << 7;
    /// `Map::Bits2`: new_target_is_base (bit 0), elements kind (bits 2–7).
    pub const BF2_NEW_TARGET_IS_BASE: u8 = 1;
    pub const BF2_ELEMENTS_KIND_SHIFT: u8 = 2;
    /// `Map::Bits3`.
    pub const BF3_OWN_DESCRIPTORS_SHIFT: u32 = 10;
    pub const BF3_IS_PROTOTYPE_MAP: u32 = 1 << 20;
    pub const BF3_IS_DICTIONARY_MAP: u32 = 1 << 21;
    pub const BF3_OWNS_DESCRIPTORS: u32 = 1 << 22;
    pub const BF3_IS_EXTENSIBLE: u32 = 1 << 27;

    /// `Name::raw_hash_field` (u32), `String::length` (i32); characters follow.
    pub const NAME_HASH: u64 = 8;
    pub const STRING_LENGTH: u64 = 12;
    pub const SEQ_CHARS: u64 = 16;
    /// `Name::kEmptyHashField`.
    pub const EMPTY_HASH: u32 = 3;
    pub const CONS_FIRST: u64 = 16;
    pub const CONS_SECOND: u64 = 24;
    pub const CONS_SIZE: u32 = 32;
    pub const SLICED_PARENT: u64 = 16;
    pub const SLICED_OFFSET: u64 = 24;
    pub const SLICED_SIZE: u32 = 32;
    pub const THIN_ACTUAL: u64 = 16;
    pub const THIN_SIZE: u32 = 24;
    pub const EXTERNAL_RESOURCE: u64 = 16;
    pub const EXTERNAL_DATA: u64 = 24;
    pub const EXTERNAL_SIZE: u32 = 32;
    pub const UNCACHED_EXTERNAL_SIZE: u32 = 24;

    pub const SYMBOL_FLAGS: u64 = 12;
    pub const SYMBOL_DESCRIPTION: u64 = 16;
    pub const SYMBOL_SIZE: u32 = 24;
    pub const HEAP_NUMBER_VALUE: u64 = 8;
    pub const HEAP_NUMBER_SIZE: u32 = 16;
    pub const ODDBALL_TO_NUMBER_RAW: u64 = 8;
    pub const ODDBALL_TO_STRING: u64 = 16;
    pub const ODDBALL_TO_NUMBER: u64 = 24;
    pub const ODDBALL_TYPE_OF: u64 = 32;
    pub const ODDBALL_KIND: u64 = 40;
    pub const ODDBALL_SIZE: u32 = 48;
    /// `Oddball::kind` values.
    pub const KIND_FALSE: i32 = 0;
    pub const KIND_TRUE: i32 = 1;
    pub const KIND_THE_HOLE: i32 = 2;
    pub const KIND_NULL: i32 = 3;
    pub const KIND_UNDEFINED: i32 = 5;
    /// `kHoleNanInt64`.
    pub const HOLE_NAN: u64 = 0xfff7_ffff_fff7_ffff;

    /// `FixedArrayBase::length` (Smi); elements follow.
    pub const ARRAY_LENGTH: u64 = 8;
    pub const ARRAY_HEADER: u64 = 16;
    /// `PropertyArray::length_and_hash`: the length in the low 10 bits, the hash above.
    pub const PROPERTY_ARRAY_LENGTH_BITS: u32 = 10;
    /// `DescriptorArray`: u16 counts at +8 (all), +10 (own), +12 (marked); enum cache at +16.
    pub const DESCRIPTORS_ALL: u64 = 8;
    pub const DESCRIPTORS_OWN: u64 = 10;
    pub const DESCRIPTORS_ENUM_CACHE: u64 = 16;
    pub const DESCRIPTORS_HEADER: u64 = 24;
    /// Hash tables: element count, deleted count, capacity; then the shape's prefix.
    pub const HASH_TABLE_PREFIX: u64 = 3;
    pub const NAME_DICTIONARY_PREFIX: u64 = 3;
    pub const NUMBER_DICTIONARY_PREFIX: u64 = 1;
    /// `GlobalDictionaryShape`: next enumeration index, object hash; one slot (a
    /// `PropertyCell`) per entry.
    pub const GLOBAL_DICTIONARY_PREFIX: u64 = 2;
    /// `PropertyCell`: name, details (Smi), value, dependent code.
    pub const PROPERTY_CELL_NAME: u64 = 8;
    pub const PROPERTY_CELL_DETAILS: u64 = 16;
    pub const PROPERTY_CELL_VALUE: u64 = 24;
    pub const PROPERTY_CELL_DEPENDENT_CODE: u64 = 32;
    pub const PROPERTY_CELL_SIZE: u32 = 40;
    pub const DICTIONARY_ENTRY: u64 = 3;
    /// `PropertyDetails` bits (fast mode): kind 0, constness 1, attributes 2–4, location 5,
    /// representation 6–8, descriptor pointer 9–18, field index 19–28.
    pub const DETAILS_ACCESSOR: u32 = 1;
    pub const DETAILS_LOCATION_DESCRIPTOR: u32 = 1 << 5;
    pub const DETAILS_REPRESENTATION_SHIFT: u32 = 6;
    pub const REPRESENTATION_DOUBLE: u32 = 2;
    pub const REPRESENTATION_HEAP_OBJECT: u32 = 3;
    pub const REPRESENTATION_TAGGED: u32 = 4;
    pub const DETAILS_POINTER_SHIFT: u32 = 9;
    pub const DETAILS_FIELD_INDEX_SHIFT: u32 = 19;
    /// Dictionary mode: the enumeration index from bit 8.
    pub const DETAILS_DICTIONARY_INDEX_SHIFT: u32 = 8;

    pub const JS_PROPERTIES: u64 = 8;
    pub const JS_ELEMENTS: u64 = 16;
    pub const JS_OBJECT_HEADER_WORDS: u8 = 3;
    pub const JS_ARRAY_LENGTH: u64 = 24;
    pub const JS_ARRAY_HEADER_WORDS: u8 = 4;
    pub const JS_FUNCTION_SHARED: u64 = 24;
    pub const JS_FUNCTION_CONTEXT: u64 = 32;
    pub const JS_FUNCTION_FEEDBACK_CELL: u64 = 40;
    pub const JS_FUNCTION_CODE: u64 = 48;
    pub const JS_FUNCTION_PROTOTYPE_OR_INITIAL_MAP: u64 = 56;
    pub const JS_FUNCTION_HEADER_WORDS: u8 = 8;
    /// `JSDate`: value, then cached year … cache stamp (9 fields in all).
    pub const JS_DATE_VALUE: u64 = 24;
    pub const JS_DATE_HEADER_WORDS: u8 = 12;
    pub const JS_PRIMITIVE_WRAPPER_VALUE: u64 = 24;
    pub const JS_PRIMITIVE_WRAPPER_HEADER_WORDS: u8 = 4;
    /// `JSCollection` (`JSMap`, `JSSet`): the table after the JS object header.
    pub const JS_COLLECTION_TABLE: u64 = 24;
    pub const JS_COLLECTION_HEADER_WORDS: u8 = 4;
    /// `JSGlobalObject`: native context, global proxy after the JS object header.
    pub const JS_GLOBAL_OBJECT_HEADER_WORDS: u8 = 5;
    /// Elements kinds.
    pub const PACKED_SMI_ELEMENTS: u8 = 0;
    pub const HOLEY_ELEMENTS: u8 = 3;
    pub const DICTIONARY_ELEMENTS: u8 = 13;

    pub const SFI_FUNCTION_DATA: u64 = 8;
    pub const SFI_NAME_OR_SCOPE_INFO: u64 = 16;
    pub const SFI_OUTER_SCOPE_INFO: u64 = 24;
    pub const SFI_SCRIPT: u64 = 32;
    pub const SFI_SIZE: u32 = 56;
    pub const ACCESSOR_PAIR_GETTER: u64 = 8;
    pub const ACCESSOR_PAIR_SETTER: u64 = 16;
    pub const ACCESSOR_PAIR_SIZE: u32 = 24;

    /// `Context` slots: scope info, previous, extension (when the scope info says so).
    pub const CONTEXT_MIN_SLOTS: u64 = 2;
    /// `NativeContext`: the raw microtask queue pointer after the slots.
    pub const NATIVE_CONTEXT_EXTRA: u64 = 8;
    /// `ScopeInfo`: Smi flags, parameter count, context local count; variable parts follow.
    pub const SCOPE_FLAGS: u64 = 8;
    pub const SCOPE_PARAMETERS: u64 = 16;
    pub const SCOPE_LOCALS: u64 = 24;
    pub const SCOPE_HEADER: u64 = 32;
    /// `kScopeInfoMaxInlinedLocalNamesSize`.
    pub const MAX_INLINED_LOCAL_NAMES: usize = 75;
    /// `ScopeFlags` bits.
    pub const SF_SAVED_CLASS_VARIABLE: u32 = 1 << 10;
    pub const SF_FUNCTION_VARIABLE_SHIFT: u32 = 12;
    pub const SF_INFERRED_NAME: u32 = 1 << 14;
    pub const SF_OUTER_SCOPE_INFO: u32 = 1 << 22;
    pub const SF_CONTEXT_EXTENSION_SLOT: u32 = 1 << 26;
    pub const SF_LOCALS_BLOCK_LIST: u32 = 1 << 28;
    pub const SF_IS_EMPTY: u32 = 1 << 29;
    /// `VariableAllocationInfo::UNUSED`: the function has a name but no variable for it (the
    /// usual case of declarations).
    pub const VARIABLE_UNUSED: u32 = 3;

    pub const SCRIPT_SOURCE: u64 = 8;
    pub const SCRIPT_NAME: u64 = 16;
    pub const SCRIPT_LINE_ENDS: u64 = 56;
    pub const SCRIPT_ID: u64 = 64;
    pub const SCRIPT_SIZE: u32 = 136;

    pub const FREE_SPACE_SIZE: u64 = 8;
    pub const FREE_SPACE_NEXT: u64 = 16;
    pub const BIGINT_BITFIELD: u64 = 8;
    pub const BIGINT_DIGITS: u64 = 16;
    /// `WeakArrayList`: capacity (Smi), length (Smi), then `capacity` slots.
    pub const WEAK_ARRAY_LIST_CAPACITY: u64 = 8;
    pub const WEAK_ARRAY_LIST_LENGTH: u64 = 16;
    pub const WEAK_ARRAY_LIST_HEADER: u64 = 24;
}
