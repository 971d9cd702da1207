"""Processed documents on disk as JSON lines, written atomically (temp file, fsync, rename)."""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from indexer.model import Document

DOCUMENTS_FILE = "documents.jsonl"


def atomic_write_lines(path: Path, lines: Iterable[str]) -> None:
    """Write ``lines`` to ``path`` so that a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name, dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)      # mkstemp makes 0600; the file is meant to be shared like any other
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def write_documents(out_dir: str | os.PathLike, docs: Iterable[Document]) -> Path:
    path = Path(out_dir) / DOCUMENTS_FILE
    atomic_write_lines(path, (json.dumps(d.to_dict(), ensure_ascii=False) for d in docs))
    return path


def read_documents(path: str | os.PathLike) -> Iterator[Document]:
    """Documents from a JSONL file, or from ``documents.jsonl`` in a directory."""
    path = Path(path)
    if path.is_dir():
        path = path / DOCUMENTS_FILE
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield Document.from_dict(json.loads(line))
