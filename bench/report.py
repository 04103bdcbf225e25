"""The report of bench/bench.py: versions of everything measured, the results table
(target/bench/results.md, pasted into BENCHMARKS.md) and results.json."""

import datetime
import json
import os
import platform
import subprocess


def ms(seconds):
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.2f} s"


def versions(b):
    def first_line(argv, env=None):
        try:
            p = subprocess.run(argv, env=env or b.env, capture_output=True, text=True,
                               timeout=60)
            return (p.stdout or p.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return "?"
    py = os.path.join(b.a.test_venv, "bin", "python")
    peer_py = os.path.join(b.a.peer_venv, "bin", "python")
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{cpu}, {os.cpu_count()} cores, "
                   f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') >> 30} GiB, "
                   f"Linux {platform.release()}",
        "load average at the end": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "xacct": first_line([b.a.xacct, "--version"]),
        "rustc": first_line(["rustc", "--version"], os.environ),
        "hyperfine": first_line(["hyperfine", "--version"]),
        "moto": first_line([py, "-c", "import moto; print(moto.__version__)"]),
        "AWS CLI": first_line([os.path.join(b.a.test_venv, "bin", "aws"), "--version"])
        + ", botocore installed " + first_line([py, "-c",
                                                "import botocore; print(botocore.__version__)"]),
        "aws-export-credentials": first_line(
            [os.path.join(b.a.peer_venv, "bin", "aws-export-credentials"), "--version"])
        + ", botocore " + first_line([peer_py, "-c",
                                      "import botocore; print(botocore.__version__)"]),
        "gnome-keyring": first_line(["gnome-keyring-daemon", "--version"]),
    }

def report(b):
    if not b.rows:  # --only profile: keep the last results
        return all(ok for _, ok, _ in b.checks)
    v = versions(b)
    lines = ["| | median | p95 | runs | peak RSS | target | met |",
             "| --- | ---: | ---: | ---: | ---: | --- | --- |"]
    for r in b.rows:
        med = ms(r["median"]) if "median" in r else ""
        pp = ms(r["p95"]) if "p95" in r else ""
        rss = f"{r['rss_kib'] / 1024:.1f} MiB" if "rss_kib" in r else ""
        met = {True: "yes", False: "**no**", None: ""}[r["ok"]]
        what = r["what"] + (f": {r['note']}" if r["note"] else "")
        lines.append(f"| {what} | {med} | {pp} | {r.get('runs', '')} | {rss} | "
                     f"{r['target']} | {met} |")
    lines.append("")
    lines += [f"- {k}: {val}" for k, val in v.items()]
    lines.append("")
    lines += [f"- check {'passed' if ok else 'FAILED'}: {w} ({d})"
              for w, ok, d in b.checks]
    md = "\n".join(lines) + "\n"
    with open(os.path.join(b.a.out, "results.md"), "w") as f:
        f.write(md)
    with open(os.path.join(b.a.out, "results.json"), "w") as f:
        json.dump({"versions": v, "rows": b.rows,
                   "checks": [{"what": w, "ok": ok, "detail": d}
                              for w, ok, d in b.checks]}, f, indent=2)
    print(md)
    return all(ok for _, ok, _ in b.checks)
