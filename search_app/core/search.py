"""Run a search: the query's rows under its filters (relaxed when that finds nothing), ranked, with hits,
exact facet counts over the whole result set, how the query was understood, suggestions, and what a query
with a slip was likely meant as (``spelling``).

``search(ix, params)`` is what the web and the CLI call; it returns data (``Hit`` records with spans) and
raises ``QueryError`` for a query or parameter that cannot be run, with a message about the query, and
``TimedOut`` when the request's deadline (``deadline``) passes before the hits are known; past it, the
optional parts (the nearest partial matches, suggestions, the spelling, facet counts) are left out and ``timed_out`` names
them (``facets_timed_out``: which facets).
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import numpy as np

from indexer.index.reader import Index
from indexer.normalize import fold
from indexer.settings import SETTINGS
from search_app.core.citations import cite
from search_app.core.deadline import TimedOut
from search_app.core.facets import facet_counts, facets_or, filter_mask, merge_filters
from search_app.core.matching import chunk_words, evaluate, names_reports
from search_app.core.query import Node, ParsedQuery, QueryError, parse
from search_app.core.ranking import SORTS, rank, terms_for_ranking
from search_app.core.records import Hit
from search_app.core.relax import Relaxed, relax
from search_app.core.snippets import kwic, match_spans, merge_spans, snippet, tail_span
from search_app.core.spelling import did_you_mean
from search_app.core.suggest import suggest


@dataclass
class Params:
    """One search: the query, the filters beside it (facet name → values; a year or range), what to return."""
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    year: str | None = None
    limit: int = 10
    offset: int = 0
    sort: str = "relevance"
    facet_size: int = SETTINGS.facet_size
    context: int = 60
    kwic: bool = False
    relax: bool = True          # when all the words together match nothing, show passages with most of them
    group: bool = False         # one passage per report (its first in the order asked for), paged by report
    spell: bool = True          # look for a likelier wording of rare terms (``spelling``)


@dataclass
class Result:
    """The rows a search answers with: ``query_rows`` before the filters, ``rows`` after them."""
    parsed: ParsedQuery
    query_rows: np.ndarray
    rows: np.ndarray
    filters: dict
    year_range: tuple | None
    relaxed: Relaxed | None
    timed_out: list[str] = field(default_factory=list)    # optional parts left out at the deadline


def parse_filters_only(params: Params) -> ParsedQuery:
    if not any(params.filters.values()) and not params.year:
        raise QueryError("检索式是空的：要给出检索词，或至少一个筛选条件")
    return ParsedQuery(Node("all"), {}, None)


def query_rows(ix: Index, params: Params) -> tuple[ParsedQuery, np.ndarray, dict, tuple | None]:
    """The parsed query, the rows it matches before any filter, and the filters (query and parameters)."""
    parsed = parse(params.q) if params.q.strip() else parse_filters_only(params)
    filters, year_range = merge_filters(parsed, params.filters, params.year)
    return parsed, evaluate(ix, parsed.tree), filters, year_range


def result_rows(ix: Index, params: Params) -> Result:
    """What ``search`` and the exports answer: the query under its filters, relaxed when that finds nothing."""
    parsed, rows_before, filters, year_range = query_rows(ix, params)
    rows = filter_mask(ix, rows_before, filters, year_range)
    relaxed, timed_out = None, []
    if not len(rows) and params.relax:
        try:
            relaxed = relax(ix, parsed, filters, year_range)
        except TimedOut:            # the exact answer (nothing) stands; say that the nearest ones were not sought
            timed_out.append("relaxed")
    if relaxed:
        rows_before, rows = relaxed.query_rows, relaxed.rows
    return Result(parsed, rows_before, rows, filters, year_range, relaxed, timed_out)


def highlight_needles(ix: Index, parsed: ParsedQuery) -> list[str]:
    """What a query marks in a passage: each phrase whole, and each word of the unquoted parts."""
    return [piece for kind, text in parsed.positive_texts()
            for piece in ([text] if kind == "phrase" else chunk_words(ix, text))]


def describe(ix: Index, parsed: ParsedQuery) -> dict:
    """How the query was understood: its operators, the words each part was cut into, the filters."""
    return {"tree": parsed.tree.describe(),
            "terms": [{"kind": kind, "text": text, "segments": chunk_words(ix, text)} for kind, text in
                      parsed.positive_texts()],
            "filters": parsed.filters, "year": list(parsed.year_range) if parsed.year_range else None,
            "ignored": parsed.ignored, "repaired": parsed.repaired}


def make_hit(ix: Index, row: int, score: float, needles: list[str], context: int, with_kwic: bool,
             phrases: tuple[str, ...] = ()) -> Hit:
    """One result. ``lead`` is the headings before the passage (``lead_highlight`` says where the query
    matched there); a phrase that runs on into the next passage is marked where it starts, at the end."""
    s = ix.passage(row)
    text, lead = s["text"], s.get("lead") or ""
    spans = match_spans(text, needles)
    lead_spans = match_spans(lead, needles) if lead else []
    folded = fold(text) if phrases else ""
    for phrase in {fold(p) for p in phrases} - {""}:
        if phrase not in folded and (k := ix.side.crossing_at(row, phrase)):
            # the phrase runs on from this row's end: the passage's last k characters, or, when it starts
            # in the headings before a short passage, all of the passage and the end of the headings
            if folded:
                spans = merge_spans(spans + [tail_span(text, min(k, len(folded)))])
            if k > len(folded) and lead:
                lead_spans = merge_spans(lead_spans + [tail_span(lead, k - len(folded))])
    return Hit(passage_id=s["passage_id"], doc_id=s["doc_id"], title=s["title"], region=s["region"] or None,
               province=s["province"] or None, level=s["level"] or None, year=s["year"] or None,
               doc_type=s["doc_type"], section=s["section"], heading=s["heading_text"], text=text,
               highlight=snippet(text, spans, context), score=round(float(score), 4), body=s["body"],
               ordinal=s["ordinal"], lead=lead,
               lead_highlight=snippet(lead, lead_spans, whole=True) if lead_spans else None,
               kwic=[list(line) for line in kwic(text, spans)] if with_kwic else None)


def _check(params: Params) -> None:
    if params.sort not in SORTS:
        raise QueryError(f"排序方式只能是 {'、'.join(SORTS)} 之一")
    if not 0 <= params.limit <= SETTINGS.max_hits:
        raise QueryError(f"一次最多返回 {SETTINGS.max_hits} 条结果")
    if not 0 <= params.offset <= SETTINGS.max_offset:
        raise QueryError(f"结果最多只能翻到第 {SETTINGS.max_offset} 条")


def _ranked(ix: Index, result: Result, params: Params, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Scores of the result's rows and the indexes of its first ``k`` in the requested order."""
    words, exact = terms_for_ranking(ix, result.parsed)
    return rank(ix, result.rows, words, exact, names_reports(ix, result.parsed.tree), params.sort, k)


