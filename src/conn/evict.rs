//! Client eviction (Redis 7.0 networking.c `evictClients`,
//! `getClientEvictionLimit`; server.c `updateClientMemUsageAndBucket`,
//! `removeClientFromMemUsageBucket`; config.c `applyClientMaxMemoryUsage`;
//! debug.c `DEBUG CLIENT-EVICTION`).
//!
//! While `maxmemory-clients` is set, every evictable client (normal or
//! pub/sub, without CLIENT NO-EVICT) sits in one of 19 buckets by the log2
//! of its memory, and its figure is refreshed when its buffers change:
//! after a read, after each command, after a write, when a message is
//! pushed to it, and in the clients cron. When the normal and pub/sub
//! classes together reach the limit, clients are freed from the biggest
//! bucket down until they are below it. With `maxmemory-clients 0` the
//! buckets do not exist and each hook costs one branch.

use super::info::{client_info_line, client_type, ClientType};
use super::memory::{argv_len, usage, TypeTotals};
use super::Client;
use crate::cmd::Ctx;
use crate::error::CmdError;
use crate::introspection::debug::DebugSub;
use crate::server::Server;

/// Bucket sizes start at up to 32 KB (2^15); the last holds clients above 4 GB.
const BUCKET_MIN_LOG: u32 = 15;
const BUCKET_MAX_LOG: u32 = 33;
pub const BUCKETS: usize = (1 + BUCKET_MAX_LOG - BUCKET_MIN_LOG) as usize;
/// The smallest effective limit, so a bad setting cannot lock everyone out.
const MIN_LIMIT: u64 = 128 * 1024;
/// `Slot::bucket` of a client in no bucket.
const NO_BUCKET: u8 = u8::MAX;

/// Clients of about the same size (Redis `clientMemUsageBucket`).
#[derive(Debug, Default)]
struct Bucket {
    mem_sum: usize,
    tokens: Vec<usize>,
}

/// Where a token sits: its bucket and its index there.
#[derive(Clone, Copy, Debug)]
struct Slot {
    bucket: u8,
    idx: u32,
}

const EMPTY: Slot = Slot {
    bucket: NO_BUCKET,
    idx: 0,
};

/// The class totals and, while `maxmemory-clients` is not 0, the buckets.
/// Bucket membership is kept here by slab token rather than in the client,
/// so that moving one client never needs another (which may be out of the
/// slab running a command).
#[derive(Debug, Default)]
pub struct ClientMemState {
    pub totals: TypeTotals,
    buckets: Option<Vec<Bucket>>,
    slots: Vec<Slot>,
}

/// The bucket of a client using `mem` bytes (Redis `getMemUsageBucket`).
fn bucket_index(mem: usize) -> usize {
    let bits = usize::BITS - mem.leading_zeros();
    (bits.clamp(BUCKET_MIN_LOG, BUCKET_MAX_LOG) - BUCKET_MIN_LOG) as usize
}

impl ClientMemState {
    /// True while `maxmemory-clients` is set (the buckets exist).
    #[inline]
    pub fn enabled(&self) -> bool {
        self.buckets.is_some()
    }

    fn slot(&self, token: usize) -> Slot {
        self.slots.get(token).copied().unwrap_or(EMPTY)
    }

    fn set_slot(&mut self, token: usize, s: Slot) {
        if self.slots.len() <= token {
            self.slots.resize(token + 1, EMPTY);
        }
        self.slots[token] = s;
    }

    /// Takes `token` out of its bucket's list (the sum is the caller's).
    fn unlink(&mut self, token: usize) {
        let s = self.slot(token);
        let Some(buckets) = self.buckets.as_mut() else {
            return;
        };
        if s.bucket == NO_BUCKET {
            return;
        }
        let list = &mut buckets[s.bucket as usize].tokens;
        let idx = s.idx as usize;
        if list.get(idx) != Some(&token) {
            return;
        }
        list.swap_remove(idx);
        if let Some(&moved) = list.get(idx) {
            self.slots[moved].idx = idx as u32;
        }
        self.slots[token] = EMPTY;
    }

    fn link(&mut self, token: usize, bucket: usize) {
        let Some(buckets) = self.buckets.as_mut() else {
            return;
        };
        let list = &mut buckets[bucket].tokens;
        let idx = list.len() as u32;
        list.push(token);
        self.set_slot(
            token,
            Slot {
                bucket: bucket as u8,
                idx,
            },
        );
    }

