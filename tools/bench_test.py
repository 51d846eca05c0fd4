#!/usr/bin/env python3
"""Checks tools/bench.py's parsing and rendering on canned redis-benchmark
output (tools/bench_fixtures/, captured from redis-benchmark 7.0.15), so the
tool cannot rot silently. Starts no server. Run by tools/test.sh, or
`python3 tools/bench.py --self-test`.
"""

import os
import sys
import unittest
import xml.dom.minidom

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no tools/__pycache__ in the tree
sys.path.insert(0, HERE)

import bench  # noqa: E402
import bench_data  # noqa: E402
import bench_parse  # noqa: E402
import bench_report  # noqa: E402


def fixture(name):
    with open(os.path.join(HERE, "bench_fixtures", name), newline="") as f:
        return f.read()


class ParseTest(unittest.TestCase):
    def test_get_block(self):
        r = bench_parse.parse_run(fixture("get_P16_d1024.txt"), "GET")
        self.assertIsNone(r.failure)
        self.assertEqual(r.rps, 180180.17)
        self.assertEqual((r.p50, r.p99), (3.495, 13.719))
        # The 99.902% row of the percentile distribution, not the cumulative one.
        self.assertEqual(r.p999, 13.807)

    def test_lrange_skips_prefill_block(self):
        text = fixture("lrange_100.txt")
        r = bench_parse.parse_run(text, bench.title_of("lrange_100"))
        self.assertEqual((r.rps, r.p50, r.p99), (5128.21, 0.087, 5.887))
        # Few requests: no row between 99.609% and 100%, so 100% is the bound.
        self.assertEqual(r.p999, 5.919)
        prefill = bench_parse.parse_run(text, "LPUSH (needed to benchmark LRANGE)")
        self.assertEqual(prefill.rps, 6250.0)

    def test_unknown_command_is_unimplemented(self):
        r = bench_parse.parse_run(fixture("unknown_command.txt"), "NOSUCHCMD", 1)
        self.assertEqual(r.failure, "unimplemented")
        self.assertIsNone(r.rps)

    def test_missing_title_and_bad_exit(self):
        self.assertEqual(bench_parse.parse_run(fixture("get_P16_d1024.txt"), "SET").failure,
                         "no output")
        self.assertEqual(bench_parse.parse_run("", "GET", 2).failure, "exit 2")
        self.assertEqual(bench_parse.parse_run("Error from server: OOM", "GET", 0).failure,
                         "error")

    def test_titles(self):
        self.assertEqual(bench.title_of("lrange_600"), "LRANGE_600 (first 600 elements)")
        self.assertEqual(bench.title_of("mset"), "MSET (10 keys)")
        self.assertEqual(bench.title_of("ping_inline"), "PING_INLINE")

    def test_info(self):
        info = bench_parse.parse_info("# Persistence\r\nrdb_bgsave_in_progress:0\r\n"
                                      "latest_fork_usec:812\r\nstatus:ok\r\n")
        self.assertEqual(bench_parse.info_int(info, "latest_fork_usec"), 812)
        self.assertIsNone(bench_parse.info_int(info, "status"))
        self.assertIsNone(bench_parse.info_int(info, "total_forks"))

    def test_line_replies_across_chunks(self):
        r = bench_parse.LineReplies()
        for chunk in (b"+OK\r\n:1", b"0\r\n-ERR unknown ", b"command\r\n+O", b"K\r\n"):
            r.feed(chunk)
        self.assertEqual(r.count, 4)
        self.assertEqual(r.first_error, "ERR unknown command")

    def test_fork_usec_needs_a_new_fork(self):
        before = {"total_forks": "3", "latest_fork_usec": "500"}
        self.assertEqual(bench.fork_usec(before, {"total_forks": "4", "latest_fork_usec": "700"}),
                         (700, None))
        self.assertEqual(bench.fork_usec(before, {"total_forks": "3", "latest_fork_usec": "500"}),
                         (None, "no fork"))
        self.assertEqual(bench.fork_usec({}, {}), (None, "no latest_fork_usec"))


