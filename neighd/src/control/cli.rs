//! neighctl's command line: what the arguments ask for, and what to print
//! for the daemon's answer (a table, or JSON for scripts).

use std::ffi::OsString;
use std::path::PathBuf;

use super::format;
use crate::status::{Request, Response};

/// Where neighctl looks for the daemon unless told otherwise.
pub const DEFAULT_SOCKET: &str = "/run/neighd/neighd.sock";

/// The environment variable that overrides [`DEFAULT_SOCKET`] (`--socket`
/// overrides both).
pub const SOCKET_ENV: &str = "NEIGHCTL_SOCKET";

/// `neighctl --help`.
pub const USAGE: &str = "\
Usage: neighctl [--socket PATH] show hosts|peers|routes [--json]

Shows what the neighd daemon believes:
  show hosts     hosts from the neighbour table: liveness, advertisement, conflicts
  show peers     BGP sessions: state, up/down time, prefixes, last error
  show routes    routes advertised and learned, with their ECMP next hops

Options:
  --socket PATH  the daemon's control socket
                 (default $NEIGHCTL_SOCKET, else /run/neighd/neighd.sock)
  --json         print the items as a JSON array
  -h, --help     print this help
  -V, --version  print the version
";

/// What neighctl was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invocation {
    /// `--help`.
    Help,
    /// `--version`.
    Version,
    /// `show ...`.
    Show {
        /// The control socket.
        socket: PathBuf,
        /// What to ask the daemon.
        request: Request,
        /// `--json`.
        json: bool,
    },
}

/// Arguments neighctl does not understand; the message is one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} (see neighctl --help)")]
pub struct UsageError(String);

/// Reads neighctl's arguments (without the program name); `env_socket` is
/// the value of [`SOCKET_ENV`], if set.
pub fn parse_args(
    args: impl IntoIterator<Item = OsString>,
    env_socket: Option<OsString>,
) -> Result<Invocation, UsageError> {
    let mut socket = None;
    let mut json = false;
    let mut words = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let Some(text) = arg.to_str() else {
            return Err(UsageError(format!("argument {arg:?} is not UTF-8")));
        };
        match text {
            "-h" | "--help" => return Ok(Invocation::Help),
            "-V" | "--version" => return Ok(Invocation::Version),
            "--json" => json = true,
            "--socket" => match args.next() {
                Some(path) if !path.is_empty() => socket = Some(PathBuf::from(path)),
                _ => return Err(UsageError("--socket needs a path".to_string())),
            },
            _ if text.starts_with("--socket=") => {
                let path = &text["--socket=".len()..];
                if path.is_empty() {
                    return Err(UsageError("--socket needs a path".to_string()));
                }
                socket = Some(PathBuf::from(path));
            }
            _ if text.starts_with('-') && text.len() > 1 => {
                return Err(UsageError(format!("unknown option {text}")));
            }
            _ => words.push(text.to_string()),
        }
    }
    let request = match words
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["show", "hosts"] => Request::Hosts,
        ["show", "peers"] => Request::Peers,
        ["show", "routes"] => Request::Routes,
        ["show", other] => {
            return Err(UsageError(format!(
                "cannot show {other:?}: expected hosts, peers or routes"
            )))
        }
        ["show"] => {
            return Err(UsageError(
                "show what? expected hosts, peers or routes".to_string(),
            ))
        }
        [] => {
            return Err(UsageError(
                "missing command: show hosts|peers|routes".to_string(),
            ))
        }
        ["show", _, extra, ..] => return Err(UsageError(format!("unexpected argument {extra:?}"))),
        [other, ..] => return Err(UsageError(format!("unknown command {other:?}"))),
    };
    let socket = socket
        .or_else(|| env_socket.filter(|s| !s.is_empty()).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SOCKET));
    Ok(Invocation::Show {
        socket,
        request,
        json,
    })
}

