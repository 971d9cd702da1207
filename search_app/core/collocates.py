"""Collocates of a query, as a concordancer (CQPweb) lists them: the words most associated with the query within
``window`` words either side of its matches.

The words are the index's own (jieba words of the folded text, ``indexer.index.analysis.words``): a collocate's
frequency is then its term frequency in the index, read from the postings. The windows are those of the KWIC
lines (``kwic.word_windows``) in the first ``kwic_read_passages`` passages by relevance. A word counts once however
many windows it stands in (the windows of two nearby matches overlap): so the windows are a part of the passages'
words and the 2×2 table below adds up.

The association measure is **log-likelihood** (Dunning's G², CQPweb's default): the 2×2 table of a word in the
windows or elsewhere against all other words, over the words of the passages in the search's scope (its
filters); only words seen more often than expected are listed. MI (log₂ observed ÷ expected) is given beside
it: log-likelihood favours frequent, reliable collocates, MI rare, exclusive ones.
"""
from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

from indexer.index.reader import Index
from indexer.settings import SETTINGS
from search_app.core import deadline
from search_app.core.facets import filter_mask
from search_app.core.kwic import read_hits, word_windows
from search_app.core.query import QueryError
from search_app.core.search import Params, describe

# One-character function words (particles, prepositions, conjunctions, pronouns): frequent everywhere, they
# would top any list by count and say nothing of the query. One-character content words (法, 省, 审) stay.
FUNCTION_WORDS = frozenset("的地得了着过和与及或并而且之其以于为对把被将从向由在是有就都也又还各该此这那所要")
_NUMBER = re.compile(r"[\d.%]+")             # numbers and years: not words of a wording
COLLOCATE_SORTS = {"ll": "对数似然", "mi": "互信息", "count": "共现", "freq": "词频"}
COLLOCATE_FIELDS = ("word", "count", "lines", "freq", "expected", "ll", "mi")
WORD_TOTALS = 200_000       # words whose times in the whole index are kept per generation (the unfiltered scope)


def log_likelihood(o11: int, r1: int, c1: int, n: int) -> float:
    """Dunning's G² of a word seen ``o11`` times among the ``r1`` words of the windows, ``c1`` times among the
    ``n`` words of the corpus."""
    observed = (o11, r1 - o11, c1 - o11, n - r1 - c1 + o11)
    expected = (r1 * c1 / n, r1 * (n - c1) / n, (n - r1) * c1 / n, (n - r1) * (n - c1) / n)
    return 2 * sum(o * math.log(o / e) for o, e in zip(observed, expected) if o > 0 and e > 0)


def collocates(ix: Index, params: Params, window: int = SETTINGS.collocate_window,
               read: int = SETTINGS.kwic_read_passages, min_count: int = 2, sort: str = "ll",
               limit: int = SETTINGS.collocates_listed) -> dict:
    """The collocates of ``params.q`` in its first ``read`` passages, at least ``min_count`` times in the
    windows, the ``limit`` first by ``sort`` (a key of ``COLLOCATE_SORTS``, largest first).

    Each has ``count`` (times in the windows), ``lines`` (KWIC lines whose window holds it), ``freq`` (times in
    the passages in scope), ``expected`` (its count were it spread evenly), ``ll`` and ``mi``.
    """
    if sort not in COLLOCATE_SORTS:
        raise QueryError(f"搭配词只能按 {'、'.join(COLLOCATE_SORTS)} 排序")
    if not params.q.strip():
        raise QueryError("搭配词需要检索词")
    result, hits = read_hits(ix, params, read)
    counts: Counter[str] = Counter()
    lines: Counter[str] = Counter()
    matches = window_words = 0
    for h in hits:
        deadline.check()
        words, windows = word_windows(h.text, h.highlight.spans if h.highlight else [], window)
        seen: set[int] = set()
        for left, right in windows:
            matches += 1
            seen.update(left, right)
            lines.update({words[i] for i in (*left, *right)})
        window_words += len(seen)
        counts.update(words[i] for i in seen)
    scope = filter_mask(ix, ix.all_rows, result.filters, result.year_range)
    in_scope = np.zeros(ix.size, dtype=bool)
    in_scope[scope] = True
    corpus_words = int(np.asarray(ix.side["plen"])[scope].sum())
    everywhere = len(scope) == len(ix.all_rows)
    totals = ix.cache("word totals", WORD_TOTALS)     # a word's times in the whole index, per generation
    found = []
    for word, count in counts.items():
        if count < min_count or word in FUNCTION_WORDS or _NUMBER.fullmatch(word):
            continue
        deadline.check()
        freq = totals.get(word) if everywhere else None
        if freq is None:
            rows, tf = ix.side.word_postings(word)
            freq = int(tf[in_scope[rows]].sum())
            if everywhere:
                totals.put(word, freq)
        expected = window_words * freq / corpus_words
        if count <= expected:
            continue
        found.append({"word": word, "count": count, "lines": lines[word], "freq": freq,
                      "expected": round(expected, 3), "ll": round(log_likelihood(count, window_words, freq,
                                                                                   corpus_words), 2),
                      "mi": round(math.log2(count / expected), 3)})
    found.sort(key=lambda c: (-c[sort], c["word"]))
    return {"query": params.q, "measure": "log-likelihood", "sort": sort, "window": window,
            "min_count": min_count, "total": int(len(result.rows)), "read": len(hits),
            "capped": len(result.rows) > len(hits), "matches": matches, "window_words": window_words,
            "corpus_words": corpus_words, "found": len(found), "collocates": found[:limit],
            "parsed": describe(ix, result.parsed), "filters": {k: v for k, v in params.filters.items() if v},
            "year": params.year}
