"""When every word of a query together matches nothing: the passages holding most of them, at least half."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indexer.index.reader import Index
from search_app.core.facets import filter_mask
from search_app.core.matching import chunk_words, difference, evaluate, intersect, names_reports, positions_in
from search_app.core.query import Node, ParsedQuery


@dataclass
class Relaxed:
    """Passages matching most, not all, of a query's words: ``matched`` of the ``words``.

    ``query_rows`` holds that many words before the filters (what the sidebar counts other facet values
    over); ``rows`` is what the filters keep of them.
    """
    query_rows: np.ndarray
    rows: np.ndarray
    words: list[str]
    matched: int
    word_rows: dict[str, np.ndarray]

    def missing(self, row: int) -> list[str]:
        def has(rows: np.ndarray) -> bool:
            i = int(np.searchsorted(rows, row))
            return i < len(rows) and int(rows[i]) == row
        return [w for w in self.words if not has(self.word_rows[w])]

    def describe(self) -> dict:
        return {"words": self.words, "matched": self.matched, "of": len(self.words),
                "missing": {w: int(len(self.rows) - positions_in(self.rows, r).sum()) for w, r in self.word_rows.items()}}


def relax(ix: Index, parsed: ParsedQuery, filters: dict, year_range: tuple | None) -> Relaxed | None:
    """For an unquoted query of several words that match nothing together: the passages that hold the
    most of them (at least half), under the same filters, exclusions and any phrase, as search engines
    answer "missing: 扶贫". The words are those typed apart; one run typed without spaces counts by the
    words it is cut into when there are three or more (a question typed as a sentence). None when no
    passage holds half the words, or there is only one.
    """
    tree = parsed.tree
    parts = tree.children if tree.op == "and" else [tree]
    by_report = names_reports(ix, tree)
    typed = [n for n in parts if n.op == "word"]
    if len(typed) == 1 and len(chunk_words(ix, typed[0].text)) >= 3:
        typed = [Node("word", w) for w in chunk_words(ix, typed[0].text)]
    if len(typed) < 2:
        return None
    word_rows = {n.text: evaluate(ix, n, by_report) for n in typed}
    required = ix.all_rows
    for n in parts:
        if n.op == "word":
            continue
        if n.op == "not":
            required = difference(required, evaluate(ix, n.children[0], by_report))
        else:
            required = intersect(required, evaluate(ix, n, by_report))
    counts = np.zeros(ix.size, dtype=np.int16)
    for rows in word_rows.values():
        counts[rows] += 1
    candidates = filter_mask(ix, required, filters, year_range)
    best = int(counts[candidates].max()) if len(candidates) else 0
    if best < len(word_rows) - len(word_rows) // 2:
        return None
    return Relaxed(required[counts[required] == best], candidates[counts[candidates] == best], list(word_rows),
                   best, word_rows)
