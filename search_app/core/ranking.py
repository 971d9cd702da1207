"""Ranking: BM25 over the jieba word postings, with bonuses for words in the heading or title, for words that
name the passage's report, and for the exact unquoted string; and the order of a result set.
"""
from __future__ import annotations

import math

import numpy as np

from indexer.index.reader import Index
from indexer.normalize import fold
from search_app.core import deadline
from search_app.core.matching import candidate_rows, chunk_words, locator, positions_in, report_rows, substring_rows
from search_app.core.query import ParsedQuery

K1, B = 1.2, 0.75
HEAD_BOOST = 1.0
EXACT_BONUS = 2.0
EXACT_BATCH = 256       # rows read at a time for the exact-string bonus, best first
SORTS = ("relevance", "newest", "oldest")


def terms_for_ranking(ix: Index, parsed: ParsedQuery) -> tuple[list[str], list[str]]:
    words, exact = [], []
    for kind, text in parsed.positive_texts():
        segs = chunk_words(ix, text)
        words.extend(segs)
        if kind == "word" and len(segs) > 1:
            exact.append(text)
    return list(dict.fromkeys(words)), exact


def score_rows(ix: Index, rows: np.ndarray, words: list[str], by_report: bool = False) -> np.ndarray:
    """BM25 over the word postings, plus heading/title bonuses, for ``rows`` (sorted).

    With ``by_report``, a word that names some reports (a place, a year) counts like a heading word for their
    passages, so that a passage of 湖州's report ranks with one that writes 浙江 in its text.
    """
    scores = np.zeros(len(rows), dtype=np.float64)
    if not len(rows):
        return scores
    locate = locator(rows, ix.size)
    for w in words if by_report else ():
        named = report_rows(ix, w)
        if named is not None and 0 < len(named) < ix.n:
            idf = math.log(1 + (ix.n - len(named) + 0.5) / (len(named) + 0.5))
            at = locate(named)
            scores[at[at >= 0]] += HEAD_BOOST * idf
    norm = np.asarray(ix.side["plen"])[rows].astype(np.float64)
    norm *= K1 * B / ix.avg_len
    norm += K1 * (1 - B)
    for w in words:
        deadline.check()
        idf = None
        for head in (False, True):
            prow, tf = ix.side.word_postings(w, head=head)
            if idf is None:     # the passage text's df for both: a word rare in headings is not rare in reports
                idf = math.log(1 + (ix.n - len(prow) + 0.5) / (len(prow) + 0.5))
            if not len(prow):
                continue
            at = locate(prow)
            ok = at >= 0
            at = at[ok]
            if head:
                scores[at] += HEAD_BOOST * idf
            else:
                t = tf[ok].astype(np.float64)
                part = t * (idf * (K1 + 1))
                t += norm[at]
                part /= t
                scores[at] += part
    return scores


def rank(ix: Index, rows: np.ndarray, words: list[str], exact: list[str], by_report: bool, sort: str, k: int) \
        -> tuple[np.ndarray, np.ndarray]:
    """Scores of ``rows`` (sorted) and the indexes of the first ``k`` in the requested order: BM25
    (``score_rows``) plus a bonus where the passage holds an unquoted word of several segments as written
    (``exact``: 民生实事 as well as 民生 and 实事).

    Reading passages for that bonus is most of a common word's search, and only the first ``k`` need it:
    rows are read best first until no row still unread could reach the ``k``-th score, so the first ``k``, and
    their scores, are exactly those of reading every row; the other rows' scores may lack the bonus.
    """
    scores = score_rows(ix, rows, words, by_report)
    bonus, unread = [], []
    for text in exact:
        maybe = positions_in(rows, candidate_rows(ix, text))        # rows that may hold it: its grams' rows
        bonus.append(EXACT_BONUS * max(1.0, math.log(1 + ix.n / max(1, int(maybe.sum())))))
        unread.append(maybe)
    if bonus and not (sort == "relevance" and 0 < k < len(rows) // 4):
        for text, b in zip(exact, bonus):
            scores[positions_in(rows, substring_rows(ix, text))] += b
        return scores, order(ix, rows, scores, sort, k)
    while bonus:
        upper = scores.copy()
        for b, u in zip(bonus, unread):     # added in the order the bonuses are given, so the bound rounds as they do
            upper += b * u
        bound = np.partition(scores, len(scores) - k)[len(scores) - k]      # the k-th best score so far
        open_rows = np.flatnonzero((upper >= bound) & np.logical_or.reduce(unread))
        if not len(open_rows):
            break
        batch = open_rows[np.argsort(-upper[open_rows], kind="stable")[:max(EXACT_BATCH, 4 * k)]]
        for text, b, maybe in zip(exact, bonus, unread):
            deadline.check()
            at = np.sort(batch[maybe[batch]])
            held = positions_in(rows[at], ix.side.rows_containing(rows[at], fold(text).encode("utf-8"),
                                                                  own_only=True))
            scores[at[held]] += b
            maybe[at] = False
    return scores, order(ix, rows, scores, sort, k)


def order(ix: Index, rows: np.ndarray, scores: np.ndarray, sort: str, k: int) -> np.ndarray:
    """Indexes into ``rows`` of the first ``k`` results in the requested order (ties by row).

    Only the candidates for the first ``k`` are sorted: those at or above the k-th best primary key, ties
    included, so the order is exactly that of sorting them all.
    """
    if sort == "relevance":
        keys = (rows, -scores)
    else:
        years = np.asarray(ix.side["year"])[rows].astype(np.int64)
        keys = (rows, -scores, -years if sort == "newest" else np.where(years == 0, 9999, years))
    if 0 < k < len(rows) // 4:
        primary = keys[-1]
        bound = np.partition(primary, k - 1)[k - 1]
        candidates = np.flatnonzero(primary <= bound)
        return candidates[np.lexsort(tuple(key[candidates] for key in keys))][:k]
    return np.lexsort(keys)[:k]
