"""What a crawl knows, on disk: SQLite state (pages, frontier, hosts, runs) and content-addressed responses.

Layout of a crawl directory::

    crawl.sqlite              pages, frontier, hosts (robots.txt per origin), politeness (per host), runs
    raw/ab/<sha256>.body      a response body, decoded from gzip/deflate, named by its SHA-256
    raw/ab/<sha256>.json      its sidecar: url, final_url, urls, status, headers, fetched_at, content_type, …,
                              parts (a report's further pages: n, url, sha256)

This module is the only one that knows the layout: the crawler writes through :class:`CrawlState`, and
ingest finds bodies with :func:`ingestable` and reads them with :func:`read_stored`.

Guarantee: every body and sidecar is written to a temporary file and renamed into place before the state
row that names it is committed, and each processed URL is one transaction (page row, frontier removal and
newly found links together), so a crawl killed at any instant loses at most the request in flight.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from indexer.fetch.clock import SYSTEM_CLOCK, Clock
from indexer.store import atomic_write_bytes

DB_NAME = "crawl.sqlite"
BODY_SUFFIX = ".body"
SIDECAR_SUFFIX = ".json"
INGESTED_KINDS = ("article", "pdf", "docx", "ofd", "doc", "wps")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, site TEXT NOT NULL, started_at REAL NOT NULL, finished_at REAL);
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY, site TEXT NOT NULL, kind TEXT NOT NULL,
    outcome TEXT NOT NULL,          -- fetched, unchanged, kept, robots, rule, refused, challenge, unsupported, error
    status INTEGER, error_kind TEXT, detail TEXT,
    etag TEXT, last_modified TEXT, sha256 TEXT, content_type TEXT, final_url TEXT,
    fetched_at REAL,                -- last response that gave the body or confirmed it (304)
    checked_at REAL,                -- last request of any outcome
    run_id INTEGER,
    why TEXT);                      -- discovery: what the page turned out to be, and why
CREATE TABLE IF NOT EXISTS frontier (
    id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL UNIQUE, site TEXT NOT NULL,
    run_id INTEGER NOT NULL, kind TEXT NOT NULL, referrer TEXT,
    priority REAL NOT NULL DEFAULT 0);  -- discovery: the best links first; 0 for every link of a site with rules
CREATE TABLE IF NOT EXISTS hosts (
    origin TEXT PRIMARY KEY, robots_status INTEGER, robots_body BLOB, robots_at REAL);
CREATE TABLE IF NOT EXISTS politeness (     -- per host name: http and https, and every port, share one delay
    host TEXT PRIMARY KEY, last_request_at REAL, not_before REAL, not_before_reason TEXT);
"""


class CrawlBusy(RuntimeError):
    """Another crawl is writing to the same directory."""


class UnreadableSidecar(ValueError):
    """A stored body's sidecar is missing, not JSON, or names no URL; the message names the sidecar file."""


@dataclass
class Page:
    url: str
    site: str
    kind: str
    outcome: str
    status: int | None = None
    error_kind: str | None = None
    detail: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None
    content_type: str | None = None
    final_url: str | None = None
    fetched_at: float | None = None
    checked_at: float | None = None
    run_id: int | None = None
    why: str | None = None


_PAGE_FIELDS = list(Page.__dataclass_fields__)


def body_path(root: Path, sha: str) -> Path:
    return root / "raw" / sha[:2] / f"{sha}{BODY_SUFFIX}"


