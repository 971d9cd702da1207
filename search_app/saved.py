"""Saved searches: a name, a query with its filters, and what its alert has seen, in one small SQLite file.

The file is ``saved.sqlite`` at the top of the index directory, beside ``CURRENT``: it belongs to that index
(copied with it, never shared by two indexes that sit in one folder), and no writer of the index touches it
(a commit's files are under ``commits/``, ``whoosh/`` and ``segments/``, and only those are cleaned), so a
rebuild keeps it. It is no part of the index: the web writes it (the save button) without writing the index.
Both shells use this module; the core never does.

``seen`` is the newest ingest time an alert has shown (``Index.latest_ingest``), not a wall-clock time:
passages whose report was ingested after it are new. A search saved now has seen what the index holds now.
"""
from __future__ import annotations

import json
import sqlite3
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from indexer.facets import FACETS
from search_app.core.search import Params

SAVED_FILE = "saved.sqlite"
NAME_MAX = 60           # characters of a name
SCHEMA = """CREATE TABLE IF NOT EXISTS saved (
    name TEXT PRIMARY KEY,
    query TEXT NOT NULL,
    filters TEXT NOT NULL,          -- JSON: facet name -> values, as Params.filters
    year TEXT,
    created REAL NOT NULL,          -- seconds since the epoch
    last_run REAL,                  -- when an alert last ran (None: never)
    seen REAL NOT NULL DEFAULT 0    -- the newest ingest time it has seen
)"""


class NameTaken(ValueError):
    """A saved search of that name exists."""


class SavedUnavailable(RuntimeError):
    """The file cannot be used: ``busy`` (another process holds it past the wait), or damaged or unwritable.
    The message is for the user, in Chinese."""

    def __init__(self, message: str, busy: bool):
        super().__init__(message)
        self.busy = busy


def saved_file(index_dir: str | Path) -> Path:
    return Path(index_dir) / SAVED_FILE


def valid_name(name: str) -> bool:
    """A name fits in a path segment of a feed's address: 1 to ``NAME_MAX`` characters, no slash, backslash
    or control character, no space at either end."""
    return 0 < len(name) <= NAME_MAX and name == name.strip() and \
        not any(c in "/\\" or unicodedata.category(c).startswith("C") for c in name)


@dataclass
class Saved:
    name: str
    q: str
    filters: dict[str, list[str]] = field(default_factory=dict)
    year: str | None = None
    created: float = 0.0
    last_run: float | None = None
    seen: float = 0.0

    def params(self, **more) -> Params:
        return Params(q=self.q, filters={k: list(v) for k, v in self.filters.items()}, year=self.year, **more)

    def query_args(self) -> list[tuple[str, str]]:
        """The search as URL parameters (``q``, the facets' parameters, ``year``), as the pages take them."""
        return [("q", self.q)] * bool(self.q) + \
            [(f.param, v) for f in FACETS for v in self.filters.get(f.name, [])] + [("year", self.year)] * bool(self.year)

    def to_json(self) -> dict:
        return {"name": self.name, "query": self.q, "filters": {k: v for k, v in self.filters.items() if v},
                "year": self.year, "created": self.created, "last_run": self.last_run, "seen": self.seen}


class SavedSearches:
    """The saved searches of one file. Reading a file that does not exist finds none and creates nothing."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """One transaction on the file, committed or rolled back. :raises SavedUnavailable: a file locked
        past the wait, damaged, or not writable (a duplicate name stays an ``IntegrityError``)."""
        try:
            db = sqlite3.connect(self.path, timeout=10)
            try:
                with db:
                    db.execute(SCHEMA)
                    yield db
            finally:
                db.close()
        except sqlite3.IntegrityError:
            raise
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise SavedUnavailable("保存的检索正被另一个进程使用，请稍后再试", busy=True) from exc
            raise SavedUnavailable(f"保存的检索文件 {self.path.name} 无法使用（{exc}）", busy=False) from exc
        except sqlite3.DatabaseError as exc:
            raise SavedUnavailable(f"保存的检索文件 {self.path.name} 已损坏（{exc}）：请移走它再保存", busy=False) from exc

    def all(self) -> list[Saved]:
        if not self.path.exists():
            return []
        with self._db() as db:
            return [_row(r) for r in db.execute("SELECT * FROM saved ORDER BY created, name")]

    def get(self, name: str) -> Saved | None:
        if not self.path.exists():
            return None
        with self._db() as db:
            r = db.execute("SELECT * FROM saved WHERE name = ?", (name,)).fetchone()
        return _row(r) if r else None

    def add(self, saved: Saved) -> None:
        """:raises NameTaken: a saved search of that name exists. :raises ValueError: a name ``valid_name``
        refuses."""
        if not valid_name(saved.name):
            raise ValueError(f"not a valid name: {saved.name!r}")
        try:
            with self._db() as db:
                db.execute("INSERT INTO saved VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (saved.name, saved.q, json.dumps({k: v for k, v in saved.filters.items() if v},
                                                            ensure_ascii=False),
                            saved.year, saved.created, saved.last_run, saved.seen))
        except sqlite3.IntegrityError:
            raise NameTaken(saved.name) from None

    def remove(self, name: str) -> bool:
        """Whether there was one to remove."""
        if not self.path.exists():
            return False
        with self._db() as db:
            return db.execute("DELETE FROM saved WHERE name = ?", (name,)).rowcount > 0

    def ran(self, name: str, at: float, seen: float) -> None:
        """Record an alert's run: when, and the newest ingest time it has now seen (never going back)."""
        with self._db() as db:
            db.execute("UPDATE saved SET last_run = ?, seen = MAX(seen, ?) WHERE name = ?", (at, seen, name))


def _row(r: tuple) -> Saved:
    name, q, filters, year, created, last_run, seen = r
    return Saved(name, q, json.loads(filters), year, created, last_run, seen)