def _hits(ix: Index, result: Result, params: Params, scores: np.ndarray, top) -> list[Hit]:
    needles = highlight_needles(ix, result.parsed)
    phrases = tuple(text for kind, text in result.parsed.positive_texts() if kind == "phrase")
    hits = [make_hit(ix, int(result.rows[i]), scores[i], needles, params.context, params.kwic, phrases)
            for i in top]
    if result.relaxed:
        for h, i in zip(hits, top):
            h.missing = result.relaxed.missing(int(result.rows[i]))
    return cite(ix, hits)


def search(ix: Index, params: Params) -> dict:
    """Run one search. :raises QueryError: for queries and parameters that cannot be run.

    A whole answer is remembered per opened index (``result_cache_entries``; not one the deadline cut short):
    the same search comes back from the back button, a shared link, another member of staff. Each caller gets
    its own hits, which the pages complete with their own addresses.
    """
    t0 = time.perf_counter()
    cache = ix.cache("results", SETTINGS.result_cache_entries)
    key = repr(params)
    out = cache.get(key)
    if out is None:
        out = _search(ix, params)
        if "timed_out" not in out:
            cache.put(key, out)
    return {**out, "hits": [replace(h) for h in out["hits"]], "took_ms": round((time.perf_counter() - t0) * 1000, 2)}


