//! redis-cli against ferrodis (redis-cli.c's modes), differential against
//! redis-server where the output is deterministic. Skips visibly without
//! redis-cli (and without redis-server for the differential ones).

use std::process::Output;

use crate::support::*;

/// Both servers, when redis-cli and redis-server are installed.
fn start(test: &str) -> Option<Differential> {
    if !have_redis_cli(test) {
        return None;
    }
    Differential::start(test, &[])
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Runs redis-cli with the same arguments and input against both servers and
/// asserts identical stdout and exit status. Returns ferrodis's output.
fn same_cli(d: &Differential, args: &[&str], input: Option<&[u8]>) -> Output {
    let ours = d.ours.redis_cli(args, input);
    let theirs = d.theirs.redis_cli(args, input);
    assert_eq!(
        stdout(&ours),
        stdout(&theirs),
        "stdout of redis-cli {:?}",
        args
    );
    assert_eq!(
        ours.status.code(),
        theirs.status.code(),
        "status of {:?}",
        args
    );
    ours
}

#[test]
fn cli_commands_from_stdin() {
    let Some(d) = start("cli_commands_from_stdin") else {
        return;
    };
    let input = b"PING\nECHO hello\nECHO \"a b\" \nping 'quoted arg'\nnosuch x\n\nECHO last\n";
    let out = same_cli(&d, &[], Some(input));
    assert_eq!(
        stdout(&out),
        "PONG\nhello\na b\nquoted arg\nERR unknown command 'nosuch', with args beginning with: 'x' \n\nlast\n"
    );
    // --no-raw keeps the quoted, typed form even though stdout is not a tty.
    let out = same_cli(&d, &["--no-raw"], Some(b"PING\nECHO hello\nnosuch\n"));
    assert!(stdout(&out).starts_with("PONG\n\"hello\"\n(error) ERR unknown command"));
}

#[test]
fn cli_one_shot_and_x() {
    let Some(d) = start("cli_one_shot_and_x") else {
        return;
    };
    let out = same_cli(&d, &["PING"], None);
    assert_eq!(stdout(&out), "PONG\n");
    same_cli(&d, &["ECHO", "two words"], None);
    same_cli(&d, &["--no-raw", "ECHO", "x"], None);
    // -x: the last argument is read from stdin, newline included.
    let out = same_cli(&d, &["-x", "ECHO"], Some(b"from stdin\n"));
    assert_eq!(stdout(&out), "from stdin\n\n");
    same_cli(&d, &["-r", "3", "PING"], None);
}

/// A payload of `n` commands for --pipe, every third one ECHO.
fn pipe_payload(n: usize, errors: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..n {
        if i % 3 == 0 {
            let v = format!("value:{}", i);
            out.extend(RawConn::encode(&[b"ECHO", v.as_bytes()]));
        } else {
            out.extend(RawConn::encode(&[b"PING"]));
        }
    }
    for _ in 0..errors {
        out.extend(RawConn::encode(&[b"NOSUCHCOMMAND"]));
    }
    out
}

#[test]
fn cli_pipe_mode() {
    let Some(d) = start("cli_pipe_mode") else {
        return;
    };
    let n = 20_000;
    let out = same_cli(&d, &["--pipe"], Some(&pipe_payload(n, 0)));
    let text = stdout(&out);
    assert!(
        text.ends_with(&format!("errors: 0, replies: {}\n", n)),
        "{}",
        text
    );
    assert!(out.status.success());
    // Errors are counted and reported on stdout too.
    let out = same_cli(&d, &["--pipe"], Some(&pipe_payload(100, 2)));
    assert!(stdout(&out).ends_with("errors: 2, replies: 102\n"));
}

#[test]
fn cli_latency_bounded_run() {
    let s = Server::start(&[]);
    if !have_redis_cli("cli_latency_bounded_run") {
        return;
    }
    // With --raw (or any non-tty output), --latency samples for one interval,
    // prints "min max avg samples" and exits.
    let out = s.redis_cli(&["--latency", "--raw", "-i", "0.3"], None);
    assert!(out.status.success());
    let text = stdout(&out);
    let fields: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(fields.len(), 4, "{:?}", text);
    let samples: u64 = fields[3].parse().unwrap();
    assert!(samples > 0, "{:?}", text);
    let out = s.redis_cli(&["--latency", "--csv", "-i", "0.3"], None);
    assert!(out.status.success());
    assert!(stdout(&out).contains(','), "{:?}", stdout(&out));
}

#[test]
fn cli_resp3() {
    let Some(d) = start("cli_resp3") else {
        return;
    };
    let out = same_cli(&d, &["-3", "PING"], None);
    assert_eq!(stdout(&out), "PONG\n");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    same_cli(&d, &["-3", "--no-raw", "ECHO", "x"], None);
    same_cli(&d, &["-3"], Some(b"PING\nECHO y\n"));
}
