//! An FRR spine (datacenter defaults, interface peer with router
//! advertisements) and a BIRD leaf peering unnumbered over IPv6 link-local
//! addresses with extended next hop (RFC 8950): the leaf's /32s land in the
//! spine's kernel FIB as `via inet6 fe80::…` on the fabric port.

use std::net::IpAddr;
use std::time::Duration;

use integration::bird::config::BirdConfig;
use integration::bird::Bird;
use integration::frr::config::SpineConfig;
use integration::frr::Frr;
use integration::{pending, wait_for, Afi, SpineLeaf};

const T: Duration = Duration::from_secs(45);

#[test]
fn bird_leaf_routes_reach_the_spine_fib_via_link_local() -> integration::Result<()> {
    if !integration::can_run() {
        return Ok(());
    }
    let SpineLeaf {
        spine,
        leaf,
        spine_ll: _,
        leaf_ll,
    } = SpineLeaf::new("itun-", "spine", 0x0501, T)?;

    let hosts = ["172.16.2.11/32", "172.16.2.12/32", "172.16.2.13/32"];
    let mut bird = Bird::start(
        &leaf,
        &BirdConfig::new("10.0.0.12", 65012)
            .unnumbered("spine", "swp51")
            .static_routes(&hosts)
            .render(),
    )?;
    let mut frr = Frr::start(
        &spine,
        &SpineConfig::new("spine01", 65020, "10.0.0.21")
            .interface("swp1")
            .network("10.0.0.21/32")
            .render(),
    )?;

    let n = wait_for(T, "the spine's session on swp1 established", || {
        frr.check()?;
        bird.check()?;
        let n = frr.neighbor("swp1")?;
        n.clone()
            .filter(|n| n.is_established())
            .ok_or_else(|| pending(n))
    })?;
    assert_eq!(n.remote_as, Some(65012));
    assert_eq!(n.foreign_address, Some(IpAddr::V6(leaf_ll)));

    for h in hosts {
        let k = wait_for(T, &format!("{h} in the spine's kernel FIB"), || {
            spine
                .kernel_route(h)?
                .ok_or_else(|| pending(spine.kernel_routes(Afi::Ipv4)))
        })?;
        assert_eq!(k.protocol, "bgp", "{k:?}");
        assert_eq!(k.next_hops.len(), 1, "{k:?}");
        assert_eq!(k.next_hops[0].gateway, Some(IpAddr::V6(leaf_ll)), "{k:?}");
        assert_eq!(k.next_hops[0].dev.as_deref(), Some("swp1"), "{k:?}");
    }
    let rib = frr.bgp_rib(Afi::Ipv4)?;
    assert_eq!(rib["172.16.2.11/32"][0].as_path, [65012]);
    let z = frr.zebra_rib(Afi::Ipv4)?;
    assert!(z["172.16.2.11/32"][0].installed, "{z:?}");

    // the spine's route reaches the leaf over the same session
    wait_for(T, "the spine's route at the leaf", || {
        let r = bird.routes(&["for", "10.0.0.21"])?;
        r.get("10.0.0.21/32").cloned().ok_or_else(|| pending(r))
    })?;
    Ok(())
}