def _load_meta(path: Path) -> dict | None:
    """A body's sidecar, or None when it is missing or not a JSON object."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _save_meta(path: Path, meta: dict) -> None:
    atomic_write_bytes(path, json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8"))


def _sidecar_urls(meta: dict) -> list[str]:
    """Every URL a sidecar says served its bytes; a sidecar from before ``urls`` was written has only its own."""
    urls = meta.get("urls")
    return [u for u in (urls if isinstance(urls, list) and urls else [meta.get("final_url") or meta.get("url")])
            if isinstance(u, str)]


class CrawlState:
    """The state of one crawl directory; holds an exclusive lock on it while open.

    ``clock`` stamps the times the state keeps; the crawler waits on the same clock, so the two agree.
    """

    def __init__(self, root: str | os.PathLike, clock: Clock = SYSTEM_CLOCK):
        self.root, self.clock = Path(root), clock
        (self.root / "raw").mkdir(parents=True, exist_ok=True)
        self._lock = open(self.root / "crawl.lock", "w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise CrawlBusy(f"another crawl is writing to {self.root}") from None
        for stale in (self.root / "raw").glob("*/.*.tmp"):     # a body cut short by a kill
            stale.unlink(missing_ok=True)
        self.db = sqlite3.connect(self.root / DB_NAME, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        for table, column, decl in (("pages", "why", "TEXT"), ("frontier", "priority", "REAL NOT NULL DEFAULT 0")):
            if column not in {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}:
                self.db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")     # a directory of before

    def close(self) -> None:
        self.db.close()
        self._lock.close()

    def __enter__(self) -> "CrawlState":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ runs and frontier

    def open_run(self, site: str, start_urls: Iterable[str]) -> tuple[int, bool]:
        """The site's unfinished run (resumed) or a new one seeded with the start URLs; (run id, resumed)."""
        row = self.db.execute("SELECT id FROM runs WHERE site=? AND finished_at IS NULL ORDER BY id DESC LIMIT 1",
                              (site,)).fetchone()
        if row:
            return row[0], True
        with self.db:
            self.db.execute("BEGIN")
            run = self.db.execute("INSERT INTO runs(site, started_at) VALUES (?, ?)",
                                  (site, self.clock.now())).lastrowid
            self.db.execute("DELETE FROM frontier WHERE site=?", (site,))
            self.db.executemany("INSERT OR IGNORE INTO frontier(url, site, run_id, kind) VALUES (?, ?, ?, 'list')",
                                [(u, site, run) for u in start_urls])
        return run, False

    def finish_run(self, run: int) -> None:
        self.db.execute("UPDATE runs SET finished_at=? WHERE id=?", (self.clock.now(), run))

    def next_queued(self, site: str, run: int) -> tuple[str, str, str | None, float] | None:
        """The queued (url, kind, referrer, priority) of the run with the highest priority, the oldest of those."""
        return self.db.execute("SELECT url, kind, referrer, priority FROM frontier WHERE site=? AND run_id=? "
                               "ORDER BY priority DESC, id LIMIT 1", (site, run)).fetchone()

    def boost(self, site: str, run: int, referrer: str, by: float) -> None:
        """Raise the queued links found on ``referrer`` (a list that has just led to a report: its other entries
        and its pages are worth more than they looked)."""
        self.db.execute("UPDATE frontier SET priority=priority+? WHERE site=? AND run_id=? AND referrer=?",
                        (by, site, run, referrer))

    def queued(self, site: str, run: int) -> int:
        return self.db.execute("SELECT COUNT(*) FROM frontier WHERE site=? AND run_id=?", (site, run)).fetchone()[0]

    def is_new(self, url: str, run: int) -> bool:
        """Whether ``url`` is neither queued nor already processed in this run."""
        return self.db.execute("SELECT 1 FROM frontier WHERE url=? UNION ALL SELECT 1 FROM pages WHERE url=? AND run_id=?",
                               (url, url, run)).fetchone() is None

    # ------------------------------------------------------------------ pages and bodies

    def page(self, url: str) -> Page | None:
        row = self.db.execute(f"SELECT {', '.join(_PAGE_FIELDS)} FROM pages WHERE url=?", (url,)).fetchone()
        return Page(*row) if row else None

    def store_body(self, body: bytes, *, url: str, final_url: str, status: int, headers: list[tuple[str, str]],
                   content_type: str, site: str, kind: str, content_selector: str | None = None,
                   decoded_from: str | None = None) -> str:
        """Write ``body`` under its SHA-256 with its sidecar (both atomically); return the hash.

        The sidecar describes the latest response with these bytes; ``urls`` lists every final URL that
        served them, so a page reachable under two addresses keeps both as sources.

        :param decoded_from: the Content-Encoding the body came in; it is stored decoded, but ``headers``
            still name that encoding.
        """
        sha = hashlib.sha256(body).hexdigest()
        path = body_path(self.root, sha)
        path.parent.mkdir(exist_ok=True)
        if not path.exists():
            atomic_write_bytes(path, body)
        meta_path = path.with_suffix(SIDECAR_SUFFIX)
        old = _load_meta(meta_path) or {}       # none yet, or unreadable: this response's own URL is enough
        urls, parts = _sidecar_urls(old), old.get("parts") or []
        fetched_at = datetime.fromtimestamp(self.clock.now(), timezone.utc).isoformat(timespec="seconds")
        meta = {"url": url, "final_url": final_url, "status": status, "headers": headers, "fetched_at": fetched_at,
                "content_type": content_type, "site": site, "kind": kind, "content_selector": content_selector,
                "body_decoded_from": decoded_from, "sha256": sha,
                "urls": list(dict.fromkeys([*urls, final_url or url])), "parts": parts}
        _save_meta(meta_path, meta)
        return sha

    def attach_part(self, root_url: str, number: int, url: str, sha: str) -> None:
        """Record in the stored first page of a report (``root_url``, as asked for or as redirected to) that
        ``url`` (stored as ``sha``) is its page ``number``: the sidecar's ``parts``, in page order, which ingest
        reads as one report. A "page" with the first page's very bytes is not one."""
        row = self.db.execute("SELECT sha256 FROM pages WHERE (url=? OR final_url=?) AND sha256 IS NOT NULL "
                              "ORDER BY url=? DESC LIMIT 1", (root_url, root_url, root_url)).fetchone()
        if row is None or row[0] == sha:    # no first page stored, or a server that ignores the page number
            return
        meta_path = body_path(self.root, row[0]).with_suffix(SIDECAR_SUFFIX)
        if (meta := _load_meta(meta_path)) is None:
            return
        parts = [p for p in meta.get("parts") or [] if isinstance(p, dict) and p.get("url") != url]
        meta["parts"] = sorted(parts + [{"n": number, "url": url, "sha256": sha}], key=lambda p: (p.get("n", 0), p["url"]))
        _save_meta(meta_path, meta)

    def body(self, sha: str) -> bytes | None:
        try:
            return body_path(self.root, sha).read_bytes()
        except OSError:
            return None

    def record(self, page: Page, run: int, links: Iterable[tuple[str, str] | tuple[str, str, float]] = ()) -> None:
        """Commit a processed URL in one transaction: its page row, its removal from the frontier, and
        the new links (url, kind, and optionally a priority) it led to; a queued link found again with a higher
        priority is raised to it."""
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute(f"INSERT OR REPLACE INTO pages({', '.join(_PAGE_FIELDS)}) "
                            f"VALUES ({', '.join('?' * len(_PAGE_FIELDS))})",
                            [getattr(page, f) for f in _PAGE_FIELDS])
            self.db.execute("DELETE FROM frontier WHERE url=?", (page.url,))
            for url, kind, *rest in links:
                rank = rest[0] if rest else 0.0
                if self.is_new(url, run):
                    self.db.execute("INSERT INTO frontier(url, site, run_id, kind, referrer, priority) "
                                    "VALUES (?, ?, ?, ?, ?, ?)", (url, page.site, run, kind, page.url, rank))
                elif rank:
                    self.db.execute("UPDATE frontier SET priority=? WHERE url=? AND priority<?", (rank, url, rank))

    def found(self) -> list[tuple[str, str, str, str | None]]:
        """(site, "report" or "list", url, why) of every page kept as a report or seen as a list, site by site."""
        return [(site, "report" if kind in INGESTED_KINDS else "list", url, why) for site, kind, url, why in
                self.db.execute(f"SELECT site, kind, url, why FROM pages WHERE sha256 IS NOT NULL AND kind IN "
                                f"({', '.join('?' * (len(INGESTED_KINDS) + 1))}) ORDER BY site, kind = 'list', url",
                                (*INGESTED_KINDS, "list"))]

    # ------------------------------------------------------------------ hosts

    def robots(self, origin: str) -> tuple[int | None, bytes, float | None]:
        """(robots status, robots body, robots fetched at) for an origin."""
        row = self.db.execute("SELECT robots_status, robots_body, robots_at FROM hosts WHERE origin=?",
                              (origin,)).fetchone()
        return (row[0], row[1] or b"", row[2]) if row else (None, b"", None)

    def save_robots(self, origin: str, status: int | None, body: bytes) -> None:
        self.db.execute("INSERT INTO hosts(origin, robots_status, robots_body, robots_at) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT(origin) DO UPDATE SET robots_status=excluded.robots_status, "
                        "robots_body=excluded.robots_body, robots_at=excluded.robots_at",
                        (origin, status, body, self.clock.now()))

    def politeness(self, host: str) -> tuple[float | None, float | None, str | None]:
        """(last request at, no request before, why) for a host name, across runs and processes."""
        row = self.db.execute("SELECT last_request_at, not_before, not_before_reason FROM politeness WHERE host=?",
                              (host,)).fetchone()
        return tuple(row) if row else (None, None, None)

    def save_last_request(self, host: str, when: float) -> None:
        self.db.execute("INSERT INTO politeness(host, last_request_at) VALUES (?, ?) "
                        "ON CONFLICT(host) DO UPDATE SET last_request_at=excluded.last_request_at", (host, when))

    def save_not_before(self, host: str, when: float, reason: str) -> None:
        """Remember that ``host`` asked us to stay away until ``when`` (a long Retry-After, repeated 429s)."""
        self.db.execute("INSERT INTO politeness(host, not_before, not_before_reason) VALUES (?, ?, ?) "
                        "ON CONFLICT(host) DO UPDATE SET not_before=excluded.not_before, "
                        "not_before_reason=excluded.not_before_reason", (host, when, reason))


