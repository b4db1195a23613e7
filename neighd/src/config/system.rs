//! What validation asks of the machine: whether an interface exists, and
//! the host name. [`LiveSystem`] asks the running kernel; tests give their
//! own [`SystemView`].

use std::fs;
use std::path::Path;

/// The machine as the configuration sees it.
pub trait SystemView {
    /// Whether the current network namespace has an interface `name`.
    fn interface_exists(&self, name: &str) -> bool;
    /// The host name, for the FQDN capability when the file gives none.
    fn hostname(&self) -> Option<String>;
}

/// The running kernel, seen from the calling thread's network namespace.
///
/// Interfaces are read from `/proc/thread-self/net/dev`, which lists the
/// interfaces of the caller's network namespace. `/sys/class/net` would
/// not do: it shows the namespace sysfs was mounted in, so `neighd --check`
/// run through `nsenter --net` (which does not remount /sys) would look at
/// the wrong interfaces.
#[derive(Debug, Clone, Copy, Default)]
pub struct LiveSystem;

impl SystemView for LiveSystem {
    fn interface_exists(&self, name: &str) -> bool {
        ["/proc/thread-self/net/dev", "/proc/self/net/dev"]
            .iter()
            .find_map(|path| fs::read_to_string(path).ok())
            .map(|dev| interface_names(&dev).any(|n| n == name))
            // Without /proc, sysfs is the best there is.
            .unwrap_or_else(|| Path::new("/sys/class/net").join(name).exists())
    }

    fn hostname(&self) -> Option<String> {
        // The UTS namespace's name, as gethostname(2) gives it.
        let name = fs::read_to_string("/proc/sys/kernel/hostname").ok()?;
        let name = name.trim();
        (!name.is_empty()).then(|| name.to_string())
    }
}

/// The interface names of a `/proc/net/dev` text: two header lines, then
/// `  name: counters…` per interface (names cannot contain `:`).
pub(crate) fn interface_names(dev: &str) -> impl Iterator<Item = &str> {
    dev.lines()
        .skip(2)
        .filter_map(|line| line.split_once(':'))
        .map(|(name, _)| name.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_net_dev_names() {
        let dev = "Inter-|   Receive                            |  Transmit\n \
                   face |bytes    packets errs drop fifo frame compressed multicast|bytes\n    \
                   lo:  123 4 0 0 0 0 0 0 123 4 0 0 0 0 0 0\n\
                   swp51: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
        assert_eq!(interface_names(dev).collect::<Vec<_>>(), ["lo", "swp51"]);
    }

    #[test]
    fn loopback_exists_and_nonsense_does_not() {
        assert!(LiveSystem.interface_exists("lo"));
        assert!(!LiveSystem.interface_exists("neighd-nosuch0"));
        assert!(!LiveSystem.interface_exists("lo:"));
    }
}
