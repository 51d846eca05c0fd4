//! DEBUG (Redis debug.c `debugCommand`): a table of subcommands, each with
//! the argument counts it accepts. Keyspace subcommands (OBJECT, DIGEST,
//! RELOAD, POPULATE, HTSTATS, ...) are added as rows by the keyspace issue.

use super::crash::{self, Crash};
use super::help::subcommand_syntax_error;
use crate::alloc;
use crate::cmd::Ctx;
use crate::error::CmdError;
use crate::resp::Reply;
use crate::util::num::memtoull;

/// Switches DEBUG sets for other subsystems to honour.
#[derive(Clone, Debug)]
pub struct DebugFlags {
    /// DEBUG SET-ACTIVE-EXPIRE: expire keys in the background.
    pub active_expire_enabled: bool,
    /// DEBUG QUICKLIST-PACKED-THRESHOLD: elements at least this big get plain nodes.
    pub quicklist_packed_threshold: u64,
    /// DEBUG SET-SKIP-CHECKSUM-VALIDATION.
    pub skip_checksum_validation: bool,
    /// DEBUG AOF-FLUSH-SLEEP, in microseconds.
    pub aof_flush_sleep_us: i64,
    /// DEBUG SET-DISABLE-DENY-SCRIPTS.
    pub disable_deny_scripts: bool,
    /// DEBUG PAUSE-CRON: serverCron does nothing (server/cron.rs).
    pub pause_cron: bool,
}

/// Redis's default packed threshold: 1 GB.
const DEFAULT_PACKED_THRESHOLD: u64 = 1 << 30;

impl Default for DebugFlags {
    fn default() -> Self {
        DebugFlags {
            active_expire_enabled: true,
            quicklist_packed_threshold: DEFAULT_PACKED_THRESHOLD,
            skip_checksum_validation: false,
            aof_flush_sleep_us: 0,
            disable_deny_scripts: false,
            pause_cron: false,
        }
    }
}

/// A DEBUG subcommand handler.
pub type DebugHandler = fn(&mut Ctx) -> Result<(), CmdError>;

/// One DEBUG subcommand: its name, the argc range (argv[0] included) and handler.
pub struct DebugSub {
    pub name: &'static str,
    pub min_argc: usize,
    pub max_argc: usize,
    pub handler: DebugHandler,
}

const ANY: usize = usize::MAX;

/// The value DEBUG PROTOCOL double replies with (Redis's literal, not pi).
#[allow(clippy::approx_constant)]
const DEBUG_DOUBLE: f64 = 3.141;

const fn sub(
    name: &'static str,
    min_argc: usize,
    max_argc: usize,
    handler: DebugHandler,
) -> DebugSub {
    DebugSub {
        name,
        min_argc,
        max_argc,
        handler,
    }
}

/// The rows, matched in order as Redis's if/else chain does.
pub const SUBCOMMANDS: &[DebugSub] = &[
    sub("help", 2, 2, debug_help),
    sub("segfault", 2, ANY, debug_segfault),
    sub("panic", 2, ANY, debug_panic),
    sub("oom", 2, ANY, debug_oom),
    sub("assert", 2, ANY, debug_assert),
    sub("log", 3, 3, debug_log),
    sub("leak", 3, 3, debug_leak),
    sub("protocol", 3, 3, debug_protocol),
    sub("sleep", 3, 3, debug_sleep),
    sub("set-active-expire", 3, 3, debug_set_active_expire),
    sub("pause-cron", 3, 3, debug_pause_cron),
    sub("quicklist-packed-threshold", 3, 3, debug_packed_threshold),
    sub("set-skip-checksum-validation", 3, 3, debug_skip_checksum),
    sub("aof-flush-sleep", 3, 3, debug_aof_flush_sleep),
    sub("error", 3, 3, debug_error),
    sub("change-repl-id", 2, 2, debug_change_repl_id),
    sub(
        "config-rewrite-force-all",
        2,
        2,
        crate::config::commands::debug_config_rewrite_force_all,
    ),
    sub("set-disable-deny-scripts", 3, 3, debug_disable_deny_scripts),
    sub("mallctl", 3, ANY, debug_mallctl),
    sub("mallctl-str", 3, ANY, debug_mallctl_str),
];

