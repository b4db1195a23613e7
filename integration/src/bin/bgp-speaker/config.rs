//! The harness's configuration: command-line flags and/or a small TOML
//! file, turned into a [`bgp::speaker::SpeakerConfig`]. Flags
//! override the file's values wherever they stand; `--peer` adds to its peers.
//!
//! ```text
//! bgp-speaker --asn 65011 --router-id 10.0.0.11 [--listen ADDR:PORT|none]
//!             [--peer ADDR|interface=IFNAME,remote-as=N|external|internal[,passive][,port=N][,connect-retry=SECS][,hold=SECS]]…
//!             [--hostname NAME] [--max-paths N] [--config FILE]
//!             [--graceful-restart SECS [--restarting]]
//!
//! Peer options also take `max-prefix=N` (closes the session above N
//! prefixes per family, one-minute hold down), `password=SECRET` (TCP MD5)
//! and `ttl-security` (GTSM).
//! ```
//!
//! The TOML file has the same keys (`asn`, `router_id`, `listen`,
//! `hostname`, `max_paths`) and `[[peer]]` tables with `address`,
//! `remote_as`, `passive`, `port`, `connect_retry`, `hold_time`.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use bgp::fsm::{GracefulRestartConfig, RemoteAs};
use bgp::speaker::security::Md5Key;
use bgp::speaker::{MaxPrefix, PeerConfig, SpeakerConfig};
use serde::Deserialize;

/// Seconds between our connection attempts unless a peer says otherwise:
/// short, because the harness runs next to daemons that start at the same time.
const CONNECT_RETRY: u64 = 2;

/// The TOML file's shape.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    asn: Option<u32>,
    router_id: Option<Ipv4Addr>,
    listen: Option<String>,
    hostname: Option<String>,
    max_paths: Option<usize>,
    graceful_restart: Option<u16>,
    #[serde(default)]
    restarting: bool,
    #[serde(default)]
    peer: Vec<FilePeer>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilePeer {
    address: IpAddr,
    remote_as: toml::Value,
    #[serde(default)]
    passive: bool,
    port: Option<u16>,
    connect_retry: Option<u64>,
    hold_time: Option<u16>,
}

/// Parses the command line (without the program name).
pub fn from_args(args: &[String]) -> Result<SpeakerConfig, String> {
    let mut file = File::default();
    let mut peers = Vec::new();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--config" => {
                let path = value()?;
                let text =
                    std::fs::read_to_string(&path).map_err(|e| format!("read {path}: {e}"))?;
                let f: File = toml::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
                for p in &f.peer {
                    peers.push(file_peer(p)?);
                }
                file = File {
                    peer: Vec::new(),
                    graceful_restart: file.graceful_restart.or(f.graceful_restart),
                    restarting: file.restarting || f.restarting,
                    asn: file.asn.or(f.asn),
                    router_id: file.router_id.or(f.router_id),
                    listen: file.listen.or(f.listen),
                    hostname: file.hostname.or(f.hostname),
                    max_paths: file.max_paths.or(f.max_paths),
                };
            }
            "--asn" => file.asn = Some(parse(flag, &value()?)?),
            "--router-id" => file.router_id = Some(parse(flag, &value()?)?),
            "--listen" => file.listen = Some(value()?),
            "--hostname" => file.hostname = Some(value()?),
            "--max-paths" => file.max_paths = Some(parse(flag, &value()?)?),
            "--peer" => peers.push(peer_flag(&value()?)?),
            "--graceful-restart" => file.graceful_restart = Some(parse(flag, &value()?)?),
            "--restarting" => file.restarting = true,
            other => return Err(format!("unknown flag {other:?}")),
        }
    }
    let asn = file.asn.ok_or("--asn is required")?;
    let router_id = file.router_id.ok_or("--router-id is required")?;
    let mut cfg = SpeakerConfig::new(asn, router_id);
    cfg.listen = match file.listen.as_deref() {
        None => cfg.listen,
        Some("none") => None,
        Some(a) => Some(parse("--listen", a)?),
    };
    cfg.hostname = file.hostname;
    if let Some(m) = file.max_paths {
        if m == 0 {
            return Err("--max-paths must be at least 1".into());
        }
        cfg.max_paths = m;
    }
    cfg.peers = peers;
    if file.restarting && file.graceful_restart.is_none() {
        return Err("--restarting needs --graceful-restart SECS".into());
    }
    cfg.graceful_restart = file
        .graceful_restart
        .map(|restart_time| GracefulRestartConfig {
            restart_time,
            // A restarted leaf's kernel still holds its routes.
            forwarding_preserved: true,
            restarting: file.restarting,
        });
    Ok(cfg)
}

fn parse<T: std::str::FromStr>(what: &str, text: &str) -> Result<T, String>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e| format!("{what} {text:?}: {e}"))
}

