"""The search core: parse a query, find every matching passage, count facets, rank, highlight.

Pure with respect to the web and the command line: ``search(index, params) -> dict`` is all they call.
Matching is exact substring matching on folded text (simplified, width-folded, whitespace removed): the
character n-gram postings give candidates and the folded text confirms them, so a quoted phrase returns
every passage containing it and nothing else. Unquoted text is cut into words along the index's own
vocabulary (no dictionary to load, so a cold query stays fast) and each word must occur; ranking is BM25
over the jieba word postings, with a boost for words in the heading or title and a bonus for the exact
unquoted string. Facet counts are exact counts over the whole filtered result set.
"""
from __future__ import annotations

import functools
import json
import math
import re
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index

from indexer.index.build import current_generation
from indexer.normalize import fold
from indexer.index.sidecar import FACETS, Sidecar
from search_app.highlight import highlight, kwic, match_spans, merge_spans, tail_span
from search_app.query import Node, ParsedQuery, QueryError, parse

MAX_LIMIT = 10_000          # hits returned by one call (the web layer pages far below this)
MAX_OFFSET = 100_000
FACET_SIZE = 50             # values listed per facet, most frequent first
MAX_SEGMENT = 8             # longest word tried when cutting query text along the vocabulary
K1, B = 1.2, 0.75
HEAD_BOOST = 1.0
EXACT_BONUS = 2.0
SORTS = ("relevance", "newest", "oldest")
HIT_FIELDS = ("passage_id", "doc_id", "title", "region", "province", "level", "year", "doc_type", "section",
              "heading", "text", "highlight", "score")
FACET_PARAMS = {"region": "region", "province": "province", "level": "level", "section": "section",
                "doc_type": "doc_type"}


class Index:
    """One opened index generation: the sidecar arrays and a Whoosh searcher per thread."""

    def __init__(self, index_dir: str | Path):
        self._searchers: list = []          # first, so that close() works even if opening fails below
        self._lock = threading.Lock()
        self.dir = Path(index_dir)
        self.generation = current_generation(self.dir)
        self.side = Sidecar(self.generation / "side")
        self.whoosh = whoosh_index.open_dir(str(self.generation / "whoosh"))
        self._local = threading.local()
        self.n = self.side.rows
        self.all_rows = np.arange(self.n, dtype=np.int32)
        plen = np.asarray(self.side["plen"], dtype=np.float64)
        self.avg_len = float(plen.mean()) if self.n else 1.0
        self._doc_offsets: dict[str, int] | None = None
        self._places: dict[str, dict[str, list[int]]] | None = None
        self._doc_lock = threading.Lock()
        self.segmentations = functools.lru_cache(maxsize=SEGMENT_CACHE)(functools.partial(_segment, self))

    def document(self, doc_id: str) -> dict | None:
        """One document of the generation (metadata, text, sections), found by a byte-offset table built once."""
        path = self.generation / "documents.jsonl"
        with self._doc_lock:
            if self._doc_offsets is None:
                offsets, pos = {}, 0
                with path.open("rb") as fh:
                    for line in fh:
                        m = _DOC_ID.match(line)
                        if m:
                            offsets[m.group(1).decode()] = pos
                        pos += len(line)
                self._doc_offsets = offsets
        pos = self._doc_offsets.get(doc_id)
        if pos is None:
            return None
        with path.open("rb") as fh:
            fh.seek(pos)
            return json.loads(fh.readline())

    @property
    def searcher(self):
        s = getattr(self._local, "searcher", None)
        if s is None:
            s = self._local.searcher = self.whoosh.searcher()
            with self._lock:
                self._searchers.append(s)
        return s

    def places(self) -> dict[str, dict[str, list[int]]]:
        """Place names (full and short: 浙江省 and 浙江) → the region and province facet codes they name."""
        if self._places is None:
            from indexer.understand.divisions import short_name
            places: dict[str, dict[str, list[int]]] = {}
            for facet in ("region", "province"):
                for code, name in enumerate(self.side.facet_values(facet)):
                    for key in {name, short_name(name)} if name else ():
                        places.setdefault(key, {}).setdefault(facet, []).append(code)
            self._places = places
        return self._places

    def close(self) -> None:
        """Close every thread's Whoosh searcher: the segment files stay open until then."""
        with self._lock:
            searchers, self._searchers = self._searchers, []
        for s in searchers:
            s.close()

    def __del__(self):
        # A replaced generation is dropped once no request holds it any more; its files close with it.
        self.close()

    def stored(self, row: int) -> dict:
        return self.searcher.stored_fields(int(row))

    def is_current(self) -> bool:
        try:
            return (self.dir / "CURRENT").read_text(encoding="utf-8").strip() == self.generation.name
        except OSError:
            return False


