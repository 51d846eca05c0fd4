//! The latency monitor and per-command latency histograms (Redis latency.c
//! and the latency-tracking part of server.c), with the LATENCY command.

use super::histogram::Histogram;
use super::sparkline;
use crate::cmd::Ctx;
use crate::error::{lossy_prefix, CmdError};

/// Samples kept per event, one per second at most (LATENCY_TS_LEN).
pub const TS_LEN: usize = 160;
/// Width of LATENCY GRAPH (LATENCY_GRAPH_COLS).
const GRAPH_COLS: usize = 80;

/// One second's worst latency for an event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sample {
    /// Unix time; 0 marks an unused slot.
    pub time: i64,
    pub latency: u64,
}

/// A ring of samples for one event (Redis `latencyTimeSeries`).
#[derive(Clone, Debug)]
pub struct TimeSeries {
    idx: usize,
    pub max: u64,
    samples: [Sample; TS_LEN],
}

impl TimeSeries {
    fn new() -> TimeSeries {
        TimeSeries {
            idx: 0,
            max: 0,
            samples: [Sample::default(); TS_LEN],
        }
    }

    fn add(&mut self, latency: u64, now: i64) {
        self.max = self.max.max(latency);
        let prev = (self.idx + TS_LEN - 1) % TS_LEN;
        if self.samples[prev].time == now {
            // Same second: keep the worst.
            let s = &mut self.samples[prev];
            s.latency = s.latency.max(latency);
            return;
        }
        self.samples[self.idx] = Sample { time: now, latency };
        self.idx = (self.idx + 1) % TS_LEN;
    }

    /// Used samples, oldest first.
    pub fn samples(&self) -> impl Iterator<Item = Sample> + '_ {
        (0..TS_LEN)
            .map(move |j| self.samples[(self.idx + j) % TS_LEN])
            .filter(|s| s.time != 0)
    }

    /// The most recent slot (possibly unused).
    pub fn latest(&self) -> Sample {
        self.samples[(self.idx + TS_LEN - 1) % TS_LEN]
    }
}

/// Latency events plus per-command histograms.
#[derive(Clone, Debug)]
pub struct LatencyMonitor {
    /// Events in creation order.
    events: Vec<(String, TimeSeries)>,
    /// `latency-tracking`: record per-command histograms.
    pub tracking: bool,
    /// `latency-tracking-info-percentiles`.
    pub percentiles: Vec<f64>,
    /// Histograms by command id, created on first use.
    histograms: Vec<Option<Box<Histogram>>>,
}

impl Default for LatencyMonitor {
    fn default() -> Self {
        LatencyMonitor {
            events: Vec::new(),
            tracking: true,
            percentiles: vec![50.0, 99.0, 99.9],
            histograms: Vec::new(),
        }
    }
}

impl LatencyMonitor {
    /// Adds a sample to `event` (Redis `latencyAddSample`).
    pub fn add_sample(&mut self, event: &str, latency_ms: u64, now: i64) {
        match self.events.iter_mut().find(|(e, _)| e == event) {
            Some((_, ts)) => ts.add(latency_ms, now),
            None => {
                let mut ts = TimeSeries::new();
                ts.add(latency_ms, now);
                self.events.push((event.to_string(), ts));
            }
        }
    }

    /// Adds a sample when the monitor is on and `latency_ms` reaches the
    /// threshold (Redis `latencyAddSampleIfNeeded`).
    pub fn add_sample_if_needed(&mut self, threshold: i64, event: &str, latency_ms: u64, now: i64) {
        if threshold > 0 && latency_ms as i128 >= threshold as i128 {
            self.add_sample(event, latency_ms, now);
        }
    }

    pub fn event(&self, name: &[u8]) -> Option<&TimeSeries> {
        self.events
            .iter()
            .find(|(e, _)| e.as_bytes() == name)
            .map(|(_, ts)| ts)
    }

    pub fn events(&self) -> impl Iterator<Item = (&str, &TimeSeries)> {
        self.events.iter().map(|(e, ts)| (e.as_str(), ts))
    }

    pub fn event_count(&self) -> usize {
        self.events.len()
    }

    /// Drops every event matching `name` case-insensitively (all when None).
    pub fn reset(&mut self, name: Option<&[u8]>) -> usize {
        let before = self.events.len();
        self.events
            .retain(|(e, _)| name.is_some_and(|n| !e.as_bytes().eq_ignore_ascii_case(n)));
        before - self.events.len()
    }

