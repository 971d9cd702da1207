"""`make bench`: build synthetic corpora and measure the index build and queries against a textbook baseline.

The corpus recombines sentences of the shipped seeds and the sample reports into documents with varied
regions (real divisions), levels, years, doc types and sections. For each size it prints build time and
passages/s, index size, query p50/p95 for search alone, with facets, and with facets and top-10 highlights,
and the command-line cold start (process start to first result). The textbook set-up (Whoosh with jieba's
ChineseAnalyzer, default writer, no n-gram field, facets by groupedby, Whoosh highlights) is built on the
same corpus and the same queries are timed, so the ratios compare like with like.

usage: python -m tests.tools.bench [--sizes 15000,150000] [--out data/bench] [--no-baseline] [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
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
    """Documents of 40–80 passages of 2–5 recombined sentences each, with varied real metadata."""
    from indexer import divisions as dv
    from indexer.model import Document, Passage, Section
    from indexer.understand.passages import passage_id
    from indexer.understand.sections import classify
    rng = random.Random(seed)
    sentences, headings = sentences_pool()
    places = list(dv.divisions().values())
    doc_types = ["工作报告"] * 5 + ["工作综述"] * 2 + ["法治建设工作报告", "述法报告", "other"]
    docs, made, n = [], 0, 0
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
        docs.append(Document(doc_id=doc_id, title=f"{place.name}人大常委会{year}年{doc_type}", body=f"{place.name}人大常委会",
                             region=place.name, province=place.province, level=place.level, year=year,
                             doc_type=doc_type, source=f"bench://{n}", traditional=False,
                             text="\n".join(lines),
                             sections=sections, sources=[f"bench://{n}"]))
        made += ordinal
        n += 1
    return docs


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")


def time_ours(index_dir: Path, repeat: int) -> dict[str, list[float]]:
    from indexer.index.reader import open_index
    from search_app.core.facets import facet_counts, filter_mask
    from search_app.core.matching import names_reports
    from search_app.core.ranking import order, score_rows, terms_for_ranking
    from search_app.core.search import Params, query_rows, search
    ix = open_index(index_dir)
    out = {"search": [], "facets": [], "facets+highlights": []}
    for q in QUERIES:
        p = Params(q=q, limit=10)
        runs = {k: [] for k in out}
        for _ in range(repeat):
            t = time.perf_counter()
            parsed, rows, filters, years = query_rows(ix, p)
            rows = filter_mask(ix, rows, filters, years)
            words, exact = terms_for_ranking(ix, parsed)
            order(ix, rows, score_rows(ix, rows, words, exact, names_reports(ix, parsed.tree)), "relevance", 10)
            runs["search"].append(time.perf_counter() - t)
            facet_counts(ix, rows, filters, 50)
            runs["facets"].append(time.perf_counter() - t)
            t = time.perf_counter()
            search(ix, p)
            runs["facets+highlights"].append(time.perf_counter() - t)
        for k in out:
            out[k].append(statistics.median(runs[k]) * 1000)
    return out


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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="15000,150000")
    ap.add_argument("--out", default=str(ROOT / "data" / "bench"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-baseline", action="store_true")
    args = ap.parse_args(argv)
    from indexer.index.build import build_generation
    out = Path(args.out)
    report = []
    for size in [int(s) for s in args.sizes.split(",")]:
        docs = synthetic_documents(size)
        n = sum(len(d.passages()) for d in docs)
        chars = sum(len(p.text) for d in docs for p in d.passages())
        ours_dir = out / f"ours-{size}"
        shutil.rmtree(ours_dir, ignore_errors=True)
        built = build_generation(ours_dir, docs, workers=os.cpu_count())
        row = {"passages": n, "text_mb": round(chars * 3 / 1e6, 1), "build_s": round(built.seconds, 1),
               "passages_per_s": round(n / built.seconds), "build_phases_s": {k: round(v, 1) for k, v in
                                                                              built.timings.items()},
               "index_mb": round(dir_size(ours_dir) / 1e6, 1)}
        times = time_ours(ours_dir, args.repeat)
        row["query_ms"] = {k: {"p50": round(pct(v, .5), 1), "p95": round(pct(v, .95), 1)} for k, v in times.items()}
        cold = cold_start(ours_dir)
        row["cli_cold_s"] = {"median": round(statistics.median(cold), 2), "max": round(max(cold), 2)}
        if not args.no_baseline:
            base_dir = out / f"baseline-{size}"
            secs = build_baseline(docs, base_dir)
            btimes = time_baseline(base_dir, args.repeat)
            row["baseline"] = {"build_s": round(secs, 1), "index_mb": round(dir_size(base_dir) / 1e6, 1),
                               "query_ms": {k: {"p50": round(pct(v, .5), 1), "p95": round(pct(v, .95), 1)}
                                            for k, v in btimes.items()}}
            row["ratios_ours_over_baseline"] = {
                "build": round(built.seconds / secs, 2),
                **{f"{k}_p95": round(pct(times[k], .95) / pct(btimes[k], .95), 3) for k in times}}
        report.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    print(f"{len(QUERIES)} queries; targets at 150,000 passages: build ≤ 120 s, p95 with facets and highlights "
          f"≤ 100 ms, CLI cold ≤ 1.0 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
