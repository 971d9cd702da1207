"""Write an index: segments from documents, and commits that make a set of segments live.

A segment is written from a batch of documents, end to end by one process: every passage analysed once, the
postings computed with numpy, the Whoosh segment written a block at a time (bulkwrite.py), and beside it the
sidecar arrays and the documents (its folder under ``segments/``). A build writes segments in parallel, one
forked process each (jieba does not get faster with threads), at most ``max_segment_passages`` passages each,
which bounds its memory. A commit lists the segments, marks in Whoosh the passages of documents taken out,
fsyncs everything, and replaces ``CURRENT``. The caller holds the write lock (lock.py).
"""
from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from indexer import workers
from indexer.facets import FACETS
from indexer.index import sidecar
from indexer.index.bulkwrite import BulkField, BulkSegmentWriter
from indexer.index.commits import (
    COMMITS_DIR,
    CURRENT,
    SEGMENTS_DIR,
    SIDECAR_DIR,
    WHOOSH_DIR,
    WHOOSH_NAME,
    Commit,
    SegmentEntry,
    segment_dir,
)
from indexer.index.postings import (
    MAX_ROWS,
    Grams,
    TokenCounter,
    Tokens,
    edge_gram_keys,
    gram_keys,
    gram_postings,
    word_postings,
)
from indexer.index.schema import SCHEMA_VERSION, passage_schema
from indexer.model import Document
from indexer.normalize import fold
from indexer.settings import SETTINGS
from indexer.store import atomic_write_lines, fsync_dir, write_documents

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


@dataclass
class Analysed:
    """What the analysis of some rows gives: per row the folded lead+text+trail and how many UTF-8 bytes of it
    are the lead and the trail; the words of the texts, and of the headings and titles, as integers."""
    folded: list[str]
    lead_bytes: list[int]
    trail_bytes: list[int]
    words: Tokens
    head: Tokens
    gram_keys: list[np.ndarray]     # the distinct (gram, row) keys, in sorted runs (postings.gram_keys)
    edge_keys: list[np.ndarray]     # … of grams a row holds only around its passage (postings.edge_gram_keys)


def analyze(chunk: list[tuple[str, str, str, str]]) -> Analysed:
    """Analyse (text, heading+title, lead, trail) tuples: fold, cut into words (jieba-rs), gram keys. Words are
    turned into ids passage by passage, so a segment's words never stand as Python strings all at once."""
    from indexer.index.analysis import words
    out = Analysed([], [], [], None, None, None, None)
    text_words, head_words = TokenCounter(), TokenCounter()
    heads: dict[str, list[str]] = {}        # a section's passages share their heading and title
    edge_rows, edge_own = [], []            # rows with text around the passage, and the passage's own text
    for row, (text, head, lead, trail) in enumerate(chunk):
        folded, lead_f, trail_f = fold(text), fold(lead) if lead else "", fold(trail) if trail else ""
        out.folded.append(lead_f + folded + trail_f)
        out.lead_bytes.append(len(lead_f.encode()))
        out.trail_bytes.append(len(trail_f.encode()))
        if lead_f or trail_f:
            edge_rows.append(row)
            edge_own.append(folded)
        text_words.add(words(folded))
        head_words.add(heads[head] if head in heads else heads.setdefault(head, words(fold(head))))
    out.words, out.head = text_words.tokens(), head_words.tokens()
    out.gram_keys = gram_keys(out.folded, 0)
    out.edge_keys = edge_gram_keys([out.folded[r] for r in edge_rows], edge_own, edge_rows)
    return out


# ---------------------------------------------------------------------------------------------- build

@dataclass
class BuildReport:
    documents: int = 0          # live documents after the change
    passages: int = 0
    seconds: float = 0.0
    generation: str = ""        # the commit made live
    segments: int = 0           # segments after the change
    written: int = 0            # passages written into new segments by this change
    timings: dict[str, float] = field(default_factory=dict)

    def add(self, timings: dict[str, float]) -> None:
        for k, v in timings.items():
            self.timings[k] = self.timings.get(k, 0.0) + v


