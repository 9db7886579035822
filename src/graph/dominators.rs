//! Dominators and retained sizes, the way DevTools computes them from a snapshot: a synthetic root
//! retains the root categories and (by shortcut edges) the global objects; weak edges, shortcut
//! edges other than the root's, and self edges are not retaining. The dominator tree is computed
//! with the iterative algorithm of Cooper, Harvey and Kennedy over a reverse post-order (linear in
//! practice), and a node's retained size is its self size plus that of everything it dominates.

use super::{EdgeType, Graph};

/// Virtual node numbering: 0 = root, 1..=C = root categories, then heap node i at C + 1 + i.
pub struct Dominators {
    /// Immediate dominator of each virtual node (root: itself); `u32::MAX` when unreachable.
    pub idom: Vec<u32>,
    /// Retained size of each virtual node.
    pub retained: Vec<u64>,
    /// Number of root categories (offset of heap nodes is `categories + 1`).
    pub categories: u32,
}

const NONE: u32 = u32::MAX;

impl Dominators {
    /// The heap node behind virtual node `v`, if any.
    pub fn heap_node(&self, v: u32) -> Option<u32> {
        v.checked_sub(self.categories + 1)
    }

    /// The virtual node of heap node `i`.
    pub fn virtual_of(&self, i: u32) -> u32 {
        i + self.categories + 1
    }

    /// Compute the dominator tree of `g` with `globals` as the root's shortcut targets.
    pub fn compute(g: &Graph, globals: &[u32]) -> Dominators {
        let c = g.roots.len() as u32;
        let off = c + 1;
        let n = g.addrs.len() as u32 + off;
        // DevTools' page objects: what the global objects reach by non-weak edges.
        let page = g.closure(globals.iter().copied());
        // Successors of a virtual node, retaining edges only. Like DevTools, an edge from an
        // object outside the page (not reachable from the global objects) into it does not
        // retain: what the page holds is attributed to the page.
        let succ = |v: u32, out: &mut Vec<u32>| {
            out.clear();
            if v == 0 {
                out.extend(1..=c);
                out.extend(globals.iter().map(|&i| i + off));
            } else if v <= c {
                let (name, members) = &g.roots[(v - 1) as usize];
                if name != crate::v8::roots::OBJECT_CACHES {
                    out.extend(
                        members
                            .iter()
                            .filter(|&&i| !page[i as usize])
                            .map(|&i| i + off),
                    );
                }
            } else {
                let i = v - off;
                for e in g.edges_of(i) {
                    if matches!(e.kind, EdgeType::Weak | EdgeType::Shortcut) || e.to == i {
                        continue;
                    }
                    if g.reachable[e.to as usize] && (page[i as usize] || !page[e.to as usize]) {
                        out.push(e.to + off);
                    }
                }
            }
        };
        // Reverse post-order by iterative DFS.
        let mut order: Vec<u32> = Vec::with_capacity(n as usize);
        let mut rpo_index = vec![NONE; n as usize];
        let mut visited = vec![false; n as usize];
        let mut stack: Vec<(u32, Vec<u32>, usize)> = Vec::new();
        let mut buf = Vec::new();
        succ(0, &mut buf);
        visited[0] = true;
        stack.push((0, buf.clone(), 0));
        while let Some(top) = stack.last_mut() {
            if top.2 < top.1.len() {
                let w = top.1[top.2];
                top.2 += 1;
                if !visited[w as usize] {
                    visited[w as usize] = true;
                    succ(w, &mut buf);
                    stack.push((w, buf.clone(), 0));
                }
            } else {
                order.push(top.0);
                stack.pop();
            }
        }
        order.reverse();
        for (k, &v) in order.iter().enumerate() {
            rpo_index[v as usize] = k as u32;
        }
        // Predecessors (retaining edges between reachable virtual nodes), as CSR.
        let mut pred_count = vec![0u32; n as usize + 1];
        for &v in &order {
            succ(v, &mut buf);
            for &w in &buf {
                pred_count[w as usize + 1] += 1;
            }
        }
        for k in 1..pred_count.len() {
            pred_count[k] += pred_count[k - 1];
        }
        let mut preds = vec![0u32; pred_count[n as usize] as usize];
        let mut fill = pred_count.clone();
        for &v in &order {
            succ(v, &mut buf);
            for &w in &buf {
                preds[fill[w as usize] as usize] = v;
                fill[w as usize] += 1;
            }
        }
        // Cooper-Harvey-Kennedy.
        let mut idom = vec![NONE; n as usize];
        idom[0] = 0;
        let intersect = |idom: &[u32], mut a: u32, mut b: u32| -> u32 {
            while a != b {
                while rpo_index[a as usize] > rpo_index[b as usize] {
                    a = idom[a as usize];
                }
                while rpo_index[b as usize] > rpo_index[a as usize] {
                    b = idom[b as usize];
                }
            }
            a
        };
        let mut changed = true;
        let mut rounds = 0;
        while changed && rounds < 1000 {
            changed = false;
            rounds += 1;
            for &v in order.iter().skip(1) {
                let ps =
                    &preds[pred_count[v as usize] as usize..pred_count[v as usize + 1] as usize];
                let mut new = NONE;
                for &p in ps {
                    if idom[p as usize] == NONE {
                        continue;
                    }
                    new = if new == NONE {
                        p
                    } else {
                        intersect(&idom, p, new)
                    };
                }
                if new != NONE && idom[v as usize] != new {
                    idom[v as usize] = new;
                    changed = true;
                }
            }
        }
        // Retained sizes: children before parents (reverse of reverse post-order), from self
        // sizes adjusted as DevTools adjusts them.
        let sizes = shallow_sizes(g);
        let mut retained = vec![0u64; n as usize];
        for &v in &order {
            if v >= off {
                retained[v as usize] = sizes[(v - off) as usize];
            }
        }
        for &v in order.iter().rev() {
            let d = idom[v as usize];
            if v != 0 && d != NONE {
                retained[d as usize] += retained[v as usize];
            }
        }
        Dominators {
            idom,
            retained,
            categories: c,
        }
    }

