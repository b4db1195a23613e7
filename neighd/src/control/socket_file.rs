//! The control socket's file on disk: its directory, the stale file a dead
//! daemon left behind, binding it with mode 0600 whatever the umask, and
//! removing it again (only if it is still ours).
//!
//! The socket is bound inside a fresh 0700 directory, made 0600 there and
//! then hard-linked into place, so no other user can connect in the moment
//! between `bind` and `chmod`, and a daemon that starts at the same instant
//! cannot be overwritten (the link fails if the name is taken).

use std::fs::{self, DirBuilder, Permissions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use super::ControlError;

/// Mode of the socket file: the daemon's user only.
const SOCKET_MODE: u32 = 0o600;
/// Mode of the socket's directory when neighd creates it.
const PARENT_MODE: u32 = 0o755;
/// Mode of the private directory the socket is bound in.
const PRIVATE_MODE: u32 = 0o700;

/// Which file a path named when we bound it: device and inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FileIdentity {
    dev: u64,
    ino: u64,
}

impl FileIdentity {
    fn of(path: &Path) -> io::Result<FileIdentity> {
        let meta = fs::symlink_metadata(path)?;
        Ok(FileIdentity {
            dev: meta.dev(),
            ino: meta.ino(),
        })
    }
}

/// Binds a listening socket at `path` with mode 0600, creating the parent
/// directory (0755) if missing and replacing a stale socket file; refuses
/// if a live daemon answers there.
pub(super) fn bind(path: &Path) -> Result<(UnixListener, FileIdentity), ControlError> {
    let Some(file_name) = path.file_name() else {
        return Err(ControlError::BadPath {
            path: path.to_path_buf(),
        });
    };
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    ensure_parent_dir(parent)?;
    clear_stale_socket(path)?;

    let private = PrivateDir::create(parent, file_name)?;
    let listener = UnixListener::bind(&private.socket)
        .map_err(|source| setup(&private.socket, "bind", source))?;
    fs::set_permissions(&private.socket, Permissions::from_mode(SOCKET_MODE))
        .map_err(|source| setup(&private.socket, "set mode 0600 on", source))?;
    match fs::hard_link(&private.socket, path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            return Err(ControlError::AlreadyRunning {
                path: path.to_path_buf(),
            })
        }
        // A filesystem without hard links: the rename is as private, only
        // not protected against a daemon starting at the same instant.
        Err(_) => fs::rename(&private.socket, path)
            .map_err(|source| setup(path, "move the socket into place", source))?,
    }
    drop(private);
    let identity = FileIdentity::of(path).map_err(|source| setup(path, "read back", source))?;
    Ok((listener, identity))
}

/// Removes the socket file at `path` if it is still the one we bound.
pub(super) fn remove_if_ours(path: &Path, identity: FileIdentity) {
    if FileIdentity::of(path).ok() == Some(identity) {
        if let Err(e) = fs::remove_file(path) {
            tracing::warn!(path = %path.display(), error = %e, "cannot remove the control socket");
        }
    }
}

fn setup(path: &Path, action: &'static str, source: io::Error) -> ControlError {
    ControlError::Setup {
        path: path.to_path_buf(),
        action,
        source,
    }
}

fn ensure_parent_dir(parent: &Path) -> Result<(), ControlError> {
    if fs::symlink_metadata(parent).is_ok() {
        return Ok(());
    }
    DirBuilder::new()
        .recursive(true)
        .mode(PARENT_MODE)
        .create(parent)
        .map_err(|source| setup(parent, "create the directory", source))?;
    // The umask may have taken bits away; the directory must be searchable
    // by everyone so that neighctl run as root or the daemon's user works.
    fs::set_permissions(parent, Permissions::from_mode(PARENT_MODE))
        .map_err(|source| setup(parent, "set mode 0755 on", source))
}

/// A socket file nobody answers on is a dead daemon's: remove it. A live
/// one, or a file that is not a socket, stays and we refuse to start.
fn clear_stale_socket(path: &Path) -> Result<(), ControlError> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(setup(path, "inspect", source)),
    };
    if !meta.file_type().is_socket() {
        return Err(ControlError::NotASocket {
            path: path.to_path_buf(),
        });
    }
    match UnixStream::connect(path) {
        Ok(_) => Err(ControlError::AlreadyRunning {
            path: path.to_path_buf(),
        }),
        Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => match fs::remove_file(path) {
            Ok(()) => {
                tracing::info!(path = %path.display(), "removed the stale control socket of a daemon that is gone");
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(setup(path, "remove the stale socket", source)),
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(setup(path, "check whether a daemon answers on", source)),
    }
}

/// A 0700 directory beside the socket path, removed with what is in it on drop.
struct PrivateDir {
    dir: PathBuf,
    socket: PathBuf,
}

impl PrivateDir {
    fn create(parent: &Path, file_name: &std::ffi::OsStr) -> Result<PrivateDir, ControlError> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let mut attempts = 0;
        loop {
            let mut name = std::ffi::OsString::from(".");
            name.push(file_name);
            name.push(format!(
                ".{}.{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
            let dir = parent.join(name);
            match DirBuilder::new().mode(PRIVATE_MODE).create(&dir) {
                Ok(()) => {
                    let private = PrivateDir {
                        socket: dir.join("s"),
                        dir,
                    };
                    // Only ever narrower than 0700 after the umask; make it
                    // exactly 0700 so that bind can write into it.
                    fs::set_permissions(&private.dir, Permissions::from_mode(PRIVATE_MODE))
                        .map_err(|source| setup(&private.dir, "set mode 0700 on", source))?;
                    return Ok(private);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempts < 8 => attempts += 1,
                Err(source) => return Err(setup(&dir, "create a private directory", source)),
            }
        }
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.socket);
        if let Err(e) = fs::remove_dir(&self.dir) {
            tracing::warn!(path = %self.dir.display(), error = %e, "cannot remove the private socket directory");
        }
    }
}
