"""The one reader of an index directory: a commit opened once per process, shared by every thread.

A commit is a list of segments; the reader numbers their passages one after the other (the Whoosh document
numbers of the commit's table of contents) and shows them as one index: ``Index.side`` answers as a single
sidecar would, with every posting, count and table over the *live* passages only, so that a search gives the
same answer, scores included, as it would on the same documents built afresh. Passages of documents taken
out stay in their segment until a merge; here their rows are masked (year -1, facet code -1, no postings).

A reader holds the commit it opened; when a writer publishes a new one, ``open_index`` opens that and drops the
old one, whose files close as soon as the last request holding it lets go (nothing here refers back to an
``Index``, so that happens at once, without waiting for the garbage collector). A segment's sidecar is opened
once per process and shared by the commits that hold the segment, closed with the last of them. Derived data
that callers compute once per commit goes into ``Index.memo``, as plain values that never refer to the index.
"""
from __future__ import annotations

import ctypes
import functools
import threading
from pathlib import Path

import numpy as np
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, FileIndex
from whoosh.reading import SegmentReader
from whoosh.searching import Searcher

from indexer.arrays import distinct
from indexer.index.commits import (
    CURRENT,
    SIDECAR_DIR,
    WHOOSH_DIR,
    WHOOSH_NAME,
    Commit,
    SegmentEntry,
    current_commit,
    segment_dir,
)
from indexer.index.sidecar import DOC_META, Sidecar, contains_each
from indexer.model import Document
from indexer.store import DocumentFile

PER_ROW = {"year": -1, "plen": 0, "doc": None}     # per-passage arrays of the sidecar, and a deleted row's value
VOCAB_CACHE = 100_000                              # words whose presence among live passages is remembered
GRAM_CACHE_ROWS = 32_000_000                       # rows of decoded gram postings kept (128 MB), then dropped
REPORT_CACHE = 256                                 # reports whose passages' texts are kept per opened index


_SIDECARS: dict[tuple[str, str], list] = {}    # (segment folder, Whoosh segment) -> [sidecar, open commits]
# Whether a segment's blocks have read as this process's Whoosh reads them: every segment of a schema version is
# written by the same code, so once one agrees the others are not checked again (opening the 24 segments of a
# 1.5M-passage index spent 0.19 s checking them all); until then each is checked, and one that does not agree
# is read through Whoosh's matcher.
_LAYOUT_AGREES: list[bool] = []
_SIDECARS_LOCK = threading.Lock()


def _sidecar(key: tuple[str, str], index_dir: Path, storage: FileStorage, toc: TOC) -> Sidecar:
    """A segment's sidecar, opened (and checked against Whoosh, ``_LAYOUT_AGREES``) once per process and shared
    by every commit that holds the segment: a segment never changes once written (its deletions belong to the
    commit), so a new commit opens only its new segments, and the first search on it does not map them all
    again.

    The key holds the Whoosh segment's name, random per write, so a folder name reused by a rebuild is a new
    key. Each open commit counts as one user; the last to close closes the sidecar (``_release``)."""
    with _SIDECARS_LOCK:
        held = _SIDECARS.get(key)
        if held is None:
            side = Sidecar(Path(key[0]) / SIDECAR_DIR, index_dir / WHOOSH_DIR / f"{key[1]}.pst")
            try:
                if not _LAYOUT_AGREES:
                    segment = next(s for s in toc.segments if s.segment_id() == key[1])
                    reader = SegmentReader(storage, toc.schema, segment)
                    if side.check(reader):
                        reader.close()  # kept only as the fallback of a segment whose blocks read otherwise
                        _LAYOUT_AGREES.append(True)
            except BaseException:
                side.close()
                raise
            held = _SIDECARS[key] = [side, 0]
        held[1] += 1
        return held[0]


