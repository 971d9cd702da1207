"""Arrays beside a Whoosh segment, derived from its passages, for exact substring search, facet counts and BM25
over numpy: a cache, rebuilt whenever the segment is written.

Whoosh's query path visits every hit in Python (4–25 µs a hit); counting facets for a common word over
150,000 passages that way takes seconds. Per-passage columns and the word postings kept as sorted numpy arrays
(one row per passage, rows equal to Whoosh document numbers) are intersected, counted and scored in
milliseconds, and opened with memory maps so a cold command-line query reads only what it touches. The gram
postings and the words' positions are not copied: they are read from Whoosh's own posting blocks (blocks.py),
through ``gram_extents``/``word_extents``, where each term's posting list starts in the ``.pst`` file.

Files (``side/`` of a segment): ``gram_terms`` (gram codes, ``schema.gram_code``) with ``gram_extents``;
``edge_terms``/``edge_offsets``/``edge_rows`` (the rows of a gram that hold it only in the headings around their
passage, so that a word of one or two characters is matched in passages without reading them);
``word_*`` and ``head_*`` (word postings of the passage text and of its heading and title, with term
frequencies) with ``word_extents``; ``plen`` (words per passage),
``fac_<name>`` (facet value codes), ``year``, ``doc`` (document index per row), ``text_blob``/``text_offsets``
(the folded text, UTF-8, for verifying substring candidates), ``lead_bytes``/``trail_bytes`` (how much of it
is the report text around the passage rather than the passage), ``first_cp``/``last_cp`` (its first and last
code points) and ``joined`` (its text runs on into the next row's), to find phrases running across passage
boundaries, and ``meta.json``.

A row's folded text is the report's text from the end of the previous passage to the end of this one
(the headings in between lead it; the last passage of a report also holds what follows it), so the rows of a
report, in order, spell the whole report: an exact phrase is found in headings and across passages, while
words match the passage itself (``own_only``).
"""
from __future__ import annotations

import json
import mmap
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from indexer.facets import FACETS
from indexer.index.blocks import PostingsFile, positions
from indexer.index.schema import gram_code, gram_string

# what a hit shows of its report (in every passage record), the other versions of the report
# (dedup.link_versions; Index.report_groups reads them), and when it was ingested (Index.ingest_times; a segment
# written before that was kept has shorter lists)
DOC_META = ("title", "body", "region", "province", "level", "year", "doc_type", "versions", "ingested")
CHECK_BYTES = 2_048     # longest posting list (bytes) read twice, ours and Whoosh's, to check a segment at open

if TYPE_CHECKING:     # the reader never loads the builders
    from indexer.index.postings import Grams, Postings


class StringTable(Sequence):
    """A sorted list of strings stored as one UTF-8 blob and offsets; bisectable without loading it whole.

    ``find`` compares UTF-8 bytes (their order is the code points'), read through memoryviews of the mapped
    arrays: a numpy memmap costs microseconds per element read, and a query's cut probes the vocabulary of
    every segment for each of its pieces.
    """

    def __init__(self, blob: np.ndarray, offsets: np.ndarray):
        self.blob, self.offsets = blob, offsets
        self._bytes = memoryview(np.asarray(blob).view(np.ndarray)) if len(blob) else memoryview(b"")
        self._offsets = memoryview(np.ascontiguousarray(offsets, dtype=np.int64).view(np.ndarray)).cast("B").cast("q")

    @classmethod
    def build(cls, strings: list[str]) -> "StringTable":
        data = [s.encode("utf-8") for s in strings]
        offsets = np.zeros(len(data) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in data], out=offsets[1:])
        return cls(np.frombuffer(b"".join(data), dtype=np.uint8), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i):
        return self._raw(i).decode("utf-8")

    def _raw(self, i: int) -> bytes:
        return self._bytes[self._offsets[i]:self._offsets[i + 1]].tobytes()

    def find(self, s: str) -> int:
        """Index of ``s`` or -1."""
        key, lo, hi = s.encode("utf-8"), 0, len(self)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._raw(mid) < key:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo < len(self) and self._raw(lo) == key else -1


