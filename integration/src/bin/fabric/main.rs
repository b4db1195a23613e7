//! `fabric`: the container fabrics of the two seeds in network namespaces,
//! with real FRR and neighd, from the command line.
//!
//! ```text
//! fabric up     [--seed 004|000] [--prefix P] [--no-agents] [--probe-interval 1s] [--probe-misses 3]
//! fabric demo   [--prefix P]      the seed 004 demo: routes follow containers
//! fabric status [--prefix P]      what the spines (or the router) and the agents see
//! fabric down   [--prefix P]      removes every namespace under P (after a crash)
//! ```
//!
//! `up` and `demo` own what they build: it is removed when they finish,
//! on Ctrl-C / SIGTERM / SIGHUP ([`signals`]) and on panic. Leftovers of a
//! crashed run under the same prefix are removed first. Namespaces are
//! named `<prefix><pid>x<n>-<name>` (default prefix `fab-`), so fabrics
//! run side by side.

mod args;
mod demo;
mod signals;
mod status;
mod up;

use std::process::ExitCode;

use args::{Command, USAGE};

fn main() -> ExitCode {
    let cmd = match args::parse(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("fabric: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if !matches!(cmd, Command::Help) && !integration::can_run() {
        return ExitCode::FAILURE;
    }
    let r = match cmd {
        Command::Help => {
            println!("{USAGE}");
            Ok(())
        }
        Command::Up(opts) => {
            signals::teardown_on_signal(&opts.prefix);
            up::run(&opts)
        }
        Command::Demo { prefix } => {
            signals::teardown_on_signal(&prefix);
            demo::run(&prefix)
        }
        Command::Status { prefix } => status::run(&prefix),
        Command::Down { prefix } => integration::cleanup_prefix(&prefix).map(|removed| {
            for ns in &removed {
                println!("removed {ns}");
            }
            if removed.is_empty() {
                println!("nothing under {prefix}");
            }
        }),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fabric: {e}");
            ExitCode::FAILURE
        }
    }
}