def _release(key: tuple[str, str], lock=_SIDECARS_LOCK, sidecars=_SIDECARS) -> None:
    """One commit holding the segment's sidecar is closed: the last one closes the sidecar. (The registry is
    bound here, as ``Segments.close`` binds this: a commit dropped at interpreter exit may find the module's
    names already gone.)"""
    with lock:
        held = sidecars.get(key)
        if held is None:
            return
        held[1] -= 1
        if held[1] > 0:
            return
        del sidecars[key]
    held[0].close()


class Bounded(dict):
    """One kind of derived data of a commit, kept up to a budget (entries, or a cost such as bytes) and emptied
    when the next value would pass it: a commit's searches are alike, so forgetting everything at once costs
    little and needs no bookkeeping per entry. A budget of 0 keeps nothing."""

    def __init__(self, budget: int):
        super().__init__()
        self.budget, self.spent = budget, 0

    def put(self, key, value, cost: int = 1):
        """Keep ``value`` under ``key`` (unless it alone passes the budget); returns it."""
        if self.budget and cost <= self.budget:
            if self.spent + cost > self.budget:
                self.clear()
                self.spent = 0
            self[key] = value
            self.spent += cost
        return value


class _Part:
    """One segment: its sidecar, where its rows start among the commit's, and which of them are live."""

    def __init__(self, index_dir: Path, entry: SegmentEntry, storage: FileStorage, toc: TOC, start: int,
                 first_doc: int):
        self.entry, self.start, self.first_doc = entry, start, first_doc
        folder = segment_dir(index_dir, entry.id)
        self.key = (str(folder), entry.whoosh[0])
        self.documents = DocumentFile(folder)
        self.side = _sidecar(self.key, index_dir, storage, toc)       # taken last: released by Segments.close
        self.rows = self.side.rows
        doc = np.asarray(self.side["doc"])
        self.live = ~np.isin(doc, entry.deleted) if entry.deleted else None
        self.doc_ids = self.side.meta["doc_ids"]
        self.dead_docs = set(entry.deleted)

    def keep(self, local: np.ndarray) -> np.ndarray:
        """Global rows of the live ones among sorted local ``rows``."""
        if self.live is not None:
            local = local[self.live[local]]
        return local.astype(np.int32) + self.start


