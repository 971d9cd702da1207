"""The layout of an index directory and its commits: every path inside it is named here, and read here.

::

    CURRENT                    the name of the live commit, replaced atomically
    write.lock                 held by the one process that writes (lock.py)
    commits/commit-000012.json the commit: its Whoosh generation, its segments (with the documents taken out
                               of each since it was written), the content hashes of the ingested files
    whoosh/                    one Whoosh index: the segments' files and a table of contents per generation
    segments/seg-000007/       one segment's own files: side/ (numpy arrays derived from its passages,
                               sidecar.py) and its documents (compressed records + offsets, store.py)

A change writes new segments (and their Whoosh files), then a new Whoosh table of contents and a new commit,
fsynced, and then replaces ``CURRENT`` (``build.publish``); a reader keeps the commit it opened, so nobody ever
sees half a change. Files that neither the live commit nor the one before it uses are removed by the next
writer, so a reader that has just read ``CURRENT`` still finds its files. This module names and reads; writing
is the builder's, so that the read side cannot reach it.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from indexer.index.schema import SCHEMA_VERSION
from indexer.model import Document
from indexer.store import DOCUMENTS_FILE, read_documents

CURRENT = "CURRENT"
COMMITS_DIR, WHOOSH_DIR, SEGMENTS_DIR, SIDECAR_DIR = "commits", "whoosh", "segments", "side"
WHOOSH_NAME = "MAIN"          # Whoosh's index name: files MAIN_<segment>.* and _MAIN_<generation>.toc


class IndexMissing(RuntimeError):
    """No index at the path, or an incomplete one."""


class IndexMismatch(RuntimeError):
    """An index built by another schema version."""


@dataclass
class SegmentEntry:
    """One segment of the index: its own folder, its Whoosh segments in document order, and what was taken
    out of it (documents by their place in the segment, and how many passages they held)."""
    id: str
    whoosh: list[str]
    rows: int
    docs: int
    deleted: list[int] = field(default_factory=list)
    deleted_rows: int = 0

    @property
    def live_rows(self) -> int:
        return self.rows - self.deleted_rows


@dataclass
class Commit:
    number: int
    whoosh_generation: int
    segments: list[SegmentEntry]
    files: dict[str, dict]                  # ingested file → {"hash": sha256, "parser": the PARSER_VERSION that read it}
    schema_version: int = SCHEMA_VERSION
    built: str = ""

    @property
    def name(self) -> str:
        return f"commit-{self.number:06d}.json"

    @property
    def documents(self) -> int:
        return sum(s.docs - len(s.deleted) for s in self.segments)

    @property
    def passages(self) -> int:
        return sum(s.live_rows for s in self.segments)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "Commit":
        d = json.loads(text)
        return cls(**{**d, "segments": [SegmentEntry(**s) for s in d["segments"]]})


def current_commit(index_dir: str | os.PathLike, check_version: bool = True) -> Commit:
    """The live commit, checked for the schema version this code reads.

    :param check_version: False to read a commit of another version anyway (its documents, to rebuild it).
    :raises IndexMissing: no index there. :raises IndexMismatch: built by another schema version.
    """
    index_dir = Path(index_dir)
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        raise IndexMissing(f"no index at {index_dir}: build one with `lrsearch ingest PATH --index {index_dir}`") \
            from None
    if name.startswith("gen-"):          # the layout before segments: one generation directory per change
        if check_version:
            raise IndexMismatch(f"index at {index_dir} has an older layout ({name}), this lrsearch reads schema "
                                f"version {SCHEMA_VERSION}: rebuild it with `lrsearch index --index {index_dir}`")
        return Commit(0, -1, [], {}, schema_version=0)
    try:
        commit = Commit.from_json((index_dir / COMMITS_DIR / name).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError, KeyError):
        raise IndexMissing(f"index at {index_dir} is incomplete (cannot read {COMMITS_DIR}/{name})") from None
    if check_version and commit.schema_version != SCHEMA_VERSION:
        raise IndexMismatch(f"index at {index_dir} has schema version {commit.schema_version}, this lrsearch "
                            f"reads version {SCHEMA_VERSION}: rebuild it with `lrsearch index --index {index_dir}`")
    return commit


def segment_dir(index_dir: str | os.PathLike, segment: str) -> Path:
    return Path(index_dir) / SEGMENTS_DIR / segment


def live_documents(index_dir: str | os.PathLike, commit: Commit) -> Iterator[Document]:
    """Every document of the commit, segment by segment, in index order."""
    for s in commit.segments:
        gone = set(s.deleted)
        for i, doc in enumerate(read_documents(segment_dir(index_dir, s.id))):
            if i not in gone:
                yield doc


def load(index_dir: str | os.PathLike) -> tuple[Commit | None, Iterator[Document], bool]:
    """The live commit (None for no index), its documents, and whether its version is this code's: documents
    are plain JSON, so an index of an older version or layout can be rebuilt from them."""
    try:
        commit = current_commit(index_dir, check_version=False)
    except IndexMissing:
        return None, iter(()), True
    if commit.schema_version == 0:       # an older layout: gen-N/documents.jsonl and gen-N/files.json
        gen = Path(index_dir) / (Path(index_dir) / CURRENT).read_text(encoding="utf-8").strip()
        commit.files = json.loads((gen / "files.json").read_text(encoding="utf-8"))
        return commit, read_documents(gen / DOCUMENTS_FILE), False
    return commit, live_documents(index_dir, commit), commit.schema_version == SCHEMA_VERSION