_DOC_ID = re.compile(rb'\{"doc_id": "([^"]+)"')
_OPEN: dict[str, Index] = {}
_OPEN_LOCK = threading.Lock()


def open_index(index_dir: str | Path) -> Index:
    """The index at ``index_dir``, opened once per process and reopened when a new generation goes live."""
    key = str(Path(index_dir).resolve())
    with _OPEN_LOCK:
        ix = _OPEN.get(key)
        if ix is None or not ix.is_current():
            ix = _OPEN[key] = Index(index_dir)
        return ix


# -------------------------------------------------------------------------------------------- matching

SEGMENT_CACHE = 4096   # query strings whose cut is remembered per opened index


def segment(ix: Index, text: str) -> list[str]:
    """Cut folded text into words along the index vocabulary, longest first; unknown runs stay whole.

    One search asks for the same cut several times (matching, ranking, highlighting, the parsed query), and a
    generation's vocabulary never changes, so cuts are remembered per opened index.
    """
    return list(ix.segmentations(text))


def _segment(ix: Index, text: str) -> tuple[str, ...]:
    folded = fold(text)
    out: list[str] = []
    unknown = ""
    i = 0
    vocab = ix.side.word_vocab
    while i < len(folded):
        for size in range(min(MAX_SEGMENT, len(folded) - i), 0, -1):
            piece = folded[i:i + size]
            if (size > 1 or not unknown) and vocab.find(piece) >= 0:
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
    """Every row whose passage contains the folded ``needle``: n-gram candidates, then verified.

    :param in_report: look in the report as written instead (exact phrases): a match in the headings before
        a passage, or one that runs on from a passage into the next, belongs to the passage where it starts.
    """
    needle = fold(needle)
    if not needle:
        return ix.all_rows
    side = ix.side
    grams = [needle] if len(needle) <= 2 else list({needle[i:i + 2] for i in range(len(needle) - 1)})
    postings = sorted((side.gram_rows(g) for g in grams), key=len)
    rows = np.asarray(postings[0])
    for p in postings[1:]:
        if not len(rows):
            break
        rows = np.intersect1d(rows, p, assume_unique=True)
    if len(needle) <= 2 and in_report:
        found = rows              # the gram is the needle
    else:
        # certain without reading: a row where the needle is a word of the passage, and for a one- or
        # two-character needle (a gram) a row whose text is the passage alone
        sure = _positions_in(rows, side.word_postings(needle)[0])
        if len(needle) <= 2:
            sure |= side.plain_rows()[rows]
        keep = side.rows_containing(rows[~sure], needle.encode("utf-8"), own_only=not in_report)
        sure[np.searchsorted(rows, keep)] = True
        found = rows[sure]
    if in_report and len(needle) >= 2:
        found = np.union1d(found, side.rows_crossing(needle))
    return np.asarray(found, dtype=np.int32)


