"""The crawler against a real local site (R11, R12): exactly the allowed pages, delays, caps, incremental
re-crawls, SIGKILL and Ctrl-C resumes, and `lrsearch ingest` on the crawl directory.

The crawls run on a :class:`FakeClock` that also stamps the server's log, so the gaps between requests are
the crawler's own waits, exact, and cost no real time; only the subprocess crawls wait for real.

Over 400 lines because every scenario shares one local site and its fixtures; split, each file would repeat them.
"""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.fetch.crawl import Crawler, Summary, extract_links, is_challenge, normalize_url
from indexer.fetch.http import Response
from indexer.fetch.sources import load_sources
from indexer.fetch.state import INGESTED_KINDS, CrawlState
from indexer.index.commits import current_commit, live_documents
from indexer.settings import SETTINGS, Settings, load_settings
from search_app.cli import main
from tests.conftest import ROOT
from tests.fetch.conftest import FakeClock
from tests.fetch.crawl_server import ROBOTS, Server, _bomb, article, list_page

TEST_SETTINGS = dict(connect_timeout_s=1.0, read_timeout_s=0.8, fetch_timeout_s=1.0, max_fetch_bytes=300_000,
                     max_retries=1, retry_backoff_s=0.1, max_retry_after_s=2.0)
# the ones a subprocess crawl takes from LRSEARCH_* variables: they tighten a cap, which is all the environment may do
TIGHTER_IN_THE_ENVIRONMENT = ("connect_timeout_s", "read_timeout_s", "fetch_timeout_s", "max_fetch_bytes", "max_retries")
S = load_settings(**TEST_SETTINGS)
ARTICLES = ['/art/[^/]+\\.(?:html|asp)(?:\\?.*)?$', '/private/[^/]+\\.html$']
HOSTILE_PATHS = "missing|slow|huge|bomb|deep|away|ftp|loop|guarded|data"
GOOD_REPORTS = {"/art/a1.html", "/art/a2.html", "/art/a3.html", "/private/open-report.html", "/art/flaky.html",
                "/art/moved.html", "/files/report.pdf", "/files/report.docx", "/files/old.doc"}
# busy's 503 is the hostile crawl's to test; the subprocess crawls here would wait out its Retry-After for real
DENIED_ON_GOOD = f"/art/({HOSTILE_PATHS}|busy)\\.html$"
LISTS = {"/list/index.html", "/list/index_1.html", "/list/index_2.html"}
# a gap on the fake clock is exact but for the rounding of seconds since 1970 in a float (2.4e-7 s now)
EPS = 1e-6


def write_sources(tmp: Path, server: Server, delay: float, deny: list[str] = (), **extra) -> Path:
    lines = [f"{k} = {json.dumps(v)}" for k, v in extra.items()]
    path = tmp / "sources.toml"
    path.write_text(f"""[[sites]]
name = "local"
start_urls = ["{server.url}/list/index.html"]
allow = ['/list/index(_\\d+)?\\.html$']
article = {json.dumps(ARTICLES)}
deny = {json.dumps(list(deny))}
delay_s = {delay}
content_selector = "#zoom"
{chr(10).join(lines)}
""", encoding="utf-8")
    return path


def crawl(out: Path, sources: Path, clock: FakeClock, settings: Settings = S, **kw) -> Summary:
    site = load_sources(sources, settings, allow_local=True)[0]
    with CrawlState(out, clock) as state:
        return Crawler(state, settings, **kw).crawl(site)


def gaps(hits) -> list[float]:
    """Seconds between consecutive requests, on the clock that stamped them."""
    return [b.at - a.at for a, b in zip(hits, hits[1:])]


def db_rows(out: Path, sql: str, *args) -> list[tuple]:
    db = sqlite3.connect(f"file:{out / 'crawl.sqlite'}?mode=ro", uri=True)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def stored_reports(out: Path, server: Server) -> set[str]:
    rows = db_rows(out, f"SELECT url FROM pages WHERE sha256 IS NOT NULL AND kind IN ({', '.join('?' * len(INGESTED_KINDS))})",
                   *INGESTED_KINDS)
    return {u.removeprefix(server.url) for (u,) in rows}


@pytest.fixture
def server(clock):
    with Server(clock.now) as s:
        yield s


@pytest.fixture
def good(server, tmp_path):
    """The site with its hostile pages denied and no Crawl-delay: (server, sources, out dir)."""
    server.site.robots = ROBOTS.replace(b"Crawl-delay: 0.15\n", b"")
    return server, write_sources(tmp_path, server, 0.1, [DENIED_ON_GOOD]), tmp_path / "out"


# ------------------------------------------------------------------------------------------- the full site

@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """One crawl of the whole hostile site (delay 0.1 s, robots Crawl-delay 0.15 s)."""
    tmp = tmp_path_factory.mktemp("hostile")
    clock = FakeClock()
    with Server(clock.now) as server:
        _bomb(server.site.bomb_bytes)       # built now, not while the crawler's fetch of it is timed
        summary = crawl(tmp / "out", write_sources(tmp, server, 0.1), clock)
        yield server, summary, tmp / "out"


