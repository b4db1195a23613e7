//! The text forms of configuration values: durations, prefixes, addresses,
//! interface names, communities, remote AS. Each returns the [`Problem`]
//! that the caller places at the key.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use bgp::fsm::RemoteAs;
use bgp::wire::{Community, LargeCommunity, Prefix};

use super::error::Problem;

/// `"100ms"`, `"1s"`, `"1.5s"`, `"2m"`, `"1h"`: a decimal number (at most
/// nine fractional digits) and a unit.
pub(crate) fn duration(text: &str) -> Result<Duration, Problem> {
    parse_duration(text).ok_or_else(|| Problem::NotADuration {
        text: text.to_string(),
    })
}

/// A duration of at least `min` (`min_text` is how messages write it).
pub(crate) fn duration_at_least(
    text: &str,
    min: Duration,
    min_text: &'static str,
) -> Result<Duration, Problem> {
    let d = duration(text)?;
    if d < min {
        return Err(Problem::TooShort {
            text: text.to_string(),
            min: min_text,
        });
    }
    Ok(d)
}

fn parse_duration(text: &str) -> Option<Duration> {
    const NANOS_PER_MS: u128 = 1_000_000;
    let split = text.find(|c: char| !c.is_ascii_digit() && c != '.')?;
    let (number, unit) = text.split_at(split);
    let unit_nanos = match unit {
        "ms" => NANOS_PER_MS,
        "s" => 1_000 * NANOS_PER_MS,
        "m" => 60_000 * NANOS_PER_MS,
        "h" => 3_600_000 * NANOS_PER_MS,
        _ => return None,
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || fraction.len() > 9 {
        return None;
    }
    if number.ends_with('.') {
        return None;
    }
    let whole: u128 = whole.parse().ok()?;
    let fraction_nanos = if fraction.is_empty() {
        0
    } else {
        let digits: u128 = fraction.parse().ok()?;
        digits * unit_nanos / 10u128.pow(u32::try_from(fraction.len()).ok()?)
    };
    let nanos = whole.checked_mul(unit_nanos)?.checked_add(fraction_nanos)?;
    Some(Duration::from_nanos(u64::try_from(nanos).ok()?))
}

/// A prefix whose host bits are zero: `"172.16.1.1/24"` is refused, with
/// the network it probably meant.
pub(crate) fn prefix(text: &str) -> Result<Prefix, Problem> {
    let prefix: Prefix = text.parse()?;
    let written = text
        .split_once('/')
        .and_then(|(addr, _)| addr.parse::<IpAddr>().ok());
    if written.is_some_and(|addr| addr != prefix.addr()) {
        return Err(Problem::HostBitsSet {
            text: text.to_string(),
            network: prefix.to_string(),
        });
    }
    Ok(prefix)
}

/// A standard community (`"65000:100"`, `"no-export"`).
pub(crate) fn community(text: &str) -> Result<Community, Problem> {
    Ok(text.parse()?)
}

/// A large community (`"65000:1:2"`).
pub(crate) fn large_community(text: &str) -> Result<LargeCommunity, Problem> {
    Ok(text.parse()?)
}

/// A BGP identifier: an IPv4 address other than 0.0.0.0.
pub(crate) fn router_id(text: &str) -> Result<Ipv4Addr, Problem> {
    let id: Ipv4Addr = text.parse().map_err(|_| Problem::NotAnAddress {
        text: text.to_string(),
        expected: "an IPv4 address",
    })?;
    if id.is_unspecified() {
        return Err(Problem::ZeroRouterId {
            text: text.to_string(),
        });
    }
    Ok(id)
}

/// A numbered neighbor's address: unicast, not IPv6 link-local (that needs
/// an interface, which `interface = ...` gives).
pub(crate) fn neighbor_address(text: &str) -> Result<IpAddr, Problem> {
    let addr: IpAddr = text.parse().map_err(|_| Problem::NotAnAddress {
        text: text.to_string(),
        expected: "an IP address",
    })?;
    let unicast = match addr {
        IpAddr::V4(a) => !(a.is_unspecified() || a.is_multicast() || a.is_broadcast()),
        IpAddr::V6(a) => !(a.is_unspecified() || a.is_multicast()),
    };
    if !unicast {
        return Err(Problem::NotUnicast {
            text: text.to_string(),
        });
    }
    if let IpAddr::V6(a) = addr {
        if a.is_unicast_link_local() {
            return Err(Problem::LinkLocalNeighbor {
                text: text.to_string(),
            });
        }
    }
    Ok(addr)
}

/// `"127.0.0.1:9611"`, `"[::]:179"`.
pub(crate) fn socket_address(text: &str) -> Result<SocketAddr, Problem> {
    text.parse().map_err(|_| Problem::NotASocketAddress {
        text: text.to_string(),
    })
}

/// `"external"` or `"internal"` (numbers are TOML integers).
pub(crate) fn remote_as_word(text: &str) -> Result<RemoteAs, Problem> {
    match text {
        "external" => Ok(RemoteAs::External),
        "internal" => Ok(RemoteAs::Internal),
        _ => Err(Problem::NotARemoteAs {
            text: text.to_string(),
        }),
    }
}

/// The longest interface name Linux accepts (`IFNAMSIZ` - 1).
pub(crate) const MAX_INTERFACE_NAME: usize = 15;

/// A name Linux accepts for an interface (`dev_valid_name`): 1 to 15
/// bytes, not `.` or `..`, no `/`, `:` or whitespace.
pub(crate) fn interface_name(text: &str) -> Result<&str, Problem> {
    let valid = !text.is_empty()
        && text.len() <= MAX_INTERFACE_NAME
        && text != "."
        && text != ".."
        && !text
            .chars()
            .any(|c| c == '/' || c == ':' || c.is_whitespace());
    if valid {
        Ok(text)
    } else {
        Err(Problem::NotAnInterfaceName {
            text: text.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let ms = Duration::from_millis;
        assert_eq!(parse_duration("100ms"), Some(ms(100)));
        assert_eq!(parse_duration("1s"), Some(ms(1000)));
        assert_eq!(parse_duration("1.5s"), Some(ms(1500)));
        assert_eq!(parse_duration("0.25ms"), Some(Duration::from_micros(250)));
        assert_eq!(parse_duration("2m"), Some(ms(120_000)));
        assert_eq!(parse_duration("1h"), Some(ms(3_600_000)));
        for bad in [
            "",
            "1",
            "s",
            "1 s",
            "1.s",
            ".5s",
            "1.2.3s",
            "-1s",
            "1d",
            "10 parsecs",
            "1sec",
            "1.0000000001s",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
        assert_eq!(parse_duration("99999999999999999999h"), None);
    }

    #[test]
    fn prefixes_with_host_bits_are_refused() {
        assert_eq!(
            prefix("172.16.1.0/24").unwrap().to_string(),
            "172.16.1.0/24"
        );
        let e = prefix("172.16.1.1/24").unwrap_err();
        assert_eq!(
            e.to_string(),
            "\"172.16.1.1/24\" has host bits set (the network is 172.16.1.0/24)"
        );
        assert!(matches!(prefix("172.16.1.0"), Err(Problem::NotAPrefix(_))));
    }

    #[test]
    fn interface_names() {
        assert!(interface_name("swp51").is_ok());
        assert!(interface_name("fifteen-bytes-x").is_ok());
        for bad in ["", "sixteen-bytes-xx", "a/b", "a:b", "a b", ".", ".."] {
            assert!(interface_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn neighbor_addresses() {
        assert!(neighbor_address("192.168.2.1").is_ok());
        assert!(neighbor_address("2001:db8::1").is_ok());
        assert!(matches!(
            neighbor_address("fe80::1"),
            Err(Problem::LinkLocalNeighbor { .. })
        ));
        assert!(matches!(
            neighbor_address("0.0.0.0"),
            Err(Problem::NotUnicast { .. })
        ));
        assert!(matches!(
            neighbor_address("ff02::1"),
            Err(Problem::NotUnicast { .. })
        ));
    }
}
