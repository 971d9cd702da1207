"""Did you mean: a query word that is rare or absent beside a word of the index that sounds or looks alike and
is much more frequent (备按审查 → 备案审查, 执法检察 → 执法检查, 法冶建设 → 法治建设, 案备审查 → 备案审查).

The candidates come from the index's own vocabulary (the words of its passages, with the passages holding
each): words of two to four characters that sound alike (``pypinyin``'s readings, toneless, with the usual
confusions zh/z, ch/c, sh/s, n/l, -ng/-n), that differ by one character, or by two neighbours swapped. A
correction replaces one span of a term; it is kept when the wording around it, as written, is rare and as
corrected is found in many times as many passages. A quoted phrase that matches is never corrected.

Bounded: only rare terms are looked at (a common one costs a count the search has made already); the vocabulary
is read once per index generation, when a rare term first asks for it, a step at a time between looks at the
request's deadline (a request that runs out leaves the rest to the next one); a term checks at most
``MAX_CHECKS`` corrected wordings.
"""
from __future__ import annotations

import functools
import itertools
import math
import re
import threading

import numpy as np
from pypinyin import Style, pinyin

from indexer.index.reader import Index
from indexer.normalize import fold
from search_app.core import deadline
from search_app.core.matching import chunk_words, holds_at_least, segment, substring_rows
from search_app.core.query import Node, ParsedQuery, QueryError, parse

SPAN = (2, 4)               # lengths of the words a correction puts in (the vocabulary's words of these lengths)
MIN_DF = 2                  # passages that must hold a word of the vocabulary for it to be a correction
LEXICON_WORDS = 40_000      # the most frequent words kept as corrections (per segment, then in all)
INDEX_BATCH = 2_000         # words indexed between two looks at the deadline
MAX_TERM = 32               # longest term (characters) looked at
MAX_CHECKS = 40             # corrected wordings counted per term
MAX_READINGS = 8            # sound keys per span (a character can have several readings)
RARE_SHARE = 0.001          # a term in fewer passages than this share (or MIN_HITS) is looked at
MIN_HITS = 3                # passages the corrected wording must be found in, when the written one is in none
RATIO_FOUND = 40            # … and how many times as many as the written one, when that is found
COSTS = {"sound": 1.0, "near": 1.5, "swap": 1.5, "shape": 2.0}     # per kind of edit, lower is likelier

_CJK = re.compile(r"[\u4e00-\u9fff]+")


@functools.cache
def readings(ch: str) -> tuple[str, ...]:
    """A character's readings without tones (行 → xing, hang); none for what is not a Chinese character."""
    if not _CJK.fullmatch(ch):
        return ()
    return tuple(dict.fromkeys(pinyin(ch, style=Style.NORMAL, heteronym=True)[0]))


@functools.cache
def near(syllable: str) -> str:
    """A syllable with the confusions of many speakers merged: zh/z, ch/c, sh/s, n/l, -ng/-n."""
    s = re.sub(r"^([zcs])h", r"\1", syllable)
    s = re.sub(r"^l", "n", s)
    return s[:-1] if s.endswith("ng") else s


@functools.cache
def near_readings(ch: str) -> tuple[str, ...]:
    return tuple(sorted({near(r) for r in readings(ch)}))


def sound_keys(word: str) -> list[str]:
    """The near readings of a word, one key per combination of its characters' readings (at most
    ``MAX_READINGS``)."""
    per_char = [near_readings(c) for c in word]
    if not all(per_char):
        return []
    if all(len(r) == 1 for r in per_char):
        return [" ".join(r[0] for r in per_char)]
    return [" ".join(k) for k in itertools.islice(itertools.product(*per_char), MAX_READINGS)]


def edit_kind(written: str, word: str) -> str | None:
    """How ``word`` differs from ``written`` (same length): ``sound`` when every differing character shares
    a reading, ``near`` when they only sound near, ``swap`` for two neighbours swapped, ``shape`` for one other
    character; None otherwise."""
    diff = [i for i, (a, b) in enumerate(zip(written, word)) if a != b]
    if len(written) != len(word) or not diff:
        return None
    if len(diff) == 2 and diff[1] == diff[0] + 1 and written[diff[0]] == word[diff[1]] \
            and written[diff[1]] == word[diff[0]]:
        return "swap"
    if all(set(readings(written[i])) & set(readings(word[i])) for i in diff):
        return "sound"
    if all({near(r) for r in readings(written[i])} & {near(r) for r in readings(word[i])} for i in diff):
        return "near"
    return "shape" if len(diff) == 1 else None


