//! Attribute interning: equal attribute sets share one allocation, so
//! 100,000 routes from one peer with the same attributes cost one
//! [`PathAttrs`], not 100,000.

use std::collections::HashSet;
use std::sync::Arc;

use super::path::PathAttrs;

/// A set of interned attribute sets.
///
/// The owner calls [`AttrInterner::gc`] now and then (say after each
/// batch of UPDATEs, or every few seconds) to drop sets no route uses.
#[derive(Debug, Default)]
pub struct AttrInterner {
    set: HashSet<Arc<PathAttrs>>,
}

impl AttrInterner {
    /// An empty interner.
    pub fn new() -> Self {
        Self::default()
    }

    /// The shared copy of `attrs`, created on first use.
    pub fn intern(&mut self, attrs: PathAttrs) -> Arc<PathAttrs> {
        if let Some(a) = self.set.get(&attrs) {
            return Arc::clone(a);
        }
        let a = Arc::new(attrs);
        self.set.insert(Arc::clone(&a));
        a
    }

    /// Drops the sets only the interner still holds; returns how many.
    pub fn gc(&mut self) -> usize {
        let before = self.set.len();
        self.set.retain(|a| Arc::strong_count(a) > 1);
        before - self.set.len()
    }

    /// How many distinct sets are held.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// Whether none are.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{NextHop, PathAttributes};

    #[test]
    fn equal_sets_share_and_gc_frees() {
        let mut i = AttrInterner::new();
        let nh = NextHop::V4("192.0.2.1".parse().unwrap());
        let a = i.intern(PathAttrs::new(PathAttributes::default(), nh));
        let b = i.intern(PathAttrs::new(PathAttributes::default(), nh));
        assert!(Arc::ptr_eq(&a, &b));
        let c = i.intern(PathAttrs::new(
            PathAttributes {
                med: Some(5),
                ..PathAttributes::default()
            },
            nh,
        ));
        assert_eq!(i.len(), 2);
        drop(c);
        assert_eq!(i.gc(), 1);
        assert_eq!(i.len(), 1);
        drop((a, b));
        assert_eq!(i.gc(), 1);
        assert!(i.is_empty());
    }
}
