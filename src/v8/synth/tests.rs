#[test]
fn dump_node_metadata() {
    let exe = crate::binary::Executable::open(std::path::Path::new("/usr/bin/node")).unwrap();
    let md = crate::binary::metadata::Metadata::read(&exe).unwrap();
    let mut out = String::new();
    for (k, v) in &md.raw {
        out.push_str(&format!("{k} {v}\n"));
    }
    std::fs::write("/tmp/md113.txt", out).unwrap();
    let (types, w) = crate::v8::types::TypeNames::read(&exe, &md);
    let mut out = String::new();
    for t in 0..types.bound() {
        if let Some(n) = types.name(t as u16) {
            out.push_str(&format!("{t} {n}\n"));
        }
    }
    std::fs::write("/tmp/types113.txt", out).unwrap();
    eprintln!("{w:?}");
}
