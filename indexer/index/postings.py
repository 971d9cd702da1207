"""Postings computed once with numpy, for both the Whoosh segment and the sidecar arrays.

Word postings come from the token lists of every passage: a stable sort of (term, row) keeps each
posting's positions in order, so term frequencies and ordinal positions fall out of one pass. Gram postings
(character unigrams and bigrams of the folded text) come from the code points of all passages at once.
"""
from __future__ import annotations

import itertools
from array import array
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from indexer.arrays import distinct
from indexer.index.schema import gram_string


@dataclass
class Postings:
    terms: list[str]                 # sorted by code point, which is also UTF-8 byte order
    offsets: np.ndarray              # int64, per term: start of its postings (len(terms) + 1)
    rows: np.ndarray                 # int32 row (document number) per posting, ascending within a term
    freqs: np.ndarray | None         # uint16 occurrences per posting (None: existence only)
    lengths: np.ndarray              # int32 tokens per row
    pos_offsets: np.ndarray | None = None   # int64 per posting: start of its positions in ``deltas``
    deltas: np.ndarray | None = None        # int32 position deltas (first one from 0), posting by posting


@dataclass
class Tokens:
    """The words of many rows as integers: ``ids`` index into ``vocab``, row after row, ``lengths`` per row.

    A build holds tens of millions of words; as Python strings in lists they would take gigabytes.
    """
    vocab: list[str]
    ids: np.ndarray          # int32
    lengths: np.ndarray      # int64

    @classmethod
    def of(cls, token_lists: list[list[str]]) -> "Tokens":
        vocab: dict[str, int] = {}
        setdefault = vocab.setdefault
        lengths = np.fromiter((len(t) for t in token_lists), dtype=np.int64, count=len(token_lists))
        ids = np.fromiter((setdefault(w, len(vocab)) for toks in token_lists for w in toks), dtype=np.int32,
                          count=int(lengths.sum()))
        return cls(list(vocab), ids, lengths)


class TokenCounter:
    """Builds ``Tokens`` a row at a time: each word becomes an id as it comes."""

    def __init__(self):
        self.vocab: dict[str, int] = defaultdict(itertools.count().__next__)   # a new word gets the next id
        self.ids = array("i")
        self.lengths = array("q")

    def add(self, row_words: list[str]) -> None:
        self.ids.extend(map(self.vocab.__getitem__, row_words))
        self.lengths.append(len(row_words))

    def tokens(self) -> Tokens:
        return Tokens(list(self.vocab), np.frombuffer(self.ids, dtype=np.int32).copy(),
                      np.frombuffer(self.lengths, dtype=np.int64).copy())


def word_postings(tokens: Tokens | list[list[str]], positions: bool = False) -> Postings:
    """Postings of words with term frequencies and, optionally, ordinal positions."""
    if not isinstance(tokens, Tokens):
        tokens = Tokens.of(tokens)
    lengths = tokens.lengths
    n_rows = len(lengths)
    terms = sorted(tokens.vocab)
    remap = np.empty(len(terms), dtype=np.int64)
    remap[np.argsort(np.array(tokens.vocab, dtype=object), kind="stable")] = np.arange(len(terms))
    ids = tokens.ids
    tid = remap[ids] if len(ids) else ids.astype(np.int64)
    rows = np.repeat(np.arange(n_rows, dtype=np.int64), lengths)
    key = (tid << 32) | rows
    order = np.argsort(key, kind="stable")           # stable: positions stay ascending inside a posting
    key = key[order]
    starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1]))) if len(key) else np.zeros(0, np.int64)
    post_rows = (key[starts] & 0xFFFFFFFF).astype(np.int32)
    post_terms = key[starts] >> 32
    ends = np.append(starts[1:], len(key))
    freqs = np.minimum(ends - starts, 65535).astype(np.uint16)
    offsets = np.searchsorted(post_terms, np.arange(len(terms) + 1)).astype(np.int64)
    out = Postings(terms, offsets, post_rows, freqs, lengths.astype(np.int32))
    if positions:
        row_start = np.concatenate(([0], np.cumsum(lengths)[:-1])) if n_rows else np.zeros(0, np.int64)
        pos = (order - row_start[rows[order]]).astype(np.int32)      # ordinal position of each token
        deltas = pos.copy()
        inner = np.ones(len(pos), dtype=bool)
        inner[starts] = False
        deltas[1:][inner[1:]] = pos[1:][inner[1:]] - pos[:-1][inner[1:]]
        out.pos_offsets = np.append(starts, len(pos)).astype(np.int64)
        out.deltas = deltas
    return out


