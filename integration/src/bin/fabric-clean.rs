//! `fabric-clean PREFIX…`: removes what crashed fabric runs left behind —
//! network namespaces whose names start with a prefix (their processes
//! killed first) and their work and FRR run directories. `--stale` removes
//! only those whose creating process is gone. With no prefix it lists the
//! namespaces it would consider and removes nothing.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let stale = args.iter().any(|a| a == "--stale");
    args.retain(|a| a != "--stale");
    if args.is_empty() || args.iter().any(|a| a == "-h" || a == "--help") {
        eprintln!("usage: fabric-clean [--stale] PREFIX…   (e.g. fabric-clean it-)");
        if let Ok(out) = std::process::Command::new("ip")
            .args(["netns", "list"])
            .output()
        {
            eprintln!("namespaces now:\n{}", String::from_utf8_lossy(&out.stdout));
        }
        return ExitCode::from(2);
    }
    let mut failed = false;
    for prefix in &args {
        let r = if stale {
            integration::cleanup_stale(prefix)
        } else {
            integration::cleanup_prefix(prefix)
        };
        match r {
            Ok(removed) if removed.is_empty() => println!("{prefix}: nothing to remove"),
            Ok(removed) => {
                for ns in removed {
                    println!("removed {ns}");
                }
            }
            Err(e) => {
                eprintln!("fabric-clean {prefix}: {e}");
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
