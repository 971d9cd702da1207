"""Change an index: ingest report files (unchanged ones skipped by content hash), remove documents, rebuild.

This is where the write side's parts meet: files are found and parsed by ``indexer.understand``, reposts folded
into what the index holds (each segment's catalog, so nothing held is read again), and the documents written as
new segments by ``indexer.index.build``, in time proportional to what is new. A document that changes (a file
edited, a source gained or lost) is taken out of its segment and written again; a merge policy rewrites small
segments together, and segments that are mostly taken out, so that their number stays bounded. Every change
takes the write lock and publishes a new commit.
"""
from __future__ import annotations

import hashlib
import math
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from indexer.fetch.clock import SYSTEM_CLOCK, Clock
from indexer.index.build import BuildReport, Change
from indexer.index.commits import Commit, SegmentEntry, current_commit, load, segment_dir
from indexer.index.lock import WriteLock
from indexer.model import Document
from indexer.settings import SETTINGS, Settings
from indexer.store import CatalogEntry, read_catalog, read_documents
from indexer.understand.batch import find_files, parse_many
from indexer.understand.dedup import NUM_PERM, fold_duplicates, fold_into, link_versions, signatures
from indexer.understand.pipeline import PARSER_VERSION
from indexer.workers import started

MERGE_BASE = 1_000          # passages: the smallest size tier of the merge policy
PURGE_SHARE = 0.3           # a segment with this share of its passages taken out is written again
FULL_SHARE = 0.9            # a segment this full, without deletions, is left alone by ``optimize``


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
    notes: list[tuple[str, str]] = field(default_factory=list)     # files taken in as something else than a report
    build: BuildReport | None = None


@dataclass
class Held:
    """The documents a commit holds, as their catalogs show them, with where each is."""
    entries: list[CatalogEntry]
    signatures: np.ndarray
    where: list[tuple[SegmentEntry, int]]          # (segment, the document's place in it)

    @classmethod
    def of(cls, index_dir: Path, commit: Commit) -> "Held":
        entries, sigs, where = [], [], []
        for s in commit.segments:
            catalog, seg_sigs = read_catalog(segment_dir(index_dir, s.id))
            gone = set(s.deleted)
            keep = [i for i in range(len(catalog)) if i not in gone]
            entries += [catalog[i] for i in keep]
            sigs.append(seg_sigs[keep])
            where += [(s, i) for i in keep]
        return cls(entries, np.concatenate(sigs) if sigs else np.zeros((0, NUM_PERM), dtype=np.uint64), where)

    def subset(self, picks: list[int]) -> "Held":
        return Held([self.entries[k] for k in picks], self.signatures[picks], [self.where[k] for k in picks])

    def documents(self, index_dir: Path, picks: list[int]) -> Iterator[Document]:
        """The full documents of some held entries, read from their segments."""
        by_segment: dict[str, dict[int, int]] = {}
        for k in picks:
            seg, i = self.where[k]
            by_segment.setdefault(seg.id, {})[i] = k
        docs: dict[int, Document] = {}
        for seg_id, wanted in by_segment.items():
            for i, doc in enumerate(read_documents(segment_dir(index_dir, seg_id))):
                if i in wanted:
                    docs[wanted[i]] = doc
        for k in picks:
            yield docs[k]


def _delete(change: Change, held: Held, picks: Iterable[int]) -> None:
    by_segment: dict[str, tuple[SegmentEntry, list[int]]] = {}
    for k in picks:
        seg, i = held.where[k]
        by_segment.setdefault(seg.id, (seg, []))[1].append(i)
    entries = {e.id: e for e in change.entries}
    for seg_id, (_, local) in by_segment.items():
        change.delete(entries[seg_id], local)


