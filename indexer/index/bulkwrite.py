"""Write a Whoosh segment whose large fields' postings come from precomputed arrays, a block at a time.

Whoosh's own writer pushes every posting through a Python pool (about 5 µs each); a 150,000-passage
corpus has some 70 million word and n-gram postings. Here the per-document data (stored fields, field
lengths, columns and the small ID fields) still goes through Whoosh's writer, while the postings of the
bulk fields are written a block (``BLOCK`` postings) at a time in the layout of Whoosh's ``W3PostingsWriter``,
each block's pickle put together with numpy (``_Blocks``). ``encode_positions`` produces Whoosh's Positions
values (a big-endian count and a protocol-2 pickle of the deltas); tests compare it with ``Positions.encode``.
This depends on whoosh-reloaded 2.7.5's codec internals; the version is pinned and tests read every
bulk-written field back through Whoosh's public API.
"""
from __future__ import annotations

import pickle
import zlib
from dataclasses import dataclass

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3PostingsWriter, W3TermInfo
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from indexer.index.blocks import LIST_HEAD
from indexer.index.postings import Postings

BLOCK = 1024  # postings per block: Whoosh writes 128 and reads any; larger blocks are 15% smaller and faster


def encode_positions(pos_offsets: np.ndarray, deltas: np.ndarray) -> tuple[bytes, np.ndarray]:
    """Whoosh Positions values for many postings at once, each pickled as a bytes object (the opcode and length,
    then the value), so that the values of a block, one after the other, are the items of the block's pickled
    tuple of values: one buffer and the offset of each."""
    n = np.diff(pos_offsets)
    if len(n) and (n.max() >= 1000 or deltas.max() >= 65536):
        raise ValueError("a posting with 1,000 or more positions or a gap of 65,536 tokens")
    elem = np.where(deltas < 256, 2, 3)
    starts = pos_offsets[:-1]
    items = np.add.reduceat(elem, starts) if len(starts) else np.zeros(0, np.int64)
    size = 4 + 5 + np.where(n > 1, 1, 0) + items + 1 + 1
    prefix = np.where(size < 256, 2, 5)
    out_off = np.concatenate(([0], np.cumsum(size + prefix))).astype(np.int64)
    buf = np.zeros(int(out_off[-1]), dtype=np.uint8)
    _put_opcodes(buf, out_off[:-1], size, _BYTES_OPS)
    base = out_off[:-1] + prefix
    for shift, k in ((24, 0), (16, 1), (8, 2), (0, 3)):
        buf[base + k] = (n >> shift) & 0xFF
    for k in range(5):
        buf[base + 4 + k] = LIST_HEAD[k]
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


_BYTES_OPS = ((b"C", 1), (b"B", 4))              # a bytes object's length: SHORT_BINBYTES, BINBYTES
_INT_OPS = ((b"K", 1), (b"M", 2), (b"J", 4))     # a non-negative int below 2**31: BININT1, BININT2, BININT


def _put_opcodes(buf: np.ndarray, at: np.ndarray, values: np.ndarray, ops: tuple) -> None:
    """Write at each of ``at`` a pickle opcode and its little-endian argument from ``values``: of ``ops``
    ((opcode, argument bytes), narrowest first), the first whose argument holds the value."""
    values = values.astype(np.int64)
    todo = np.ones(len(values), dtype=bool)
    for op, width in ops:
        where = todo & (values < (1 << (8 * width)))
        todo &= ~where
        pos, v = at[where], values[where]
        buf[pos] = op[0]
        for k in range(width):
            buf[pos + 1 + k] = (v >> (8 * k)) & 0xFF


