"""One bounded fetch against a hostile local server (R11): time, size, redirects, pinning, conditional GET."""
from __future__ import annotations

import time
import tracemalloc

import pytest

from indexer.fetch.http import Limits, Refused, Response, fetch
from indexer.fetch.safety import Target, check_url
from tests.fetch.crawl_server import Server, _bomb

LIMITS = Limits(connect_timeout_s=1.0, read_timeout_s=1.0, total_timeout_s=1.0, max_bytes=300_000,
                max_redirects=5, user_agent="lrsearch-test/0.1")


@pytest.fixture(scope="module")
def server():
    with Server() as s:
        yield s


def guard_for(server, hosts=("127.0.0.1",)):
    return lambda url: check_url(url, set(hosts), allow_local=True)


def get(server, path, limits=LIMITS, headers=None) -> Response:
    return fetch(server.url + path, guard_for(server), limits, headers)


def test_plain_page_with_user_agent_and_validators(server):
    before = len(server.site.hits)
    resp = get(server, "/art/a1.html")
    assert (resp.error, resp.status) == (None, 200)
    assert "某某市人大常委会2021年工作报告" in resp.body.decode()
    assert resp.header("etag") and resp.final_url == server.url + "/art/a1.html"
    hit = server.site.requests(before)[0]
    assert hit.headers["User-Agent"] == "lrsearch-test/0.1"
    again = get(server, "/art/a1.html", headers={"If-None-Match": resp.header("etag")})
    assert (again.status, again.body) == (304, b"")


def test_trickle_stops_at_the_wall_clock_cap(server):
    """One byte every 0.5 s never trips the read timeout; the total cap ends it."""
    start = time.monotonic()
    resp = get(server, "/art/slow.html")
    wall = time.monotonic() - start
    assert resp.error == "timeout"
    assert wall <= LIMITS.total_timeout_s + 0.5, wall
    print(f"\nR11: trickle (a byte every {server.site.trickle_s} s): {resp.error} after {wall:.2f} s "
          f"(bar: fetch_timeout {LIMITS.total_timeout_s} s + 1 s), {resp.bytes_read} bytes read")


def test_trickled_headers_stop_at_the_cap_too(server):
    start = time.monotonic()
    resp = get(server, "/slow-headers")
    assert resp.error == "timeout" and time.monotonic() - start <= LIMITS.total_timeout_s + 0.5


def test_oversized_by_content_length_is_refused_before_reading(server):
    resp = get(server, "/art/huge.html")
    assert resp.error == "too-large" and resp.bytes_read == 0 and "Content-Length" in resp.detail


def test_oversized_stream_stops_at_the_cap(server, monkeypatch):
    monkeypatch.setattr(server.site, "huge_bytes", 50_000_000)      # a 50 MB body without a Content-Length
    start = time.monotonic()
    resp = get(server, "/huge-stream")
    print(f"\nR11: 50 MB stream: {resp.error} after {resp.bytes_read} bytes (bar: max_bytes {LIMITS.max_bytes} + "
          f"64 KiB) in {time.monotonic() - start:.2f} s")
    assert resp.error == "too-large"
    assert resp.bytes_read <= LIMITS.max_bytes + 64 * 1024


def test_gzip_bomb_stops_at_the_decoded_cap(server):
    """50 MB of zeros gzipped to ~50 KB: decoding stops at max_bytes, memory stays small."""
    _bomb(server.site.bomb_bytes)      # the server builds its bomb outside the measurement
    tracemalloc.start()
    resp = get(server, "/art/bomb.html")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert resp.error == "too-large" and "after decoding" in resp.detail
    assert resp.bytes_read < 100_000
    assert peak < 5 * LIMITS.max_bytes, peak
    print(f"\nR11: gzip bomb ({server.site.bomb_bytes / 1e6:.0f} MB of zeros): {resp.error}, {resp.bytes_read} bytes "
          f"read off the wire, decoding stopped at {LIMITS.max_bytes} bytes (bar: max_bytes + 64 KiB), peak Python "
          f"memory {peak / 1e6:.1f} MB (bar 100 MB)")


def test_gzip_page_is_decoded():
    import gzip

    from indexer.fetch.http import _Body
    body = _Body("gzip", 10_000)
    data = gzip.compress("人大常委会".encode() * 100)
    for i in range(0, len(data), 7):
        body.feed(data[i:i + 7])
    assert body.finish() == "人大常委会".encode() * 100


def test_raw_deflate_is_accepted():
    import zlib

    from indexer.fetch.http import _Body
    c = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    body = _Body("deflate", 10_000)
    body.feed(c.compress(b"report " * 50) + c.flush())
    assert body.finish() == b"report " * 50


def test_redirect_chain_within_the_cap_is_followed(server):
    resp = get(server, "/art/moved.html")
    assert resp.status == 200 and resp.final_url == server.url + "/r/0"
    assert resp.redirects == [server.url + p for p in ("/art/moved.html", "/r/2", "/r/1")]


def test_redirect_cap(server):
    before = len(server.site.hits)
    resp = get(server, "/art/deep.html")
    assert resp.error == "too-many-redirects"
    assert len(server.site.requests(before)) == LIMITS.max_redirects + 1     # 5 hops followed, not more


