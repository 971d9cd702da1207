"""Word segmentation for indexing: jieba's dictionary and algorithm with ordinal positions and a legislature dictionary.

jieba's stock ``ChineseAnalyzer`` stores character offsets as token positions, which breaks phrase and
proximity queries; this module numbers tokens 0, 1, 2 … and keeps character offsets separately.

The segmenter is jieba-rs (the ``rjieba`` binding), the Rust port of jieba: the same ``dict.txt``, the same
DAG, route and HMM. Python jieba spends about 0.9 ms on a 300-character passage and takes 0.65 s to load
its dictionary; jieba-rs cuts the same passage 15 times faster and loads in 0.1 s, which is what brings a
150,000-passage build under two minutes on two cores. The two differ inside ASCII runs (jieba-rs keeps
``manifest.json`` or ``2019-2023`` whole, Python jieba splits them at the punctuation), which ``words`` splits
the way Python jieba does, and in runs of one character (治治治: routes of equal weight chosen differently),
which no report writes; ``tests/index/test_analysis.py`` checks that ``words`` equals Python jieba's output,
word for word, on every labelled report and on random text.

The dictionary (jieba-rs's built-in copy of jieba's plus ``data/legislature_terms.txt``) is loaded once per
process; words are never added at run time.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

USER_DICT = Path(__file__).parent / "data" / "legislature_terms.txt"
_WORD = re.compile(r"[^\W_]")                     # a letter, digit or ideograph: punctuation tokens are dropped
_ASCII_JOINED = re.compile(r"[._\-]")             # punctuation jieba-rs keeps inside an ASCII run
_ASCII_PARTS = re.compile(r"[a-zA-Z0-9]+(?:\.\d+)?%?|.", re.S)   # Python jieba's split of such a run


@functools.lru_cache(maxsize=1)
def tokenizer():
    """The process's segmenter with the legislature dictionary, built once."""
    import rjieba
    tk = rjieba.Jieba()
    for line in USER_DICT.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts and not line.startswith("#"):
            tk.add_word(parts[0], int(parts[1]) if len(parts) > 1 else None, parts[2] if len(parts) > 2 else None)
    return tk


def _split(token: str) -> list[str]:
    """A token as jieba-rs cuts it, as Python jieba would: an ASCII run split at its punctuation."""
    return _ASCII_PARTS.findall(token) if len(token) > 1 and token.isascii() and _ASCII_JOINED.search(token) \
        else [token]


def _tokens(folded: str) -> list[str]:
    """Every token, punctuation included, so that their lengths add up to the text's."""
    return [part for w in tokenizer().cut(folded, True) for part in _split(w)]


_WORDS_OF: dict[str, tuple[str, ...]] = {}        # a token as jieba-rs cuts it → the words it gives
_WORDS_OF_LIMIT = 1_000_000


def _words_of(token: str) -> tuple[str, ...]:
    return tuple(w for w in _split(token) if _WORD.search(w))


def words(folded: str) -> list[str]:
    """Words of a folded text (see normalize.fold) in order; punctuation and spaces dropped.

    What a token gives is looked up, not worked out again: a build cuts tens of millions of tokens from a
    vocabulary of a few hundred thousand, and the checks cost more than the cut.
    """
    known, out = _WORDS_OF, []
    for token in tokenizer().cut(folded, True):
        found = known.get(token)
        if found is None:
            if len(known) >= _WORDS_OF_LIMIT:
                known.clear()
            found = known[token] = _words_of(token)
        out += found
    return out


def words_with_offsets(folded: str) -> list[tuple[str, int, int]]:
    """(word, start, end) character offsets into ``folded``."""
    out = []
    pos = 0
    for w in _tokens(folded):
        if _WORD.search(w):
            out.append((w, pos, pos + len(w)))
        pos += len(w)
    return out
