//! Where the memory goes (Redis object.c `getMemoryOverheadData` and the
//! allocator samples of server.c `cronUpdateMemoryStats`): the figures behind
//! INFO memory, MEMORY STATS and MEMORY DOCTOR.

use super::sys;
use crate::alloc::{self, AllocatorStats};
use crate::conn::Client;
use crate::server::Server;

/// Allocator and RSS figures sampled in cron, every 100 ms (Redis
/// `server.cron_malloc_stats`).
#[derive(Clone, Copy, Debug, Default)]
pub struct MemorySamples {
    pub zmalloc_used: u64,
    pub process_rss: u64,
    pub allocator: AllocatorStats,
    /// `used_memory` once the server finished starting (Redis `initial_memory_usage`).
    pub startup: u64,
}

impl MemorySamples {
    /// Takes a first sample; `startup` is recorded at the same time.
    pub fn new() -> MemorySamples {
        let mut m = MemorySamples::default();
        m.sample();
        m.startup = m.zmalloc_used;
        m
    }

    pub fn sample(&mut self) {
        self.allocator = alloc::allocator_stats();
        self.zmalloc_used = alloc::used_memory() as u64;
        self.process_rss = sys::rss();
    }
}

/// Memory accounting (Redis `struct redisMemOverhead`). Ratios are f32, as
/// in Redis, so MEMORY STATS prints the same digits for the same inputs.
#[derive(Clone, Debug, Default)]
pub struct MemOverhead {
    pub peak_allocated: u64,
    pub total_allocated: u64,
    pub startup_allocated: u64,
    pub repl_backlog: u64,
    pub clients_slaves: u64,
    pub clients_normal: u64,
    pub cluster_links: u64,
    pub aof_buffer: u64,
    pub lua_caches: u64,
    pub functions_caches: u64,
    pub overhead_total: u64,
    pub dataset: u64,
    pub total_keys: u64,
    pub bytes_per_key: u64,
    pub dataset_perc: f32,
    pub peak_perc: f32,
    pub total_frag: f32,
    pub total_frag_bytes: i64,
    pub allocator_frag: f32,
    pub allocator_frag_bytes: i64,
    pub allocator_rss: f32,
    pub allocator_rss_bytes: i64,
    pub rss_extra: f32,
    pub rss_extra_bytes: i64,
    /// Per database with keys: (db index, main table bytes, expires table bytes).
    pub dbs: Vec<(usize, u64, u64)>,
}

fn ratio(a: u64, b: u64) -> f32 {
    a as f32 / b as f32
}

/// Computes the accounting now (Redis `getMemoryOverheadData`).
/// Client memory comes from the per-class totals the clients cron and
/// client eviction keep (conn/memory.rs), as in Redis: `_current` is
/// counted there like any client.
pub fn overhead(srv: &Server, _current: Option<&Client>) -> MemOverhead {
    let used = alloc::used_memory() as u64;
    let s = &srv.mem;
    let st = &srv.status;
    let a = s.allocator;
    let mut mh = MemOverhead {
        total_allocated: used,
        startup_allocated: s.startup,
        peak_allocated: (srv.stats.peak_memory as u64).max(used),
        total_frag: ratio(s.process_rss, s.zmalloc_used),
        total_frag_bytes: s.process_rss as i64 - s.zmalloc_used as i64,
        allocator_frag: ratio(a.active as u64, a.allocated as u64),
        allocator_frag_bytes: a.active as i64 - a.allocated as i64,
        allocator_rss: ratio(a.resident as u64, a.active as u64),
        allocator_rss_bytes: a.resident as i64 - a.active as i64,
        rss_extra: ratio(s.process_rss, a.resident as u64),
        rss_extra_bytes: s.process_rss as i64 - a.resident as i64,
        repl_backlog: st.repl.backlog.map(|b| b.2).unwrap_or(0),
        clients_slaves: srv.client_mem.totals.replicas() as u64,
        clients_normal: srv.client_mem.totals.normal() as u64,
        cluster_links: st.cluster_links_memory,
        aof_buffer: if st.persistence.aof_enabled {
            st.persistence.aof_buffer_length
        } else {
            0
        },
        lua_caches: st.scripting.eval_overhead,
        functions_caches: st.scripting.functions_overhead,
        ..MemOverhead::default()
    };
    mh.overhead_total = mh.startup_allocated
        + mh.repl_backlog
        + mh.clients_slaves
        + mh.clients_normal
        + mh.cluster_links
        + mh.aof_buffer
        + mh.lua_caches
        + mh.functions_caches
        + mh.dbs.iter().map(|d| d.1 + d.2).sum::<u64>();
    mh.dataset = used.saturating_sub(mh.overhead_total);
    mh.peak_perc = used as f32 * 100.0 / mh.peak_allocated.max(1) as f32;
    let net = if used > mh.startup_allocated {
        used - mh.startup_allocated
    } else {
        1
    };
    mh.dataset_perc = mh.dataset as f32 * 100.0 / net as f32;
    mh.bytes_per_key = net.checked_div(mh.total_keys).unwrap_or(0);
    mh
}

