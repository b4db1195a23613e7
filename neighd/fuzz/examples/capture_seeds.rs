//! Records real rtnetlink datagrams as fuzz seeds, with neighd's own socket
//! (`neighd::netlink::RtnlSocket`), in whatever network namespace it runs
//! in (`seed-corpus.sh` builds one and runs this inside it):
//!
//! 1. the dumps the tracker and the FIB make: links, addresses, neighbours
//!    (IP and bridge FDB) and routes, one file per datagram;
//! 2. the kernel's answers to a link lookup with an ack, and to a lookup of
//!    an interface that does not exist (NLMSG_ERROR with ENODEV);
//! 3. the notifications caused by each shell command given after the
//!    options (link, address, neighbour and route removals and changes).
//!
//! Usage: `capture_seeds OUT_DIR PROTOCOL TABLE [COMMAND]...`. Datagrams go
//! to `OUT_DIR/neigh_decode/` as they are; those holding route messages or
//! answers also go to `OUT_DIR/fib_routes/`, after the 5-byte owner prefix
//! that target reads (PROTOCOL, then TABLE in native byte order).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use neighd::netlink::{groups, Frames, Received, RtnlSocket};
use netlink_packet_route::address::AddressMessage;
use netlink_packet_route::link::{LinkAttribute, LinkMessage};
use netlink_packet_route::neighbour::NeighbourMessage;
use netlink_packet_route::route::RouteMessage;
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};

const NLM_F_ACK: u16 = 4;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const RTM_NEWROUTE: u16 = 24;
const RTM_DELROUTE: u16 = 25;
/// How long to collect the notifications of one command.
const SETTLE: Duration = Duration::from_millis(300);

type Failure = Box<dyn std::error::Error>;

struct Recorder {
    out: PathBuf,
    owner: [u8; 5],
    count: usize,
}

impl Recorder {
    /// Saves `datagram` as `name`; also for fib_routes when `for_fib`.
    fn save(&mut self, name: &str, datagram: &[u8], for_fib: bool) -> Result<(), Failure> {
        self.count += 1;
        let file = format!("{:03}-{name}", self.count);
        std::fs::write(self.out.join("neigh_decode").join(&file), datagram)?;
        if for_fib {
            let mut seed = self.owner.to_vec();
            seed.extend_from_slice(datagram);
            std::fs::write(self.out.join("fib_routes").join(&file), seed)?;
        }
        Ok(())
    }
}

/// Whether the FIB reads this datagram: routes or answers.
fn fib_reads(datagram: &[u8]) -> bool {
    Frames::new(datagram).map_while(Result::ok).any(|f| {
        matches!(
            f.kind,
            RTM_NEWROUTE | RTM_DELROUTE | NLMSG_ERROR | NLMSG_DONE
        )
    })
}

/// Sends `message` with `flags` and records every datagram up to the
/// answer's end (NLMSG_DONE, or NLMSG_ERROR for a request with an ack).
async fn exchange(
    socket: &mut RtnlSocket,
    rec: &mut Recorder,
    name: &str,
    message: RouteNetlinkMessage,
    flags: u16,
) -> Result<(), Failure> {
    let seq = socket.request(message, flags).await?;
    loop {
        let datagram = match socket.recv().await? {
            Received::Datagram(d) => d.to_vec(),
            other => return Err(format!("{name}: {other:?}").into()),
        };
        let mine: Vec<u16> = Frames::new(&datagram)
            .map_while(Result::ok)
            .filter(|f| f.seq == seq)
            .map(|f| f.kind)
            .collect();
        if mine.is_empty() {
            continue; // a notification from before
        }
        rec.save(name, &datagram, fib_reads(&datagram))?;
        if mine.iter().any(|&k| k == NLMSG_DONE || k == NLMSG_ERROR) {
            return Ok(());
        }
    }
}

/// Runs `command` and records the notifications it causes.
async fn notifications(
    socket: &mut RtnlSocket,
    rec: &mut Recorder,
    index: usize,
    command: &str,
) -> Result<(), Failure> {
    let status = Command::new("sh").arg("-c").arg(command).status()?;
    if !status.success() {
        return Err(format!("{command:?} failed: {status}").into());
    }
    loop {
        match tokio::time::timeout(SETTLE, socket.recv()).await {
            Err(_) => return Ok(()),
            Ok(received) => {
                let datagram = match received? {
                    Received::Datagram(d) => d.to_vec(),
                    other => return Err(format!("{command:?}: {other:?}").into()),
                };
                let fib = fib_reads(&datagram);
                rec.save(&format!("event{index}"), &datagram, fib)?;
            }
        }
    }
}

fn link_named(name: &str) -> RouteNetlinkMessage {
    let mut m = LinkMessage::default();
    m.attributes.push(LinkAttribute::IfName(name.to_string()));
    RouteNetlinkMessage::GetLink(m)
}

fn neighbours_of(family: AddressFamily) -> RouteNetlinkMessage {
    let mut m = NeighbourMessage::default();
    m.header.family = family;
    RouteNetlinkMessage::GetNeighbour(m)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [out, protocol, table, commands @ ..] = args.as_slice() else {
        return Err("usage: capture_seeds OUT_DIR PROTOCOL TABLE [COMMAND]...".into());
    };
    let protocol: u8 = protocol.parse()?;
    let table: u32 = table.parse()?;
    let mut owner = [protocol, 0, 0, 0, 0];
    owner[1..].copy_from_slice(&table.to_ne_bytes());
    for dir in ["neigh_decode", "fib_routes"] {
        std::fs::create_dir_all(Path::new(out).join(dir))?;
    }
    let mut rec = Recorder {
        out: PathBuf::from(out),
        owner,
        count: 0,
    };
    let all = [
        groups::LINK,
        groups::NEIGH,
        groups::IPV4_IFADDR,
        groups::IPV6_IFADDR,
        groups::IPV4_ROUTE,
        groups::IPV6_ROUTE,
    ];
    let mut socket = RtnlSocket::open(&all, 4 << 20)?;
    let dump = netlink_packet_core::NLM_F_DUMP;
    let dumps = [
        (
            "links",
            RouteNetlinkMessage::GetLink(LinkMessage::default()),
        ),
        (
            "addresses",
            RouteNetlinkMessage::GetAddress(AddressMessage::default()),
        ),
        ("neighbours", neighbours_of(AddressFamily::Unspec)),
        ("fdb", neighbours_of(AddressFamily::Bridge)),
        (
            "routes",
            RouteNetlinkMessage::GetRoute(RouteMessage::default()),
        ),
    ];
    for (name, message) in dumps {
        exchange(&mut socket, &mut rec, name, message, dump).await?;
    }
    exchange(
        &mut socket,
        &mut rec,
        "link-ack",
        link_named("lo"),
        NLM_F_ACK,
    )
    .await?;
    exchange(
        &mut socket,
        &mut rec,
        "enodev",
        link_named("nosuchlink0"),
        NLM_F_ACK,
    )
    .await?;
    for (i, command) in commands.iter().enumerate() {
        notifications(&mut socket, &mut rec, i, command).await?;
    }
    println!("recorded {} datagrams into {out}", rec.count);
    Ok(())
}