class Lexicon:
    """The vocabulary's frequent words with the passages holding each (``df``, from the segments' posting
    lists, passages taken out since included: an estimate), found by sound and by shape (the word with one
    character blanked). Built a segment, then a batch of words, at a time (``grow``)."""

    def __init__(self, segments: int):
        self.segments, self.done = segments, 0
        self.counts: dict[str, int] = {}
        self.df: dict[str, int] = {}
        self.by_sound: dict[str, list[str]] = {}
        self.by_shape: dict[str, list[str]] = {}
        self.kept: list[tuple[str, int]] | None = None      # the words kept, most frequent first …
        self.indexed = 0                                    # … and how many of them are indexed so far
        self.ready = False
        self.lock = threading.Lock()

    def grow(self, ix: Index) -> None:
        """Read the segments not yet read, then index the words not yet indexed, looking at the deadline between
        two steps: a request that runs out leaves the rest to the next."""
        while self.done < self.segments:
            deadline.check()
            side = ix.side.parts[self.done].side
            df = np.diff(np.asarray(side["word_offsets"]))
            terms = np.flatnonzero(df >= MIN_DF)
            if len(terms) > LEXICON_WORDS:
                terms = terms[np.argpartition(-df[terms], LEXICON_WORDS)[:LEXICON_WORDS]]
            for t in terms.tolist():
                word = side.word_vocab[t]
                if SPAN[0] <= len(word) <= SPAN[1] and _CJK.fullmatch(word):
                    self.counts[word] = self.counts.get(word, 0) + int(df[t])
            self.done += 1
        if self.kept is None:
            deadline.check()
            self.kept = sorted(self.counts.items(), key=lambda wd: -wd[1])[:LEXICON_WORDS]
            self.counts = {}            # every word of every segment: not needed once the kept ones are chosen
        while self.indexed < len(self.kept):
            deadline.check()
            for word, df in self.kept[self.indexed:self.indexed + INDEX_BATCH]:
                for key in sound_keys(word):
                    self.by_sound.setdefault(key, []).append(word)
                for i in range(len(word)):
                    self.by_shape.setdefault(word[:i] + "?" + word[i + 1:], []).append(word)
                self.df[word] = df
            self.indexed += INDEX_BATCH
        self.ready = True

    def candidates(self, span: str) -> list[tuple[float, str]]:
        """(cost, word) of the words that ``span`` may have been meant as, likeliest first."""
        found = {w for key in sound_keys(span) for w in self.by_sound.get(key, ())}
        found |= {w for i in range(len(span)) for w in self.by_shape.get(span[:i] + "?" + span[i + 1:], ())}
        found |= {w for i in range(len(span) - 1)
                  if (w := span[:i] + span[i + 1] + span[i] + span[i + 2:]) in self.df}
        is_word = span in self.df
        out = []
        for w in found - {span}:
            kind = edit_kind(span, w)
            # two words of the vocabulary a character or an order apart are two words, not a slip
            if kind is None or (is_word and kind in ("shape", "swap")):
                continue
            out.append((COSTS[kind] - math.log10(self.df[w]) / 10, w))
        return sorted(out)


def lexicon(ix: Index) -> Lexicon | None:
    """This generation's lexicon, grown as far as the deadline allows; None until it is whole, or while another
    request is growing it."""
    lex = ix.memo.get("spelling lexicon")
    if lex is None:
        lex = ix.memo.setdefault("spelling lexicon", Lexicon(len(ix.side.parts)))
    if lex.ready:
        return lex
    if not lex.lock.acquire(blocking=False):
        return None
    try:
        if not lex.ready:
            lex.grow(ix)
    finally:
        lex.lock.release()
    return lex


def did_you_mean(ix: Index, parsed: ParsedQuery, q: str, found: int = 0) -> dict | None:
    """The query with its rare terms corrected, or None: ``{"query": …, "corrections": [{"from", "to"}]}``.

    ``found``: the passages the whole query matched (all its terms, not relaxed): a term that every one of them
    holds as written (a phrase, or a word the index does not cut, of the query's top AND) is found in as many,
    so it is common when they are.

    :raises TimedOut: when the request's deadline passes first.
    """
    counts: dict[str, int] = {}

    def count(text: str) -> int:
        if text not in counts:      # the search has counted its own terms (remembered); a new count looks at the clock
            counts[text] = len(substring_rows(ix, text))
        return counts[text]

    rare = max(MIN_HITS, int(ix.n * RARE_SHARE))

    # terms every matching passage holds as written: phrases, and words the index does not cut (a word cut in two,
    # 执法检察 = 执法 + 检察, is matched by its pieces, wherever they stand)
    required = [n for n in ([parsed.tree] if parsed.tree.op in ("word", "phrase") else
                            parsed.tree.children if parsed.tree.op == "and" else [])
                if n.op == "phrase" or (n.op == "word" and len(chunk_words(ix, n.text)) == 1)]

    def common(node: Node, text: str) -> bool:
        """Whether ``text`` is in ``rare`` passages or more: the search's own count or its word postings (lower
        bounds) when they decide, else passages read only until ``rare`` are found (``holds_at_least``)."""
        if (found >= rare and any(n is node for n in required)) or len(ix.side.word_postings(text)[0]) >= rare:
            return True
        return holds_at_least(ix, text, rare)

    corrections, rewritten, lex = [], q, None
    for k, node in enumerate(_terms(parsed.tree)):
        written = fold(node.text)
        if not 2 <= len(written) <= MAX_TERM or not _CJK.search(written):
            continue
        if node.op == "phrase" and len(substring_rows(ix, written, in_report=True)):
            continue                  # a quoted phrase that is found is what the user means
        if common(node, written):
            continue                  # a common term: nothing to correct, and no lexicon to build for it
        lex = lex or lexicon(ix)
        if lex is None:
            return None
        better = _correct(lex, written, count, _odd_positions(ix, written))
        if better is None or (placed := _replace(rewritten, k, better)) is None:
            continue
        rewritten = placed
        corrections.append({"from": node.text, "to": better})
    return {"query": rewritten, "corrections": corrections} if corrections else None


