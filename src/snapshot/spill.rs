//! The object graph on its way into a heap snapshot, kept mostly on disk: node records, edge
//! records, string texts and source locations go to temporary files as they are read, in node
//! order, and only what reachability needs stays in memory (each edge's target, 4 bytes, and
//! each node's first edge, 4 bytes). The snapshot writer then reads the files back once, in
//! order. A heap of 30 M objects and 80 M edges needs about 0.8 GB this way (batches in flight
//! included), against 2.6 GB for the whole [`Graph`](crate::graph::Graph).
//!
//! Records (little-endian):
//! - node: type (u8, index in [`ALL`]), name (u32: an interned string, or [`TEXT`] + k for the
//!   k-th text), self size (u32, saturated);
//! - edge: `name << 3 | type` as a LEB128 varint (most take one or two bytes); its target is in
//!   memory. The byte offset of the first edge of every [`EDGE_CHUNK`]-th node is kept, so that
//!   chunks of nodes can be decoded in parallel;
//! - text: length (u32), then the UTF-8 bytes;
//! - location: node, script id, line, column (u32 each).

use crate::graph::{
    read_heap, roots_and_reach, Edge, EdgeType, Patches, RawNode, Reach, Sink, Strings, Strong,
    EDGE_KINDS,
};
use crate::memory::Memory;
use crate::progress::{Progress, Unit};
use crate::v8::isolate::Isolate;
use crate::v8::names::{NodeType, ALL};
use std::fs::File;
use std::io::{BufReader, Read, Seek, Write};
use std::path::Path;

/// Names from this value on are texts of string nodes: `TEXT + k` is the k-th text.
pub const TEXT: u32 = 1 << 31;
/// Targets with this bit set are those of weak edges.
const WEAK: u32 = 1 << 31;

pub const NODE_RECORD: usize = 9;
/// Nodes per chunk of edge records with a known start (see [`Spilled::edge_chunks`]).
pub const EDGE_CHUNK: usize = 1 << 15;
pub const LOCATION_RECORD: usize = 16;

/// A spill file being written: records gather in a buffer written out a megabyte at a time.
/// Records are composed in a register and stored whole (byte-by-byte stores read back as one
/// word stall the CPU, tens of millions of times).
struct Out {
    file: File,
    buf: Vec<u8>,
    /// Bytes flushed to the file.
    written: u64,
}

impl Out {
    const FLUSH: usize = 1 << 20;

    fn new(file: File) -> Out {
        Out {
            file,
            buf: Vec::with_capacity(Self::FLUSH + 64),
            written: 0,
        }
    }

    /// Bytes written so far.
    fn position(&self) -> u64 {
        self.written + self.buf.len() as u64
    }

