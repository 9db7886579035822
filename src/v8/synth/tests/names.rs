//! Constructor names and the names V8's snapshot gives every node type.

use super::*;

// ---- constructor names ----

/// A function named `name` (compiled, name in its scope info).
fn named_function(h: &mut SynthHeap, name: &str) -> u64 {
    h.closure(name, &[]).function
}

#[test]
fn constructor_names_follow_get_constructor_name() {
    let mut h = SynthHeap::new();
    let ctor = h.internalized("constructor");
    let point = named_function(&mut h, "Point");
    let object_fn = named_function(&mut h, "Object");
    let animal = named_function(&mut h, "Animal");
    let base = named_function(&mut h, "Base");
    let derived = named_function(&mut h, "Derived");
    let (x, y) = (h.internalized("x"), h.internalized("y"));
    let fields = vec![(x, PropKind::Field), (y, PropKind::Field)];

    // 1. The map's constructor.
    let point_map = h.object_map(&ObjectMap {
        constructor: Some(point),
        ..ObjectMap::js_object(fields.clone(), 2)
    });
    let p = h.js_object(point_map, &[smi(1), smi(2)]);
    // 2. Through back pointers (a map that transitioned from the constructor's).
    let grown = h.object_map(&ObjectMap {
        constructor: Some(point_map),
        ..ObjectMap::js_object(fields.clone(), 2)
    });
    let p2 = h.js_object(grown, &[smi(3), smi(4)]);
    // 3. A constructor named "Object" does not name it: "constructor" on the prototype does.
    let object_proto = h.plain_object(&[("constructor", obj(object_fn))]);
    let animal_proto_map = h.object_map(&ObjectMap {
        prototype: Some(object_proto),
        prototype_map: true,
        ..ObjectMap::js_object(vec![(ctor, PropKind::Constant(obj(animal)))], 0)
    });
    let animal_proto = h.js_object(animal_proto_map, &[]);
    let a_map = h.object_map(&ObjectMap {
        prototype: Some(animal_proto),
        constructor: Some(object_fn),
        ..ObjectMap::js_object(Vec::new(), 0)
    });
    let a = h.js_object(a_map, &[]);
    // 4. Made by a subclass (new.target ≠ the map's constructor): the prototype chain names it.
    let derived_proto = h.plain_object(&[("constructor", obj(derived))]);
    let d_map = h.object_map(&ObjectMap {
        prototype: Some(derived_proto),
        constructor: Some(base),
        new_target_is_base: false,
        ..ObjectMap::js_object(Vec::new(), 0)
    });
    let d = h.js_object(d_map, &[]);
    // 5. A prototype object: its own "constructor" does not count, nor does its map's.
    let proto_map = h.object_map(&ObjectMap {
        prototype: Some(object_proto),
        constructor: Some(point),
        prototype_map: true,
        ..ObjectMap::js_object(vec![(ctor, PropKind::Field)], 1)
    });
    let point_proto = h.js_object(proto_map, &[obj(point)]);
    // 6. Symbol.toStringTag, own or inherited, before "constructor".
    let tag_text = h.internalized("Tagged!");
    let tagged_proto_map = h.object_map(&ObjectMap::js_object(
        vec![
            (h.roots().to_string_tag, PropKind::Constant(obj(tag_text))),
            (ctor, PropKind::Constant(obj(animal))),
        ],
        0,
    ));
    let tagged_proto = h.js_object(tagged_proto_map, &[]);
    let tg_map = h.object_map(&ObjectMap {
        prototype: Some(tagged_proto),
        ..ObjectMap::js_object(Vec::new(), 0)
    });
    let tg = h.js_object(tg_map, &[]);
    let own_tag = h.string("Own");
    let own_map = h.object_map(&ObjectMap::js_object(
        vec![(h.roots().to_string_tag, PropKind::Field)],
        1,
    ));
    let own = h.js_object(own_map, &[obj(own_tag)]);
    // 7. A dictionary-mode prototype holding "constructor".
    let dict_proto = h.dictionary_object(&[DictSlot::Data(ctor, obj(animal))], None, None);
    let dp_map = h.object_map(&ObjectMap {
        prototype: Some(dict_proto),
        ..ObjectMap::js_object(Vec::new(), 0)
    });
    let dp = h.js_object(dp_map, &[]);
    // 8. An anonymous constructor with an inferred name.
    let widget = h.internalized("Widget");
    let anon_scope = h.scope_info(&ScopeSpec {
        inferred_name: Some(widget),
        ..ScopeSpec::function(&[])
    });
    let anon_sfi = h.shared_function_info(None, Some(anon_scope), None);
    let native = h.native_context(8);
    let anon = h.function_of_type(tables::JS_CLASS_CONSTRUCTOR, anon_sfi, native);
    let w_map = h.object_map(&ObjectMap {
        constructor: Some(anon),
        ..ObjectMap::js_object(Vec::new(), 0)
    });
    let w = h.js_object(w_map, &[]);
    // 9. The class-name fallback.
    let array = h.js_array(ElementsKind::PackedSmi, &[Elem::Value(smi(1))]);
    let date = h.js_date(smi(0));
    let error = h.js_special(tables::JS_ERROR, 5, &[], None, None);
    let plain = h.plain_object(&[("k", smi(1))]);
    let function = named_function(&mut h, "fn");
    // 10. Primitive wrappers by the wrapped value.
    let wrapped_text = h.string("text");
    let boxed = h.heap_number(0.5);
    let symbol = h.symbol(None);
    let wrappers = [
        (obj(wrapped_text), "String"),
        (smi(1), "Number"),
        (obj(boxed), "Number"),
        (obj(h.roots().true_value), "Boolean"),
        (obj(symbol), "Symbol"),
    ];
    let wrappers: Vec<(u64, &str)> = wrappers
        .into_iter()
        .map(|(v, name)| (h.primitive_wrapper(v), name))
        .collect();

    let mem = h.memory();
    let iso = h.open(&mem).expect("opens");
    let cases = [
        (p, "Point"),
        (p2, "Point"),
        (a, "Animal"),
        (d, "Derived"),
        (point_proto, "Object"),
        (tg, "Tagged!"),
        (own, "Own"),
        (dp, "Animal"),
        (w, "Widget"),
        (array, "Array"),
        (date, "Date"),
        (error, "Error"),
        (plain, "Object"),
        (function, "Function"),
    ];
    for (o, expected) in cases.into_iter().chain(wrappers) {
        assert_eq!(constructor_name(&iso, o), expected, "object {o:#x}");
    }
    let (found, name) = iso.model.reader().constructor(p, &map_of(&iso, p));
    assert_eq!((found, name.as_str()), (Some(point), "Point"));
}