def _positions_in(rows: np.ndarray, others: np.ndarray) -> np.ndarray:
    """A mask over sorted ``rows``: True where the row is among the sorted ``others``."""
    mask = np.zeros(len(rows), dtype=bool)
    if len(rows) and len(others):
        idx = np.searchsorted(rows, others)
        ok = idx < len(rows)
        ok[ok] = rows[idx[ok]] == others[ok]
        mask[idx[ok]] = True
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
        rows = np.intersect1d(rows, ix.side.word_postings(w)[0], assume_unique=True)
    if not len(rows):
        return rows
    distinct = list(dict.fromkeys(words))
    positions = [ix.side.word_positions(w, rows) for w in distinct]
    keep = [r for i, r in enumerate(rows.tolist())
            if _window([p[i].tolist() for p in positions]) - (len(distinct) - 1) <= node.slop]
    return np.asarray(keep, dtype=np.int32)


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
    if node.op == "word":
        rows = ix.all_rows
        for w in chunk_words(ix, node.text) or [node.text]:
            found = substring_rows(ix, w)
            named = report_rows(ix, w) if by_report else None
            if named is not None:
                found = np.union1d(found, named).astype(np.int32)
            rows = np.intersect1d(rows, found, assume_unique=True) if len(rows) else rows
        return rows
    if node.op == "near":
        return _near_rows(ix, node)
    if node.op == "not":
        return np.setdiff1d(ix.all_rows, evaluate(ix, node.children[0], by_report), assume_unique=True)
    if node.op == "or":
        out = np.zeros(0, dtype=np.int32)
        for c in node.children:
            out = np.union1d(out, evaluate(ix, c, by_report))
        return out.astype(np.int32)
    rows = ix.all_rows
    for c in sorted(node.children, key=lambda c: c.op == "not"):
        if not len(rows):
            break
        if c.op == "not":
            rows = np.setdiff1d(rows, evaluate(ix, c.children[0], by_report), assume_unique=True)
        else:
            rows = np.intersect1d(rows, evaluate(ix, c, by_report), assume_unique=True)
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
    name a place, a congress or a year are one word (内/蒙古 → 内蒙古, 浙江省/人大常委会 → 浙江省人大常委会)."""
    segs = segment(ix, text)
    out, i = [], 0
    while i < len(segs):
        j = next((j for j in range(len(segs), i + 1, -1) if _names(ix, "".join(segs[i:j]))), i + 1)
        out.append("".join(segs[i:j]))
        i = j
    return out


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
    codes = ix.places().get(core)
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
    mask = np.zeros(ix.n, dtype=bool)
    for facet, values in named[1].items():
        mask |= np.isin(np.asarray(ix.side[f"fac_{facet}"]), values)
    return np.flatnonzero(mask).astype(np.int32)


# ----------------------------------------------------------------------------------- filters, facets

@dataclass
class Params:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    year: str | None = None
    limit: int = 10
    offset: int = 0
    sort: str = "relevance"
    facet_size: int = FACET_SIZE
    context: int = 60
    kwic: bool = False
    relax: bool = True          # when all the words together match nothing, show passages with most of them


def _filter_mask(ix: Index, rows: np.ndarray, filters: dict[str, list[str]],
                 year_range: tuple[int, int] | None) -> np.ndarray:
    keep = np.ones(len(rows), dtype=bool)
    for name, values in filters.items():
        if not values:
            continue
        table = ix.side.facet_values(name)
        codes = [table.index(v) for v in set(values) if v in table]
        keep &= np.isin(np.asarray(ix.side[f"fac_{name}"])[rows], codes)
    if year_range:
        years = np.asarray(ix.side["year"])[rows]
        keep &= (years >= year_range[0]) & (years <= year_range[1])
    return rows[keep]


def _facet(ix: Index, name: str, rows: np.ndarray, selected: list[str], size: int) -> list[dict]:
    """Exact counts of one facet's values over ``rows``, largest first; selected values are always listed."""
    table = ix.side.facet_values(name)
    counts = np.bincount(np.asarray(ix.side[f"fac_{name}"])[rows], minlength=len(table))
    order = sorted((i for i in range(len(table)) if counts[i]), key=lambda i: (-counts[i], table[i]))[:size]
    listed = [{"value": table[i] or None, "count": int(counts[i])} for i in order]
    for v in selected:
        if not any(item["value"] == v for item in listed):
            i = table.index(v) if v in table else None
            listed.append({"value": v, "count": int(counts[i]) if i is not None else 0})
    return listed