/// MEMORY DOCTOR (Redis `getMemoryDoctorReport`).
pub fn doctor_report(srv: &Server, current: Option<&Client>) -> String {
    let mh = overhead(srv, current);
    let mut found: Vec<&str> = Vec::new();
    let empty = mh.total_allocated < 5 * 1024 * 1024;
    if !empty {
        const TEN_MB: i64 = 10 << 20;
        if (mh.peak_allocated as f32 / mh.total_allocated as f32) > 1.5 {
            found.push(PEAK);
        }
        if mh.total_frag > 1.4 && mh.total_frag_bytes > TEN_MB {
            found.push(HIGH_FRAG);
        }
        if mh.allocator_frag > 1.1 && mh.allocator_frag_bytes > TEN_MB {
            found.push(ALLOC_FRAG);
        }
        if mh.allocator_rss > 1.1 && mh.allocator_rss_bytes > TEN_MB {
            found.push(ALLOC_RSS);
        }
        if mh.rss_extra > 1.1 && mh.rss_extra_bytes > TEN_MB {
            found.push(PROC_RSS);
        }
        let clients = srv.clients.len().max(1) as u64;
        let big_clients = mh.clients_normal / clients > 1024 * 200;
        let replicas = srv.status.repl.replicas.len() as u64;
        if replicas > 0 && mh.clients_slaves / replicas > 10 * 1024 * 1024 {
            found.push(BIG_REPLICA_BUF);
        }
        if big_clients {
            found.push(BIG_CLIENT_BUF);
        }
        if srv.status.scripting.cached_scripts > 1000 {
            found.push(MANY_SCRIPTS);
        }
    }
    if empty {
        return "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n".to_string();
    }
    if found.is_empty() {
        return "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n".to_string();
    }
    let mut s =
        String::from("Sam, I detected a few issues in this Redis instance memory implants:\n\n");
    for f in found {
        if f == HIGH_FRAG {
            s.push_str(&f.replace("{alloc}", &alloc::allocator_name()));
        } else {
            s.push_str(f);
        }
    }
    s.push_str("I'm here to keep you safe, Sam. I want to help you.\n");
    s
}

const PEAK: &str = " * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n";
const HIGH_FRAG: &str = " * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this means that the Resident Set Size of the Redis process is much larger than the sum of the logical allocations Redis performed). This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. If the problem is a large peak memory, then there is no issue. Otherwise, make sure you are using the Jemalloc allocator and not the default libc malloc. Note: The currently used allocator is \"{alloc}\".\n\n";
const ALLOC_FRAG: &str = " * High allocator fragmentation: This instance has an allocator external fragmentation greater than 1.1. This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. You can try enabling 'activedefrag' config option.\n\n";
const ALLOC_RSS: &str = " * High allocator RSS overhead: This instance has an RSS memory overhead is greater than 1.1 (this means that the Resident Set Size of the allocator is much larger than the sum what the allocator actually holds). This problem is usually due to a large peak memory (check if there is a peak memory entry above in the report), you can try the MEMORY PURGE command to reclaim it.\n\n";
const PROC_RSS: &str = " * High process RSS overhead: This instance has non-allocator RSS memory overhead is greater than 1.1 (this means that the Resident Set Size of the Redis process is much larger than the RSS the allocator holds). This problem may be due to Lua scripts or Modules.\n\n";
const BIG_REPLICA_BUF: &str = " * Big replica buffers: The replica output buffers in this instance are greater than 10MB for each replica (on average). This likely means that there is some replica instance that is struggling receiving data, either because it is too slow or because of networking issues. As a result, data piles on the master output buffers. Please try to identify what replica is not receiving data correctly and why. You can use the INFO output in order to check the replicas delays and the CLIENT LIST command to check the output buffers of each replica.\n\n";
const BIG_CLIENT_BUF: &str = " * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a big amount of memory.\n\n";
const MANY_SCRIPTS: &str = " * Many scripts: There seem to be many cached scripts in this instance (more than 1000). This may be because scripts are generated and `EVAL`ed, instead of being parameterized (with KEYS and ARGV), `SCRIPT LOAD`ed and `EVALSHA`ed. Unless `SCRIPT FLUSH` is called periodically, the scripts' caches may end up consuming most of your memory.\n\n";
