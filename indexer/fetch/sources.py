"""The sources file (TOML): which sites to crawl, where to start, which URLs to follow and which are reports
(or none: discovery), and what the registry knows of each site (checked, when, a note).

Guarantee: a loaded :class:`Site` has only known keys, compiled regexes, http(s) start URLs and a delay no
lower than the politeness floor (``min_crawl_delay_s``); every problem is reported with the site and key, so a
typo cannot silently widen or stop a crawl. Nothing in the file can lift the SSRF guard or the floor: only the
caller's ``allow_local`` (``lrsearch crawl --allow-local``) does, since whoever can edit or supply a sources
file should not thereby reach loopback or private addresses.
"""
from __future__ import annotations

import ipaddress
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from indexer.fetch.safety import Unsafe, normalize_host
from indexer.settings import SETTINGS, Settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 has no tomllib; tomli is the same parser
    import tomli as tomllib

FETCHED_ATTACHMENTS = {"pdf", "docx", "ofd", "doc", "wps"}
_KEYS = {"name", "start_urls", "allow", "article", "deny", "hosts", "delay_s", "max_pages", "content_selector",
         "attachments", "checked", "last_checked", "note"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NAME = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


class SourcesError(ValueError):
    """The sources file is unreadable or invalid; the message names the site and key."""


@dataclass(frozen=True)
class Site:
    """One site to crawl. Regexes are searched in the whole URL (scheme and host included)."""
    name: str
    start_urls: tuple[str, ...]
    allow: tuple[re.Pattern, ...]          # pages to follow for links (list pages, pagination)
    article: tuple[re.Pattern, ...]        # report pages: stored for ingest, and followed for attachments
    deny: tuple[re.Pattern, ...] = ()      # never fetched, whatever else matches
    hosts: frozenset[str] = frozenset()    # the start URLs' hosts plus any listed under ``hosts``
    ports: frozenset[tuple[str, int]] = frozenset()   # (host, port) named explicitly, besides 80 and 443
    delay_s: float = 1.0
    max_pages: int | None = None
    content_selector: str | None = None    # CSS selector of the report body, a hint for the cleaner
    attachments: frozenset[str] = frozenset(FETCHED_ATTACHMENTS)   # which of pdf, docx, ofd, doc, wps to fetch
    allow_local: bool = False              # --allow-local: loopback/private addresses, any port, short delays
    checked: bool = False                  # someone has crawled it and looked at what came back
    last_checked: str | None = None        # when (YYYY-MM-DD)
    note: str | None = None                # what the registry knows of it (the congress's name, a caveat)

    def owns(self, url: str) -> bool:
        """Whether ``url`` belongs to the site: one of its hosts, on a port it names for that host, or on 80 or
        443 where it names none. Discovery keeps to these even under ``--allow-local``: with no rules to say
        which links are the site's, another port of the same host is another site (a test server's neighbour)."""
        try:
            parts = urlsplit(url)
            port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
        except ValueError:
            return False
        if parts.hostname not in self.hosts:
            return False
        named = {p for h, p in self.ports if h == parts.hostname}
        return port in named if named else port in (80, 443)

    @property
    def discover(self) -> bool:
        """No URL rules: the crawler finds the reports itself (discover.py)."""
        return not self.allow and not self.article

    def kind_of(self, url: str) -> str | None:
        """'article', 'list', an attachment type, or None when no rule lets the URL in."""
        if any(p.search(url) for p in self.deny):
            return None
        if any(p.search(url) for p in self.article):
            return "article"
        path = urlsplit(url).path
        suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
        if suffix in FETCHED_ATTACHMENTS:
            return suffix if suffix in self.attachments else None
        if any(p.search(url) for p in self.allow):
            return "list"
        return None


def _fail(where: str, message: str) -> SourcesError:
    return SourcesError(f"{where}: {message}")


def _strings(where: str, key: str, value, required: bool) -> list[str]:
    if value is None:
        if required:
            raise _fail(where, f"'{key}' is required")
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(where, f"'{key}' must be a list of non-empty strings")
    if required and not value:
        raise _fail(where, f"'{key}' must not be empty")
    return value


def _regexes(where: str, key: str, value, required: bool) -> tuple[re.Pattern, ...]:
    out = []
    for pattern in _strings(where, key, value, required):
        try:
            out.append(re.compile(pattern))
        except re.error as exc:
            raise _fail(where, f"bad regex in '{key}': {pattern!r}: {exc}") from None
    return tuple(out)


def _number(where: str, key: str, value, kind: type, minimum: float):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and not isinstance(value, int)):
        raise _fail(where, f"'{key}' must be a{'n integer' if kind is int else ' number'}")
    if value < minimum:
        raise _fail(where, f"'{key}' must be at least {minimum:g}")
    return kind(value)


def _host_entry(where: str, entry: str) -> tuple[str, int | None]:
    """A ``hosts`` entry: a host name or address with an optional port (``files.example.cn:8080``, ``[::1]:81``)."""
    try:
        ipaddress.ip_address(entry.strip().strip("[]"))
        return normalize_host(entry), None          # an address alone: an IPv6 one's colons are not a port
    except ValueError:
        pass
    try:
        parts = urlsplit("//" + entry)
        host, port = parts.hostname, parts.port
        ok = host and port != 0 and not (parts.path or parts.query or parts.fragment or "@" in parts.netloc)
    except ValueError:
        ok = False
    if not ok:
        raise _fail(where, f"'hosts' entry {entry!r} is not a host name or host:port")
    try:
        return normalize_host(host), port
    except Unsafe as exc:
        raise _fail(where, str(exc)) from None


