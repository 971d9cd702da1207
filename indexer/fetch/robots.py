"""robots.txt as RFC 9309 defines it: groups by user-agent, ``*`` and ``$`` in paths, the longest match wins.

Python's ``urllib.robotparser`` treats ``*`` and ``$`` as literal characters and lets the first rule win, so
``Disallow: /*.pdf$`` would never match; hence this module. Guarantee: the rules of the group naming our
product token (or ``*`` when none does) decide, the rule whose pattern has the most octets wins and Allow
wins a tie; ``/robots.txt`` itself is always allowed. Only the first ``max_bytes`` of a file are parsed.
How fetch outcomes map to rules (4xx allows all, 5xx or unreachable disallows all) is :func:`from_status`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PCT = re.compile(r"%([0-9A-Fa-f]{2})")


def normalize_path(path: str) -> str:
    """Percent-encode non-ASCII, upper-case escapes, and unescape unreserved characters (RFC 9309 2.2.2)."""
    path = quote(path, safe="".join(chr(c) for c in range(0x21, 0x7f)))

    def unescape(m: re.Match) -> str:
        ch = chr(int(m.group(1), 16))
        return ch if ch in UNRESERVED else "%" + m.group(1).upper()
    return _PCT.sub(unescape, path)


@dataclass(frozen=True)
class Rule:
    """One Allow/Disallow line: the pattern cut at its ``*`` wildcards, and whether ``$`` anchors its end.

    Matching finds each piece at its leftmost place after the previous one (``str.find``), which is correct for
    patterns whose only wildcard is ``*`` and takes time linear in the path; a regular expression of ``.*``
    backtracks, and a rule of 14 wildcards took 12.5 s against one path.
    """
    allow: bool
    pattern: str
    pieces: tuple[str, ...] = field(compare=False)
    anchored: bool = field(compare=False)

    @classmethod
    def make(cls, allow: bool, pattern: str) -> "Rule":
        pattern = normalize_path(pattern)
        body, anchored = (pattern[:-1], True) if pattern.endswith("$") else (pattern, False)
        return cls(allow, pattern, tuple(body.split("*")), anchored)

    def matches(self, path: str) -> bool:
        first, *middle = self.pieces
        if not path.startswith(first):
            return False
        if not middle:                      # no wildcard
            return not self.anchored or path == first
        *middle, last = middle
        pos = len(first)
        for piece in middle:
            pos = path.find(piece, pos)
            if pos < 0:
                return False
            pos += len(piece)
        if self.anchored:                   # the last piece must end the path, after everything before it
            return len(path) - len(last) >= pos and path.endswith(last)
        return path.find(last, pos) >= 0


@dataclass(frozen=True)
class Robots:
    """The rules that apply to us on one host."""
    rules: tuple[Rule, ...] = ()
    crawl_delay: float | None = None
    verdict: str = "parsed"     # parsed / allow-all (4xx) / disallow-all (5xx, unreachable)

    def allowed(self, url: str) -> bool:
        """Whether ``url`` (or a path with query) may be fetched."""
        parts = urlsplit(url)
        path = normalize_path((parts.path or "/") + (f"?{parts.query}" if parts.query else ""))
        if path == "/robots.txt" or self.verdict == "allow-all":
            return True
        if self.verdict == "disallow-all":
            return False
        best: Rule | None = None
        for rule in self.rules:
            if rule.matches(path) and (best is None or len(rule.pattern) > len(best.pattern)
                                           or (len(rule.pattern) == len(best.pattern) and rule.allow)):
                best = rule
        return best is None or best.allow


ALLOW_ALL = Robots(verdict="allow-all")
DISALLOW_ALL = Robots(verdict="disallow-all")


def parse(data: bytes, agent: str, max_bytes: int = 500 * 1024) -> Robots:
    """Parse a robots.txt body for the product token ``agent`` (case-insensitive)."""
    truncated = len(data) > max_bytes
    text = data[:max_bytes].decode("utf-8-sig", "replace")     # a BOM would hide the first line
    lines = text.splitlines()
    if truncated and lines and not text.endswith(("\n", "\r")):
        lines.pop()     # a line cut at the byte cap could turn a long Disallow into a short one
    agent = agent.lower()
    groups: dict[str, list[Rule]] = {}
    delays: dict[str, float] = {}
    current: list[str] = []
    in_agents = False
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "user-agent":
            if not in_agents:
                current = []
            in_agents = True
            token = value.split("/")[0].strip().lower()
            current.append(token)
            groups.setdefault(token, [])
            continue
        in_agents = False
        if key in ("allow", "disallow") and value:
            for token in current:
                groups[token].append(Rule.make(key == "allow", value))
        elif key == "crawl-delay":
            try:
                delay = float(value)
            except ValueError:
                continue
            if delay >= 0:
                for token in current:
                    delays.setdefault(token, delay)
    chosen = agent if agent in groups else "*"
    return Robots(tuple(groups.get(chosen, ())), delays.get(chosen))


def from_status(status: int | None, data: bytes, agent: str, max_bytes: int = 500 * 1024) -> Robots:
    """The rules implied by fetching robots.txt: ``status`` None means unreachable.

    2xx: parse the body. 429 and 5xx (and unreachable): disallow everything, as RFC 9309 2.3.1.4 asks
    (429 is a server asking us to slow down, so it counts as unavailable rather than absent).
    Other 4xx: no robots.txt, so everything is allowed (2.3.1.3).
    """
    if status is not None and 200 <= status < 300:
        return parse(data, agent, max_bytes)
    if status is not None and 400 <= status < 500 and status != 429:
        return ALLOW_ALL
    return DISALLOW_ALL
