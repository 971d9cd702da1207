"""One polite, bounded HTTP GET: every hop checked, every byte counted, every second capped.

Built on the standard library's ``http.client`` rather than urllib or requests because the crawler needs
control those hide: urllib's redirect handler follows ``ftp:`` and re-resolves each hop, requests follows
redirects and decompresses before a size check can see the bytes, and neither connects to an address we
chose. Here the connection goes to an address that :mod:`indexer.fetch.safety` checked (the host name is still
used for TLS and the Host header), redirects are followed by hand with the caller's guard re-run on each
hop, gzip/deflate is undone with a bound on the *decoded* size (a gzip bomb stops at the cap), and a
watchdog closes the socket at the wall-clock deadline, so a server trickling one byte a second, in the
headers or the body, cannot hold a fetch beyond ``total_timeout_s``.
Risk left open: a TLS handshake's CPU cost and libc's DNS lookup in the guard are not under the watchdog.
"""
from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from indexer.fetch.safety import Target

REDIRECTS = {301, 302, 303, 307, 308}
RETRY_STATUSES = {429, 500, 502, 503, 504}
CHUNK = 64 * 1024


class Refused(Exception):
    """A URL the guard will not let us fetch: ``kind`` is 'unsafe', 'robots' or 'rule', ``reason`` says why."""

    def __init__(self, kind: str, reason: str):
        super().__init__(reason)
        self.kind, self.reason = kind, reason


class _Failed(Exception):
    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind, self.detail = kind, detail


@dataclass(frozen=True)
class Limits:
    connect_timeout_s: float
    read_timeout_s: float
    total_timeout_s: float
    max_bytes: int
    max_redirects: int
    user_agent: str
    max_header_bytes: int = 64 * 1024
    truncate: bool = False      # keep the first max_bytes instead of failing (robots.txt is read that way)


@dataclass
class Response:
    """The outcome of one fetch. ``error`` is None for any HTTP answer (a 404 included), else its kind."""
    url: str
    final_url: str
    status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    error: str | None = None
    detail: str = ""
    redirects: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    bytes_read: int = 0         # bytes off the wire (before decompression)
    truncated: bool = False     # the body was cut at max_bytes (only with Limits.truncate)
    requests: int = 0           # requests sent, redirect hops included (0: refused before any)

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)

    @property
    def retryable(self) -> bool:
        return self.error in ("timeout", "connection") or (self.error is None and self.status in RETRY_STATUSES)

    def retry_after(self, now: float | None = None) -> float | None:
        """Seconds the server asked us to wait (Retry-After as seconds or an HTTP date), else None."""
        value = (self.header("retry-after") or "").strip()
        if not value:
            return None
        if value.isdigit():
            return float(value)
        try:
            when = parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        return max(0.0, when - (time.time() if now is None else now))


class _Body:
    """Undo gzip/deflate while counting decoded bytes, so a small bomb cannot grow past ``limit``."""

    def __init__(self, encoding: str, limit: int):
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            self._d = None
        elif encoding in ("gzip", "x-gzip", "deflate"):
            self._d = zlib.decompressobj(zlib.MAX_WBITS | 32)   # gzip or zlib header, detected
            self._raw_deflate = encoding == "deflate"
        else:
            raise _Failed("unsupported", f"content-encoding {encoding!r} was not asked for")
        self.limit, self.parts, self.size = limit, [], 0

    def _add(self, data: bytes) -> None:
        self.parts.append(data[:max(0, self.limit - self.size)])
        self.size += len(data)
        if self.size > self.limit:
            raise _Failed("too-large", f"body exceeds {self.limit} bytes after decoding")

    def feed(self, chunk: bytes) -> None:
        if self._d is None:
            return self._add(chunk)
        try:
            data = self._d.decompress(chunk, self.limit - self.size + 1)
            self._add(data)
            while self._d.unconsumed_tail:
                self._add(self._d.decompress(self._d.unconsumed_tail, self.limit - self.size + 1))
        except zlib.error as exc:
            if self._raw_deflate and self.size == 0:
                # some servers send "deflate" without the zlib header
                self._d, self._raw_deflate = zlib.decompressobj(-zlib.MAX_WBITS), False
                return self.feed(chunk)
            raise _Failed("protocol", f"corrupt compressed body: {exc}") from exc

    def finish(self) -> bytes:
        if self._d is not None:
            self._add(self._d.flush())
        return b"".join(self.parts)


def _connect(target: Target, limits: Limits, deadline: float) -> socket.socket:
    """Open a socket to one of the checked addresses (never a fresh DNS answer); wrap it in TLS for https."""
    last: OSError | None = None
    for address in target.addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _Failed("timeout", "no time left to connect")
        try:
            sock = socket.create_connection((address, target.port), timeout=min(limits.connect_timeout_s, remaining))
            break
        except OSError as exc:      # try the next checked address
            last = exc
    else:
        kind = "timeout" if isinstance(last, TimeoutError) else "connection"
        raise _Failed(kind, f"cannot connect to {target.host}: {last}")
    if target.scheme == "https":
        sock.settimeout(min(limits.connect_timeout_s, max(0.01, deadline - time.monotonic())))
        try:
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=target.host)
        except OSError as exc:      # a bad certificate, or a handshake the server stalls or resets
            sock.close()
            kind = "timeout" if isinstance(exc, TimeoutError) else "tls" if isinstance(exc, ssl.SSLError) \
                else "connection"
            raise _Failed(kind, f"TLS handshake with {target.host} failed: {type(exc).__name__}: {exc}") from exc
    return sock