def test_fetches_exactly_the_allowed_pages(hostile):
    server, summary, _ = hostile
    requested = server.site.paths()
    assert server.site.paths(robots=True).count("/robots.txt") == 1
    hops = {"/r/2", "/r/1", "/r/0", "/r/8", "/r/7", "/r/6", "/r/5", "/r/4", "/art/loop2.html"}
    errors = {f"/art/{p}.html" for p in HOSTILE_PATHS.split("|")}
    assert set(requested) == GOOD_REPORTS | {"/art/busy.html", "/files/bad.doc"} | LISTS | hops | errors
    never = {"/private/secret.html", "/art/old.asp", "/art/print.html?print=1", "/about.html"}
    assert not never & set(requested)
    assert not [h for h in server.site.requests() if not h.host.startswith("127.0.0.1")]


def test_stores_exactly_the_reports(hostile):
    server, _, out = hostile
    assert stored_reports(out, server) == GOOD_REPORTS | {"/art/busy.html"}


def test_summary_counts_every_outcome(hostile):
    _, s, _ = hostile
    assert (s.fetched, s.robots, s.refused, s.challenge, s.unsupported, s.stopped) == (13, 3, 2, 1, 2, None)
    assert dict(s.errors) == {"http_404": 1, "timeout": 1, "too-large": 2, "too-many-redirects": 1,
                              "redirect-loop": 1}
    assert s.rule == 3      # www.npc.gov.cn (another host), ftp:// (another scheme), /about.html (no rule)
    assert "13 fetched" in s.line() and "errors: http_404 1" in s.line()


def test_every_refusal_is_recorded_with_its_reason(hostile):
    _, _, out = hostile
    rows = db_rows(out, "SELECT url, outcome, error_kind, detail FROM pages WHERE outcome NOT IN "
                        "('fetched', 'unchanged', 'kept')")
    assert rows and all(detail for _, _, _, detail in rows)
    reasons = {url.rsplit("/", 1)[-1]: (outcome, detail) for url, outcome, _, detail in rows}
    assert reasons["secret.html"][0] == "robots" and "disallows /private/secret.html" in reasons["secret.html"][1]
    assert reasons["ftp.html"] == ("refused", "redirect to ftp://127.0.0.1/report.txt: scheme 'ftp' is not http or https")
    assert "localhost is not named" in reasons["away.html"][1]
    assert reasons["guarded.html"][0] == "challenge"
    assert reasons["bad.doc"] == ("unsupported", "expected doc, got application/msword")
    assert reasons["data.html"][0] == "unsupported"


def test_gap_between_requests_respects_the_delay_and_one_at_a_time(hostile):
    server, _, _ = hostile
    hits = server.site.requests()
    assert hits[0].path == "/robots.txt"
    between = gaps(hits)            # the first page after robots.txt is held to its Crawl-delay 0.15 s too
    assert min(between) >= 0.15 - EPS, min(between)
    assert server.site.max_in_flight == 1
    print(f"minimum gap between requests: {min(between):.3f} s (delay 0.15 s); max in flight 1")


def test_retries_wait_for_retry_after_and_backoff(hostile):
    server, _, _ = hostile
    busy = [h.at for h in server.site.requests() if h.path == "/art/busy.html"]
    flaky = [h.at for h in server.site.requests() if h.path == "/art/flaky.html"]
    assert len(busy) == 2 and busy[1] - busy[0] >= 1.0 - EPS      # Retry-After: 1
    assert len(flaky) == 2 and flaky[1] - flaky[0] >= 0.15 - EPS


def test_a_5xx_is_retried_after_a_doubling_backoff(server, clock, tmp_path):
    server.site.robots = b""
    server.site.answers["/art/a1.html"] = (500, b"<h1>500</h1>", {}, 2)
    settings = load_settings(**{**TEST_SETTINGS, "max_retries": 2, "retry_backoff_s": 3.0})
    crawl(tmp_path / "out", write_sources(tmp_path, server, 0.05, [DENIED_ON_GOOD]), clock, settings)
    asked = [h for h in server.site.requests() if h.path == "/art/a1.html"]
    assert [h.status for h in asked] == [500, 500, 200]
    assert gaps(asked) == pytest.approx([3.0, 6.0], abs=EPS)      # 3 s, then twice that; no request between