    /// Records a command's duration in its histogram (Redis
    /// `updateCommandLatencyHistogram`, fed with nanoseconds).
    pub fn record_command(&mut self, cmd_id: usize, duration_us: u64) {
        if self.histograms.len() <= cmd_id {
            self.histograms.resize_with(cmd_id + 1, || None);
        }
        let ns = (duration_us as i64).saturating_mul(1000);
        self.histograms[cmd_id]
            .get_or_insert_with(|| Box::new(Histogram::new()))
            .record(ns);
    }

    pub fn histogram(&self, cmd_id: usize) -> Option<&Histogram> {
        self.histograms.get(cmd_id).and_then(|h| h.as_deref())
    }

    /// CONFIG RESETSTAT drops every command histogram.
    pub fn reset_histograms(&mut self) {
        self.histograms.clear();
    }
}

pub(super) fn latency_latest_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let rows: Vec<(String, Sample, u64)> = ctx
        .srv
        .latency
        .events()
        .map(|(e, ts)| (e.to_string(), ts.latest(), ts.max))
        .collect();
    let r = ctx.reply();
    r.array(rows.len());
    for (event, last, max) in rows {
        r.array(4);
        r.bulk(event.as_bytes());
        r.int(last.time);
        r.int(last.latency as i64);
        r.int(max as i64);
    }
    Ok(())
}

pub(super) fn latency_history_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let samples: Vec<Sample> = match ctx.srv.latency.event(ctx.arg(2)) {
        Some(ts) => ts.samples().collect(),
        None => Vec::new(),
    };
    let r = ctx.reply();
    r.array(samples.len());
    for s in samples {
        r.array(2);
        r.int(s.time);
        r.int(s.latency as i64);
    }
    Ok(())
}

pub(super) fn latency_reset_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let n = if ctx.argc() == 2 {
        ctx.srv.latency.reset(None)
    } else {
        let names: Vec<Vec<u8>> = ctx.argv[2..].to_vec();
        names.iter().map(|n| ctx.srv.latency.reset(Some(n))).sum()
    };
    ctx.reply().int(n as i64);
    Ok(())
}

pub(super) fn latency_graph_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let now = ctx.srv.time.unixtime;
    let Some((name, ts)) = ctx
        .srv
        .latency
        .events()
        .find(|(e, _)| e.as_bytes() == ctx.argv[2].as_slice())
    else {
        return Err(CmdError::err(format!(
            "No samples available for event '{}'",
            lossy_prefix(ctx.arg(2), usize::MAX)
        )));
    };
    let graph = graph_text(name, ts, now);
    ctx.reply().verbatim(&graph, "txt");
    Ok(())
}

/// The LATENCY GRAPH text (Redis `latencyCommandGenSparkeline`).
fn graph_text(event: &str, ts: &TimeSeries, now: i64) -> Vec<u8> {
    let mut seq = sparkline::Sequence::default();
    let (mut min, mut max) = (0u64, 0u64);
    for s in ts.samples() {
        if seq.is_empty() {
            min = s.latency;
            max = s.latency;
        } else {
            max = max.max(s.latency);
            min = min.min(s.latency);
        }
        let elapsed = now - s.time;
        let label = if elapsed < 60 {
            format!("{}s", elapsed)
        } else if elapsed < 3600 {
            format!("{}m", elapsed / 60)
        } else if elapsed < 3600 * 24 {
            format!("{}h", elapsed / 3600)
        } else {
            format!("{}d", elapsed / (3600 * 24))
        };
        seq.add(s.latency as f64, Some(label));
    }
    let mut out = format!(
        "{} - high {} ms, low {} ms (all time high {} ms)\n{}\n",
        event,
        max,
        min,
        ts.max,
        "-".repeat(GRAPH_COLS)
    )
    .into_bytes();
    sparkline::render(&mut out, &seq, GRAPH_COLS, 4);
    out
}

pub(super) fn latency_doctor_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let report = super::latency_doctor::report(ctx.srv);
    ctx.reply().verbatim(report.as_bytes(), "txt");
    Ok(())
}

