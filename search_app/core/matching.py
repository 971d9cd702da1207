"""Which passages a query tree matches: exact substrings, words, proximity, and words that name reports.

Matching is exact substring matching on folded text (simplified, width-folded, whitespace removed): the
character n-gram postings give candidates and the folded text confirms them, so a quoted phrase returns
every passage containing it and nothing else. Unquoted text is cut into words along the index's own
vocabulary (no dictionary to load, so a cold query stays fast) and each word must occur.
"""
from __future__ import annotations

import math
import re

import numpy as np

from indexer.arrays import distinct
from indexer.divisions import short_name
from indexer.index.reader import Index
from indexer.normalize import fold
from indexer.settings import SETTINGS
from search_app.core import deadline
from search_app.core.query import Node, ParsedQuery, QueryError

MAX_SEGMENT = 8        # longest word tried when cutting query text along the vocabulary
SEGMENT_CACHE = 4096   # query strings whose cut is remembered per opened index
NAME_SEGMENTS = 8      # most segments one name spans (黔东南/苗族/侗族/自治州/人民代表大会/常务委员会)
VERIFY_BATCH = 20_000  # candidate rows read between two looks at the request's deadline


def segment(ix: Index, text: str) -> list[str]:
    """Cut folded text into words along the index vocabulary, longest first; unknown runs stay whole.

    One search asks for the same cut several times (matching, ranking, highlighting, the parsed query), and a
    generation's vocabulary never changes, so cuts are remembered per opened index.
    """
    cache = ix.cache("segments", SEGMENT_CACHE)
    cut = cache.get(text)
    if cut is None:
        cut = cache.put(text, _segment(ix.side.has_word, text))
    return list(cut)


def _segment(has_word, text: str) -> tuple[str, ...]:
    folded = fold(text)
    out: list[str] = []
    unknown = ""
    i = 0
    while i < len(folded):
        for size in range(min(MAX_SEGMENT, len(folded) - i), 0, -1):
            piece = folded[i:i + size]
            if (size > 1 or not unknown) and has_word(piece):
                break
        else:
            size, piece = 1, None
        if piece is None or (size == 1 and not _is_word_char(piece) and not unknown):
            if piece is None:
                unknown += folded[i]
            i += 1
            continue
        if unknown:
            out.append(unknown)
            unknown = ""
        out.append(piece)
        i += size
    if unknown:
        out.append(unknown)
    return tuple(w for w in out if any(_is_word_char(c) for c in w))


def _is_word_char(c: str) -> bool:
    return c.isalnum()


def substring_rows(ix: Index, needle: str, in_report: bool = False) -> np.ndarray:
    """Every row whose passage contains the folded ``needle``: n-gram candidates, then verified; remembered
    per opened index up to ``row_cache_bytes`` (the words of the day recur in most searches, and verifying a
    common one is most of a search's time), as read-only arrays.

    :param in_report: look in the report as written instead (exact phrases): a match in the headings before
        a passage, or one that runs on from a passage into the next, belongs to the passage where it starts.
    """
    needle = fold(needle)
    if not needle:
        return ix.all_rows
    cache = ix.cache("rows", SETTINGS.row_cache_bytes)
    found = cache.get((needle, in_report))
    if found is None:
        found = _substring_rows(ix, needle, in_report)
        found.flags.writeable = False
        cache.put((needle, in_report), found, found.nbytes)
    return found


def holds_at_least(ix: Index, needle: str, k: int) -> bool:
    """Whether ``k`` rows or more hold the folded ``needle`` in their passage: the rows remembered by
    ``substring_rows`` when it has them, else candidates read a batch at a time only until ``k`` are found (a
    common word answers after a batch or two, not after reading every candidate)."""
    needle = fold(needle)
    found = ix.cache("rows", SETTINGS.row_cache_bytes).get((needle, False))
    if found is not None:
        return len(found) >= k
    if len(needle) <= 2:
        return len(ix.side.passage_gram_rows(needle)) >= k
    rows = candidate_rows(ix, needle)
    if len(rows) < k:
        return False
    sure = positions_in(rows, ix.side.word_postings(needle)[0])
    held, unsure = int(sure.sum()), rows[~sure]
    step = max(4 * k, 2_048)
    for start in range(0, len(unsure), step):
        if held >= k:
            break
        deadline.check()
        held += len(ix.side.rows_containing(unsure[start:start + step], needle.encode("utf-8"), own_only=True))
    return held >= k


