//! Closures, contexts and scope infos; scripts and function positions.

use super::*;

// ---- functions and contexts ----

#[test]
fn closure_names_and_context_variables_from_the_scope_info() {
    let mut h = SynthHeap::new();
    let s = h.string("label");
    let n = h.heap_number(0.75);
    let c = h.closure(
        "counter",
        &[("count", smi(41)), ("step", obj(n)), ("label", obj(s))],
    );
    // A context with an extension slot: the locals come after it.
    let outer_name = h.internalized("outer");
    let ext_scope = h.scope_info(&ScopeSpec {
        function_name: Some(outer_name),
        context_extension: true,
        outer: Some(c.scope_info),
        ..ScopeSpec::function(&["a", "b"])
    });
    let ext_obj = h.plain_object(&[]);
    let native = h.native_context(8);
    let ext_ctx = h.function_context(ext_scope, native, Some(obj(ext_obj)), &[smi(1), smi(2)]);
    // An uncompiled function: the name is in the shared info itself.
    let lazy_name = h.internalized("lazy");
    let lazy_sfi = h.shared_function_info(Some(lazy_name), None, None);
    let lazy = h.function(lazy_sfi, native);
    // An anonymous function with an inferred name.
    let inferred = h.internalized("obj.handler");
    let anon_scope = h.scope_info(&ScopeSpec {
        inferred_name: Some(inferred),
        ..ScopeSpec::function(&[])
    });
    let anon_sfi = h.shared_function_info(None, Some(anon_scope), None);
    let anon = h.function(anon_sfi, native);
    let mem = h.memory();
    let iso = h.open(&mem).expect("opens");
    assert_eq!(function_name(&iso, c.function), "counter");
    assert_eq!(
        naming(&iso, c.function),
        Some(Naming {
            node_type: NodeType::Closure,
            name: "counter".into()
        })
    );
    assert_eq!(
        iso.model.ptr(c.function, l::JS_FUNCTION_CONTEXT),
        Some(c.context)
    );
    assert_eq!(
        named(&context_variables(&iso, c.context)),
        pairs(&[("count", V::T(smi(41))), ("step", t(n)), ("label", t(s))])
    );
    assert_eq!(
        named(&context_variables(&iso, ext_ctx)),
        pairs(&[("a", V::T(smi(1))), ("b", V::T(smi(2)))])
    );
    assert!(context_variables(&iso, native).is_empty());
    assert_eq!(function_name(&iso, lazy), "lazy");
    assert_eq!(function_name(&iso, anon), "");
    assert_eq!(debug_name(&iso, anon_sfi), "obj.handler");
    assert_eq!(debug_name(&iso, c.shared), "counter");
    let fields = iso.model.scope_info(ext_scope).expect("scope info");
    assert!(fields.has_context_extension_slot);
    assert_eq!(fields.context_local_count, 2);
    assert_eq!(
        fields
            .outer_scope_info
            .and_then(|o| iso.model.ptr(ext_scope, o)),
        Some(c.scope_info)
    );
}

#[test]
fn context_locals_past_the_inline_limit_keep_their_values() {
    let mut h = SynthHeap::new();
    let names: Vec<String> = (0..80).map(|i| format!("v{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let vars: Vec<(&str, Tagged)> = refs
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, smi(i as i32)))
        .collect();
    let c = h.closure("big", &vars);
    let mem = h.memory();
    let iso = h.open(&mem).expect("opens");
    let got = context_variables(&iso, c.context);
    let values: Vec<V> = got.iter().map(|s| v(&s.value)).collect();
    let expected: Vec<V> = (0..80).map(|i| V::T(smi(i))).collect();
    assert_eq!(values, expected);
    assert_eq!(function_name(&iso, c.function), "big");
}

#[test]
fn context_locals_past_the_inline_limit_keep_their_names() {
    let mut h = SynthHeap::new();
    let names: Vec<String> = (0..80).map(|i| format!("v{i}")).collect();
    let vars: Vec<(&str, Tagged)> = names.iter().map(|n| (n.as_str(), smi(0))).collect();
    let c = h.closure("big", &vars);
    let mem = h.memory();
    let iso = h.open(&mem).expect("opens");
    let got: Vec<String> = context_variables(&iso, c.context)
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(got, names);
}

