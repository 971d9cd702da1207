"""`lrsearch serve`: gunicorn with worker processes; its own error answers carry the security headers; a port in
use is a clear error, not a traceback."""
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from search_app.web.app import SECURITY_HEADERS
from tests.tools.load import free_port


@pytest.fixture(scope="module")
def server(index_dir):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", "from search_app.cli import main; main()", "serve", "--index",
                             str(index_dir), "--port", str(port), "--workers", "2", "--threads", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/-/health.json", timeout=2).read()
            break
        except OSError:
            time.sleep(0.1)
    yield url, proc, port
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=20)


def get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_pages_are_served_by_several_worker_processes(server):
    url, proc, _ = server
    status, headers, body = get(url + "/?q=%E7%9B%91%E7%9D%A3")
    assert status == 200 and "监督".encode() in body
    with open(f"/proc/{proc.pid}/task/{proc.pid}/children", encoding="ascii") as fh:
        assert len(fh.read().split()) == 2          # the gunicorn master's two workers


def test_the_servers_own_error_answers_carry_the_security_headers(server):
    """Regression: the 400/431 answers the WSGI server writes itself (a request line over its limit, bad
    headers) carried none of the app's security headers."""
    url, _, _ = server
    status, headers, _ = get(url + "/" + "a" * 9000)
    assert status == 414
    assert {k: headers.get(k) for k in SECURITY_HEADERS} == SECURITY_HEADERS


def test_a_port_in_use_is_a_clear_error(server, index_dir):
    _, _, port = server
    r = subprocess.run([sys.executable, "-c", "from search_app.cli import main; main()", "serve", "--index",
                        str(index_dir), "--port", str(port)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "cannot listen" in r.stderr and "Traceback" not in r.stderr
