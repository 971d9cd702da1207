"""Crawl the sites of a sources file politely, incrementally, and so that a kill can be resumed.

Per site: a frontier in SQLite (breadth-first), seeded with the start URLs; each URL is fetched through
:func:`indexer.fetch.http.fetch` with a guard that checks the URL (:mod:`indexer.fetch.safety`), the host's robots.txt
and the wait since the last request to that host, on every redirect hop. Requests go one at a time, so a
host never sees two at once, and the gap between two requests to a host is at least
max(site delay, --delay, robots Crawl-delay). A finished run is followed by a fresh one that revalidates
list pages with conditional GETs and keeps stored reports until ``revisit_after_s`` has passed; an
unfinished one (killed, interrupted, or stopped at max_pages) is resumed where it stopped.
Challenge pages (HTTP 412/521, anti-bot JavaScript) are recorded as such and never answered or retried.
A server that asks for a longer pause than a run waits (Retry-After over ``max_retry_after_s``, or 429
after every retry) pauses the site's crawl: the URL stays queued, and the next run resumes once the pause
is over. The delay between requests is per host name, so http and https, or two ports, share it.
Every wait and every reading of the time goes through the crawl state's :class:`indexer.fetch.clock.Clock`.
"""
from __future__ import annotations

import dataclasses
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html import unescape
from urllib.parse import quote, urlsplit, urlunsplit

from indexer.clean.attachments import sniff
from indexer.clean.decode import DecodeError, decode
from indexer.fetch.discover import (
    ATTACHMENT_SUFFIXES,
    CONTINUATION,
    FRUITFUL,
    PROMISING,
    SECTION,
    Judge,
    Link,
    anchors,
    continuation,
    explore_budget,
    is_sitemap_index,
    names_report,
    page_links,
    part_root,
    priority,
    sitemap_urls,
    suffix_of,
)
from indexer.fetch.http import Limits, Refused, Response, fetch
from indexer.fetch.robots import Robots, from_status
from indexer.fetch.safety import SCHEMES, Target, check_url, normalize_host
from indexer.fetch.sources import FETCHED_ATTACHMENTS, Site
from indexer.fetch.state import CrawlState, Page
from indexer.model import Verdict
from indexer.settings import SETTINGS, Settings

log = logging.getLogger("lrsearch.crawl")

PRODUCT_TOKEN = "lrsearch"               # the robots.txt user-agent token we obey
CHALLENGE_STATUSES = {412, 521}           # 瑞数 answers 412 and 加速乐 521 with a JavaScript challenge
_CHALLENGE_MARKERS = re.compile(
    rb"__jsl_clearance|jsl_clearance_s|acw_sc__v2|cf-browser-verification|challenge-platform|cf_chl_"
    rb"|\$_ts\s*=\s*window|_waf_|<title>\s*just a moment", re.I)
PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")
SITEMAP_TYPES = ("text/xml", "application/xml")
_URL_SAFE = "!#$%&'()*+,-./:;=?@[]_~"


def is_challenge(resp: Response) -> bool:
    """An anti-bot challenge instead of content: its status, or a short page with a known challenge marker."""
    if resp.status in CHALLENGE_STATUSES:
        return True
    return resp.status in (200, 202, 403, 503) and len(resp.body) < 100_000 and \
        bool(_CHALLENGE_MARKERS.search(resp.body[:20_000]))


def normalize_url(url: str) -> str | None:
    """Canonical form used as the crawl key: lower-case scheme and host, no default port, no fragment,
    non-ASCII percent-encoded (UTF-8). None for URLs that cannot be parsed."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
        host = normalize_host(parts.hostname or "")
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, SCHEMES.get(scheme)) else f"{host}:{port}"
    if parts.username is not None or parts.password is not None:
        netloc = parts.netloc       # keep user-info visible so that the safety check refuses it
    return urlunsplit((scheme, netloc, quote(parts.path or "/", safe=_URL_SAFE),
                       quote(parts.query, safe=_URL_SAFE), ""))


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def host_of(url: str) -> str:
    return urlsplit(url).hostname or ""


class HostAsksToWait(Exception):
    """The server asked for a pause longer than one run waits: the site's crawl stops here, resumable."""

    def __init__(self, host: str, until: float, reason: str):
        when = datetime.fromtimestamp(until, timezone.utc).isoformat(timespec="seconds")
        super().__init__(f"{host} asked us to wait until {when} ({reason})")
        self.host, self.until, self.reason = host, until, reason


