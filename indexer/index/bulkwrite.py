"""Write a Whoosh segment whose large fields' postings come from precomputed arrays, a block at a time.

Whoosh's own writer pushes every posting through a Python pool (about 5 µs each); a 150,000-passage
corpus has some 70 million word and n-gram postings. Here the per-document data (stored fields, field
lengths, columns and the small ID fields) still goes through Whoosh's writer, while the postings of the
bulk fields are handed to Whoosh's own ``W3PostingsWriter`` 128 at a time, so the files are exactly the ones
Whoosh writes and reads. ``encode_positions`` produces Whoosh's Positions values (a big-endian count and a
protocol-2 pickle of the deltas) with numpy; tests compare it with ``Positions.encode``.
This depends on whoosh-reloaded 2.7.5's codec internals; the version is pinned and tests read every
bulk-written field back through Whoosh's public API.
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np
from whoosh.codec.whoosh3 import W3PostingsWriter, W3TermInfo
from whoosh.writing import SegmentWriter

from indexer.index.postings import Postings

BLOCK = 1024  # postings per block: Whoosh writes 128 and reads any; larger blocks are 15% smaller and faster
_HEAD = np.frombuffer(b"\x80\x02]q\x00", dtype=np.uint8)


def encode_positions(pos_offsets: np.ndarray, deltas: np.ndarray) -> tuple[bytes, np.ndarray]:
    """Whoosh Positions values for many postings at once: one buffer and the offset of each value."""
    n = np.diff(pos_offsets)
    if len(n) and (n.max() >= 1000 or deltas.max() >= 65536):
        raise ValueError("a posting with 1,000 or more positions or a gap of 65,536 tokens")
    elem = np.where(deltas < 256, 2, 3)
    starts = pos_offsets[:-1]
    items = np.add.reduceat(elem, starts) if len(starts) else np.zeros(0, np.int64)
    size = 4 + 5 + np.where(n > 1, 1, 0) + items + 1 + 1
    out_off = np.concatenate(([0], np.cumsum(size))).astype(np.int64)
    buf = np.zeros(int(out_off[-1]), dtype=np.uint8)
    base = out_off[:-1]
    for shift, k in ((24, 0), (16, 1), (8, 2), (0, 3)):
        buf[base + k] = (n >> shift) & 0xFF
    for k in range(5):
        buf[base + 4 + k] = _HEAD[k]
    multi = n > 1
    buf[base[multi] + 9] = ord("(")
    first = base + 9 + multi
    # where each element starts: the posting's first item, plus the sizes of the elements before it
    within = np.cumsum(elem) - elem
    within -= np.repeat(within[starts], n)
    at = np.repeat(first, n) + within
    small = deltas < 256
    buf[at[small]] = ord("K")
    buf[at[small] + 1] = deltas[small]
    big = ~small
    buf[at[big]] = ord("M")
    buf[at[big] + 1] = deltas[big] & 0xFF
    buf[at[big] + 2] = deltas[big] >> 8
    end = out_off[1:]
    buf[end - 2] = np.where(multi, ord("e"), ord("a"))
    buf[end - 1] = ord(".")
    return buf.tobytes(), out_off


@dataclass
class BulkField:
    """Postings of one field in the order Whoosh writes them (terms ascending)."""
    terms: list[bytes]
    starts: np.ndarray           # per term, into rows/freqs
    ends: np.ndarray
    rows: np.ndarray
    freqs: np.ndarray | None     # None: every posting has frequency 1 (Existence)
    lengths: np.ndarray          # tokens per document
    values: bytes | None = None  # encoded posting values (Positions), sliced per posting by:
    value_starts: np.ndarray | None = None
    value_ends: np.ndarray | None = None

    @classmethod
    def of_ids(cls, ids: list[str]) -> "BulkField":
        """An ID field (one term per document, existence only) from each document's id."""
        terms = np.array([i.encode("utf-8") for i in ids], dtype=object)
        order = np.argsort(terms, kind="stable")
        sorted_terms = terms[order]
        first = np.concatenate(([True], sorted_terms[1:] != sorted_terms[:-1])) if len(ids) else np.zeros(0, bool)
        starts = np.flatnonzero(first)
        ends = np.append(starts[1:], len(ids))
        return cls(list(sorted_terms[starts]), starts, ends, order.astype(np.int32), None,
                   np.zeros(len(ids), dtype=np.int32))

    @classmethod
    def from_postings(cls, p: Postings) -> "BulkField":
        if p.deltas is None:
            return cls([t.encode("utf-8") for t in p.terms], p.offsets[:-1], p.offsets[1:], p.rows, p.freqs,
                       p.lengths)
        values, offsets = encode_positions(p.pos_offsets, p.deltas)
        return cls([t.encode("utf-8") for t in p.terms], p.offsets[:-1], p.offsets[1:], p.rows, p.freqs,
                   p.lengths, values, offsets[:-1], offsets[1:])


