"""Retrieval quality of the search core (R14): a golden set measured on the labelled samples and seeds.

    python -m tests.tools.relevance                 # builds the test index (samples + seeds) in a temp dir
    python -m tests.tools.relevance --index DIR     # an index already built from those reports
    python -m tests.tools.relevance --verbose       # also: each failing curated query with its top 10
    python -m tests.tools.relevance --write-floors  # raise tests/fixtures/retrieval/floors.json to today's figures

Three measures, the same functions as tests/core/test_retrieval.py uses:

(a) ``phrases``: quoted spans of 4-12 characters taken verbatim from indexed passages (seeded); the share
    whose source passage is among the hits (must be 100%).
(b) ``substrings``: random runs of 2-6 CJK characters from indexed passages, searched unquoted; the share
    whose source passage is in the top 50 (a hit with the identical text counts as the source).
(c) ``curated``: tests/fixtures/retrieval/queries.json, realistic queries with relevant passages judged by
    reading the reports, each named by a report file and a distinctive substring of the passage. Figures:
    success@10 (a relevant passage in the top 10), recall@10 (relevant passages in the top 10 over
    min(10, number judged relevant), averaged over queries), MRR@10 and the zero-result rate.

floors.json pins a floor for each figure (a ceiling for the zero-result rate). The test fails when a figure
falls below its floor, and when a floor is lower than any floor committed before for the same golden set
(same queries file, same indexed passages): floors only go up. ``--write-floors`` raises them to today's
figures (rounded down), never lowers them; commit the file with the change that earned it.

Over 400 lines: the three measures, the resolver of judgements and the floors' gate belong together.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from indexer.index.reader import Index, open_index
from indexer.normalize import fold
from indexer.settings import SETTINGS
from search_app.core.matching import substring_rows
from search_app.core.search import Params, search

MAX_LIMIT = SETTINGS.max_hits

ROOT = Path(__file__).resolve().parents[2]
RETRIEVAL = ROOT / "tests" / "fixtures" / "retrieval"
QUERIES_FILE = RETRIEVAL / "queries.json"
FLOORS_FILE = RETRIEVAL / "floors.json"
CORPUS_DIRS = (ROOT / "tests" / "fixtures" / "samples", ROOT / "corpus" / "seeds")

SEED = 20250614
N_PHRASES = 50
PHRASE_LEN = (4, 12)
N_SUBSTRINGS = 1000
SUBSTRING_LEN = (2, 6)
SUBSTRING_TOP = 50
K = 10

#: floors.json keys: True when higher is better (a floor), False for a ceiling
METRICS = {"phrases_found": True, "substrings_top50": True, "curated_success_at_10": True,
           "curated_recall_at_10": True, "curated_mrr_at_10": True, "curated_zero_result_rate": False}
CURATED_METRICS = {k for k in METRICS if k.startswith("curated_")}


# ------------------------------------------------------------------------------------------- the corpus

def build_test_index(path: str | Path) -> Path:
    """The index tests/conftest.py builds: the labelled samples and the seeds."""
    from indexer.update import ingest
    ingest(path, list(CORPUS_DIRS), workers=2)
    return Path(path)


def passages(ix: Index) -> list[dict]:
    """Every stored passage, in a deterministic order (by passage id, not by row)."""
    return sorted((ix.passage(r) for r in range(ix.n)), key=lambda p: (p["passage_id"], p["doc_id"], p["ordinal"]))


def passages_fingerprint(all_passages: list[dict]) -> str:
    h = hashlib.sha256()
    for p in all_passages:
        h.update(p["passage_id"].encode() + b"\0" + p["text"].encode("utf-8") + b"\n")
    return h.hexdigest()[:16]


def file_fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


# ----------------------------------------------------------------------------------- (a) quoted phrases

def _is_cjk(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"


def sample_phrases(all_passages: list[dict], n: int = N_PHRASES, seed: int = SEED) -> list[tuple[str, dict]]:
    """``n`` spans of 4-12 characters cut verbatim from passages: (span, source passage)."""
    rng = random.Random(seed)
    pool = [p for p in all_passages if len(p["text"]) >= PHRASE_LEN[0]]
    out: list[tuple[str, dict]] = []
    while len(out) < n:
        p = rng.choice(pool)
        text = p["text"]
        length = rng.randint(PHRASE_LEN[0], min(PHRASE_LEN[1], len(text)))
        start = rng.randrange(0, len(text) - length + 1)
        span = text[start:start + length]
        if '"' in span or span != span.strip() or len(fold(span)) < 2:
            continue
        out.append((span, p))
    return out


def phrase_found(ix: Index, span: str, source: dict) -> bool:
    r = search(ix, Params(q=f'"{span}"', limit=MAX_LIMIT, facet_size=1, context=0))
    return any(h.passage_id == source["passage_id"] for h in r["hits"])


# ----------------------------------------------------------------------------------- (b) CJK substrings

def sample_substrings(all_passages: list[dict], n: int = N_SUBSTRINGS, seed: int = SEED) -> list[tuple[str, dict]]:
    """``n`` runs of 2-6 CJK characters from passages (uniform over passages, then over positions)."""
    rng = random.Random(seed + 1)
    pool = [p for p in all_passages if sum(map(_is_cjk, p["text"])) >= SUBSTRING_LEN[1]]
    out: list[tuple[str, dict]] = []
    while len(out) < n:
        p = rng.choice(pool)
        text = p["text"]
        length = rng.randint(*SUBSTRING_LEN)
        for _ in range(20):
            start = rng.randrange(0, max(1, len(text) - length + 1))
            span = text[start:start + length]
            if len(span) == length and all(map(_is_cjk, span)):
                out.append((span, p))
                break
    return out


def substring_rank(ix: Index, span: str, source: dict, top: int = SUBSTRING_TOP) -> tuple[int | None, int]:
    """(1-based rank of the source passage in the top ``top`` of the unquoted search, or None; total)."""
    r = search(ix, Params(q=span, limit=top, facet_size=1, context=0))
    key = fold(source["text"])
    for i, h in enumerate(r["hits"], 1):
        if h.passage_id == source["passage_id"] or fold(h.text) == key:
            return i, r["total"]
    return None, r["total"]


# ----------------------------------------------------------------------------------- (c) curated queries

def load_queries(path: Path = QUERIES_FILE) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["queries"]


class Resolver:
    """Turns a judgement (report file name + substring of the passage) into indexed passage ids."""

    def __init__(self, ix: Index):
        self.ix = ix
        self._files: dict[str, set[str]] = {}

    def files_of(self, doc_id: str) -> set[str]:
        if doc_id not in self._files:
            doc = self.ix.document(doc_id) or {}
            srcs = doc.get("sources") or [doc.get("source") or ""]
            self._files[doc_id] = {Path(s).name for s in srcs if s}
        return self._files[doc_id]

    def resolve(self, judgement: dict) -> list[str]:
        """Passage ids of the report ``file`` whose text contains ``contains`` (folded)."""
        out = []
        for row in substring_rows(self.ix, judgement["contains"]).tolist():
            s = self.ix.passage(row)
            if judgement["file"] in self.files_of(s["doc_id"]) and fold(judgement["contains"]) in fold(s["text"]):
                out.append(s["passage_id"])
        return out


def resolve_queries(ix: Index, queries: list[dict]) -> tuple[dict[str, set[str]], list[tuple[str, dict, int]]]:
    """Relevant passage ids per query id, and the judgements that name no passage or several."""
    res = Resolver(ix)
    relevant: dict[str, set[str]] = {}
    bad: list[tuple[str, dict, int]] = []
    for q in queries:
        ids: set[str] = set()
        for j in q["relevant"]:
            found = res.resolve(j)
            if len(found) != 1:
                bad.append((q["id"], j, len(found)))
            ids.update(found)
        relevant[q["id"]] = ids
    return relevant, bad


def params_of(q: dict, limit: int = K) -> Params:
    extra = q.get("params") or {}
    return Params(q=q["q"], limit=limit, filters={k: list(v) for k, v in (extra.get("filters") or {}).items()},
                  year=extra.get("year"), facet_size=1, context=0)


@dataclass
class QueryResult:
    query: dict
    relevant: set[str]
    total: int
    top: list[dict]
    parsed: dict
    error: str | None = None

    @property
    def found(self) -> int:
        return sum(h.passage_id in self.relevant for h in self.top[:K])

    @property
    def success(self) -> bool:
        return self.found > 0

    @property
    def recall(self) -> float:
        return self.found / min(K, len(self.relevant)) if self.relevant else 0.0

    @property
    def rr(self) -> float:
        return next((1 / i for i, h in enumerate(self.top[:K], 1) if h.passage_id in self.relevant), 0.0)


def run_curated(ix: Index, queries: list[dict], relevant: dict[str, set[str]]) -> list[QueryResult]:
    from search_app.core.query import QueryError
    out = []
    for q in queries:
        try:
            r = search(ix, params_of(q))
            out.append(QueryResult(q, relevant[q["id"]], r["total"], r["hits"], r["parsed"]))
        except QueryError as e:
            out.append(QueryResult(q, relevant[q["id"]], 0, [], {}, str(e)))
    return out


# ------------------------------------------------------------------------------------------- the report

@dataclass
class Report:
    figures: dict[str, float]
    phrase_misses: list[str] = field(default_factory=list)
    substring_misses: list[tuple[str, int, dict]] = field(default_factory=list)
    curated: list[QueryResult] = field(default_factory=list)
    bad_judgements: list[tuple[str, dict, int]] = field(default_factory=list)
    fingerprints: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def evaluate(ix: Index, queries: list[dict] | None = None, all_passages: list[dict] | None = None) -> Report:
    t0 = time.perf_counter()
    queries = load_queries() if queries is None else queries
    all_passages = passages(ix) if all_passages is None else sorted(
        all_passages, key=lambda p: (p["passage_id"], p["doc_id"], p["ordinal"]))
    phrases = sample_phrases(all_passages)
    phrase_misses = [span for span, src in phrases if not phrase_found(ix, span, src)]
    subs = sample_substrings(all_passages)
    sub_misses = []
    for span, src in subs:
        rank, total = substring_rank(ix, span, src)
        if rank is None:
            sub_misses.append((span, total, src))
    relevant, bad = resolve_queries(ix, queries)
    judged = [q for q in queries if relevant[q["id"]]]
    curated = run_curated(ix, judged, relevant)
    n = max(1, len(curated))
    figures = {
        "phrases_found": 1 - len(phrase_misses) / len(phrases),
        "substrings_top50": 1 - len(sub_misses) / len(subs),
        "curated_success_at_10": sum(r.success for r in curated) / n,
        "curated_recall_at_10": sum(r.recall for r in curated) / n,
        "curated_mrr_at_10": sum(r.rr for r in curated) / n,
        "curated_zero_result_rate": sum(r.total == 0 for r in curated) / n,
    }
    prints = {"passages": passages_fingerprint(all_passages), "queries": file_fingerprint(QUERIES_FILE)}
    return Report(figures, phrase_misses, sub_misses, curated, bad, prints, time.perf_counter() - t0)


# ------------------------------------------------------------------------------------------------ floors

def load_floors(path: Path = FLOORS_FILE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def below_floors(figures: dict[str, float], floors: dict) -> list[str]:
    """The figures that fall below their floor (or above their ceiling)."""
    out = []
    for name, higher_is_better in METRICS.items():
        if name not in floors["floors"]:
            continue
        have, pin = figures[name], floors["floors"][name]
        if (have < pin - 1e-9) if higher_is_better else (have > pin + 1e-9):
            out.append(f"{name}: {have:.4f} {'<' if higher_is_better else '>'} pinned {pin}")
    return out


def committed_floors(path: Path = FLOORS_FILE) -> list[tuple[str, dict]]:
    """Every version of the floors file in git history: (commit, content). Empty without git."""
    rel = path.relative_to(ROOT).as_posix()
    try:
        log = subprocess.run(["git", "log", "--format=%H", "--", rel], cwd=ROOT, capture_output=True,
                             text=True, timeout=20, check=True).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return []
    out = []
    for commit in log:
        show = subprocess.run(["git", "show", f"{commit}:{rel}"], cwd=ROOT, capture_output=True, text=True, timeout=20)
        if show.returncode == 0:
            try:
                out.append((commit[:10], json.loads(show.stdout)))
            except ValueError:
                continue
    return out


def lowered_floors(current: dict, history: list[tuple[str, dict]]) -> list[str]:
    """Floors lower (ceilings higher) than a committed version measured on the same golden set.

    The phrase and substring floors compare with versions of the same indexed passages; the curated floors
    also need the same queries file (adding harder queries starts a new baseline).
    """
    out = []
    cur_fp = current.get("fingerprints", {})
    for commit, old in history:
        old_fp = old.get("fingerprints", {})
        same_passages = old_fp.get("passages") == cur_fp.get("passages")
        same_queries = same_passages and old_fp.get("queries") == cur_fp.get("queries")
        for name, higher_is_better in METRICS.items():
            if name not in old.get("floors", {}) or not (same_queries if name in CURATED_METRICS else same_passages):
                continue
            was, now = old["floors"][name], current["floors"].get(name)
            if now is None or ((now < was) if higher_is_better else (now > was)):
                out.append(f"{name}: {now} is {'below' if higher_is_better else 'above'} {was} committed in {commit}")
    return out


def floors_from(report: Report, previous: dict | None = None) -> dict:
    """Floors at today's figures, rounded down (ceilings rounded up); never below the previous floors."""
    floors = {}
    for name, higher_is_better in METRICS.items():
        scale = 100
        have = report.figures[name]
        value = math.floor(have * scale + 1e-9) / scale if higher_is_better else math.ceil(have * scale - 1e-9) / scale
        if previous and previous.get("fingerprints") == report.fingerprints and name in previous.get("floors", {}):
            value = max(value, previous["floors"][name]) if higher_is_better else min(value, previous["floors"][name])
        floors[name] = value
    return {"about": ("Floors of the retrieval-quality gate (tests/tools/relevance.py, tests/core/test_retrieval.py). They only "
                      "go up: raise them with `python -m tests.tools.relevance --write-floors` and commit. "
                      "curated_zero_result_rate is a ceiling. fingerprints name the golden set they were measured on."),
            "fingerprints": dict(report.fingerprints), "floors": floors}