def extract_links(body: bytes, content_type: str, url: str) -> list[str]:
    """Absolute, normalised link targets of an HTML page, in document order, without duplicates."""
    try:
        text = decode(body, content_type, is_html=True).text
    except DecodeError:
        return []
    return list(dict.fromkeys(link for href, _, _ in anchors(text, url) if (link := normalize_url(href))))


@dataclass
class Summary:
    """What one site's crawl did in this invocation."""
    site: str
    resumed: bool = False
    requests: int = 0           # URLs fetched over the network (robots.txt not counted)
    fetched: int = 0            # new or changed bodies stored
    unchanged: int = 0          # 304, or the same bytes again
    kept: int = 0               # stored reports not due for revalidation
    robots: int = 0             # refused by robots.txt
    rule: int = 0               # links not followed (off-site, other schemes, no allow/article rule) and
    #                             redirect hops into a deny rule
    refused: int = 0            # URLs or redirect hops refused by the safety checks
    challenge: int = 0
    unsupported: int = 0        # unexpected content types (an attachment that is not what its link says)
    reports: int = 0            # discovery: pages and attachments judged to be reports
    explored: int = 0           # discovery: links without a cue followed
    unexplored: int = 0         # discovery: links without a cue left when their budget ran out
    errors: Counter = field(default_factory=Counter)
    stopped: str | None = None  # None: finished; or max-pages, interrupted, paused
    pause: str = ""             # why the crawl paused: which host asked to wait, until when

    def count(self, page: Page) -> None:
        if page.outcome == "error":
            self.errors[page.error_kind or "unknown"] += 1
        else:
            setattr(self, page.outcome, getattr(self, page.outcome) + 1)

    def line(self) -> str:
        errors = ", ".join(f"{k} {n}" for k, n in sorted(self.errors.items())) or "none"
        state = {None: "finished", "max-pages": "stopped at max-pages (resumable)",
                 "interrupted": "interrupted (resumable)", "paused": f"paused: {self.pause} (resumable)"}[self.stopped]
        found = f"{self.reports} reports found, " if self.reports else ""
        if self.unexplored:
            found += f"{self.unexplored} links without a cue left, "
        return (f"{self.site}: {self.requests} requests; {found}{self.fetched} fetched, {self.unchanged} unchanged, "
                f"{self.kept} kept, {self.robots} skipped by robots, {self.rule} skipped by rule, "
                f"{self.refused} refused, {self.challenge} challenge, {self.unsupported} unsupported; "
                f"errors: {errors}; {'resumed, ' if self.resumed else ''}{state}")


@dataclass
class Check:
    """How a site answers: its robots.txt and its first start page, fetched once each, politely."""
    site: str
    url: str
    robots: str                 # "HTTP 200", "HTTP 404 (everything allowed)", "unreachable: …"
    answer: str                 # "HTTP 200", "challenge (HTTP 412)", "refused: …", "error: …"
    final_url: str = ""         # where redirects ended, when they did
    title: str = ""

    @property
    def ok(self) -> bool:
        return self.answer.startswith("HTTP 2")

    def line(self) -> str:
        moved = f" → {self.final_url}" if self.final_url and self.final_url != self.url else ""
        title = f" 《{self.title}》" if self.title else ""
        return f"{self.site}\t{self.url}{moved}\trobots.txt {self.robots}\t{self.answer}{title}"


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)


