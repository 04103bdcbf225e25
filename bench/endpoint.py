"""Benchmark 7 of bench/bench.py: the `exec --server` endpoint's request latency across
refreshes, with an STS whose AssumeRole takes 3 s (a loopback proxy in front of moto).

The endpoint answers from memory and refreshes ahead in the background, so the
latency a client sees must not move when a refresh is under way: the target is a p99
under 5 ms. A child polls the endpoint every 20 ms for 35 s under
`--duration 900 --refresh-margin 885s` (a refresh every ~15 s, so two of them), with a
1 s timeout and no retry (the JS SDK's patience), and reports each request's time.

Only the standard library: runs with the system python3.
"""

import http.server
import json
import os
import shlex
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.request

DELAY = 3.0
SECONDS = 35

POLLER = r"""
import json, os, sys, time, urllib.request
url = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
req = urllib.request.Request(url, headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})
times, keys, failures = [], [], 0
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=1) as r:
            k = json.load(r)["AccessKeyId"]
        times.append(time.perf_counter() - t)
        if k not in keys:
            keys.append(k)
    except Exception:
        failures += 1
    time.sleep(0.02)
print(json.dumps({"times": times, "keys": keys, "failures": failures}))
"""


def slow_sts(moto):
    """Starts the proxy; returns its URL. It lives as long as this process."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if b"Action=AssumeRole" in body:
                time.sleep(DELAY)
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in ("host", "content-length", "connection")}
            req = urllib.request.Request(moto + self.path, data=body, headers=headers,
                                         method="POST")
            try:
                with urllib.request.urlopen(req, timeout=30) as r:
                    status, out, ctype = r.status, r.read(), r.headers.get("Content-Type")
            except urllib.error.HTTPError as e:
                status, out, ctype = e.code, e.read(), e.headers.get("Content-Type")
            self.send_response(status)
            self.send_header("Content-Type", ctype or "text/xml")
            self.send_header("Content-Length", str(len(out)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *_):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def percentile(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def run(b, log):
    """Adds the row and its checks to the Bench `b`."""
    log(f"7. exec --server endpoint latency across refreshes, AssumeRole {DELAY:.0f} s")
    role = b.role("endpoint")
    with open(b.env["AWS_CONFIG_FILE"], "a") as f:
        f.write(f"[profile endpoint]\nrole_arn = {role}\nsource_profile = src\n"
                "region = us-east-1\n")
    env = b.with_env(AWS_ENDPOINT_URL=slow_sts(b.a.moto))
    argv = [b.a.xacct, "exec", "--profile", "endpoint", "--server", "--duration", "900",
            "--refresh-margin", "885s", "--", "python3", "-c", POLLER, str(SECONDS)]
    p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise SystemExit(f"endpoint: {shlex.join(argv[:6])} failed: {p.stderr[-500:]}")
    v = json.loads(p.stdout)
    times = v["times"]
    refreshes = len(v["keys"]) - 1
    b.check("no endpoint request failed across refreshes", v["failures"] == 0,
            f"{v['failures']} failures of {len(times) + v['failures']}")
    b.check("the endpoint served refreshed credentials", refreshes >= 2,
            f"{refreshes} refreshes seen")
    p50, p99 = statistics.median(times), percentile(times, 0.99)
    b.row("endpoint", f"exec --server: endpoint request latency across {refreshes} "
          f"refreshes, AssumeRole taking {DELAY:.0f} s", times, None, "p99 < 5 ms",
          p99 < 0.005 and v["failures"] == 0,
          note=f"p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms, "
               f"max {max(times) * 1000:.2f} ms")