def candidate_rows(ix: Index, needle: str) -> np.ndarray:
    """Rows whose folded text holds every one- or two-character gram of the folded ``needle``: those that may
    contain it (all of them for a needle of one or two characters)."""
    needle = fold(needle)
    grams = [needle] if len(needle) <= 2 else list({needle[i:i + 2] for i in range(len(needle) - 1)})
    postings = sorted((ix.side.gram_rows(g) for g in grams), key=len)
    rows = np.asarray(postings[0])
    for p in postings[1:]:
        if not len(rows):
            break
        rows = intersect(rows, p)
    return rows


def _substring_rows(ix: Index, needle: str, in_report: bool) -> np.ndarray:
    side = ix.side
    if len(needle) <= 2:
        # the gram is the needle: in the report as written, its rows; in the passage, those without it only around
        found = side.gram_rows(needle) if in_report else side.passage_gram_rows(needle)
    else:
        rows = candidate_rows(ix, needle)
        # certain without reading: a row where the needle is a word of the passage
        sure = positions_in(rows, side.word_postings(needle)[0])
        unsure = rows[~sure]
        for start in range(0, len(unsure), VERIFY_BATCH):     # read a batch, then look at the clock
            deadline.check()
            keep = side.rows_containing(unsure[start:start + VERIFY_BATCH], needle.encode("utf-8"),
                                        own_only=not in_report)
            sure[np.searchsorted(rows, keep)] = True
        found = rows[sure]
    if in_report and len(needle) >= 2:
        found = union(found, side.rows_crossing(needle))
    return np.asarray(found, dtype=np.int32)


def intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The rows in both sorted, distinct arrays: the shorter looked up in the longer (np.intersect1d sorts
    both together, which costs most for a short list against a common word)."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return a.astype(np.int32)
    if len(a) * 16 < len(b):
        idx = np.minimum(np.searchsorted(b, a), len(b) - 1)
        return a[b[idx] == a].astype(np.int32)
    marked = np.zeros(int(max(a[-1], b[-1])) + 1, dtype=bool)     # both long: one pass over each
    marked[b] = True
    return a[marked[a]].astype(np.int32)


def difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The rows of sorted ``a`` that are not in sorted ``b``."""
    if not len(a) or not len(b):
        return a.astype(np.int32)
    marked = np.zeros(int(max(a[-1], b[-1])) + 1, dtype=bool)
    marked[b] = True
    return a[~marked[a]].astype(np.int32)


def union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The rows in either sorted, distinct array, sorted."""
    if not len(a) or not len(b):
        return (a if len(a) else b).astype(np.int32)
    top = int(max(a[-1], b[-1])) + 1
    if (len(a) + len(b)) * 16 < top:
        return distinct(np.concatenate([a, b])).astype(np.int32)
    marked = np.zeros(top, dtype=bool)          # both long: marking is linear, sorting is not
    marked[a] = True
    marked[b] = True
    return np.flatnonzero(marked).astype(np.int32)


def locator(rows: np.ndarray, limit: int):
    """A function giving, for rows below ``limit``, their index in the sorted, distinct ``rows`` (-1 for the
    others): a table of every row when ``rows`` are many (a look-up each), a binary search when they are few."""
    if len(rows) * 32 >= limit:
        table = np.full(limit, -1, dtype=np.int32)
        table[rows] = np.arange(len(rows), dtype=np.int32)
        return lambda other: table[other]

    def search(other: np.ndarray) -> np.ndarray:
        at = np.searchsorted(rows, other)
        found = at < len(rows)
        found[found] = rows[at[found]] == other[found]
        return np.where(found, at, -1)
    return search


def positions_in(rows: np.ndarray, others: np.ndarray) -> np.ndarray:
    """A mask over sorted ``rows``: True where the row is among the sorted ``others``."""
    mask = np.zeros(len(rows), dtype=bool)
    if len(rows) and len(others):
        at = locator(rows, int(max(rows[-1], others[-1])) + 1)(others)
        mask[at[at >= 0]] = True
    return mask


