"""The layout of an index directory, and its one owner: every path inside it is named here.

::

    CURRENT              name of the live generation, replaced atomically
    write.lock           held by the one process that writes (lock.py)
    gen-000007/          one complete index: whoosh/ (the Whoosh index), side/ (numpy arrays, sidecar.py),
                         documents.jsonl + documents.offsets.json (the reports, store.py), files.json (content
                         hashes of the ingested files), info.json (schema version, counts, build time)

A change writes a complete new generation into ``gen-N.tmp``, fsyncs it, renames it into place and then
replaces ``CURRENT`` (``build.publish``); a reader keeps the generation it opened, so nobody ever sees half an
index. The previous generation is kept until the next change, for readers still holding it. This module only
names and reads; writing is the builder's, so that the read side cannot reach it.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from indexer.index.schema import SCHEMA_VERSION
from indexer.model import Document
from indexer.store import DOCUMENTS_FILE, read_documents

CURRENT = "CURRENT"
WHOOSH_DIR, SIDECAR_DIR = "whoosh", "side"
FILES, INFO = "files.json", "info.json"


class IndexMissing(RuntimeError):
    """No index at the path, or an incomplete one."""


class IndexMismatch(RuntimeError):
    """An index built by another schema version."""


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
        info = json.loads((gen / INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise IndexMissing(f"index at {index_dir} is incomplete (missing {name}/{INFO})") from None
    if check_version and info.get("schema_version") != SCHEMA_VERSION:
        raise IndexMismatch(f"index at {index_dir} has schema version {info.get('schema_version')}, this lrsearch "
                            f"reads version {SCHEMA_VERSION}: rebuild it with `lrsearch index --index {index_dir}`")
    return gen


def is_current(index_dir: Path, generation: Path) -> bool:
    """Whether ``generation`` is still the live one."""
    try:
        return (index_dir / CURRENT).read_text(encoding="utf-8").strip() == generation.name
    except OSError:
        return False


def load(index_dir: str | os.PathLike) -> tuple[list[Document], dict[str, dict], bool]:
    """The documents and file hashes of the live generation, whatever its schema version (documents are
    plain JSON, so an index of an older version can be rebuilt from them), and whether its version is current."""
    try:
        gen = current_generation(index_dir, check_version=False)
    except IndexMissing:
        return [], {}, True
    files = json.loads((gen / FILES).read_text(encoding="utf-8"))
    current = json.loads((gen / INFO).read_text(encoding="utf-8")).get("schema_version") == SCHEMA_VERSION
    return list(read_documents(gen / DOCUMENTS_FILE)), files, current
