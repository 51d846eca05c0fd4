//! Pub/Sub commands (Redis pubsub.c): SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE,
//! PUNSUBSCRIBE, SSUBSCRIBE, SUNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB.

use super::{publish, Kind};
use crate::cmd::{CommandImpl, Ctx};
use crate::conn::Client;
use crate::error::CmdError;
use crate::introspection::help::{reply_help, subcommand_syntax_error};
use crate::util::glob::string_match_len;

const fn row(name: &'static str, handler: crate::cmd::Handler) -> CommandImpl {
    CommandImpl { name, handler }
}

pub const COMMANDS: &[CommandImpl] = &[
    row("subscribe", subscribe_command),
    row("unsubscribe", unsubscribe_command),
    row("psubscribe", psubscribe_command),
    row("punsubscribe", punsubscribe_command),
    row("ssubscribe", ssubscribe_command),
    row("sunsubscribe", sunsubscribe_command),
    row("publish", publish_command),
    row("spublish", spublish_command),
    row("pubsub|channels", pubsub_channels_command),
    row("pubsub|numsub", pubsub_numsub_command),
    row("pubsub|numpat", pubsub_numpat_command),
    row("pubsub|shardchannels", pubsub_shardchannels_command),
    row("pubsub|shardnumsub", pubsub_shardnumsub_command),
    row("pubsub|help", pubsub_help_command),
];

const HELP: &[&str] = &[
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
];

/// A subscription confirmation push: `[word, name or nil, count]`. Redis
/// marks these as pushes, so they survive CLIENT REPLY OFF/SKIP.
fn confirm(c: &mut Client, word: &[u8], name: Option<&[u8]>, count: usize) {
    let r = &mut c.reply;
    let start = r.len();
    r.push(3);
    r.bulk(word);
    match name {
        Some(n) => r.bulk(n),
        None => r.null(),
    }
    r.int(count as i64);
    r.mark_push(start);
}

/// Confirmation words of a channel kind: (subscribe, unsubscribe).
fn words(kind: Kind) -> (&'static [u8], &'static [u8]) {
    match kind {
        Kind::Global => (b"subscribe", b"unsubscribe"),
        Kind::Shard => (b"ssubscribe", b"sunsubscribe"),
    }
}

/// Leaves the subscribed state once nothing is left (Redis clears CLIENT_PUBSUB).
fn settle(c: &mut Client) {
    if c.pubsub.total() == 0 {
        c.pubsub.active = false;
    }
}

/// A client that must get one reply per command (EXEC sets DENY_BLOCKING)
/// cannot enter the subscribed state; Redis lets SUBSCRIBE and PSUBSCRIBE
/// through inside MULTI for backward compatibility, but not SSUBSCRIBE.
fn check_deny_blocking(ctx: &Ctx, name: &str, multi_exempt: bool) -> Result<(), CmdError> {
    let c = &ctx.client;
    if c.flags.deny_blocking && !(multi_exempt && c.mstate.active) {
        return Err(CmdError::err(format!(
            "{} isn't allowed for a DENY BLOCKING client",
            name
        )));
    }
    Ok(())
}

fn subscribe_generic(ctx: &mut Ctx, kind: Kind) -> Result<(), CmdError> {
    let (word, _) = words(kind);
    match kind {
        Kind::Global => check_deny_blocking(ctx, "SUBSCRIBE", true)?,
        Kind::Shard => check_deny_blocking(ctx, "SSUBSCRIBE", false)?,
    }
    for i in 1..ctx.argc() {
        let name = ctx.arg(i);
        ctx.srv.pubsub.subscribe(kind, ctx.client, name);
        let n = ctx.client.pubsub.count_for(kind);
        confirm(ctx.client, word, Some(name), n);
    }
    ctx.client.pubsub.active = true;
    Ok(())
}

fn unsubscribe_generic(ctx: &mut Ctx, kind: Kind) -> Result<(), CmdError> {
    let (_, word) = words(kind);
    if ctx.argc() == 1 {
        let names: Vec<Vec<u8>> = ctx.client.pubsub.set(kind).iter().cloned().collect();
        for name in &names {
            ctx.srv.pubsub.unsubscribe(kind, ctx.client, name);
            let n = ctx.client.pubsub.count_for(kind);
            confirm(ctx.client, word, Some(name), n);
        }
        // Subscribed to nothing: still one confirmation, with a nil name.
        if names.is_empty() {
            let n = ctx.client.pubsub.count_for(kind);
            confirm(ctx.client, word, None, n);
        }
    } else {
        for i in 1..ctx.argc() {
            let name = ctx.arg(i);
            ctx.srv.pubsub.unsubscribe(kind, ctx.client, name);
            let n = ctx.client.pubsub.count_for(kind);
            confirm(ctx.client, word, Some(name), n);
        }
    }
    settle(ctx.client);
    Ok(())
}

/// SUBSCRIBE channel [channel ...]
fn subscribe_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    subscribe_generic(ctx, Kind::Global)
}

