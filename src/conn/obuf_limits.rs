//! Client output buffer limits (Redis networking.c `checkClientOutputBufferLimits`,
//! `closeClientOnOutputBufferLimitReached`, `getClientOutputBufferMemoryUsage`;
//! config.c `client-output-buffer-limit`).
//!
//! Our reply is one buffer. Redis keeps a 16 KB static buffer plus a list of
//! reply blocks and only counts the list against the limits, so the first
//! 16 KB of pending output count as the static buffer here and the rest as
//! list memory: CLIENT LIST `obl`/`oll`/`omem` and the limits then grow as
//! they do on Redis.

use super::info::client_info_line;
use super::Client;
use crate::config::{Apply, Config, ConfigEntry, Kind};
use crate::server::Server;

/// Size of Redis's static reply buffer and of a reply block (PROTO_REPLY_CHUNK_BYTES).
pub const REPLY_CHUNK: usize = 16 * 1024;

/// The limit classes (Redis CLIENT_TYPE_NORMAL, _SLAVE, _PUBSUB).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObufClass {
    Normal = 0,
    Replica = 1,
    PubSub = 2,
}

/// Class names as the configuration prints them, in Redis's order.
const CLASS_NAMES: [&str; 3] = ["normal", "slave", "pubsub"];

/// One class's limits: bytes (0: none) and how long the soft limit may be exceeded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ObufLimit {
    pub hard: u64,
    pub soft: u64,
    pub soft_seconds: i64,
}

/// The limits of every class (Redis `server.client_obuf_limits`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ObufLimits(pub [ObufLimit; 3]);

impl ObufLimits {
    pub fn get(&self, class: ObufClass) -> &ObufLimit {
        &self.0[class as usize]
    }
}

/// The `client-output-buffer-limit` row of the config table.
pub const CONFIG_ENTRY: ConfigEntry = ConfigEntry {
    name: "client-output-buffer-limit",
    alias: None,
    flags: 0,
    default: "normal 0 0 0 slave 256mb 64mb 60 pubsub 32mb 8mb 60",
    kind: Kind::Special {
        parse: parse_config,
        format: format_config,
    },
    apply: Apply::None,
};

/// Output-buffer figures of a client, as CLIENT LIST shows them.
impl Client {
    /// Bytes in what would be Redis's static reply buffer (`obl`).
    pub fn obuf_static_len(&self) -> usize {
        self.pending_output().min(REPLY_CHUNK)
    }

    /// Output memory counted against the limits (`omem`).
    pub fn obuf_memory(&self) -> usize {
        self.pending_output().saturating_sub(REPLY_CHUNK)
    }

    /// Reply blocks beyond the static buffer (`oll`).
    pub fn obuf_list_len(&self) -> usize {
        self.obuf_memory().div_ceil(REPLY_CHUNK)
    }

    /// The limit class (Redis `getClientType` for limits: MONITOR clients
    /// count as normal, subscribers as pubsub).
    pub fn obuf_class(&self) -> ObufClass {
        if self.is_pubsub() {
            ObufClass::PubSub
        } else {
            ObufClass::Normal
        }
    }
}

/// True when `c` is over its class's hard limit, or over the soft limit for
/// longer than allowed. Tracks when the soft limit was first passed.
pub fn over_limit(c: &mut Client, limits: &ObufLimits, now_ms: i64) -> bool {
    let used = c.obuf_memory() as u64;
    if used == 0 || c.flags.close_asap {
        return false;
    }
    let l = limits.get(c.obuf_class());
    let hard = l.hard != 0 && used >= l.hard;
    let mut soft = l.soft != 0 && used >= l.soft;
    if soft {
        if c.obuf_soft_limit_reached_ms == 0 {
            // First time over: the timer starts now.
            c.obuf_soft_limit_reached_ms = now_ms;
            soft = false;
        } else {
            let elapsed = now_ms / 1000 - c.obuf_soft_limit_reached_ms / 1000;
            if elapsed <= l.soft_seconds {
                soft = false;
            }
        }
    } else {
        c.obuf_soft_limit_reached_ms = 0;
    }
    hard || soft
}

