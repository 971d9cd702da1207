"""Nearest partial matches for a query without hits: queries to run instead, each with its exact total."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from indexer.index.reader import Index
from indexer.normalize import fold
from search_app.core.facets import filter_mask, merge_filters
from search_app.core.matching import difference, evaluate, intersect, names_reports
from search_app.core.query import ParsedQuery, QueryError, parse
from search_app.core.rewrite import filter_text

if TYPE_CHECKING:
    from search_app.core.search import Params

MAX_SUGGEST_CHECKS = 64      # sub-queries one zero-result search may run to find its nearest partial matches
SUGGESTIONS_PER_KIND = 5
SUGGESTION_KINDS = ("drop", "alone", "part")


def suggest(ix: Index, parsed: ParsedQuery, params: Params) -> list[dict]:
    """Nearest partial matches for a query with no hits: queries to run instead, each with its exact total.

    ``drop``: the query without one of its parts (a term, an exclusion, a filter written in the query);
    ``alone``: one term by itself; ``part``: the longest pieces of a phrase or word without hits that do occur,
    as exact phrases. Each total is that of the suggested query, parsed again and run under the same filters,
    so it is what the suggestion's link returns; only suggestions with hits are kept.
    """
    total = _SuggestionTotals(ix, params)
    inline = filter_text(parsed)

    top = [n for n in (parsed.tree.children if parsed.tree.op == "and" else [parsed.tree]) if n.op != "all"]
    positive = [n for n in top if n.op != "not"]
    parts = [n.describe() for n in positive] + [n.describe() for n in top if n.op == "not"] + inline
    out: list[dict] = []
    for i, dropped in enumerate(parts):
        if len(positive) > 1 or i >= len(positive):          # never leave nothing to look for
            query = " ".join(parts[:i] + parts[i + 1:])
            out.append({"kind": "drop", "term": dropped, "query": query, "total": total(query)})
    for n in positive:
        alone = " ".join([n.describe()] + inline)
        if len(positive) > 1:
            out.append({"kind": "alone", "term": n.describe(), "query": alone, "total": total(alone)})
        if n.op in ("word", "phrase") and not total(alone):
            pieces = longest_pieces(fold(n.text), lambda p: total(" ".join([f'"{p}"'] + inline)))
            out += [{"kind": "part", "term": n.describe(), "query": " ".join([f'"{p}"'] + inline), "total": c}
                    for p, c in pieces]
    seen = {params.q.strip()}
    out = [s for s in out if s["total"] and not (s["query"] in seen or seen.add(s["query"]))]
    # most hits first, except pieces, which stay longest first
    out.sort(key=lambda s: (SUGGESTION_KINDS.index(s["kind"]), 0 if s["kind"] == "part" else -s["total"]))
    return [s for kind in SUGGESTION_KINDS for s in [s for s in out if s["kind"] == kind][:SUGGESTIONS_PER_KIND]]


class _SuggestionTotals:
    """Totals of suggested queries, each parsed and run as ``search`` runs it (its top-level parts ANDed, its
    exclusions subtracted, then the filters), with the rows of each part evaluated once: a query less one term
    shares all its other terms with the query. At most ``MAX_SUGGEST_CHECKS`` parts are evaluated, so a
    zero-result page stays fast; a suggestion needing more counts as no hits (a long phrase may then get only
    the pieces found first)."""

    def __init__(self, ix: Index, params: Params):
        self.ix, self.params = ix, params
        self.budget = MAX_SUGGEST_CHECKS
        self.rows: dict[tuple[str, bool], np.ndarray] = {}
        self.totals: dict[str, int] = {}

    def __call__(self, query: str) -> int:
        if query not in self.totals:
            try:
                parsed = parse(query)
                filters, year_range = merge_filters(parsed, self.params.filters, self.params.year)
            except QueryError:
                return 0
            parts = [n for n in (parsed.tree.children if parsed.tree.op == "and" else [parsed.tree]) if n.op != "all"]
            inner = {(n.children[0] if n.op == "not" else n).describe(): n.children[0] if n.op == "not" else n
                     for n in parts}
            by_report = names_reports(self.ix, parsed.tree)
            fresh = [key for key in inner if (key, by_report) not in self.rows]
            if len(fresh) > self.budget:
                return 0
            self.budget -= len(fresh)
            for key in fresh:
                self.rows[key, by_report] = evaluate(self.ix, inner[key], by_report)
            rows = self.ix.all_rows
            for n in sorted(parts, key=lambda n: n.op == "not"):
                if n.op == "not":
                    rows = difference(rows, self.rows[n.children[0].describe(), by_report])
                else:
                    rows = intersect(rows, self.rows[n.describe(), by_report])
            self.totals[query] = int(len(filter_mask(self.ix, rows, filters, year_range)))
        return self.totals[query]


def longest_pieces(text: str, total) -> list[tuple[str, int]]:
    """The longest substrings of ``text`` (two characters or more) with ``total(piece) > 0``, longest first.

    A substring of an occurring string occurs too, so one pass of a sliding window finds every maximal
    piece with at most 2·len(text) calls of ``total``: grow the window while it occurs, else move its start.
    Pieces are trimmed of punctuation at either end.
    """
    found: dict[str, int] = {}
    start, end, last_end, last_total = 0, 0, 0, 0
    while end < len(text):
        n = total(text[start:end + 1])
        if n:
            end, last_total = end + 1, n
            continue
        if end > last_end and end - start >= 2:
            found[text[start:end]] = last_total
            last_end = end
        start += 1
        end = max(end, start)
    if end > last_end and end - start >= 2:
        found[text[start:end]] = last_total
    pieces = {}
    for piece, n in found.items():
        trimmed = re.sub(r"^\W+|\W+$", "", piece)
        if len(trimmed) >= 2 and trimmed not in pieces:
            pieces[trimmed] = n if trimmed == piece else total(trimmed)
    return sorted(((p, n) for p, n in pieces.items() if n), key=lambda pn: (-len(pn[0]), -pn[1]))
