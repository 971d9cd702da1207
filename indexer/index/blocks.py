"""Whoosh's posting blocks read straight into numpy: the query path's way to the postings Whoosh stores.

Whoosh's matcher yields postings one at a time in Python (0.5 µs each, more with positions). This reads a
posting list's blocks from the memory-mapped postings file instead. whoosh-reloaded 2.7.5's W3 layout (the
version is pinned): the file starts with ``W3Bl``; a block is a big-endian signed int (its length, negative for
a list's last block), the pickled block info (postings, last id, max weight, compression, min and max length),
then the pickle — zlib-compressed when the info says so — of (delta-coded ids, weights, values). A whole block's
ids are decoded at once. ``PostingsFile.agrees`` checks a segment against Whoosh's own matcher, so a layout
that differs is caught when the segment is opened, not by wrong answers.
"""
from __future__ import annotations

import io
import itertools
import mmap
import pickle
import zlib
from pathlib import Path

import numpy as np

MAGIC = b"W3Bl"


class PostingsFile:
    """One Whoosh segment's postings file (``.pst``), memory-mapped."""

    def __init__(self, path: Path):
        with open(path, "rb") as fh:
            self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if path.stat().st_size else None

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
            self._map = None

    def _blocks(self, offset: int):
        """(info, start, end of the data) of each block of the posting list at ``offset``."""
        m, pos = self._map, offset
        if m[pos:pos + 4] == MAGIC:
            pos += 4
        while True:
            length = int.from_bytes(m[pos:pos + 4], "big", signed=True)
            end = pos + 4 + abs(length)
            head = io.BytesIO(m[pos + 4:min(end, pos + 4 + 256)])
            info = pickle.load(head)
            yield info, pos + 4 + head.tell(), end
            if length < 0:
                return
            pos = end

    def _data(self, info, start: int, end: int) -> tuple:
        raw = self._map[start:end]
        return pickle.loads(zlib.decompress(raw) if info[3] else raw)

    def rows(self, offset: int) -> np.ndarray:
        """The document numbers of the posting list at ``offset``, ascending."""
        parts = []
        for info, start, end in self._blocks(offset):
            deltas = self._data(info, start, end)[0]
            parts.append(np.cumsum(np.fromiter(deltas, dtype=np.int64, count=len(deltas))))
        return (np.concatenate(parts) if len(parts) > 1 else parts[0]).astype(np.int32) if parts \
            else np.zeros(0, dtype=np.int32)

    def values(self, offset: int, wanted: np.ndarray) -> list[bytes]:
        """The posting values (Whoosh's encoded positions) of the ``wanted`` document numbers, which all hold
        the term, in their order; blocks that hold none of them are skipped without being decompressed."""
        out, k = [], 0
        for info, start, end in self._blocks(offset):
            if k >= len(wanted):
                break
            if wanted[k] > info[1]:           # info[1]: the block's last document number
                continue
            ids, _weights, values = self._data(info, start, end)
            rows = np.cumsum(np.fromiter(ids, dtype=np.int64, count=len(ids)))
            here = int(np.searchsorted(wanted, info[1], side="right"))
            at = np.searchsorted(rows, wanted[k:here])
            out += [values[i] for i in at.tolist()]
            k = here
        return out

    def agrees(self, reader, field: str, terms: list[bytes], offsets: list[int]) -> bool:
        """Whether these postings read as Whoosh's own matcher reads them (``reader``: the segment's reader,
        which leaves out the documents deleted since)."""
        for term, offset in zip(terms, offsets):
            ours = [r for r in self.rows(offset).tolist() if not reader.is_deleted(r)]
            if ours != list(reader.postings(field, term).all_ids()):
                return False
        return True


LIST_HEAD = np.frombuffer(b"\x80\x02]q\x00", dtype=np.uint8)   # pickle protocol 2, an empty list, memo slot 0


def positions(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Positions values (each a big-endian count, then the pickled position deltas) as ordinal positions, flat:
    for each position, the index of its value, and the position. The deltas of all values are summed up in
    one pass, each value's sum starting again from 0."""
    if not values:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    decoded = _deltas(values)
    if decoded is None:
        deltas = [pickle.loads(v[4:]) for v in values]
        lens = np.fromiter(map(len, deltas), dtype=np.int64, count=len(deltas))
        flat = np.fromiter(itertools.chain.from_iterable(deltas), dtype=np.int64, count=int(lens.sum()))
    else:
        lens, flat = decoded
    total = np.concatenate(([0], np.cumsum(flat)))
    before = total[np.cumsum(lens) - lens]         # the running sum where each value begins
    return np.repeat(np.arange(len(values)), lens), total[1:] - np.repeat(before, lens)


def _deltas(values: list[bytes]) -> tuple[np.ndarray, np.ndarray] | None:
    """(count, flat deltas) of every value at once, read from the pickles with numpy: a ``pickle.loads`` per
    value took 1 µs, and a proximity query over common words reads 60,000 of them. None when a value is not
    the list of small ints that Whoosh and ``bulkwrite`` write alike (BININT1 and BININT2 items, one APPEND or
    a MARK and one APPENDS); ``pickle`` reads those.

    The k-th items of all values are read in one step: the values sorted by count, longest first, those with
    more than k items are a prefix."""
    sizes = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    buf = np.frombuffer(b"".join(values), dtype=np.uint8)
    start = np.cumsum(sizes) - sizes
    if sizes.min() < 12:
        return None
    b = buf.astype(np.int64)
    n = (b[start] << 24) | (b[start + 1] << 16) | (b[start + 2] << 8) | b[start + 3]
    if n.min() < 1 or any((buf[start + 4 + k] != LIST_HEAD[k]).any() for k in range(len(LIST_HEAD))):
        return None
    multi = n > 1
    if (buf[start[multi] + 9] != ord("(")).any():
        return None
    order = np.argsort(-n, kind="stable")
    cur = (start + 9 + multi)[order]
    first = (np.cumsum(n) - n)[order]             # where each value's deltas go in the flat array
    counts = n[order]
    flat = np.empty(int(n.sum()), dtype=np.int64)
    live = len(values)
    for k in range(int(counts[0])):
        while counts[live - 1] <= k:
            live -= 1
        at = cur[:live]
        if at.max() + 2 >= len(buf):
            return None
        op = buf[at]
        wide = op == ord("M")
        if not (wide | (op == ord("K"))).all():
            return None
        flat[first[:live] + k] = b[at + 1] + np.where(wide, b[at + 2] << 8, 0)
        cur[:live] = at + 2 + wide
    end = (start + sizes)[order]
    if (cur + 2 != end).any() or (buf[cur] != np.where(counts > 1, ord("e"), ord("a"))).any() or \
            (buf[cur + 1] != ord(".")).any():
        return None
    return n, flat