def facet_counts(ix: Index, rows: np.ndarray, selected: dict[str, list[str]], size: int = FACET_SIZE) \
        -> dict[str, list[dict]]:
    """Exact counts of every facet value over ``rows``; selected values are always listed."""
    out = {name: _facet(ix, name, rows, selected.get(name, []), size) for name in FACETS}
    out["year"] = _year_facet(ix, rows)
    return out


def _year_facet(ix: Index, rows: np.ndarray) -> list[dict]:
    """Exact counts per year over ``rows``, newest first (None: no year known)."""
    years = np.asarray(ix.side["year"])[rows].astype(np.int64)
    values, counts = np.unique(years, return_counts=True)
    return [{"value": int(y) or None, "count": int(c)}
            for y, c in sorted(zip(values.tolist(), counts.tolist()), key=lambda yc: -yc[0])]


def facets_or(ix: Index, query_rows: np.ndarray, filters: dict[str, list[str]],
              year_range: tuple[int, int] | None, size: int = FACET_SIZE) -> dict[str, list[dict]]:
    """For each facet with a selected value, its counts over the results of every *other* filter (the year
    too, when a year range is set).

    ``facets`` counts the result set itself, where a filtered facet shows only its selected values; these
    counts say what ticking one more value would add (values of one facet are OR-ed), so the sidebar can
    offer them. A selected value's count here equals its count in ``facets``.
    """
    out = {}
    for name, values in filters.items():
        if values and name in FACETS:
            others = {k: v for k, v in filters.items() if k != name}
            out[name] = _facet(ix, name, _filter_mask(ix, query_rows, others, year_range), values, size)
    if year_range:
        out["year"] = _year_facet(ix, _filter_mask(ix, query_rows, filters, None))
    return out


_REGION_PROVINCES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # dies with its generation


def region_provinces(ix: Index) -> dict[str, str | None]:
    """Each region value's province as the index stores them together (None for 全国 and for a name stored
    with several provinces), so the region facet can be nested under the province facet. Once per generation."""
    if ix not in _REGION_PROVINCES:
        _REGION_PROVINCES[ix] = _pair_regions_with_provinces(ix)
    return _REGION_PROVINCES[ix]


def _pair_regions_with_provinces(ix: Index) -> dict[str, str | None]:
    regions, provinces = ix.side.facet_values("region"), ix.side.facet_values("province")
    pairs = np.unique(np.asarray(ix.side["fac_region"]).astype(np.int64) * len(provinces)
                      + np.asarray(ix.side["fac_province"]))
    seen: dict[str, set[str]] = {}
    for code in pairs.tolist():
        r, p = divmod(code, len(provinces))
        seen.setdefault(regions[r], set()).add(provinces[p])
    return {name: (next(iter(ps)) or None) if len(ps) == 1 else None for name, ps in seen.items() if name}


# ----------------------------------------------------------------------------------------------- rank

def _terms_for_ranking(ix: Index, parsed: ParsedQuery) -> tuple[list[str], list[str]]:
    words, exact = [], []
    for kind, text in parsed.positive_texts():
        segs = chunk_words(ix, text)
        words.extend(segs)
        if kind == "word" and len(segs) > 1:
            exact.append(text)
    return list(dict.fromkeys(words)), exact


