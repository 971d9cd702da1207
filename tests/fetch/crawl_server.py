"""A real HTTP server on 127.0.0.1 that plays a congress website, good and hostile, for the crawler tests.

It serves paginated list pages, reports in UTF-8, GBK and Big5, a robots.txt with ``*`` and ``$`` rules,
redirect chains, redirects to a host not in the sources file and to ftp://, 404, a 500 then success, a 503
with Retry-After, a one-byte-a-second trickle, an oversized page, a gzip bomb, a redirect loop, a PDF and
a DOCX and a Word 97 attachment, a .doc that is not one, and a 412 challenge; it answers conditional GETs with 304 and logs every request,
stamped by the clock it is given (a crawl test gives it the crawler's fake clock, so gaps are the crawler's).
"""
from __future__ import annotations

import gzip
import hashlib
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "crawl_site"
LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)

ROBOTS = b"""# the test site's robots.txt
User-agent: otherbot
Disallow: /

User-agent: *
Disallow: /private/
Allow: /private/open-*.html
Disallow: /*.asp$
Disallow: /*?print=1
Crawl-delay: 0.15
"""

PARAS = {
    "a1": ("某某市人大常委会2021年工作报告", ["一、坚持党的领导", "常委会坚持党的领导，严格执行重大事项请示报告制度，全年召开党组会议二十次。",
                                          "二、立法工作", "制定地方性法规三件，开展备案审查，审查规范性文件四十二件，纠正两件。"]),
    "a2": ("某某县人大常委会2022年工作综述", ["一、监督工作", "听取审议县政府专项工作报告八个，开展执法检查三次，组织专题询问一次。",
                                          "二、代表工作", "办理代表建议八十五件，代表满意率持续提高，镕基路改造项目如期完成。"]),
    "a3": ("某某市人大常委会2020年工作报告", ["一、加强监督", "常委会聚焦民生实事，跟踪督办审议意见落实，推动解决民生难题。",
                                          "二、自身建设", "加强机关作风建设，完善议事规则，提高履职能力和服务水平。"]),
    "final": ("某某区人大常委会2023年工作报告", ["一、立法工作", "配合市人大常委会开展立法调研五次，征集立法意见建议一百二十条。"]),
    "flaky": ("某某旗人大常委会2019年工作报告", ["一、监督工作", "听取审议旗人民政府关于生态环境保护工作情况的报告，提出审议意见。"]),
    "busy": ("某某州人大常委会2018年工作报告", ["一、代表工作", "健全代表联络机制，建成代表联络站二十个，组织代表活动一百余次。"]),
    "open": ("某某市人大常委会法治建设工作报告", ["一、法治宣传", "深入学习宣传宪法，组织常委会组成人员开展宪法宣誓，举办法治讲座四次。"]),
}


def article(key: str, encoding: str = "utf-8", links: str = "", meta: bool = True) -> bytes:
    title, paras = PARAS[key]
    if encoding == "big5":     # Big5 holds traditional characters only: the page is a 繁體 repost
        import opencc
        convert = opencc.OpenCC("s2t").convert
        title, paras = convert(title), [convert(p) for p in paras]
    body = "".join(f"<h2>{p}</h2>" if p[1] == "、" else f"<p>{p}</p>" for p in paras)
    head = f'<meta charset="{encoding}">' if meta else ""
    return (f"<!DOCTYPE html><html><head>{head}<title>{title}</title></head><body>"
            f'<div class="nav"><a href="/list/index.html">返回列表</a></div>'
            f'<div id="zoom"><h1>{title}</h1>{body}</div>{links}</body></html>').encode(encoding)


def list_page(links: list[str], extra: str = "") -> bytes:
    items = "".join(f'<li><a href="{href}">{href}</a></li>' for href in links)
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>工作报告</title></head><body><ul>{items}</ul>{extra}</body></html>".encode()


@dataclass
class Hit:
    path: str
    host: str
    at: float               # on the server's clock
    headers: dict[str, str]
    status: int = 0


