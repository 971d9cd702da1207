"""Word segmentation for indexing and queries: jieba with ordinal positions and a legislature dictionary.

jieba's stock ``ChineseAnalyzer`` stores character offsets as token positions, which breaks phrase and
proximity queries; this tokenizer numbers tokens 0, 1, 2 … and keeps character offsets separately.
The dictionary (jieba's own plus ``data/legislature_terms.txt``) is loaded once per process and cached as a
pickle under a directory the project owns (jieba's default is a shared file in /tmp, tied to one user and
loaded with marshal). Never add words at run time: jieba mutates its tables without a lock.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.resources
import logging
import os
import pickle
import re
import tempfile
from pathlib import Path

USER_DICT = Path(__file__).parent / "data" / "legislature_terms.txt"
_WORD = re.compile(r"[\w\u3400-\u9fff\uf900-\ufaff]", re.U)


def cache_dir() -> Path:
    base = os.environ.get("LRSEARCH_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "lrsearch")
    return Path(base)


def _dictionary_key() -> str:
    import jieba
    h = hashlib.sha256(jieba.__version__.encode())
    h.update(importlib.resources.files("jieba").joinpath("dict.txt").read_bytes()[:1 << 16])
    h.update(USER_DICT.read_bytes())
    return h.hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def tokenizer():
    """The process's jieba tokenizer with the legislature dictionary, built once."""
    import jieba
    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    cache = cache_dir() / f"jieba-{_dictionary_key()}.pickle"
    try:
        with cache.open("rb") as fh:
            tk.FREQ, tk.total = pickle.load(fh)
        tk.initialized = True
        return tk
    except (OSError, pickle.UnpicklingError, EOFError, ValueError):
        pass
    tk.tmp_dir = tempfile.mkdtemp(prefix="lrsearch-jieba-")
    tk.initialize()
    tk.load_userdict(str(USER_DICT))
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=".jieba")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump((tk.FREQ, tk.total), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)
    except OSError:
        pass   # a read-only home still works, only slower to start
    return tk


def words(folded: str) -> list[str]:
    """Words of a folded text (see normalize.fold) in order; punctuation and spaces dropped."""
    return [w for w in tokenizer().cut(folded, HMM=True) if _WORD.search(w)]


def words_with_offsets(folded: str) -> list[tuple[str, int, int]]:
    """(word, start, end) character offsets into ``folded``."""
    out = []
    pos = 0
    for w in tokenizer().cut(folded, HMM=True):
        if _WORD.search(w):
            out.append((w, pos, pos + len(w)))
        pos += len(w)
    return out
