fn main() {
    let path = std::env::args().nth(1).unwrap();
    let p = corewalk::process::Process::open(path.as_ref(), &Default::default()).unwrap();
    let mem = p.memory();
    println!("pid {:?} exe {:?} base {:#x} bias {:#x} {:?}", p.pid(), p.exe.path(), p.exe_base, p.bias, p.build_id);
    println!("argv {:?}", p.argv(&mem));
    println!("execfn {:?} threads {} warnings {:?}", p.execfn(&mem), p.core.threads.len(), p.warnings);
    let m = corewalk::binary::metadata::Metadata::read(&p.exe).unwrap();
    println!("v8dbg {}", m.raw.len());
}
