//! The command line of `fabric`.

/// What `fabric` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `fabric up`.
    Up(UpOptions),
    /// `fabric demo`.
    Demo { prefix: String },
    /// `fabric status`.
    Status { prefix: String },
    /// `fabric down`.
    Down { prefix: String },
    /// `fabric help`.
    Help,
}

/// Which seed's fabric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    /// Spines, leaves, servers with macvlan containers.
    S004,
    /// A router and nodes with a subnet each.
    S000,
}

/// `fabric up`'s options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpOptions {
    pub seed: Seed,
    pub prefix: String,
    pub agents: bool,
    pub probe_interval: String,
    pub probe_misses: u32,
    pub nodes: u8,
}

pub const USAGE: &str = "usage:
  fabric up     [--seed 004|000] [--prefix P] [--no-agents] [--probe-interval 1s] [--probe-misses 3] [--nodes 3]
  fabric demo   [--prefix P]
  fabric status [--prefix P]
  fabric down   [--prefix P]
default prefix: fab-   (namespaces <prefix><pid>x<n>-<name>)";

const DEFAULT_PREFIX: &str = "fab-";

/// Parses the arguments after the program name.
pub fn parse(args: impl Iterator<Item = String>) -> Result<Command, String> {
    let args: Vec<String> = args.collect();
    let Some(sub) = args.first() else {
        return Ok(Command::Help);
    };
    let mut up = UpOptions {
        seed: Seed::S004,
        prefix: DEFAULT_PREFIX.into(),
        agents: true,
        probe_interval: "1s".into(),
        probe_misses: 3,
        nodes: 3,
    };
    let mut it = args[1..].iter();
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{a} needs a value"))
        };
        match a.as_str() {
            "--prefix" => {
                let p = value()?;
                if p.is_empty() || p.contains('/') || p.contains(char::is_whitespace) {
                    return Err(format!("bad prefix {p:?}"));
                }
                up.prefix = p;
            }
            "--seed" if sub == "up" => {
                up.seed = match value()?.as_str() {
                    "004" | "4" => Seed::S004,
                    "000" | "0" => Seed::S000,
                    s => return Err(format!("unknown seed {s:?} (004 or 000)")),
                }
            }
            "--no-agents" if sub == "up" => up.agents = false,
            "--probe-interval" if sub == "up" => up.probe_interval = value()?,
            "--probe-misses" if sub == "up" => {
                up.probe_misses = value()?
                    .parse()
                    .map_err(|_| "--probe-misses needs a number".to_string())?
            }
            "--nodes" if sub == "up" => {
                up.nodes = value()?
                    .parse()
                    .ok()
                    .filter(|n| (1..=9).contains(n))
                    .ok_or("--nodes needs 1..=9")?
            }
            "-h" | "--help" => return Ok(Command::Help),
            other => return Err(format!("unknown argument {other:?} for {sub}")),
        }
    }
    let prefix = up.prefix.clone();
    match sub.as_str() {
        "up" => Ok(Command::Up(up)),
        "demo" => Ok(Command::Demo { prefix }),
        "status" => Ok(Command::Status { prefix }),
        "down" => Ok(Command::Down { prefix }),
        "help" | "-h" | "--help" => Ok(Command::Help),
        s => Err(format!("unknown command {s:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(a: &[&str]) -> Result<Command, String> {
        parse(a.iter().map(|s| s.to_string()))
    }

    #[test]
    fn up_with_options() {
        let Command::Up(o) = p(&["up", "--seed", "000", "--prefix", "x-", "--nodes", "4"]).unwrap()
        else {
            panic!("not up")
        };
        assert_eq!((o.seed, o.prefix.as_str(), o.nodes), (Seed::S000, "x-", 4));
        assert!(p(&["up", "--seed", "7"]).is_err());
        assert!(p(&["down", "--no-agents"]).is_err());
        assert_eq!(
            p(&["down"]).unwrap(),
            Command::Down {
                prefix: "fab-".into()
            }
        );
    }
}