def test_a_30_hop_chain_is_followed_5_hops_and_no_further(server, monkeypatch):
    chain = {f"/chain/{n}": f"/chain/{n - 1}" for n in range(1, 31)}
    monkeypatch.setattr(server.site, "redirects", {**server.site.redirects, **chain})
    before = len(server.site.hits)
    resp = get(server, "/chain/30")
    asked = len(server.site.requests(before))
    print(f"\nR11: 30-hop redirect chain: {resp.error} ({resp.detail}), {asked - 1} redirects followed in "
          f"{asked} requests (bar: {LIMITS.max_redirects})")
    assert resp.error == "too-many-redirects" and asked == LIMITS.max_redirects + 1


def test_redirect_loop(server):
    resp = get(server, "/art/loop.html")
    print(f"\nR11: redirect loop: {resp.error} ({resp.detail}) after {resp.requests} requests")
    assert resp.error == "redirect-loop" and resp.requests <= LIMITS.max_redirects + 1


@pytest.mark.parametrize("path, reason", [
    ("/art/ftp.html", "scheme 'ftp'"),
    ("/art/away.html", "host localhost is not named"),
])
def test_every_hop_is_rechecked(server, path, reason):
    before = len(server.site.hits)
    resp = get(server, path)
    assert resp.error == "unsafe" and reason in resp.detail and resp.detail.startswith("redirect to ")
    assert len(server.site.requests(before)) == 1      # the refused target was never asked


def test_guard_refusal_on_a_hop_is_reported(server):
    def guard(url):
        if "/r/1" in url:
            raise Refused("robots", "robots.txt disallows /r/1")
        return check_url(url, {"127.0.0.1"}, allow_local=True)
    resp = fetch(server.url + "/art/moved.html", guard, LIMITS)
    assert resp.error == "robots" and "/r/1" in resp.detail


def test_connection_goes_to_the_checked_address_not_a_new_lookup(server):
    """The host name is only for Host/TLS: the socket goes to the address the guard returned."""
    before = len(server.site.hits)
    url = f"http://congress.example.cn:{server.port}/art/a1.html"
    target = Target(url, "http", "congress.example.cn", server.port, ("127.0.0.1",))
    resp = fetch(url, lambda _u: target, LIMITS)
    assert resp.status == 200
    assert server.site.requests(before)[0].host == f"congress.example.cn:{server.port}"


def test_a_hundred_kilobytes_of_headers_is_a_clean_error(server):
    resp = get(server, "/many-headers")
    print(f"\nR11: 100 KB of headers: {resp.error} ({resp.detail}) in {resp.elapsed_s:.2f} s")
    assert resp.error == "protocol" and resp.detail


def test_connection_refused_is_a_clean_error():
    url = "http://127.0.0.1:9/x"      # the discard port: nothing listens there
    resp = fetch(url, lambda u: check_url(u, {"127.0.0.1"}, allow_local=True), LIMITS)
    assert resp.error == "connection" and resp.retryable


def test_truncate_keeps_the_first_bytes(server):
    limits = Limits(1.0, 1.0, 2.0, 1000, 5, "t", truncate=True)
    resp = get(server, "/huge-stream", limits)
    assert resp.error is None and resp.truncated and len(resp.body) == 1000


@pytest.mark.parametrize("header, expected", [("120", 120.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
                                              ("soon", None), ("", None)])
def test_retry_after(header, expected):
    resp = Response("u", "u", 503, [("Retry-After", header)] if header else [])
    assert resp.retry_after(now=2_000_000_000) == expected
    assert resp.retryable


def test_retry_after_as_a_future_date():
    resp = Response("u", "u", 429, [("Retry-After", "Thu, 01 Jan 2037 00:00:30 GMT")])
    assert resp.retry_after(now=2114380800) == pytest.approx(30)


def test_headers_over_the_header_cap_are_a_clean_error(server):
    """90 headers of 1.2 KB pass http.client's own limits (100 lines of 64 KiB); the header cap stops them."""
    resp = get(server, "/long-headers")
    assert resp.error == "too-large" and "headers" in resp.detail and resp.headers == []


@pytest.mark.parametrize("behaviour, kind", [("stall", "timeout"), ("reset", "connection")])
def test_a_broken_tls_handshake_is_a_clean_error(behaviour, kind):
    """A server that takes the ClientHello and then stalls or resets must not raise out of fetch()."""
    from tests.fetch.crawl_server import BrokenTLSServer
    with BrokenTLSServer(behaviour) as port:
        start = time.monotonic()
        resp = fetch(f"https://127.0.0.1:{port}/", lambda u: check_url(u, {"127.0.0.1"}, allow_local=True), LIMITS)
    assert resp.error == kind and "TLS handshake" in resp.detail, (resp.error, resp.detail)
    assert resp.retryable and time.monotonic() - start <= LIMITS.total_timeout_s + 0.5


def test_a_public_page_redirecting_to_loopback_is_refused_at_the_hop(server):
    """The first hop is a public host (pinned here to the test server); its redirect to 127.0.0.1 is checked
    as a new URL and refused, and nothing is asked of the loopback address."""
    server.site.redirects["/to-loopback"] = f"{server.url}/art/a1.html"

    def guard(url):
        if url.startswith("http://public.example.cn"):
            return Target(url, "http", "public.example.cn", server.port, ("127.0.0.1",))
        return check_url(url, {"public.example.cn", "127.0.0.1"})        # no private addresses
    before = len(server.site.hits)
    resp = fetch(f"http://public.example.cn:{server.port}/to-loopback", guard, LIMITS)
    assert resp.error == "unsafe" and "redirect to" in resp.detail and "loopback" in resp.detail
    assert server.site.paths(before) == ["/to-loopback"]