/// A command's name, calls and cumulative distribution.
type HistogramRow = (&'static str, u64, Vec<(i64, u64)>);

/// LATENCY HISTOGRAM [command ...]: a map from command name to its calls
/// and cumulative distribution.
pub(super) fn latency_histogram_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    let ids: Vec<usize> = if ctx.argc() == 2 {
        all_command_ids(ctx)
    } else {
        let mut ids = Vec::new();
        for name in &ctx.argv[2..] {
            let Ok(name) = std::str::from_utf8(name) else {
                continue;
            };
            if let Some(id) = ctx.srv.commands.find_by_fullname(name) {
                ids.push(id);
                ids.extend(ctx.srv.commands.cmds[id].subcommands.iter().copied());
            }
        }
        ids
    };
    let rows: Vec<HistogramRow> = ids
        .into_iter()
        .filter_map(|id| {
            let h = ctx.srv.latency.histogram(id)?;
            Some((
                ctx.srv.commands.cmds[id].fullname(),
                h.total(),
                h.cdf_usec(),
            ))
        })
        .collect();
    let r = ctx.reply();
    r.map(rows.len());
    for (name, calls, cdf) in rows {
        r.bulk(name.as_bytes());
        r.map(2);
        r.bulk(b"calls");
        r.int(calls as i64);
        r.bulk(b"histogram_usec");
        r.map(cdf.len());
        for (us, n) in cdf {
            r.int(us);
            r.int(n as i64);
        }
    }
    Ok(())
}

/// Every command and subcommand id, each parent before its subcommands.
fn all_command_ids(ctx: &Ctx) -> Vec<usize> {
    let mut ids = Vec::new();
    for c in ctx.srv.commands.top_level() {
        ids.push(c.id);
        ids.extend(c.subcommands.iter().copied());
    }
    ids
}

pub(super) fn latency_help_command(ctx: &mut Ctx) -> Result<(), CmdError> {
    super::help::reply_help(
        ctx,
        "LATENCY",
        &[
            "DOCTOR",
            "    Return a human readable latency analysis report.",
            "GRAPH <event>",
            "    Return an ASCII latency graph for the <event> class.",
            "HISTORY <event>",
            "    Return time-latency samples for the <event> class.",
            "LATEST",
            "    Return the latest latency samples for all events.",
            "RESET [<event> ...]",
            "    Reset latency data of one or more <event> classes.",
            "    (default: reset all data for all event classes)",
            "HISTOGRAM [COMMAND ...]",
            "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
            "    If no commands are specified then all histograms are replied.",
        ],
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_second_keeps_worst() {
        let mut m = LatencyMonitor::default();
        m.add_sample("command", 5, 100);
        m.add_sample("command", 3, 100);
        m.add_sample("command", 7, 100);
        m.add_sample("command", 2, 101);
        let ts = m.event(b"command").unwrap();
        let v: Vec<Sample> = ts.samples().collect();
        assert_eq!(
            v,
            vec![
                Sample {
                    time: 100,
                    latency: 7
                },
                Sample {
                    time: 101,
                    latency: 2
                }
            ]
        );
        assert_eq!(ts.max, 7);
        assert_eq!(ts.latest().latency, 2);
    }

    #[test]
    fn ring_wraps_and_reset_is_case_insensitive() {
        let mut m = LatencyMonitor::default();
        for t in 1..=200 {
            m.add_sample("x", t as u64, t);
        }
        assert_eq!(m.event(b"x").unwrap().samples().count(), TS_LEN);
        assert_eq!(m.event(b"x").unwrap().samples().next().unwrap().time, 41);
        m.add_sample("y", 1, 1);
        assert_eq!(m.reset(Some(b"X")), 1);
        assert_eq!(m.reset(None), 1);
        assert_eq!(m.event_count(), 0);
    }

    #[test]
    fn threshold() {
        let mut m = LatencyMonitor::default();
        m.add_sample_if_needed(0, "command", 100, 1);
        m.add_sample_if_needed(10, "command", 9, 1);
        assert_eq!(m.event_count(), 0);
        m.add_sample_if_needed(10, "command", 10, 1);
        assert_eq!(m.event_count(), 1);
    }

    #[test]
    fn graph_header() {
        let mut ts = TimeSeries::new();
        ts.add(10, 98);
        ts.add(20, 99);
        let g = String::from_utf8(graph_text("command", &ts, 100)).unwrap();
        assert!(g.starts_with("command - high 20 ms, low 10 ms (all time high 20 ms)\n"));
        assert!(g.ends_with("\n21\nss\n"));
    }
}
