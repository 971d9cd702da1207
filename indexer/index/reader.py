"""The one reader of an index directory: a generation opened once per process, shared by every thread.

A reader holds the generation it opened; when a writer publishes a new one, ``open_index`` opens that and
drops the old one, whose files close as soon as the last request holding it lets go (nothing here refers
back to an ``Index``, so that happens at once, without waiting for the garbage collector). Derived data that
callers compute once per generation goes into ``Index.memo``, as plain values that never refer to the index.
"""
from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index

from indexer.index.generations import SIDECAR_DIR, WHOOSH_DIR, current_generation, is_current
from indexer.index.sidecar import Sidecar
from indexer.store import DocumentFile


class Index:
    """One opened index generation: the sidecar arrays, the documents, and a Whoosh searcher per thread."""

    def __init__(self, index_dir: str | Path):
        self._searchers: list = []          # first, so that close() works even if opening fails below
        self._lock = threading.Lock()
        self.dir = Path(index_dir)
        self.generation = current_generation(self.dir)
        self.side = Sidecar(self.generation / SIDECAR_DIR)
        self.whoosh = whoosh_index.open_dir(str(self.generation / WHOOSH_DIR))
        self.documents = DocumentFile(self.generation)
        self._local = threading.local()
        self.n = self.side.rows
        self.all_rows = np.arange(self.n, dtype=np.int32)
        plen = np.asarray(self.side["plen"], dtype=np.float64)
        self.avg_len = float(plen.mean()) if self.n else 1.0
        self.memo: dict = {}

    def document(self, doc_id: str) -> dict | None:
        """One report of the generation as its JSON object (metadata, text, sections)."""
        return self.documents.get(doc_id)

    @property
    def searcher(self):
        s = getattr(self._local, "searcher", None)
        if s is None:
            s = self._local.searcher = self.whoosh.searcher()
            with self._lock:
                self._searchers.append(s)
        return s

    def stored(self, row: int) -> dict:
        """The stored fields of one passage (a row is a Whoosh document number)."""
        return self.searcher.stored_fields(int(row))

    def row_of_passage(self, passage_id: str) -> int | None:
        docnum = self.searcher.document_number(passage_id=passage_id)
        return None if docnum is None else int(docnum)

    def is_current(self) -> bool:
        return is_current(self.dir, self.generation)

    def close(self) -> None:
        """Close every thread's Whoosh searcher and the sidecar's maps."""
        with self._lock:
            searchers, self._searchers = self._searchers, []
        for s in searchers:
            s.close()
        if hasattr(self, "side"):      # opening may have failed before the sidecar was opened
            self.side.close()

    def __del__(self):
        # dropped by open_index once a new generation is live and no request holds it any more
        self.close()


_OPEN: dict[str, Index] = {}
_OPEN_LOCK = threading.Lock()


def open_index(index_dir: str | Path) -> Index:
    """The index at ``index_dir``, opened once per process and reopened when a new generation goes live."""
    key = str(Path(index_dir).resolve())
    with _OPEN_LOCK:
        ix = _OPEN.get(key)
        if ix is None or not ix.is_current():
            ix = _OPEN[key] = Index(index_dir)
        return ix