def _pickled_ints(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Non-negative integers below 2**31 as pickle items, one buffer and the offset of each."""
    size = np.where(values < 256, 2, np.where(values < 65536, 3, 5))
    off = np.concatenate(([0], np.cumsum(size))).astype(np.int64)
    buf = np.zeros(int(off[-1]), dtype=np.uint8)
    _put_opcodes(buf, off[:-1], values, _INT_OPS)
    return buf, off


@dataclass
class BulkField:
    """Postings of one field in the order Whoosh writes them (terms ascending)."""
    terms: list[bytes]
    starts: np.ndarray           # per term, into rows/freqs
    ends: np.ndarray
    rows: np.ndarray
    freqs: np.ndarray | None     # None: every posting has frequency 1 (Existence)
    lengths: np.ndarray          # tokens per document
    values: bytes | None = None  # posting values (Positions), each pickled as a bytes object, one after the other
    value_offsets: np.ndarray | None = None     # where each posting's starts in ``values`` (len(rows) + 1)

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
                   p.lengths, values, offsets)


CHUNK = 1 << 20      # postings whose pickled form is put together at once: a field's whole would take gigabytes


def _block_deltas(rows: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Every posting's row minus the previous one in its block (Whoosh's ``delta_encode``, a block at a time),
    for the posting lists ``starts``–``ends`` of ``rows``, which they cover one after the other."""
    deltas = np.diff(rows.astype(np.int64), prepend=0)
    lengths = (ends - starts).astype(np.int64)
    blocks = (lengths + BLOCK - 1) // BLOCK
    first_block = np.repeat(starts.astype(np.int64), blocks)
    within = np.arange(int(blocks.sum())) - np.repeat(np.cumsum(blocks) - blocks, blocks)
    at = first_block + within * BLOCK
    deltas[at] = rows[at]
    return deltas


class _Blocks:
    """The posting blocks of some terms of a field (postings ``lo``–``hi``) in Whoosh 2.7.5's layout
    (``W3PostingsWriter._write_block``), the pickle of each block's (delta-coded ids, weights, values) put
    together from slices of buffers made with numpy for all of them at once.

    Whoosh pickles each block with ``pickle.dumps``: 0.5 ms a block of 1,024 postings, and at protocol 2 every
    bytes value becomes a call of ``_codecs.encode`` with memo entries, 2 to 5 bytes a posting more than the
    value itself once compressed (a posting of the words field took 11.7 bytes, here 4.1). ``pickle.loads``,
    all that Whoosh's reader does with the data, reads both the same.
    """

    def __init__(self, bulk: BulkField, first_term: int, end_term: int, compression: int):
        self.bulk, self.compression = bulk, compression
        self.lo, self.hi = int(bulk.starts[first_term]), int(bulk.ends[end_term - 1])
        rows = bulk.rows[self.lo:self.hi]
        ids, self.id_offsets = _pickled_ints(_block_deltas(rows, bulk.starts[first_term:end_term] - self.lo,
                                                           bulk.ends[first_term:end_term] - self.lo))
        self.ids = ids.tobytes()
        if bulk.freqs is not None:
            weights = np.empty((self.hi - self.lo, 9), dtype=np.uint8)
            weights[:, 0] = ord("G")
            weights[:, 1:] = bulk.freqs[self.lo:self.hi].astype(">f8").view(np.uint8).reshape(-1, 8)
            self.weights = weights.tobytes()

    def write(self, pw: W3PostingsWriter, lo: int, hi: int, last: bool) -> None:
        """Write postings ``lo:hi`` of the field as one block of the term ``pw`` is writing."""
        bulk, ids, base = self.bulk, self.id_offsets, self.lo
        a, b = lo - base, hi - base
        parts = [b"\x80\x02(", self.ids[ids[a]:ids[b]], b"t"]
        if bulk.freqs is None:
            top, total = 1.0, float(hi - lo)
            parts.append(b"N")
        else:
            f = bulk.freqs[lo:hi]
            top, total = float(f.max()), float(f.sum())
            parts += [b"N"] if top == 1.0 else [self.weights[9 * a:9 * a + 9]] if f.min() == top else \
                [b"(", self.weights[9 * a:9 * b], b"t"]
        if bulk.values is None:
            parts.append(b"N")
        else:
            v = bulk.value_offsets
            parts += [b"(", bulk.values[v[lo]:v[hi]], b"t"]
        parts.append(b"\x87.")
        data = b"".join(parts)
        comp = self.compression
        if comp:
            data = zlib.compress(data, comp)
        lengths = bulk.lengths[bulk.rows[lo:hi]]
        minlength, maxlength = int(lengths.min()), int(lengths.max())
        last_id = int(bulk.rows[hi - 1])
        info = pickle.dumps((hi - lo, last_id, top, comp, length_to_byte(minlength), length_to_byte(maxlength)), 2)
        if not pw._blockcount:
            pw._postfile.write(WHOOSH3_HEADER_MAGIC)
        ti = pw._terminfo                     # W3TermInfo.add_block, from the block's figures
        ti._weight += total
        ti._df += hi - lo
        ti._minlength = minlength if ti._minlength is None else min(ti._minlength, minlength)
        ti._maxlength = max(ti._maxlength, maxlength)
        ti._maxweight = max(ti._maxweight, top)
        if ti._minid is None:
            ti._minid = int(bulk.rows[lo])
        ti._maxid = last_id
        pw._postfile.write_int(-(len(info) + len(data)) if last else len(info) + len(data))
        pw._postfile.write(info)
        pw._postfile.write(data)
        pw._blockcount += 1


def _term_groups(bulk: BulkField):
    """(first, end) ranges of terms with at most ``CHUNK`` postings together (or one term with more)."""
    t, n = 0, len(bulk.terms)
    while t < n:
        end = max(t + 1, int(np.searchsorted(bulk.ends, bulk.starts[t] + CHUNK, side="right")))
        yield t, min(end, n)
        t = end


def _write_field(fieldwriter, name: str, fieldobj, bulk: BulkField) -> np.ndarray:
    """Write one field's postings; returns where each term's posting list starts in the postings file."""
    fieldwriter.start_field(name, fieldobj)
    extents = np.full(len(bulk.terms), -1, dtype=np.int64)
    pw = fieldwriter._postwriter
    for first, end in _term_groups(bulk):
        blocks = _Blocks(bulk, first, end, pw._compression)
        for t in range(first, end):
            lo, hi = int(bulk.starts[t]), int(bulk.ends[t])
            if hi <= lo:
                continue
            fieldwriter._btext = bulk.terms[t]
            pw.start_postings(fieldobj.format, W3TermInfo())
            extents[t] = pw._startoffset
            for b in range(lo, hi, BLOCK):
                blocks.write(pw, b, min(hi, b + BLOCK), last=b + BLOCK >= hi)
            fieldwriter.finish_term()         # the term's extent: no postings are left buffered
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