@dataclass
class SidecarInput:
    folded: list[str]              # fold(lead + passage text + trail) per row
    lead_bytes: list[int]          # UTF-8 bytes of the folded lead at the start of each row's text
    trail_bytes: list[int]         # … and of the folded trail at its end (last passage of a report)
    joined: list[bool]             # the row's report text runs on into the next row (same report, in order)
    words: Postings                # word postings of the passage text
    head: Postings                 # word postings of heading and title
    grams: Grams                   # unigram and bigram postings of the folded text
    edge_grams: Grams              # … of grams a row holds only around its passage, not in it
    facets: dict[str, list[str]]   # facet name → value per row ("" when unknown)
    years: list[int]               # 0 when unknown
    doc_index: list[int]           # row → index into doc_ids
    doc_ids: list[str]
    doc_meta: list[list]           # per document, its DOC_META
    gram_extents: np.ndarray       # per gram term, where its posting list starts in the Whoosh postings file
    word_extents: np.ndarray       # per word term, likewise (its positions are read from there)


def build(out: Path, data: SidecarInput) -> None:
    """Write the sidecar arrays for ``data`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    n = len(data.folded)
    row_type = np.uint16 if n <= 1 << 16 else np.int32      # a segment of max_segment_passages rows: 2 bytes
    arrays = {"gram_terms": data.grams.codes, "gram_extents": data.gram_extents, "word_extents": data.word_extents,
              "plen": data.words.lengths, "edge_terms": data.edge_grams.codes, "edge_offsets": data.edge_grams.offsets,
              "edge_rows": data.edge_grams.rows.astype(row_type)}
    for prefix, p in (("word", data.words), ("head", data.head)):
        table = StringTable.build(p.terms)
        arrays.update({f"{prefix}_vocab_blob": table.blob, f"{prefix}_vocab_offsets": table.offsets,
                       f"{prefix}_offsets": p.offsets, f"{prefix}_rows": p.rows.astype(row_type),
                       f"{prefix}_tf": p.freqs})
    meta = {"rows": n, "facets": {}, "doc_ids": data.doc_ids, "doc_meta": data.doc_meta}
    for name in (f.name for f in FACETS):
        values = sorted(set(data.facets[name]))
        code = {v: i for i, v in enumerate(values)}
        arrays[f"fac_{name}"] = np.fromiter((code[v] for v in data.facets[name]), dtype=np.int32, count=n)
        meta["facets"][name] = values
    arrays["year"] = np.array(data.years, dtype=np.int16)
    arrays["doc"] = np.array(data.doc_index, dtype=np.int32)
    blobs = [t.encode("utf-8") for t in data.folded]
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum([len(b) for b in blobs], out=offsets[1:])
    arrays["text_blob"] = np.frombuffer(b"".join(blobs), dtype=np.uint8)
    arrays["text_offsets"] = offsets
    arrays["lead_bytes"] = np.array(data.lead_bytes, dtype=np.int32)
    arrays["trail_bytes"] = np.array(data.trail_bytes, dtype=np.int32)
    arrays["joined"] = np.array(data.joined, dtype=bool)
    arrays["first_cp"] = np.fromiter((ord(t[0]) if t else 0 for t in data.folded), dtype=np.uint32, count=n)
    arrays["last_cp"] = np.fromiter((ord(t[-1]) if t else 0 for t in data.folded), dtype=np.uint32, count=n)
    for name, arr in arrays.items():
        np.save(out / f"{name}.npy", arr, allow_pickle=False)
    (out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


WINDOW = 1 << 29       # bytes of the text one numpy string spans at most (its size must fit an int32)
SCAN_CHUNK = 4096      # ranges one thread searches at a time
PARALLEL_BYTES = 1 << 21   # less text than this is searched at once by the caller: handing it out costs more


Ranges = tuple[np.ndarray, np.ndarray, np.ndarray]     # a blob (uint8), and byte ranges of it: starts, ends


def contains_each(pieces: list[Ranges], needle: bytes) -> list[np.ndarray]:
    """For each piece (a blob and byte ranges ``starts[i]:ends[i]`` of it), whether ``needle`` occurs in each
    range.

    A blob is viewed as one numpy byte string and ``np.strings.find`` searches every range in C, without the
    GIL, so the chunks of all the pieces (the segments of an index) are searched on every core at once: a common
    word leaves 200,000 candidate rows (170 MB of text) at 1.5 million passages, a Python ``mmap.find`` per range
    took 0.21 s and this takes 0.05 s on two cores. A blob above ``WINDOW`` is viewed in overlapping windows of
    twice that; every range (one passage and its headings) is far shorter than a window. ``needle`` has no NUL
    (folded text has none), so numpy's dropping of trailing NULs from a byte string never matters.
    """
    found = [np.zeros(len(starts), dtype=bool) for _, starts, _ in pieces]
    tasks, size = [], 0
    for out, (blob, starts, ends) in zip(found, pieces):
        starts, ends = np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
        keep = np.flatnonzero(ends - starts >= len(needle))        # a shorter range cannot hold it
        if not blob.size or not len(keep):
            continue
        size += int((ends[keep] - starts[keep]).sum())
        window = np.minimum(starts // WINDOW, max(0, (blob.size - 1) // WINDOW - 1))
        for w in range(int(window[keep].min()), int(window[keep].max()) + 1):
            at = keep[window[keep] == w]
            lo = w * WINDOW
            text = blob[lo:lo + 2 * WINDOW]
            text = text.view(f"S{text.size}")
            tasks += [(out, text, starts[at[i:i + SCAN_CHUNK]] - lo, ends[at[i:i + SCAN_CHUNK]] - lo,
                       at[i:i + SCAN_CHUNK]) for i in range(0, len(at), SCAN_CHUNK)]

    def search(task) -> None:
        out, text, starts, ends, at = task
        out[at] = np.strings.find(text, needle, starts, ends) >= 0
    if len(tasks) == 1 or size < PARALLEL_BYTES:
        for task in tasks:
            search(task)
    else:
        list(_scanners().map(search, tasks))
    return found


_POOL: tuple[int, ThreadPoolExecutor] | None = None
_POOL_LOCK = threading.Lock()


def _scanners() -> ThreadPoolExecutor:
    """The process's threads for ``contains_each``, one per core it may use; a forked child starts its own (it
    inherits the parent's pool object but none of its threads)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL[0] != os.getpid():
            cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
            _POOL = (os.getpid(), ThreadPoolExecutor(cores, thread_name_prefix="lrsearch-scan"))
        return _POOL[1]


