//! XADD and the XADD/XTRIM option parser (Redis t_stream.c `xaddCommand`,
//! `streamParseAddOrTrimArgsOrReply`, the trim-argument rewrites).

use super::commands::{get_stream, node_limits};
use super::id::{parse_generic, parse_strict, ParsedId};
use super::{AddId, AppendError, Stream, StreamId, TrimArgs, TrimStrategy};
use crate::cmd::Ctx;
use crate::error::CmdError;
use crate::keyspace::notify;
use crate::types::Value;

/// Parsed XADD / XTRIM options (`streamAddTrimArgs`).
#[derive(Clone, Debug)]
pub struct AddTrimArgs {
    pub trim: Option<TrimArgs>,
    /// Index of the MAXLEN/MINID value (its `~`/`=` is just before it).
    pub trim_arg_idx: usize,
    pub nomkstream: bool,
    /// XADD: the ID argument (None for `*`) and its index.
    pub id: Option<ParsedId>,
    pub id_idx: usize,
}

fn err(msg: &str) -> CmdError {
    CmdError::err(msg)
}

/// The trim threshold after MAXLEN/MINID, with its optional `~`/`=`.
/// Returns (strategy, approx, index of the threshold).
fn parse_threshold(
    ctx: &Ctx,
    i: usize,
    maxlen: bool,
) -> Result<(TrimStrategy, bool, usize), CmdError> {
    let more = ctx.argc() - 1 - i;
    let next = ctx.arg(i + 1);
    let mut j = i + 1;
    let mut approx = false;
    if more >= 2 && (next == b"~" || next == b"=") {
        approx = next == b"~";
        j += 1;
    }
    let strategy = if maxlen {
        let n = ctx.arg_i64(j)?;
        if n < 0 {
            return Err(err("The MAXLEN argument must be >= 0."));
        }
        TrimStrategy::MaxLen(n as u64)
    } else {
        TrimStrategy::MinId(parse_strict(ctx.arg(j), 0)?)
    };
    Ok((strategy, approx, j))
}

/// `streamParseAddOrTrimArgsOrReply`. For XADD, stops at the ID; for
/// XTRIM, every argument must be an option.
pub fn parse_add_trim_args(ctx: &Ctx, xadd: bool) -> Result<AddTrimArgs, CmdError> {
    let mut a = AddTrimArgs {
        trim: None,
        trim_arg_idx: 0,
        nomkstream: false,
        id: None,
        id_idx: ctx.argc(),
    };
    let (mut approx, mut limit, mut limit_given) = (false, 0i64, false);
    let mut strategy = None;
    let mut i = 2;
    while i < ctx.argc() {
        let more = ctx.argc() - 1 - i;
        let opt = ctx.arg(i);
        if xadd && opt == b"*" {
            a.id_idx = i;
            break;
        } else if (ctx.arg_is(i, "maxlen") || ctx.arg_is(i, "minid")) && more > 0 {
            if strategy.is_some() {
                return Err(err(
                    "syntax error, MAXLEN and MINID options at the same time are not compatible",
                ));
            }
            let (s, ap, j) = parse_threshold(ctx, i, ctx.arg_is(i, "maxlen"))?;
            strategy = Some(s);
            approx = ap;
            a.trim_arg_idx = j;
            i = j;
        } else if ctx.arg_is(i, "limit") && more > 0 {
            limit = ctx.arg_i64(i + 1)?;
            if limit < 0 {
                return Err(err("The LIMIT argument must be >= 0."));
            }
            limit_given = true;
            i += 1;
        } else if xadd && ctx.arg_is(i, "nomkstream") {
            a.nomkstream = true;
        } else if xadd {
            a.id = Some(parse_generic(opt, 0, true, true)?);
            a.id_idx = i;
            break;
        } else {
            return Err(crate::error::SYNTAX);
        }
        i += 1;
    }
    if limit != 0 && strategy.is_none() {
        return Err(err(
            "syntax error, LIMIT cannot be used without specifying a trimming strategy",
        ));
    }
    if !xadd && strategy.is_none() {
        return Err(err(
            "syntax error, XTRIM must be called with a trimming strategy",
        ));
    }
    let limit = resolve_limit(ctx, approx, limit_given.then_some(limit))?;
    a.trim = strategy.map(|strategy| TrimArgs {
        strategy,
        approx,
        limit,
    });
    Ok(a)
}