@dataclass(frozen=True)
class StoredBody:
    """A crawled body and what ingest needs from its sidecar."""
    data: bytes
    url: str                        # the final URL of the latest response: the document's source
    urls: list[str]                 # every URL that served these bytes, ``url`` first
    content_type: str | None        # as served, charset included
    content_selector: str | None    # the site's hint where the report text is
    parts: tuple[Path, ...] = ()    # the bodies of the report's further pages (…_1.html, page=2), in order


def is_stored_body(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a body stored by a crawl: a ``.body`` file with its sidecar beside it."""
    path = Path(path)
    return path.suffix == BODY_SUFFIX and path.with_suffix(SIDECAR_SUFFIX).exists()


def read_stored(path: str | os.PathLike) -> StoredBody:
    """A stored body with its sidecar's URLs, Content-Type and content selector (read-only; no lock taken).

    :raises UnreadableSidecar: the sidecar cannot be read, is not a JSON object, or names no URL.
    """
    path = Path(path)
    sidecar = path.with_suffix(SIDECAR_SUFFIX)
    try:
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        url = meta.get("final_url") or meta["url"]
        if not isinstance(url, str):
            raise TypeError(f"the URL is {type(url).__name__}, not text")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UnreadableSidecar(f"unreadable crawl sidecar {sidecar.name}: {exc}") from exc
    ctype, selector = meta.get("content_type"), meta.get("content_selector")
    parts = []
    for part in meta.get("parts") or []:        # a page lost since (a crawl directory pruned by hand) is skipped
        sha = part.get("sha256") if isinstance(part, dict) else None
        if isinstance(sha, str) and re.fullmatch(r"[0-9a-f]{64}", sha) and \
                (body := body_path(path.parent.parent.parent, sha)).exists():
            parts.append(body)
    return StoredBody(path.read_bytes(), url, list(dict.fromkeys([url, *_sidecar_urls(meta)])),
                      ctype if isinstance(ctype, str) else None, selector if isinstance(selector, str) else None,
                      tuple(parts))


def ingestable(root: str | os.PathLike) -> list[Path]:
    """Body files of the report pages and attachments in a crawl directory (read-only; no lock taken)."""
    root = Path(root)
    db = sqlite3.connect(f"file:{root / DB_NAME}?mode=ro", uri=True)
    try:
        rows = db.execute(f"SELECT sha256 FROM pages WHERE sha256 IS NOT NULL AND kind IN "
                          f"({', '.join('?' * len(INGESTED_KINDS))}) GROUP BY sha256 ORDER BY MIN(url)",
                          INGESTED_KINDS).fetchall()
    finally:
        db.close()
    return [p for (sha,) in rows if (p := body_path(root, sha)).exists() and is_stored_body(p)]
