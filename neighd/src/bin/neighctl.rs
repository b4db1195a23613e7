//! `neighctl [--socket PATH] show hosts|peers|routes [--json]`: asks the
//! daemon over its control socket and prints the answer. Exit 0 on success,
//! 1 when the daemon cannot be asked or answers with an error, 2 for usage
//! errors; every error is one line on stderr.

use std::io::{self, Write};
use std::process::ExitCode;

use neighd::control::cli::{self, Invocation, SOCKET_ENV, USAGE};
use neighd::control::{query_blocking, DEFAULT_QUERY_TIMEOUT};

fn main() -> ExitCode {
    let invocation =
        match cli::parse_args(std::env::args_os().skip(1), std::env::var_os(SOCKET_ENV)) {
            Ok(invocation) => invocation,
            Err(e) => {
                eprintln!("neighctl: {e}");
                return ExitCode::from(2);
            }
        };
    let output = match invocation {
        Invocation::Help => USAGE.to_string(),
        Invocation::Version => format!("neighctl {}\n", env!("CARGO_PKG_VERSION")),
        Invocation::Show {
            socket,
            request,
            json,
        } => {
            let rendered = query_blocking(&socket, request.clone(), DEFAULT_QUERY_TIMEOUT)
                .map_err(|e| e.to_string())
                .and_then(|response| cli::render(&request, &response, json));
            match rendered {
                Ok(output) => output,
                Err(reason) => {
                    eprintln!("neighctl: {reason}");
                    return ExitCode::FAILURE;
                }
            }
        }
    };
    match io::stdout().lock().write_all(output.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        // `neighctl show hosts | head`: the reader has seen enough.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("neighctl: cannot write the output: {e}");
            ExitCode::FAILURE
        }
    }
}
