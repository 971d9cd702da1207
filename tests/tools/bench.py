"""`make bench` and `make bench-scale`: build synthetic corpora and measure the index against a textbook baseline.

The corpus recombines sentences of the shipped seeds and the sample reports into documents with varied
regions (real divisions), levels, years, doc types and sections, generated as the build reads them. For each
size it prints: build time and passages/s (the ingest path: signatures, segments, commit), the peak resident
memory of all build processes together, the index size and its ratio to the passages' text (UTF-8), the
number of segments, query p50/p95 for search alone, with facets, and with facets and top-10 highlights (in
one process with the index open, no word rows or answers remembered), the command-line query from a cold
process, the time to ingest one 40-passage report into the built index and to remove it again, and the
server under load (`wrk`, 32 connections, 60 s each: as served, without the result cache, and one process
without caches as the baseline). The textbook set-up (Whoosh with jieba's ChineseAnalyzer,
default writer, no n-gram field, facets by groupedby, Whoosh highlights) is built on the same corpus and the
same queries are timed, so the ratios compare like with like. Every figure carries the one-minute load average
it was taken at, marked when the load was above the number of cores: such figures are not comparable.

usage: python -m tests.tools.bench [--sizes 15000,150000] [--out data/bench] [--no-baseline] [--repeat 3]
                                  [--load-seconds 60]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUERIES = [
    "工作", "人大常委会", "监督", "代表", "立法", "备案审查", "执法检查", "专题询问", "代表建议", "预算",
    "全过程人民民主", "基层立法联系点", "民生实事", "代表建议 办理", "执法检查 专题询问", "预算 审查 监督",
    "立法 质量", '"有备必审"', '"全过程人民民主"', '"人大常委会"', '"备案审查工作"', '"专题询问"',
    "监督 level:county", "代表 year:2019-2023", "立法 section:立法工作", "备案审查 province:浙江省",
    "执法检查 OR 专题询问", "监督 -预算", '"联系点 立法"~5', "法治 type:法治建设工作报告",
    "(立法 OR 法规) 质量 year:2015-2022", "作风 建设 level:city",
]


def sentences_pool() -> tuple[list[str], list[str]]:
    from indexer.understand.pipeline import parse_file
    sentences, headings = [], []
    for f in sorted((ROOT / "tests" / "fixtures" / "samples").glob("*.*")) + sorted((ROOT / "corpus").rglob("*.txt")):
        if f.suffix not in (".html", ".txt", ".md"):
            continue
        doc = parse_file(f)
        headings += [s.heading for s in doc.sections if s.heading]
        for p in doc.passages():
            sentences += [s for s in re.findall(r"[^。！？]+[。！？]", p.text) if len(s) > 8]
    return sentences, headings


def synthetic_documents(n_passages: int, seed: int = 1):
    """Documents of 40–80 passages of 2–5 recombined sentences each, with varied real metadata, one at a time."""
    from indexer import divisions as dv
    from indexer.model import Document, Passage, Section
    from indexer.understand.passages import passage_id
    from indexer.understand.sections import classify
    rng = random.Random(seed)
    sentences, headings = sentences_pool()
    places = list(dv.divisions().values())
    doc_types = ["工作报告"] * 5 + ["工作综述"] * 2 + ["法治建设工作报告", "述法报告", "other"]
    made, n = 0, 0
    while made < n_passages:
        place = rng.choice(places)
        year = rng.randint(2008, 2025)
        doc_type = rng.choice(doc_types)
        doc_id = f"bench{n:07d}"
        sections, lines, ordinal = [], [], 0
        offset = 0
        for _ in range(rng.randint(6, 10)):
            heading = rng.choice(headings)
            cat = classify(heading, threshold=2) or "综述"
            sec = Section(heading=heading, level=1, category=cat)
            lines.append(heading)
            offset += len(heading) + 1
            for _ in range(rng.randint(5, 9)):
                text = "".join(rng.choice(sentences) for _ in range(rng.randint(2, 5)))
                sec.passages.append(Passage(passage_id(doc_id, text, ordinal), ordinal, text, offset,
                                            offset + len(text), heading, cat))
                lines.append(text)
                offset += len(text) + 1
                ordinal += 1
            sections.append(sec)
        yield Document(doc_id=doc_id, title=f"{place.name}人大常委会{year}年{doc_type}", body=f"{place.name}人大常委会",
                       region=place.name, province=place.province, level=place.level, year=year,
                       doc_type=doc_type, source=f"bench://{n}", traditional=False, text="\n".join(lines),
                       sections=sections, sources=[f"bench://{n}"])
        made += ordinal
        n += 1


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")


def forget(ix) -> None:
    """Drop what an opened index remembers of earlier searches: matching rows, whole answers, report texts."""
    for kind in ("rows", "results", "report passages"):
        ix.memo.pop(kind, None)


def time_ours(index_dir: Path, repeat: int) -> dict[str, list[float]]:
    from indexer.index.reader import open_index
    from search_app.core.facets import facet_counts, filter_mask
    from search_app.core.matching import names_reports
    from search_app.core.ranking import rank, terms_for_ranking
    from search_app.core.search import Params, query_rows, search
    ix = open_index(index_dir)
    out = {"search": [], "facets": [], "facets+highlights": []}
    for q in QUERIES:
        p = Params(q=q, limit=10)
        runs = {k: [] for k in out}
        for _ in range(repeat):
            forget(ix)                          # every run does the work: no word rows or answers remembered
            t = time.perf_counter()
            parsed, rows, filters, years = query_rows(ix, p)
            rows = filter_mask(ix, rows, filters, years)
            words, exact = terms_for_ranking(ix, parsed)
            rank(ix, rows, words, exact, names_reports(ix, parsed.tree), "relevance", 10)
            runs["search"].append(time.perf_counter() - t)
            facet_counts(ix, rows, filters, 50)
            runs["facets"].append(time.perf_counter() - t)
            forget(ix)
            t = time.perf_counter()
            search(ix, p)
            runs["facets+highlights"].append(time.perf_counter() - t)
        for k in out:
            out[k].append(statistics.median(runs[k]) * 1000)
    return out


def time_tools(index_dir: Path, repeat: int) -> dict[str, dict]:
    """Median ms of the drafting and research tools (issue 15) at this size, every run from nothing remembered
    but what a generation keeps (the speller's vocabulary: its first build is timed on its own)."""
    from indexer.index.reader import open_index
    from search_app.core.alerts import newest
    from search_app.core.collocates import collocates
    from search_app.core.diff import compare_reports
    from search_app.core.kwic import breakdown, kwic_lines
    from search_app.core.search import Params, search
    from search_app.core.similar import similar
    from search_app.core.spread import spread
    from search_app.core.stats import coverage, latest_reports, trends
    ix = open_index(index_dir)
    docs = list(dict.fromkeys(h.doc_id for h in search(ix, Params(q="监督", limit=50))["hits"]))[:2]
    t = time.perf_counter()
    search(ix, Params(q="备按审查 执法检察", limit=10))
    out = {"did_you_mean_first_vocabulary_build": {"ms": round((time.perf_counter() - t) * 1000, 1)}}
    tools = {
        "did_you_mean": lambda: search(ix, Params(q="备按审查 执法检察", limit=10)),
        "search_per_report_代表建议": lambda: search(ix, Params(q="代表建议", limit=10, group=True)),
        "search_per_report_工作": lambda: search(ix, Params(q="工作", limit=10, group=True)),
        "kwic_100_hits_and_breakdown": lambda: (kwic_lines(ix, Params(q="备案审查")), breakdown(ix, Params(q="备案审查"))),
        "collocates_监督": lambda: collocates(ix, Params(q="监督")),
        "similar_in_one_province": lambda: similar(ix, text="坚持有件必备、有备必审、有错必纠，认真审查规范性文件",
                                                   filters={"province": ["浙江"]}),
        "trends_by_province": lambda: trends(ix, Params(q="备案审查"), "province"),
        "home_coverage_and_latest": lambda: (ix.memo.pop("coverage", None), coverage(ix), latest_reports(ix)),
        "compare_two_reports": lambda: compare_reports(ix, *docs),
        "spread_备案审查": lambda: (ix.memo.pop("spread", None), spread(ix, Params(q='"备案审查"'))),
        "feed_newest_监督": lambda: newest(ix, Params(q="监督")),
    }
    for name, run in tools.items():
        times = []
        for _ in range(repeat):
            forget(ix)
            t = time.perf_counter()
            run()
            times.append((time.perf_counter() - t) * 1000)
        out[name] = {"ms": round(statistics.median(times), 1)}
    return {k: {**v, "load": Load.now()} for k, v in out.items()}


def build_baseline(docs, path: Path) -> float:
    """The textbook set-up: jieba's ChineseAnalyzer on a TEXT field, the default writer."""
    from jieba.analyse import ChineseAnalyzer
    from whoosh import index
    from whoosh.fields import ID, NUMERIC, TEXT, Schema
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    schema = Schema(pid=ID(stored=True), text=TEXT(analyzer=ChineseAnalyzer(), stored=True),
                    region=ID(stored=True, sortable=True), province=ID(stored=True, sortable=True),
                    level=ID(stored=True, sortable=True), section=ID(stored=True, sortable=True),
                    doc_type=ID(stored=True, sortable=True), year=NUMERIC(int, stored=True, sortable=True))
    t = time.perf_counter()
    ix = index.create_in(str(path), schema)
    w = ix.writer()
    for d in docs:
        for s in d.sections:
            for p in s.passages:
                w.add_document(pid=p.passage_id, text=p.text, region=d.region or "", province=d.province or "",
                               level=d.level or "", section=s.category, doc_type=d.doc_type, year=d.year or 0)
    w.commit()
    return time.perf_counter() - t


def time_baseline(path: Path, repeat: int) -> dict[str, list[float]]:
    from whoosh import index, sorting
    from whoosh.qparser import QueryParser
    ix = index.open_dir(str(path))
    qp = QueryParser("text", ix.schema)
    facets = [sorting.FieldFacet(f) for f in ("region", "province", "level", "section", "doc_type", "year")]
    out = {"search": [], "facets": [], "facets+highlights": []}
    with ix.searcher() as s:
        for q in QUERIES:
            q = re.sub(r"\b(type|level|year|section|province|region):\S+", "", q).replace("~5", "")
            query = qp.parse(q)
            runs = {k: [] for k in out}
            for _ in range(repeat):
                t = time.perf_counter()
                r = s.search(query, limit=10)
                len(r)
                runs["search"].append(time.perf_counter() - t)
                t = time.perf_counter()
                r = s.search(query, limit=10, groupedby=facets)
                len(r)
                for f in ("region", "province", "level", "section", "doc_type", "year"):
                    r.groups(f)
                runs["facets"].append(time.perf_counter() - t)
                for hit in r[:10]:
                    hit.highlights("text")
                runs["facets+highlights"].append(time.perf_counter() - t)
            for k in out:
                out[k].append(statistics.median(runs[k]) * 1000)
    return out


def cold_start(index_dir: Path, runs: int = 5) -> list[float]:
    exe = Path(sys.executable).with_name("lrsearch")
    times = []
    for q in ("备案审查", '"有备必审"', "代表建议 办理", "监督 level:county", "工作")[:runs]:
        t = time.perf_counter()
        subprocess.run([str(exe), "search", q, "--index", str(index_dir), "--json", "--limit", "10"],
                       capture_output=True, check=False)
        times.append(time.perf_counter() - t)
    return times


class Load:
    """The one-minute load average beside a figure, marked when it is above the number of cores."""

    cores = os.cpu_count() or 1

    @classmethod
    def now(cls) -> str:
        load = os.getloadavg()[0]
        return f"{load:.2f}" + (" BUSY" if load > cls.cores else "")

    @classmethod
    def settle(cls, limit: float = 120.0) -> None:
        """Wait (at most ``limit`` seconds) for the load the build left to fall under the number of cores, so
        that the queries timed next are not marked busy by the bench's own build."""
        end = time.monotonic() + limit
        while os.getloadavg()[0] > cls.cores and time.monotonic() < end:
            time.sleep(2)


class PeakMemory:
    """The peak memory of this process and all its descendants together, sampled every 0.2 s: summed RSS, and
    summed PSS (proportional set size: a page shared by n processes counts 1/n in each).

    Forked workers share their parent's pages until they write them, so summed RSS counts those pages once per
    process (an upper bound); summed PSS counts them once, which is what the machine actually holds.
    """

    def __init__(self):
        self.rss = self.pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            rss, pss = tree_memory(os.getpid())
            self.rss, self.pss = max(self.rss, rss), max(self.pss, pss)
            self._stop.wait(0.2)


def tree_memory(root: int) -> tuple[int, int]:
    """Bytes resident (RSS) and proportional (PSS) in ``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    rss = pss = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
                for line in fh:
                    if line.startswith(b"Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith(b"Pss:"):
                        pss += int(line.split()[1]) * 1024
        except (OSError, ValueError):
            pass
        todo += children.get(pid, [])
    return rss, pss


def corpus_file(out: Path, size: int) -> Path:
    """The synthetic corpus of ``size`` passages as processed documents (JSON lines), written once and kept:
    making it is not part of the build."""
    from indexer.store import write_documents
    path = out / f"corpus-{size}"
    if not (path / "documents.jsonl").exists():
        # in a process of its own: the memory it leaves behind would be counted in the build's peak
        proc = multiprocessing.get_context("fork").Process(target=write_documents,
                                                           args=(path, synthetic_documents(size)))
        proc.start()
        proc.join()
        if proc.exitcode:
            raise RuntimeError(f"writing the synthetic corpus failed (exit code {proc.exitcode})")
    return path / "documents.jsonl"


def build_ours(index_dir: Path, corpus: Path) -> tuple:
    """Build through the ingest path (read the processed documents, sign them, write segments, commit), a
    segment's worth of documents at a time."""
    from indexer.index.build import Change
    from indexer.settings import SETTINGS
    from indexer.store import read_documents
    from indexer.update import _signed
    shutil.rmtree(index_dir, ignore_errors=True)
    text_bytes = 0

    def counted():
        nonlocal text_bytes
        for d in read_documents(corpus):
            text_bytes += sum(len(p.text.encode()) for p in d.passages())
            yield d
    with PeakMemory() as memory:
        change = Change(index_dir, None, os.cpu_count())
        change.add(_signed(counted(), SETTINGS, os.cpu_count()))
        change.publish({})
    return change.report, memory, text_bytes


def add_and_remove(index_dir: Path, tmp: Path) -> tuple[float, float, int]:
    """Seconds to ingest one report of about 40 passages into the index, and to remove it again."""
    from indexer.update import ingest, remove
    doc = next(d for d in synthetic_documents(10_000, seed=99) if 36 <= len(d.passages()) <= 44)
    tmp.mkdir(parents=True, exist_ok=True)
    f = tmp / "one-report.txt"
    f.write_text(f"{doc.title}\n" + doc.text, encoding="utf-8")
    t = time.perf_counter()
    report = ingest(index_dir, [f], workers=1)
    added = time.perf_counter() - t
    t = time.perf_counter()
    remove(index_dir, [str(f)])
    return added, time.perf_counter() - t, report.build.written


def load(index_dir: Path, seconds: int) -> dict:
    """wrk, 32 connections, the 20-search mix (tests/tools/load.py) against `lrsearch serve` as it ships (one
    worker process per core, the caches on), the same without the result cache, and one process with threads
    and no caches, as `serve` was before (the baseline of the same run)."""
    from tests.tools.load import server, wrk
    no_cache = {"LRSEARCH_RESULT_CACHE_ENTRIES": "0"}
    runs = {"served": (Load.cores, 4, {}), "no_result_cache": (Load.cores, 4, no_cache),
            "one_process_no_caches": (1, 8, {**no_cache, "LRSEARCH_ROW_CACHE_BYTES": "0"})}
    out = {}
    for name, (workers, threads, env) in runs.items():
        with server(index_dir, workers, threads, env) as base:
            out[name] = {"workers": workers, "threads": threads, **wrk(base, seconds)}
    out["rps_over_one_process"] = round(out["served"]["rps"] / out["one_process_no_caches"]["rps"], 2)
    return out


def figure(value, unit: str = "") -> dict:
    return {"value": value, "unit": unit, "load": Load.now()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="15000,150000")
    ap.add_argument("--out", default=str(ROOT / "data" / "bench"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--load-seconds", type=int, default=60, help="wrk at 32 connections per server (0: none)")
    args = ap.parse_args(argv)
    from indexer.store import read_documents
    out = Path(args.out)
    for size in [int(s) for s in args.sizes.split(",")]:
        ours_dir = out / f"ours-{size}"
        corpus = corpus_file(out, size)
        built, peak, text_bytes = build_ours(ours_dir, corpus)
        row = {"passages": built.passages, "text_mb": round(text_bytes / 1e6, 1),
               "build_s": figure(round(built.seconds, 1), "s"),
               "passages_per_s": round(built.passages / built.seconds),
               "build_phases_s": {k: round(v, 1) for k, v in built.timings.items()},
               "peak_memory_gb": figure(round(peak.pss / 1e9, 2), f"GB PSS ({peak.rss / 1e9:.2f} GB summed RSS)"),
               "index_mb": round(dir_size(ours_dir) / 1e6, 1),
               "index_over_text": round(dir_size(ours_dir) / max(1, text_bytes), 2),
               "segments": built.segments}
        Load.settle()
        times = time_ours(ours_dir, args.repeat)
        row["query_ms"] = {k: {"p50": round(pct(v, .5), 1), "p95": round(pct(v, .95), 1), "load": Load.now()}
                           for k, v in times.items()}
        row["tools_ms"] = time_tools(ours_dir, args.repeat)
        cold = cold_start(ours_dir)
        row["cli_cold_s"] = {"median": round(statistics.median(cold), 2), "max": round(max(cold), 2),
                             "load": Load.now()}
        added, removed, written = add_and_remove(ours_dir, out / "one-report")
        row["add_one_report_s"] = figure(round(added, 2), f"s ({written} passages written)")
        row["remove_one_report_s"] = figure(round(removed, 2), "s")
        if args.load_seconds:
            row["load_32_connections"] = load(ours_dir, args.load_seconds)
        if not args.no_baseline:
            docs = list(read_documents(corpus))
            base_dir = out / f"baseline-{size}"
            secs = build_baseline(docs, base_dir)
            btimes = time_baseline(base_dir, args.repeat)
            row["baseline"] = {"build_s": figure(round(secs, 1), "s"), "index_mb": round(dir_size(base_dir) / 1e6, 1),
                               "query_ms": {k: {"p50": round(pct(v, .5), 1), "p95": round(pct(v, .95), 1)}
                                            for k, v in btimes.items()}, "load": Load.now()}
            row["ratios_ours_over_baseline"] = {
                "build": round(built.seconds / secs, 2),
                **{f"{k}_p95": round(pct(times[k], .95) / pct(btimes[k], .95), 3) for k in times}}
        print(json.dumps(row, ensure_ascii=False), flush=True)
    print(f"{len(QUERIES)} queries on {Load.cores} cores. Targets: at 150,000 passages build ≤ 40 s and ≥ 6× faster "
          "than the baseline, peak memory ≤ 3 GB, index ≤ 4× text, p95 with facets and highlights ≤ 30 ms, cold "
          "query ≤ 0.5 s, one report added ≤ 2 s, under load (32 connections) 0 errors, p99 ≤ 300 ms, ≥ 4× the "
          "one-process requests/s; at 1,500,000: ≤ 8 min, ≤ 3 GB, ≤ 4×, ≤ 100 ms, ≤ 1.0 s, ≤ 5 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