/// What neighctl prints for the daemon's `response` to `request`: the
/// table, or a pretty JSON array of the items with `json`. `Err` is the
/// one-line reason when the daemon answered with an error or with the
/// wrong kind of answer.
pub fn render(request: &Request, response: &Response, json: bool) -> Result<String, String> {
    let output = match (request, response) {
        (_, Response::Error(reason)) => return Err(format!("the daemon says: {reason}")),
        (Request::Hosts, Response::Hosts(hosts)) => output(hosts, json, format::hosts_table),
        (Request::Peers, Response::Peers(peers)) => output(peers, json, format::peers_table),
        (Request::Routes, Response::Routes(routes)) => output(routes, json, format::routes_table),
        (request, _) => {
            return Err(format!(
                "the daemon answered {request:?} with something else; is it a different version?"
            ))
        }
    };
    output.map_err(|e| format!("cannot encode the answer as JSON: {e}"))
}

fn output<T: serde::Serialize>(
    items: &[T],
    json: bool,
    table: fn(&[T]) -> String,
) -> Result<String, serde_json::Error> {
    if json {
        let mut text = serde_json::to_string_pretty(items)?;
        text.push('\n');
        Ok(text)
    } else {
        Ok(table(items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Invocation, UsageError> {
        parse_args(args.iter().map(OsString::from), None)
    }

    #[test]
    fn show_with_defaults() {
        assert_eq!(
            parse(&["show", "hosts"]),
            Ok(Invocation::Show {
                socket: PathBuf::from(DEFAULT_SOCKET),
                request: Request::Hosts,
                json: false
            })
        );
    }

    #[test]
    fn options_anywhere_and_socket_in_both_spellings() {
        let expected = Ok(Invocation::Show {
            socket: PathBuf::from("/tmp/x.sock"),
            request: Request::Routes,
            json: true,
        });
        assert_eq!(
            parse(&["--socket", "/tmp/x.sock", "show", "routes", "--json"]),
            expected
        );
        assert_eq!(
            parse(&["show", "--json", "routes", "--socket=/tmp/x.sock"]),
            expected
        );
    }

    #[test]
    fn socket_option_beats_environment_beats_default() {
        let env = Some(OsString::from("/env.sock"));
        let with_env = |args: &[&str]| parse_args(args.iter().map(OsString::from), env.clone());
        let socket_of = |invocation| match invocation {
            Ok(Invocation::Show { socket, .. }) => socket,
            other => panic!("not a show: {other:?}"),
        };
        assert_eq!(
            socket_of(with_env(&["show", "peers"])),
            PathBuf::from("/env.sock")
        );
        assert_eq!(
            socket_of(with_env(&["--socket", "/opt.sock", "show", "peers"])),
            PathBuf::from("/opt.sock")
        );
    }

    #[test]
    fn help_and_version_win_over_everything_else() {
        assert_eq!(parse(&["show", "bogus", "--help"]), Ok(Invocation::Help));
        assert_eq!(parse(&["-V"]), Ok(Invocation::Version));
    }

    #[test]
    fn usage_errors_name_the_problem_on_one_line() {
        let message = |args: &[&str]| parse(args).unwrap_err().to_string();
        assert_eq!(
            message(&[]),
            "missing command: show hosts|peers|routes (see neighctl --help)"
        );
        assert_eq!(
            message(&["show", "neighbours"]),
            "cannot show \"neighbours\": expected hosts, peers or routes (see neighctl --help)"
        );
        assert_eq!(
            message(&["show", "hosts", "--frobnicate"]),
            "unknown option --frobnicate (see neighctl --help)"
        );
        assert_eq!(
            message(&["show", "hosts", "--socket"]),
            "--socket needs a path (see neighctl --help)"
        );
        assert_eq!(
            message(&["list", "hosts"]),
            "unknown command \"list\" (see neighctl --help)"
        );
        assert_eq!(
            message(&["show", "hosts", "now"]),
            "unexpected argument \"now\" (see neighctl --help)"
        );
    }

    #[test]
    fn daemon_errors_and_mismatched_answers_are_errors() {
        assert_eq!(
            render(
                &Request::Hosts,
                &Response::Error("not ready".to_string()),
                false
            ),
            Err("the daemon says: not ready".to_string())
        );
        assert!(render(&Request::Hosts, &Response::Routes(vec![]), true).is_err());
    }

    #[test]
    fn json_output_is_a_pretty_array() {
        assert_eq!(
            render(&Request::Peers, &Response::Peers(vec![]), true),
            Ok("[]\n".to_string())
        );
    }
}
