"""Processed documents on disk, written atomically (temp file, fsync, rename): ``documents.jsonl`` (one Document
per line, its ``to_dict``) and ``documents.offsets.json`` (each document's byte offset in it); in an index
segment instead ``documents.z`` (each document's JSON compressed by itself, its passages' texts left out where
the document's text holds them at their offsets; the offsets file gives offset and length), and the catalog
(``documents.catalog.json``: what folding reposts and linking versions need of each document, and
``documents.signatures.npy``: their MinHash signatures).

The offsets let a reader fetch one report without reading the file, so opening an index costs nothing
however many reports it holds; the catalog lets an ingest fold new reports into the held ones without reading
or signing those again.
"""
from __future__ import annotations

import io
import json
import os
import tempfile
import threading
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from indexer.model import Document

DOCUMENTS_FILE = "documents.jsonl"
COMPACT_FILE = "documents.z"
OFFSETS_FILE = "documents.offsets.json"
CATALOG_FILE, SIGNATURES_FILE = "documents.catalog.json", "documents.signatures.npy"
# each document's work figures (Document.figures) beside the documents: the figures table of an index is read
# from these, a small file per segment, not from every record
FIGURES_FILE = "documents.figures.json"


@dataclass
class CatalogEntry:
    """A held document as folding reposts sees it."""
    doc_id: str
    source: str
    sources: list[str]
    traditional: bool
    pub_date: str | None
    text_len: int
    version_key: list | None = None     # Document.version_key: which held documents a new one may be a version of
    ingested: float = 0.0               # Document.ingested: a new copy that replaces this one keeps it

    @classmethod
    def of(cls, doc: Document) -> "CatalogEntry":
        return cls(doc.doc_id, doc.source, list(doc.sources), doc.traditional, doc.pub_date, len(doc.text),
                   doc.version_key(), doc.ingested)


def atomic_write_lines(path: Path, lines: Iterable[str]) -> list[int]:
    """Write ``lines`` to ``path`` so that a reader sees the old file or the new one, never half of one;
    returns the byte offset of each line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name, dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)      # mkstemp makes 0600; the file is meant to be shared like any other
    offsets, pos = [], 0
    try:
        with os.fdopen(fd, "wb") as fh:
            for line in lines:
                data = (line + "\n").encode("utf-8")
                offsets.append(pos)
                fh.write(data)
                pos += len(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    return offsets


def write_documents(out_dir: str | os.PathLike, docs: Iterable[Document], signatures: np.ndarray | None = None,
                    compact: bool = False) -> Path:
    """Write the documents and their offsets into ``out_dir`` (JSON lines, or ``compact``: compressed records)
    and, given their signatures, the catalog; returns the documents file."""
    docs = list(docs)
    if compact:
        path = Path(out_dir) / COMPACT_FILE
        records = [zlib.compress(json.dumps(_without_passage_texts(d.to_dict()), ensure_ascii=False).encode(), 6)
                   for d in docs]
        starts = np.cumsum([0] + [len(r) for r in records]).tolist()
        atomic_write_bytes(path, b"".join(records))
        atomic_write_lines(path.with_name(OFFSETS_FILE), [json.dumps(
            {d.doc_id: [at, len(r)] for d, at, r in zip(docs, starts, records)}, ensure_ascii=False)])
    else:
        path = Path(out_dir) / DOCUMENTS_FILE
        offsets = atomic_write_lines(path, (json.dumps(d.to_dict(), ensure_ascii=False) for d in docs))
        atomic_write_lines(path.with_name(OFFSETS_FILE),
                           [json.dumps({d.doc_id: at for d, at in zip(docs, offsets)}, ensure_ascii=False)])
    atomic_write_lines(path.with_name(FIGURES_FILE), [json.dumps(
        {d.doc_id: [f.to_dict() for f in d.figures] for d in docs if d.figures}, ensure_ascii=False)])
    if signatures is not None:
        atomic_write_lines(path.with_name(CATALOG_FILE),
                           [json.dumps([asdict(CatalogEntry.of(d)) for d in docs], ensure_ascii=False)])
        buf = io.BytesIO()
        np.save(buf, np.asarray(signatures, dtype=np.uint64), allow_pickle=False)
        atomic_write_bytes(path.with_name(SIGNATURES_FILE), buf.getvalue())
    return path


def read_catalog(directory: str | os.PathLike) -> tuple[list[CatalogEntry], np.ndarray]:
    """The catalog of the documents written in ``directory``, in their order, and their signatures."""
    directory = Path(directory)
    entries = [CatalogEntry(**e) for e in json.loads((directory / CATALOG_FILE).read_text(encoding="utf-8"))]
    return entries, np.load(directory / SIGNATURES_FILE, allow_pickle=False)


# Document fields added after records were first written: an older record reads with their defaults in
# Document (unknown), so that every record carries every key, as Document.from_dict would give it.
LATER_FIELDS = {name: Document.__dataclass_fields__[name].default for name in ("session", "delivered", "ingested")}


def _with_later_fields(d: dict) -> dict:
    for name, default in LATER_FIELDS.items():
        d.setdefault(name, default)
    d.setdefault("figures", [])
    return d


def _without_passage_texts(d: dict) -> dict:
    """A document's JSON without the passages' texts that its text holds at their offsets."""
    text = d["text"]
    for s in d["sections"]:
        for p in s["passages"]:
            if text[p["start"]:p["end"]] == p["text"]:
                del p["text"]
    return d


def _with_passage_texts(d: dict) -> dict:
    text = d["text"]
    for s in d["sections"]:
        for p in s["passages"]:
            if "text" not in p:
                p["text"] = text[p["start"]:p["end"]]
    return d


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    """fsync a directory, so that a name just created or renamed in it survives a power cut."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_documents(path: str | os.PathLike) -> Iterator[Document]:
    """Documents from a JSONL file, or from the documents written in a directory (either form)."""
    path = Path(path)
    if path.is_dir():
        if (path / COMPACT_FILE).exists():
            documents = DocumentFile(path)
            for doc_id in documents.offsets():
                yield Document.from_dict(documents.get(doc_id))
            return
        path = path / DOCUMENTS_FILE
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield Document.from_dict(json.loads(line))


class DocumentFile:
    """Random access to the documents written by ``write_documents`` in a directory, by doc id."""

    def __init__(self, directory: str | os.PathLike):
        directory = Path(directory)
        self.compact = (directory / COMPACT_FILE).exists()
        self.path = directory / (COMPACT_FILE if self.compact else DOCUMENTS_FILE)
        self._offsets: dict | None = None
        self._lock = threading.Lock()

    def offsets(self) -> dict:
        with self._lock:
            if self._offsets is None:
                self._offsets = json.loads(self.path.with_name(OFFSETS_FILE).read_text(encoding="utf-8"))
            return self._offsets

    def figures(self) -> dict[str, list[dict]]:
        """Each document's work figures (those that state any), by doc id; none for documents written before
        figures were read (no figures file)."""
        path = self.path.with_name(FIGURES_FILE)
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def get(self, doc_id: str) -> dict | None:
        """One document as its JSON object, or None."""
        pos = self.offsets().get(doc_id)
        if pos is None:
            return None
        with self.path.open("rb") as fh:
            if not self.compact:
                fh.seek(pos)
                return _with_later_fields(json.loads(fh.readline()))
            fh.seek(pos[0])
            return _with_later_fields(_with_passage_texts(json.loads(zlib.decompress(fh.read(pos[1])))))