class Site:
    """The pages of the test site, keyed by path (with query)."""

    def __init__(self, port: int, clock: Callable[[], float]):
        self.port, self.clock = port, clock
        other = f"http://localhost:{port}"
        self.pages: dict[str, tuple[bytes, str]] = {
            "/list/index.html": (list_page(
                ["/art/a1.html", "/art/a2.html", "/list/index_1.html", "http://www.npc.gov.cn/npc/c1.shtml",
                 "ftp://127.0.0.1/report.txt", "mailto:office@example.org", "/about.html"]), "text/html; charset=utf-8"),
            "/list/index_1.html": (list_page(
                ["/art/a3.html", "/art/a1.html", "/list/index_2.html", "/list/index.html#top"]), "text/html"),
            "/list/index_2.html": (list_page(
                ["/list/index.html", "/private/secret.html", "/private/open-report.html", "/art/old.asp",
                 "/art/print.html?print=1", "/art/missing.html", "/art/flaky.html", "/art/busy.html",
                 "/art/slow.html", "/art/huge.html", "/art/bomb.html", "/art/moved.html", "/art/deep.html",
                 "/art/away.html", "/art/ftp.html", "/art/loop.html", "/art/guarded.html", "/art/data.html"]),
                "text/html"),
            "/art/a1.html": (article("a1", links='<a href="/art/a2.html">下一篇</a><a href="/files/report.pdf">附件</a>'
                                     '<a href="/files/report.docx">附件</a><a href="/files/old.doc">附件</a>'
                                     '<a href="/files/bad.doc">附件</a>'),
                             "text/html; charset=utf-8"),
            "/art/a2.html": (article("a2", "gbk", '<a href="/art/a1.html">上一篇</a>', meta=False), "text/html; charset=gbk"),
            "/art/a3.html": (article("a3", "big5"), "text/html"),
            "/r/0": (article("final"), "text/html; charset=utf-8"),
            "/art/flaky.html": (article("flaky"), "text/html; charset=utf-8"),
            "/art/busy.html": (article("busy"), "text/html; charset=utf-8"),
            "/private/open-report.html": (article("open"), "text/html; charset=utf-8"),
            "/private/secret.html": (article("open"), "text/html; charset=utf-8"),
            "/art/old.asp": (article("a1"), "text/html"),
            "/art/print.html?print=1": (article("a1"), "text/html"),
            "/art/data.html": (b"PK\x03\x04" + b"\x00" * 200, "application/zip"),
            "/files/report.pdf": ((FIXTURES / "report.pdf").read_bytes(), "application/pdf"),
            "/files/report.docx": ((FIXTURES / "report.docx").read_bytes(),
                                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            "/files/old.doc": ((FIXTURES / "report.wps").read_bytes(), "application/msword"),   # Word 97 layout
            "/files/bad.doc": (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "application/msword"),
        }
        self.redirects = {"/art/moved.html": "/r/2", "/r/2": "/r/1", "/r/1": "/r/0",
                          "/art/deep.html": "/r/8", **{f"/r/{n}": f"/r/{n - 1}" for n in range(3, 9)},
                          "/art/away.html": f"{other}/art/a1.html", "/art/ftp.html": "ftp://127.0.0.1/report.txt",
                          "/art/loop.html": "/art/loop2.html", "/art/loop2.html": "/art/loop.html"}
        self.hits: list[Hit] = []
        self.open: set[socket.socket] = set()      # connections whose handler is still running
        self.max_in_flight = 0                      # the most requests whose clients waited at once
        self.robots_status = 200
        self.lock = threading.Lock()
        self.counts: dict[str, int] = {}
        self.robots = ROBOTS
        # set by a test: path → (status, body, headers, how many first requests get it; None: every one)
        self.answers: dict[str, tuple[int, bytes, dict[str, str], int | None]] = {}
        self.trickle_s = 0.5       # seconds between bytes of /art/slow.html
        self.huge_bytes = 2_000_000
        self.bomb_bytes = 50_000_000

    def requests(self, since: int = 0) -> list[Hit]:
        with self.lock:
            return list(self.hits[since:])

    def paths(self, since: int = 0, robots: bool = False) -> list[str]:
        return [h.path for h in self.requests(since) if robots or h.path != "/robots.txt"]


class Handler(BaseHTTPRequestHandler):
    server_version = "TestCongressSite/1.0"
    site: Site

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8", **headers) -> None:
        self.hit.status = status        # before the answer goes out: the client may read the log at once
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:     # the crawler hung up at its size cap, as it should
            pass

    def do_GET(self) -> None:
        site = self.site
        path = self.path
        self.hit = Hit(path, self.headers.get("Host", ""), site.clock(), dict(self.headers.items()))
        with site.lock:
            site.hits.append(self.hit)
            n = site.counts[path] = site.counts.get(path, 0) + 1
            # a handler can outlive its request (it has not yet noticed its client hang up): only a client
            # still connected is still waiting for an answer
            waiting = 1 + sum(not _hung_up(c) for c in site.open)
            site.max_in_flight = max(site.max_in_flight, waiting)
            site.open.add(self.connection)
        try:
            self._answer(site, path, n)
        finally:
            with site.lock:
                site.open.discard(self.connection)

    def _answer(self, site: Site, path: str, n: int) -> None:
        if path == "/robots.txt":
            return self._send(site.robots_status, site.robots, "text/plain")
        if path in site.answers and (site.answers[path][3] is None or n <= site.answers[path][3]):
            status, body, headers, _ = site.answers[path]
            return self._send(status, body, **headers)
        if path in site.redirects:
            self.hit.status = 302
            self.send_response(302)
            self.send_header("Location", site.redirects[path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if path == "/art/flaky.html" and n == 1:
            return self._send(500, b"<h1>500</h1>")
        if path == "/art/busy.html" and n == 1:
            return self._send(503, b"<h1>busy</h1>", Retry_After="1")
        if path == "/art/guarded.html":
            return self._send(412, b"<html><script>var $_ts=window['$_ts'];document.cookie='x';</script></html>")
        if path == "/art/slow.html":
            return self._trickle(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n")
        if path == "/art/huge.html":
            return self._send(200, b"<p>" + "很长的页面。".encode() * (site.huge_bytes // 18) + b"</p>")
        if path == "/art/bomb.html":
            return self._bomb()
        if path == "/slow-headers":
            return self._trickle(b"HTTP/1.1 200 OK\r\nX-Slow: ")           # the headers never end
        if path == "/many-headers":
            self.send_response(200)
            for i in range(200):
                self.send_header(f"X-Padding-{i}", "x" * 500)       # 100 KB of headers, in too many lines
            self.end_headers()
            return None
        if path == "/long-headers":
            self.send_response(200)
            for i in range(90):
                self.send_header(f"X-Padding-{i}", "x" * 1200)      # 108 KB in fewer lines than http.client's cap
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if path == "/huge-stream":     # no Content-Length: the body ends when the connection closes
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for _ in range(site.huge_bytes // 65536):
                    self.wfile.write(b"x" * 65536)
            except OSError:
                pass
            return None
        if path not in site.pages:
            return self._send(404, b"<h1>404</h1>")
        body, ctype = site.pages[path]
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:16]
        validators = {"Last_Modified": LAST_MODIFIED} if path == "/art/a2.html" else {"ETag": etag}
        if self.headers.get("If-None-Match") == etag or \
                (path == "/art/a2.html" and self.headers.get("If-Modified-Since") == LAST_MODIFIED):
            self.hit.status = 304
            self.send_response(304)
            self.end_headers()
            return None
        return self._send(200, body, ctype, **validators)

    def _trickle(self, head: bytes) -> None:
        """Send ``head``, then one byte every ``trickle_s`` until the client hangs up (or a minute passes)."""
        self.hit.status = 200
        try:
            self.wfile.write(head)
            for _ in range(120):
                self.wfile.write(b"z")
                self.wfile.flush()
                if self._client_gone(self.site.trickle_s):
                    return
        except OSError:
            pass

    def _client_gone(self, wait: float) -> bool:
        """Wait up to ``wait`` s; True as soon as the client has hung up (so in-flight counts stay true)."""
        readable, _, _ = select.select([self.connection], [], [], wait)
        return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""

    def _bomb(self) -> None:
        """``bomb_bytes`` of zeros, gzipped to about a thousandth of that, sent as Content-Encoding: gzip."""
        body = _bomb(self.site.bomb_bytes)
        self.hit.status = 200
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass


def _hung_up(conn: socket.socket) -> bool:
    """Whether the client has closed its end of ``conn``, without waiting."""
    try:
        return conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False        # connected and silent: waiting for its answer
    except OSError:
        return True         # reset by the client


_BOMBS: dict[int, bytes] = {}


def _bomb(size: int) -> bytes:
    if size not in _BOMBS:
        _BOMBS[size] = gzip.compress(b"\0" * size, compresslevel=9)
    return _BOMBS[size]


class Server:
    """Start with ``with Server() as s:``; ``s.url`` is http://127.0.0.1:PORT.

    :param clock: stamps each request's :attr:`Hit.at`; the crawler's clock, where the test fakes it.
    """

    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock = clock

    def __enter__(self) -> "Server":
        handler = type("BoundHandler", (Handler,), {})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.site = handler.site = Site(self.port, self.clock)
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class BrokenTLSServer:
    """A TCP listener on 127.0.0.1 that takes a TLS ClientHello and then stalls, or resets the connection.

    ``with BrokenTLSServer("reset") as port:``; a stalled connection is held until the server closes.
    """

    def __init__(self, behaviour: str):
        assert behaviour in ("stall", "reset")
        self.behaviour = behaviour
        self.connections = 0

    def __enter__(self) -> int:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.stop = threading.Event()
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        return self.sock.getsockname()[1]

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.settimeout(1.0)
            try:
                conn.recv(4096)         # the ClientHello
            except OSError:
                pass
            if self.behaviour == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                conn.close()            # linger 0: the client sees a reset, not an orderly close
            else:
                self.held.append(conn)

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(2)
        for conn in self.held:
            conn.close()
        self.sock.close()