def score_rows(ix: Index, rows: np.ndarray, words: list[str], exact: list[str], by_report: bool = False) \
        -> np.ndarray:
    """BM25 over the word postings, plus heading/title and exact-string bonuses, for ``rows`` (sorted).

    With ``by_report``, a word that names some reports (a place, a year) counts like a heading word for their
    passages, so that a passage of 湖州's report ranks with one that writes 浙江 in its text.
    """
    scores = np.zeros(len(rows), dtype=np.float64)
    if not len(rows):
        return scores
    for w in words if by_report else ():
        named = report_rows(ix, w)
        if named is not None and 0 < len(named) < ix.n:
            idf = math.log(1 + (ix.n - len(named) + 0.5) / (len(named) + 0.5))
            scores[np.isin(rows, named, assume_unique=True)] += HEAD_BOOST * idf
    plen = np.asarray(ix.side["plen"])[rows].astype(np.float64)
    norm = K1 * (1 - B + B * plen / ix.avg_len)
    for w in words:
        idf = None
        for head in (False, True):
            prow, tf = ix.side.word_postings(w, head=head)
            if idf is None:     # the passage text's df for both: a word rare in headings is not rare in reports
                idf = math.log(1 + (ix.n - len(prow) + 0.5) / (len(prow) + 0.5))
            if not len(prow):
                continue
            idx = np.searchsorted(rows, prow)
            ok = idx < len(rows)
            ok[ok] = rows[idx[ok]] == prow[ok]
            if head:
                scores[idx[ok]] += HEAD_BOOST * idf
            else:
                t = tf[ok].astype(np.float64)
                scores[idx[ok]] += idf * t * (K1 + 1) / (t + norm[idx[ok]])
    for text in exact:
        hit = np.isin(rows, substring_rows(ix, text), assume_unique=True)
        scores[hit] += EXACT_BONUS * max(1.0, math.log(1 + ix.n / max(1, int(hit.sum()))))
    return scores


def _order(ix: Index, rows: np.ndarray, scores: np.ndarray, sort: str, k: int) -> np.ndarray:
    """Indexes into ``rows`` of the first ``k`` results in the requested order."""
    if sort == "relevance":
        key = np.lexsort((rows, -scores))
    else:
        years = np.asarray(ix.side["year"])[rows].astype(np.int64)
        key = np.lexsort((rows, -scores, -years if sort == "newest" else np.where(years == 0, 9999, years)))
    return key[:k]


# --------------------------------------------------------------------------------------------- search

def _hit(ix: Index, row: int, score: float, needles: list[str], context: int, with_kwic: bool,
         phrases: tuple[str, ...] = ()) -> dict:
    """One result. ``lead`` is the headings before the passage (marked in ``lead_highlight`` when the query
    matched there); a phrase that runs on into the next passage is marked where it starts, at the end."""
    s = ix.stored(row)
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
    hit = {"passage_id": s["passage_id"], "doc_id": s["doc_id"], "title": s["title_text"],
           "region": s["region"] or None, "province": s["province"] or None, "level": s["level"] or None,
           "year": s["year"] or None, "doc_type": s["doc_type"], "section": s["category"],
           "heading": s["heading_text"], "text": text, "highlight": str(highlight(text, spans, context)),
           "score": round(float(score), 4), "body": s["body"], "ordinal": s["ordinal"], "lead": lead,
           "lead_highlight": str(highlight(lead, lead_spans, whole=True)) if lead_spans else ""}
    if with_kwic:
        hit["kwic"] = [list(line) for line in kwic(text, spans)]
    return hit


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
            "ignored": parsed.ignored}


def merge_filters(parsed: ParsedQuery, params: Params) -> tuple[dict[str, list[str]], tuple[int, int] | None]:
    from search_app.query import parse_year_range
    filters = {k: list(v) for k, v in parsed.filters.items()}
    for name, values in params.filters.items():
        if name not in FACET_PARAMS:
            raise QueryError(f"没有 {name!r} 这个筛选条件")
        filters.setdefault(name, []).extend(v for v in values if v)
    year_range = parsed.year_range
    if params.year:
        lo, hi = parse_year_range(params.year)
        if year_range:
            lo, hi = max(lo, year_range[0]), min(hi, year_range[1])
        year_range = (lo, hi)
    return filters, year_range


def _query_rows(ix: Index, params: Params) -> tuple[ParsedQuery, np.ndarray, dict, tuple | None]:
    """The parsed query, the rows it matches before any filter, and the filters (query and parameters)."""
    parsed = parse(params.q) if params.q.strip() else parse_filters_only(params)
    filters, year_range = merge_filters(parsed, params)
    return parsed, evaluate(ix, parsed.tree), filters, year_range


