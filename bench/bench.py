#!/usr/bin/env python3
"""xacct's benchmarks against its peers, run by scripts/bench (which builds the release
binary, the floor and the timing wrapper, and starts moto and a Secret Service).

Timing of the warm paths is hyperfine's (-N: no shell, so nothing but the process is
timed); the cold path, the stampede and the end-to-end run need a new cache key or a
group of processes per run, which hyperfine cannot express, so they are timed here with
a monotonic clock around fork/exec/wait4, which also gives each process's peak RSS.

Every benchmark also checks what it measured: the AssumeRole count moto recorded for
its role proves that the warm runs really were cache hits, the stampede made one call,
and the end-to-end run made one. A failed check fails the run.

Only the standard library: runs with the system python3.
"""

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import endpoint
import report
import stampede
from report import ms

ACCOUNT_A = "111111111111"


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def p95(xs):
    """Nearest-rank 95th percentile."""
    s = sorted(xs)
    return s[max(0, -(-95 * len(s) // 100) - 1)]


class Moto:
    def __init__(self, url):
        self.url = url

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=60) as r:
            return json.load(r)

    def assume_counts(self):
        """role ARN -> number of AssumeRole calls moto recorded."""
        counts = {}
        for rec in self.get("/moto-api/data.json").get("sts", {}).get("AssumedRole", []):
            counts[rec["role_arn"]] = counts.get(rec["role_arn"], 0) + 1
        return counts

    def reset(self):
        req = urllib.request.Request(self.url + "/moto-api/reset", method="POST")
        urllib.request.urlopen(req, timeout=60).close()


def run_once(argv, env, stdout=subprocess.DEVNULL):
    """Runs argv once: (seconds, peak RSS KiB, stdout bytes); fails the bench on an error."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter_ns()
        p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=stdout,
                             stderr=err)
        out = p.stdout.read() if stdout == subprocess.PIPE else b""
        _, status, ru = os.wait4(p.pid, 0)
        elapsed = (time.perf_counter_ns() - t0) / 1e9
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.stdout:
            p.stdout.close()
        if p.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{shlex.join(argv)} failed ({p.returncode}): "
                             f"{err.read().decode(errors='replace')[-2000:]}")
    return elapsed, ru.ru_maxrss, out


def peak_rss(timed, argv, env, runs):
    """The largest peak RSS (KiB) of `runs` runs, from wait4 in the small C wrapper: a
    child forked by Python would carry Python's RSS into its own high-water mark."""
    with tempfile.NamedTemporaryFile("r") as log:
        for _ in range(runs):
            run_once([timed, log.name, *argv], env)
        return max(int(line.split()[1]) for line in log if line.strip())


class Bench:
    def __init__(self, a):
        self.a = a
        self.moto = Moto(a.moto)
        self.rows = []  # one dict per measured figure
        self.checks = []  # (what, ok, detail)
        self.run_id = f"{int(time.time())}-{os.getpid()}"
        self.home = tempfile.mkdtemp(prefix="xacct-bench-")
        for sub in (".aws", "run", "cache"):
            os.makedirs(os.path.join(self.home, sub), mode=0o700)
        self.log_e2e = os.path.join(self.home, "e2e-times.log")
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": self.home,
            "USER": "bench",
            "XDG_RUNTIME_DIR": os.path.join(self.home, "run"),
            "XDG_CACHE_HOME": os.path.join(self.home, "cache"),
            "AWS_CONFIG_FILE": os.path.join(self.home, ".aws/config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self.home, ".aws/credentials"),
            "AWS_ENDPOINT_URL": a.moto,
            "AWS_EC2_METADATA_DISABLED": "true",
            "XACCT_KEYRING": "keyutils",
        }
        self.write_files()

    def role(self, name):
        return f"arn:aws:iam::{ACCOUNT_A}:role/bench-{name}-{self.run_id}"

    def write_files(self):
        with open(self.env["AWS_SHARED_CREDENTIALS_FILE"], "w") as f:
            f.write("[src]\naws_access_key_id = AKIABENCHSOURCE00001\n"
                    "aws_secret_access_key = bench-source-secret-not-real\n")
        profiles = {
            "hit-keyutils": self.role("hit-keyutils"),
            "hit-secret-service": self.role("hit-ss"),
            "cold": self.role("cold"),
            "aec": self.role("aec"),
            "cli-assume": self.role("cli"),
            "e2e-target": self.role("e2e"),
        }
        text = "[profile src]\nregion = us-east-1\n"
        for name, arn in profiles.items():
            text += (f"[profile {name}]\nrole_arn = {arn}\nsource_profile = src\n"
                     "region = us-east-1\n")
        cp = shlex.join([self.a.timed, self.log_e2e, self.a.xacct, "credential-process",
                         "--profile", "e2e-target"])
        text += f"[profile app]\ncredential_process = {cp}\nregion = us-east-1\n"
        with open(self.env["AWS_CONFIG_FILE"], "w") as f:
            f.write(text)

    def with_env(self, **kv):
        e = dict(self.env)
        e.update(kv)
        return e

    def xacct(self, profile, *extra):
        return [self.a.xacct, "credential-process", "--profile", profile, *extra]

    def hyperfine(self, tag, cmds, env, runs, warmup):
        """Times each (name, argv) side by side; returns name -> list of seconds."""
        out = os.path.join(self.a.out, f"hyperfine-{tag}.json")
        cmd = ["hyperfine", "-N", "--style", "basic", "--warmup", str(warmup),
               "--runs", str(runs), "--export-json", out]
        for name, argv in cmds:
            cmd += ["-n", name, shlex.join(argv)]
        subprocess.run(cmd, env=env, check=True, stdout=sys.stderr)
        with open(out) as f:
            return {r["command"]: r["times"] for r in json.load(f)["results"]}

    def interleaved(self, cmds, env, runs, warmup):
        """Times each (name, argv) by the C wrapper, one run of each in turn (the order
        rotating), so that the machine's load drifting during the run weighs on every
        command alike: hyperfine runs all of one command before the next, and on these
        shared cores that moved the xacct/cat ratio by half. Returns name -> seconds and
        name -> peak RSS KiB."""
        logs = {name: tempfile.NamedTemporaryFile("r") for name, _ in cmds}
        try:
            for i in range(warmup + runs):
                k = i % len(cmds)
                for name, argv in cmds[k:] + cmds[:k]:
                    run_once([self.a.timed, logs[name].name, *argv], env)
            out, peak = {}, {}
            for name, f in logs.items():
                rows = [tuple(map(int, line.split())) for line in f if line.strip()]
                out[name] = [ns / 1e9 for ns, _, _ in rows[warmup:]]
                peak[name] = max(r for _, r, _ in rows)
            return out, peak
        finally:
            for f in logs.values():
                f.close()

    def rss(self, argv, env):
        return peak_rss(self.a.timed, argv, env, self.a.rss_runs)

    def row(self, key, what, times=None, rss=None, target=None, ok=None, note=""):
        r = {"key": key, "what": what, "note": note, "target": target or "", "ok": ok}
        if times is not None:
            r.update(runs=len(times), median=statistics.median(times), p95=p95(times))
        if rss is not None:
            r["rss_kib"] = rss
        self.rows.append(r)
        return r

    def check(self, what, ok, detail):
        self.checks.append((what, bool(ok), detail))
        log(f"check {'ok' if ok else 'FAILED'}: {what}: {detail}")

    def expect_assumes(self, profile_role, want, what):
        got = self.moto.assume_counts().get(profile_role, 0)
        self.check(what, got == want, f"{got} AssumeRole (want {want})")

    # 1-3: cache hits, peers, floor --------------------------------------------------
    def cache_hits(self):
        n = self.a.runs
        log("1. cache hit (keyutils) side by side with the floors")
        ku = self.xacct("hit-keyutils")
        _, _, doc = run_once(ku, self.env, stdout=subprocess.PIPE)  # fills the cache
        # The floor: `cat` (dynamically linked, as xacct is) of the same JSON.
        doc_file = os.path.join(self.home, "hit.json")
        with open(doc_file, "wb") as f:
            f.write(doc)
        cat = [shutil.which("cat"), doc_file]
        t, peak = self.interleaved([("floor", [self.a.floor]), ("cat", cat),
                                    ("xacct-keyutils", ku)], self.env, n, 5)
        self.expect_assumes(self.role("hit-keyutils"), 1, "keyutils runs were cache hits")
        rss = peak["xacct-keyutils"]
        self.row("floor", "floor: static binary printing a fixed JSON", t["floor"],
                 peak["floor"])
        t_cat = statistics.median(t["cat"])
        self.row("cat", "floor: `cat` of the same JSON", t["cat"], peak["cat"])
        m = statistics.median(t["xacct-keyutils"])
        ratio = m / t_cat
        self.row("hit-keyutils", "xacct cache hit, keyutils", t["xacct-keyutils"], rss,
                 "<= 1.5x cat, <= 6 MiB", ratio <= 1.5 and rss <= 6 * 1024,
                 note=f"{ratio:.2f}x cat, "
                      f"{m / statistics.median(t['floor']):.2f}x the static floor")
        self.t_xacct = m

        log("1. cache hit (Secret Service)")
        ss_env = self.with_env(XACCT_KEYRING="secret-service",
                               DBUS_SESSION_BUS_ADDRESS=os.environ["DBUS_SESSION_BUS_ADDRESS"])
        ss = self.xacct("hit-secret-service")
        _, _, out = run_once(ss, ss_env, stdout=subprocess.PIPE)
        json.loads(out)
        t = self.hyperfine("hit-ss", [("xacct-secret-service", ss)], ss_env, n, 5)
        self.expect_assumes(self.role("hit-ss"), 1, "Secret Service runs were cache hits")
        m = statistics.median(t["xacct-secret-service"])
        self.row("hit-ss", "xacct cache hit, Secret Service", t["xacct-secret-service"],
                 self.rss(ss, ss_env), "<= 5 ms", m <= 0.005)

    def peers(self):
        n = self.a.peer_runs
        log("2. peers: aws-export-credentials with its cache file, AWS CLI v1 with its file cache")
        aec = [os.path.join(self.a.peer_venv, "bin", "aws-export-credentials"),
               "--profile", "aec", "--cache-file", os.path.join(self.home, "aec-cache.json")]
        aws = os.path.join(self.a.test_venv, "bin", "aws")
        cli_assume = [aws, "sts", "get-caller-identity", "--profile", "cli-assume"]
        cli_static = [aws, "sts", "get-caller-identity", "--profile", "src"]
        for argv in (aec, cli_assume, cli_static):
            run_once(argv, self.env)  # fills the peers' caches
        t = self.hyperfine("peers", [("aws-export-credentials", aec),
                                     ("aws-cli-assume-role", cli_assume),
                                     ("aws-cli-static-keys", cli_static)], self.env, n, 2)
        self.expect_assumes(self.role("aec"), 1, "aws-export-credentials runs were cache hits")
        self.expect_assumes(self.role("cli"), 1, "AWS CLI assume-role runs were cache hits")
        t_aec = statistics.median(t["aws-export-credentials"])
        self.row("aec", "aws-export-credentials --cache-file (whole process)",
                 t["aws-export-credentials"], self.rss(aec, self.env))
        self.row("cli-assume", "AWS CLI v1 get-caller-identity, assume-role profile (cached)",
                 t["aws-cli-assume-role"], self.rss(cli_assume, self.env))
        self.row("cli-static", "AWS CLI v1 get-caller-identity, static keys (baseline)",
                 t["aws-cli-static-keys"], self.rss(cli_static, self.env))
        a, b = t["aws-cli-assume-role"], t["aws-cli-static-keys"]
        t_cli = statistics.median(a) - statistics.median(b)
        noise = (statistics.stdev(a) ** 2 / len(a) + statistics.stdev(b) ** 2 / len(b)) ** 0.5
        self.row("cli-delta", "AWS CLI v1: assume-role profile minus static keys (medians)",
                 note=f"{t_cli * 1000:+.1f} ms (standard error of the difference "
                      f"{noise * 1000:.1f} ms)")
        # The same increment without the interpreter's start: botocore in one process.
        py = os.path.join(self.a.test_venv, "bin", "python")
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "botocore_cached.py")
        inproc = {}
        for profile in ("cli-assume", "src"):
            out = subprocess.run([py, script, profile, str(n)], env=self.env, check=True,
                                 capture_output=True, text=True).stdout
            inproc[profile] = json.loads(out)
        self.expect_assumes(self.role("cli"), 1, "botocore in-process runs used the CLI cache")
        self.row("cli-inproc-assume", "AWS CLI v1's botocore in-process: cached assume-role "
                 "profile -> credentials", inproc["cli-assume"])
        self.row("cli-inproc-static", "AWS CLI v1's botocore in-process: static-key profile "
                 "-> credentials", inproc["src"])
        t_inproc = statistics.median(inproc["cli-assume"]) - statistics.median(inproc["src"])
        self.row("cli-inproc-delta", "AWS CLI v1: cost of the cached assume-role path "
                 "(in-process difference of medians)", note=ms(t_inproc))
        ratio = t_aec / self.t_xacct
        self.row("ratio", "aws-export-credentials (whole process) / xacct keyutils hit",
                 target=">= 100x", ok=ratio >= 100, note=f"{ratio:.1f}x")
        # No target: a file read inside a running Python process is not a process start
        # (BENCHMARKS.md, "Where a target is missed").
        peers = [("AWS CLI v1, in-process increment", t_inproc)]
        if t_cli > 2 * noise:
            peers.append(("AWS CLI v1, whole-call difference", t_cli))
        for name, cost in peers:
            self.row("ratio", f"{name} / xacct keyutils hit", note=f"{cost / self.t_xacct:.2f}x")

    # 4: cold path -------------------------------------------------------------------
    def cold(self):
        n = self.a.runs
        log(f"4. cold path: {n} cache misses through AssumeRole (new session name each)")
        # Timed by the C wrapper (fork/exec/wait4 around xacct alone), which also gives
        # the peak RSS; the first runs warm the page cache and moto and are not counted.
        with tempfile.NamedTemporaryFile("r") as f:
            for i in range(n + 3):
                argv = self.xacct("cold", "--session-name", f"cold-{i}")
                _, _, out = run_once([self.a.timed, f.name, *argv], self.env,
                                     stdout=subprocess.PIPE)
                if json.loads(out)["AccountId"] != ACCOUNT_A:
                    raise SystemExit("cold path: wrong account")
            runs = [tuple(map(int, line.split())) for line in f if line.strip()][3:]
        times = [ns / 1e9 for ns, _, _ in runs]
        rss = [r for _, r, _ in runs]
        self.expect_assumes(self.role("cold"), n + 3, "every cold run called AssumeRole")
        m = statistics.median(times)
        self.row("cold", "xacct cold path (miss, AssumeRole on moto, store)", times, max(rss),
                 "<= 10 ms", m <= 0.010)

    # 6: end to end ------------------------------------------------------------------
    def end_to_end(self):
        n = 100
        log(f"6. end to end: {n} x aws sts get-caller-identity through credential_process")
        aws = os.path.join(self.a.test_venv, "bin", "aws")
        argv = [aws, "sts", "get-caller-identity", "--profile", "app", "--output", "json"]
        times = []
        t0 = time.perf_counter_ns()
        for i in range(n):
            t, _, out = run_once(argv, self.env, stdout=subprocess.PIPE)
            times.append(t)
            if i in (0, n - 1) and json.loads(out)["Account"] != ACCOUNT_A:
                raise SystemExit("end to end: wrong account")
        total = (time.perf_counter_ns() - t0) / 1e9
        with open(self.log_e2e) as f:
            inner = [tuple(map(int, line.split())) for line in f if line.strip()]
        x_total = sum(ns for ns, _, _ in inner) / 1e9
        self.check("the AWS CLI ran xacct once per call", len(inner) == n, f"{len(inner)} runs")
        got = self.moto.assume_counts().get(self.role("e2e"), 0)
        self.check("100 aws calls made one AssumeRole", got == 1, f"{got}")
        self.row("e2e", f"end to end: one aws call (of {n}) through credential_process = xacct",
                 times, max(r for _, r, _ in inner[1:]), "1 AssumeRole", got == 1,
                 note=f"{n} calls {total:.1f} s; xacct {x_total * 1000:.0f} ms = "
                      f"{100 * x_total / total:.2f}% of it (median "
                      f"{statistics.median(ns for ns, _, _ in inner) / 1e6:.1f} ms per run)")

    # profiles (opt-in: --only profile) ----------------------------------------------
    def profile(self):
        """strace -c, perf stat and callgrind of one cache hit in each store, written to
        the out dir: where the time of a hit goes when a target is missed."""
        ss_env = self.with_env(XACCT_KEYRING="secret-service",
                               DBUS_SESSION_BUS_ADDRESS=os.environ["DBUS_SESSION_BUS_ADDRESS"])
        for name, profile, env in (("keyutils", "hit-keyutils", self.env),
                                   ("secret-service", "hit-secret-service", ss_env)):
            argv = self.xacct(profile)
            run_once(argv, env)  # fills the cache
            out = os.path.join(self.a.out, f"profile-{name}")
            tools = [
                ("strace", ["strace", "-f", "-c", "-o", f"{out}.strace.txt", *argv]),
                ("perf", ["perf", "stat", "-r", "30", "-o", f"{out}.perf.txt",
                          "-e", "task-clock,context-switches,cpu-migrations,page-faults",
                          *argv]),
                ("valgrind", ["valgrind", "--tool=callgrind",
                              f"--callgrind-out-file={out}.callgrind", *argv]),
            ]
            for tool, cmd in tools:
                if not shutil.which(tool):
                    log(f"profile: {tool} is not installed, skipped")
                    continue
                p = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
                if p.returncode != 0:
                    log(f"profile: {tool} failed: {p.stderr[-300:]}")
                    continue
                if tool == "valgrind":
                    ann = subprocess.run(["callgrind_annotate", "--inclusive=yes",
                                          f"{out}.callgrind"], capture_output=True, text=True)
                    with open(f"{out}.callgrind.txt", "w") as f:
                        f.write(ann.stdout)
            log(f"profile: {out}.*")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--xacct", required=True)
    ap.add_argument("--floor", required=True)
    ap.add_argument("--timed", required=True)
    ap.add_argument("--stampede", required=True, help="bench/stampede.c, built")
    ap.add_argument("--moto", required=True)
    ap.add_argument("--test-venv", required=True)
    ap.add_argument("--peer-venv", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--peer-runs", type=int, default=30)
    ap.add_argument("--rss-runs", type=int, default=10)
    ap.add_argument("--stampede-runs", type=int, default=30)
    ap.add_argument("--stampede-widths", type=lambda v: [int(x) for x in v.split(",")],
                    default=[64, 256], help="processes per stampede (default 64,256)")
    ap.add_argument("--only", help="comma-separated: hits,peers,cold,stampede,e2e,endpoint "
                    "(the default), and profile (strace/perf/callgrind of the hits)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for tool in ("hyperfine",):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: run scripts/bench")
    b = Bench(a)
    only = set((a.only or "hits,peers,cold,stampede,e2e,endpoint").split(","))
    try:
        if "hits" in only or "peers" in only:
            b.cache_hits()
        if "peers" in only:
            b.peers()
        if "cold" in only:
            b.cold()
        if "stampede" in only:
            stampede.run(b, log)
        if "e2e" in only:
            b.end_to_end()
        if "endpoint" in only:
            endpoint.run(b, log)
        if "profile" in only:
            b.profile()
        ok = report.report(b)
    finally:
        shutil.rmtree(b.home, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