/// Flags `c` to be closed in before-sleep and logs why, as Redis's
/// `freeClientAsync` path does.
fn schedule_close(srv: &mut Server, c: &mut Client) {
    c.flags.close_asap = true;
    srv.log.warning(&format!(
        "Client {} scheduled to be closed ASAP for overcoming of output buffer limits.",
        client_info_line(c, srv.time.mstime)
    ));
    srv.stats.client_outbuf_limit_disconnections += 1;
}

/// Closes asynchronously a client in the slab that went over its limit.
pub fn close_async(srv: &mut Server, token: usize) {
    let Some(mut c) = srv.clients.take(token) else {
        return;
    };
    if !c.flags.close_asap {
        schedule_close(srv, &mut c);
    }
    srv.clients.put(c);
}

/// Checks the running client once its command has written its reply.
pub fn after_command(srv: &mut Server, c: &mut Client) {
    if over_limit(c, &srv.config.client_obuf_limits, srv.time.mstime) {
        schedule_close(srv, c);
    }
}

/// serverCron's check (Redis `clientsCron`): a client whose output stopped
/// growing is still closed once its soft limit has lasted too long.
pub fn cron(srv: &mut Server) {
    let limits = srv.config.client_obuf_limits;
    let now = srv.time.mstime;
    let over: Vec<usize> = srv
        .clients
        .iter_mut()
        .filter(|c| c.pending_output() > REPLY_CHUNK)
        .filter_map(|c| over_limit(c, &limits, now).then_some(c.token))
        .collect();
    for token in over {
        let Some(c) = srv.clients.take(token) else {
            continue;
        };
        srv.log.warning(&format!(
            "Client {} closed for overcoming of output buffer limits.",
            client_info_line(&c, now)
        ));
        srv.stats.client_outbuf_limit_disconnections += 1;
        srv.free_client(c);
    }
}

const WRONG_ARGS: &str = "Wrong number of arguments in buffer limit configuration.";
const BAD_CLASS: &str = "Invalid client class specified in buffer limit configuration.";
const BAD_VALUE: &str =
    "Error in hard, soft or soft_seconds setting in buffer limit configuration.";

/// Parses `<class> <hard> <soft> <soft_seconds>` groups; all or nothing.
/// One argument holding the whole value (CONFIG SET, a quoted directive) is
/// split on single spaces, as Redis splits multi-argument settings.
fn parse_config(c: &mut Config, args: &[Vec<u8>]) -> Result<(), String> {
    let split;
    let args = if args.len() == 1 {
        split = split_spaces(&args[0]);
        &split[..]
    } else {
        args
    };
    if !args.len().is_multiple_of(4) {
        return Err(WRONG_ARGS.into());
    }
    let mut new = c.client_obuf_limits;
    for group in args.chunks(4) {
        let class = class_by_name(&group[0]).ok_or_else(|| BAD_CLASS.to_string())?;
        let hard = memtoull(&group[1]).ok_or_else(|| BAD_VALUE.to_string())?;
        let soft = memtoull(&group[2]).ok_or_else(|| BAD_VALUE.to_string())?;
        let seconds = soft_seconds(&group[3]).ok_or_else(|| BAD_VALUE.to_string())?;
        new.0[class as usize] = ObufLimit {
            hard,
            soft,
            soft_seconds: seconds,
        };
    }
    c.client_obuf_limits = new;
    Ok(())
}

fn format_config(c: &Config) -> String {
    let mut parts = Vec::with_capacity(3);
    for (i, l) in c.client_obuf_limits.0.iter().enumerate() {
        parts.push(format!(
            "{} {} {} {}",
            CLASS_NAMES[i], l.hard, l.soft, l.soft_seconds
        ));
    }
    parts.join(" ")
}

/// Redis `sdssplitlen(s, " ")`: empty input gives nothing, and consecutive,
/// leading or trailing spaces give empty parts.
fn split_spaces(s: &[u8]) -> Vec<Vec<u8>> {
    if s.is_empty() {
        return Vec::new();
    }
    s.split(|&b| b == b' ').map(|p| p.to_vec()).collect()
}

/// Redis `getClientTypeByName`, without `master`, which has no limits.
fn class_by_name(name: &[u8]) -> Option<ObufClass> {
    let lower = name.to_ascii_lowercase();
    match &lower[..] {
        b"normal" => Some(ObufClass::Normal),
        b"slave" | b"replica" => Some(ObufClass::Replica),
        b"pubsub" => Some(ObufClass::PubSub),
        _ => None,
    }
}