def _rewrite(change: Change, held: Held, index_dir: Path, sources: dict[int, list[str]]) -> list:
    """Held documents whose sources change, as (document, signature) to write again; their old copies are
    taken out."""
    picks = sorted(sources)
    out = []
    for k, doc in zip(picks, held.documents(index_dir, picks)):
        doc.sources = sources[k]
        doc.source = doc.source if doc.source in doc.sources else doc.sources[0]
        out.append((doc, held.signatures[k]))
    _delete(change, held, picks)
    return out


def merge_plan(entries: list[SegmentEntry], factor: int, max_passages: int) -> list[list[SegmentEntry]]:
    """Groups of segments to write again as one: any ``factor`` segments of one size tier (tiers grow by
    ``factor`` from ``MERGE_BASE`` passages; full segments are left alone), and any segment with
    ``PURGE_SHARE`` of its passages taken out. This keeps O(factor · log(n)) segments besides the full ones."""
    plan, tiers = [], {}
    for e in entries:
        if e.rows and e.deleted_rows >= PURGE_SHARE * e.rows:
            plan.append([e])
        elif e.live_rows < max_passages // 2:
            tiers.setdefault(int(math.log(max(e.live_rows, 1) / MERGE_BASE, factor)) if e.live_rows > MERGE_BASE
                             else 0, []).append(e)
    for group in tiers.values():
        group.sort(key=lambda e: e.live_rows)
        while len(group) >= factor:
            plan.append(group[:factor])
            group = group[factor:]
    return plan


def _merge(change: Change, index_dir: Path, settings: Settings) -> None:
    """Apply the merge policy until it has nothing left to do."""
    while plan := merge_plan(change.entries, settings.merge_factor, change.max_passages):
        for group in plan:
            _write_again(change, index_dir, group)


def _write_again(change: Change, index_dir: Path, group: list[SegmentEntry]) -> None:
    """Write the live documents of some segments into new ones, in their place; the old ones are dropped."""
    at = change.entries.index(group[0])
    docs = []
    for e in group:
        catalog, sigs = read_catalog(segment_dir(index_dir, e.id))
        gone = set(e.deleted)
        docs += [(d, sigs[i]) for i, d in enumerate(read_documents(segment_dir(index_dir, e.id))) if i not in gone]
    for e in group:
        change.drop(e)
    change.add(docs, at=at)


def optimize(index_dir: str | os.PathLike, workers: int | None = None, settings: Settings = SETTINGS) \
        -> BuildReport:
    """Merge all segments into as few as ``max_segment_passages`` allows, their deleted passages dropped; the
    segments that are nearly full (``FULL_SHARE``) and have none taken out are kept as they are."""
    index_dir = Path(index_dir)
    with WriteLock(index_dir):
        commit = current_commit(index_dir)
        change = Change(index_dir, commit, workers, settings.max_segment_passages)
        group = [e for e in change.entries if e.deleted_rows or e.live_rows < FULL_SHARE * change.max_passages]
        if len(group) > 1 or any(e.deleted_rows for e in group):
            _write_again(change, index_dir, group)
        change.publish(commit.files)
        return change.report


def _sign(texts: list[str], settings: Settings) -> np.ndarray:
    return signatures(texts, settings)


def _signed(docs: Iterable[Document], settings: Settings, workers: int | None = None, batch: int = 64) \
        -> Iterator[tuple[Document, np.ndarray]]:
    """Documents with their signatures, computed a batch at a time in ``workers`` processes, a few batches
    ahead of the reader, so that memory holds only those."""
    workers = workers or max(1, min(2, os.cpu_count() or 1))
    chunks = _chunks(docs, batch)
    if workers <= 1:
        for chunk in chunks:
            yield from zip(chunk, signatures([d.text for d in chunk], settings))
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=started) as pool:
        pending: deque = deque()
        for chunk in chunks:
            pending.append((chunk, pool.submit(_sign, [d.text for d in chunk], settings)))
            if len(pending) > 2 * workers:
                done, future = pending.popleft()
                yield from zip(done, future.result())
        while pending:
            done, future = pending.popleft()
            yield from zip(done, future.result())


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _current(index_dir: Path, settings: Settings, workers: int | None) -> Commit | None:
    """The live commit, rebuilt first from its own documents when it is of another version or layout."""
    commit, docs, current = load(index_dir)
    if commit is None or current:
        return commit
    change = Change(index_dir, commit, workers, settings.max_segment_passages, reuse=False)
    change.add(_signed(docs, settings, workers))
    return change.publish(commit.files)


