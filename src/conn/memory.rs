//! Per-client memory accounting (Redis networking.c `getClientMemoryUsage`,
//! server.c `updateClientMemoryUsage`): what one client costs, and the
//! running totals per client class that INFO's `mem_clients_normal` and
//! `mem_clients_slaves` and client eviction (conn/evict.rs) read.
//!
//! The totals are kept incrementally, as in Redis: each client remembers
//! what it last added and under which class, and an update swaps that for
//! its current figure. Nothing walks the clients to sum them.

use super::info::{client_type, ClientType};
use super::Client;

/// Bytes Redis counts per watched key (`listNode` plus `watchedKey`).
const WATCHED_KEY_OVERHEAD: usize = 48;
/// Bytes Redis counts per pattern (`listNode`) and per channel (`dictEntry`).
const PATTERN_OVERHEAD: usize = 24;
const CHANNEL_OVERHEAD: usize = 24;
/// Bytes Redis counts per radix tree node of the tracking prefixes
/// (`sizeof(raxNode) * sizeof(raxNode*)`), an underestimate by design.
const PREFIX_NODE_OVERHEAD: usize = 32;

/// What a client last added to the class totals (Redis `last_memory_usage`,
/// `last_memory_type`), and the bytes of its parsed arguments (Redis
/// `argv_len_sum`), kept up to date while client eviction is on.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientMem {
    pub last_usage: usize,
    pub last_type: u8,
    pub argv_len_sum: usize,
}

/// Redis's CLIENT_TYPE_* numbering, used as the index of the class totals.
pub fn type_index(t: ClientType) -> u8 {
    match t {
        ClientType::Normal => 0,
        ClientType::Replica => 1,
        ClientType::PubSub => 2,
        ClientType::Master => 3,
    }
}

/// The memory a client uses, with `argv_sum` bytes in `argc` parsed
/// arguments (Redis `getClientMemoryUsage`): reply blocks, query buffer,
/// the client itself and its reply head, the arguments, MULTI state,
/// subscriptions and tracking prefixes. Constant time: only lengths.
pub fn usage(c: &Client, argv_sum: usize, argc: usize) -> usize {
    let out = c.reply.out();
    let mut mem = out.blocks_memory()
        + c.querybuf.capacity()
        + std::mem::size_of::<Client>()
        // The reply head as CLIENT LIST's `rbs` shows it (Redis's
        // `buf_usable_size`), even before it is first allocated.
        + out.head_capacity().max(out.head_size())
        + argv_sum
        + argc * std::mem::size_of::<usize>();
    let m = &c.mstate;
    mem += m.argv_len_sums
        + m.watched.len() * WATCHED_KEY_OVERHEAD
        + m.queue.capacity() * std::mem::size_of::<crate::multi::Queued>();
    let ps = &c.pubsub;
    mem += ps.patterns.len() * PATTERN_OVERHEAD;
    for set in [&ps.channels, &ps.shard_channels] {
        mem += set.len() * CHANNEL_OVERHEAD + set.capacity() * std::mem::size_of::<usize>();
    }
    mem + c.tracking.prefixes.len() * PREFIX_NODE_OVERHEAD
}

/// Bytes of the arguments in `argv` (Redis `argv_len_sum`).
pub fn argv_len(argv: &[Vec<u8>]) -> usize {
    argv.iter().map(|a| a.len()).sum()
}

/// Memory of every client by class (Redis `stat_clients_type_memory`).
#[derive(Clone, Copy, Debug, Default)]
pub struct TypeTotals(pub [usize; 4]);

impl TypeTotals {
    /// Replaces what `c` added before with `mem` under its current class
    /// (Redis `updateClientMemoryUsage`).
    pub fn record(&mut self, c: &mut Client, mem: usize) {
        let t = type_index(client_type(c));
        let old = &mut self.0[c.mem.last_type as usize];
        *old = old.saturating_sub(c.mem.last_usage);
        self.0[t as usize] += mem;
        c.mem.last_type = t;
        c.mem.last_usage = mem;
    }

    /// Takes back what `c` added (a freed client).
    pub fn remove(&mut self, c: &mut Client) {
        let old = &mut self.0[c.mem.last_type as usize];
        *old = old.saturating_sub(c.mem.last_usage);
        c.mem.last_usage = 0;
    }

    /// INFO `mem_clients_normal`: normal, pub/sub and master clients.
    pub fn normal(&self) -> usize {
        self.0[0] + self.0[2] + self.0[3]
    }

    /// INFO `mem_clients_slaves`.
    pub fn replicas(&self) -> usize {
        self.0[1]
    }

    /// What client eviction compares with its limit: normal and pub/sub.
    pub fn evictable_classes(&self) -> usize {
        self.0[0] + self.0[2]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conn::Socket;

    fn client() -> Client {
        let (a, _b) = mio::net::UnixStream::pair().unwrap();
        Client::new(1, 0, Socket::Unix(a), "/s:0".into(), "/s:0".into(), 0)
    }

    #[test]
    fn usage_counts_buffers_and_arguments() {
        let mut c = client();
        let base = usage(&c, 0, 0);
        assert!(base >= std::mem::size_of::<Client>());
        c.querybuf.reserve_exact(100_000);
        assert!(usage(&c, 0, 0) >= base + 100_000);
        assert_eq!(usage(&c, 10, 2) - usage(&c, 0, 0), 10 + 16);
        c.mstate.watched.push((0, b"k".to_vec()));
        assert_eq!(usage(&c, 0, 0) - base - c.querybuf.capacity(), 48);
    }

    #[test]
    fn totals_move_with_the_class() {
        let mut c = client();
        let mut t = TypeTotals::default();
        t.record(&mut c, 1000);
        assert_eq!(t.normal(), 1000);
        t.record(&mut c, 400);
        assert_eq!(t.normal(), 400);
        c.pubsub.active = true;
        t.record(&mut c, 500);
        assert_eq!((t.0[0], t.0[2], t.normal()), (0, 500, 500));
        t.remove(&mut c);
        assert_eq!(t.normal(), 0);
        t.remove(&mut c);
        assert_eq!(t.normal(), 0);
    }
}
