"""Precedents: the passages of other reports most like a given passage or a pasted paragraph."""
from __future__ import annotations

import math
import time

import numpy as np

from indexer.arrays import distinct
from indexer.index.analysis import words
from indexer.index.reader import Index
from indexer.normalize import fold
from indexer.settings import SETTINGS
from search_app.core import deadline
from search_app.core.citations import cite
from search_app.core.facets import filter_mask, merge_filters
from search_app.core.query import Node, ParsedQuery, QueryError
from search_app.core.ranking import order, score_rows
from search_app.core.search import make_hit

SIMILAR_TERMS = 16      # the most distinctive words of the text that precedents are looked up by


def similar(ix: Index, passage_id: str | None = None, text: str | None = None, limit: int = 10,
            max_chars: int = SETTINGS.max_similar_chars, filters: dict[str, list[str]] | None = None,
            year: str | None = None) -> dict:
    """Passages most like a given passage (or pasted text), one per other report, by their distinctive words,
    among the reports the filters keep (a drafter asks how congresses of their own province or level put it).
    A report's versions (its 摘要, its copies: ``Index.report_groups``) are one report, never another's precedent.

    ``source`` is the given passage as a hit (cited), so that the page shows what it is matching.

    :raises QueryError: neither or both of passage_id and text, an unknown passage, or text with no known words.
    """
    t0 = time.perf_counter()
    if bool(passage_id) == bool(text):
        raise QueryError("请给出一个段落编号或一段文字（二者选一）")
    if not 0 < limit <= SETTINGS.max_similar:
        raise QueryError(f"先例条数须在 1 到 {SETTINGS.max_similar} 之间")
    merged, year_range = merge_filters(ParsedQuery(Node("all"), {}, None), filters or {}, year)
    exclude_group, source = None, None
    if passage_id:
        row = ix.row_of_passage(passage_id)
        if row is None:
            raise QueryError(f"索引中没有段落 {passage_id!r}")
        text = ix.passage(row)["text"]
        exclude_group = int(ix.report_groups()[int(ix.side["doc"][row])])
        source = cite(ix, [make_hit(ix, row, 0.0, [], max_chars, False)])[0]      # shown whole
    if len(text) > max_chars:
        raise QueryError(f"文字太长：请粘贴一段（至多 {max_chars} 字）")
    counts: dict[str, int] = {}
    for w in words(fold(text)):         # the index's own cut: its words are the vocabulary's, found in one pass
        if len(w) >= 2:
            counts[w] = counts.get(w, 0) + 1
    weighted = []
    for k, (w, tf) in enumerate(counts.items()):
        if k % 64 == 0:
            deadline.check()
        rows, _ = ix.side.word_postings(w)
        if 0 < len(rows) < ix.n:
            weighted.append((tf * math.log(1 + ix.n / len(rows)), w))
    terms = [w for _, w in sorted(weighted, reverse=True)[:SIMILAR_TERMS]]
    if not terms:
        raise QueryError("这段文字里没有索引中出现过的词")
    rows = distinct(np.concatenate([ix.side.word_postings(w)[0] for w in terms])).astype(np.int32)
    if exclude_group is not None:
        rows = rows[ix.report_groups()[np.asarray(ix.side["doc"])[rows]] != exclude_group]
    rows = filter_mask(ix, rows, merged, year_range)
    scores = score_rows(ix, rows, terms)
    ranked = order(ix, rows, scores, "relevance", len(rows))
    # the best passage of each report (its versions with it), so that one report's near-repeats do not fill the list
    _, first = np.unique(ix.report_groups()[np.asarray(ix.side["doc"])[rows[ranked]]], return_index=True)
    top = ranked[np.sort(first)][:limit]
    hits = cite(ix, [make_hit(ix, int(rows[i]), scores[i], terms, 60, False) for i in top])
    return {"passage_id": passage_id, "text": text, "source": source, "terms": terms, "total": len(hits),
            "hits": hits, "filters": {k: v for k, v in merged.items() if v},
            "year": year, "took_ms": round((time.perf_counter() - t0) * 1000, 2)}