def ingest(index_dir: str | os.PathLike, paths: Iterable[str | os.PathLike], settings: Settings = SETTINGS,
           workers: int | None = None, progress: Callable | None = None, clock: Clock = SYSTEM_CLOCK) \
        -> IngestReport:
    """Add or update the reports under ``paths`` in the index, skipping files whose content is unchanged since
    this version of the parser (``PARSER_VERSION``) read them. The reports parsed are stamped with ``clock``'s
    time (``Document.ingested``), taken under the write lock, so a later ingest stamps a later time; a held
    report that only gains a source (a repost folded in), or whose file is read again unchanged by a newer
    parser, keeps its own."""
    index_dir = Path(index_dir)
    report = IngestReport()
    with WriteLock(index_dir):
        commit = _current(index_dir, settings, workers)
        files = dict(commit.files) if commit else {}
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
            seen = files.get(key, {})       # a file ingested before parser versions were recorded: version 1
            if seen.get("hash") == hashes[key] and seen.get("parser", 1) == PARSER_VERSION:
                report.unchanged += 1
            else:
                changed.append(f)
        batch = parse_many(changed, settings, workers, progress)
        report.parsed = len(batch.documents)
        report.errors += batch.errors
        report.notes = batch.notes
        failed = {str(Path(p).resolve()) for p, _ in batch.errors}
        parsed = {str(f.resolve()) for f in changed} - failed
        if not parsed:
            return report
        change = Change(index_dir, commit, workers, settings.max_segment_passages)
        held = Held.of(index_dir, commit) if commit else Held([], np.zeros((0, NUM_PERM), np.uint64), [])
        # a file read again only because the parser changed holds no new wording: its report keeps its time
        same = {key for key in parsed if files.get(key, {}).get("hash") == hashes[key]}
        kept = {s: e.ingested for e in held.entries for s in e.sources if s in same} if same else {}
        now = clock.now()
        for doc in batch.documents:
            if not _is_url(doc.source):        # a crawled page keeps its URL as its source
                doc.source = str(Path(doc.source).resolve())
            doc.ingested = kept.get(doc.source, now)
            doc.sources = list(dict.fromkeys([doc.source, *(s for s in doc.sources if _is_url(s))]))
        # A changed file replaces its document; a crawled page that changed comes back as a new stored body
        # under the same URL, so documents are also replaced by source.
        replaced = parsed | {d.source for d in batch.documents}
        report.build = _apply(change, held, index_dir, replaced, batch.documents, settings)
        for key in parsed:
            files[key] = {"hash": hashes[key], "parser": PARSER_VERSION}
        change.publish(files)
    return report