/// DEBUG <subcommand>: enable-debug-command is checked by dispatch
/// (`check_protected`), before authentication, as in Redis.
pub(super) fn debug_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let argc = ctx.argc();
    let keyspace = crate::keyspace::debug_cmds::DEBUG_SUBCOMMANDS;
    let aof = crate::persistence::aof::DEBUG_SUBCOMMANDS;
    let rdb = crate::persistence::commands::DEBUG_SUBCOMMANDS;
    let replybuffer = crate::conn::resize::DEBUG_SUBCOMMANDS;
    let eviction = crate::conn::evict::DEBUG_SUBCOMMANDS;
    let all = SUBCOMMANDS.iter().chain(keyspace).chain(aof).chain(rdb);
    for sub in all.chain(replybuffer).chain(eviction) {
        if ctx.arg(1).eq_ignore_ascii_case(sub.name.as_bytes())
            && argc >= sub.min_argc
            && argc <= sub.max_argc
        {
            return (sub.handler)(ctx);
        }
    }
    Err(subcommand_syntax_error(ctx))
}

/// C's `atoi`: optional spaces and sign, then digits; 0 when none.
pub(crate) fn atoi(s: &[u8]) -> i64 {
    let s = std::str::from_utf8(s).unwrap_or("").trim_start();
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let v = digits.parse::<i64>().unwrap_or(0) as i32 as i64;
    if neg {
        -v
    } else {
        v
    }
}

/// C's `strtod` on a prefix: the longest leading decimal number, else 0.
fn strtod(s: &[u8]) -> f64 {
    let s = std::str::from_utf8(s).unwrap_or("").trim_start();
    let ends = s
        .char_indices()
        .skip(1)
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()));
    ends.filter_map(|i| s[..i].parse::<f64>().ok())
        .last()
        .unwrap_or(0.0)
}

fn debug_help(ctx: &mut Ctx) -> Result<(), CmdError> {
    super::help::reply_help(ctx, "DEBUG", super::debug_help::LINES);
    Ok(())
}

fn debug_segfault(ctx: &mut Ctx) -> Result<(), CmdError> {
    let page = crash::readonly_page();
    let argv = ctx.argv.to_vec();
    crash::log_report(
        ctx.srv,
        ctx.client,
        &argv,
        Crash::Signal(11, 2, page.addr()),
    );
    crash::segfault(page)
}

fn debug_panic(ctx: &mut Ctx) -> Result<(), CmdError> {
    let msg = format!("DEBUG PANIC called at Unix time {}", ctx.srv.time.unixtime);
    let argv = ctx.argv.to_vec();
    crash::log_report(ctx.srv, ctx.client, &argv, Crash::Panic(&msg));
    crash::abort()
}

/// Simulates Redis's allocation-failure handler for an impossible request.
fn debug_oom(ctx: &mut Ctx) -> Result<(), CmdError> {
    let size = i64::MAX as u64;
    ctx.srv
        .log
        .warning(&format!("Out Of Memory allocating {} bytes!", size));
    let msg = format!(
        "Redis aborting for OUT OF MEMORY. Allocating {} bytes!",
        size
    );
    let argv = ctx.argv.to_vec();
    crash::log_report(ctx.srv, ctx.client, &argv, Crash::Panic(&msg));
    crash::abort()
}

fn debug_assert(ctx: &mut Ctx) -> Result<(), CmdError> {
    let argv = ctx.argv.to_vec();
    crash::log_report(ctx.srv, ctx.client, &argv, Crash::Assert("1 == 2"));
    crash::abort()
}

fn debug_log(ctx: &mut Ctx) -> Result<(), CmdError> {
    let msg = String::from_utf8_lossy(ctx.arg(2)).into_owned();
    ctx.srv.log.warning(&format!("DEBUG LOG: {}", msg));
    ctx.reply().ok();
    Ok(())
}

/// DEBUG LEAK <string>: leaks a copy of the string on purpose.
fn debug_leak(ctx: &mut Ctx) -> Result<(), CmdError> {
    std::mem::forget(ctx.arg(2).to_vec());
    ctx.reply().ok();
    Ok(())
}

fn debug_protocol(ctx: &mut Ctx) -> Result<(), CmdError> {
    let name = ctx.arg(2).to_ascii_lowercase();
    write_protocol(ctx.reply(), &name)
}

