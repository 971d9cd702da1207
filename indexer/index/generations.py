"""The layout of an index directory, and its one owner: every path inside it is named here.

::

    CURRENT              name of the live generation, replaced atomically
    write.lock           held by the one process that writes (lock.py)
    gen-000007/          one complete index: whoosh/ (the Whoosh index), side/ (numpy arrays, sidecar.py),
                         documents.jsonl + documents.offsets.json (the reports, store.py), files.json (content
                         hashes of the ingested files), info.json (schema version, counts, build time)

A change writes a complete new generation into ``gen-N.tmp``, fsyncs it, renames it into place and then
replaces ``CURRENT``; a reader keeps the generation it opened, so nobody ever sees half an index. The
previous generation is kept until the next change, for readers still holding it.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from indexer.index.schema import SCHEMA_VERSION
from indexer.model import Document
from indexer.store import DOCUMENTS_FILE, atomic_write_lines, read_documents

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