    /// Redis `removeClientFromMemUsageBucket`: takes the client's figure
    /// out of its bucket's sum, and the client out of the bucket unless
    /// it stays evictable.
    fn remove_from_bucket(&mut self, c: &Client, keep: bool) {
        let s = self.slot(c.token);
        let Some(buckets) = self.buckets.as_mut() else {
            return;
        };
        if s.bucket == NO_BUCKET {
            return;
        }
        let b = &mut buckets[s.bucket as usize];
        b.mem_sum = b.mem_sum.saturating_sub(c.mem.last_usage);
        if !keep {
            self.unlink(c.token);
        }
    }

    /// Refreshes `c`'s figure and bucket (Redis `updateClientMemUsageAndBucket`).
    /// Returns false, having done nothing else, when eviction is off or
    /// does not apply to `c`.
    #[inline]
    pub fn update(&mut self, c: &mut Client) -> bool {
        if self.buckets.is_none() {
            return false;
        }
        self.update_enabled(c)
    }

    fn update_enabled(&mut self, c: &mut Client) -> bool {
        let allowed = evictable(c);
        self.remove_from_bucket(c, allowed);
        if !allowed {
            return false;
        }
        let mem = usage(c, c.mem.argv_len_sum, c.argv.len());
        self.totals.record(c, mem);
        let idx = bucket_index(mem);
        let s = self.slot(c.token);
        if s.bucket as usize != idx {
            self.unlink(c.token);
            self.link(c.token, idx);
        }
        if let Some(buckets) = self.buckets.as_mut() {
            buckets[idx].mem_sum += mem;
        }
        true
    }

    /// The clients cron's refresh: bucket and figure when evictable, else
    /// the figure alone (the only place a non-evictable client's figure is
    /// refreshed, as in Redis).
    pub fn cron_update(&mut self, c: &mut Client) {
        if !self.update(c) {
            let mem = usage(c, argv_len(&c.argv), c.argv.len());
            self.totals.record(c, mem);
        }
    }

    /// Forgets a client that is being freed.
    pub fn forget(&mut self, c: &mut Client) {
        self.remove_from_bucket(c, false);
        self.totals.remove(c);
    }

    /// Keeps `argv_len_sum` while eviction is on: `from` is where the
    /// arguments the parser just added start.
    #[inline]
    pub fn note_parsed(&self, c: &mut Client, from: usize) {
        if self.buckets.is_some() {
            if let Some(new) = c.argv.get(from..) {
                c.mem.argv_len_sum += argv_len(new);
            }
        }
    }
}

/// Whether eviction may pick `c` (Redis `clientEvictionAllowed`). A client
/// already closing is left out: it goes soon, and Redis frees such a
/// client before evicting anyone when it is the one being served.
fn evictable(c: &Client) -> bool {
    !c.flags.no_evict
        && !c.flags.close_asap
        && matches!(client_type(c), ClientType::Normal | ClientType::PubSub)
}

/// The limit in force, or None when eviction is off (Redis
/// `getClientEvictionLimit`): bytes, or a percentage of `maxmemory` (none
/// while maxmemory is 0), at least 128 KB.
pub fn eviction_limit(maxmemory_clients: i64, maxmemory: i64) -> Option<u64> {
    let limit = if maxmemory_clients < 0 && maxmemory != 0 {
        let bytes = (maxmemory as u64) as f64 * (-(maxmemory_clients as f64)) / 100.0;
        bytes as u64
    } else if maxmemory_clients > 0 {
        maxmemory_clients as u64
    } else {
        return None;
    };
    Some(limit.max(MIN_LIMIT))
}

/// CONFIG SET maxmemory-clients (Redis `applyClientMaxMemoryUsage`): turning
/// it on creates the buckets and places every client; turning it off drops
/// them. A change between two non-zero values needs nothing.
pub fn apply_config(srv: &mut Server) {
    let on = srv.config.maxmemory_clients != 0;
    let st = &mut srv.client_mem;
    if on == st.enabled() {
        return;
    }
    if !on {
        st.buckets = None;
        st.slots.clear();
        return;
    }
    st.buckets = Some((0..BUCKETS).map(|_| Bucket::default()).collect());
    for c in srv.clients.iter_mut() {
        c.mem.argv_len_sum = argv_len(&c.argv);
        st.update_enabled(c);
    }
}