/// Redis 7.0 `memtoull`: digits and an optional unit; an empty number is 0,
/// a number too big saturates as `strtoull` does, and the unit multiplies
/// with wrap-around.
fn memtoull(s: &[u8]) -> Option<u64> {
    if s.first() == Some(&b'-') {
        return None;
    }
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    let unit = s[digits..].to_ascii_lowercase();
    let mul: u64 = match &unit[..] {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    // Redis copies the digits into a 128-byte buffer first.
    if digits >= 128 {
        return None;
    }
    let mut val: u64 = 0;
    for &d in &s[..digits] {
        val = val
            .checked_mul(10)
            .and_then(|v| v.checked_add((d - b'0') as u64))
            .unwrap_or(u64::MAX);
    }
    Some(val.wrapping_mul(mul))
}

/// Redis parses soft_seconds with `strtoll` into an `int`: leading spaces and
/// a sign are accepted, overflow saturates, the value is truncated to 32
/// bits, and a negative result or trailing bytes are errors. An empty string
/// is 0 (strtoll stops at its end).
fn soft_seconds(s: &[u8]) -> Option<i64> {
    let mut i = s
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
        .count();
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let digits = s[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        // No conversion: strtoll points back at the start of the string.
        return s.is_empty().then_some(0);
    }
    if i + digits != s.len() {
        return None;
    }
    let mut v: i64 = 0;
    for &d in &s[i..i + digits] {
        let digit = (d - b'0') as i64;
        v = if neg {
            v.checked_mul(10)
                .and_then(|v| v.checked_sub(digit))
                .unwrap_or(i64::MIN)
        } else {
            v.checked_mul(10)
                .and_then(|v| v.checked_add(digit))
                .unwrap_or(i64::MAX)
        };
    }
    let as_int = v as i32;
    (as_int >= 0).then_some(as_int as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(c: &mut Config, v: &str) -> Result<(), String> {
        parse_config(c, &[v.as_bytes().to_vec()])
    }

    #[test]
    fn defaults_and_format() {
        let c = Config::with_defaults();
        assert_eq!(
            format_config(&c),
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
        );
    }

    #[test]
    fn parse_like_redis() {
        let mut c = Config::with_defaults();
        assert_eq!(set(&mut c, "normal 1 2").unwrap_err(), WRONG_ARGS);
        assert_eq!(set(&mut c, "master 1 2 3").unwrap_err(), BAD_CLASS);
        assert_eq!(set(&mut c, "normal 1x 2 3").unwrap_err(), BAD_VALUE);
        assert_eq!(set(&mut c, "normal 1 2 -1").unwrap_err(), BAD_VALUE);
        assert_eq!(set(&mut c, "normal 0 0 2147483648").unwrap_err(), BAD_VALUE);
        assert_eq!(set(&mut c, " normal 0 0 0").unwrap_err(), WRONG_ARGS);
        assert!(set(&mut c, "").is_ok());
        set(&mut c, "NORMAL 1k 2mb +5 replica 1 1 4294967297").unwrap();
        assert_eq!(
            format_config(&c),
            "normal 1000 2097152 5 slave 1 1 1 pubsub 33554432 8388608 60"
        );
        set(&mut c, "normal  0 0").unwrap();
        set(&mut c, "pubsub 20000000000gb 18446744073709551616 0").unwrap();
        assert_eq!(
            format_config(&c),
            "normal 0 0 0 slave 1 1 1 pubsub 3028092406290448384 18446744073709551615 0"
        );
        // A failed group leaves everything unchanged.
        let before = c.client_obuf_limits;
        assert!(set(&mut c, "normal 5 5 5 pubsub 1 1 x").is_err());
        assert_eq!(c.client_obuf_limits, before);
    }

    #[test]
    fn config_file_arguments() {
        let mut c = Config::with_defaults();
        let args: Vec<Vec<u8>> = ["pubsub", "1mb", "512kb", ""]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect();
        parse_config(&mut c, &args).unwrap();
        let l = c.client_obuf_limits.get(ObufClass::PubSub);
        assert_eq!((l.hard, l.soft, l.soft_seconds), (1 << 20, 512 * 1024, 0));
        assert!(parse_config(&mut c, &[]).is_ok());
    }
}
