//! XREAD (Redis t_stream.c `xreadCommand`, blocked.c
//! `serveClientsBlockedOnStreamKey`): serve what is there, else block.
//!
//! Blocking follows docs/blocking.md: before blocking, the saved argv is
//! rewritten to `XREAD COUNT n BLOCK t STREAMS keys... ids...` with `$`
//! resolved to the concrete last ID and COUNT defaulting to 1000
//! (XREAD_BLOCKED_DEFAULT_COUNT), so the re-executed command reads exactly
//! what Redis serves a blocked client. When re-executed, it serves the
//! first key (in argument order) whose stream's last ID passed the
//! client's ID, as a one-key reply, and skips keys of other types.

use super::commands::get_stream;
use super::id::parse_strict;
use super::{Stream, StreamId};
use crate::blocking::{self, BlockKind, TimeUnit};
use crate::cmd::Ctx;
use crate::error::{CmdError, SYNTAX};
use crate::resp::Reply;

/// XREAD_BLOCKED_DEFAULT_COUNT.
const BLOCKED_DEFAULT_COUNT: i64 = 1000;

/// Parsed XREAD / XREADGROUP options.
#[derive(Clone, Debug, Default)]
pub struct XReadArgs {
    /// BLOCK's deadline (0 = forever) and the argument index of its value.
    pub block: Option<(u64, usize)>,
    pub count: i64,
    /// Index of the first key after STREAMS, and the number of streams.
    pub streams_arg: usize,
    pub nstreams: usize,
    /// XREADGROUP: argument indexes of the group and consumer names.
    pub group: Option<(usize, usize)>,
    pub noack: bool,
}

