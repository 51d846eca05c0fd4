//! LATENCY DOCTOR (Redis latency.c `createLatencyReport`): statistics for
//! every event and the advice that follows from them.

use super::sys;
use crate::server::Server;

/// Per-event statistics (Redis `latencyStats`).
#[derive(Default)]
struct EventStats {
    samples: u64,
    avg: u64,
    mad: u64,
    period: i64,
}

fn analyze(ts: &super::latency::TimeSeries, now: i64) -> EventStats {
    let mut st = EventStats::default();
    let mut sum = 0u64;
    let mut oldest = 0i64;
    for s in ts.samples() {
        st.samples += 1;
        sum += s.latency;
        if oldest == 0 || s.time < oldest {
            oldest = s.time;
        }
    }
    if st.samples == 0 {
        return st;
    }
    st.avg = sum / st.samples;
    st.period = (now - oldest).max(0);
    if st.period == 0 {
        st.period = 1;
    }
    let dev: u64 = ts
        .samples()
        .map(|s| (st.avg as i64 - s.latency as i64).unsigned_abs())
        .sum();
    st.mad = dev / st.samples;
    st
}

/// Which advice the report ends with.
#[derive(Default)]
struct Advice {
    better_vm: bool,
    slowlog_enabled: bool,
    slowlog_tuning: bool,
    slowlog_inspect: bool,
    disk_contention: bool,
    scheduler: bool,
    data_writeback: bool,
    no_appendfsync: bool,
    local_disk: bool,
    ssd: bool,
    write_load_info: bool,
    hz: bool,
    large_objects: bool,
    mass_eviction: bool,
    relax_fsync_policy: bool,
    disable_thp: bool,
    count: u32,
}

const DISABLED: &str = "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";

pub fn report(srv: &Server) -> String {
    let threshold = srv.config.latency_monitor_threshold;
    if srv.latency.event_count() == 0 && threshold == 0 {
        return DISABLED.to_string();
    }
    let now = srv.time.unixtime;
    let mut out = String::new();
    let mut adv = Advice::default();
    let mut eventnum = 0;
    for (event, ts) in srv.latency.events() {
        eventnum += 1;
        if eventnum == 1 {
            out.push_str("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n");
        }
        let st = analyze(ts, now);
        out.push_str(&format!(
            "{}. {}: {} latency spikes (average {}ms, mean deviation {}ms, period {:.2} sec). Worst all time event {}ms.",
            eventnum,
            event,
            st.samples,
            st.avg,
            st.mad,
            st.period as f64 / st.samples as f64,
            ts.max
        ));
        event_advice(srv, event, &mut adv, &mut out);
        out.push('\n');
    }
    if sys::anon_huge_pages_bytes() > 0 {
        adv.disable_thp = true;
        adv.count += 1;
    }
    if eventnum == 0 && adv.count == 0 {
        out.push_str("Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n");
    } else if eventnum > 0 && adv.count == 0 {
        out.push_str("\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n");
    } else {
        out.push_str("\nI have a few advices for you:\n\n");
        advice_text(srv, &adv, &mut out);
    }
    out
}

/// Marks the advice an event calls for, and adds the fork-rate remark.
fn event_advice(srv: &Server, event: &str, adv: &mut Advice, out: &mut String) {
    let is = |name: &str| event.eq_ignore_ascii_case(name);
    if is("fork") {
        let rate = srv.stats.fork_rate;
        let quality = if rate < 10.0 {
            adv.better_vm = true;
            adv.count += 1;
            "terrible"
        } else if rate < 25.0 {
            adv.better_vm = true;
            adv.count += 1;
            "poor"
        } else if rate < 100.0 {
            "good"
        } else {
            "excellent"
        };
        out.push_str(&format!(" Fork rate is {:.2} GB/sec ({}).", rate, quality));
    }
    if is("command") {
        let slower = srv.config.slowlog_log_slower_than;
        if slower < 0 {
            adv.slowlog_enabled = true;
            adv.count += 1;
        } else if slower / 1000 > srv.config.latency_monitor_threshold {
            adv.slowlog_tuning = true;
            adv.count += 1;
        }
        adv.slowlog_inspect = true;
        adv.large_objects = true;
        adv.count += 2;
    }
    if is("fast-command") {
        adv.scheduler = true;
        adv.count += 1;
    }
    if is("aof-write-pending-fsync") {
        adv.local_disk = true;
        adv.disk_contention = true;
        adv.ssd = true;
        adv.data_writeback = true;
        adv.count += 4;
    }
    if is("aof-write-active-child") {
        adv.no_appendfsync = true;
        adv.data_writeback = true;
        adv.ssd = true;
        adv.count += 3;
    }
    if is("aof-write-alone") {
        adv.local_disk = true;
        adv.data_writeback = true;
        adv.ssd = true;
        adv.count += 3;
    }
    if is("aof-fsync-always") {
        adv.relax_fsync_policy = true;
        adv.count += 1;
    }
    if is("aof-fstat") || is("rdb-unlink-temp-file") {
        adv.disk_contention = true;
        adv.local_disk = true;
        adv.count += 2;
    }
    if is("aof-rewrite-diff-write") || is("aof-rename") {
        adv.write_load_info = true;
        adv.data_writeback = true;
        adv.ssd = true;
        adv.local_disk = true;
        adv.count += 4;
    }
    if is("expire-cycle") {
        adv.hz = true;
        adv.large_objects = true;
        adv.count += 2;
    }
    if is("eviction-del") {
        adv.large_objects = true;
        adv.count += 1;
    }
    if is("eviction-cycle") {
        adv.mass_eviction = true;
        adv.count += 1;
    }
}