def matching_rows(ix: Index, params: Params) -> tuple[ParsedQuery, np.ndarray, dict, tuple | None]:
    parsed, rows, filters, year_range = _query_rows(ix, params)
    return parsed, _filter_mask(ix, rows, filters, year_range), filters, year_range


# ------------------------------------------------------------------------ when every word together matches nothing

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
                "missing": {w: int(len(self.rows) - _positions_in(self.rows, r).sum()) for w, r in self.word_rows.items()}}


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
            required = np.setdiff1d(required, evaluate(ix, n.children[0], by_report), assume_unique=True)
        else:
            required = np.intersect1d(required, evaluate(ix, n, by_report), assume_unique=True)
    counts = np.zeros(ix.n, dtype=np.int16)
    for rows in word_rows.values():
        counts[rows] += 1
    candidates = _filter_mask(ix, required, filters, year_range)
    best = int(counts[candidates].max()) if len(candidates) else 0
    if best < len(word_rows) - len(word_rows) // 2:
        return None
    return Relaxed(required[counts[required] == best], candidates[counts[candidates] == best], list(word_rows),
                   best, word_rows)


@dataclass
class Result:
    """The rows a search answers with: ``query_rows`` before the filters, ``rows`` after them."""
    parsed: ParsedQuery
    query_rows: np.ndarray
    rows: np.ndarray
    filters: dict
    year_range: tuple | None
    relaxed: Relaxed | None


def result_rows(ix: Index, params: Params) -> Result:
    """What ``search`` and the exports answer: the query under its filters, relaxed when that finds nothing."""
    parsed, query_rows, filters, year_range = _query_rows(ix, params)
    rows = _filter_mask(ix, query_rows, filters, year_range)
    relaxed = relax(ix, parsed, filters, year_range) if not len(rows) and params.relax else None
    if relaxed:
        query_rows, rows = relaxed.query_rows, relaxed.rows
    return Result(parsed, query_rows, rows, filters, year_range, relaxed)


def parse_filters_only(params: Params) -> ParsedQuery:
    if not any(params.filters.values()) and not params.year:
        raise QueryError("检索式是空的：请输入要找的词，或选择一个筛选条件")
    return ParsedQuery(Node("all"), {}, None)


MAX_EXPORT = 100_000       # rows one export may stream


def export_records(ix: Index, params: Params, limit: int = MAX_EXPORT):
    """Every passage of the result in result order (up to ``limit``), as plain records without highlights;
    a relaxed result's records say which words each lacks (``missing``)."""
    result = result_rows(ix, params)
    rows, parsed = result.rows, result.parsed
    words, exact = _terms_for_ranking(ix, parsed)
    scores = score_rows(ix, rows, words, exact, names_reports(ix, parsed.tree))
    for i in _order(ix, rows, scores, params.sort, min(len(rows), limit)):
        s = ix.stored(int(rows[i]))
        record = {"passage_id": s["passage_id"], "doc_id": s["doc_id"], "title": s["title_text"], "body": s["body"],
                  "region": s["region"] or None, "province": s["province"] or None, "level": s["level"] or None,
                  "year": s["year"] or None, "doc_type": s["doc_type"], "section": s["category"],
                  "heading": s["heading_text"], "text": s["text"], "score": round(float(scores[i]), 4)}
        if result.relaxed:
            record["missing"] = " ".join(result.relaxed.missing(int(rows[i])))
        yield record