def _rows(docs: list[Document]) -> tuple[list[Row], list[int], list[bool]]:
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
    return rows, doc_of_row, joined


def write_segment(index_dir: Path, seg_id: str, docs: list[Document], signatures: np.ndarray) -> dict[str, float]:
    """Write ``docs`` as one segment, in this process: a one-segment Whoosh index in the segment's folder (its
    files move into ``whoosh/`` when the change adopts it), the sidecar, the documents with their catalog and
    ``signatures`` (for folding reposts later). Returns the time of each phase."""
    timings: dict[str, float] = {}
    folder = segment_dir(index_dir, seg_id)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rows, doc_of_row, joined = _rows(docs)
    if len(rows) > MAX_ROWS:
        raise ValueError(f"a segment holds at most {MAX_ROWS} passages (max_segment_passages)")
    t = time.perf_counter()
    analysed = analyze([(r.text, f"{r.heading} {docs[d].title}", r.lead, r.trail) for r, d in zip(rows, doc_of_row)])
    timings["analysis"] = time.perf_counter() - t

    t = time.perf_counter()
    folded, lead_bytes, trail_bytes = analysed.folded, analysed.lead_bytes, analysed.trail_bytes
    words = word_postings(analysed.words, positions=True)
    head = word_postings(analysed.head, positions=True)
    grams = gram_postings(analysed.gram_keys)
    edge_grams = gram_postings(analysed.edge_keys)
    del analysed        # the words as ids and the gram keys: as large as the postings, not needed any more
    timings["postings"] = time.perf_counter() - t

    t = time.perf_counter()
    bulk = {"words": BulkField.from_postings(words), "head": BulkField.from_postings(head),
            "grams": _gram_field(grams, folded), "passage_id": BulkField.of_ids([r.passage_id for r in rows])}
    extents = _write_whoosh(folder / NEW_WHOOSH, rows, doc_of_row, docs, bulk)
    timings["whoosh"] = time.perf_counter() - t

    t = time.perf_counter()
    sidecar.build(folder / SIDECAR_DIR, sidecar.SidecarInput(
        folded=folded, lead_bytes=lead_bytes, trail_bytes=trail_bytes, joined=joined,
        words=words, head=head, grams=grams, edge_grams=edge_grams, gram_extents=extents["grams"], word_extents=extents["words"],
        facets={f.name: [r.category if f.per_passage else getattr(docs[d], f.name) or ""
                         for r, d in zip(rows, doc_of_row)] for f in FACETS},
        years=[docs[d].year or 0 for d in doc_of_row], doc_index=doc_of_row, doc_ids=[d.doc_id for d in docs],
        doc_meta=[[getattr(d, f) for f in sidecar.DOC_META] for d in docs]))
    write_documents(folder, docs, signatures, compact=True)
    timings["sidecar"] = time.perf_counter() - t
    (folder / TIMINGS).write_text(json.dumps(timings), encoding="utf-8")
    return timings


NEW_WHOOSH, TIMINGS = "whoosh.new", "timings.json"      # in a segment's folder until the change adopts it


def _segment_worker(index_dir: Path, seg_id: str, docs: list[Document], signatures: np.ndarray) -> None:
    """``write_segment`` in a forked worker, which dies with the writer and lets go of its lock."""
    workers.started()
    write_segment(index_dir, seg_id, docs, signatures)


