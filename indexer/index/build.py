"""Build one index generation from documents: analyse every passage once, compute the postings with numpy,
write the Whoosh segments and the sidecar arrays, then publish the generation (generations.py).

The caller holds the write lock (lock.py). Analysis runs in worker processes (jieba does not get faster
with threads); large corpora are written as one Whoosh segment per worker, forked so that the postings
arrays are shared, not copied.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index

from indexer.facets import FACETS
from indexer.index import sidecar
from indexer.index.bulkwrite import BulkField, BulkSegmentWriter
from indexer.index.generations import CURRENT, FILES, INFO, SIDECAR_DIR, WHOOSH_DIR
from indexer.index.postings import Grams, gram_postings, word_postings
from indexer.index.schema import SCHEMA_VERSION, passage_schema
from indexer.model import Document
from indexer.normalize import fold
from indexer.store import atomic_write_lines, write_documents

# ------------------------------------------------------------------------------------------- analysis

@dataclass
class Row:
    """One passage as the index sees it."""
    passage_id: str
    doc_id: str
    text: str
    heading: str
    category: str
    ordinal: int
    start: int
    end: int
    lead: str = ""      # the report text before the passage since the previous one: its headings
    trail: str = ""     # the text after the last passage of a report


_SEP = "\x1f"   # joins a passage's words for the trip back from a worker: one string pickles far faster than a list


def _analyze(chunk: list[tuple[str, str, str, str]]) -> list[tuple[str, int, int, str, str]]:
    """For (text, heading+title, lead, trail) tuples: the folded lead+text+trail, the folded lengths in bytes
    of the lead and the trail, and the words of the text and of heading and title; runs in a worker."""
    from indexer.index.analysis import words
    out = []
    for text, head, lead, trail in chunk:
        folded, lead_f, trail_f = fold(text), fold(lead), fold(trail)
        out.append((lead_f + folded + trail_f, len(lead_f.encode()), len(trail_f.encode()),
                    _SEP.join(words(folded)), _SEP.join(words(fold(head)))))
    return out


def analyze_all(items: list[tuple[str, str, str, str]], workers: int) -> list[tuple[str, int, int, list[str], list[str]]]:
    """Segment every passage once, in parallel (jieba does not get faster with threads)."""
    size = max(64, len(items) // (workers * 8) + 1)
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    if workers <= 1 or len(chunks) <= 1:
        parts = [_analyze(c) for c in chunks]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(_analyze, chunks))
    return [(f, lb, tb, w.split(_SEP) if w else [], h.split(_SEP) if h else [])
            for part in parts for f, lb, tb, w, h in part]


# ---------------------------------------------------------------------------------------------- build

@dataclass
class BuildReport:
    documents: int = 0
    passages: int = 0
    seconds: float = 0.0
    generation: str = ""
    timings: dict[str, float] = field(default_factory=dict)


def build_generation(index_dir: str | os.PathLike, docs: list[Document], files: dict[str, dict] | None = None,
                     workers: int | None = None) -> BuildReport:
    """Write a complete new generation for ``docs`` and make it live. The caller holds the write lock."""
    t0 = time.perf_counter()
    tmp = new_generation(Path(index_dir))
    report = BuildReport(documents=len(docs))

    rows: list[Row] = []
    doc_of_row: list[int] = []
    joined: list[bool] = []
    for d_index, doc in enumerate(docs):
        passages = doc.passages()
        around = doc.surroundings()
        for i, (p, (lead, trail)) in enumerate(zip(passages, around or [("", "")] * len(passages))):
            rows.append(Row(p.passage_id, doc.doc_id, p.text, p.heading, p.category, p.ordinal, p.start, p.end,
                            lead, trail))
            doc_of_row.append(d_index)
            joined.append(around is not None and i < len(passages) - 1)
    report.passages = len(rows)
    t = time.perf_counter()
    analysed = analyze_all([(r.text, f"{r.heading} {docs[d].title}", r.lead, r.trail) for r, d in zip(rows, doc_of_row)],
                           workers or max(1, min(2, os.cpu_count() or 1)))
    report.timings["analysis"] = time.perf_counter() - t

    t = time.perf_counter()
    folded = [a[0] for a in analysed]
    words = word_postings([a[3] for a in analysed], positions=True)
    head = word_postings([a[4] for a in analysed], positions=True)
    grams = gram_postings(folded)
    report.timings["postings"] = time.perf_counter() - t

    t = time.perf_counter()
    bulk = {"words": BulkField.from_postings(words), "head": BulkField.from_postings(head),
            "grams": _gram_field(grams, folded)}
    _write_whoosh(tmp / WHOOSH_DIR, rows, doc_of_row, docs, bulk, workers or max(1, min(2, os.cpu_count() or 1)))
    report.timings["whoosh"] = time.perf_counter() - t

    t = time.perf_counter()
    sidecar.build(tmp / SIDECAR_DIR, sidecar.SidecarInput(
        folded=folded, lead_bytes=[a[1] for a in analysed], trail_bytes=[a[2] for a in analysed], joined=joined,
        words=words, head=head, grams=grams,
        facets={f.name: [r.category if f.per_passage else getattr(docs[d], f.name) or ""
                         for r, d in zip(rows, doc_of_row)] for f in FACETS},
        years=[docs[d].year or 0 for d in doc_of_row], doc_index=doc_of_row, doc_ids=[d.doc_id for d in docs]))
    report.timings["sidecar"] = time.perf_counter() - t

    write_documents(tmp, docs)
    report.generation = publish(tmp, files or {}, len(docs), len(rows))
    report.seconds = time.perf_counter() - t0
    return report


PARALLEL_MIN_ROWS = 5_000   # below this one segment is written; above, one per worker process


def _write_segment(path: Path, rows: list[Row], doc_of_row: list[int], docs: list[Document],
                   bulk: dict[str, BulkField], lo: int, hi: int) -> None:
    """Write rows lo..hi-1 as one Whoosh index (a single segment) at ``path``."""
    path.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(path), passage_schema())
    part = bulk if (lo, hi) == (0, len(rows)) else {name: f.rows_between(lo, hi) for name, f in bulk.items()}
    # Separate files, not one compound file: Whoosh opens a compound file's parts through BytesIO, which copies
    # each (the term index included) into memory on every cold open.
    writer = BulkSegmentWriter(ix, part, limitmb=256, compound=False)
    for row_no in range(lo, hi):
        r, doc = rows[row_no], docs[doc_of_row[row_no]]
        writer.add_document(
            passage_id=r.passage_id, doc_id=r.doc_id, row=row_no, text=r.text, title_text=doc.title,
            heading_text=r.heading, lead=r.lead.strip(), body=doc.body, category=r.category, region=doc.region or "",
            province=doc.province or "", level=doc.level or "", year=doc.year or 0, section=r.category,
            doc_type=doc.doc_type, ordinal=r.ordinal, start=r.start, end=r.end)
    writer.commit()


def _write_whoosh(path: Path, rows: list[Row], doc_of_row: list[int], docs: list[Document],
                  bulk: dict[str, BulkField], workers: int) -> None:
    """Write the Whoosh index, in parallel for large corpora: each worker process writes one segment of
    contiguous rows (forked, so the postings arrays are shared, not copied), and one table of contents lists
    the segments in row order, so that document numbers stay equal to sidecar rows."""
    n = len(rows)
    parts = workers if n >= PARALLEL_MIN_ROWS and workers > 1 else 1
    if parts == 1:
        _write_segment(path, rows, doc_of_row, docs, bulk, 0, n)
        return
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC
    bounds = [n * k // parts for k in range(parts + 1)]
    ctx = multiprocessing.get_context("fork")
    jobs = []
    for k in range(parts):
        sub = path.with_name(f"{path.name}.part{k}")
        proc = ctx.Process(target=_write_segment, args=(sub, rows, doc_of_row, docs, bulk, bounds[k], bounds[k + 1]))
        proc.start()
        jobs.append((proc, sub))
    for proc, _ in jobs:
        proc.join()
        if proc.exitcode != 0:
            raise RuntimeError(f"a segment writer failed (exit code {proc.exitcode})")
    ix = whoosh_index.create_in(str(path), passage_schema())
    segments = []
    for _, sub in jobs:
        segments += TOC.read(FileStorage(str(sub)), ix.indexname).segments
        for f in sub.iterdir():
            if not f.name.endswith((".toc", ".lock")):
                os.replace(f, path / f.name)
        shutil.rmtree(sub)
    TOC(ix.schema, segments, ix.latest_generation() + 1).write(FileStorage(str(path)), ix.indexname)


def _gram_field(grams: Grams, folded: list[str]) -> BulkField:
    """The n-gram postings in the order Whoosh writes terms (by their UTF-8 bytes)."""
    strings = grams.term_strings()
    order = sorted(range(len(strings)), key=strings.__getitem__)
    starts, ends = grams.offsets[:-1][order], grams.offsets[1:][order]
    lengths = np.fromiter((len(t) for t in folded), dtype=np.int32, count=len(folded))
    return BulkField([strings[i].encode("utf-8") for i in order], starts, ends, grams.rows, None, lengths)


# ------------------------------------------------------------------------------------------ publish

def new_generation(index_dir: Path) -> Path:
    """An empty temporary directory for the next generation (``gen-N.tmp``), left over ones removed."""
    index_dir.mkdir(parents=True, exist_ok=True)
    numbers = [int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()]
    tmp = index_dir / f"gen-{max(numbers, default=0) + 1:06d}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / WHOOSH_DIR).mkdir(parents=True)
    return tmp


def publish(tmp: Path, files: dict[str, dict], documents: int, passages: int) -> str:
    """Finish the generation being written in ``tmp`` and make it live; returns its name.

    Writes ``files.json`` and ``info.json``, fsyncs every file and directory, renames it into place, replaces
    ``CURRENT``, and removes every generation but the new and the previous one.
    """
    index_dir, gen = tmp.parent, tmp.with_name(tmp.name.removesuffix(".tmp"))
    (tmp / FILES).write_text(json.dumps(files, ensure_ascii=False, indent=0), encoding="utf-8")
    (tmp / INFO).write_text(json.dumps({"schema_version": SCHEMA_VERSION, "documents": documents,
                                        "passages": passages, "built": time.strftime("%Y-%m-%dT%H:%M:%S")}),
                            encoding="utf-8")
    _fsync_tree(tmp)
    os.replace(tmp, gen)
    try:
        previous = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        previous = None
    atomic_write_lines(index_dir / CURRENT, [gen.name])
    for old in index_dir.glob("gen-*"):
        if old.name not in (gen.name, previous):
            shutil.rmtree(old, ignore_errors=True)
    return gen.name


def _fsync_tree(path: Path) -> None:
    for root, _dirs, files in os.walk(path):
        for name in [*files, "."]:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