// ---- naming ----

#[test]
fn objects_are_named_as_v8_snapshot_names_them() {
    let mut h = SynthHeap::new();
    let s = h.string("some text");
    let cons = h.cons_string(s, s);
    let sliced = h.sliced_string(s, 1, 3);
    let number = h.heap_number(3.5);
    let desc = h.internalized("d");
    let symbol = h.symbol(Some(desc));
    let private = h.private_symbol(None);
    let bigint = h.bigint(&[1], false);
    let array = h.fixed_array(&[smi(1)]);
    let c = h.closure("fn", &[("v", smi(1))]);
    let plain = h.plain_object(&[("a", smi(1))]);
    let native = h.native_context(8);
    let free = h.free_space(32);
    let script_source = h.string("1;");
    let script_name = h.string("file.js");
    let script = h.script(script_source, obj(script_name), 7);
    let mem = h.memory();
    let iso = h.open(&mem).expect("opens");
    let n = |nt: NodeType, name: &str| {
        Some(Naming {
            node_type: nt,
            name: name.to_string().into(),
        })
    };
    let cases = [
        (s, n(NodeType::String, "some text")),
        (
            cons,
            n(NodeType::ConcatenatedString, "(concatenated string)"),
        ),
        (sliced, n(NodeType::SlicedString, "(sliced string)")),
        (number, n(NodeType::Number, "heap number")),
        (symbol, n(NodeType::Symbol, "symbol")),
        (private, n(NodeType::Hidden, "private symbol")),
        (bigint, n(NodeType::BigInt, "bigint")),
        (array, n(NodeType::Array, "")),
        (c.function, n(NodeType::Closure, "fn")),
        (c.context, n(NodeType::Object, "system / Context")),
        (native, n(NodeType::Hidden, "system / NativeContext")),
        (c.shared, n(NodeType::Code, "fn")),
        (c.scope_info, n(NodeType::Code, "system / ScopeInfo")),
        (plain, n(NodeType::Object, "Object")),
        (script, n(NodeType::Code, "file.js")),
        (h.roots().meta_map, n(NodeType::Hidden, "system / Map")),
        (
            map_of(&iso, plain).addr,
            n(NodeType::ObjectShape, "system / Map"),
        ),
        (free, None),
    ];
    for (a, expected) in cases {
        assert_eq!(naming(&iso, a), expected, "object {a:#x}");
    }
}