def _write_whoosh(path: Path, rows: list[Row], doc_of_row: list[int], docs: list[Document],
                  bulk: dict[str, BulkField]) -> dict[str, np.ndarray]:
    """Write the rows as a one-segment Whoosh index at ``path``: document numbers equal sidecar rows. Returns,
    per bulk field, where each term's posting list starts in the postings file."""
    path.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(path), passage_schema(), indexname=WHOOSH_NAME)
    # Separate files, not one compound file: Whoosh opens a compound file's parts through BytesIO, which copies
    # each (the term index included) into memory on every cold open.
    writer = BulkSegmentWriter(ix, bulk, limitmb=256, compound=False)
    for row_no, r in enumerate(rows):
        doc = docs[doc_of_row[row_no]]
        facets = {f.name: (r.category if f.per_passage else getattr(doc, f.name) or "").encode("utf-8")
                  for f in FACETS}
        writer.add_document(
            passage_id=r.passage_id, doc_id=r.doc_id, row=row_no, ordinal=r.ordinal, start=r.start, end=r.end,
            year=doc.year or 0, **facets)
    writer.commit()
    return writer.extents


def _gram_field(grams: Grams, folded: list[str]) -> BulkField:
    """The n-gram postings as Whoosh writes them: gram codes sort as the grams' UTF-8 bytes do."""
    lengths = np.fromiter((len(t) for t in folded), dtype=np.int32, count=len(folded))
    return BulkField([s.encode("utf-8") for s in grams.term_strings()], grams.offsets[:-1], grams.offsets[1:],
                     grams.rows, None, lengths)


# ------------------------------------------------------------------------------------------ commits

