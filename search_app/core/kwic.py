"""Keyword in context: the lines of a query's first hits, in relevance order or sorted by their contexts."""
from __future__ import annotations

from dataclasses import replace

from indexer.index.reader import Index
from indexer.settings import SETTINGS
from search_app.core.query import QueryError
from search_app.core.search import Params, search

KWIC_ORDERS = ("left", "right")     # the context left of the keyword (read backwards), or right of it
KWIC_FIELDS = ("left", "match", "right", "passage_id", "doc_id", "title", "region", "year")


def kwic_lines(ix: Index, params: Params, order: str | None = None, hits: int = SETTINGS.kwic_hits) -> dict:
    """The keyword-in-context lines of the first ``hits`` hits; a concordance shows the query's own
    contexts, so never passages that lack some of its words (no relaxed results)."""
    if order and order not in KWIC_ORDERS:
        raise QueryError("语境只能按关键词左侧或右侧的文字排序")
    if not params.q.strip():
        raise QueryError("语境需要检索词")
    result = search(ix, replace(params, kwic=True, limit=hits, offset=0, relax=False))
    lines = [dict(zip(KWIC_FIELDS, (left, match, right, h.passage_id, h.doc_id, h.title, h.region, h.year)))
             for h in result["hits"] for left, match, right in h.kwic or []]
    if order:
        lines.sort(key=(lambda x: x["left"][::-1]) if order == "left" else (lambda x: x["right"]))
    return {"query": params.q, "total": result["total"], "hits": len(result["hits"]), "order": order or None,
            "lines": lines, "parsed": result["parsed"],
            "filters": {k: v for k, v in params.filters.items() if v}, "year": params.year}