class ApiTest(unittest.TestCase):
    def test_names_other_tools_import(self):
        # tools/aof_bench.py imports these from bench; keep them.
        import aof_bench  # noqa: F401
        self.assertGreater(bench.free_port(), 0)
        self.assertEqual(bench.run_benchmark.__code__.co_varnames[:4],
                         ("port", "test", "pipeline", "requests"))


class SchedTest(unittest.TestCase):
    def test_parse_sched(self):
        status = "Name:\tx\nvoluntary_ctxt_switches:\t42\nnonvoluntary_ctxt_switches:\t7\n"
        self.assertEqual(bench_parse.parse_sched("123456 789 10\n", status), (123456, 42))
        self.assertIsNone(bench_parse.parse_sched("", status))
        self.assertIsNone(bench_parse.parse_sched("1 2 3", "Name:\tx\n"))


class DataTest(unittest.TestCase):
    def test_strings_batches(self):
        batches = list(bench_data.strings_batches(25, batch=10))
        self.assertEqual([c for _, c in batches], [10, 10, 5])
        self.assertTrue(batches[0][0].startswith(
            b"*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000000\r\n$3\r\nxxx\r\n"))

    def test_collection_batches(self):
        batches = list(bench_data.collection_batches(
            b"ZADD", b"z", 5, lambda i: (b"%d" % i, b"m%d" % i), per_cmd=2, cmds_per_batch=2))
        self.assertEqual([c for _, c in batches], [2, 1])
        self.assertTrue(batches[0][0].startswith(
            b"*6\r\n$4\r\nZADD\r\n$1\r\nz\r\n$1\r\n0\r\n$2\r\nm0\r\n$1\r\n1\r\n$2\r\nm1\r\n"))
        self.assertTrue(batches[1][0].startswith(b"*4\r\n"))

    def test_cases(self):
        cases = bench.cases_for("default", 1000)
        self.assertEqual(len(cases), 2 * len(bench.DEFAULT_TESTS))
        lr600 = [c for c in cases if c["test"] == "lrange_600" and c["pipeline"] == 1][0]
        self.assertEqual(lr600["requests"], 166)
        self.assertTrue(all("-r" in c["options"] for c in bench.cases_for("keyspace", 1000)))


def sample_doc():
    ok = {"rps": 1000.0, "p50": 0.2, "p99": 0.5, "p999": 0.9, "cpu_us": 3.0, "sleeps": 0.1}
    slow = {"rps": 800.0, "p50": 0.3, "p99": 0.6, "p999": 1.2, "cpu_us": 4.0, "sleeps": 0.25}
    return {
        "machine": [["CPU", "test cpu"]], "settings": ["settings line"],
        "sections": {
            "default": {"kind": "bench", "meta": {"date": "d", "commit": "c"}, "rows": [
                {"test": "SET", "pipeline": 1, "options": "", "ferrodis": ok, "redis": slow},
                {"test": "GET", "pipeline": 16, "options": "", "ferrodis": slow, "redis": ok},
                {"test": "SPOP", "pipeline": 1, "options": "",
                 "ferrodis": {"failure": "unimplemented"}, "redis": ok},
            ]},
            "memory": {"kind": "memory", "meta": {}, "rows": [
                {"dataset": "strings", "elements": 10,
                 "ferrodis": {"used": 2000, "base_used": 1000, "rss": 4096, "base_rss": 0},
                 "redis": {"failure": "ERR x"}}]},
            "persistence": {"kind": "persistence", "meta": {}, "rows": [
                {"op": "BGSAVE", "time_field": "rdb_last_bgsave_time_sec",
                 "ferrodis": {"duration_ms": 50.0, "fork_usec": None,
                              "why_fork_usec": "no fork", "server_sec": 0},
                 "redis": {"duration_ms": 100.0, "fork_usec": 300, "server_sec": 1}}]},
        },
    }


