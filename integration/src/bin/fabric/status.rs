//! `fabric status`: for a fabric running in another process, what its
//! spines or router route (vtysh) and what its agents see (neighctl), found
//! by namespace name under the prefix.

use std::path::Path;
use std::process::Command;

use integration::agent::Binaries;
use integration::netns::{list_prefix, WORK_ROOT};
use integration::{Error, Result};

/// Prints `vtysh -N NS -c CMD` under a `label# CMD` header.
pub fn print_vtysh(ns: &str, label: &str, cmd: &str) -> Result<()> {
    let out = Command::new("vtysh")
        .args(["-N", ns, "-c", cmd])
        .output()
        .map_err(|source| Error::Spawn {
            command: format!("vtysh -N {ns} -c '{cmd}'"),
            source,
        })?;
    println!(
        "\n{label}# {cmd}\n{}",
        String::from_utf8_lossy(&out.stdout).trim_end()
    );
    Ok(())
}

fn role(ns: &str) -> &str {
    ns.rsplit_once('-').map_or("", |(_, r)| r)
}

pub fn run(prefix: &str) -> Result<()> {
    let mut names = list_prefix(prefix)?;
    names.sort_by(|a, b| role(a).cmp(role(b)).then(a.cmp(b)));
    if names.is_empty() {
        println!("no fabric under {prefix}");
        return Ok(());
    }
    let bins = Binaries::locate().ok();
    for ns in &names {
        let r = role(ns);
        if r.starts_with("spine") || r == "router" {
            print_vtysh(ns, r, "show bgp summary")?;
            print_vtysh(ns, r, "show ip route")?;
        }
    }
    for ns in &names {
        let r = role(ns);
        if !(r.starts_with("leaf") || r.starts_with("node")) {
            continue;
        }
        let socket = Path::new(WORK_ROOT).join(ns).join("neighd/neighd.sock");
        let Some(bins) = &bins else {
            println!("\n{r}: neighctl not found (build with `cargo build -p neighd`)");
            continue;
        };
        for what in ["peers", "hosts"] {
            let out = Command::new(&bins.neighctl)
                .arg("--socket")
                .arg(&socket)
                .args(["show", what])
                .output()
                .map_err(|source| Error::Spawn {
                    command: format!("neighctl --socket {} show {what}", socket.display()),
                    source,
                })?;
            println!(
                "\n{r}$ neighctl show {what}\n{}{}",
                String::from_utf8_lossy(&out.stdout).trim_end(),
                String::from_utf8_lossy(&out.stderr).trim_end()
            );
        }
    }
    println!("\nnamespaces: {}", names.join(" "));
    Ok(())
}
