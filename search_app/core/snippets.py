"""Where a query matches inside a text, as spans, and which pieces of the text a result shows.

Matches are found on the folded form of the text (simplified, width-folded, no whitespace) and mapped back
to the original characters, so a match spanning a hard wrap or written in traditional characters is marked
exactly where it stands, and overlapping matches are merged (马克思 is marked whole, never 马克). This module
returns offsets only; the shells turn them into markup (``search_app.formats``) or terminal text.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from indexer.normalize import fold, fold_with_map

Span = tuple[int, int]


@dataclass
class Snippet:
    """A text, the spans of it that matched, and the windows of it to show (an ellipsis marks a cut)."""
    text: str
    spans: list[Span] = field(default_factory=list)
    windows: list[Span] = field(default_factory=list)

    def pieces(self) -> list[tuple[str, bool] | None]:
        """The shown text in order as (piece, matched), with None where text was left out."""
        out: list[tuple[str, bool] | None] = []
        for lo, hi in self.windows:
            if lo > 0 and (not out or out[-1] is not None):
                out.append(None)
            pos = lo
            for s, e in self.spans:
                if e <= lo or s >= hi:
                    continue
                s, e = max(s, lo), min(e, hi)
                if s > pos:
                    out.append((self.text[pos:s], False))
                out.append((self.text[s:e], True))
                pos = e
            if hi > pos:
                out.append((self.text[pos:hi], False))
            if hi < len(self.text):
                out.append(None)
        return out


def match_spans(text: str, needles: list[str]) -> list[Span]:
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


def merge_spans(spans: list[Span]) -> list[Span]:
    """Sorted spans with overlapping and touching ones joined."""
    merged: list[Span] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def tail_span(text: str, folded_chars: int) -> Span:
    """The span of ``text`` holding its last ``folded_chars`` characters after folding: where a phrase
    that runs on into the next passage begins."""
    folded, where = fold_with_map(text)
    return (where[max(0, len(folded) - folded_chars)], len(text)) if folded else (len(text), len(text))


def snippet(text: str, spans: list[Span], context: int = 60, max_fragments: int = 3,
            whole: bool = False) -> Snippet:
    """The text with its spans, shown whole or as up to ``max_fragments`` windows of ``context`` characters
    around the spans (the opening ``2 * context`` characters when nothing matched)."""
    if whole or not spans:
        return Snippet(text, spans, [(0, len(text) if whole else min(len(text), 2 * context))])
    windows: list[Span] = []
    for s, e in spans:
        lo, hi = max(0, s - context), min(len(text), e + context)
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], hi))
        elif len(windows) < max_fragments:
            windows.append((lo, hi))
    return Snippet(text, spans, windows)


def kwic(text: str, spans: list[Span], width: int = 30) -> list[tuple[str, str, str]]:
    """Keyword-in-context lines: (left context, match, right context), plain text."""
    flat = text.replace("\n", " ")
    return [(flat[max(0, s - width):s], flat[s:e], flat[e:e + width]) for s, e in spans]