# ---------------------------------------------------------------------------------------------- printing

def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


def format_report(report: Report, ix: Index, verbose: bool = False, floors: dict | None = None) -> str:
    f = report.figures
    n = len(report.curated)
    lines = [
        f"(a) quoted phrases found           {f['phrases_found']:.1%}  ({N_PHRASES} spans of 4-12 chars)",
        f"(b) CJK substrings, source in top {SUBSTRING_TOP}  {f['substrings_top50']:.1%}  ({N_SUBSTRINGS} unquoted runs of 2-6 chars)",
        f"(c) curated queries ({n})           success@10 {f['curated_success_at_10']:.1%}   "
        f"recall@10 {f['curated_recall_at_10']:.1%}   MRR@10 {f['curated_mrr_at_10']:.3f}   "
        f"zero-result {f['curated_zero_result_rate']:.1%}",
    ]
    if floors:
        bad = below_floors(f, floors)
        lines.append("floors: " + ("all met" if not bad else "BELOW: " + "; ".join(bad)))
    if report.bad_judgements:
        lines.append(f"judgements naming no passage or several: {len(report.bad_judgements)}")
        lines += [f"    {qid}: {j['file']} {j['contains']!r} -> {k}" for qid, j, k in report.bad_judgements]
    lines.append(f"({report.seconds:.1f} s)")
    if not verbose:
        return "\n".join(lines)
    if report.phrase_misses:
        lines += ["", "quoted phrases not found:"] + [f"    {s!r}" for s in report.phrase_misses]
    if report.substring_misses:
        lines += ["", f"substrings whose source passage is not in the top {SUBSTRING_TOP} (first 20 of "
                      f"{len(report.substring_misses)}):"]
        for span, total, src in report.substring_misses[:20]:
            lines.append(f"    {span!r}  total {total}  source: {_short(src['text'], 40)}")
    failing = [r for r in report.curated if not r.success]
    lines += ["", f"curated queries failing success@10: {len(failing)} of {n}"]
    for r in failing:
        lines.append(_explain(r, ix))
    partial = [r for r in report.curated if r.success and r.recall < 1]
    if partial:
        lines += ["", "curated queries with recall@10 below 1:"]
        lines += [f"    {r.query['id']:<22} {r.query['q']!r}  recall {r.recall:.2f}  ({r.found} of "
                  f"{min(K, len(r.relevant))}, total {r.total})" for r in partial]
    return "\n".join(lines)


