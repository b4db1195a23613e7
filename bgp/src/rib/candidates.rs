//! The candidate paths of one prefix, stored inline for the common one or
//! two (a leaf hears each host route from its two spines) and on the heap
//! beyond.

use super::path::Path;

/// A small vector of [`Path`]s: no heap allocation for up to two.
#[derive(Debug, Clone, Default)]
pub(crate) enum Candidates {
    #[default]
    Empty,
    One(Path),
    Two([Path; 2]),
    Many(Vec<Path>),
}

impl Candidates {
    pub(crate) fn as_slice(&self) -> &[Path] {
        match self {
            Candidates::Empty => &[],
            Candidates::One(p) => std::slice::from_ref(p),
            Candidates::Two(ps) => ps,
            Candidates::Many(v) => v,
        }
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [Path] {
        match self {
            Candidates::Empty => &mut [],
            Candidates::One(p) => std::slice::from_mut(p),
            Candidates::Two(ps) => ps,
            Candidates::Many(v) => v,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.as_slice().len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        matches!(self, Candidates::Empty)
    }

    pub(crate) fn push(&mut self, p: Path) {
        *self = match std::mem::take(self) {
            Candidates::Empty => Candidates::One(p),
            Candidates::One(a) => Candidates::Two([a, p]),
            Candidates::Two([a, b]) => {
                let mut v = Vec::with_capacity(4);
                v.extend([a, b, p]);
                Candidates::Many(v)
            }
            Candidates::Many(mut v) => {
                v.push(p);
                Candidates::Many(v)
            }
        }
    }

    /// Removes the element at `i` (order not kept); `None` when out of range.
    pub(crate) fn swap_remove(&mut self, i: usize) -> Option<Path> {
        if i >= self.len() {
            return None;
        }
        let (out, rest) = match std::mem::take(self) {
            Candidates::Empty => return None,
            Candidates::One(a) => (a, Candidates::Empty),
            Candidates::Two([a, b]) => {
                if i == 0 {
                    (a, Candidates::One(b))
                } else {
                    (b, Candidates::One(a))
                }
            }
            Candidates::Many(mut v) => {
                let out = v.swap_remove(i);
                let rest = if v.len() == 2 {
                    let b = v.pop().expect("len 2");
                    let a = v.pop().expect("len 2");
                    Candidates::Two([a, b])
                } else {
                    Candidates::Many(v)
                };
                (out, rest)
            }
        };
        *self = rest;
        Some(out)
    }

    /// The candidates cloned into a new small vector (the first `n`).
    pub(crate) fn prefix(&self, n: usize) -> Candidates {
        let s = self.as_slice();
        match &s[..n.min(s.len())] {
            [] => Candidates::Empty,
            [a] => Candidates::One(a.clone()),
            [a, b] => Candidates::Two([a.clone(), b.clone()]),
            more => Candidates::Many(more.to_vec()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rib::testutil::path;

    #[test]
    fn inline_up_to_two() {
        assert_eq!(std::mem::size_of::<Candidates>(), 48);
        let mut c = Candidates::default();
        for i in 0..5 {
            c.push(path(i, 100, &[1]));
            assert_eq!(c.len(), i as usize + 1);
        }
        assert!(matches!(c, Candidates::Many(_)));
        while !c.is_empty() {
            let n = c.len();
            c.swap_remove(0).unwrap();
            assert_eq!(c.len(), n - 1);
            match c.len() {
                0 => assert!(c.is_empty()),
                1 => assert!(matches!(c, Candidates::One(_))),
                2 => assert!(matches!(c, Candidates::Two(_))),
                _ => assert!(matches!(c, Candidates::Many(_))),
            }
        }
        assert!(c.swap_remove(0).is_none());
    }
}