def search(ix: Index, params: Params) -> dict:
    """Run one search. :raises QueryError: for queries and parameters that cannot be run."""
    t0 = time.perf_counter()
    if params.sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}")
    if not 0 <= params.limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 0 and {MAX_LIMIT}")
    if not 0 <= params.offset <= MAX_OFFSET:
        raise QueryError(f"offset must be between 0 and {MAX_OFFSET}")
    result = result_rows(ix, params)
    parsed, query_rows, rows, relaxed = result.parsed, result.query_rows, result.rows, result.relaxed
    filters, year_range = result.filters, result.year_range
    words, exact = _terms_for_ranking(ix, parsed)
    scores = score_rows(ix, rows, words, exact, names_reports(ix, parsed.tree))
    top = _order(ix, rows, scores, params.sort, params.offset + params.limit)[params.offset:]
    needles = highlight_needles(ix, parsed)
    phrases = tuple(text for kind, text in parsed.positive_texts() if kind == "phrase")
    hits = [_hit(ix, int(rows[i]), scores[i], needles, params.context, params.kwic, phrases) for i in top]
    if relaxed:
        for h, i in zip(hits, top):
            h["missing"] = relaxed.missing(int(rows[i]))
    facets = facet_counts(ix, rows, filters, params.facet_size)
    out = {"query": params.q, "total": int(len(rows)), "took_ms": 0.0, "offset": params.offset,
           "limit": params.limit, "sort": params.sort, "hits": hits, "facets": facets,
           "facets_or": facets_or(ix, query_rows, filters, year_range, params.facet_size),
           "parsed": describe(ix, parsed)}
    if relaxed:
        out["relaxed"] = relaxed.describe()
    if not len(rows) or relaxed:
        out["suggestions"] = suggest(ix, parsed, params)
    out["took_ms"] = round((time.perf_counter() - t0) * 1000, 2)
    return out


# ------------------------------------------------------------------------------ zero-result suggestions

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
    inline = _filter_text(parsed)

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
                filters, year_range = merge_filters(parsed, self.params)
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
                    rows = np.setdiff1d(rows, self.rows[n.children[0].describe(), by_report], assume_unique=True)
                else:
                    rows = np.intersect1d(rows, self.rows[n.describe(), by_report], assume_unique=True)
            self.totals[query] = int(len(_filter_mask(self.ix, rows, filters, year_range)))
        return self.totals[query]


def _filter_text(parsed: ParsedQuery) -> list[str]:
    """The filters written inside the query (region:… year:…), to carry over into every suggested query."""
    names = {"doc_type": "type"}
    out = [f"{names.get(k, k)}:{','.join(v)}" for k, v in parsed.filters.items() if v]
    if parsed.year_range:
        out.append("year:{}-{}".format(*parsed.year_range))
    return out


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


# ---------------------------------------------------------------------------------- similar and stats

SIMILAR_TERMS = 16
STAT_DIMENSIONS = ("year", "region", "province", "level", "section", "doc_type")


def row_of_passage(ix: Index, passage_id: str) -> int | None:
    docnum = ix.searcher.document_number(passage_id=passage_id)
    return None if docnum is None else int(docnum)


MAX_SIMILAR_CHARS = 5000     # longest pasted text for precedents


def similar(ix: Index, passage_id: str | None = None, text: str | None = None, limit: int = 10,
            max_chars: int = MAX_SIMILAR_CHARS) -> dict:
    """Passages most like a given passage (or pasted text), one per other report, by their distinctive words.

    :raises QueryError: neither or both of passage_id and text, an unknown passage, or text with no known words.
    """
    t0 = time.perf_counter()
    if bool(passage_id) == bool(text):
        raise QueryError("请给出一个段落编号或一段文字（二者选一）")
    if not 0 < limit <= 100:
        raise QueryError("limit must be between 1 and 100")
    exclude_doc = None
    if passage_id:
        row = row_of_passage(ix, passage_id)
        if row is None:
            raise QueryError(f"索引中没有段落 {passage_id!r}")
        text = ix.stored(row)["text"]
        exclude_doc = int(ix.side["doc"][row])
    if len(text) > max_chars:
        raise QueryError(f"文字太长：请粘贴一段（至多 {max_chars} 字）")
    counts: dict[str, int] = {}
    for w in segment(ix, text):
        if len(w) >= 2:
            counts[w] = counts.get(w, 0) + 1
    weighted = []
    for w, tf in counts.items():
        rows, _ = ix.side.word_postings(w)
        if 0 < len(rows) < ix.n:
            weighted.append((tf * math.log(1 + ix.n / len(rows)), w))
    terms = [w for _, w in sorted(weighted, reverse=True)[:SIMILAR_TERMS]]
    if not terms:
        raise QueryError("这段文字里没有索引中出现过的词")
    rows = np.unique(np.concatenate([ix.side.word_postings(w)[0] for w in terms])).astype(np.int32)
    if exclude_doc is not None:
        rows = rows[np.asarray(ix.side["doc"])[rows] != exclude_doc]
    scores = score_rows(ix, rows, terms, [])
    ranked = _order(ix, rows, scores, "relevance", len(rows))
    # the best passage of each report, so that one report's near-repeats do not fill the list
    _, first = np.unique(np.asarray(ix.side["doc"])[rows[ranked]], return_index=True)
    top = ranked[np.sort(first)][:limit]
    hits = [_hit(ix, int(rows[i]), scores[i], terms, 60, False) for i in top]
    return {"passage_id": passage_id, "text": text, "terms": terms, "total": len(hits), "hits": hits,
            "took_ms": round((time.perf_counter() - t0) * 1000, 2)}


