"""Keyword in context: the lines of a query's hits, in relevance order or sorted by their contexts, at a chosen
width; a reproducible random sample of them; those with a given word near the keyword (a collocate's lines);
and where the hits come from, by province and by year.

A line is one match in one passage. The plain page lists the lines of the first ``kwic_hits`` passages by
relevance; a sample, or the lines of a collocate, are drawn from the first ``kwic_read_passages`` (the passages
``collocates`` reads), so that a collocate's count and its lines come from the same passages.
"""
from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from dataclasses import replace

import numpy as np

from indexer.index.analysis import words_with_offsets
from indexer.index.reader import Index
from indexer.normalize import fold_with_map
from indexer.settings import SETTINGS
from search_app.core import deadline
from search_app.core.facets import filter_mask
from search_app.core.query import QueryError
from search_app.core.records import Hit
from search_app.core.search import Params, Result, describe, export_hits, query_rows, result_rows
from search_app.core.snippets import Span, kwic

KWIC_ORDERS = ("left", "right")     # the context left of the keyword (read backwards), or right of it
KWIC_FIELDS = ("left", "match", "right", "passage_id", "doc_id", "title", "region", "year")


def word_windows(text: str, spans: list[Span], n: int) -> tuple[list[str], list[tuple[range, range]]]:
    """The words of ``text`` (the index's jieba words of the folded text) and, for each span, the positions of the
    ``n`` words before it and of the ``n`` after it. A word the span only partly covers belongs to the keyword,
    not to its context."""
    folded, where = fold_with_map(text)
    tokens = [(w, where[s], where[e - 1] + 1) for w, s, e in words_with_offsets(folded)]
    starts = [s for _, s, _ in tokens]
    ends = [e for _, _, e in tokens]
    windows = []
    for s, e in spans:
        before = bisect_right(ends, s)       # the words ending at or before the span's start
        after = bisect_left(starts, e)       # the first word starting at or after its end
        windows.append((range(max(0, before - n), before), range(after, min(len(tokens), after + n))))
    return [w for w, _, _ in tokens], windows


def _check(params: Params, order: str | None) -> None:
    if order and order not in KWIC_ORDERS:
        raise QueryError("语境只能按关键词左侧或右侧的文字排序")
    if not params.q.strip():
        raise QueryError("语境需要检索词")


def read_hits(ix: Index, params: Params, hits: int) -> tuple[Result, list[Hit]]:
    """The search behind the lines (its rows and filters, how it was understood) and its first ``hits`` passages by
    relevance. A concordance shows the query's own contexts, so never passages that lack some of its words (no
    relaxed results), and every passage's, not one per report (a search's ``group``, were it given); neither facet
    counts nor suggestions, which these pages do not show. The query's rows are found once, for the total and
    the passages; the passages are made afresh, not kept in the search's cache: a thousand of them per entry
    would fill it."""
    strict = replace(params, kwic=False, offset=0, relax=False, group=False, spell=False)
    result = result_rows(ix, strict)
    return result, list(export_hits(ix, strict, limit=hits, result=result))


def kwic_lines(ix: Index, params: Params, order: str | None = None, hits: int = SETTINGS.kwic_hits,
               width: int = SETTINGS.kwic_width, sample: int | None = None, seed: int | None = None,
               near: str | None = None, window: int = SETTINGS.collocate_window,
               read: int = SETTINGS.kwic_read_passages) -> dict:
    """The keyword-in-context lines, ``width`` characters each side.

    :param sample: that many lines drawn at random (with ``seed``, always the same ones) from the lines of the
        first ``read`` passages, kept in their order.
    :param near: only the lines with this word within ``window`` words of the keyword, from the first ``read``
        passages: a collocate's lines.
    """
    _check(params, order)
    wide = bool(sample or near)
    result, found_hits = read_hits(ix, params, read if wide else hits)
    lines = []
    for h in found_hits:
        spans = h.highlight.spans if h.highlight else []
        if near:
            words, windows = word_windows(h.text, spans, window)
            kept = [any(words[i] == near for i in (*left, *right)) for left, right in windows]
        else:
            kept = [True] * len(spans)
        lines += [dict(zip(KWIC_FIELDS, (left, match, right, h.passage_id, h.doc_id, h.title, h.region, h.year)))
                  for (left, match, right), keep in zip(kwic(h.text, spans, width), kept) if keep]
    found = len(lines)
    if sample and len(lines) > sample:
        chosen = sorted(random.Random(seed).sample(range(len(lines)), sample))
        lines = [lines[i] for i in chosen]
    if order:
        lines.sort(key=(lambda x: x["left"][::-1]) if order == "left" else (lambda x: x["right"]))
    return {"query": params.q, "total": int(len(result.rows)), "hits": len(found_hits), "order": order or None,
            "width": width, "sample": sample, "seed": seed if sample else None, "near": near,
            "window": window if near else None, "read": read if wide else None, "found": found,
            "lines": lines, "parsed": describe(ix, result.parsed),
            "filters": {k: v for k, v in params.filters.items() if v}, "year": params.year}


def breakdown(ix: Index, params: Params) -> dict:
    """Where all the passages the query matches come from (not only the lines listed): exact counts by province and
    by year over the whole result, largest province and earliest year first; None for a report of no province
    (national, or unknown) or of unknown year. By province, not by the finer region, because a province filter
    keeps exactly the passages counted, so each count can link to its lines."""
    _check(params, None)
    _, rows, filters, year_range = query_rows(ix, replace(params, relax=False))
    rows = filter_mask(ix, rows, filters, year_range)
    deadline.check()
    provinces = ix.side.facet_values("province")
    codes, counts = np.unique(np.asarray(ix.side["fac_province"])[rows], return_counts=True)
    by_province = sorted(({"value": provinces[c] or None, "count": int(k)} for c, k in zip(codes, counts)),
                       key=lambda r: (-r["count"], r["value"] is None, r["value"] or ""))
    years, counts = np.unique(np.asarray(ix.side["year"])[rows], return_counts=True)
    by_year = [{"value": int(y) or None, "count": int(k)} for y, k in zip(years, counts)]
    by_year.sort(key=lambda r: (r["value"] is None, r["value"] or 0))
    return {"query": params.q, "total": int(len(rows)), "province": by_province, "year": by_year}
