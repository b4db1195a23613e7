//! The hosts neighd knew when it stopped for a graceful restart, saved
//! next to the control socket and read back at the next start.
//!
//! The kernel's neighbour table is not enough to find them again: a host
//! port that went down flushed its entries, and neighd's own probes (raw
//! frames) never recreate them, so a live host can be known to neighd
//! alone. Without this file, a graceful restart would forget such hosts,
//! and the spines would drop their routes at our End-of-RIB. Saved hosts
//! come back as `probing`: only an answer advertises them again.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use arpprobe::MacAddr;
use serde::{Deserialize, Serialize};

use crate::hosts::Binding;

#[derive(Debug, Serialize, Deserialize)]
struct SavedHosts {
    /// Seconds since the epoch when written.
    saved_at: u64,
    hosts: Vec<SavedHost>,
}

#[derive(Debug, Serialize, Deserialize)]
struct SavedHost {
    ip: IpAddr,
    iface: String,
    mac: String,
}

/// The file beside the control socket `socket`.
pub(crate) fn path_for(socket: &Path) -> PathBuf {
    socket.with_file_name("hosts.json")
}

/// Writes `hosts` (atomically: a temporary file renamed into place).
pub(crate) fn save(path: &Path, hosts: &[(IpAddr, Binding)]) -> std::io::Result<()> {
    let saved = SavedHosts {
        saved_at: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        hosts: hosts
            .iter()
            .map(|(ip, b)| SavedHost {
                ip: *ip,
                iface: b.iface.to_string(),
                mac: b.mac.to_string(),
            })
            .collect(),
    };
    let text = serde_json::to_vec(&saved).map_err(std::io::Error::other)?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

/// Reads and removes the file; hosts saved more than `max_age` ago (the
/// restart time: the spines have dropped our routes by then) are ignored.
pub(crate) fn take(path: &Path, max_age: Duration) -> Vec<(IpAddr, Binding)> {
    let Ok(text) = std::fs::read(path) else {
        return Vec::new();
    };
    let _ = std::fs::remove_file(path);
    let saved: SavedHosts = match serde_json::from_slice(&text) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(target: "neighd", "ignoring {}: {e}", path.display());
            return Vec::new();
        }
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    if now.saturating_sub(saved.saved_at) > max_age.as_secs() {
        return Vec::new();
    }
    saved
        .hosts
        .into_iter()
        .filter_map(|h| {
            let mac: MacAddr = h.mac.parse().ok()?;
            Some((
                h.ip,
                Binding {
                    iface: Arc::from(h.iface),
                    mac,
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_hosts_come_back_once_and_only_while_fresh() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = path_for(&dir.path().join("neighd.sock"));
        let hosts = vec![(
            "172.16.1.11".parse().expect("address"),
            Binding {
                iface: Arc::from("swp1"),
                mac: MacAddr([2, 0x42, 0xac, 0x10, 1, 11]),
            },
        )];
        save(&path, &hosts).expect("save");
        assert_eq!(take(&path, Duration::from_secs(120)), hosts);
        assert!(
            take(&path, Duration::from_secs(120)).is_empty(),
            "read once"
        );
        save(&path, &hosts).expect("save");
        // Saved "now", but a max age of zero seconds still accepts the same second.
        assert_eq!(take(&path, Duration::ZERO).len(), 1);
        std::fs::write(&path, b"{not json").expect("write");
        assert!(take(&path, Duration::from_secs(120)).is_empty());
    }
}
