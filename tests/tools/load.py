"""Load on a real server with Debian's `wrk`: `lrsearch serve` in a subprocess, a fixed mix of 20 searches (half
pages, half their JSON twins) cycled over every connection, figures from wrk's own latency histogram.

Used by `make bench` (150k passages, against one worker process as the same-run baseline) and by the slow
tier (R18, on the test index). `wrk` comes from the package of that name (`make stress` and `make bench`
install it with apt-get when it is missing).
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

SEARCHES = [
    "监督", "备案审查", "代表建议 办理", '"有备必审"', "立法 质量", "执法检查 OR 专题询问", "监督 -预算",
    "全过程人民民主", "预算 审查 监督", "人大常委会",
]
FILTERS = ["", "&level=county", "&year_from=2015&year_to=2022", "&province=浙江省", "&section=立法工作"]


def mix() -> list[str]:
    """20 request paths: each search as a page and as JSON, with the filters in turn."""
    out = []
    for i, q in enumerate(SEARCHES):
        f = FILTERS[i % len(FILTERS)]
        out.append(f"/?q={quote(q)}{quote(f, safe='&=')}")
        out.append(f"/api/search?q={quote(q)}{quote(FILTERS[(i + 2) % len(FILTERS)], safe='&=')}")
    return out


LUA = """
local paths = {%s}
local threads = {}
local n = 0
function setup(thread)
  thread:set("offset", #threads * 7)
  table.insert(threads, thread)
end
function init(args) n = offset end
function request()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('LOADJSON {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, ' ..
    '"write": %%d, "status": %%d, "timeout": %%d, "p50_ms": %%.1f, "p90_ms": %%.1f, "p99_ms": %%.1f, ' ..
    '"max_ms": %%.1f}\\n', summary.requests, summary.duration, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(index_dir: Path, workers: int, threads: int, env: dict | None = None, ready_s: float = 120.0):
    """`lrsearch serve` on a free port (``env`` on top of ours: settings such as LRSEARCH_RESULT_CACHE_ENTRIES),
    yielding its base URL once a search answers; stopped afterwards."""
    port = free_port()
    cmd = [str(Path(sys.executable).with_name("lrsearch")), "serve", "--index", str(index_dir),
           "--port", str(port), "--workers", str(workers), "--threads", str(threads)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + ready_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"serve exited {proc.returncode}: {proc.stderr.read().decode()[-2000:]}")
            try:
                for _ in range(workers * 2):   # every worker has opened the index and warmed its caches
                    urllib.request.urlopen(f"{base}/api/search?q={quote('监督')}", timeout=30).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stderr.close()


def wrk(base: str, seconds: int = 60, connections: int = 32, threads: int = 4, paths: list[str] | None = None) -> dict:
    """Run wrk with the mix; its figures, the requests per second and the one-minute load average after it."""
    exe = shutil.which("wrk")
    if exe is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    paths = paths or mix()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(LUA % ", ".join(json.dumps(p) for p in paths))
    try:
        out = subprocess.run([exe, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
                              "--timeout", "10s", "-s", fh.name, base], capture_output=True, text=True,
                             check=True, timeout=seconds + 60).stdout
    finally:
        os.unlink(fh.name)
    line = next(ln for ln in out.splitlines() if ln.startswith("LOADJSON "))
    fig = json.loads(line[len("LOADJSON "):])
    fig["rps"] = round(fig["requests"] / (fig["duration_us"] / 1e6), 1)
    fig["errors"] = fig["connect"] + fig["read"] + fig["write"] + fig["timeout"]
    fig["load"] = round(os.getloadavg()[0], 2)
    return fig