/// Parses the options up to STREAMS (`xreadCommand`'s first loop).
pub fn parse_xread_args(ctx: &Ctx, xreadgroup: bool) -> Result<XReadArgs, CmdError> {
    let mut a = XReadArgs::default();
    let mut i = 1;
    while i < ctx.argc() {
        let more = ctx.argc() - i - 1;
        if ctx.arg_is(i, "block") && more > 0 {
            i += 1;
            let deadline = blocking::parse_timeout(ctx, ctx.arg(i), TimeUnit::Millis)?;
            a.block = Some((deadline, i));
        } else if ctx.arg_is(i, "count") && more > 0 {
            i += 1;
            a.count = ctx.arg_i64(i)?.max(0);
        } else if ctx.arg_is(i, "streams") && more > 0 {
            a.streams_arg = i + 1;
            let n = ctx.argc() - a.streams_arg;
            if !n.is_multiple_of(2) {
                let (name, sym) = if xreadgroup {
                    ("XREADGROUP", '>')
                } else {
                    ("XREAD", '$')
                };
                return Err(CmdError::err(format!(
                    "Unbalanced {name} list of streams: for each stream key an ID or '{sym}' must be specified."
                )));
            }
            a.nstreams = n / 2;
            break;
        } else if ctx.arg_is(i, "group") && more >= 2 {
            if !xreadgroup {
                return Err(CmdError::err(
                    "The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            a.group = Some((i + 1, i + 2));
            i += 2;
        } else if ctx.arg_is(i, "noack") {
            if !xreadgroup {
                return Err(CmdError::err(
                    "The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            a.noack = true;
        } else {
            return Err(SYNTAX);
        }
        i += 1;
    }
    if a.streams_arg == 0 {
        return Err(SYNTAX);
    }
    Ok(a)
}

/// Resolves XREAD's IDs: `$` is the stream's last ID (0-0 if missing);
/// each key's type is checked before its ID is parsed. While re-executed,
/// keys of another type count as missing.
fn resolve_ids(ctx: &mut Ctx, a: &XReadArgs) -> Result<Vec<StreamId>, CmdError> {
    let db = ctx.client.db;
    let fresh = blocking::may_block_fresh(ctx);
    let mut ids = Vec::with_capacity(a.nstreams);
    for k in 0..a.nstreams {
        let key = ctx.arg(a.streams_arg + k);
        let arg = ctx.arg(a.streams_arg + a.nstreams + k);
        let last = match get_stream(ctx.srv, db, key, false) {
            Ok(s) => s.map(|s| s.last_id),
            Err(e) if fresh => return Err(e),
            Err(_) => None,
        };
        let id = if arg == b"$" {
            last.unwrap_or(StreamId::MIN)
        } else if arg == b">" {
            return Err(CmdError::err(
                "The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.",
            ));
        } else {
            parse_strict(arg, 0)?
        };
        ids.push(id);
    }
    Ok(ids)
}

/// One `key => entries` element of an XREAD reply (RESP2: a 2-array).
fn reply_stream(r: &mut Reply, key: &[u8], s: &Stream, gt: StreamId, count: i64) {
    if r.resp == 2 {
        r.array(2);
    }
    r.bulk(key);
    let start = gt.incr().unwrap_or(StreamId::MAX);
    super::commands::reply_range(r, s, start, StreamId::MAX, count.max(0) as usize, false);
}

/// Fresh call: every key with a live entry past its ID, in argument order.
fn serve_now(ctx: &mut Ctx, a: &XReadArgs, ids: &[StreamId]) -> bool {
    let db = ctx.client.db;
    let mut at = None;
    let mut n = 0;
    for (k, &gt) in ids.iter().enumerate() {
        let key = ctx.arg(a.streams_arg + k);
        let Ok(Some(s)) = get_stream(ctx.srv, db, key, false) else {
            continue;
        };
        if s.is_empty() || s.last_valid_id() <= gt {
            continue;
        }
        let r = &mut ctx.client.reply;
        at.get_or_insert_with(|| r.defer_len());
        reply_stream(r, key, s, gt, a.count);
        n += 1;
    }
    if let Some(at) = at {
        let r = &mut ctx.client.reply;
        if r.resp == 2 {
            r.set_deferred_array(at, n);
        } else {
            r.set_deferred_map(at, n);
        }
    }
    n > 0
}

/// Re-executed blocked call: the ready stream, if its last ID passed the
/// client's ID, as a one-key reply (`serveClientsBlockedOnStreamKey`).
fn serve_blocked(ctx: &mut Ctx, a: &XReadArgs, ids: &[StreamId]) -> bool {
    let db = ctx.client.db;
    for (k, &gt) in ids.iter().enumerate() {
        let key = ctx.arg(a.streams_arg + k);
        if blocking::serving_key(ctx).is_some_and(|ready| ready != key) {
            continue;
        }
        let Ok(Some(s)) = get_stream(ctx.srv, db, key, false) else {
            continue;
        };
        if s.last_id <= gt {
            continue;
        }
        let r = &mut ctx.client.reply;
        if r.resp == 2 {
            r.array(1);
        } else {
            r.map(1);
        }
        reply_stream(r, key, s, gt, a.count);
        return true;
    }
    false
}

/// The argv a blocked XREAD re-executes: IDs resolved, COUNT explicit.
fn blocked_argv(ctx: &Ctx, a: &XReadArgs, ids: &[StreamId], block_idx: usize) -> Vec<Vec<u8>> {
    let count = if a.count != 0 {
        a.count
    } else {
        BLOCKED_DEFAULT_COUNT
    };
    let mut v: Vec<Vec<u8>> = vec![
        ctx.arg(0).to_vec(),
        b"COUNT".to_vec(),
        count.to_string().into_bytes(),
        b"BLOCK".to_vec(),
        ctx.arg(block_idx).to_vec(),
        b"STREAMS".to_vec(),
    ];
    v.extend(
        ctx.argv[a.streams_arg..a.streams_arg + a.nstreams]
            .iter()
            .cloned(),
    );
    v.extend(ids.iter().map(|id| id.to_bytes()));
    v
}

/// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
pub fn xread_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let a = parse_xread_args(ctx, false)?;
    let ids = resolve_ids(ctx, &a)?;
    let fresh = blocking::may_block_fresh(ctx);
    let served = if fresh {
        serve_now(ctx, &a, &ids)
    } else {
        serve_blocked(ctx, &a, &ids)
    };
    if served {
        return Ok(());
    }
    let Some((deadline, block_idx)) = a.block else {
        ctx.reply().null_array();
        return Ok(());
    };
    if !blocking::may_block(ctx) {
        ctx.reply().null_array();
        return Ok(());
    }
    let keys: Vec<&[u8]> = ctx.argv[a.streams_arg..a.streams_arg + a.nstreams]
        .iter()
        .map(|k| &k[..])
        .collect();
    blocking::block_on_keys(ctx, &keys, deadline, BlockKind::Stream);
    if fresh {
        let argv = blocked_argv(ctx, &a, &ids, block_idx);
        blocking::set_blocked_argv(ctx.srv, ctx.client.token, argv);
    }
    Ok(())
}
