//! Ctrl-C, SIGTERM and SIGHUP: a watcher thread removes every namespace this
//! process created (`<prefix><pid>x…`, their daemons killed first) and exits
//! with 130. A panic unwinds through the fabric's `Drop` instead.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::signal::unix::{signal, SignalKind};

static TEARING_DOWN: AtomicBool = AtomicBool::new(false);

/// Whether a signal arrived and the fabric is being removed (daemons dying
/// now is expected).
pub fn tearing_down() -> bool {
    TEARING_DOWN.load(Ordering::SeqCst)
}

/// Starts the watcher for fabrics built under `prefix` by this process.
pub fn teardown_on_signal(prefix: &str) {
    let own = format!("{prefix}{}x", std::process::id());
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fabric: no signal handling ({e}); after Ctrl-C run `fabric down --prefix {prefix}`");
            return;
        }
    };
    // registered here, before anything is built, so no signal is missed
    let handlers = {
        let _ctx = rt.enter();
        (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        )
    };
    let (Ok(mut int), Ok(mut term), Ok(mut hup)) = handlers else {
        eprintln!("fabric: could not install signal handlers; after Ctrl-C run `fabric down --prefix {prefix}`");
        return;
    };
    std::thread::spawn(move || {
        let name = rt.block_on(async {
            tokio::select! {
                _ = int.recv() => "SIGINT",
                _ = term.recv() => "SIGTERM",
                _ = hup.recv() => "SIGHUP",
            }
        });
        TEARING_DOWN.store(true, Ordering::SeqCst);
        eprintln!("\nfabric: {name}: removing the fabric ({own}*)");
        // twice: the main thread may have been creating a namespace meanwhile
        for _ in 0..2 {
            match integration::cleanup_prefix(&own) {
                Ok(removed) => {
                    if !removed.is_empty() {
                        eprintln!("fabric: removed {} namespaces", removed.len());
                    }
                }
                Err(e) => eprintln!("fabric: cleanup: {e}"),
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        std::process::exit(130);
    });
}