class _ArrayPostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer fed whole blocks whose IDs are already delta-encoded; the bytes are the same."""

    def _mini_ids(self):
        return self._delta_ids

    def _mini_weights(self):
        w = np.frombuffer(self._weights, dtype=np.float32)
        if (w == 1.0).all():
            return None
        if (w == w[0]).all():
            return self._weights[0]
        return tuple(self._weights)


def _block_deltas(bulk: BulkField) -> np.ndarray:
    """Every posting's row minus the previous one in its block (Whoosh's ``delta_encode``, a block at a time)."""
    deltas = np.diff(bulk.rows.astype(np.int64), prepend=0)
    lengths = (bulk.ends - bulk.starts).astype(np.int64)
    blocks = (lengths + BLOCK - 1) // BLOCK
    first_block = np.repeat(bulk.starts.astype(np.int64), blocks)
    within = np.arange(int(blocks.sum())) - np.repeat(np.cumsum(blocks) - blocks, blocks)
    starts = first_block + within * BLOCK
    deltas[starts] = bulk.rows[starts]
    return deltas


def _write_field(fieldwriter, name: str, fieldobj, bulk: BulkField) -> np.ndarray:
    """Write one field's postings; returns where each term's posting list starts in the postings file."""
    fieldwriter.start_field(name, fieldobj)
    extents = np.full(len(bulk.terms), -1, dtype=np.int64)
    old = fieldwriter._postwriter
    pw = fieldwriter._postwriter = _ArrayPostingsWriter(old._postfile, old._blocklimit, old._byteids,
                                                        old._compression, old._inlinelimit)
    lengths = bulk.lengths
    deltas = _block_deltas(bulk)
    values, vstart, vend = bulk.values, bulk.value_starts, bulk.value_ends
    for t, (term, lo, hi) in enumerate(zip(bulk.terms, bulk.starts.tolist(), bulk.ends.tolist())):
        if hi <= lo:
            continue
        fieldwriter._btext = term
        pw.start_postings(fieldobj.format, W3TermInfo())
        extents[t] = pw._startoffset
        for b in range(lo, hi, BLOCK):
            e = min(hi, b + BLOCK)
            ids = bulk.rows[b:e]
            if b > lo:
                pw._write_block()
            pw._ids = array("I", ids.astype(np.uint32).tobytes())
            pw._delta_ids = tuple(deltas[b:e].tolist())
            if bulk.freqs is None:
                pw._weights = array("f", [1.0]) * (e - b)
                pw._maxweight = 1.0
            else:
                f = bulk.freqs[b:e]
                pw._weights = array("f", f.astype(np.float32).tobytes())
                pw._maxweight = float(f.max())
            pw._values = [values[o:p] for o, p in zip(vstart[b:e].tolist(), vend[b:e].tolist())] \
                if values is not None else []
            ls = lengths[ids]
            pw._minlength, pw._maxlength = int(ls.min()), int(ls.max())
        fieldwriter.finish_term()
    fieldwriter.finish_field()
    return extents


class BulkSegmentWriter(SegmentWriter):
    """A SegmentWriter that takes the postings of some fields as arrays instead of from documents."""

    def __init__(self, ix, bulk: dict[str, BulkField], **kwargs):
        super().__init__(ix, **kwargs)
        self.bulk = bulk
        self.extents: dict[str, np.ndarray] = {}     # field → where each term's posting list starts

    def add_document(self, **fields):
        """Add the per-document part; bulk fields contribute their length and, if stored, their value (copied
        from Whoosh 2.7.5)."""
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        add_post = self.pool.add
        fieldnames = sorted([name for name in fields if not name.startswith("_")] + list(self.bulk))
        perdocwriter.start_doc(docnum)
        for fieldname in fieldnames:
            field = schema[fieldname]
            if fieldname in self.bulk:
                value = fields.get(fieldname) if field.stored else None
                perdocwriter.add_field(fieldname, field, value, int(self.bulk[fieldname].lengths[docnum]))
                continue
            value = fields.get(fieldname)
            if value is None:
                continue
            length = 0
            if field.indexed:
                for tbytes, freq, weight, vbytes in field.index(value):
                    if field.scorable:
                        length += freq
                    add_post((fieldname, tbytes, docnum, weight, vbytes))
            perdocwriter.add_field(fieldname, field, value if field.stored else None, length)
            column = field.column_type
            if column:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        self.perdocwriter.close()
        # Lengths matter only to scorable fields; for the ID fields Whoosh would stat a missing length file
        # once per posting, so the reader is passed only when a pooled field needs it.
        scored = any(self.schema[name].scorable for name in self.schema.names() if name not in self.bulk)
        pdr = self.per_document_reader() if scored and self.codec.length_stats else None
        self.fieldwriter.add_postings(self.schema, pdr, self.pool.iter_postings())
        for name in sorted(self.bulk):
            self.extents[name] = _write_field(self.fieldwriter, name, self.schema[name], self.bulk[name])
        self.fieldwriter.close()
        if pdr:
            pdr.close()