def _terms(tree: Node) -> list[Node]:
    """The words and phrases of a query that it looks for (not those it excludes), in order."""
    if tree.op in ("word", "phrase"):
        return [tree]
    if tree.op == "not":
        return []
    return [t for c in tree.children for t in _terms(c)]


def _replace(q: str, k: int, better: str) -> str | None:
    """``q`` with the ``k``-th term it looks for (``_terms``) written ``better``: the occurrence of the term's
    text whose change changes that term and nothing else (not the same text excluded, or a filter's value,
    before it); None when there is none."""
    want = parse(q)
    term = _terms(want.tree)[k]
    text, term.text = term.text, better
    start = q.find(text)
    while start >= 0:
        candidate = q[:start] + better + q[start + len(text):]
        try:
            got = parse(candidate)
        except QueryError:
            got = None
        if got and (got.tree, got.filters, got.year_range) == (want.tree, want.filters, want.year_range):
            return candidate
        start = q.find(text, start + 1)
    return None


def _correct(lex: Lexicon, written: str, count, odd: set[int]) -> str | None:
    """The term with its likeliest slip corrected, or None when none is found often enough.

    Each span of two to four characters is tried against the lexicon's candidates, cheapest edit first; a
    candidate is judged on its wording in context (``_contexts``): found in ``MIN_HITS`` passages or more,
    when the wording as written is found nowhere; when it is found (the reports have it, so it may well be
    meant: 法制建设 beside 法治建设), in ``RATIO_FOUND`` times as many passages. A candidate found in the wider
    context wins over one found only in a narrower one.

    :param odd: positions of the term that the index's vocabulary does not cut into words of two characters or
        more (备按 in 湖州市人大常委会备按审查): only a span over one of them is judged in a narrower context.
    """
    tried = []
    for size in range(SPAN[1], SPAN[0] - 1, -1):
        for i in range(len(written) - size + 1):
            span = written[i:i + size]
            for cost, word in lex.candidates(span):
                tried.append((cost, i, span, word))
    tried.sort(key=lambda t: t[0])
    best = None
    for cost, i, span, word in tried[:MAX_CHECKS]:
        contexts = _contexts(len(written), i, i + len(span))
        if odd.isdisjoint(range(i, i + len(span))):
            contexts = contexts[:1]
        for width, (lo, hi) in enumerate(contexts):
            found = count(written[lo:i] + word + written[i + len(span):hi])
            if not found:
                continue              # not in this context: perhaps in a narrower one
            if found >= MIN_HITS and found >= RATIO_FOUND * count(written[lo:hi]):
                score = (-min(width, 1), math.log10(found) - cost)
                if best is None or score > best[0]:
                    best = (score, written[:i] + word + written[i + len(span):])
            break
    return best[1] if best else None


def _contexts(length: int, start: int, end: int) -> list[tuple[int, int]]:
    """Where a span of a term is judged: with a character of the term either side, then, when that is not
    found, with one on one side (湖州市人大常委会备按审查 is judged on 备案审, not on 会备案审, which the reports
    seldom write); a span without context judged alone only when it is the whole term (湖洲)."""
    both = (max(0, start - 1), min(length, end + 1))
    sides = [(start - 1, end)] * (start > 0) + [(start, end + 1)] * (end < length)
    return list(dict.fromkeys([both, *sides])) if sides else [both]


def _odd_positions(ix: Index, written: str) -> set[int]:
    """Positions of ``written`` outside the words of two characters or more that the vocabulary cuts it into."""
    known, at = set(), 0
    for piece in segment(ix, written):
        where = written.find(piece, at)
        if where < 0:
            continue
        if len(piece) > 1 and ix.side.has_word(piece):
            known.update(range(where, where + len(piece)))
        at = where + len(piece)
    return set(range(len(written))) - known