def _request_once(target: Target, limits: Limits, headers: dict[str, str], deadline: float) -> Response:
    """GET ``target.url`` on one connection; a redirect is returned, not followed."""
    resp = Response(url=target.url, final_url=target.url)
    sock = _connect(target, limits, deadline)
    cutoff = threading.Event()

    def abort() -> None:
        cutoff.set()
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), abort)
    watchdog.daemon = True
    watchdog.start()
    cls = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    conn = cls(target.host, target.port, timeout=limits.read_timeout_s)
    conn.sock = sock        # already connected to the checked address: http.client must not connect again
    try:
        parts = urlsplit(target.url)
        conn.putrequest("GET", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                        skip_accept_encoding=True)
        for name, value in {"User-Agent": limits.user_agent, "Accept-Encoding": "gzip, deflate",
                            "Accept": "text/html,application/pdf,*/*;q=0.8", **headers}.items():
            conn.putheader(name, value)
        conn.endheaders()
        sock.settimeout(min(limits.read_timeout_s, max(0.01, deadline - time.monotonic())))
        answer = conn.getresponse()
        resp.status, resp.headers = answer.status, answer.getheaders()
        # http.client alone lets 100 headers of 64 KiB each through; those would all go into the sidecar
        header_bytes = sum(len(k) + len(v) + 4 for k, v in resp.headers)
        if header_bytes > limits.max_header_bytes:
            resp.headers = []
            raise _Failed("too-large", f"response headers of {header_bytes} bytes exceed {limits.max_header_bytes}")
        if resp.status in REDIRECTS or resp.status == 304:
            return resp
        length = resp.header("content-length")
        if length and length.strip().isdigit() and int(length) > limits.max_bytes and not limits.truncate:
            raise _Failed("too-large", f"Content-Length {int(length)} exceeds {limits.max_bytes} bytes")
        body = _Body(resp.header("content-encoding") or "", limits.max_bytes)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Failed("timeout", f"exceeded {limits.total_timeout_s:g} s")
            sock.settimeout(min(limits.read_timeout_s, remaining))
            chunk = answer.read1(CHUNK)
            if not chunk:
                break
            resp.bytes_read += len(chunk)
            try:
                body.feed(chunk)
                if resp.bytes_read > limits.max_bytes:
                    raise _Failed("too-large", f"body exceeds {limits.max_bytes} bytes on the wire")
            except _Failed as exc:
                if exc.kind != "too-large" or not limits.truncate:
                    raise
                resp.truncated = True
                break
        resp.body = b"".join(body.parts) if resp.truncated else body.finish()
        if cutoff.is_set():
            raise _Failed("timeout", f"exceeded {limits.total_timeout_s:g} s")
    except _Failed as exc:      # keep what was learnt (status, headers, bytes read) with the error
        resp.error, resp.detail = exc.kind, exc.detail
    except (socket.timeout, TimeoutError):
        resp.error, resp.detail = "timeout", f"no data for {limits.read_timeout_s:g} s"
    except (http.client.HTTPException, OSError) as exc:
        resp.error, resp.detail = ("timeout", f"exceeded {limits.total_timeout_s:g} s") if cutoff.is_set() else \
            ("connection" if isinstance(exc, OSError) else "protocol", f"{type(exc).__name__}: {exc}")
    finally:
        watchdog.cancel()
        conn.close()
    return resp


def fetch(url: str, guard: Callable[[str], Target], limits: Limits,
          headers: dict[str, str] | None = None) -> Response:
    """Fetch ``url``, following at most ``limits.max_redirects`` redirects, each hop passed through ``guard``.

    :param guard: returns the checked :class:`Target` for a URL, or raises :class:`Refused` (or
        :class:`indexer.fetch.safety.Unsafe`) with the reason; it runs before every hop.
    :returns: a Response; transport failures and refusals are in ``error``/``detail``, never raised.
    """
    from indexer.fetch.safety import Unsafe
    start = time.monotonic()
    deadline = start + limits.total_timeout_s     # for the server's part: connecting, waiting, reading
    hops: list[str] = []
    current = url
    sent = 0
    while True:
        try:
            waited = time.monotonic()
            target = guard(current)
            deadline += time.monotonic() - waited     # politeness waits in the guard are not the server's time
            sent = len(hops) + 1
            resp = _request_once(target, limits, headers or {}, deadline)
        except Refused as exc:
            resp = Response(url=url, final_url=current, error=exc.kind, detail=exc.reason)
        except Unsafe as exc:
            resp = Response(url=url, final_url=current, error="unsafe", detail=str(exc))
        except _Failed as exc:
            resp = Response(url=url, final_url=current, error=exc.kind, detail=exc.detail)
        resp.url, resp.redirects, resp.elapsed_s, resp.requests = url, hops, time.monotonic() - start, sent
        if resp.error or resp.status not in REDIRECTS:
            if hops and resp.error in ("unsafe", "robots", "rule"):
                resp.detail = f"redirect to {current}: {resp.detail}"
            return resp
        location = resp.header("location")
        if not location:
            resp.error, resp.detail = "protocol", f"HTTP {resp.status} without a Location"
            return resp
        hops.append(current)
        current = urljoin(current, location.strip()).split("#", 1)[0]
        if current in hops:
            resp.error, resp.detail = "redirect-loop", f"redirect loop back to {current}"
            return resp
        if len(hops) > limits.max_redirects:
            resp.error, resp.detail = "too-many-redirects", f"more than {limits.max_redirects} redirects"
            return resp