fn peer(address: IpAddr, remote_as: RemoteAs) -> PeerConfig {
    let mut p = PeerConfig::new(address, remote_as);
    p.connect_retry = Duration::from_secs(CONNECT_RETRY);
    p
}

/// `ADDR,remote-as=N[,passive][,port=N][,connect-retry=SECS][,hold=SECS]`.
fn peer_flag(text: &str) -> Result<PeerConfig, String> {
    let mut parts = text.split(',');
    let first = parts.next().unwrap_or_default();
    // `interface=swp51`: an unnumbered peer, its address learned from RAs.
    let interface = first.strip_prefix("interface=");
    let address: IpAddr = match interface {
        Some(_) => IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED),
        None => parse("--peer address", first)?,
    };
    let mut remote_as = None;
    let mut opts = Vec::new();
    for part in parts {
        match part.split_once('=') {
            Some(("remote-as", v)) => remote_as = Some(parse::<RemoteAs>("remote-as", v)?),
            _ => opts.push(part),
        }
    }
    let remote_as = remote_as.ok_or_else(|| format!("--peer {text}: remote-as=N is required"))?;
    let mut p = match interface {
        Some(ifname) => PeerConfig {
            connect_retry: Duration::from_secs(CONNECT_RETRY),
            ..PeerConfig::interface(ifname, remote_as)
        },
        None => peer(address, remote_as),
    };
    for o in opts {
        match o.split_once('=') {
            None if o == "passive" => p.passive = true,
            Some(("port", v)) => p.port = parse("port", v)?,
            Some(("connect-retry", v)) => {
                p.connect_retry = Duration::from_secs(parse("connect-retry", v)?)
            }
            Some(("hold", v)) => p.hold_time = parse("hold", v)?,
            Some(("max-prefix", v)) => p.max_prefix = Some(MaxPrefix::new(parse("max-prefix", v)?)),
            Some(("password", v)) => {
                p.security.md5 = Some(Md5Key::new(v).map_err(|e| format!("--peer password: {e}"))?)
            }
            None if o == "ttl-security" => p.security.ttl_security = true,
            _ => return Err(format!("--peer {text}: unknown option {o:?}")),
        }
    }
    Ok(p)
}

fn file_peer(f: &FilePeer) -> Result<PeerConfig, String> {
    let remote_as = match &f.remote_as {
        toml::Value::Integer(n) => parse("remote_as", &n.to_string())?,
        toml::Value::String(s) => parse("remote_as", s)?,
        v => return Err(format!("remote_as {v}: a number or \"external\"")),
    };
    let mut p = peer(f.address, remote_as);
    p.passive = f.passive;
    if let Some(port) = f.port {
        p.port = port;
    }
    if let Some(s) = f.connect_retry {
        p.connect_retry = Duration::from_secs(s);
    }
    if let Some(h) = f.hold_time {
        p.hold_time = h;
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn flags() {
        let c = from_args(&args(
            "--asn 65011 --router-id 10.0.0.11 --listen 10.1.0.1:179 --peer 10.1.0.2,remote-as=65001,passive --peer fd00::2,remote-as=external --max-paths 4 --hostname leaf01",
        ))
        .unwrap();
        assert_eq!(c.asn, 65011);
        assert_eq!(c.listen, Some("10.1.0.1:179".parse().unwrap()));
        assert_eq!(c.peers.len(), 2);
        assert!(c.peers[0].passive);
        assert_eq!(c.peers[0].remote_as, RemoteAs::Number(65001));
        assert_eq!(c.peers[1].remote_as, RemoteAs::External);
        assert_eq!(c.max_paths, 4);
        assert_eq!(c.hostname.as_deref(), Some("leaf01"));
    }

    #[test]
    fn bad_flags_say_what() {
        let e = from_args(&args("--asn 65011 --router-id 10.0.0.11 --peer 10.1.0.2")).unwrap_err();
        assert!(e.contains("remote-as"), "{e}");
        let e = from_args(&args("--asn x")).unwrap_err();
        assert!(e.contains("--asn"), "{e}");
        assert!(from_args(&args("--bogus")).is_err());
    }

    #[test]
    fn toml_file_with_flag_override() {
        let dir = std::env::temp_dir().join(format!("bgp-speaker-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.toml");
        std::fs::write(
            &path,
            "asn = 65011\nrouter_id = \"10.0.0.11\"\nlisten = \"none\"\n[[peer]]\naddress = \"10.1.0.2\"\nremote_as = 65001\n",
        )
        .unwrap();
        let c = from_args(&args(&format!(
            "--config {} --asn 65012 --peer 10.2.0.2,remote-as=65002",
            path.display()
        )))
        .unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(c.asn, 65012);
        assert_eq!(c.listen, None);
        assert_eq!(c.peers.len(), 2);
    }
}