def _site(raw: dict, index: int, settings: Settings, allow_local: bool) -> Site:
    where = f"sites[{index}]"
    if not isinstance(raw, dict):
        raise _fail(where, "must be a table")
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise _fail(where, "'name' is required: letters, digits, '-' and '_' only")
    where = f"site {name!r}"
    if "local" in raw:
        raise _fail(where, "'local' is not a sources-file key: loopback and private addresses, other ports and "
                           "delays under the politeness floor are allowed only by `lrsearch crawl --allow-local`")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise _fail(where, f"unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
                           f"(known: {', '.join(sorted(_KEYS))})")
    starts = _strings(where, "start_urls", raw.get("start_urls"), True)
    for url in starts:
        try:
            parts = urlsplit(url)
            ok = parts.scheme in ("http", "https") and parts.hostname and (parts.port or 1)
        except ValueError:
            ok = False
        if not ok:
            raise _fail(where, f"start URL {url!r} is not an http(s) URL with a host")
    try:
        named = [(normalize_host(p.hostname), p.port) for p in map(urlsplit, starts)]
    except Unsafe as exc:
        raise _fail(where, str(exc)) from None
    named += [_host_entry(where, h) for h in _strings(where, "hosts", raw.get("hosts"), False)]
    hosts = {host for host, _ in named}
    ports = {(host, port) for host, port in named if port is not None}
    delay = _number(where, "delay_s", raw.get("delay_s"), float, 0.0)
    floor = settings.min_crawl_delay_s
    if delay is not None and delay < floor and not allow_local:
        raise _fail(where, f"'delay_s' {delay:g} is below the {floor:g} s politeness floor "
                           "(only `lrsearch crawl --allow-local` allows less, for test servers)")
    if delay is not None and delay > settings.max_crawl_delay_s:
        raise _fail(where, f"'delay_s' {delay:g} is over {settings.max_crawl_delay_s:g} s: a crawl would hardly move")
    attachments = {a.lower().lstrip(".") for a in _strings(where, "attachments", raw.get("attachments"), False)} \
        if "attachments" in raw else set(FETCHED_ATTACHMENTS)
    if bad := attachments - FETCHED_ATTACHMENTS:
        raise _fail(where, f"cannot fetch attachment types {', '.join(sorted(bad))} "
                           f"(only {', '.join(sorted(FETCHED_ATTACHMENTS))})")
    selector = raw.get("content_selector")
    if selector is not None:
        import soupsieve
        try:
            soupsieve.compile(selector if isinstance(selector, str) and selector.strip() else "")
        except (soupsieve.SelectorSyntaxError, TypeError) as exc:
            raise _fail(where, f"'content_selector' is not a CSS selector: {selector!r} ({exc})") from None
    allow = _regexes(where, "allow", raw.get("allow"), False)
    article = _regexes(where, "article", raw.get("article"), False)
    if bool(allow) != bool(article):
        raise _fail(where, "give both 'allow' and 'article' (a site with URL rules), or neither (discovery: the "
                           "crawler finds the report pages from the start URLs by itself)")
    checked = raw.get("checked", False)
    if not isinstance(checked, bool):
        raise _fail(where, "'checked' must be true or false")
    last = raw.get("last_checked")
    if last is not None and not (isinstance(last, str) and _DATE.match(last)) and not hasattr(last, "isoformat"):
        raise _fail(where, "'last_checked' must be a date (YYYY-MM-DD)")
    note = raw.get("note")
    if note is not None and not isinstance(note, str):
        raise _fail(where, "'note' must be text")
    return Site(name=name, start_urls=tuple(starts), allow=allow, article=article,
                checked=checked, last_checked=last.isoformat() if hasattr(last, "isoformat") else last, note=note,
                deny=_regexes(where, "deny", raw.get("deny"), False), hosts=frozenset(hosts), ports=frozenset(ports),
                delay_s=settings.crawl_delay_s if delay is None else delay,
                max_pages=_number(where, "max_pages", raw.get("max_pages"), int, 1),
                content_selector=selector, attachments=frozenset(attachments), allow_local=allow_local)


def load_sources(path: str | Path, settings: Settings = SETTINGS, allow_local: bool = False) -> list[Site]:
    """Read and validate a sources file.

    :param allow_local: the sites may use loopback and private addresses, any port and delays under the floor;
        only the command line's ``--allow-local`` grants it, never the file.
    :raises SourcesError: unreadable TOML, unknown keys, bad regexes, bad URLs, duplicate names.
    """
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourcesError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"sites"})
    if unknown:
        raise SourcesError(f"{path}: unknown top-level key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
                           "(only [[sites]] tables are allowed)")
    raw_sites = data.get("sites")
    if not isinstance(raw_sites, list) or not raw_sites:
        raise SourcesError(f"{path}: no [[sites]] tables")
    sites = [_site(raw, i, settings, allow_local) for i, raw in enumerate(raw_sites)]
    names = [s.name for s in sites]
    if dupes := sorted({n for n in names if names.count(n) > 1}):
        raise SourcesError(f"{path}: duplicate site names: {', '.join(dupes)}")
    return sites