def _near_rows(ix: Index, node: Node) -> np.ndarray:
    """Rows where the words of ``node.text`` all occur within ``node.slop`` words of each other."""
    words = [w for part in node.text.split() for w in segment(ix, part)]
    if not words:
        return ix.all_rows
    if len(words) == 1:
        return substring_rows(ix, words[0])
    # positions exist only for whole words, so only passages holding every word as a word can qualify
    rows = ix.all_rows
    for w in words:
        deadline.check()
        rows = intersect(rows, ix.side.word_postings(w)[0])
    if not len(rows):
        return rows
    distinct = list(dict.fromkeys(words))
    flat = [ix.side.word_positions(w, rows) for w in distinct]
    if len(distinct) == 2:
        return rows[_pair_span(len(rows), flat) - 1 <= node.slop]
    per_row = [np.split(pos, np.searchsorted(which, np.arange(1, len(rows)))) for which, pos in flat]
    keep = []
    for i, r in enumerate(rows.tolist()):
        if i % 1024 == 0:
            deadline.check()
        if _window([p[i].tolist() for p in per_row]) - (len(distinct) - 1) <= node.slop:
            keep.append(r)
    return np.asarray(keep, dtype=np.int32)


def _pair_span(n: int, flat: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """For each of ``n`` rows, the smallest distance between a position of the first word and one of the
    second: in each row's positions of both in order, it is between neighbours of different words."""
    (wa, pa), (wb, pb) = flat
    which, pos = np.concatenate([wa, wb]), np.concatenate([pa, pb])
    label = np.concatenate([np.zeros(len(wa), dtype=np.int8), np.ones(len(wb), dtype=np.int8)])
    order = np.lexsort((pos, which))
    which, pos, label = which[order], pos[order], label[order]
    pair = (which[1:] == which[:-1]) & (label[1:] != label[:-1])
    best = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(best, which[:-1][pair], (pos[1:] - pos[:-1])[pair])
    return best


def _window(lists: list[list[int]]) -> int:
    """Smallest span of positions that holds one position from each list."""
    events = sorted((p, i) for i, ps in enumerate(lists) for p in ps)
    need, have, best, lo = len(lists), {}, math.inf, 0
    for p, i in events:
        have[i] = have.get(i, 0) + 1
        while len(have) == need:
            best = min(best, p - events[lo][0])
            j = events[lo][1]
            have[j] -= 1
            if not have[j]:
                del have[j]
            lo += 1
    return int(best)


def evaluate(ix: Index, node: Node, by_report: bool | None = None) -> np.ndarray:
    """The sorted rows matching a query tree.

    :param by_report: let words that name a congress, a place or a year also match through the report's
        metadata (see ``report_rows``); by default, when the query has more than one word.
    """
    if by_report is None:
        by_report = names_reports(ix, node)
    if node.op == "all":
        return ix.all_rows
    if node.op == "phrase":
        return substring_rows(ix, node.text, in_report=True)
    deadline.check()
    if node.op == "word":
        rows = ix.all_rows
        for w in distinct_words(ix, node.text):
            deadline.check()
            found = substring_rows(ix, w)
            named = report_rows(ix, w) if by_report else None
            if named is not None:
                found = union(found, named)
            rows = intersect(rows, found) if len(rows) else rows
        return rows
    if node.op == "near":
        return _near_rows(ix, node)
    if node.op == "not":
        return difference(ix.all_rows, evaluate(ix, node.children[0], by_report))
    if node.op == "or":
        out = np.zeros(0, dtype=np.int32)
        for c in node.children:
            out = union(out, evaluate(ix, c, by_report))
        return out.astype(np.int32)
    rows = ix.all_rows
    for c in sorted(node.children, key=lambda c: c.op == "not"):
        if not len(rows):
            break
        if c.op == "not":
            rows = difference(rows, evaluate(ix, c.children[0], by_report))
        else:
            rows = intersect(rows, evaluate(ix, c, by_report))
    return rows


# ------------------------------------------------------------------- words that name a report, not its text

# A report seldom repeats its own congress, region or year in its passages: 湖州's report says 市 and 常委会,
# not 浙江 or 湖州市人大常委会; the 2022 report rarely writes 2022年. So in a query of several words, a word that
# names a congress, a place or a year also matches the passages of the reports it names.
CONGRESS_WORDS = ("人民代表大会常务委员会", "人民代表大会", "常务委员会", "人大常委会", "常委会", "人大")
_YEAR_WORD = re.compile(r"((?:19|20)\d\d)年?度?")


def names_reports(ix: Index, node: Node) -> bool:
    """Whether a query lets words match through report metadata: when it has more than one word."""
    count = 0
    for kind, text in ParsedQuery(node, {}, None).positive_texts():
        count += len(chunk_words(ix, text)) if kind == "word" else 1
    return count > 1


def chunk_words(ix: Index, text: str) -> list[str]:
    """The words of an unquoted chunk: its segments (``segment``), where neighbouring segments that together
    name a place, a congress or a year are one word (内/蒙古 → 内蒙古, 浙江省/人大常委会 → 浙江省人大常委会);
    remembered per opened index, like the cut."""
    cache = ix.cache("chunks", SEGMENT_CACHE)
    if text in cache:
        return list(cache[text])
    segs = segment(ix, text)
    out, i = [], 0
    while i < len(segs):
        j = next((j for j in range(min(len(segs), i + NAME_SEGMENTS), i + 1, -1) if _names(ix, "".join(segs[i:j]))),
                 i + 1)
        out.append("".join(segs[i:j]))
        i = j
    cache.put(text, tuple(out))
    return out


def distinct_words(ix: Index, text: str) -> list[str]:
    """The words an unquoted chunk must all match, each once (的的的… is one word to look up, not 256).

    :raises QueryError: for more distinct words than ``max_chunk_words``: each is a lookup of its own.
    """
    words = list(dict.fromkeys(chunk_words(ix, text))) or [text]
    if len(words) > SETTINGS.max_chunk_words:
        raise QueryError(f"检索词太多：“{text[:20]}…”切分出 {len(words)} 个不同的词（上限 {SETTINGS.max_chunk_words} 个）；"
                         "要查原文请给它加上引号")
    return words


def _names(ix: Index, folded: str) -> tuple | None:
    """What a folded word names: ("year", 2022), ("congress",) for every report, ("place", codes), or None."""
    year = _YEAR_WORD.fullmatch(folded)
    if year:
        return ("year", int(year.group(1)))
    core = folded
    while core and (tail := next((c for c in CONGRESS_WORDS if core.endswith(c)), None)):
        core = core[:-len(tail)]
    if not core:
        return ("congress",) if folded else None
    codes = places(ix).get(core)
    return ("place", codes) if codes else None


def report_rows(ix: Index, word: str) -> np.ndarray | None:
    """Rows of the reports that ``word`` names, or None for a word that names no report.

    A year (2022, 2022年) names the reports of that year; a place (浙江, 宁夏, 湖州市, 全国), with or without a
    congress word after it (湖州市人大常委会, 全国人大), names the reports of that region or province; a congress
    word alone (人大常委会) names every report.
    """
    named = _names(ix, fold(word))
    if named is None:
        return None
    if named[0] == "year":
        return np.flatnonzero(np.asarray(ix.side["year"]) == named[1]).astype(np.int32)
    if named[0] == "congress":
        return ix.all_rows
    mask = np.zeros(ix.size, dtype=bool)
    for facet, values in named[1].items():
        mask |= np.isin(np.asarray(ix.side[f"fac_{facet}"]), values)
    return np.flatnonzero(mask).astype(np.int32)


def places(ix: Index) -> dict[str, dict[str, list[int]]]:
    """Place names (full and short: 浙江省 and 浙江) → the region and province facet codes they name; once per
    generation."""
    found = ix.memo.get("places")
    if found is None:
        found = {}
        for facet in ("region", "province"):
            for code, name in enumerate(ix.side.facet_values(facet)):
                for key in {name, short_name(name)} if name else ():
                    found.setdefault(key, {}).setdefault(facet, []).append(code)
        ix.memo["places"] = found
    return found