def test_sidecar_and_content_addressed_body(hostile):
    server, _, out = hostile
    (sha, ctype), = db_rows(out, "SELECT sha256, content_type FROM pages WHERE url=?", server.url + "/art/a2.html")
    body = out / "raw" / sha[:2] / f"{sha}.body"
    import hashlib
    assert hashlib.sha256(body.read_bytes()).hexdigest() == sha
    meta = json.loads(body.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["url"] == meta["final_url"] == server.url + "/art/a2.html"
    assert (meta["status"], meta["content_type"], meta["kind"]) == (200, "text/html; charset=gbk", "article")
    assert ["Last-Modified", "Tue, 14 Nov 2023 22:13:20 GMT"] in meta["headers"] and meta["fetched_at"]


# ------------------------------------------------------------------------------------------- incremental

def test_second_run_fetches_nothing_new(good, clock):
    server, sources, out = good
    first = crawl(out, sources, clock)
    assert first.stopped is None and stored_reports(out, server) == GOOD_REPORTS
    before = len(server.site.hits)
    second = crawl(out, sources, clock)
    hits = server.site.requests(before)
    assert {h.path for h in hits} == LISTS          # reports are kept, robots.txt is cached
    assert all(h.status == 304 and "If-None-Match" in h.headers for h in hits)
    assert (second.fetched, second.unchanged, second.kept) == (0, 3, len(GOOD_REPORTS))

    before = len(server.site.hits)
    third = crawl(out, sources, clock, revalidate=True)
    hits = [h for h in server.site.requests(before) if h.status != 302]
    assert {h.path for h in hits} == (GOOD_REPORTS - {"/art/moved.html"}) | LISTS | {"/r/0"}
    assert all(h.status == 304 for h in hits), [(h.path, h.status) for h in hits if h.status != 304]
    assert all("If-None-Match" in h.headers or "If-Modified-Since" in h.headers for h in hits)
    assert third.fetched == 0 and third.unchanged == len(GOOD_REPORTS) + 3


def test_max_pages_stops_and_the_next_run_resumes(good, clock):
    server, sources, out = good
    first = crawl(out, sources, clock, max_pages=3)
    assert first.stopped == "max-pages" and first.requests == 3
    assert len(server.site.paths()) == 3
    second = crawl(out, sources, clock)
    assert second.resumed and second.stopped is None
    paths = server.site.paths()
    assert len(paths) == len(set(paths)) + 1      # only the 500 was asked twice
    assert stored_reports(out, server) == GOOD_REPORTS


def test_site_max_pages_from_the_sources_file(server, tmp_path, clock):
    summary = crawl(tmp_path / "out", write_sources(tmp_path, server, 0.05, max_pages=2), clock)
    assert summary.stopped == "max-pages" and len(server.site.paths()) == 2


def _start(sources: Path, out: Path) -> subprocess.Popen:
    """`lrsearch crawl` in a process of its own, on the real clock; its 0.5 s delay leaves the test seconds
    to stop it mid-crawl after a few pages, however loaded the machine.

    Ctrl-C is made to raise KeyboardInterrupt even when the tests run as a background job, whose children
    inherit an ignored SIGINT. The settings the environment may not loosen are set in code, before the command.
    """
    env = {**os.environ, **{f"LRSEARCH_{k.upper()}": str(TEST_SETTINGS[k]) for k in TIGHTER_IN_THE_ENVIRONMENT}}
    looser = {k: v for k, v in TEST_SETTINGS.items() if k not in TIGHTER_IN_THE_ENVIRONMENT}
    code = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); " \
           f"import indexer.settings as s; s.SETTINGS = s.load_settings(**{looser!r}); " \
           "from search_app.cli import main; main()"
    return subprocess.Popen([sys.executable, "-c", code, "crawl", "--allow-local",
                             "--sources", str(sources), "--out", str(out), "--delay", "0.5"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_pages(out: Path, n: int, proc: subprocess.Popen) -> set[str]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        if (out / "crawl.sqlite").exists():
            try:
                done = db_rows(out, "SELECT url FROM pages WHERE outcome='fetched'")
            except sqlite3.OperationalError:
                done = []
            if len(done) >= n:
                return {u for (u,) in done}
        time.sleep(0.02)
    raise AssertionError(f"the crawl did not store {n} pages in time")


def _assert_resumed_without_loss_or_refetch(server: Server, out: Path, done_at_stop: set[str]) -> None:
    paths = server.site.paths(robots=True)
    assert paths.count("/robots.txt") == 1               # the robots.txt fetched before the stop was reused
    twice = {p for p in set(paths) if paths.count(p) > 1} - {"/art/flaky.html"}
    assert len(twice) <= 1, twice                        # at most the request that was in flight
    assert not {server.url + p for p in twice} & done_at_stop
    assert stored_reports(out, server) == GOOD_REPORTS


def test_sigkill_mid_crawl_then_resume_loses_and_refetches_nothing(good, clock):
    server, sources, out = good
    proc = _start(sources, out)
    done = _wait_for_pages(out, 3, proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    summary = crawl(out, sources, clock)
    assert summary.resumed and summary.stopped is None
    _assert_resumed_without_loss_or_refetch(server, out, done)


def test_ctrl_c_stops_cleanly_with_a_summary_and_resumes(good, clock):
    server, sources, out = good
    proc = _start(sources, out)
    done = _wait_for_pages(out, 3, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=15)
    assert proc.returncode == 130, err
    assert "interrupted (resumable)" in err and "Traceback" not in err
    assert crawl(out, sources, clock).resumed
    _assert_resumed_without_loss_or_refetch(server, out, done)


# ------------------------------------------------------------------------------------------- robots.txt

@pytest.mark.parametrize("status", [503, 500])
def test_robots_5xx_means_nothing_is_fetched(server, tmp_path, status, clock):
    server.site.robots_status = status
    summary = crawl(tmp_path / "out", write_sources(tmp_path, server, 0.05), clock)
    assert set(server.site.paths(robots=True)) == {"/robots.txt"}
    assert summary.robots == 1 and summary.requests == 0       # a refused URL never reached the server


@pytest.mark.parametrize("status, body", [
    (412, b"<html><script>var $_ts=window['$_ts'];</script></html>"),
    (200, b"<script>document.cookie='__jsl_clearance=1';location.href=location.href</script>"),
])
def test_a_challenge_instead_of_robots_txt_means_nothing_is_fetched(server, tmp_path, status, body, clock):
    """A challenge says nothing about the rules: the host counts as unreachable, not as having no robots.txt."""
    server.site.robots_status, server.site.robots = status, body
    summary = crawl(tmp_path / "out", write_sources(tmp_path, server, 0.05), clock)
    assert set(server.site.paths(robots=True)) == {"/robots.txt"} and summary.robots == 1


def test_robots_txt_with_a_byte_order_mark_keeps_its_first_group(server, tmp_path, clock):
    server.site.robots = b"\xef\xbb\xbfUser-agent: *\nDisallow: /art/a1.html\n"
    crawl(tmp_path / "out", write_sources(tmp_path, server, 0.05, [DENIED_ON_GOOD]), clock)
    paths = server.site.paths()
    assert "/art/a1.html" not in paths and "/art/a2.html" in paths


def test_crawl_delay_of_two_seconds_is_honoured(server, tmp_path, clock):
    server.site.robots = b"User-agent: *\nCrawl-delay: 2\n"
    crawl(tmp_path / "out", write_sources(tmp_path, server, 0.05), clock, max_pages=3)
    hits = server.site.requests()
    assert hits[0].path == "/robots.txt"
    assert gaps(hits) == pytest.approx([2.0, 2.0, 2.0], abs=EPS)     # the first page after robots.txt waits too


def test_robots_txt_is_reused_until_its_ttl_is_over(good, clock):
    server, sources, out = good
    settings = load_settings(**TEST_SETTINGS, robots_ttl_s=1000.0)
    crawl(out, sources, clock, settings)
    (fetched_at,), = db_rows(out, "SELECT robots_at FROM hosts")
    assert fetched_at == server.site.requests()[0].at          # stamped on the crawl's clock
    clock.sleep(fetched_at + 900 - clock.now())
    crawl(out, sources, clock, settings)
    assert server.site.paths(robots=True).count("/robots.txt") == 1
    clock.sleep(fetched_at + 1001 - clock.now())
    crawl(out, sources, clock, settings)
    assert server.site.paths(robots=True).count("/robots.txt") == 2


def test_robots_404_means_everything_is_allowed(server, tmp_path, clock):
    server.site.robots_status = 404
    crawl(tmp_path / "out", write_sources(tmp_path, server, 0.05, [DENIED_ON_GOOD]), clock)
    assert {"/private/secret.html", "/art/old.asp", "/art/print.html?print=1"} <= set(server.site.paths())


def test_crawl_delay_over_the_cap_stops_the_host(server, tmp_path, clock):
    settings = load_settings(**TEST_SETTINGS, max_crawl_delay_s=0.1)
    summary = crawl(tmp_path / "out", write_sources(tmp_path, server, 0.05), clock, settings)
    assert server.site.paths() == [] and summary.robots == 1
    (detail,), = db_rows(tmp_path / "out", "SELECT detail FROM pages")
    assert "Crawl-delay 0.15 s is over the 0.1 s cap" in detail


def test_big_robots_txt_is_read_up_to_the_cap(server, tmp_path, clock):
    server.site.robots = b"User-agent: *\nDisallow: /art/a1\n" + b"#" * 600 * 1024 + b"\nDisallow: /art/a2\n"
    crawl(tmp_path / "out", write_sources(tmp_path, server, 0.05, [DENIED_ON_GOOD]), clock)
    paths = server.site.paths()
    assert "/art/a1.html" not in paths and "/art/a2.html" in paths


# ------------------------------------------------------------------------------------------- servers that ask us to wait

A2_BUSY = (429, b"<h1>429</h1>", {"Retry_After": "600"}, None)


def test_a_retry_after_over_the_cap_pauses_the_site_and_the_url_stays_queued(good, clock):
    server, sources, out = good
    server.site.answers["/art/a2.html"] = A2_BUSY
    first = crawl(out, sources, clock)
    assert first.stopped == "paused" and "asked us to wait until" in first.pause and "Retry-After 600" in first.pause
    paths = server.site.paths()
    assert paths[-1] == "/art/a2.html" and paths.count("/art/a2.html") == 1     # nothing more after the 429
    assert (server.url + "/art/a2.html",) in db_rows(out, "SELECT url FROM frontier")
    assert "paused: 127.0.0.1 asked us to wait" in first.line()

    before = len(server.site.hits)
    clock.sleep(590)
    second = crawl(out, sources, clock)           # still 10 s of the pause left: the host is not contacted
    assert second.resumed and second.stopped == "paused" and server.site.paths(before) == []

    del server.site.answers["/art/a2.html"]
    clock.sleep(10)                               # the pause is over
    third = crawl(out, sources, clock)
    assert third.resumed and third.stopped is None and stored_reports(out, server) == GOOD_REPORTS


def test_429_with_a_short_retry_after_is_waited_for(good, clock):
    server, sources, out = good
    server.site.answers["/art/a1.html"] = (429, b"<h1>429</h1>", {"Retry_After": "1"}, 1)
    summary = crawl(out, sources, clock)
    asked = [h.at for h in server.site.requests() if h.path == "/art/a1.html"]
    assert len(asked) == 2 and asked[1] - asked[0] >= 1.0 - EPS and summary.stopped is None
    assert stored_reports(out, server) == GOOD_REPORTS


def test_429_after_every_retry_pauses_the_site(good, clock):
    server, sources, out = good
    server.site.answers["/art/a1.html"] = (429, b"<h1>429</h1>", {}, None)
    summary = crawl(out, sources, clock)
    assert summary.stopped == "paused" and "HTTP 429 after 1 retries" in summary.pause
    assert server.site.paths()[-2:] == ["/art/a1.html", "/art/a1.html"]


def test_a_challenge_answered_with_503_is_not_retried(good, clock):
    server, sources, out = good
    server.site.answers["/art/a1.html"] = (503, b"<html><script>var _waf_=1;</script></html>", {}, None)
    summary = crawl(out, sources, clock)
    assert server.site.paths().count("/art/a1.html") == 1 and summary.challenge == 1


def test_a_redirect_hop_is_held_to_the_deny_rules(server, tmp_path, clock):
    server.site.robots = b""
    server.site.redirects["/art/a3.html"] = "/login/secret.html"
    summary = crawl(tmp_path / "out", write_sources(tmp_path, server, 0.05, [DENIED_ON_GOOD, "/login/"]), clock)
    assert "/login/secret.html" not in server.site.paths() and summary.refused == 0
    (outcome, detail), = db_rows(tmp_path / "out", "SELECT outcome, detail FROM pages WHERE url LIKE '%/art/a3.html'")
    assert outcome == "rule" and "redirect to" in detail and "deny rule" in detail


def test_a_deny_rule_never_refuses_robots_txt(server, tmp_path, clock):
    """robots.txt is not a page of the site's rules: refusing it would read as "disallow everything"."""
    crawl(tmp_path / "out", write_sources(tmp_path, server, 0.05, [DENIED_ON_GOOD, r"\.txt$"]), clock)
    assert "/robots.txt" in server.site.paths(robots=True) and "/art/a1.html" in server.site.paths()


def test_an_ordinary_delay_is_slept_not_taken_for_a_pause(server, tmp_path, clock):
    """The site's own delay, however long, is waited for; only a pause the server asked for stops the run."""
    server.site.robots = b""
    settings = load_settings(**{**TEST_SETTINGS, "max_retry_after_s": 0.2})
    sources = write_sources(tmp_path, server, 0.5, [DENIED_ON_GOOD])
    summary = crawl(tmp_path / "out", sources, clock, settings, max_pages=2)
    hits = server.site.requests()
    assert summary.stopped == "max-pages" and len(server.site.paths()) == 2 and hits[-1].at - hits[-2].at >= 0.5 - EPS


def test_the_delay_is_per_host_name_whatever_the_port(tmp_path, clock):
    """Two ports of one host share the delay: a link to the other port waits like a link on the same one."""
    with Server(clock.now) as a, Server(clock.now) as b:
        for s in (a, b):
            s.site.robots = b""
        a.site.pages["/list/index.html"] = (a.site.pages["/list/index.html"][0].replace(
            b'href="/art/a1.html"', f'href="{b.url}/art/a1.html"'.encode()), "text/html; charset=utf-8")
        crawl(tmp_path / "out", write_sources(tmp_path, a, 0.5, [DENIED_ON_GOOD]), clock, max_pages=4)
        hits = sorted(a.site.requests() + b.site.requests(), key=lambda h: h.at)
    assert b.site.paths(robots=True)[:2] == ["/robots.txt", "/art/a1.html"] and len(hits) == 6
    assert min(gaps(hits)) >= 0.5 - EPS, gaps(hits)


def test_a_304_confirms_a_report_until_it_is_due_again(good, clock):
    server, sources, out = good
    settings = load_settings(**TEST_SETTINGS, revisit_after_s=50.0)
    crawl(out, sources, clock, settings)
    clock.sleep(100)
    before = len(server.site.hits)
    crawl(out, sources, clock, settings)                # due: revalidated, every report answers 304
    revalidated = {(h.path, h.status) for h in server.site.requests(before) if h.status != 302}
    assert revalidated == {(p, 304) for p in (GOOD_REPORTS - {"/art/moved.html"}) | LISTS | {"/r/0"}} | \
        {("/files/bad.doc", 200)}        # due again too: still not a Word document
    before = len(server.site.hits)
    third = crawl(out, sources, clock, settings)        # confirmed a moment ago: not asked again
    assert {h.path for h in server.site.requests(before)} == LISTS and third.kept == len(GOOD_REPORTS)


def test_an_https_site_that_resets_every_handshake_is_recorded_not_fatal(tmp_path, clock):
    from tests.fetch.crawl_server import BrokenTLSServer
    with BrokenTLSServer("reset") as port:
        path = tmp_path / "sources.toml"
        path.write_text(f'[[sites]]\nname="tls"\nstart_urls=["https://127.0.0.1:{port}/list/"]\n'
                        f'allow=["/list/"]\narticle=["/art/"]\ndelay_s=0.05\n', encoding="utf-8")
        summary = crawl(tmp_path / "out", path, clock)
    assert summary.stopped is None and summary.robots == 1     # robots.txt unreachable: nothing is fetched
    ((detail,),) = db_rows(tmp_path / "out", "SELECT detail FROM pages")
    assert f"robots.txt of https://127.0.0.1:{port} disallows /list/" in detail


# ------------------------------------------------------------------------------------------- pieces

def test_default_delay_is_at_least_one_second(tmp_path):
    assert Settings().crawl_delay_s >= 1.0 and Settings().min_crawl_delay_s >= 1.0
    path = tmp_path / "s.toml"
    path.write_text('[[sites]]\nname="x"\nstart_urls=["https://www.npc.gov.cn/"]\nallow=["/"]\narticle=["/a/"]\n')
    assert load_sources(path)[0].delay_s >= 1.0


@pytest.mark.parametrize("status, body, challenge", [
    (412, b"<html></html>", True),
    (521, b"", True),
    (200, b"<script>document.cookie='__jsl_clearance=1';location.href=location.href</script>", True),
    (200, b"<html><title>Just a moment...</title></html>", True),
    (403, b"<script src='/cdn-cgi/challenge-platform/x.js'></script>", True),
    (200, "<p>常委会工作报告</p>".encode(), False),
    (403, b"<h1>Forbidden</h1>", False),
])
def test_challenge_pages(status, body, challenge):
    assert is_challenge(Response("u", "u", status, body=body)) is challenge


@pytest.mark.parametrize("url, normal", [
    ("HTTP://WWW.NPC.GOV.CN:80/npc/index.html#top", "http://www.npc.gov.cn/npc/index.html"),
    ("https://www.npc.gov.cn:443", "https://www.npc.gov.cn/"),
    ("http://x.cn:8080/a b/报告.html?q=人大", "http://x.cn:8080/a%20b/%E6%8A%A5%E5%91%8A.html?q=%E4%BA%BA%E5%A4%A7"),
    ("http://x.cn/a%20b.html", "http://x.cn/a%20b.html"),
    ("http://x.cn:bad/", None),
])
def test_normalize_url(url, normal):
    assert normalize_url(url) == normal


def test_extract_links_uses_base_and_the_page_charset():
    page = ('<html><head><meta charset="gbk"><base href="/npc/c2/"></head><body><a href="t1.html">一</a>'
            '<a href=" ../c3/报告.html ">二</a><a href="javascript:void(0)">x</a><a href="#top">x</a>'
            '<a href="mailto:a@b.cn">x</a><a href="t1.html#p2">dup</a><iframe src="/f.html"></iframe></body></html>')
    assert extract_links(page.encode("gbk"), "text/html", "http://www.npc.gov.cn/index.html") == [
        "http://www.npc.gov.cn/npc/c2/t1.html", "http://www.npc.gov.cn/npc/c3/%E6%8A%A5%E5%91%8A.html",
        "http://www.npc.gov.cn/f.html"]


# ------------------------------------------------------------------------------------------- command line

def test_crawl_command_then_ingest_the_crawl_directory(good, tmp_path, monkeypatch, command_clock):
    server, sources, out = good
    monkeypatch.setattr("indexer.settings.SETTINGS", S)
    runner = CliRunner()
    result = runner.invoke(main, ["crawl", "--allow-local", "--sources", str(sources), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "local: " in result.output and "finished" in result.output

    result = runner.invoke(main, ["ingest", str(out), "--out", str(tmp_path / "docs"), "--workers", "1"])
    assert result.exit_code == 0, result.output
    docs = [json.loads(line) for line in (tmp_path / "docs" / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    by_source = {d["source"].removeprefix(server.url): d for d in docs}
    assert set(by_source) == (GOOD_REPORTS - {"/art/moved.html"}) | {"/r/0"}     # no list page; final URL
    gbk = by_source["/art/a2.html"]
    assert "镕基路改造项目如期完成" in gbk["text"] and gbk["encoding"] == "gb18030" and "http gbk" in gbk["encoding_how"]
    big5 = by_source["/art/a3.html"]
    assert big5["traditional"] and "常委會" in big5["text"] and big5["encoding"] == "big5hkscs"
    assert by_source["/files/report.pdf"]["format"] == "pdf" and by_source["/files/report.docx"]["format"] == "docx"
    assert by_source["/files/old.doc"]["format"] == "doc" and by_source["/files/old.doc"]["year"] == 2021
    assert "返回列表" not in by_source["/art/a1.html"]["text"]       # the content selector kept the nav out


def test_a_crawl_ingested_into_an_index_keeps_urls_and_replaces_a_changed_page(good, tmp_path, monkeypatch,
                                                                              command_clock):
    server, sources, out = good
    monkeypatch.setattr("indexer.settings.SETTINGS", S)
    runner = CliRunner()
    ix = tmp_path / "ix"

    def crawl_and_ingest(*options: str) -> list[dict]:
        result = runner.invoke(main, ["crawl", "--allow-local", "--sources", str(sources), "--out", str(out), *options])
        assert result.exit_code == 0, result.output
        result = runner.invoke(main, ["ingest", str(out), "--index", str(ix), "--workers", "1"])
        assert result.exit_code == 0, result.output
        return [d.to_dict() for d in live_documents(ix, current_commit(ix))]

    docs = crawl_and_ingest()
    assert {s.removeprefix(server.url) for d in docs for s in d["sources"]} == \
        (GOOD_REPORTS - {"/art/moved.html"}) | {"/r/0"}                    # URLs, not paths of stored bodies
    page = f"{server.url}/art/a3.html"
    body, ctype = server.site.pages["/art/a3.html"]
    server.site.pages["/art/a3.html"] = (body.replace(b"</h1>", "</h1><p>本頁修訂後新增的一段話。</p>".encode("big5")), ctype)
    before = len(docs)
    docs = crawl_and_ingest("--revalidate")     # report pages are fetched again only when asked
    mine = [d for d in docs if page in d["sources"]]
    assert len(mine) == 1 and "本頁修訂後新增的一段話" in mine[0]["text"]     # replaced, not added beside the old one
    assert len(docs) == before


def test_crawl_command_errors(tmp_path):
    runner = CliRunner()
    bad = tmp_path / "bad.toml"
    bad.write_text('[[sites]]\nname="x"\nstart_urls=["https://a.cn/"]\nallow=["("]\narticle=["/a/"]\n')
    result = runner.invoke(main, ["crawl", "--sources", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "bad regex in 'allow'" in result.output
    shipped = ROOT / "corpus" / "sources.toml"
    result = runner.invoke(main, ["crawl", "--sources", str(shipped), "--out", str(tmp_path / "o"), "--site", "nope"])
    assert result.exit_code == 2 and "no site named nope" in result.output
    with CrawlState(tmp_path / "busy"):
        result = runner.invoke(main, ["crawl", "--sources", str(shipped), "--out", str(tmp_path / "busy")])
    assert result.exit_code == 4 and "another crawl" in result.output


def test_crawl_has_help():
    result = CliRunner().invoke(main, ["crawl", "--help"])
    assert result.exit_code == 0 and "--max-pages" in result.output and "robots.txt" in result.output
    assert "--allow-local" in result.output


def test_a_sources_file_cannot_make_its_site_local(server, tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(write_sources(tmp_path, server, 1.0).read_text(encoding="utf-8") + "local = true\n", encoding="utf-8")
    for flags in ([], ["--allow-local"]):
        result = CliRunner().invoke(main, ["crawl", *flags, "--sources", str(path), "--out", str(tmp_path / "o")])
        assert result.exit_code == 2 and "'local' is not a sources-file key" in result.output, result.output
        assert "lrsearch crawl --allow-local" in result.output
    assert server.site.paths(robots=True) == []


def test_only_allow_local_lets_the_command_go_under_the_floor_or_reach_a_local_server(good, tmp_path, monkeypatch,
                                                                                      command_clock):
    server, sources, out = good
    monkeypatch.setattr("indexer.settings.SETTINGS", S)
    runner = CliRunner()
    result = runner.invoke(main, ["crawl", "--sources", str(sources), "--out", str(out)])         # delay_s 0.1
    assert result.exit_code == 2 and "below the 1 s politeness floor" in result.output and "--allow-local" in result.output
    (tmp_path / "floor").mkdir()
    at_the_floor = write_sources(tmp_path / "floor", server, 1.0, [DENIED_ON_GOOD])
    result = runner.invoke(main, ["crawl", "--sources", str(at_the_floor), "--out", str(out)])
    assert result.exit_code == 0 and "1 refused" in result.output and "finished" in result.output, result.output
    assert server.site.paths(robots=True) == []                   # not even robots.txt was asked for
    ((outcome, detail),) = db_rows(out, "SELECT outcome, detail FROM pages")
    assert outcome == "refused" and detail == "loopback address 127.0.0.1"
    result = runner.invoke(main, ["crawl", "--allow-local", "--sources", str(at_the_floor), "--out", str(out),
                                  "--max-pages", "2"])
    assert result.exit_code == 0 and server.site.paths(robots=True)[:2] == ["/robots.txt", "/list/index.html"]


def test_settings_are_the_module_defaults():
    assert SETTINGS.max_redirects <= 5 and SETTINGS.user_agent.startswith("lrsearch/")


def test_a_report_served_under_two_urls_keeps_both_as_sources(good, tmp_path, monkeypatch, clock):
    server, sources, out = good
    server.site.pages["/art/a1-copy.html"] = server.site.pages["/art/a1.html"]
    listing, ctype = server.site.pages["/list/index.html"]
    server.site.pages["/list/index.html"] = (listing.replace(b'href="/art/a2.html"',
                                                             b'href="/art/a1-copy.html"><a href="/art/a2.html"'), ctype)
    crawl(out, sources, clock)
    (sha,), = set(db_rows(out, "SELECT sha256 FROM pages WHERE url LIKE '%/art/a1%'"))
    meta = json.loads((out / "raw" / sha[:2] / f"{sha}.json").read_text(encoding="utf-8"))
    assert {u.removeprefix(server.url) for u in meta["urls"]} == {"/art/a1.html", "/art/a1-copy.html"}
    monkeypatch.setattr("indexer.settings.SETTINGS", S)
    ix = tmp_path / "ix"
    assert CliRunner().invoke(main, ["ingest", str(out), "--index", str(ix), "--workers", "1"]).exit_code == 0
    docs = [d.to_dict() for d in live_documents(ix, current_commit(ix))]
    (a1,) = [d for d in docs if any(s.endswith("/art/a1.html") for s in d["sources"])]
    assert {s.removeprefix(server.url) for s in a1["sources"]} == {"/art/a1.html", "/art/a1-copy.html"}


def test_a_gzipped_body_is_stored_decoded_and_says_so(server, tmp_path, clock):
    import gzip
    body = server.site.pages["/art/a1.html"][0]
    server.site.answers["/art/a1.html"] = (200, gzip.compress(body), {"Content_Encoding": "gzip"}, None)
    crawl(tmp_path / "out", write_sources(tmp_path, server, 0.05, [DENIED_ON_GOOD]), clock)
    (sha,), = db_rows(tmp_path / "out", "SELECT sha256 FROM pages WHERE url LIKE '%/art/a1.html'")
    stored = tmp_path / "out" / "raw" / sha[:2] / f"{sha}.body"
    meta = json.loads(stored.with_suffix(".json").read_text(encoding="utf-8"))
    assert stored.read_bytes() == body and meta["body_decoded_from"] == "gzip"


# ------------------------------------------------------------------------------------------- R12: 200 pages, 2 hosts

R12_ROBOTS = b"User-agent: *\nDisallow: /*-x.html$\nDisallow: /*?print=1\nDisallow: /private/\n"


def _r12_site(server: Server, n: int = 100) -> set[str]:
    """A list page linking ``n`` reports, ten pages its robots.txt disallows, ten print views and a private page;
    returns the disallowed paths."""
    body = article("a1")
    links = [f"/art/g{i}.html" for i in range(n)]
    denied = [f"/art/g{i}-x.html" for i in range(10)] + [f"/art/g{i}.html?print=1" for i in range(10)] + \
        ["/private/p.html"]
    for path in links + denied:
        server.site.pages[path] = (body, "text/html; charset=utf-8")
    server.site.pages["/list/index.html"] = (list_page(links + denied), "text/html; charset=utf-8")
    return set(denied)


def test_r12_200_pages_from_two_hosts_politely(tmp_path, clock):
    """R12: two hosts of 100 reports each (one with Crawl-delay: 2, one at the 1 s default delay, whose one page
    answers 429 with Retry-After: 1 once), and a third whose robots.txt answers 503. Nothing disallowed is
    fetched, no two requests to one host come closer than max(1 s, Crawl-delay), never two at once, nothing from
    the 5xx host; on the fake clock, so the 300-odd seconds of politeness cost none."""
    with Server(clock.now) as a, Server(clock.now) as b, Server(clock.now) as c:
        denied = {"a": _r12_site(a), "b": _r12_site(b)}
        _r12_site(c)
        a.site.robots = R12_ROBOTS + b"Crawl-delay: 2\n"
        b.site.robots = R12_ROBOTS
        c.site.robots_status = 503
        b.site.answers["/art/g7.html"] = (429, b"<h1>429</h1>", {"Retry_After": "1"}, 1)
        sources = tmp_path / "sources.toml"
        sources.write_text("".join(f"""[[sites]]
name = "{name}"
start_urls = ["http://{host}:{s.port}/list/index.html"]
allow = ['/list/index\\.html$']
article = ['/art/[^/]+\\.html(?:\\?.*)?$', '/private/[^/]+\\.html$']
delay_s = 1.0
content_selector = "#zoom"
""" for name, host, s in (("a", "127.0.0.1", a), ("b", "localhost", b), ("c", "127.0.0.1", c))), encoding="utf-8")
        summaries = []
        with CrawlState(tmp_path / "out", clock) as state:
            for site in load_sources(sources, S, allow_local=True):
                summaries.append(Crawler(state, S).crawl(site))
        hits = {"a": a.site.requests(), "b": b.site.requests(), "c": c.site.requests()}
        in_flight = {k: s.site.max_in_flight for k, s in (("a", a), ("b", b))}
    pages = {k: [h.path for h in v if h.path != "/robots.txt"] for k, v in hits.items()}
    fetched_denied = [p for k in ("a", "b") for p in pages[k] if p in denied[k]]
    gap = {k: min(gaps(hits[k])) for k in ("a", "b")}
    retried = [h.at for h in hits["b"] if h.path == "/art/g7.html"]
    honoured = len(retried) == 2 and retried[1] - retried[0] >= 1.0 - EPS
    print(f"\nR12: {len(pages['a']) + len(pages['b'])} pages from 2 hosts: disallowed URLs fetched {len(fetched_denied)}; "
          f"minimum gap per host {gap['a']:.3f} s (Crawl-delay 2) and {gap['b']:.3f} s (delay 1); most requests at "
          f"once per host {max(in_flight.values())}; fetches from the host whose robots.txt answered 503 "
          f"{len(pages['c'])}; Retry-After: 1 honoured {'yes' if honoured else 'no'} "
          f"({retried[1] - retried[0]:.3f} s); robots.txt parsed up to {S.max_robots_bytes // 1024} KiB "
          "(a 600 KiB one: test_big_robots_txt_is_read_up_to_the_cap)")
    assert len(pages["a"]) >= 100 and len(pages["b"]) >= 101
    assert fetched_denied == [] and pages["c"] == []
    assert gap["a"] >= 2 - EPS and gap["b"] >= 1 - EPS and max(in_flight.values()) == 1
    assert honoured