class Crawler:
    """Crawls sites into one crawl directory's state. Not thread-safe: one request at a time, by design.

    It reads the time and waits on the state's clock: the waits are measured from times the state stamped.
    """

    def __init__(self, state: CrawlState, settings: Settings = SETTINGS, max_pages: int | None = None,
                 min_delay_s: float = 0.0, revalidate: bool = False, judge: Judge | None = None):
        self.state, self.settings, self.revalidate, self.judge = state, settings, revalidate, judge
        self.clock = state.clock
        self.max_pages, self.min_delay_s = max_pages, min_delay_s
        self.limits = Limits(settings.connect_timeout_s, settings.read_timeout_s, settings.fetch_timeout_s,
                             settings.max_fetch_bytes, settings.max_redirects, settings.user_agent,
                             settings.max_header_bytes)
        self._robots: dict[str, Robots] = {}
        self._not_before: dict[str, float] = {}      # host → earliest next request (Retry-After, backoff)
        self._asking: str | None = None                # the host of the request under way
        self._skipped: set[str] = set()
        self._fruitful: set[str] = set()              # pages whose queued links were raised for leading to a report

    # ------------------------------------------------------------------ the loop

    def crawl(self, site: Site, progress: Callable[[int, int], None] | None = None) -> Summary:
        """Crawl one site until its frontier is empty, the page cap is reached, or Ctrl-C."""
        if site.discover and self.judge is None:
            raise ValueError(f"site {site.name!r} has no URL rules: discovery needs a judge of pages")
        run, resumed = self.state.open_run(site.name, site.start_urls)
        summary = Summary(site.name, resumed=resumed)
        cap = min(c for c in (site.max_pages, self.max_pages, self.settings.max_pages) if c)
        done = 0
        try:
            while (item := self.state.next_queued(site.name, run)) is not None:
                if summary.requests >= cap:
                    summary.stopped = "max-pages"
                    break
                url, kind, referrer, rank = item
                if site.discover and rank < PROMISING:
                    if summary.explored >= explore_budget(summary.reports):
                        summary.unexplored = self.state.queued(site.name, run)
                        break       # nothing promising left, and the budget for links without a cue is spent
                    summary.explored += 1
                self._process(site, run, url, kind, referrer, summary)
                done += 1
                if progress:
                    progress(done, done + self.state.queued(site.name, run))
            if summary.stopped is None:
                self.state.finish_run(run)
        except KeyboardInterrupt:
            summary.stopped = "interrupted"
        except HostAsksToWait as exc:
            summary.stopped, summary.pause = "paused", str(exc)
            log.warning("pausing %s: %s", site.name, exc)
        return summary

    def _process(self, site: Site, run: int, url: str, kind: str, referrer: str | None, summary: Summary) -> None:
        known = self.state.page(url)
        now = self.clock.now()
        page = dataclasses.replace(known, kind=kind, run_id=run, status=None, error_kind=None, detail=None) \
            if known else Page(url=url, site=site.name, kind=kind, outcome="", run_id=run)
        body: bytes | None = None
        if self._fresh(known):
            page.outcome, body = "kept", self.state.body(known.sha256)
        elif known is not None and known.outcome == "unsupported" \
                and now - (known.checked_at or 0) < self.settings.revisit_after_s:
            page.outcome, page.detail = "unsupported", known.detail     # not what its link said: not asked again yet
        else:
            page.checked_at = now
            resp = self._fetch(site, url, self._validators(known))
            summary.requests += resp.requests > 0       # max_pages counts what reached the server
            body = self._judge(site, page, known, resp)
        if page.outcome in ("robots", "refused", "error", "challenge", "unsupported"):
            log.info("%s %s: %s", page.outcome, url, page.detail or page.error_kind)
        if kind == "part" or site.discover:
            if body is None and page.sha256 and page.outcome in ("fetched", "unchanged", "kept"):
                body = self.state.body(page.sha256)     # an attachment: its bytes are judged too
            links = [] if body is None else self._part(page, body) if kind == "part" else \
                self._discover(site, page, body, referrer, summary)
        else:
            links = self._links(site, page, body, summary) if body is not None and kind in ("list", "article") else []
        self.state.record(page, run, links)
        summary.count(page)

    def _fresh(self, known: Page | None) -> bool:
        """A stored report or attachment that need not be asked for again yet."""
        return (known is not None and known.kind != "list" and known.sha256 is not None and not self.revalidate
                and known.outcome in ("fetched", "unchanged", "kept")
                and self.clock.now() - (known.fetched_at or 0) < self.settings.revisit_after_s)

    @staticmethod
    def _validators(known: Page | None) -> dict[str, str]:
        if known is None or known.sha256 is None:
            return {}
        headers = {"If-None-Match": known.etag} if known.etag else {}
        if known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        return headers

    def _judge(self, site: Site, page: Page, known: Page | None, resp: Response) -> bytes | None:
        """Set the page's outcome from the response; store a new body. Returns the body to take links from."""
        page.status, page.final_url = resp.status, resp.final_url
        if resp.error:
            page.outcome = {"robots": "robots", "unsafe": "refused", "rule": "rule"}.get(resp.error, "error")
            page.error_kind, page.detail = resp.error, resp.detail
            return None
        if resp.status == 304 and known is not None and known.sha256:
            page.outcome, page.fetched_at = "unchanged", self.clock.now()    # confirmed: not due again for a while
            return self.state.body(known.sha256)
        if is_challenge(resp):
            page.outcome, page.detail = "challenge", f"HTTP {resp.status} anti-bot challenge; not answered"
            return None
        if not 200 <= resp.status < 300:
            page.outcome, page.error_kind = "error", f"http_{resp.status}"
            page.detail = resp.detail or f"HTTP {resp.status}"
            return None
        ctype = resp.header("content-type") or ""
        found = sniff(resp.body, ctype, resp.final_url)
        wanted = page.kind if page.kind in FETCHED_ATTACHMENTS else None
        types = PAGE_TYPES + SITEMAP_TYPES if page.kind == "sitemap" else PAGE_TYPES
        if (wanted and found != wanted) or (not wanted and not found
                                             and ctype.split(";")[0].strip().lower() not in types):
            page.outcome = "unsupported"
            page.detail = f"expected {wanted or 'a page'}, got {ctype or 'no content type'}"
            return None
        sha = self.state.store_body(resp.body, url=page.url, final_url=resp.final_url, status=resp.status,
                                    headers=resp.headers, content_type=ctype, site=site.name, kind=page.kind,
                                    content_selector=site.content_selector,
                                    decoded_from=resp.header("content-encoding"))
        page.outcome = "unchanged" if known is not None and known.sha256 == sha else "fetched"
        page.sha256, page.content_type, page.fetched_at = sha, ctype, self.clock.now()
        page.etag, page.last_modified = resp.header("etag"), resp.header("last-modified")
        return None if found else resp.body

    def _part(self, page: Page, body: bytes) -> list[tuple[str, str, float]]:
        """A further page of a report (its _1.html, its page=2): kept beside the first page, whose stored
        record lists it, so that ingest reads the report whole; its links to the pages after it are followed."""
        root = part_root(page.url)
        number = continuation(page.url, root) or 0
        page.why = f"page {number} after {root}"
        self.state.attach_part(root, number, page.url, page.sha256)
        return [(link.url, "part", CONTINUATION) for link in page_links(body, page.content_type or "", page.url)
                if continuation(link.url, root) is not None]

    def _links(self, site: Site, page: Page, body: bytes, summary: Summary) -> list[tuple[str, str]]:
        """The links of a page that the site's rules let in, with their kinds; count the rest. A report's
        further pages (``discover.continuation``) are followed as its parts, whatever the rules say."""
        out = []
        root = page.final_url or page.url
        for link in extract_links(body, page.content_type or "", page.final_url or page.url):
            if page.kind == "article" and continuation(link, root) is not None and site.owns(link):
                out.append((link, "part"))
                continue
            parts = urlsplit(link)
            kind = site.kind_of(link) if parts.scheme in SCHEMES and parts.hostname in site.hosts else None
            if kind is None:
                if link not in self._skipped:
                    self._skipped.add(link)
                    summary.rule += 1
                    log.debug("rule %s: no allow/article rule, other host or scheme", link)
                continue
            out.append((link, kind))
        return out

    def _discover(self, site: Site, page: Page, body: bytes, referrer: str | None,
                  summary: Summary) -> list[tuple[str, str, float]]:
        """Judge a fetched page of a site without URL rules (a report is kept for ingest as ``article`` or as its
        attachment type; anything else as ``list`` or ``other``, with why) and rank its links (discover.py)."""
        url = page.final_url or page.url
        if page.kind == "sitemap":
            page.why = "the site's sitemap"
            if is_sitemap_index(body):     # a sitemap of sitemaps: each is read like the first
                return [(u, "sitemap", SECTION) for u in sitemap_urls(body) if site.owns(u)]
            return self._ranked(site, [Link(u, "", "sitemap") for u in sitemap_urls(body)], url, "list", summary)
        try:
            verdict = self.judge(body, page.content_type or "", url)
        except MemoryError:
            raise
        except Exception as exc:        # a page the parsers trip over is not a report; the crawl goes on
            verdict = Verdict("other", f"could not be read: {type(exc).__name__}: {exc}"[:300])
        attachment = sniff(body, page.content_type or "", url)
        if verdict.kind == "report":
            page.kind, summary.reports = attachment or "article", summary.reports + 1
            if referrer is not None and referrer not in self._fruitful:     # raised once, however many it led to
                self._fruitful.add(referrer)
                self.state.boost(site.name, page.run_id, referrer, FRUITFUL)
        else:
            page.kind = "list" if verdict.kind == "list" and not attachment else "other"
        page.why = verdict.why
        if attachment:
            return []
        found = page_links(body, page.content_type or "", url)
        if verdict.kind == "report":
            further = [link.url for link in found if continuation(link.url, url) is not None and site.owns(link.url)]
            found = [link for link in found if link.url not in further]
        else:
            further = []
        if referrer is None:
            page_kind = "start"
        elif verdict.kind == "list" and not any(names_report(link.text) for link in found):
            page_kind = "other"         # a list, but of nothing that looks like a report: its pages can wait
        else:
            page_kind = verdict.kind
        links = self._ranked(site, found, url, page_kind, summary)
        if referrer is None and site.owns(sitemap := origin(url) + "/sitemap.xml"):
            links.append((sitemap, "sitemap", SECTION))    # a start page: the site's sitemap is worth one request
        return [(u, "part", CONTINUATION) for u in further] + links

    def _ranked(self, site: Site, links: list[Link], url: str, page_kind: str,
                summary: Summary) -> list[tuple[str, str, float]]:
        out = []
        for link in links:
            target = normalize_url(link.url)
            parts = urlsplit(target or "")
            if not target or parts.scheme not in SCHEMES or not site.owns(target) \
                    or any(p.search(target) for p in site.deny):
                if target and target not in self._skipped:
                    self._skipped.add(target)
                    summary.rule += 1
                continue
            rank = priority(Link(target, link.text, link.how), url, page_kind)
            if rank is not None:
                suffix = suffix_of(target)
                out.append((target, suffix if suffix in ATTACHMENT_SUFFIXES else "page", rank))
        return out

    def check(self, site: Site) -> Check:
        """Fetch the site's robots.txt and its first start page, with the usual politeness and limits, and say
        how they answered: which sites answer, which redirect, which serve a challenge."""
        url = site.start_urls[0]
        host = origin(url)
        try:
            robots = self._robots_for(site, host)
            status, _, _ = self.state.robots(host)
            said = "unreachable or a challenge (nothing allowed)" if status is None else f"HTTP {status}" + (
                " (everything allowed)" if 400 <= status < 500 else "")
            if status is None:
                return Check(site.name, url, said, "not asked: without a robots.txt to read, nothing is allowed")
            resp = self._fetch(site, url, {})
        except HostAsksToWait as exc:
            return Check(site.name, url, "not asked", f"asks to wait: {exc}")
        if not robots.allowed(url) and resp.error == "robots":
            return Check(site.name, url, said, "disallowed by robots.txt")
        if resp.error:
            return Check(site.name, url, said, f"{resp.error}: {resp.detail}", resp.final_url)
        if is_challenge(resp):
            return Check(site.name, url, said, f"challenge (HTTP {resp.status})", resp.final_url)
        try:
            m = _TITLE.search(decode(resp.body, resp.header("content-type"), is_html=True).text[:200_000])
        except DecodeError:
            m = None
        title = re.sub(r"\s+", " ", unescape(m.group(1))).strip() if m else ""
        return Check(site.name, url, said, f"HTTP {resp.status}", resp.final_url, title[:60])

    # ------------------------------------------------------------------ fetching politely

    def _fetch(self, site: Site, url: str, headers: dict[str, str], limits: Limits | None = None,
               check_robots: bool = True) -> Response:
        """Fetch with retries on 429, 5xx and timeouts, waiting for Retry-After or an exponential backoff.

        :raises HostAsksToWait: when the server asks for more than ``max_retry_after_s``, or still answers
            429 after the last retry; the pause is saved, so the next run honours it too.
        """
        guard = self._guard(site, check_robots)
        for attempt in range(self.settings.max_retries + 1):
            resp = fetch(url, guard, limits or self.limits, headers)
            self._done_asking()
            if not resp.retryable or is_challenge(resp):
                return resp
            host = host_of(resp.final_url)
            asked = resp.retry_after(self.clock.now())
            wait = max(asked or 0.0, self.settings.retry_backoff_s * 2 ** attempt)
            if asked is not None and asked > self.settings.max_retry_after_s:
                self._stay_away(host, asked, f"HTTP {resp.status} with Retry-After {asked:g} s")
            if attempt == self.settings.max_retries:
                if resp.status == 429:
                    self._stay_away(host, max(wait, self.settings.max_retry_after_s),
                                    f"HTTP 429 after {attempt} retries")
                self._not_before[host] = self.clock.now() + wait     # the next URL of this host waits as well
                return resp
            self._not_before[host] = self.clock.now() + wait
            log.info("retry %s in %.1f s after %s", url, wait, resp.error or f"HTTP {resp.status}")
        raise AssertionError("unreachable")

    def _stay_away(self, host: str, seconds: float, reason: str) -> None:
        until = self.clock.now() + seconds
        self.state.save_not_before(host, until, reason)
        raise HostAsksToWait(host, until, reason)

    def _done_asking(self) -> None:
        """The request under way has been answered: the host's delay counts from now."""
        if self._asking:
            self.state.save_last_request(self._asking, self.clock.now())
            self._asking = None

    def _guard(self, site: Site, check_robots: bool) -> Callable[[str], Target]:
        def guard(url: str) -> Target:
            self._done_asking()         # a redirect hop: the previous hop's answer has just come
            target = check_url(url, site.hosts, site.ports, allow_local=site.allow_local)
            if check_robots and any(p.search(url) for p in site.deny):   # a redirect hop is held to them too
                raise Refused("rule", f"{url} matches a deny rule of the sources file")
            host = origin(url)
            delay = max(site.delay_s, self.min_delay_s)
            if check_robots:
                robots = self._robots_for(site, host)
                if robots.crawl_delay is not None and robots.crawl_delay > self.settings.max_crawl_delay_s:
                    raise Refused("robots", f"Crawl-delay {robots.crawl_delay:g} s is over the "
                                            f"{self.settings.max_crawl_delay_s:g} s cap")
                if not robots.allowed(url):
                    raise Refused("robots", f"robots.txt of {host} disallows {urlsplit(url).path}")
                delay = max(delay, robots.crawl_delay or 0.0)
            self._wait(host_of(url), delay)
            return target
        return guard

    def _wait(self, host: str, delay: float) -> None:
        """Sleep until ``delay`` after the last request to ``host`` (across processes) and any backoff.

        :raises HostAsksToWait: when a pause the host asked for (saved in this run or an earlier one) is
            longer than one run waits; the site's own delay and retry backoffs are simply slept.
        """
        last, asked_until, why = self.state.politeness(host)
        if (asked_until or 0.0) - self.clock.now() > self.settings.max_retry_after_s:
            raise HostAsksToWait(host, asked_until, why or "a pause asked for earlier")
        ready = max((last or 0.0) + delay, self._not_before.get(host, 0.0), asked_until or 0.0)
        while (pause := ready - self.clock.now()) > 0:
            self.clock.sleep(min(pause, 0.5))
        self.state.save_last_request(host, self.clock.now())
        self._asking = host

    def _robots_for(self, site: Site, host: str) -> Robots:
        """The host's robots.txt rules: from memory, from the state if younger than robots_ttl_s, else fetched."""
        if host in self._robots:
            return self._robots[host]
        status, body, at = self.state.robots(host)
        if at is None or status is None or status >= 500 or self.clock.now() - at > self.settings.robots_ttl_s:
            limits = dataclasses.replace(self.limits, max_bytes=self.settings.max_robots_bytes, truncate=True)
            resp = self._fetch(site, host + "/robots.txt", {}, limits, check_robots=False)
            # a challenge in place of robots.txt tells us nothing about the rules: the host is unreachable
            status, body = (None, b"") if resp.error or is_challenge(resp) else (resp.status, resp.body)
            self.state.save_robots(host, status, body)
            log.info("robots.txt of %s: %s", host, resp.error and f"{resp.error}: {resp.detail}" or f"HTTP {status}")
        robots = from_status(status, body, PRODUCT_TOKEN, self.settings.max_robots_bytes)
        self._robots[host] = robots
        return robots