def _explain(r: QueryResult, ix: Index) -> str:
    q = r.query
    out = [f"\n  [{q['id']}] {q['q']!r}" + (f"  params {q['params']}" if q.get("params") else "")
           + f"   total {r.total}" + (f"   ERROR {r.error}" if r.error else "")]
    if q.get("note"):
        out.append(f"    note: {q['note']}")
    if r.parsed:
        cut = " | ".join(f"{t['text']}→{'/'.join(t['segments'])}" for t in r.parsed.get("terms", []))
        out.append(f"    parsed: {cut}  filters {r.parsed.get('filters')} year {r.parsed.get('year')}")
    res = Resolver(ix)
    for i, h in enumerate(r.top[:K], 1):
        doc = ",".join(sorted(res.files_of(h.doc_id)))[:28]
        out.append(f"    {i:>2}. {h.score:>7.3f} {doc:<28} [{_short(h.heading or '-', 18)}] {_short(h.text)}")
    if not r.error:
        full = search(ix, params_of(q, limit=min(MAX_LIMIT, max(1, r.total))))
        ranks = {h.passage_id: i for i, h in enumerate(full["hits"], 1)}
        for pid in sorted(r.relevant, key=lambda p: ranks.get(p, 10**9)):
            row = next((x for x in full["hits"] if x.passage_id == pid), None)
            where = f"rank {ranks[pid]}" if pid in ranks else "not matched"
            text = row.text if row else _stored_text(ix, pid)
            out.append(f"    relevant: {where:<12} {_short(text, 50)}")
    return "\n".join(out)


def _stored_text(ix: Index, passage_id: str) -> str:
    row = ix.row_of_passage(passage_id)
    return ix.passage(row)["text"] if row is not None else passage_id


# -------------------------------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.tools.relevance", description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", help="an index of tests/fixtures/samples and corpus/seeds (default: build one in a "
                                    "temporary directory)")
    ap.add_argument("--verbose", "-v", action="store_true", help="show why each failing curated query misses")
    ap.add_argument("--write-floors", action="store_true", help="raise floors.json to today's figures (never lowers)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lrsearch-relevance-") as tmp:
        index_dir = Path(args.index) if args.index else build_test_index(Path(tmp) / "index")
        ix = open_index(index_dir)
        report = evaluate(ix)
        floors = load_floors() if FLOORS_FILE.exists() else None
        print(format_report(report, ix, args.verbose, floors))
        if args.write_floors:
            new = floors_from(report, floors)
            FLOORS_FILE.write_text(json.dumps(new, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            print(f"wrote {FLOORS_FILE.relative_to(ROOT)}: {new['floors']}")
        ix.close()
        failed = bool(report.bad_judgements) or (floors is not None and not args.write_floors
                                                 and bool(below_floors(report.figures, floors)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