/// CLIENT NO-EVICT ON|OFF changed `c`'s flag.
pub fn no_evict_changed(srv: &mut Server, c: &mut Client) {
    if c.flags.no_evict {
        srv.client_mem.remove_from_bucket(c, false);
    } else {
        srv.client_mem.update(c);
    }
}

/// Before a command runs (Redis `processCommand` calls `evictClients`).
/// Returns true when `c` itself was evicted: the command must not run.
#[inline]
pub fn before_command(srv: &mut Server, c: &mut Client) -> bool {
    if !srv.client_mem.enabled() || crate::blocking::is_reexecuting(srv, c.token) {
        return false;
    }
    evict_clients(srv, Some(c))
}

/// In before-sleep, after the clients to close are gone.
#[inline]
pub fn before_sleep(srv: &mut Server) {
    if srv.client_mem.enabled() {
        evict_clients(srv, None);
    }
}

fn over_limit(srv: &Server, limit: u64) -> bool {
    srv.client_mem.totals.evictable_classes() as u64 >= limit
}

/// Frees clients from the biggest bucket down while the normal and
/// pub/sub classes use `maxmemory-clients` or more (Redis `evictClients`).
/// `current` is the client about to run a command, out of the slab: it is
/// forgotten and flagged to close rather than freed here. Returns true if
/// it was evicted.
fn evict_clients(srv: &mut Server, mut current: Option<&mut Client>) -> bool {
    let Some(limit) = eviction_limit(srv.config.maxmemory_clients, srv.config.maxmemory) else {
        return false;
    };
    if !over_limit(srv, limit) {
        return false;
    }
    let mut evicted_current = false;
    for b in (0..BUCKETS).rev() {
        let mut i = 0;
        while over_limit(srv, limit) {
            let token = match srv.client_mem.buckets.as_ref() {
                Some(buckets) => match buckets[b].tokens.get(i) {
                    Some(&t) => t,
                    None => break,
                },
                None => return evicted_current,
            };
            if let Some(c) = current.take_if(|c| c.token == token) {
                log_eviction(srv, c);
                srv.client_mem.forget(c);
                srv.close_asap(c);
                evicted_current = true;
            } else if let Some(mut c) = srv.clients.take(token) {
                log_eviction(srv, &c);
                srv.client_mem.forget(&mut c);
                srv.free_client(c);
            } else {
                // Out of the slab for a command further up the stack.
                i += 1;
            }
        }
        if !over_limit(srv, limit) {
            return evicted_current;
        }
    }
    srv.log
        .warning("Over client maxmemory after evicting all evictable clients");
    evicted_current
}

fn log_eviction(srv: &mut Server, c: &Client) {
    let info = client_info_line(c, srv.time.mstime);
    srv.log.notice(&format!("Evicting client: {}", info));
    srv.stats.evicted_clients += 1;
}

/// The bucket report of DEBUG CLIENT-EVICTION.
pub fn bucket_report(st: &ClientMemState) -> Option<String> {
    use std::fmt::Write;
    let buckets = st.buckets.as_ref()?;
    let mut s = String::with_capacity(BUCKETS * 64);
    for (j, b) in buckets.iter().enumerate() {
        if j == 0 {
            s.push_str("bucket          0");
        } else {
            let _ = write!(
                s,
                "bucket {:>10}",
                1usize << (j as u32 - 1 + BUCKET_MIN_LOG)
            );
        }
        if j == BUCKETS - 1 {
            s.push_str("+            : ");
        } else {
            let _ = write!(
                s,
                " - {:>10}: ",
                (1usize << (j as u32 + BUCKET_MIN_LOG)) - 1
            );
        }
        let _ = writeln!(s, "tot-mem: {:>10}, clients: {}", b.mem_sum, b.tokens.len());
    }
    Some(s)
}

/// DEBUG CLIENT-EVICTION, chained into DEBUG's subcommands.
pub const DEBUG_SUBCOMMANDS: &[DebugSub] = &[DebugSub {
    name: "client-eviction",
    min_argc: 2,
    max_argc: 2,
    handler: debug_client_eviction,
}];