class Change:
    """One change to an index: the commit it starts from, the segments it adds or drops, the documents it takes
    out; ``publish`` makes it live. The caller holds the write lock."""

    def __init__(self, index_dir: str | os.PathLike, base: Commit | None, workers: int | None = None,
                 max_segment_passages: int = SETTINGS.max_segment_passages, reuse: bool = True):
        """:param base: the live commit; its segments are kept (unless ``reuse`` is False, or it is of another
            version), and its files stay until the commit after this one."""
        self.index_dir = Path(index_dir)
        self.base = base
        self.previous = base if reuse and base and base.schema_version == SCHEMA_VERSION else None
        self.workers = workers or max(1, min(2, os.cpu_count() or 1))
        self.max_passages = max_segment_passages
        self.entries = [SegmentEntry(**vars(s)) for s in self.previous.segments] if self.previous else []
        self.whoosh: dict[str, object] = {}           # Whoosh segment id → segment object
        if self.previous:
            for seg in TOC.read(FileStorage(str(self.index_dir / WHOOSH_DIR)), WHOOSH_NAME,
                                gen=self.previous.whoosh_generation).segments:
                self.whoosh[seg.segment_id()] = seg
        self.report = BuildReport()
        self._started = time.perf_counter()
        self._numbers: list[int] = []
        _clean(self.index_dir, keep=[base] if base else [], old_layout=False)

    def add(self, docs: Iterable[tuple[Document, np.ndarray]], at: int | None = None) -> list[SegmentEntry]:
        """Write documents (each with its signature) as new segments of at most ``max_segment_passages``
        passages each, placed at ``at`` in the segment order (default: last). ``docs`` is read a segment at a
        time; with several workers each segment is written by a forked process of its own while the next is
        read, at most ``workers`` at once (each process does every phase of its segment, so all of them run
        in parallel, and memory holds only those segments)."""
        added: list[SegmentEntry] = []
        running: list[tuple[SegmentEntry, multiprocessing.Process]] = []
        batches = _batches(docs, self.max_passages)
        batch = next(batches, None)
        while batch is not None:
            following = next(batches, None)
            entry = SegmentEntry(self._next_id(), [], sum(len(d.passages()) for d, _ in batch), len(batch))
            docs_, sigs = [d for d, _ in batch], np.stack([s for _, s in batch])
            batch = following
            if self.workers <= 1 or (following is None and not running):     # one segment: no process needed
                write_segment(self.index_dir, entry.id, docs_, sigs)
                added.append(self._adopt(entry))
                continue
            if len(running) >= self.workers:
                added.append(self._adopt(*running.pop(0)))
            proc = multiprocessing.get_context("fork").Process(
                target=_segment_worker, args=(self.index_dir, entry.id, docs_, sigs))
            proc.start()
            running.append((entry, proc))
        for entry, proc in running:
            added.append(self._adopt(entry, proc))
        at = len(self.entries) if at is None else at
        self.entries[at:at] = added
        return added

    def _next_id(self) -> str:
        """A new segment's id, its folder made so that the next id differs even before it is written."""
        if not self._numbers:
            self._numbers = [int(p.name[4:]) for p in (self.index_dir / SEGMENTS_DIR).glob("seg-*")
                             if p.name[4:].isdigit()]
        self._numbers.append(max(self._numbers, default=0) + 1)
        (segment_dir(self.index_dir, f"seg-{self._numbers[-1]:06d}")).mkdir(parents=True, exist_ok=True)
        return f"seg-{self._numbers[-1]:06d}"

    def _adopt(self, entry: SegmentEntry, proc: multiprocessing.Process | None = None) -> SegmentEntry:
        """Take a written segment in: its Whoosh files into ``whoosh/``, its Whoosh segment into the change."""
        if proc is not None:
            proc.join()
            if proc.exitcode != 0:
                raise RuntimeError(f"the writer of segment {entry.id} failed (exit code {proc.exitcode})")
        folder = segment_dir(self.index_dir, entry.id)
        new = folder / NEW_WHOOSH
        (segment,) = TOC.read(FileStorage(str(new)), WHOOSH_NAME).segments
        whoosh_dir = self.index_dir / WHOOSH_DIR
        whoosh_dir.mkdir(parents=True, exist_ok=True)
        for f in new.iterdir():
            if not f.name.endswith((".toc", ".lock")):
                os.replace(f, whoosh_dir / f.name)
        shutil.rmtree(new)
        entry.whoosh = [segment.segment_id()]
        self.whoosh[segment.segment_id()] = segment
        self.report.add(json.loads((folder / TIMINGS).read_text(encoding="utf-8")))
        self.report.written += entry.rows
        return entry

    def delete(self, entry: SegmentEntry, local_docs: Iterable[int]) -> None:
        """Take documents (by their place in the segment) out, marking their passages deleted in Whoosh."""
        new = sorted(set(local_docs) - set(entry.deleted))
        if not new:
            return
        doc = np.asarray(sidecar.Sidecar(segment_dir(self.index_dir, entry.id) / SIDECAR_DIR)["doc"])
        rows = np.flatnonzero(np.isin(doc, new))
        parts = [self.whoosh[w] for w in entry.whoosh]
        starts = np.cumsum([0] + [p.doc_count_all() for p in parts])
        for row in rows.tolist():
            k = int(np.searchsorted(starts, row, side="right")) - 1
            parts[k].delete_document(row - int(starts[k]))
        entry.deleted = sorted(set(entry.deleted) | set(new))
        entry.deleted_rows += len(rows)

    def drop(self, entry: SegmentEntry) -> None:
        """Take a whole segment out (its documents were written again elsewhere: a merge)."""
        self.entries.remove(entry)

    def publish(self, files: dict[str, dict]) -> Commit:
        """Make the change live: a Whoosh table of contents, the commit, then ``CURRENT``, each fsynced."""
        t0 = time.perf_counter()
        self.entries = [e for e in self.entries if e.live_rows > 0]
        whoosh_dir = self.index_dir / WHOOSH_DIR
        whoosh_dir.mkdir(parents=True, exist_ok=True)
        generation = (self.base.whoosh_generation + 1) if self.base else 0
        while (whoosh_dir / f"_{WHOOSH_NAME}_{generation}.toc").exists():    # left by a killed writer
            generation += 1
        segments = [self.whoosh[w] for e in self.entries for w in e.whoosh]
        TOC(passage_schema(), segments, generation).write(FileStorage(str(whoosh_dir)), WHOOSH_NAME)
        commit = Commit((self.base.number + 1) if self.base else 1, generation, self.entries, files,
                        built=time.strftime("%Y-%m-%dT%H:%M:%S"))
        _fsync_tree(whoosh_dir, [f"_{WHOOSH_NAME}_{generation}.toc", *(f for e in self.entries for w in e.whoosh
                                                                        for f in _whoosh_files(whoosh_dir, w))])
        for e in self.entries:
            _fsync_tree(segment_dir(self.index_dir, e.id))
        fsync_dir(self.index_dir / SEGMENTS_DIR)       # the new segments' own names
        fsync_dir(self.index_dir)
        atomic_write_lines(self.index_dir / COMMITS_DIR / commit.name, [commit.to_json()])
        atomic_write_lines(self.index_dir / CURRENT, [commit.name])
        _clean(self.index_dir, keep=[commit] + ([self.base] if self.base else []))
        self.report.timings["commit"] = time.perf_counter() - t0
        self.report.seconds = time.perf_counter() - self._started
        self.report.documents, self.report.passages = commit.documents, commit.passages
        self.report.generation, self.report.segments = f"commit {commit.number}", len(commit.segments)
        return commit


