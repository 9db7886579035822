//! Roots (found by [`crate::v8::roots`]) and what strong edges reach from them.

use super::{EdgeType, Graph, PageStarts};
use crate::error::Warning;
use crate::memory::Memory;
use crate::v8::isolate::Isolate;
use crate::v8::names::NodeType;
use crate::v8::node::is_global;
use crate::v8::roots::{self, Special};

/// Roots, and what strong edges (`strong`) reach from them. Conservative roots are kept only
/// for what the precise ones do not already reach, so they do not pose as extra owners of
/// objects.
pub(crate) fn roots_and_reach<M: Memory>(
    ctx: &Isolate<'_, M>,
    starts: &PageStarts,
    special: &[Special],
    strong: &impl Strong,
) -> Reach {
    let (found, warnings) = roots::find(ctx, &|a| starts.get(a), special);
    let (conservative, mut roots): (Vec<_>, Vec<_>) = found
        .into_iter()
        .partition(|(name, _)| name == roots::CONSERVATIVE);
    let mut seen = vec![false; starts.len()];
    let precise = roots
        .iter()
        .filter(|(n, _)| n != roots::OBJECT_CACHES)
        .flat_map(|(_, nodes)| nodes.iter().copied());
    spread(&mut seen, precise, strong);
    for (name, candidates) in conservative {
        let mut kept = Vec::new();
        for c in candidates {
            if !seen[c as usize] {
                kept.push(c);
                spread(&mut seen, [c], strong);
            }
        }
        roots.push((name, kept));
    }
    let globals = special
        .iter()
        .filter(|s| {
            seen[s.node as usize] && s.node_type == NodeType::Object && is_global(ctx, s.itype)
        })
        .map(|s| s.node)
        .collect();
    Reach {
        roots,
        reachable: seen,
        globals,
        warnings,
    }
}

/// Roots and what they reach (see `roots_and_reach`).
pub struct Reach {
    pub roots: Vec<(String, Vec<u32>)>,
    pub reachable: Vec<bool>,
    /// Global objects and their proxies that are reachable: the user roots.
    pub globals: Vec<u32>,
    pub warnings: Vec<Warning>,
}

/// Strong (non-weak) edges of each node, for reachability.
pub(crate) trait Strong {
    /// Call `f` with the target of every strong edge of node `i`.
    fn each(&self, i: u32, f: impl FnMut(u32));
}

/// Mark what strong edges reach from `starts` (the starts included) in `seen`.
pub(super) fn spread(
    seen: &mut [bool],
    starts: impl IntoIterator<Item = u32>,
    strong: &impl Strong,
) {
    let mut queue: Vec<u32> = Vec::new();
    for r in starts {
        if !seen[r as usize] {
            seen[r as usize] = true;
            queue.push(r);
        }
    }
    while let Some(i) = queue.pop() {
        strong.each(i, |t| {
            if !seen[t as usize] {
                seen[t as usize] = true;
                queue.push(t);
            }
        });
    }
}

impl Strong for Graph {
    fn each(&self, i: u32, mut f: impl FnMut(u32)) {
        for e in self.edges_of(i) {
            if e.kind != EdgeType::Weak {
                f(e.to);
            }
        }
    }
}