/// DEBUG PROTOCOL's sample replies, in the client's protocol version.
pub fn write_protocol(r: &mut Reply, name: &[u8]) -> Result<(), CmdError> {
    match name {
        b"string" => r.bulk(b"Hello World"),
        b"integer" => r.int(12345),
        b"double" => r.double(DEBUG_DOUBLE),
        b"bignum" => r.big_number(b"1234567999999999999999999999999999999"),
        b"null" => r.null(),
        b"array" | b"set" => {
            if name == b"array" {
                r.array(3)
            } else {
                r.set(3)
            }
            for j in 0..3 {
                r.int(j);
            }
        }
        b"map" => {
            r.map(3);
            for j in 0..3 {
                r.int(j);
                r.bool(j == 1);
            }
        }
        b"attrib" => {
            if r.resp >= 3 {
                r.attribute(1);
                r.bulk(b"key-popularity");
                r.array(2);
                r.bulk(b"key:123");
                r.int(90);
            }
            r.bulk(b"Some real reply following the attribute");
        }
        b"push" => {
            if r.resp < 3 {
                return Err(CmdError::err("RESP2 is not supported by this command"));
            }
            r.push(2);
            r.bulk(b"server-cpu-usage");
            r.int(42);
            r.bulk(b"Some real reply following the push reply");
        }
        b"true" => r.bool(true),
        b"false" => r.bool(false),
        b"verbatim" => r.verbatim(b"This is a verbatim\nstring", "txt"),
        _ => return Err(CmdError::err("Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false")),
    }
    Ok(())
}

/// DEBUG SLEEP <seconds>: blocks the whole server, as in Redis (tests use it
/// to provoke latency).
fn debug_sleep(ctx: &mut Ctx) -> Result<(), CmdError> {
    let secs = strtod(ctx.arg(2));
    let us = (secs * 1_000_000.0) as i64;
    if us > 0 {
        std::thread::sleep(std::time::Duration::from_micros(us as u64));
    }
    ctx.reply().ok();
    Ok(())
}

fn debug_set_active_expire(ctx: &mut Ctx) -> Result<(), CmdError> {
    ctx.srv.debug.active_expire_enabled = atoi(ctx.arg(2)) != 0;
    ctx.reply().ok();
    Ok(())
}

fn debug_packed_threshold(ctx: &mut Ctx) -> Result<(), CmdError> {
    const LIMIT: u64 = (1u64 << 32) - (1 << 20);
    match memtoull(ctx.arg(2)) {
        Some(sz) if sz <= LIMIT => {
            ctx.srv.debug.quicklist_packed_threshold = if sz == 0 {
                DEFAULT_PACKED_THRESHOLD
            } else {
                sz
            };
            ctx.reply().ok();
            Ok(())
        }
        _ => Err(CmdError::err(
            "argument must be a memory value bigger than 1 and smaller than 4gb",
        )),
    }
}

fn debug_skip_checksum(ctx: &mut Ctx) -> Result<(), CmdError> {
    ctx.srv.debug.skip_checksum_validation = atoi(ctx.arg(2)) != 0;
    ctx.reply().ok();
    Ok(())
}

fn debug_aof_flush_sleep(ctx: &mut Ctx) -> Result<(), CmdError> {
    ctx.srv.debug.aof_flush_sleep_us = atoi(ctx.arg(2));
    ctx.reply().ok();
    Ok(())
}

fn debug_disable_deny_scripts(ctx: &mut Ctx) -> Result<(), CmdError> {
    ctx.srv.debug.disable_deny_scripts = atoi(ctx.arg(2)) != 0;
    ctx.reply().ok();
    Ok(())
}

/// DEBUG ERROR <string>: replies `-<string>` (newlines made spaces) as raw
/// protocol, so it is not counted as an error reply, as in Redis.
fn debug_error(ctx: &mut Ctx) -> Result<(), CmdError> {
    let mut line = Vec::with_capacity(ctx.arg(2).len() + 3);
    line.push(b'-');
    line.extend(ctx.arg(2).iter().map(|&b| match b {
        b'\r' | b'\n' => b' ',
        b => b,
    }));
    line.extend_from_slice(b"\r\n");
    ctx.reply().raw(&line);
    Ok(())
}

fn debug_change_repl_id(ctx: &mut Ctx) -> Result<(), CmdError> {
    ctx.srv
        .log
        .notice("Changing replication IDs after receiving DEBUG change-repl-id");
    let repl = &mut ctx.srv.status.repl;
    repl.replid = crate::server::startup::random_hex(40);
    repl.replid2 = "0".repeat(40);
    repl.second_replid_offset = -1;
    ctx.reply().ok();
    Ok(())
}