def _search(ix: Index, params: Params) -> dict:
    _check(params)
    result = result_rows(ix, params)
    grouped = {}
    if params.group:
        scores, ranked, per_report, reports = _first_of_each_report(ix, result, params, params.offset + params.limit)
        hits = _hits(ix, result, params, scores, ranked[params.offset:])
        for h, n in zip(hits, per_report[params.offset:].tolist()):
            h.report_hits = n
        grouped = {"group": "report", "reports": reports}
    else:
        scores, ranked = _ranked(ix, result, params, params.offset + params.limit)
        hits = _hits(ix, result, params, scores, ranked[params.offset:])
    late: list[str] = []
    out = {"query": params.q, "total": int(len(result.rows)), **grouped, "took_ms": 0.0, "offset": params.offset,
           "limit": params.limit, "sort": params.sort, "hits": hits,
           "facets": facet_counts(ix, result.rows, result.filters, params.facet_size, late),
           "facets_or": facets_or(ix, result.query_rows, result.filters, result.year_range, params.facet_size, late),
           "parsed": describe(ix, result.parsed)}
    if late:
        out["facets_timed_out"] = list(dict.fromkeys(late))
    if result.relaxed:
        out["relaxed"] = result.relaxed.describe()
    timed_out = result.timed_out
    if not len(result.rows) or result.relaxed:
        try:
            out["suggestions"] = suggest(ix, result.parsed, params)
        except TimedOut:
            timed_out = [*timed_out, "suggestions"]
    if params.spell and params.q.strip():
        try:
            if (meant := did_you_mean(ix, result.parsed, params.q, 0 if result.relaxed else len(result.query_rows))):
                out["spelling"] = meant
        except TimedOut:
            timed_out = [*timed_out, "spelling"]
    if late:
        timed_out = [*timed_out, "facets"]
    if timed_out:
        out["timed_out"] = timed_out
    return out


GROUP_FIRST_ROWS = 256      # rows ranked at the first try of a search grouped by report


def _first_of_each_report(ix: Index, result: Result, params: Params, k: int) \
        -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The first ``k`` reports of the result in the order asked for, each by its first row: the scores, those
    rows (indexes into the result's rows), how many rows the document of each holds, and how many reports the
    result holds in all. A report's versions (its 摘要, its copies) are one report, as every count takes them
    (``Index.report_groups``).

    Only as many rows are ranked as it takes to meet ``k`` reports (four times more at each try): the first
    rows of a ranking are exact, so the first row of each report among them is its first row in all.
    """
    docs = np.asarray(ix.side["doc"])[result.rows]
    groups = ix.report_groups()[docs]
    reports = int(np.count_nonzero(np.bincount(groups))) if len(docs) else 0
    n = min(len(docs), max(4 * k, GROUP_FIRST_ROWS))
    while True:
        scores, ranked = _ranked(ix, result, params, n)
        _, first = np.unique(groups[ranked], return_index=True)
        if len(first) >= k or n >= len(docs):
            break
        n = min(len(docs), 4 * n)
    first = ranked[np.sort(first)][:k]
    return scores, first, np.bincount(docs)[docs[first]], reports


EXPORT_BATCH = 500       # hits made at a time while an export streams


def export_hits(ix: Index, params: Params, limit: int = SETTINGS.export_rows, result: Result | None = None) \
        -> Iterator[Hit]:
    """Every hit of the result in result order (up to ``limit``), a batch at a time, for exports; ``result``: the
    ``result_rows`` of ``params`` when the caller has them.

    :raises QueryError: at the first ``next``, for a query that cannot be run.
    """
    _check(params)
    result = result or result_rows(ix, params)
    if params.group:
        scores, ranked, _, _ = _first_of_each_report(ix, result, params, limit)
    else:
        scores, ranked = _ranked(ix, result, params, min(len(result.rows), limit))
    for start in range(0, len(ranked), EXPORT_BATCH):
        yield from _hits(ix, result, params, scores, ranked[start:start + EXPORT_BATCH])