class Sidecar:
    """Read-only view of a segment's sidecar, memory-mapped, with its Whoosh postings file: the grams' rows and
    the words' positions are read from Whoosh's own posting blocks (blocks.py), stored once.

    :param postings: the segment's Whoosh postings file (``.pst``); the builder opens a sidecar without it.
    """

    def __init__(self, path: Path, postings: Path | None = None, whoosh=None):
        self.path = path
        self.postings = PostingsFile(postings) if postings is not None else None
        self.whoosh = whoosh     # the segment's Whoosh reader, when its blocks did not read as Whoosh reads them
        self.meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        self.rows = self.meta["rows"]
        self._arrays: dict[str, np.ndarray] = {}
        self._text_map: tuple[mmap.mmap, int] | None = None
        self._pairs: np.ndarray | None = None
        self.word_vocab = StringTable(self["word_vocab_blob"], self["word_vocab_offsets"])
        self.head_vocab = StringTable(self["head_vocab_blob"], self["head_vocab_offsets"])

    def close(self) -> None:
        """Unmap the folded texts and the postings; the arrays unmap when the last reference to them goes."""
        if self._text_map is not None:
            self._text_map[0].close()
            self._text_map = None
        if self.postings is not None:
            self.postings.close()
            self.postings = None
        if self.whoosh is not None:
            self.whoosh.close()
            self.whoosh = None
        self._arrays.clear()

    def __getitem__(self, name: str) -> np.ndarray:
        arr = self._arrays.get(name)
        if arr is None:
            arr = self._arrays[name] = np.load(self.path / f"{name}.npy", mmap_mode="r", allow_pickle=False)
        return arr

    def _gram_term(self, terms: str, gram: str) -> int:
        """The index of ``gram`` in the sorted gram codes ``terms`` (gram_terms or edge_terms), or -1."""
        codes, code = self[terms], gram_code(gram)
        t = int(np.searchsorted(codes, code))
        return t if t < len(codes) and int(codes[t]) == code else -1

    def gram_rows(self, gram: str) -> np.ndarray:
        """Rows whose folded text contains the one- or two-character ``gram`` (sorted)."""
        t = self._gram_term("gram_terms", gram)
        if t < 0:
            return np.zeros(0, dtype=np.int32)
        if self.whoosh is not None:
            return np.fromiter(self.whoosh.postings("grams", gram.encode("utf-8")).all_ids(), dtype=np.int32)
        return self.postings.rows(int(self["gram_extents"][t]))

    def edge_rows(self, gram: str) -> np.ndarray:
        """Rows that hold the one- or two-character ``gram`` only around their passage (in the headings before
        it, the text after it, or across their border with it), not in the passage itself (sorted)."""
        t = self._gram_term("edge_terms", gram)
        if t < 0:
            return np.zeros(0, dtype=np.int32)
        off = self["edge_offsets"]
        return self["edge_rows"][off[t]:off[t + 1]]

    def check(self, whoosh) -> bool:
        """Whether the postings file reads as ``whoosh`` (the segment's Whoosh reader) reads it, for a few
        terms; if not, Whoosh's matcher is used from then on (slower, never wrong)."""
        terms, extents = self["gram_terms"], self["gram_extents"]
        sample = self.check_sample()
        grams = [gram_string(int(terms[t])).encode("utf-8") for t in sample]
        if self.postings.agrees(whoosh, "grams", grams, [int(extents[t]) for t in sample]):
            return True
        self.whoosh = whoosh
        return False

    def check_sample(self) -> list[int]:
        """The gram terms ``check`` reads: the shortest, a middling and the longest posting list under
        ``CHECK_BYTES`` (several blocks). Whoosh's matcher reads a posting at a time, and a common character's
        list would make opening a segment slow."""
        extents = np.asarray(self["gram_extents"])
        sizes = np.diff(extents)                   # a term's postings end where the next term's begin
        short = np.flatnonzero(sizes <= CHECK_BYTES)
        by_size = short[np.argsort(sizes[short], kind="stable")]
        if not len(by_size):
            return [0] if len(extents) else []
        return sorted({int(by_size[0]), int(by_size[len(by_size) // 2]), int(by_size[-1])})

    def _text(self) -> tuple[mmap.mmap, int]:
        """The folded texts as one memory map, and where the array's bytes start in it."""
        if self._text_map is None:
            blob = self["text_blob"]
            with open(self.path / "text_blob.npy", "rb") as fh:
                self._text_map = (mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ), blob.offset) \
                    if blob.size else (mmap.mmap(-1, 1), 0)
        return self._text_map

    def ranges(self, rows: np.ndarray, own_only: bool = False) -> Ranges:
        """The folded texts of ``rows`` as ranges of the text blob, for ``contains_each``; with ``own_only``, the
        passage's own text, without the headings before it or what follows it."""
        off = self["text_offsets"]
        starts, ends = off[rows], off[rows + 1]
        if own_only:
            starts = starts + np.asarray(self["lead_bytes"])[rows]
            ends = ends - np.asarray(self["trail_bytes"])[rows]
        return self["text_blob"], starts, ends

    def _boundaries(self) -> np.ndarray:
        """For each row r, the code-point pair (last of r, first of r + 1) as one int64, or -1 where the text
        does not run on from r into r + 1 (another report next, or a report whose passages could not be placed
        in its text): a phrase can only run on from r into r + 1 through one of its own pairs."""
        if self._pairs is None:
            last, first = np.asarray(self["last_cp"]).astype(np.int64), np.asarray(self["first_cp"]).astype(np.int64)
            pairs = np.full(self.rows, -1, dtype=np.int64)
            if self.rows > 1:
                pairs[:-1] = np.where(np.asarray(self["joined"])[:-1], (last[:-1] << 21) | first[1:], -1)
            self._pairs = pairs
        return self._pairs

    def rows_crossing(self, needle: str) -> np.ndarray:
        """Rows where ``needle`` (folded) starts and runs on into the next rows of the same report."""
        if len(needle) < 2 or self.rows < 2:
            return np.zeros(0, dtype=np.int32)
        splits: dict[int, list[int]] = {}       # boundary pair → where the needle would be cut by it
        for k, (a, b) in enumerate(zip(needle, needle[1:]), 1):
            splits.setdefault((ord(a) << 21) | ord(b), []).append(k)
        pairs = self._boundaries()
        candidates = np.flatnonzero(np.isin(pairs, np.fromiter(splits, dtype=np.int64)))
        return np.asarray([r for r in candidates.tolist() if self.crossing_at(r, needle, splits[int(pairs[r])])],
                          dtype=np.int32)

    def crossing_at(self, row: int, needle: str, cuts: list[int] | None = None) -> int:
        """How many characters of ``needle`` (folded) end row ``row`` when the rest begins the rows after it,
        in the same report; 0 when it does not run on from there.

        :param cuts: the lengths to try (default: every one from 1 to len(needle) - 1).
        """
        text, base = self._text()
        off, doc = self["text_offsets"], self["doc"]
        start, end = int(off[row]) + base, int(off[row + 1]) + base
        for k in sorted(cuts or range(1, len(needle)), reverse=True):
            head = needle[:k].encode("utf-8")
            if len(head) <= end - start and text[end - len(head):end] == head and \
                    self._begins(row + 1, needle[k:].encode("utf-8"), int(doc[row])):
                return k
        return 0

    def _begins(self, row: int, rest: bytes, report: int) -> bool:
        """Whether the rows from ``row`` on, within ``report``, begin with ``rest``."""
        text, base = self._text()
        off, doc = self["text_offsets"], self["doc"]
        joined = self["joined"]
        while rest:
            if row >= self.rows or int(doc[row]) != report or not joined[row - 1]:
                return False
            own = text[int(off[row]) + base:int(off[row + 1]) + base]
            if len(own) >= len(rest):
                return own.startswith(rest)
            if not rest.startswith(own):
                return False
            rest, row = rest[len(own):], row + 1
        return True

    def word_postings(self, word: str, head: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(rows, term frequencies) of a word in the passage text, or in heading and title."""
        prefix = "head" if head else "word"
        vocab = self.head_vocab if head else self.word_vocab
        t = vocab.find(word)
        if t < 0:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.uint16)
        off = self[f"{prefix}_offsets"]
        return self[f"{prefix}_rows"][off[t]:off[t + 1]], self[f"{prefix}_tf"][off[t]:off[t + 1]]

    def word_positions(self, word: str, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The ordinal positions of ``word`` in ``rows`` (sorted rows that all hold it as a word), flat: for
        each position, the index in ``rows`` of its row, and the position."""
        if self.whoosh is not None:
            matcher, values = self.whoosh.postings("words", word), []
            for row in np.asarray(rows).tolist():
                matcher.skip_to(row)
                values.append(matcher.value())
        else:
            values = self.postings.values(int(self["word_extents"][self.word_vocab.find(word)]), np.asarray(rows))
        return positions(values)

    def facet_values(self, name: str) -> list[str]:
        return self.meta["facets"][name]