/// DEBUG PAUSE-CRON <0|1>: any text, read as C's `atoi`.
fn debug_pause_cron(ctx: &mut Ctx) -> Result<(), CmdError> {
    ctx.srv.debug.pause_cron = atoi(ctx.arg(2)) != 0;
    ctx.reply().ok();
    Ok(())
}

fn debug_mallctl(ctx: &mut Ctx) -> Result<(), CmdError> {
    let key = String::from_utf8_lossy(ctx.arg(2)).into_owned();
    let value = if ctx.argc() > 3 {
        Some(ctx.arg_i64(3)?)
    } else {
        None
    };
    match alloc::mallctl_int(&key, value) {
        Ok(Some(v)) => ctx.reply().int(v),
        Ok(None) => ctx.reply().ok(),
        Err(e) => return Err(CmdError::err(e)),
    }
    Ok(())
}

fn debug_mallctl_str(ctx: &mut Ctx) -> Result<(), CmdError> {
    let key = String::from_utf8_lossy(ctx.arg(2)).into_owned();
    let value = (ctx.argc() > 3).then(|| ctx.arg(3).to_vec());
    match alloc::mallctl_str(&key, value.as_deref()) {
        Ok(Some(v)) => ctx.reply().bulk(&v),
        Ok(None) => ctx.reply().ok(),
        Err(e) => return Err(CmdError::err(e)),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_number_prefixes() {
        assert_eq!(atoi(b"1"), 1);
        assert_eq!(atoi(b"12abc"), 12);
        assert_eq!(atoi(b"abc"), 0);
        assert_eq!(atoi(b" -3"), -3);
        assert_eq!(strtod(b"0.5"), 0.5);
        assert_eq!(strtod(b"abc"), 0.0);
        assert_eq!(strtod(b"2x"), 2.0);
        assert_eq!(strtod(b"1e-3"), 0.001);
    }

    const TYPES: &[&str] = &[
        "string", "integer", "double", "bignum", "null", "array", "set", "map", "attrib", "push",
        "verbatim", "true", "false",
    ];

    fn all_types(resp: u8) -> Vec<u8> {
        let mut r = Reply::new(resp);
        for t in TYPES {
            if let Err(e) = write_protocol(&mut r, t.as_bytes()) {
                r.error(e.as_bytes());
            }
        }
        r.to_vec()
    }

    /// Bytes captured from redis-server 7.0.15.
    #[test]
    fn protocol_resp3_bytes() {
        let want: &[u8] = b"$11\r\nHello World\r\n:12345\r\n,3.141\r\n(1234567999999999999999999999999999999\r\n_\r\n*3\r\n:0\r\n:1\r\n:2\r\n~3\r\n:0\r\n:1\r\n:2\r\n%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n>2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n$40\r\nSome real reply following the push reply\r\n=29\r\ntxt:This is a verbatim\nstring\r\n#t\r\n#f\r\n";
        assert_eq!(
            String::from_utf8_lossy(&all_types(3)),
            String::from_utf8_lossy(want)
        );
    }

    /// Bytes captured from redis-server 7.0.15.
    #[test]
    fn protocol_resp2_bytes() {
        let want: &[u8] = b"$11\r\nHello World\r\n:12345\r\n$5\r\n3.141\r\n$37\r\n1234567999999999999999999999999999999\r\n$-1\r\n*3\r\n:0\r\n:1\r\n:2\r\n*3\r\n:0\r\n:1\r\n:2\r\n*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n$39\r\nSome real reply following the attribute\r\n-ERR RESP2 is not supported by this command\r\n$25\r\nThis is a verbatim\nstring\r\n:1\r\n:0\r\n";
        assert_eq!(
            String::from_utf8_lossy(&all_types(2)),
            String::from_utf8_lossy(want)
        );
    }

    #[test]
    fn rows_are_lower_case_and_unique() {
        let mut names: Vec<&str> = SUBCOMMANDS.iter().map(|s| s.name).collect();
        assert!(names.iter().all(|n| *n == n.to_ascii_lowercase()));
        names.sort();
        names.dedup();
        assert_eq!(names.len(), SUBCOMMANDS.len());
    }
}
