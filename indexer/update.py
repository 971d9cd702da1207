"""Change an index: ingest report files (unchanged ones skipped by content hash), remove documents, rebuild.

This is where the write side's parts meet: files are found and parsed by ``indexer.understand``, reposts
folded, and the documents handed to ``indexer.index.build``; every change takes the write lock and publishes
a complete new generation.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from indexer.index.build import BuildReport, build_generation
from indexer.index.generations import current_generation, load
from indexer.index.lock import WriteLock
from indexer.model import Document
from indexer.settings import SETTINGS, Settings
from indexer.store import read_documents
from indexer.understand.batch import find_files, parse_many
from indexer.understand.dedup import fold_duplicates


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
    index_dir = Path(index_dir)
    report = IngestReport()
    with WriteLock(index_dir):
        docs, files, current = load(index_dir)
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
        docs, files, _ = load(index_dir)
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
    index_dir = Path(index_dir)
    with WriteLock(index_dir):
        if documents is None:
            docs, files, _ = load(index_dir)
            if not docs:
                current_generation(index_dir)
        else:
            docs, files = fold_duplicates(list(read_documents(documents))), {}
        return build_generation(index_dir, docs, files, workers)
