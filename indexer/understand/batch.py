"""Parse many files in worker processes, each under a wall-clock cap, collecting per-file errors.

A file that fails (undecodable, empty, binary, too large, too slow) is reported with its reason and skipped;
nothing one file does can stop the batch. A worker that overruns ``parse_timeout_s`` is killed and replaced.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path

from pebble import ProcessPool
from pebble.common import ProcessExpired

from indexer.fetch.state import DB_NAME, ingestable
from indexer.model import Document
from indexer.settings import SETTINGS, Settings
from indexer.understand.metadata import KINDS
from indexer.understand.pipeline import SUFFIXES, ParseError, parse_file
from indexer.workers import started

SKIP_NAMES = {"readme", "license", "changelog", "manifest", "sources"}


@dataclass
class Batch:
    documents: list[Document] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)    # (file, reason)
    files: int = 0

    @property
    def notes(self) -> list[tuple[str, str]]:
        """(file, note) for each document that is not a congress report or its summary: it is taken in all
        the same, as doc type other, and the user is told what it was taken for and why."""
        return [(d.source, f"not a congress report but {KINDS[d.kind]} ({d.why.get('doc_type', '')}); "
                           f"taken in as doc type {d.doc_type}")
                for d in self.documents if d.kind not in ("report", "summary")]


def find_files(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Report files under ``paths`` (files as given; folders searched recursively by suffix), sorted.

    A crawl directory (one holding ``crawl.sqlite``) contributes the stored bodies of its report pages and
    attachments, never its list pages.
    """
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for db in sorted(p.rglob(DB_NAME)):
                found += ingestable(db.parent)
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in SUFFIXES and f.suffix and not _skipped(f):
                    found.append(f)
        else:
            found.append(p)
    return list(dict.fromkeys(found))


def _skipped(f: Path) -> bool:
    return any(part.startswith(".") for part in f.parts) or f.stem.lower() in SKIP_NAMES


def _parse_to_dict(path: str, settings: Settings) -> dict:
    return parse_file(path, settings).to_dict()


def parse_many(files: list[Path], settings: Settings = SETTINGS, workers: int | None = None,
               progress: Callable[[Path], None] | None = None) -> Batch:
    """Parse ``files`` in parallel; documents come back in file order."""
    batch = Batch(files=len(files))
    results: dict[int, Document] = {}
    workers = workers or max(1, min(len(files), os.cpu_count() or 1))
    with ProcessPool(max_workers=workers, initializer=started, initargs=(settings.parse_memory_bytes,)) as pool:
        futures = [pool.schedule(_parse_to_dict, args=(str(f), settings), timeout=settings.parse_timeout_s)
                   for f in files]
        for i, (f, fut) in enumerate(zip(files, futures)):
            try:
                results[i] = Document.from_dict(fut.result())
            except ParseError as exc:
                batch.errors.append((str(f), str(exc)))
            except FutureTimeout:
                batch.errors.append((str(f), f"timed out after {settings.parse_timeout_s:g} s"))
            except ProcessExpired as exc:
                batch.errors.append((str(f), f"worker died ({exc})"))
            except OSError as exc:
                batch.errors.append((str(f), f"cannot read: {exc.strerror or exc}"))
            except MemoryError:
                batch.errors.append((str(f), "out of memory"))
            except Exception as exc:  # an unforeseen parser bug must not cost the rest of the batch
                batch.errors.append((str(f), f"internal error: {type(exc).__name__}: {exc}"))
            if progress:
                progress(f)
    batch.documents = [results[i] for i in sorted(results)]
    return batch
