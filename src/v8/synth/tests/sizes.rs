//! Sizes of variable-sized objects.

use super::*;

// ---- sizes ----

#[test]
fn sizes_of_variable_sized_objects() {
    let mut h = SynthHeap::new();
    let mut made: Vec<(&str, u64, Option<u64>)> = Vec::new();
    let mut add = |what, a, literal| made.push((what, a, literal));
    for (n, size) in [(0usize, 16), (1, 24), (7, 24), (8, 24), (9, 32), (100, 120)] {
        add("one-byte", h.string(&"a".repeat(n)), Some(size));
    }
    for (n, size) in [(0usize, 16), (3, 24), (4, 24), (5, 32)] {
        add("two-byte", h.string(&"☃".repeat(n)), Some(size));
    }
    add("internalized", h.internalized("nine char"), Some(32));
    for (n, size) in [(0usize, 16), (1, 24), (5, 56)] {
        add("fixed array", h.fixed_array(&vec![smi(1); n]), Some(size));
        add(
            "double array",
            h.fixed_double_array(&vec![Some(1.0); n]),
            Some(size),
        );
    }
    for (n, size) in [(0usize, 16), (1, 24), (8, 24), (9, 32), (17, 40)] {
        add("byte array", h.byte_array(&vec![1; n]), Some(size));
    }
    let hashed = h.property_array(&[smi(1), smi(2), smi(3)], 0x1234);
    add("property array with a hash", hashed, Some(40));
    let k = h.internalized("k");
    add("descriptors", h.descriptor_array(&[]), Some(24));
    let undefined = obj(h.roots().undefined);
    let three = [(k, 0, undefined); 3];
    add("descriptors", h.descriptor_array(&three), Some(96));
    add("free space", h.free_space(16), Some(16));
    add("free space", h.free_space(4096), Some(4096));
    add("bigint", h.bigint(&[], false), Some(16));
    add("bigint", h.bigint(&[1, 2, 3], true), Some(40));
    add(
        "weak array list",
        h.weak_array_list(&[smi(1), smi(2)], 5),
        Some(64),
    );
    add("native context", h.native_context(8), Some(88));
    let name = h.internalized("f");
    let inferred = h.internalized("g");
    let f = h.scope_info(&ScopeSpec {
        function_name: Some(name),
        inferred_name: Some(inferred),
        ..ScopeSpec::function(&["a", "b"])
    });
    // Header 4 words, names 2, infos 2, function name 2, inferred name 1, position 2.
    add("function scope", f, Some(104));
    let scopes = [
        ScopeSpec {
            scope_type: ScopeType::Module,
            module_variables: 3,
            ..ScopeSpec::function(&["m"])
        },
        ScopeSpec {
            scope_type: ScopeType::Class,
            empty: true,
            ..ScopeSpec::function(&[])
        },
        ScopeSpec {
            scope_type: ScopeType::Class,
            saved_class_variable: true,
            ..ScopeSpec::function(&["#p"])
        },
        ScopeSpec {
            scope_type: ScopeType::Script,
            ..ScopeSpec::function(&["s"])
        },
        ScopeSpec {
            scope_type: ScopeType::Block,
            outer: Some(f),
            context_extension: true,
            locals_block_list: true,
            ..ScopeSpec::function(&["b1", "b2", "b3"])
        },
        ScopeSpec {
            scope_type: ScopeType::Catch,
            ..ScopeSpec::function(&["e"])
        },
        ScopeSpec::function(&(0..80).map(|_| "v").collect::<Vec<_>>()),
    ];
    for s in &scopes {
        add("scope info", h.scope_info(s), None);
    }
    let names = [DictSlot::Data(k, smi(1))];
    add(
        "name dictionary",
        h.name_dictionary(&names),
        Some(16 + 8 * 18),
    );
    let native = h.native_context(8);
    add(
        "function context",
        h.function_context(f, native, None, &[smi(1), smi(2)]),
        Some(48),
    );
    let mem = h.memory();
    let iso = h.open(&mem).expect("opens");
    for (what, a, literal) in made {
        let placed = h.placed(a).expect("placed").size;
        assert_eq!(size_of(&iso, a), Some(placed), "{what} at {a:#x}");
        if let Some(literal) = literal {
            assert_eq!(placed, literal, "{what}: the builder's own size");
        }
    }
}