    /// Children lists of the dominator tree (CSR: start offsets, children).
    pub fn children(&self) -> (Vec<u32>, Vec<u32>) {
        let n = self.idom.len();
        let mut start = vec![0u32; n + 1];
        for (v, &d) in self.idom.iter().enumerate() {
            if v != 0 && d != NONE {
                start[d as usize + 1] += 1;
            }
        }
        for k in 1..start.len() {
            start[k] += start[k - 1];
        }
        let mut kids = vec![0u32; start[n] as usize];
        let mut fill = start.clone();
        for (v, &d) in self.idom.iter().enumerate() {
            if v != 0 && d != NONE {
                kids[fill[d as usize] as usize] = v as u32;
                fill[d as usize] += 1;
            }
        }
        (start, kids)
    }
}

/// DevTools' shallow sizes: a hidden or array node reached (by non-weak edges) from exactly one
/// other node's ownership closure gives its size to that owner.
pub fn shallow_sizes(g: &Graph) -> Vec<u64> {
    use crate::v8::names::NodeType;
    const UNVISITED: u32 = u32::MAX;
    const MULTIPLE: u32 = u32::MAX - 1;
    let n = g.addrs.len();
    // DevTools transfers sizes only in snapshots with user roots (global objects).
    if g.globals.is_empty() {
        return g.sizes.clone();
    }
    let mut owners = vec![UNVISITED; n];
    let mut work: Vec<u32> = Vec::new();
    for (i, owner) in owners.iter_mut().enumerate() {
        if !g.reachable[i] || matches!(g.types[i], NodeType::Hidden | NodeType::Array) {
            continue;
        }
        *owner = i as u32;
        work.push(i as u32);
    }
    // The root categories are nodes of the written snapshot (synthetic ones, owning nothing but
    // claiming what they point to, as DevTools sees them); weak ones do not claim.
    for (k, (name, members)) in g.roots.iter().enumerate() {
        if name == crate::v8::roots::OBJECT_CACHES {
            continue;
        }
        let category = (n + k) as u32;
        for &m in members {
            match owners[m as usize] {
                UNVISITED => {
                    owners[m as usize] = category;
                    work.push(m);
                }
                x if x == m || x == category || x == MULTIPLE => {}
                _ => {
                    owners[m as usize] = MULTIPLE;
                    work.push(m);
                }
            }
        }
    }
    while let Some(id) = work.pop() {
        let owner = owners[id as usize];
        for e in g.edges_of(id) {
            if e.kind == EdgeType::Weak || !g.reachable[e.to as usize] {
                continue;
            }
            let t = e.to as usize;
            match owners[t] {
                UNVISITED => {
                    owners[t] = owner;
                    work.push(e.to);
                }
                x if x == e.to || x == owner || x == MULTIPLE => {}
                _ => {
                    owners[t] = MULTIPLE;
                    work.push(e.to);
                }
            }
        }
    }
    let mut sizes = g.sizes.clone();
    for i in 0..n {
        let o = owners[i];
        // Synthetic nodes (a file's root and root categories) own nothing.
        if o != UNVISITED
            && o != MULTIPLE
            && o as usize != i
            && (o as usize) < n
            && g.types[o as usize] != NodeType::Synthetic
        {
            let s = sizes[i];
            sizes[i] = 0;
            sizes[o as usize] += s;
        }
    }
    sizes
}
