//! `corewalk objects` and `corewalk inspect` on a core of testdata/zoo.js: the values the workload's
//! source puts in its objects come back decoded.

mod common;

use common::*;
use serde_json::Value;

fn inspect(core: &str, addr: &str) -> Value {
    corewalk_json(&["inspect", core, addr, "--json"])
}

/// The address of `name` among an inspected object's properties.
fn prop<'a>(obj: &'a Value, name: &str) -> &'a str {
    obj["properties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["address"].as_str())
        .unwrap_or_else(|| panic!("no property {name} in {obj}"))
}

fn items(v: &Value) -> Vec<(String, String)> {
    v["elements"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["name"].as_str().unwrap().to_string(),
                i["value"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn check(major: u32) {
    let made = core_of("zoo.js", major, "kernel");
    let core = p(&made.core);

    // Instances of a class: all of them counted, the listed ones previewed with their fields.
    let r = corewalk_json(&[
        "objects", core, "--class", "Session", "--limit", "5", "--json",
    ]);
    assert_eq!(r["count"], 1234, "Node {major}");
    let first = r["objects"][0]["preview"].as_str().unwrap();
    assert!(first.starts_with("Session {id: "), "{first}");
    let session = r["objects"][0]["address"].as_str().unwrap().to_string();

    // One Session: id, user ("user-" + id), started (a Date of 1700000000000 + id).
    let s = inspect(core, &session);
    assert_eq!(s["class"], "Session");
    let id: i64 = s["properties"][0]["value"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(s["properties"][0]["name"], "id");
    assert_eq!(s["properties"][1]["value"], format!("\"user-{id}\""));
    let date = inspect(core, prop(&s, "started"));
    assert_eq!(date["class"], "Date");
    let want = corewalk::report::inspect::format_date((1_700_000_000_000 + id) as f64);
    assert_eq!(date["date"], want.as_str(), "Node {major}");

    // The zoo object (globalThis.zoo) and what hangs off it.
    let all = corewalk_json(&[
        "objects", core, "--class", "Object", "--limit", "100000", "--json",
    ]);
    let zoo = all["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| {
            o["preview"]
                .as_str()
                .unwrap()
                .starts_with("Object {sessions: <Array")
        })
        .expect("the zoo object");
    let zoo = inspect(core, zoo["address"].as_str().unwrap());
    let arr = |name: &str| inspect(core, prop(&zoo, name));

    let smis = arr("smis");
    assert_eq!(smis["elements"]["kind"], "PACKED_SMI_ELEMENTS");
    let v: Vec<String> = items(&smis).into_iter().map(|i| i.1).collect();
    assert_eq!(v, ["1", "2", "3", "4", "5"]);
    let doubles = arr("doubles");
    assert_eq!(doubles["elements"]["kind"], "PACKED_DOUBLE_ELEMENTS");
    let v: Vec<String> = items(&doubles).into_iter().map(|i| i.1).collect();
    assert_eq!(v, ["1.5", "2.5", "3.5"]);
    let holey = arr("holey");
    assert_eq!(holey["elements"]["length"], 11);
    let v: Vec<String> = items(&holey).into_iter().map(|i| i.1).collect();
    assert_eq!(&v[..3], ["1", "<hole>", "3"]);
    assert_eq!(v[10], "7");
    let hd = arr("holeyDoubles");
    assert_eq!(hd["elements"]["kind"], "HOLEY_DOUBLE_ELEMENTS");
    let v: Vec<String> = items(&hd).into_iter().map(|i| i.1).collect();
    assert_eq!(v, ["1.1", "<hole>", "3.3"]);
    let sparse = arr("sparse");
    assert_eq!(sparse["elements"]["kind"], "DICTIONARY_ELEMENTS");
    assert_eq!(sparse["elements"]["length"], 100001);
    assert_eq!(
        items(&sparse),
        [("100000".to_string(), "\"far\"".to_string())]
    );

    let map = arr("map");
    assert_eq!(map["entries_total"], 300);
    assert_eq!(map["entries"][0]["name"], "\"k0\"");
    let v0 = inspect(core, map["entries"][0]["address"].as_str().unwrap());
    assert_eq!(v0["properties"][0]["name"], "v");
    assert_eq!(v0["properties"][0]["value"], "0");
    let set = arr("set");
    assert_eq!(set["entries_total"], 200);
    assert_eq!(set["entries"][199]["name"], "199");

    // Strings in every representation.
    let cons = arr("cons");
    assert_eq!(cons["type"], "concatenated string");
    let mut want = String::from("left part of a cons string ");
    for i in 0..20 {
        want += &format!("piece {i} ");
    }
    assert_eq!(cons["string"]["text"], want.as_str());
    let two = arr("twoByte");
    assert!(two["string"]["text"]
        .as_str()
        .unwrap()
        .starts_with("two-byte \u{4e16}\u{754c} string "));
    let sliced = arr("sliced");
    assert_eq!(sliced["type"], "sliced string");
    assert_eq!(sliced["string"]["length"], 1490);
    assert_eq!(sliced["string"]["text"], "x".repeat(1490).as_str());
    let src = arr("extStr");
    assert!(src["string"]["text"]
        .as_str()
        .unwrap()
        .starts_with("'use strict';\n// Many kinds"));

    // Closures: name, location, the captured variable.
    let closures = arr("closures");
    let c3 = inspect(
        core,
        closures["elements"]["items"][3]["address"]
            .as_str()
            .unwrap(),
    );
    assert_eq!(c3["function"]["name"], "counter");
    assert!(c3["function"]["script"]
        .as_str()
        .unwrap()
        .ends_with("testdata/zoo.js"));
    assert_eq!(c3["function"]["line"], 39);
    assert_eq!(c3["context"][0]["name"], "count");
    assert_eq!(c3["context"][0]["value"], "3");

    // External strings (Node's own module sources): text read through the resource's data.
    let req = corewalk_json(&[
        "objects", core, "--class", "require", "--limit", "1", "--json",
    ]);
    let f = inspect(core, req["objects"][0]["address"].as_str().unwrap());
    let src = inspect(
        core,
        f["function"]["source"].as_str().expect("script source"),
    );
    assert_eq!(
        src["string"]["representation"], "external one-byte",
        "Node {major}"
    );
    let text = src["string"]["text"].as_str().unwrap();
    assert!(
        text.contains("require"),
        "Node {major}: {}",
        &text[..text.len().min(200)]
    );

    // Dictionary-mode objects: 42 properties left after deleting `a`.
    let dicts = arr("dicts");
    let d0 = inspect(
        core,
        dicts["elements"]["items"][0]["address"].as_str().unwrap(),
    );
    let names: Vec<&str> = d0["properties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 42, "{names:?}");
    assert!(names.contains(&"p39") && !names.contains(&"a"));
}

#[test]
fn objects_and_inspect_on_node20() {
    check(20);
}

#[test]
fn objects_and_inspect_on_node22() {
    check(22);
}

#[test]
fn objects_and_inspect_on_node24() {
    check(24);
}

#[test]
fn objects_and_inspect_on_node26() {
    check(26);
}

#[test]
fn an_address_that_is_not_an_object_is_refused() {
    let made = core_of("zoo.js", 22, "kernel");
    let core = p(&made.core);
    let r = corewalk_json(&[
        "objects", core, "--class", "Session", "--limit", "1", "--json",
    ]);
    let a = u64::from_str_radix(
        r["objects"][0]["address"]
            .as_str()
            .unwrap()
            .trim_start_matches("0x"),
        16,
    )
    .unwrap();
    let out = corewalk(&["inspect", core, &format!("{:#x}", a + 8)]);
    assert_refused(&out, "inside");
    let out = corewalk(&["inspect", core, "0x10"]);
    assert_refused(&out, "not in the V8 heap");
    let out = corewalk(&["inspect", core, "zzz"]);
    assert_refused(&out, "not a hex address");
}