def _apply(change: Change, held: Held, index_dir: Path, replaced: set[str], new: list[Document],
           settings: Settings) -> BuildReport:
    """Take the ``replaced`` sources out of the held documents, fold the ``new`` ones in, write what changed,
    and merge segments as the policy says."""
    gone, sources = [], {}
    for k, entry in enumerate(held.entries):
        if replaced & set(entry.sources):
            remaining = [s for s in entry.sources if s not in replaced]
            if remaining:
                sources[k] = remaining
            else:
                gone.append(k)
    keep = [k for k in range(len(held.entries)) if k not in set(gone)]
    candidates = [CatalogEntry(**{**vars(held.entries[k]), "sources": sources.get(k, held.entries[k].sources)})
                  for k in keep]
    # a few new reports are signed here; a bulk ingest in worker processes
    new_sigs = np.stack([s for _, s in _signed(new, settings, 1 if len(new) <= 64 else None)]) if new \
        else np.zeros((0, NUM_PERM), np.uint64)
    folding = fold_into(candidates, held.signatures[keep], new, new_sigs, settings)
    gone += [keep[i] for i in folding.drop]
    for doc in folding.add:     # a new copy preferred to held ones is the same report: its wording is not new
        earlier = [candidates[i].ingested for i in folding.drop if set(candidates[i].sources) & set(doc.sources)]
        doc.ingested = min([doc.ingested, *earlier])
    keys = {tuple(key) for d in folding.add if (key := d.version_key()) is not None}
    dropped = set(gone)
    maybe = [k for k in keep if k not in dropped and (key := held.entries[k].version_key) and tuple(key) in keys]
    link_versions(folding.add, list(held.documents(index_dir, maybe)), settings)
    sources.update({keep[i]: s for i, s in folding.extend.items()})
    for k in gone:
        sources.pop(k, None)
    _delete(change, held, gone)
    rewritten = _rewrite(change, held, index_dir, sources)
    change.add(rewritten + list(zip(folding.add, folding.add_signatures)))
    _merge(change, index_dir, settings)
    return change.report


def remove(index_dir: str | os.PathLike, targets: Iterable[str], settings: Settings = SETTINGS) \
        -> tuple[int, list[str]]:
    """Remove documents by doc id or by source path; returns (documents removed, targets not found)."""
    index_dir = Path(index_dir)
    with WriteLock(index_dir):
        commit = current_commit(index_dir)
        held = Held.of(index_dir, commit)
        targets = list(targets)
        ids = {t for t in targets if any(e.doc_id == t for e in held.entries)}
        paths = {str(Path(t).resolve()) for t in targets if t not in ids}
        known = {s for e in held.entries for s in e.sources}
        missing = [t for t in targets if t not in ids and str(Path(t).resolve()) not in known]
        by_id = [k for k, e in enumerate(held.entries) if e.doc_id in ids]
        if not by_id and not paths & known:
            return 0, missing
        change = Change(index_dir, commit, None, settings.max_segment_passages)
        _delete(change, held, by_id)
        _apply(change, held.subset([k for k in range(len(held.entries)) if k not in set(by_id)]), index_dir, paths,
               [], settings)
        # a file whose report is removed, by its path or by the report's id, is forgotten, so that ingesting
        # it again brings the report back instead of skipping it as unchanged
        gone = paths | {s for k in by_id for s in held.entries[k].sources}
        files = {k: v for k, v in commit.files.items() if k not in gone}
        return commit.documents - change.publish(files).documents, missing


def rebuild(index_dir: str | os.PathLike, documents: str | os.PathLike | None = None,
            workers: int | None = None, settings: Settings = SETTINGS, clock: Clock = SYSTEM_CLOCK) -> BuildReport:
    """Write the index again, into new segments as few as ``max_segment_passages`` allows: from processed
    documents (a JSONL file or folder; those without an ingest time are stamped with ``clock``'s), or from its
    own documents (the deleted passages dropped, every report keeping its ingest time)."""
    index_dir = Path(index_dir)
    with WriteLock(index_dir):
        commit, own, current = load(index_dir)
        if documents is None:
            if commit is None:
                current_commit(index_dir)          # raises: there is no index to rebuild
            if current:
                held = Held.of(index_dir, commit)
                docs: Iterable = zip(held.documents(index_dir, list(range(len(held.entries)))), held.signatures)
            else:
                docs = _signed(own, settings, workers)
            files = commit.files
        else:
            folded = fold_duplicates(list(read_documents(documents)), settings)
            now = clock.now()
            for doc in folded:
                doc.ingested = doc.ingested or now
            link_versions(folded, settings=settings)
            docs, files = _signed(folded, settings, workers), {}
        change = Change(index_dir, commit, workers, settings.max_segment_passages, reuse=False)
        change.add(docs)
        change.publish(files)
        return change.report