// ---- scripts ----

#[test]
fn script_line_ends_and_function_positions() {
    let mut h = SynthHeap::new();
    // Line terminators: \n, \r\n (one), a lone \r, U+2028.
    let text = "ab\ncd\r\nef\rg\u{2028}h";
    let source = h.string(text);
    let name = h.string("lines.js");
    let script = h.script(source, obj(name), 42);
    let scope = h.scope_info(&ScopeSpec {
        position: (7, 12),
        ..ScopeSpec::function(&[])
    });
    let fname = h.internalized("f");
    let sfi = h.shared_function_info(Some(fname), Some(scope), Some(script));
    let native = h.native_context(8);
    let f = h.function(sfi, native);
    let mem = h.memory();
    let iso = h.open(&mem).expect("opens");
    let lines = iso
        .model
        .reader()
        .script_lines(script)
        .expect("script lines");
    assert_eq!(lines.id, 42);
    assert_eq!(lines.name.as_deref(), Some("lines.js"));
    assert_eq!(lines.ends, vec![2, 6, 9, 11, 13]);
    assert_eq!(lines.position(7), (2, 0));
    assert_eq!(lines.position(10), (3, 0));
    assert_eq!(lines.position(12), (4, 0));
    assert_eq!(iso.model.reader().function_script(f), Some((script, 7)));
    let loc = iso.model.reader().function_location(f).expect("location");
    assert_eq!(
        (loc.script.as_str(), loc.line, loc.column),
        ("lines.js", 3, 1)
    );
}

#[test]
fn function_location_counts_every_line_terminator() {
    let mut h = SynthHeap::new();
    // Line ends as V8 counts them (`String::CalculateLineEnds`): 2, 6, 9 (a lone \r), 11.
    let source = h.string("ab\ncd\r\nef\rg\u{2028}h");
    let name = h.string("lines.js");
    let script = h.script(source, obj(name), 1);
    let native = h.native_context(8);
    let at = |h: &mut SynthHeap, start: i32| {
        let scope = h.scope_info(&ScopeSpec {
            position: (start, start + 1),
            ..ScopeSpec::function(&[])
        });
        let sfi = h.shared_function_info(None, Some(scope), Some(script));
        h.function(sfi, native)
    };
    let after_cr = at(&mut h, 10); // 'g': 0-based line 3, column 0
    let after_ls = at(&mut h, 12); // 'h': 0-based line 4, column 0
    let mem = h.memory();
    let iso = h.open(&mem).expect("opens");
    for (f, line) in [(after_cr, 4), (after_ls, 5)] {
        let loc = iso.model.reader().function_location(f).expect("location");
        assert_eq!((loc.line, loc.column), (line, 1), "function {f:#x}");
    }
}

#[test]
fn oddballs_dates_and_previews() {
    let mut h = SynthHeap::new();
    let r = h.roots();
    let n = h.heap_number(1234.5);
    let d1 = h.js_date(smi(86_400_000));
    let d2 = h.js_date(obj(n));
    let s = h.string("quoted");
    let c = h.closure("named", &[]);
    let mem = h.memory();
    let iso = h.open(&mem).expect("opens");
    assert!(iso.model.reader().is_hole(obj(r.the_hole)));
    for other in [r.undefined, r.null, r.true_value, r.false_value] {
        assert!(!iso.model.reader().is_hole(obj(other)));
    }
    assert_eq!(iso.model.reader().date_value(d1), Some(86_400_000.0));
    assert_eq!(iso.model.reader().date_value(d2), Some(1234.5));
    let preview = |v: Tagged| iso.model.reader().preview(v, 32);
    assert_eq!(preview(smi(-5)), "-5");
    assert_eq!(preview(obj(n)), "1234.5");
    assert_eq!(preview(obj(r.undefined)), "undefined");
    assert_eq!(preview(obj(r.true_value)), "true");
    assert_eq!(preview(obj(s)), "\"quoted\"");
    assert_eq!(
        preview(obj(c.function)),
        format!("<function named {:#x}>", c.function)
    );
}