fn debug_client_eviction(ctx: &mut Ctx) -> Result<(), CmdError> {
    match bucket_report(&ctx.srv.client_mem) {
        Some(report) => {
            ctx.reply().verbatim(report.as_bytes(), "txt");
            Ok(())
        }
        None => Err(CmdError::err("maxmemory-clients is disabled.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_by_log2() {
        assert_eq!(bucket_index(0), 0);
        assert_eq!(bucket_index(32767), 0);
        assert_eq!(bucket_index(32768), 1);
        assert_eq!(bucket_index(65535), 1);
        assert_eq!(bucket_index(1 << 20), 6);
        assert_eq!(bucket_index((1 << 32) - 1), BUCKETS - 2);
        assert_eq!(bucket_index(1 << 32), BUCKETS - 1);
        assert_eq!(bucket_index(usize::MAX), BUCKETS - 1);
    }

    fn client(token: usize) -> Client {
        let (a, _b) = mio::net::UnixStream::pair().unwrap();
        let sock = crate::conn::Socket::Unix(a);
        Client::new(
            token as u64 + 1,
            token,
            sock,
            "/s:0".into(),
            "/s:0".into(),
            0,
        )
    }

    fn counts(st: &ClientMemState) -> Vec<(usize, usize)> {
        let b = st.buckets.as_ref().unwrap();
        b.iter()
            .enumerate()
            .filter(|(_, b)| !b.tokens.is_empty())
            .map(|(i, b)| (i, b.tokens.len()))
            .collect()
    }

    #[test]
    fn buckets_follow_clients_and_sums_stay_exact() {
        let mut st = ClientMemState {
            buckets: Some((0..BUCKETS).map(|_| Bucket::default()).collect()),
            ..Default::default()
        };
        let mut cs: Vec<Client> = (0..3).map(client).collect();
        for c in cs.iter_mut() {
            assert!(st.update(c));
        }
        assert_eq!(counts(&st), vec![(0, 3)]);
        // Client 0 grows to about 1 MB: it moves up, 2 takes its place.
        cs[0].querybuf.reserve_exact(1 << 20);
        st.update(&mut cs[0]);
        assert_eq!(counts(&st), vec![(0, 2), (6, 1)]);
        let sum: usize = st.buckets.as_ref().unwrap().iter().map(|b| b.mem_sum).sum();
        let total: usize = cs.iter().map(|c| c.mem.last_usage).sum();
        assert_eq!(sum, total);
        assert_eq!(st.totals.evictable_classes(), total);
        // NO-EVICT leaves the buckets but keeps its figure in the totals.
        cs[1].flags.no_evict = true;
        assert!(!st.update(&mut cs[1]));
        assert_eq!(counts(&st), vec![(0, 1), (6, 1)]);
        assert_eq!(st.totals.evictable_classes(), total);
        // A freed client leaves both; the moved entry's index was fixed.
        st.forget(&mut cs[2]);
        st.forget(&mut cs[0]);
        assert_eq!(counts(&st), Vec::<(usize, usize)>::new());
        assert_eq!(st.totals.evictable_classes(), cs[1].mem.last_usage);
    }

    #[test]
    fn limit_forms() {
        assert_eq!(eviction_limit(0, 100), None);
        assert_eq!(eviction_limit(-10, 0), None);
        assert_eq!(eviction_limit(1, 0), Some(MIN_LIMIT));
        assert_eq!(eviction_limit(3_000_000, 0), Some(3_000_000));
        assert_eq!(eviction_limit(-7, 6 << 20), Some(440_401));
        assert_eq!(eviction_limit(-100, 1 << 30), Some(1 << 30));
    }

    #[test]
    fn report_shape() {
        let st = ClientMemState {
            buckets: Some((0..BUCKETS).map(|_| Bucket::default()).collect()),
            ..Default::default()
        };
        let r = bucket_report(&st).unwrap();
        let lines: Vec<&str> = r.lines().collect();
        assert_eq!(lines.len(), BUCKETS);
        assert_eq!(
            lines[0],
            "bucket          0 -      32767: tot-mem:          0, clients: 0"
        );
        assert_eq!(
            lines[BUCKETS - 1],
            "bucket 4294967296+            : tot-mem:          0, clients: 0"
        );
        assert!(bucket_report(&ClientMemState::default()).is_none());
    }
}