def _batches(docs: Iterable[tuple[Document, np.ndarray]], max_passages: int):
    """The documents in lists of at most ``max_passages`` passages (a longer document alone)."""
    batch, size = [], 0
    for doc, sig in docs:
        n = len(doc.passages())
        if batch and size + n > max_passages:
            yield batch
            batch, size = [], 0
        batch.append((doc, sig))
        size += n
    if batch:
        yield batch


def _whoosh_files(whoosh_dir: Path, segment: str) -> list[str]:
    """The files of one Whoosh segment (named by its ``segment_id()``, which includes the index name)."""
    return [f.name for f in whoosh_dir.glob(f"{segment}.*")]


def _clean(index_dir: Path, keep: list[Commit], old_layout: bool = True) -> None:
    """Remove what no kept commit uses: left over by a killed writer (its segments, Whoosh files, commit and the
    temporary file of ``CURRENT``), or by commits before the previous one
    (a reader that has just read ``CURRENT`` may still open the previous commit's files); with ``old_layout``,
    the generation folders of the layout before segments too (once their documents have been rebuilt)."""
    segments = {e.id for c in keep for e in c.segments}
    whoosh = {w for c in keep for e in c.segments for w in e.whoosh}
    tocs = {f"_{WHOOSH_NAME}_{c.whoosh_generation}.toc" for c in keep}
    commits = {c.name for c in keep}
    for p in (index_dir / SEGMENTS_DIR).glob("*"):
        if p.name not in segments:
            shutil.rmtree(p, ignore_errors=True)
    for p in (index_dir / WHOOSH_DIR).glob("*"):
        if p.name.endswith(".toc") or ".toc." in p.name:
            if p.name not in tocs:
                p.unlink(missing_ok=True)
        elif p.name.split(".")[0] not in whoosh:
            p.unlink(missing_ok=True)
    for p in (index_dir / COMMITS_DIR).glob("*"):
        if p.name not in commits:
            p.unlink(missing_ok=True)
    for p in index_dir.glob(f".{CURRENT}*"):       # the temporary file of a writer killed before its rename
        p.unlink(missing_ok=True)
    for p in index_dir.glob("gen-*") if old_layout else ():
        shutil.rmtree(p, ignore_errors=True)


def _fsync_tree(path: Path, names: list[str] | None = None) -> None:
    """fsync the named files in ``path`` (default: every file below it), then the directories."""
    targets = [path / n for n in names] if names is not None else \
        [Path(root) / f for root, _dirs, files in os.walk(path) for f in files]
    dirs = {path} | {Path(root) for root, _d, _f in os.walk(path)} if names is None else {path}
    for target in [*targets, *dirs]:
        fd = os.open(target, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
