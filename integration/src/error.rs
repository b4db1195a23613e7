//! The crate's error type: every failure names the command (or file) that
//! failed and what it printed on stderr, so a red test says what to look at.

use std::time::Duration;

/// Everything that can go wrong while building or querying a fabric.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A command could not be started at all (missing binary, bad path).
    #[error("could not run `{command}`: {source}")]
    Spawn {
        /// The command line, as it would be typed in a shell.
        command: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A command ran and exited unsuccessfully.
    #[error("`{command}` failed ({status}): {stderr}")]
    Command {
        /// The command line, as it would be typed in a shell.
        command: String,
        /// The exit status as text (`exit status: 1`, `signal: 9`).
        status: String,
        /// What the command printed on stderr (and stdout, if stderr was empty).
        stderr: String,
    },
    /// A command's output did not have the expected shape.
    #[error("could not parse the output of `{command}`: {reason}; output starts with: {output}")]
    Parse {
        /// The command line whose output was parsed.
        command: String,
        /// What was wrong with it.
        reason: String,
        /// The beginning of the output.
        output: String,
    },
    /// A file or directory operation failed.
    #[error("{what} {path}: {source}")]
    Io {
        /// What was being done (`create`, `write`, `remove`).
        what: &'static str,
        /// The path concerned.
        path: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A bounded wait ran out.
    #[error("timed out after {timeout:?} waiting for {what}; last observed: {last}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// The bound that ran out.
        timeout: Duration,
        /// The last value the condition observed (or `nothing observed`).
        last: String,
    },
    /// A daemon exited while it should be running.
    #[error("{daemon} exited ({status}); its log {log}: {tail}")]
    DaemonExited {
        /// Which daemon, with its namespace.
        daemon: String,
        /// The exit status as text.
        status: String,
        /// The log file holding its output.
        log: String,
        /// The last lines of that log.
        tail: String,
    },
    /// A caller asked for something impossible (too many routes for a range, …).
    #[error("invalid request: {0}")]
    Invalid(String),
}

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(
        what: &'static str,
        path: impl AsRef<std::path::Path>,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            what,
            path: path.as_ref().display().to_string(),
            source,
        }
    }

    pub(crate) fn parse(command: &str, reason: impl Into<String>, output: &str) -> Self {
        Error::Parse {
            command: command.to_string(),
            reason: reason.into(),
            output: output.chars().take(400).collect(),
        }
    }
}
