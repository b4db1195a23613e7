//! Interface names to indexes for route next hops: looked up over
//! rtnetlink (correct in any network namespace), cached, and forgotten when
//! the kernel says an index is gone so the name is looked up again.

use std::collections::HashMap;
use std::sync::Arc;

use super::error::FibError;
use super::message;
use super::socket::RouteSocket;

/// RTM_NEWLINK, the answer to a link lookup.
const RTM_NEWLINK: u16 = 16;

/// An interface, by index (as neighbour messages carry it) or by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InterfaceRef {
    /// The kernel's interface index.
    Index(u32),
    /// The interface's name, e.g. `swp1`.
    Name(Arc<str>),
}

impl From<u32> for InterfaceRef {
    fn from(index: u32) -> Self {
        InterfaceRef::Index(index)
    }
}

impl From<&str> for InterfaceRef {
    fn from(name: &str) -> Self {
        InterfaceRef::Name(name.into())
    }
}

impl From<Arc<str>> for InterfaceRef {
    fn from(name: Arc<str>) -> Self {
        InterfaceRef::Name(name)
    }
}

/// Names seen so far and their indexes.
#[derive(Debug, Default)]
pub(crate) struct InterfaceCache {
    indexes: HashMap<Arc<str>, u32>,
}

impl InterfaceCache {
    /// The index of `name`, from the cache or the kernel; `Ok(Err(reason))`
    /// when the kernel has no such interface.
    pub(crate) async fn resolve(
        &mut self,
        socket: &mut RouteSocket,
        name: &Arc<str>,
    ) -> Result<Result<u32, String>, FibError> {
        if let Some(&index) = self.indexes.get(name) {
            return Ok(Ok(index));
        }
        let request = message::link_by_name(name);
        let answer = socket.query(&request, "an interface lookup").await?;
        let index = match answer {
            Ok(replies) => replies
                .iter()
                .filter(|r| r.message_type == RTM_NEWLINK)
                .find_map(|r| message::link_index(&r.payload)),
            Err(e) if e.errno == libc::ENODEV => None,
            Err(e) => return Ok(Err(format!("interface {name}: {e}"))),
        };
        match index {
            Some(index) => {
                self.indexes.insert(name.clone(), index);
                Ok(Ok(index))
            }
            None => Ok(Err(format!("interface {name} does not exist"))),
        }
    }

    /// Drops `name` from the cache (its index went away).
    pub(crate) fn forget(&mut self, name: &str) {
        self.indexes.remove(name);
    }
}