/// UNSUBSCRIBE [channel [channel ...]]
fn unsubscribe_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    unsubscribe_generic(ctx, Kind::Global)
}

/// SSUBSCRIBE shardchannel [shardchannel ...]
fn ssubscribe_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    subscribe_generic(ctx, Kind::Shard)
}

/// SUNSUBSCRIBE [shardchannel [shardchannel ...]]
fn sunsubscribe_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    unsubscribe_generic(ctx, Kind::Shard)
}

/// PSUBSCRIBE pattern [pattern ...]
fn psubscribe_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    check_deny_blocking(ctx, "PSUBSCRIBE", true)?;
    for i in 1..ctx.argc() {
        let pattern = ctx.arg(i);
        ctx.srv.pubsub.psubscribe(ctx.client, pattern);
        let n = ctx.client.pubsub.count();
        confirm(ctx.client, b"psubscribe", Some(pattern), n);
    }
    ctx.client.pubsub.active = true;
    Ok(())
}

/// PUNSUBSCRIBE [pattern [pattern ...]]
fn punsubscribe_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    if ctx.argc() == 1 {
        let patterns: Vec<Vec<u8>> = ctx
            .client
            .pubsub
            .patterns
            .iter()
            .map(|p| p.to_vec())
            .collect();
        for pattern in &patterns {
            ctx.srv.pubsub.punsubscribe(ctx.client, pattern);
            let n = ctx.client.pubsub.count();
            confirm(ctx.client, b"punsubscribe", Some(pattern), n);
        }
        if patterns.is_empty() {
            let n = ctx.client.pubsub.count();
            confirm(ctx.client, b"punsubscribe", None, n);
        }
    } else {
        for i in 1..ctx.argc() {
            let pattern = ctx.arg(i);
            ctx.srv.pubsub.punsubscribe(ctx.client, pattern);
            let n = ctx.client.pubsub.count();
            confirm(ctx.client, b"punsubscribe", Some(pattern), n);
        }
    }
    settle(ctx.client);
    Ok(())
}

/// PUBLISH channel message
fn publish_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let (channel, message) = (ctx.arg(1), ctx.arg(2));
    let n = publish(ctx.srv, Some(ctx.client), Kind::Global, channel, message);
    ctx.reply().int(n as i64);
    Ok(())
}

/// SPUBLISH shardchannel message
fn spublish_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let (channel, message) = (ctx.arg(1), ctx.arg(2));
    let n = publish(ctx.srv, Some(ctx.client), Kind::Shard, channel, message);
    ctx.reply().int(n as i64);
    Ok(())
}

/// The active channels of `kind`, filtered by the optional pattern argument.
fn channel_list(ctx: &mut Ctx, kind: Kind) -> Result<(), CmdError> {
    if ctx.argc() > 3 {
        return Err(subcommand_syntax_error(ctx));
    }
    let pattern = (ctx.argc() == 3).then(|| ctx.arg(2));
    let names: Vec<&[u8]> = ctx
        .srv
        .pubsub
        .channel_names(kind)
        .filter(|name| pattern.is_none_or(|p| string_match_len(p, name, false)))
        .collect();
    let r = &mut ctx.client.reply;
    r.array(names.len());
    for name in names {
        r.bulk(name);
    }
    Ok(())
}

/// Name and subscriber count of every channel argument.
fn numsub(ctx: &mut Ctx, kind: Kind) -> Result<(), CmdError> {
    let r = &mut ctx.client.reply;
    r.array((ctx.argv.len() - 2) * 2);
    for name in &ctx.argv[2..] {
        r.bulk(name);
        r.int(ctx.srv.pubsub.numsub(kind, name) as i64);
    }
    Ok(())
}

/// PUBSUB CHANNELS [pattern]
fn pubsub_channels_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    channel_list(ctx, Kind::Global)
}

/// PUBSUB SHARDCHANNELS [pattern]
fn pubsub_shardchannels_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    channel_list(ctx, Kind::Shard)
}

/// PUBSUB NUMSUB [channel ...]
fn pubsub_numsub_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    numsub(ctx, Kind::Global)
}

/// PUBSUB SHARDNUMSUB [shardchannel ...]
fn pubsub_shardnumsub_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    numsub(ctx, Kind::Shard)
}

/// PUBSUB NUMPAT: distinct patterns with at least one subscriber.
fn pubsub_numpat_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let n = ctx.srv.pubsub.pattern_count();
    ctx.reply().int(n as i64);
    Ok(())
}

/// PUBSUB HELP
fn pubsub_help_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    reply_help(ctx, "pubsub", HELP);
    Ok(())
}

/// PING in the RESP2 subscribed context: `["pong", message or ""]`, so that
/// the reply looks like the pushes the client is reading.
pub fn pong_push(ctx: &mut Ctx) {
    let msg: &[u8] = if ctx.argc() == 2 { ctx.arg(1) } else { b"" };
    let r = ctx.reply();
    r.array(2);
    r.bulk(b"pong");
    r.bulk(msg);
}