ROW_BITS = 22                    # a gram key: its code in the high 42 bits, the row in the low 22
MAX_ROWS = 1 << ROW_BITS        # rows one set of gram postings can hold


GRAM_CHUNK = 4096               # rows whose gram keys are made at once: the raw keys are 3× the distinct ones


def gram_keys(folded: list[str], first_row: int) -> list[np.ndarray]:
    """The distinct (gram code, row) keys of some rows' folded texts, rows numbered from ``first_row``, as
    sorted runs of ``GRAM_CHUNK`` rows each (``gram_postings`` merges them)."""
    runs = []
    for lo in range(0, len(folded), GRAM_CHUNK):
        chunk = folded[lo:lo + GRAM_CHUNK]
        runs.append(_keys(chunk, np.arange(first_row + lo, first_row + lo + len(chunk))))
    return runs


def edge_gram_keys(folded: list[str], own: list[str], rows: list[int]) -> list[np.ndarray]:
    """The (gram code, row) keys of grams that the folded texts of ``rows`` hold only outside the passage's own
    text ``own`` (in the headings before it, the text after it, or across their border with it): the rows of a
    gram less these are the rows whose passage holds it, with no passage read."""
    runs = []
    for lo in range(0, len(rows), GRAM_CHUNK):
        numbers = np.asarray(rows[lo:lo + GRAM_CHUNK], dtype=np.int64)
        runs.append(np.setdiff1d(_keys(folded[lo:lo + GRAM_CHUNK], numbers), _keys(own[lo:lo + GRAM_CHUNK], numbers),
                                 assume_unique=True))
    return runs


def _keys(texts: list[str], rows: np.ndarray) -> np.ndarray:
    """The distinct (gram code, row) keys of ``texts``, the i-th text numbered ``rows[i]``, sorted."""
    lens = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    joined = "".join(texts)
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64) if joined \
        else np.zeros(0, np.uint64)
    row_of = np.repeat(np.asarray(rows, dtype=np.uint64), lens)
    same = np.repeat(np.arange(len(texts)), lens)
    same = same[:-1] == same[1:]
    codes = np.concatenate([cps << np.uint64(21), ((cps[:-1] << np.uint64(21)) | cps[1:])[same]])
    keys = np.concatenate([row_of, row_of[:-1][same]])
    return distinct((codes << np.uint64(ROW_BITS)) | keys)


@dataclass
class Grams:
    codes: np.ndarray        # uint64 gram code per term (``gram_code``), ascending
    offsets: np.ndarray      # int64, per term: start of its rows (len(codes) + 1)
    rows: np.ndarray         # int32 rows, ascending within a term

    def term_strings(self) -> list[str]:
        return [gram_string(k) for k in self.codes.tolist()]


def gram_postings(runs: list[np.ndarray]) -> Grams:
    """Rows containing each character unigram and bigram, from the sorted runs of keys of consecutive row
    ranges (``gram_keys``; taken over, not copied): a stable sort merges the runs."""
    keys = (runs[0] if len(runs) == 1 else np.concatenate(runs)) if runs else np.zeros(0, np.uint64)
    if len(runs) > 1:
        keys.sort(kind="stable")       # timsort: the runs are found and merged, not sorted again
    rows = (keys & np.uint64(MAX_ROWS - 1)).astype(np.int32)
    keys >>= np.uint64(ROW_BITS)       # in place: the keys become the terms, no second array of them
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))) if len(keys) else \
        np.zeros(0, np.int64)
    return Grams(keys[starts], np.append(starts, len(keys)).astype(np.int64), rows)