/// The trim work limit: the user's LIMIT (only with `~`), else
/// `100 * stream-node-max-entries` capped to 10000 for `~`, else none. The
/// AOF client (as a master would) replays rewritten arguments with no limit
/// (`mustObeyClient`).
fn resolve_limit(ctx: &Ctx, approx: bool, given: Option<i64>) -> Result<i64, CmdError> {
    if ctx.client.id == u64::MAX {
        return Ok(0);
    }
    match given {
        Some(_) if !approx => Err(err(
            "syntax error, LIMIT cannot be used without the special ~ option",
        )),
        Some(limit) => Ok(limit),
        None if approx => {
            let limit = 100i64.saturating_mul(ctx.srv.config.stream_node_max_entries);
            Ok(if limit <= 0 || limit > 10000 {
                10000
            } else {
                limit
            })
        }
        None => Ok(0),
    }
}

/// After an approximate trim, the propagated command carries `=` and the
/// threshold actually reached (`streamRewriteApproxSpecifier`,
/// `streamRewriteTrimArgument`), so replicas and the AOF trim identically.
pub fn rewrite_trim_args(argv: &mut [Vec<u8>], a: &AddTrimArgs, s: &Stream) {
    let Some(t) = a.trim.as_ref().filter(|t| t.approx) else {
        return;
    };
    argv[a.trim_arg_idx - 1] = b"=".to_vec();
    argv[a.trim_arg_idx] = match t.strategy {
        TrimStrategy::MaxLen(_) => s.length.to_string().into_bytes(),
        TrimStrategy::MinId(_) => s.edge_id(true, false).to_bytes(),
    };
}

/// XADD's trim, and the argv to propagate: the concrete ID for `*` and
/// `ms-*`, the rewritten threshold for `~`. Returns whether it trimmed.
fn trim_after_add(
    s: &mut Stream,
    a: &AddTrimArgs,
    argv: &[Vec<u8>],
    id: StreamId,
) -> (bool, Option<Vec<Vec<u8>>>) {
    let mut prop: Option<Vec<Vec<u8>>> = None;
    let mut trimmed = false;
    if let Some(t) = &a.trim {
        trimmed = s.trim(t) > 0;
        if t.approx {
            let mut v = argv.to_vec();
            rewrite_trim_args(&mut v, a, s);
            prop = Some(v);
        }
    }
    if a.id.is_none_or(|p| !p.seq_given) {
        prop.get_or_insert_with(|| argv.to_vec())[a.id_idx] = id.to_bytes();
    }
    (trimmed, prop)
}

/// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]
pub fn xadd_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let a = parse_add_trim_args(ctx, true)?;
    let field_pos = a.id_idx + 1;
    if ctx.argc() < field_pos + 2 || (ctx.argc() - field_pos) % 2 == 1 {
        return Err(ctx.wrong_args());
    }
    if let Some(p) = a.id {
        if p.seq_given && p.id.is_zero() {
            return Err(err("The ID specified in XADD must be greater than 0-0"));
        }
    }
    let db = ctx.client.db;
    let key = ctx.arg(1);
    let exists = get_stream(ctx.srv, db, key, true)?.is_some();
    if !exists {
        if a.nomkstream {
            ctx.reply().null();
            return Ok(());
        }
        ctx.srv.db_add(db, key, Value::Stream(Box::default()));
    }
    let spec = match a.id {
        None => AddId::Auto {
            now_ms: ctx.srv.time.mstime.max(0) as u64,
        },
        Some(p) if p.seq_given => AddId::Explicit(p.id),
        Some(p) => AddId::SeqAuto(p.id.ms),
    };
    let limits = node_limits(ctx.srv);
    let argv = ctx.argv;
    let Some(Some(s)) = get_stream(ctx.srv, db, key, true).ok() else {
        return Ok(());
    };
    if s.last_id == StreamId::MAX {
        return Err(err(
            "The stream has exhausted the last possible ID, unable to add more items",
        ));
    }
    let pairs: Vec<&[u8]> = argv[field_pos..].iter().map(|v| &v[..]).collect();
    let id = match s.append(&pairs, spec, limits) {
        Ok(id) => id,
        Err(AppendError::IdTooSmall) => {
            return Err(err(
                "The ID specified in XADD is equal or smaller than the target stream top item",
            ))
        }
        Err(AppendError::TooLarge) => return Err(err("Elements are too large to be stored")),
    };
    let (trimmed, prop) = trim_after_add(s, &a, argv, id);
    ctx.reply().bulk(id.to_string().as_bytes());
    ctx.srv.signal_modified_key(db, key);
    ctx.srv.notify(notify::STREAM, "xadd", key, db);
    ctx.srv.status.persistence.dirty += 1;
    if trimmed {
        ctx.srv.notify(notify::STREAM, "xtrim", key, db);
    }
    if let Some(v) = prop {
        ctx.propagate_replace(v);
    }
    crate::blocking::signal_key_as_ready(ctx.srv, db, key);
    Ok(())
}