class Segments:
    """The sidecar API (sidecar.Sidecar) over all the segments of a commit, in global rows."""

    def __init__(self, parts: list[_Part]):
        self.parts = parts
        self.rows = sum(p.rows for p in parts)
        self.starts = np.array([p.start for p in parts] + [self.rows], dtype=np.int64)
        self.live = np.concatenate([p.live if p.live is not None else np.ones(p.rows, dtype=bool) for p in parts]) \
            if parts else np.zeros(0, dtype=bool)
        self.doc_ids = [d for p in parts for d in p.doc_ids]
        self.doc_meta = [m for p in parts for m in p.side.meta["doc_meta"]]
        self._arrays: dict[str, np.ndarray] = {}
        self._tables: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self._vocab: dict[tuple[str, bool], bool] = {}
        self._grams: dict[str, np.ndarray] = {}
        self._gram_rows = 0

    def close(self, release=_release) -> None:
        """Let go of the segments' sidecars (closed by the last commit that holds them)."""
        parts, self.parts = self.parts, []
        for p in parts:
            release(p.key)

    # ------------------------------------------------------------------------------- per-passage arrays

    def __getitem__(self, name: str) -> np.ndarray:
        arr = self._arrays.get(name)
        if arr is None:
            with self._lock:
                arr = self._arrays.get(name)
                if arr is None:
                    arr = self._arrays[name] = self._concatenate(name)
        return arr

    def _concatenate(self, name: str) -> np.ndarray:
        pieces = []
        for p in self.parts:
            if name.startswith("fac_"):
                table = self.facet_values(name[4:])
                codes = np.searchsorted(table, p.side.facet_values(name[4:])).astype(np.int32)
                local = np.asarray(p.side[name])
                piece = codes[local] if len(codes) else local.astype(np.int32)
                dead = -1
            else:
                piece = np.asarray(p.side[name])
                dead = PER_ROW[name]
                if name == "doc":
                    piece = piece.astype(np.int32) + p.first_doc
            if p.live is not None and dead is not None:
                piece = np.where(p.live, piece, dead).astype(piece.dtype)
            pieces.append(piece)
        return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int32)

    def facet_values(self, name: str) -> list[str]:
        """The facet's values held by live passages, sorted: codes in ``fac_<name>`` index into it."""
        table = self._tables.get(name)
        if table is None:
            values: set[str] = set()
            for p in self.parts:
                local = p.side.facet_values(name)
                codes = np.asarray(p.side[f"fac_{name}"])
                used = distinct(codes[p.live] if p.live is not None else codes)
                values.update(local[int(c)] for c in used)
            table = self._tables[name] = sorted(values)
        return table

    def report_starts(self) -> np.ndarray:
        """Per report (global document number), its first row: a report's rows follow one another."""
        return self._cached("report starts", lambda: np.searchsorted(self["doc"], np.arange(len(self.doc_ids))))

    def per_report(self, name: str) -> np.ndarray:
        """A per-passage array that is the same for all passages of a report (a facet of the report, the year),
        one value per report (0 for a report with no live passage, whose rows hold -1)."""
        def make() -> np.ndarray:
            if not self.rows:
                return np.zeros(len(self.doc_ids), dtype=np.int64)
            values = np.asarray(self[name])[np.minimum(self.report_starts(), self.rows - 1)]
            return np.maximum(values.astype(np.int64), 0)
        return self._cached(f"per report {name}", make)

    def _cached(self, key: str, make) -> np.ndarray:
        arr = self._arrays.get(key)
        if arr is None:
            arr = self._arrays[key] = make()
        return arr

    # ---------------------------------------------------------------------------------------- postings

    def word_postings(self, word: str, head: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(rows, term frequencies) of a word in the passage text, or in heading and title, live rows only."""
        rows, tfs = [], []
        for p in self.parts:
            r, tf = p.side.word_postings(word, head)
            if len(r):
                if p.live is not None:
                    keep = p.live[r]
                    r, tf = r[keep], tf[keep]
                rows.append(r.astype(np.int32) + p.start)
                tfs.append(tf)
        if not rows:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.uint16)
        return (rows[0], tfs[0]) if len(rows) == 1 else (np.concatenate(rows), np.concatenate(tfs))

    def has_word(self, word: str, head: bool = False) -> bool:
        """Whether some live passage holds ``word`` (as a word of its text, or of its heading and title)."""
        key = (word, head)
        found = self._vocab.get(key)
        if found is None:
            found = False
            for p in self.parts:
                vocab = p.side.head_vocab if head else p.side.word_vocab
                if vocab.find(word) >= 0 and (p.live is None or len(p.keep(p.side.word_postings(word, head)[0]))):
                    found = True
                    break
            if len(self._vocab) >= VOCAB_CACHE:
                self._vocab.clear()
            self._vocab[key] = found
        return found

    def gram_rows(self, gram: str) -> np.ndarray:
        """Live rows whose folded text contains the one- or two-character ``gram`` (sorted); decoded from the
        Whoosh blocks once and kept, up to ``GRAM_CACHE_ROWS`` rows in all."""
        rows = self._grams.get(gram)
        if rows is None:
            found = [p.keep(np.asarray(r)) for p in self.parts if len(r := p.side.gram_rows(gram))]
            rows = np.zeros(0, dtype=np.int32) if not found else found[0] if len(found) == 1 else np.concatenate(found)
            with self._lock:
                self._gram_rows += len(rows)
                if self._gram_rows > GRAM_CACHE_ROWS:
                    self._grams.clear()
                    self._gram_rows = len(rows)
                self._grams[gram] = rows
        return rows

    def passage_gram_rows(self, gram: str) -> np.ndarray:
        """Live rows whose passage itself (not the headings around it) holds the one- or two-character ``gram``
        (sorted)."""
        rows = self.gram_rows(gram)
        edges = [p.keep(np.asarray(r)) for p in self.parts if len(r := p.side.edge_rows(gram))]
        if not edges:
            return rows
        keep = np.ones(len(rows), dtype=bool)
        keep[np.searchsorted(rows, np.concatenate(edges))] = False      # a gram's edge rows are among its rows
        return rows[keep]

    def word_positions(self, word: str, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The ordinal positions of ``word`` in ``rows`` (sorted live rows that all hold it as a word), flat:
        for each position, the index in ``rows`` of its row, and the position."""
        which, positions, done = [], [], 0
        for p, local in self._split(rows):
            w, pos = p.side.word_positions(word, local)
            which.append(w + done)
            positions.append(pos)
            done += len(local)
        if not which:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(which), np.concatenate(positions)

    # ---------------------------------------------------------------------------------------- the text

    def _split(self, rows: np.ndarray):
        """(part, its local rows) for sorted global ``rows``."""
        rows = np.asarray(rows)
        bounds = np.searchsorted(rows, self.starts)
        for k, p in enumerate(self.parts):
            if bounds[k + 1] > bounds[k]:
                yield p, rows[bounds[k]:bounds[k + 1]] - p.start

    def rows_containing(self, rows: np.ndarray, needle: bytes, own_only: bool = False) -> np.ndarray:
        """The rows among sorted ``rows`` whose folded text (UTF-8) contains ``needle``; with ``own_only``, the
        passage's own text, without the headings before it."""
        split = list(self._split(rows))
        found = contains_each([p.side.ranges(local, own_only) for p, local in split], needle)
        rows = [local[f] + p.start for (p, local), f in zip(split, found)]
        return np.concatenate(rows).astype(np.int32) if rows else np.zeros(0, dtype=np.int32)

    def rows_crossing(self, needle: str) -> np.ndarray:
        """Live rows where ``needle`` starts and runs on into the next rows of the same report."""
        found = [p.keep(p.side.rows_crossing(needle)) for p in self.parts]
        return np.concatenate(found).astype(np.int32) if found else np.zeros(0, dtype=np.int32)

    def crossing_at(self, row: int, needle: str) -> int:
        k = int(np.searchsorted(self.starts, row, side="right")) - 1
        p = self.parts[k]
        return p.side.crossing_at(row - p.start, needle)


class Index:
    """One opened commit: its segments as one sidecar, its documents, and a Whoosh searcher per thread."""

    def __init__(self, index_dir: str | Path):
        self._searchers: list = []          # first, so that close() works even if opening fails below
        self._lock = threading.Lock()
        self.dir = Path(index_dir)
        self.commit: Commit = current_commit(self.dir)
        self.generation = self.commit.name
        self._storage = FileStorage(str(self.dir / WHOOSH_DIR))
        self._toc = TOC.read(self._storage, WHOOSH_NAME, gen=self.commit.whoosh_generation)
        parts, start, first_doc = [], 0, 0
        try:
            for entry in self.commit.segments:
                parts.append(_Part(self.dir, entry, self._storage, self._toc, start, first_doc))
                start += entry.rows
                first_doc += entry.docs
        except BaseException:
            Segments(parts).close()         # let go of the sidecars taken so far
            raise
        self.side = Segments(parts)
        self._local = threading.local()
        self.size = self.side.rows                         # rows, deleted ones included: the arrays' length
        self.all_rows = np.flatnonzero(self.side.live).astype(np.int32)
        self.n = len(self.all_rows)                         # live passages
        plen = np.asarray(self.side["plen"], dtype=np.float64)[self.all_rows]
        self.avg_len = float(plen.mean()) if self.n else 1.0
        self._documents: dict[str, _Part] | None = None
        self.memo: dict = {}

    def cache(self, kind: str, budget: int) -> Bounded:
        """This commit's cache of one kind of derived data (``Bounded``), kept in ``memo``."""
        found = self.memo.get(kind)
        if found is None:
            found = self.memo.setdefault(kind, Bounded(budget))
        return found

    def document(self, doc_id: str) -> dict | None:
        """One live report of the commit as its JSON object (metadata, text, sections)."""
        with self._lock:
            if self._documents is None:
                self._documents = {d: p for p in self.side.parts for i, d in enumerate(p.doc_ids)
                                   if i not in p.dead_docs}
        part = self._documents.get(doc_id)
        return part.documents.get(doc_id) if part else None

    @property
    def searcher(self) -> Searcher:
        s = getattr(self._local, "searcher", None)
        if s is None:
            reader = FileIndex._reader(self._storage, self._toc.schema, list(self._toc.segments),
                                       self._toc.generation)
            s = self._local.searcher = Searcher(reader)
            with self._lock:
                self._searchers.append(s)
        return s

    def stored(self, row: int) -> dict:
        """The stored fields of one passage (a row is a Whoosh document number of the commit): its id, its
        report's id, its place in the report (``ordinal``, ``start``, ``end``) and its row."""
        return self.searcher.stored_fields(int(row))

    def passage(self, row: int) -> dict:
        """One passage whole: its stored fields, its text, heading and ``lead`` (the headings before it), its
        section, and what its report says of itself (``DOC_META``: title, body, region, province, level, year,
        doc type, versions), stored once per report."""
        record = self.stored(row)
        d = int(self.side["doc"][row])
        record.update(zip(DOC_META, self.side.doc_meta[d]))
        record["section"] = self.side.facet_values("section")[int(self.side["fac_section"][row])]
        first = int(self.side.report_starts()[d])
        record["text"], record["heading_text"], record["lead"] = self._report_passages(d)[row - first]
        return record

    def ingest_times(self) -> np.ndarray:
        """Per row, when its report was ingested (seconds since the epoch; ``Document.ingested``), the report's
        time for each of its passages: merges and rewrites copy the report, so its time stays. A report of a
        segment written before ingest times were kept reads 0.0, older than any saved search's last run."""
        found = self.memo.get("ingest times")
        if found is None:
            at = DOC_META.index("ingested")
            per_report = np.array([float(m[at] or 0.0) if len(m) > at else 0.0 for m in self.side.doc_meta]
                                  + [0.0], dtype=np.float64)        # the extra value keeps an empty index's take
            found = self.memo["ingest times"] = per_report[np.asarray(self.side["doc"], dtype=np.int64)]
        return found

    def latest_ingest(self) -> float:
        """The newest ingest time among live passages (0.0 for none): what a saved search has seen once it has
        run on this commit. Ingests take the write lock before they stamp, so a later one stamps later."""
        if "latest ingest" not in self.memo:        # once per commit: a feed or a watch asks for each search
            times = self.ingest_times()[self.all_rows]
            self.memo["latest ingest"] = float(times.max()) if len(times) else 0.0
        return self.memo["latest ingest"]

    def report_groups(self) -> np.ndarray:
        """For each report (its number, as ``doc`` gives it per row), the number of the first of its versions: a
        report, its 摘要 and its copies on other sites are one report in counts (``dedup.link_versions``).
        Only live reports are joined (a report taken out links nothing)."""
        return self._versions()[0]

    def versions(self, doc_id: str) -> list[str]:
        """The ids of the other live versions of a live report (``report_groups``)."""
        return [other for other in self._versions()[1].get(doc_id, ()) if other != doc_id]

    def _versions(self) -> tuple[np.ndarray, dict[str, list[str]]]:
        """``report_groups``, and for each live report that has other versions, the ids of all of its group:
        worked out once per commit, when counts or a report page first ask."""
        found = self.memo.get("report groups")
        if found is None:
            live = [i not in p.dead_docs for p in self.side.parts for i in range(len(p.doc_ids))]
            ids = self.side.doc_ids
            number = {doc_id: i for i, doc_id in enumerate(ids) if live[i]}
            first = list(range(len(ids)))

            def root(i: int) -> int:
                while first[i] != i:
                    first[i] = first[first[i]]
                    i = first[i]
                return i
            versions = DOC_META.index("versions")
            for i, meta in enumerate(self.side.doc_meta):
                for other in meta[versions] if live[i] and len(meta) > versions else ():
                    if (j := number.get(other)) is not None:
                        a, b = root(i), root(j)
                        first[max(a, b)] = min(a, b)
            groups = np.array([root(i) for i in range(len(ids))], dtype=np.int64)
            members: dict[int, list[str]] = {}
            for doc_id, i in number.items():
                members.setdefault(int(groups[i]), []).append(doc_id)
            found = self.memo["report groups"] = (groups, {doc_id: members[int(groups[i])] for doc_id, i in
                                                           number.items() if len(members[int(groups[i])]) > 1})
        return found

    def _report_passages(self, d: int) -> list[tuple[str, str, str]]:
        """(text, heading, lead) of each passage of the report numbered ``d``, in order, read from the report:
        a passage's text is stored once, in its report's text at its offsets, not again in Whoosh."""
        cache = self.cache("report passages", REPORT_CACHE)
        found = cache.get(d)
        if found is None:
            part = self.side.parts[int(np.searchsorted(self.side.starts, self.side.report_starts()[d], "right")) - 1]
            doc = Document.from_dict(part.documents.get(self.side.doc_ids[d]))
            passages = doc.passages()
            around = doc.surroundings() or [("", "")] * len(passages)
            found = cache.put(d, [(p.text, p.heading, lead.strip()) for p, (lead, _) in zip(passages, around)])
        return found

    def row_of_passage(self, passage_id: str) -> int | None:
        """The live row of a passage id (a document written again leaves its old rows deleted, same ids)."""
        rows = [int(r) for r in self.searcher.document_numbers(passage_id=passage_id)]
        return next((r for r in rows if self.side.live[r]), None)

    def is_current(self) -> bool:
        try:
            return (self.dir / CURRENT).read_text(encoding="utf-8").strip() == self.commit.name
        except OSError:
            return False

    def close(self) -> None:
        """Close every thread's Whoosh searcher and the sidecars' maps."""
        with self._lock:
            searchers, self._searchers = self._searchers, []
        for s in searchers:
            s.close()
        if hasattr(self, "side"):      # opening may have failed before the sidecars were opened
            self.side.close()

    def __del__(self):
        # dropped by open_index once a new commit is live and no request holds it any more
        self.close()


_OPEN: dict[str, Index] = {}
_OPEN_LOCK = threading.Lock()


def open_index(index_dir: str | Path) -> Index:
    """The index at ``index_dir``, opened once per process and reopened when a new commit goes live."""
    _keep_freed_memory()
    key = str(Path(index_dir).resolve())
    with _OPEN_LOCK:
        ix = _OPEN.get(key)
        if ix is None or not ix.is_current():
            ix = _OPEN[key] = Index(index_dir)
        return ix


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3     # glibc's mallopt parameters


@functools.cache
def _keep_freed_memory() -> None:
    """Let glibc keep the memory of freed arrays for the next ones instead of giving it back at once.

    A search over a common word makes a dozen arrays of a million rows each and frees them; by default glibc
    maps each afresh and unmaps it when freed, so every search faults in its pages again (a fifth of the time
    of scoring 工作 at 1.5 million passages). Arrays up to 32 MB now come from the heap, which is trimmed
    once it holds 256 MB free. Elsewhere than glibc this does nothing.
    """
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(M_MMAP_THRESHOLD, 32 << 20)
        libc.mallopt(M_TRIM_THRESHOLD, 256 << 20)
    except (OSError, AttributeError):
        pass