class ReportTest(unittest.TestCase):
    def test_markdown(self):
        md = bench_report.generated_markdown(sample_doc(), "performance.svg")
        self.assertIn("| SET | 1 |  | 1000 | 800 | 1.25 | 0.200 / 0.500 / 0.900 |", md)
        self.assertIn("| 0.83 | 3.00 / 4.00 | 0.75 | 0.100 / 0.250 |", md)  # p99, CPU, sleeps
        self.assertIn("| SPOP | 1 |  | n/a (unimplemented) | 1000 | n/a |", md)
        self.assertIn("| strings | 10 | 0.0 | n/a (ERR x) | n/a |", md)
        self.assertIn("| 100.0 | n/a |", md)  # 100 bytes/element vs a failure
        self.assertIn("| BGSAVE | latest_fork_usec | n/a (no fork) | 300 | n/a |", md)
        self.assertIn("| BGSAVE | wall time, command to done (ms) | 50 | 100 | 0.50 |", md)
        self.assertTrue(md.startswith(bench_report.BEGIN) and md.endswith(bench_report.END))

    def test_summary_and_load_note(self):
        md = bench_report.generated_markdown(sample_doc(), "performance.svg")
        self.assertIn("- `-P 1`: req/s ratio at or above 1.00 on 1 of 1 tests (geometric "
                      "mean 1.25, lowest 1.25); p99 no worse than redis on 1 of 1; server CPU "
                      "per request at or below redis's on 1 of 1 (geometric mean 0.75); "
                      "1 without numbers.", md)
        self.assertIn("on 0 of 1 tests", md)
        self.assertEqual(bench.load_note("0.10 0.2 0.3 at start, 0.5 0.1 0.1 at end"), "")
        self.assertIn("up to 99.0", bench.load_note("1.0 2 3 at start, 99.0 2 3 at end"))
        # Measured CPU of other work, when known, decides over the load average.
        self.assertEqual(bench.load_note("9.0 2 3 at start, 9.0 2 3 at end", [2.0, None]), "")
        self.assertIn("up to 35%", bench.load_note("0.1 0 0 at start, 0.1 0 0 at end", [35.0]))

    def test_other_cpu_percent(self):
        cpus = os.cpu_count() or 1
        # 10 s of machine busy time, 6 of them ours, over 10 s of wall time.
        self.assertAlmostEqual(bench.other_cpu_percent((100.0, 50.0), (110.0, 56.0), 10.0),
                               40.0 / cpus)
        self.assertIsNone(bench.other_cpu_percent(None, (1.0, 1.0), 1.0))
        self.assertEqual(bench.other_cpu_percent((0.0, 0.0), (1.0, 2.0), 1.0), 0.0)

    def test_splice_keeps_hand_written_text(self):
        old = "# Perf\n\nintro\n\n" + bench_report.BEGIN + "\nold\n" + bench_report.END + "\n\nplan\n"
        new = bench_report.splice(old, bench_report.BEGIN + "\nnew\n" + bench_report.END)
        self.assertEqual(new, "# Perf\n\nintro\n\n" + bench_report.BEGIN + "\nnew\n"
                         + bench_report.END + "\n\nplan\n")
        fresh = bench_report.splice("no markers", "GEN")
        self.assertTrue(fresh.startswith("# Performance") and fresh.endswith("GEN\n"))

    def test_svg_is_well_formed(self):
        text = bench_report.svg(sample_doc())
        dom = xml.dom.minidom.parseString(text)
        rects = dom.getElementsByTagName("rect")
        colors = [r.getAttribute("fill") for r in rects[1:]]
        self.assertEqual(colors, ["#2e7d32", "#c62828"])  # SET above 1.00, GET below
        self.assertIn(">n/a<", text)  # SPOP


if __name__ == "__main__":
    unittest.main()
