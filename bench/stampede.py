"""Benchmark 5 of bench/bench.py: stampedes. Each run starts WIDTH processes for one new
role at once (from bench/stampede.c, which forks them: Python's Popen costs about a
millisecond a child) and measures the wall time from the first fork to the last exit.
Every process must print the same credentials, and moto must record one AssumeRole per
run. Issue 15's target: 256 callers, one AssumeRole, within 0.5 s.

Only the standard library: runs with the system python3.
"""

import os
import statistics
import subprocess
import tempfile


def run(b, log):
    """Adds a row per width (--stampede-widths) and its check to the Bench `b`."""
    for width in b.a.stampede_widths:
        target = "<= 0.5 s, 1 AssumeRole" if width >= 256 else ""
        one_width(b, log, width, target, 0.5 if width >= 256 else None)


def one_width(b, log, width, target, limit):
    n = b.a.stampede_runs
    log(f"5. stampede: {n} runs of {width} concurrent cold invocations of one key")
    walls, roles = [], []
    for i in range(n):
        role = b.role(f"stampede{width}-{i}")
        roles.append(role)
        argv = [b.a.xacct, "credential-process", "--role-arn", role,
                "--source-profile", "src", "--region", "us-east-1"]
        with tempfile.TemporaryDirectory() as d:
            p = subprocess.run([b.a.stampede, str(width), d, *argv], env=b.env,
                               capture_output=True, text=True, check=True)
            ns, failed = map(int, p.stdout.split())
            walls.append(ns / 1e9)
            if failed:
                with open(os.path.join(d, "0.err")) as f:
                    err = f.read()
                raise SystemExit(f"stampede: {failed} of {width} failed: {err[-500:]}")
            outs = set()
            for k in range(width):
                with open(os.path.join(d, f"{k}.out"), "rb") as f:
                    outs.add(f.read())
        if len(outs) != 1:
            raise SystemExit("stampede: processes got different credentials")
    counts = b.moto.assume_counts()
    per_role = [counts.get(r, 0) for r in roles]
    one = all(c == 1 for c in per_role)
    b.check(f"each stampede of {width} made exactly one AssumeRole", one,
            f"counts per run: {sorted(set(per_role))}")
    m = statistics.median(walls)
    b.row("stampede", f"stampede: {width} concurrent cold calls, wall until all finish",
          walls, None, target, (m <= limit and one) if limit else None,
          note=f"AssumeRole per run: {max(per_role)}")
