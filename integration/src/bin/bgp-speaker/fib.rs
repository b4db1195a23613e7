//! The FIB as the speaker's `Events::routes` stream builds it: prefix →
//! ECMP next hops of the best learned route. A task applies the stream in
//! batches; `wait-learned` waits on the learned-prefix count it publishes,
//! so reception is timed without polling snapshots.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bgp::speaker::{FibNextHop, RouteEvent};
use bgp::wire::Prefix;
use tokio::sync::{mpsc, watch};

/// The shared table and its size.
#[derive(Debug, Clone)]
pub struct Fib {
    table: Arc<Mutex<HashMap<Prefix, Vec<FibNextHop>>>>,
    count: watch::Receiver<usize>,
}

impl Fib {
    /// Spawns the task that applies `events`.
    pub fn spawn(mut events: mpsc::UnboundedReceiver<RouteEvent>) -> Fib {
        let table: Arc<Mutex<HashMap<Prefix, Vec<FibNextHop>>>> = Arc::default();
        let (tx, count) = watch::channel(0);
        let t = Arc::clone(&table);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(4096);
            while events.recv_many(&mut batch, 4096).await > 0 {
                let mut table = t.lock().expect("no panics while the lock is held");
                for ev in batch.drain(..) {
                    if ev.next_hops.is_empty() {
                        table.remove(&ev.prefix);
                    } else {
                        table.insert(ev.prefix, ev.next_hops);
                    }
                }
                tx.send_replace(table.len());
            }
        });
        Fib { table, count }
    }

    /// Prefixes with learned next hops now.
    pub fn len(&self) -> usize {
        *self.count.borrow()
    }

    /// A copy of the table, sorted by prefix.
    pub fn snapshot(&self) -> Vec<(Prefix, Vec<FibNextHop>)> {
        let table = self.table.lock().expect("no panics while the lock is held");
        let mut v: Vec<_> = table.iter().map(|(p, n)| (*p, n.clone())).collect();
        v.sort_by_key(|(p, _)| *p);
        v
    }

    /// Waits until at least `n` prefixes have learned next hops; the count
    /// then, or `Err(count)` when `timeout` ran out first.
    pub async fn wait_len(&self, n: usize, timeout: std::time::Duration) -> Result<usize, usize> {
        let mut rx = self.count.clone();
        let r = tokio::time::timeout(timeout, rx.wait_for(|&c| c >= n)).await;
        match r {
            Ok(Ok(c)) => Ok(*c),
            _ => Err(self.len()),
        }
    }
}