fn advice_text(srv: &Server, adv: &Advice, out: &mut String) {
    let threshold_us = srv.config.latency_monitor_threshold as u64 * 1000;
    if adv.better_vm {
        out.push_str("- If you are using a virtual machine, consider upgrading it with a faster one using a hypervisior that provides less latency during fork() calls. Xen is known to have poor fork() performance. Even in the context of the same VM provider, certain kinds of instances can execute fork faster than others.\n");
    }
    if adv.slowlog_enabled {
        out.push_str(&format!("- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than {}'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n", threshold_us));
    }
    if adv.slowlog_tuning {
        out.push_str(&format!("- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than {}'.\n", threshold_us));
    }
    if adv.slowlog_inspect {
        out.push_str("- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n");
    }
    if adv.scheduler {
        out.push_str("- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n  1) Lower the system load.\n  2) Use a computer / VM just for Redis if you are running other software in the same system.\n  3) Check if you have a \"noisy neighbour\" problem.\n  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n");
    }
    if adv.local_disk {
        out.push_str("- It is strongly advised to use local disks for persistence, especially if you are using AOF. Remote disks provided by platform-as-a-service providers are known to be slow.\n");
    }
    if adv.ssd {
        out.push_str("- SSD disks are able to reduce fsync latency, and total time needed for snapshotting and AOF log rewriting (resulting in smaller memory usage and smaller final AOF rewrite buffer flushes). With extremely high write load SSD disks can be a good option. However Redis should perform reasonably with high load using normal disks. Use this advice as a last resort.\n");
    }
    if adv.data_writeback {
        out.push_str("- Mounting ext3/4 filesystems with data=writeback can provide a performance boost compared to data=ordered, however this mode of operation provides less guarantees, and sometimes it can happen that after a hard crash the AOF file will have a half-written command at the end and will require to be repaired before Redis restarts.\n");
    }
    if adv.disk_contention {
        out.push_str("- Try to lower the disk contention. This is often caused by other disk intensive processes running in the same computer (including other Redis instances).\n");
    }
    if adv.no_appendfsync {
        out.push_str("- Assuming from the point of view of data safety this is viable in your environment, you could try to enable the 'no-appendfsync-on-rewrite' option, so that fsync will not be performed while there is a child rewriting the AOF file or producing an RDB file (the moment where there is high disk contention).\n");
    }
    let fsync_always = super::config_value(srv, "appendfsync").is_some_and(|v| v == "always");
    if adv.relax_fsync_policy && fsync_always {
        out.push_str("- Your fsync policy is set to 'always'. It is very hard to get good performances with such a setup, if possible try to relax the fsync policy to 'onesec'.\n");
    }
    if adv.write_load_info {
        out.push_str("- Latency during the AOF atomic rename operation or when the final difference is flushed to the AOF file at the end of the rewrite, sometimes is caused by very high write load, causing the AOF buffer to get very large. If possible try to send less commands to accomplish the same work, or use Lua scripts to group multiple operations into a single EVALSHA call.\n");
    }
    if adv.hz && srv.config.hz < 100 {
        out.push_str("- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n");
    }
    if adv.large_objects {
        out.push_str("- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n");
    }
    if adv.mass_eviction {
        out.push_str("- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations (RESTORE command), may create sudden memory pressure forcing the server to block trying to evict keys. \n");
    }
    if adv.disable_thp {
        out.push_str("- I detected a non zero amount of anonymous huge pages used by your process. This creates very serious latency events in different conditions, especially when Redis is persisting on disk. To disable THP support use the command 'echo never > /sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into /etc/rc.local so that the command will be executed again after a reboot. Note that even if you have already disabled THP, you still need to restart the Redis process to get rid of the huge pages already created.\n");
    }
}
