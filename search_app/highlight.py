"""The one audited place where markup is made from text: escape everything, then insert <mark>.

Matches are found on the folded form of the text (simplified, width-folded, no whitespace) and mapped back
to the original characters, so a match spanning a hard wrap or written in traditional characters is marked
exactly where it stands, and overlapping matches are merged (马克思 is marked whole, never 马克).
"""
from __future__ import annotations

from html import escape

from markupsafe import Markup

from indexer.normalize import fold, fold_with_map

ELLIPSIS = "…"


def match_spans(text: str, needles: list[str]) -> list[tuple[int, int]]:
    """Merged (start, end) spans of ``text`` where any of ``needles`` occurs after folding."""
    folded, where = fold_with_map(text)
    spans = []
    for needle in {fold(n) for n in needles if n}:
        if not needle:
            continue
        i = folded.find(needle)
        while i >= 0:
            spans.append((where[i], where[i + len(needle) - 1] + 1))
            i = folded.find(needle, i + 1)
    return merge_spans(spans)


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping and touching ones joined."""
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def tail_span(text: str, folded_chars: int) -> tuple[int, int]:
    """The span of ``text`` holding its last ``folded_chars`` characters after folding: where a phrase
    that runs on into the next passage begins."""
    folded, where = fold_with_map(text)
    return (where[max(0, len(folded) - folded_chars)], len(text)) if folded else (len(text), len(text))


def _windows(spans: list[tuple[int, int]], length: int, context: int, max_fragments: int) -> list[tuple[int, int]]:
    windows: list[tuple[int, int]] = []
    for s, e in spans:
        lo, hi = max(0, s - context), min(length, e + context)
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], hi))
        elif len(windows) < max_fragments:
            windows.append((lo, hi))
    return windows


def highlight(text: str, spans: list[tuple[int, int]], context: int = 60, max_fragments: int = 3,
              whole: bool = False) -> Markup:
    """HTML of ``text`` (or of fragments around the spans) with every span wrapped in <mark>."""
    if whole or not spans:
        windows = [(0, len(text) if whole else min(len(text), 2 * context))]
    else:
        windows = _windows(spans, len(text), context, max_fragments)
    parts: list[str] = []
    for lo, hi in windows:
        if lo > 0:
            parts.append(ELLIPSIS)
        pos = lo
        for s, e in spans:
            if e <= lo or s >= hi:
                continue
            s, e = max(s, lo), min(e, hi)
            parts.append(escape(text[pos:s], quote=True))
            parts.append("<mark>" + escape(text[s:e], quote=True) + "</mark>")
            pos = e
        parts.append(escape(text[pos:hi], quote=True))
        if hi < len(text):
            parts.append(ELLIPSIS)
    out = "".join(parts)
    return Markup(out.replace(ELLIPSIS + ELLIPSIS, ELLIPSIS))


def kwic(text: str, spans: list[tuple[int, int]], width: int = 30) -> list[tuple[str, str, str]]:
    """Keyword-in-context lines: (left context, match, right context), plain text."""
    flat = text.replace("\n", " ")
    return [(flat[max(0, s - width):s], flat[s:e], flat[e:e + width]) for s, e in spans]