    /// Append `v` as a LEB128 varint.
    fn put_varint(&mut self, mut v: u64) -> std::io::Result<()> {
        while v >= 0x80 {
            self.buf.push(v as u8 | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
        if self.buf.len() >= Self::FLUSH {
            self.flush()?;
        }
        Ok(())
    }

    /// Append the low `n` bytes of `v`, little-endian.
    fn put(&mut self, v: u64, n: usize) -> std::io::Result<()> {
        let at = self.buf.len();
        self.buf.extend_from_slice(&v.to_le_bytes());
        self.buf.truncate(at + n.min(8));
        if self.buf.len() >= Self::FLUSH {
            self.flush()?;
        }
        Ok(())
    }

    fn bytes(&mut self, b: &[u8]) -> std::io::Result<()> {
        if self.buf.len() + b.len() > Self::FLUSH {
            self.flush()?;
        }
        if b.len() >= Self::FLUSH {
            self.written += b.len() as u64;
            return self.file.write_all(b);
        }
        self.buf.extend_from_slice(b);
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.write_all(&self.buf)?;
        self.written += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }
}

/// The spill files while they are written: the [`Sink`] of [`build`].
struct Spill {
    nodes: Out,
    edges: Out,
    texts: Out,
    locations: Out,
    text_count: u32,
    starts: Vec<u32>,
    targets: Vec<u32>,
    /// Byte offset of the edges of every [`EDGE_CHUNK`]-th node.
    edge_chunks: Vec<u64>,
    /// The first failure (writing a file, or a heap beyond the record formats' limits).
    error: Option<std::io::Error>,
}

impl Spill {
    fn check(&mut self, r: std::io::Result<()>) {
        if let (Err(e), None) = (r, &self.error) {
            self.error = Some(e);
        }
    }

    fn too_big(&mut self, what: &str) {
        self.check(Err(std::io::Error::other(format!(
            "the heap has more {what} than a snapshot can hold"
        ))));
    }
}

impl Sink for Spill {
    fn reserve_nodes(&mut self, n: usize) {
        if n >= WEAK as usize {
            self.too_big("objects");
        }
        self.starts.reserve(n + 1);
    }

    fn reserve_edges(&mut self, expected: usize) {
        self.targets
            .reserve(expected.saturating_sub(self.targets.len()));
    }

    fn text(&mut self, _strings: &mut Strings, s: &str) -> u32 {
        let k = self.text_count;
        if k >= TEXT - 1 {
            self.too_big("strings");
            return 0;
        }
        self.text_count += 1;
        let len = u32::try_from(s.len()).unwrap_or(u32::MAX);
        let bytes = &s.as_bytes()[..len as usize];
        let r = self
            .texts
            .put(u64::from(len), 4)
            .and_then(|()| self.texts.bytes(bytes));
        self.check(r);
        TEXT + k
    }

    fn node(&mut self, raw: &RawNode, name: u32) {
        let size = u64::from(u32::try_from(raw.size).unwrap_or(u32::MAX));
        let head = raw.node_type.index() as u64 | u64::from(name) << 8 | (size & 0xff_ffff) << 40;
        let r = self
            .nodes
            .put(head, 8)
            .and_then(|()| self.nodes.put(size >> 24, 1));
        self.check(r);
        if self.starts.len().is_multiple_of(EDGE_CHUNK) {
            self.edge_chunks.push(self.edges.position());
        }
        match u32::try_from(self.targets.len()) {
            Ok(k) => self.starts.push(k),
            Err(_) => {
                self.too_big("references");
                self.starts.push(u32::MAX);
            }
        }
    }

    fn edge(&mut self, e: Edge) {
        let r = self
            .edges
            .put_varint(e.kind as u64 | u64::from(e.name) << 3);
        self.check(r);
        let weak = if e.kind == EdgeType::Weak { WEAK } else { 0 };
        self.targets.push(e.to | weak);
    }

    fn location(&mut self, i: u32, at: [u32; 3]) {
        let pair = |a: u32, b: u32| u64::from(a) | u64::from(b) << 32;
        let r = self
            .locations
            .put(pair(i, at[0]), 8)
            .and_then(|()| self.locations.put(pair(at[1], at[2]), 8));
        self.check(r);
    }
}

/// A heap read into spill files, with its roots and what they reach.
pub struct Spilled {
    /// Heap nodes.
    pub n: usize,
    /// Interned names (node names other than texts, edge names).
    pub strings: Strings,
    /// Texts of string nodes, in the texts file.
    pub texts: u32,
    /// Edges of node `i`: `starts[i]..starts[i + 1]`, in the edge file and in `targets`.
    pub starts: Vec<u32>,
    /// Byte offset in the edge file of the edges of nodes `k * EDGE_CHUNK`, then the file's
    /// length.
    pub edge_chunks: Vec<u64>,
    targets: Vec<u32>,
    nodes_file: File,
    edges_file: File,
    texts_file: File,
    locations_file: File,
    pub backing_stores: Vec<(u32, u64)>,
    pub patches: Patches,
    pub reach: Reach,
}

impl Strong for Spilled {
    fn each(&self, i: u32, mut f: impl FnMut(u32)) {
        for &t in self.edge_targets(i as usize) {
            if t & WEAK == 0 {
                f(t);
            }
        }
    }
}

/// One of the spill files, read from its start.
pub type Records = BufReader<File>;

impl Spilled {
    /// Targets of node `i`'s edges (weak ones marked: see [`Spilled::target`]).
    pub fn edge_targets(&self, i: usize) -> &[u32] {
        let (a, b) = (self.starts[i] as usize, self.starts[i + 1] as usize);
        self.targets.get(a..b).unwrap_or(&[])
    }

    /// Whether an entry of [`Spilled::edge_targets`] is a weak edge's.
    pub fn is_weak(t: u32) -> bool {
        t & WEAK != 0
    }

    /// The node an entry of [`Spilled::edge_targets`] points to.
    pub fn target(t: u32) -> u32 {
        t & !WEAK
    }

    pub fn nodes(&self) -> std::io::Result<Records> {
        reader(&self.nodes_file)
    }

    pub fn edges(&self) -> std::io::Result<Records> {
        reader(&self.edges_file)
    }

    pub fn texts(&self) -> std::io::Result<Records> {
        reader(&self.texts_file)
    }

    pub fn locations(&self) -> std::io::Result<Records> {
        reader(&self.locations_file)
    }
}

/// A node record: (type, name, self size).
pub fn node_record(r: &[u8]) -> (NodeType, u32, u32) {
    let t = ALL
        .get(usize::from(r[0]))
        .copied()
        .unwrap_or(NodeType::Hidden);
    let name = u32::from_le_bytes([r[1], r[2], r[3], r[4]]);
    let size = u32::from_le_bytes([r[5], r[6], r[7], r[8]]);
    (t, name, size)
}

/// The edge record at `*at` in `r`: (type, name or index); `*at` moves past it. A record cut
/// short reads as what it has.
pub fn edge_record(r: &[u8], at: &mut usize) -> (EdgeType, u32) {
    let mut v: u64 = 0;
    let mut shift = 0;
    while let Some(&b) = r.get(*at) {
        *at += 1;
        v |= u64::from(b & 0x7f) << shift.min(63);
        shift += 7;
        if b & 0x80 == 0 {
            break;
        }
    }
    let kind = EDGE_KINDS
        .get((v & 7) as usize)
        .copied()
        .unwrap_or(EdgeType::Hidden);
    (kind, (v >> 3) as u32)
}

/// Field `k` of a location record.
pub fn location_field(r: &[u8], k: usize) -> u32 {
    u32::from_le_bytes([r[4 * k], r[4 * k + 1], r[4 * k + 2], r[4 * k + 3]])
}

fn reader(f: &File) -> std::io::Result<Records> {
    let mut f = f.try_clone()?;
    f.rewind()?;
    Ok(BufReader::with_capacity(1 << 20, f))
}

/// A file in `dir` that no other process can open and that disappears when closed (it is
/// unlinked as soon as it is created).
fn temp_file(dir: &Path) -> std::io::Result<File> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    loop {
        let k = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!(".corewalk-spill.{}.{k}", std::process::id()));
        match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => {
                std::fs::remove_file(&path)?;
                return Ok(f);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Read an opened heap into spill files in `dir`, then find its roots and what they reach.
pub fn build<M: Memory>(
    ctx: &Isolate<'_, M>,
    progress: &dyn Progress,
    dir: &Path,
) -> std::io::Result<Spilled> {
    let (nodes_file, edges_file, texts_file, locations_file) = (
        temp_file(dir)?,
        temp_file(dir)?,
        temp_file(dir)?,
        temp_file(dir)?,
    );
    let spill = Spill {
        nodes: Out::new(nodes_file.try_clone()?),
        edges: Out::new(edges_file.try_clone()?),
        texts: Out::new(texts_file.try_clone()?),
        locations: Out::new(locations_file.try_clone()?),
        text_count: 0,
        starts: Vec::new(),
        targets: Vec::new(),
        edge_chunks: Vec::new(),
        error: None,
    };
    let r = read_heap(ctx, progress, spill);
    let mut sp = r.sink;
    if let Some(e) = sp.error.take() {
        return Err(e);
    }
    for w in [
        &mut sp.nodes,
        &mut sp.edges,
        &mut sp.texts,
        &mut sp.locations,
    ] {
        w.flush()?;
    }
    match u32::try_from(sp.targets.len()) {
        Ok(k) => sp.starts.push(k),
        Err(_) => return Err(std::io::Error::other("too many references")),
    }
    sp.edge_chunks.push(sp.edges.position());
    let mut spilled = Spilled {
        n: r.starts.len(),
        strings: r.strings,
        texts: sp.text_count,
        starts: sp.starts,
        edge_chunks: sp.edge_chunks,
        targets: sp.targets,
        nodes_file,
        edges_file,
        texts_file,
        locations_file,
        backing_stores: r.backing_stores,
        patches: r.patches,
        reach: Reach {
            roots: Vec::new(),
            reachable: Vec::new(),
            globals: Vec::new(),
            warnings: Vec::new(),
        },
    };
    progress.start("finding roots", 1, Unit::Items);
    spilled.reach = roots_and_reach(ctx, &r.starts, &r.special, &spilled);
    let mut warnings = r.warnings;
    warnings.append(&mut spilled.reach.warnings);
    spilled.reach.warnings = warnings;
    progress.finish();
    Ok(spilled)
}

/// Read exactly `len` more bytes of `r` into `buf` (replacing its contents).
pub fn read_into(r: &mut Records, buf: &mut Vec<u8>, len: usize) -> std::io::Result<()> {
    buf.clear();
    buf.resize(len, 0);
    r.read_exact(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_back_as_written() {
        let dir = std::env::temp_dir();
        let files: Vec<File> = (0..4).map(|_| temp_file(&dir).unwrap()).collect();
        let mut sp = Spill {
            nodes: Out::new(files[0].try_clone().unwrap()),
            edges: Out::new(files[1].try_clone().unwrap()),
            texts: Out::new(files[2].try_clone().unwrap()),
            locations: Out::new(files[3].try_clone().unwrap()),
            text_count: 0,
            starts: Vec::new(),
            targets: Vec::new(),
            edge_chunks: Vec::new(),
            error: None,
        };
        let mut strings = Strings::default();
        let mut raw = RawNode::empty(0x1000, 0);
        raw.size = 1 << 40; // saturates
        let first = sp.text(&mut strings, "héllo \"x\"");
        sp.node(&raw, first);
        sp.edge(Edge {
            kind: EdgeType::Weak,
            name: 7,
            to: 1,
        });
        sp.edge(Edge {
            kind: EdgeType::Property,
            name: 3,
            to: 0,
        });
        sp.location(0, [5, 6, 7]);
        raw.node_type = NodeType::Array;
        raw.size = 24;
        sp.node(&raw, 4);
        for w in [
            &mut sp.nodes,
            &mut sp.edges,
            &mut sp.texts,
            &mut sp.locations,
        ] {
            w.flush().unwrap();
        }
        assert!(sp.error.is_none());
        assert_eq!(first, TEXT);
        assert_eq!(sp.starts, vec![0, 2]);
        assert_eq!(sp.targets, vec![1 | WEAK, 0]);
        assert_eq!(Spilled::target(sp.targets[0]), 1);

        let mut buf = Vec::new();
        read_into(&mut reader(&files[0]).unwrap(), &mut buf, 2 * NODE_RECORD).unwrap();
        assert_eq!(node_record(&buf), (NodeType::Hidden, TEXT, u32::MAX));
        assert_eq!(node_record(&buf[NODE_RECORD..]), (NodeType::Array, 4, 24));
        // Two varints: 7 << 3 | 6 (one byte), 3 << 3 | 2 (one byte).
        assert_eq!(sp.edge_chunks, vec![0]);
        read_into(&mut reader(&files[1]).unwrap(), &mut buf, 2).unwrap();
        let mut at = 0;
        assert_eq!(edge_record(&buf, &mut at), (EdgeType::Weak, 7));
        assert_eq!(edge_record(&buf, &mut at), (EdgeType::Property, 3));
        assert_eq!(at, 2);
        // Long names take more bytes and read back whole.
        let mut out = Out::new(temp_file(&dir).unwrap());
        for name in [0u32, 15, 16, 1 << 20, u32::MAX] {
            out.put_varint(4 | u64::from(name) << 3).unwrap();
        }
        let end = out.position() as usize;
        out.flush().unwrap();
        read_into(&mut reader(&out.file).unwrap(), &mut buf, end).unwrap();
        let mut at = 0;
        for name in [0u32, 15, 16, 1 << 20, u32::MAX] {
            assert_eq!(edge_record(&buf, &mut at), (EdgeType::Hidden, name));
        }
        assert_eq!(at, end);
        assert_eq!(edge_record(&[0x80], &mut 0), (EdgeType::Context, 0));
        let mut texts = Vec::new();
        reader(&files[2]).unwrap().read_to_end(&mut texts).unwrap();
        assert_eq!(&texts[..4], &("héllo \"x\"".len() as u32).to_le_bytes());
        assert_eq!(&texts[4..], "héllo \"x\"".as_bytes());
        read_into(&mut reader(&files[3]).unwrap(), &mut buf, LOCATION_RECORD).unwrap();
        let fields: Vec<u32> = (0..4).map(|k| location_field(&buf, k)).collect();
        assert_eq!(fields, vec![0, 5, 6, 7]);
        // Nothing is left behind in the directory.
        let pid = format!(".corewalk-spill.{}.", std::process::id());
        assert!(!std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with(&pid)));
    }
}
