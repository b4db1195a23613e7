//! `neighd --config FILE [--check]`: the agent.
//!
//! Exit codes: 0 after a clean stop (or a valid `--check`), 1 when the
//! agent fails, 2 for a bad configuration or bad arguments.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: neighd --config FILE [--check]

  --config FILE   the TOML configuration (default /etc/neighd/neighd.toml)
  --check         validate the configuration and exit (0 good, 2 bad)
  --version       print the version
  --help          this text

Logging: RUST_LOG (default \"info\"), e.g. RUST_LOG=neighd=debug.
Signals: SIGHUP reloads the configuration; SIGTERM and SIGINT stop.";

struct Args {
    config: PathBuf,
    check: bool,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut config = PathBuf::from("/etc/neighd/neighd.toml");
    let mut check = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--config" | "-c" => {
                config = args
                    .next()
                    .map(PathBuf::from)
                    .ok_or("--config needs a file")?;
            }
            "--check" => check = true,
            "--version" | "-V" => {
                println!("neighd {}", env!("CARGO_PKG_VERSION"));
                return Ok(None);
            }
            "--help" | "-h" => {
                println!("{USAGE}");
                return Ok(None);
            }
            other => {
                if let Some(path) = other.strip_prefix("--config=") {
                    config = PathBuf::from(path);
                } else {
                    return Err(format!("unknown argument {other:?}"));
                }
            }
        }
    }
    Ok(Some(Args { config, check }))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(args)) => args,
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("neighd: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let cfg = match neighd::config::load(&args.config) {
        Ok(cfg) => cfg,
        Err(e) => {
            eprintln!("neighd: {e}");
            return ExitCode::from(2);
        }
    };
    if args.check {
        println!("{}: configuration is valid", args.config.display());
        return ExitCode::SUCCESS;
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_target(true)
        .init();
    // One thread: probes, answers, the host table and BGP share one core's
    // budget (0.25 at 100,000 hosts) better than they would share two —
    // no wake-ups across threads, one allocator arena.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("neighd: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(neighd::daemon::run(args.config, cfg)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(target: "neighd", "{e}");
            eprintln!("neighd: {e}");
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
        }
    }
}
