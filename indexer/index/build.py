"""Build, update and open passage indexes: Whoosh files plus numpy sidecar, one generation at a time.

Layout of an index directory::

    CURRENT              name of the live generation, replaced atomically
    write.lock           held by the one process that writes
    gen-000007/          whoosh/ (the Whoosh index), side/ (numpy arrays), documents.jsonl, files.json, info.json

Every change (ingest, remove, rebuild) writes a complete new generation, fsyncs it, and then swaps
``CURRENT``; readers keep the generation they opened, so nobody ever sees half an index. The previous
generation is kept until the next change. Unchanged input files are skipped by content hash, and the
documents of unchanged files are reused without parsing them again.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index

from indexer.index import sidecar
from indexer.index.bulkwrite import BulkField, BulkSegmentWriter
from indexer.settings import SETTINGS, Settings
from indexer.model import Document
from indexer.normalize import fold
from indexer.understand.passages import surroundings
from indexer.index.postings import Grams, gram_postings, word_postings
from indexer.index.schema import SCHEMA_VERSION, passage_schema
from indexer.store import atomic_write_lines, read_documents

CURRENT = "CURRENT"
LOCK = "write.lock"
WRITER_TIMEOUT_S = 30.0


class IndexMissing(RuntimeError):
    """No index at the path (exit code 3)."""


class IndexMismatch(RuntimeError):
    """An index of another schema version (exit code 3)."""


class IndexBusy(RuntimeError):
    """Another process is writing the index (exit code 4)."""


class WriteLock:
    """An exclusive, non-blocking lock on an index directory, released when the process dies."""

    def __init__(self, index_dir: Path, timeout_s: float = 0.0):
        self.path = Path(index_dir) / LOCK
        self.timeout_s = timeout_s
        self.fd: int | None = None

    def __enter__(self) -> "WriteLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.timeout_s
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(self.fd)
                    raise IndexBusy(f"index is busy: another process is writing {self.path.parent}") from None
                time.sleep(0.1)

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)


def current_generation(index_dir: str | os.PathLike, check_version: bool = True) -> Path:
    """The live generation directory, checked for the schema version this code reads.

    :param check_version: False to read an index of another version anyway (its documents, to rebuild it).
    :raises IndexMissing: no index there. :raises IndexMismatch: built by another schema version.
    """
    index_dir = Path(index_dir)
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        raise IndexMissing(f"no index at {index_dir}: build one with `lrsearch ingest PATH --index {index_dir}`") \
            from None
    gen = index_dir / name
    try:
        info = json.loads((gen / "info.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise IndexMissing(f"index at {index_dir} is incomplete (missing {name}/info.json)") from None
    if check_version and info.get("schema_version") != SCHEMA_VERSION:
        raise IndexMismatch(f"index at {index_dir} has schema version {info.get('schema_version')}, this lrsearch "
                            f"reads version {SCHEMA_VERSION}: rebuild it with `lrsearch index --index {index_dir}`")
    return gen


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

def _fsync_tree(path: Path) -> None:
    for root, _dirs, files in os.walk(path):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fd = os.open(root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _next_generation(index_dir: Path) -> Path:
    numbers = [int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()]
    return index_dir / f"gen-{max(numbers, default=0) + 1:06d}"


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
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    gen = _next_generation(index_dir)
    tmp = gen.with_name(gen.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "whoosh").mkdir(parents=True)
    report = BuildReport(documents=len(docs), generation=gen.name)

    rows: list[Row] = []
    doc_of_row: list[int] = []
    joined: list[bool] = []
    for d_index, doc in enumerate(docs):
        passages = doc.passages()
        around = surroundings(doc)
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
    _write_whoosh(tmp / "whoosh", rows, doc_of_row, docs, bulk, workers or max(1, min(2, os.cpu_count() or 1)))
    report.timings["whoosh"] = time.perf_counter() - t

    t = time.perf_counter()
    sidecar.build(tmp / "side", sidecar.SidecarInput(
        folded=folded, lead_bytes=[a[1] for a in analysed], trail_bytes=[a[2] for a in analysed], joined=joined,
        words=words, head=head, grams=grams,
        facets={"region": [docs[d].region or "" for d in doc_of_row],
                "province": [docs[d].province or "" for d in doc_of_row],
                "level": [docs[d].level or "" for d in doc_of_row],
                "section": [r.category for r in rows],
                "doc_type": [docs[d].doc_type for d in doc_of_row]},
        years=[docs[d].year or 0 for d in doc_of_row], doc_index=doc_of_row, doc_ids=[d.doc_id for d in docs]))
    report.timings["sidecar"] = time.perf_counter() - t

    atomic_write_lines(tmp / "documents.jsonl", (json.dumps(d.to_dict(), ensure_ascii=False) for d in docs))
    (tmp / "files.json").write_text(json.dumps(files or {}, ensure_ascii=False, indent=0), encoding="utf-8")
    (tmp / "info.json").write_text(json.dumps({"schema_version": SCHEMA_VERSION, "documents": len(docs),
                                               "passages": len(rows), "built": time.strftime("%Y-%m-%dT%H:%M:%S")}),
                                   encoding="utf-8")
    _fsync_tree(tmp)
    os.replace(tmp, gen)
    previous = None
    try:
        previous = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        pass
    atomic_write_lines(index_dir / CURRENT, [gen.name])
    for old in index_dir.glob("gen-*"):
        if old.name not in (gen.name, previous):
            shutil.rmtree(old, ignore_errors=True)
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


# ------------------------------------------------------------------------------------ change an index

def _load(index_dir: Path) -> tuple[list[Document], dict[str, dict], bool]:
    """The documents and file hashes of the live generation, whatever its schema version (documents are
    plain JSON, so an index of an older version can be rebuilt from them), and whether it is current."""
    try:
        gen = current_generation(index_dir, check_version=False)
    except IndexMissing:
        return [], {}, True
    files = json.loads((gen / "files.json").read_text(encoding="utf-8"))
    current = json.loads((gen / "info.json").read_text(encoding="utf-8")).get("schema_version") == SCHEMA_VERSION
    return list(read_documents(gen / "documents.jsonl")), files, current


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class IngestReport:
    files: int = 0
    unchanged: int = 0
    parsed: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    build: BuildReport | None = None


def _without_sources(docs: list[Document], sources: set[str]) -> list[Document]:
    """Drop ``sources`` from every document; a document left with no source is dropped."""
    out = []
    for d in docs:
        remaining = [s for s in d.sources if s not in sources]
        if remaining:
            if d.source in sources:
                d.source = remaining[0]
            d.sources = remaining
            out.append(d)
    return out


def ingest(index_dir: str | os.PathLike, paths: Iterable[str | os.PathLike], settings: Settings = SETTINGS,
           workers: int | None = None, progress: Callable | None = None) -> IngestReport:
    """Add or update the reports under ``paths`` in the index, skipping files whose content is unchanged."""
    from indexer.understand.dedup import fold_duplicates
    from indexer.understand.batch import find_files, parse_many
    index_dir = Path(index_dir)
    report = IngestReport()
    with WriteLock(index_dir):
        docs, files, current = _load(index_dir)
        found = find_files(paths)
        report.files = len(found)
        changed: list[Path] = []
        hashes: dict[str, str] = {}
        for f in found:
            key = str(f.resolve())
            try:
                hashes[key] = file_hash(f)
            except OSError as exc:
                report.errors.append((str(f), f"cannot read: {exc.strerror or exc}"))
                continue
            if files.get(key, {}).get("hash") == hashes[key]:
                report.unchanged += 1
            else:
                changed.append(f)
        batch = parse_many(changed, settings, workers, progress)
        report.parsed = len(batch.documents)
        report.errors += batch.errors
        if not batch.documents and report.unchanged == report.files and current:
            return report
        for doc in batch.documents:
            if not _is_url(doc.source):        # a crawled page keeps its URL as its source
                doc.source = str(Path(doc.source).resolve())
            doc.sources = list(dict.fromkeys([doc.source, *(s for s in doc.sources if _is_url(s))]))
        failed = {str(Path(p).resolve()) for p, _ in batch.errors}
        # A changed file replaces its document; a crawled page that changed comes back as a new stored body
        # under the same URL, so documents are also replaced by source.
        parsed = {str(f.resolve()) for f in changed} - failed
        replaced = parsed | {d.source for d in batch.documents}
        docs = fold_duplicates(_without_sources(docs, replaced) + batch.documents, settings)
        for key in parsed:
            files[key] = {"hash": hashes[key]}
        report.build = build_generation(index_dir, docs, files, workers)
    return report


def remove(index_dir: str | os.PathLike, targets: Iterable[str]) -> tuple[int, list[str]]:
    """Remove documents by doc id or by source path; returns (documents removed, targets not found)."""
    index_dir = Path(index_dir)
    with WriteLock(index_dir):
        current_generation(index_dir)
        docs, files, _ = _load(index_dir)
        targets = list(targets)
        ids = {t for t in targets if any(d.doc_id == t for d in docs)}
        paths = {str(Path(t).resolve()) for t in targets if t not in ids}
        kept = _without_sources([d for d in docs if d.doc_id not in ids], paths)
        known = {s for d in docs for s in d.sources}
        missing = [t for t in targets if t not in ids and str(Path(t).resolve()) not in known]
        for p in paths:
            files.pop(p, None)
        removed = len(docs) - len(kept)
        if removed:
            build_generation(index_dir, kept, files)
        return removed, missing


def rebuild(index_dir: str | os.PathLike, documents: str | os.PathLike | None = None,
            workers: int | None = None) -> BuildReport:
    """Rebuild the index from processed documents (a JSONL file or folder), or from its own documents."""
    from indexer.understand.dedup import fold_duplicates
    index_dir = Path(index_dir)
    with WriteLock(index_dir):
        if documents is None:
            docs, files, _ = _load(index_dir)
            if not docs:
                current_generation(index_dir)
        else:
            docs, files = fold_duplicates(list(read_documents(documents))), {}
        return build_generation(index_dir, docs, files, workers)