def _dimension(ix: Index, name: str) -> tuple[np.ndarray, list]:
    if name == "year":
        years = np.asarray(ix.side["year"]).astype(np.int64)
        return years, None
    return np.asarray(ix.side[f"fac_{name}"]).astype(np.int64), ix.side.facet_values(name)


def stats(ix: Index, params: Params, by: list[str]) -> dict:
    """Matching passages and reports per group (year × province …), normalised by the reports held per group.

    ``reports_held`` is how many reports of that group the index holds under the same filters (those of the
    query and the parameters, without its words), so a gap in coverage shows as a small denominator rather
    than as a drop in the trend, and a share under level:county is of the county reports held.
    """
    t0 = time.perf_counter()
    if not by or any(d not in STAT_DIMENSIONS for d in by):
        raise QueryError(f"--by takes one or more of {', '.join(STAT_DIMENSIONS)}")
    if params.q.strip() or any(params.filters.values()) or params.year:
        parsed, query_rows, filters, year_range = _query_rows(ix, params)
        rows = _filter_mask(ix, query_rows, filters, year_range)
        held_rows = _filter_mask(ix, ix.all_rows, filters, year_range)
    else:
        parsed, rows, held_rows = None, ix.all_rows, ix.all_rows
    columns = [_dimension(ix, d) for d in by]
    doc = np.asarray(ix.side["doc"]).astype(np.int64)

    def groups(selected: np.ndarray):
        keys = np.stack([col[selected] for col, _ in columns] + [doc[selected]], axis=1) if len(selected) \
            else np.zeros((0, len(by) + 1), dtype=np.int64)
        passages = {}
        for k, n in zip(*np.unique(keys[:, :-1], axis=0, return_counts=True)) if len(keys) else []:
            passages[tuple(k.tolist())] = int(n)
        reports = {}
        for k in (np.unique(keys, axis=0)[:, :-1] if len(keys) else []):
            t = tuple(k.tolist())
            reports[t] = reports.get(t, 0) + 1
        return passages, reports

    passages, reports = groups(rows)
    _, held = groups(held_rows)
    out_rows = []
    for key in sorted(held):
        entry = {}
        for d, (_, table), v in zip(by, columns, key):
            entry[d] = (v or None) if table is None else (table[v] or None)
        n_rep, n_held = reports.get(key, 0), held[key]
        entry.update({"passages": passages.get(key, 0), "reports": n_rep, "reports_held": n_held,
                      "share_of_reports": round(n_rep / n_held, 4) if n_held else 0.0,
                      "passages_per_report": round(passages.get(key, 0) / n_held, 4) if n_held else 0.0})
        out_rows.append(entry)
    return {"query": params.q, "by": by, "total": int(len(rows)),
            "reports": int(len(np.unique(doc[rows]))) if len(rows) else 0, "rows": out_rows,
            "parsed": describe(ix, parsed) if parsed else None,
            "took_ms": round((time.perf_counter() - t0) * 1000, 2)}
