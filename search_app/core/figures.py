"""The work-figures table (履职数据): every figure the reports of an index state (召开常委会会议10次, read at
ingest by ``understand.figures``), with its report's region, year and type, filtered as a search filters
reports, and as a region × year table per metric.

The table is built once per index generation (``Index.memo``) from each segment's figures file, written beside
its documents at build time (``store.FIGURES_FILE``): a few small files, where reading 30,000 reports' records
would take many seconds. A figure keeps the row of the passage that states it, so the usual filters
(``facets.filter_mask``, the section too) and a query's words select figures as they select passages. A
report and its other versions (its 摘要, its copies) state the same figures: only the version that states
most of them is counted.
"""
from __future__ import annotations

from collections import Counter

import numpy as np

from indexer.facets import FACET_NAMES, UNSTATED
from indexer.index.reader import Index
from indexer.index.sidecar import DOC_META
from indexer.metrics import metric_names, vocabulary
from search_app.core.facets import counties_held, filter_mask, merge_filters, with_cities
from search_app.core.query import QueryError
from search_app.core.search import Params, describe, parse_filters_only, query_rows
from search_app.core.stats import year_span

FIGURE_FIELDS = ("doc_id", "title", "body", "region", "province", "level", "year", "doc_type", "metric",
                 "metric_name", "value", "value_max", "unit", "approx", "text", "sentence", "passage_id")
REPORT_FIELDS = ("title", "body", "region", "province", "level", "year", "doc_type")
FACETED = ("region", "province", "level", "doc_type", "year")      # the page's facets, counted in reports


def _held(ix: Index) -> dict:
    """Every figure of the live reports with its passage's row, one version per report: built once per generation."""
    found = ix.memo.get("figures")
    if found is not None:
        return found
    groups = ix.report_groups()
    starts = ix.side.report_starts()
    best: dict[int, tuple[int, list]] = {}         # report group → (report number, its figures), most figures wins
    for part in ix.side.parts:
        stated = part.documents.figures()
        for i, doc_id in enumerate(part.doc_ids):
            if i in part.dead_docs or not stated.get(doc_id):
                continue
            d = part.first_doc + i
            g = int(groups[d])
            if g not in best or len(stated[doc_id]) > len(best[g][1]):
                best[g] = (d, stated[doc_id])
    records, rows = [], []
    for d, figures in sorted(best.values()):
        meta = dict(zip(DOC_META, ix.side.doc_meta[d]))
        report = {"doc_id": ix.side.doc_ids[d], **{k: meta.get(k) for k in REPORT_FIELDS}}
        for f in figures:
            records.append({**report, **f})
            rows.append(int(starts[d]) + int(f["ordinal"]))
    # in the order the page lists them (most recent year first), once per generation, not per request
    order = sorted(range(len(records)), key=lambda i: (-(records[i]["year"] or 0), records[i]["region"] or "",
                                                       records[i]["doc_id"], records[i]["ordinal"]))
    found = ix.memo["figures"] = {"records": [records[i] for i in order],
                                  "rows": np.asarray([rows[i] for i in order], dtype=np.int64)}
    return found


def figures(ix: Index, params: Params, metric: str | None = None, first_held: bool = False) -> dict:
    """The figures of the reports the filters keep (and, given words, of the passages that match them), of one
    metric or all: ``rows`` (most recent year first), the count per metric, facet counts in reports, and for one
    metric its region × year ``table``. With ``first_held`` and no metric, of the first metric that has figures
    here (a page that always shows one metric's table), chosen from the same counts.

    :raises QueryError: for a metric the vocabulary does not know, or a query or filter that cannot be read.
    """
    names = metric_names()
    if metric and metric not in names:
        raise QueryError(f"指标 metric 只能是 {'、'.join(names)} 之一，而不是 {metric!r}")
    held = _held(ix)
    records, rows = held["records"], held["rows"]
    parsed = None
    if params.q.strip():
        parsed, before, filters, year_range = query_rows(ix, params)
        kept = np.isin(rows, filter_mask(ix, before, filters, year_range))
    elif any(params.filters.values()) or params.year:
        parsed = parse_filters_only(params)
        filters, year_range = merge_filters(parsed, params.filters, params.year)
        kept = np.isin(rows, filter_mask(ix, np.unique(rows), filters, year_range))
    else:
        filters, kept = {}, np.ones(len(rows), dtype=bool)
    chosen = [records[i] for i in np.flatnonzero(kept).tolist()]
    per_metric = Counter(r["metric"] for r in chosen)
    if metric is None and first_held:
        metric = next((m.key for m in vocabulary() if per_metric.get(m.key)), None)
    shown = [r for r in chosen if not metric or r["metric"] == metric]       # in the held order
    return {"query": params.q, "metric": metric, "metric_name": names.get(metric) if metric else None,
            "metrics": [{"key": m.key, "name": m.name, "units": list(m.units), "count": per_metric.get(m.key, 0)}
                        for m in vocabulary()],
            "total": len(shown), "reports": len({r["doc_id"] for r in shown}),
            "rows": [row(r, names) for r in shown],
            "facets": facet_counts(ix, shown, filters),
            "table": region_year_table(shown) if metric else None,
            "parsed": describe(ix, parsed) if parsed else None}


def row(record: dict, names: dict[str, str]) -> dict:
    """A figure as the table's row (``FIGURE_FIELDS``)."""
    return {k: names.get(record["metric"]) if k == "metric_name" else record.get(k) for k in FIGURE_FIELDS}


def facet_counts(ix: Index, rows: list[dict], filters: dict[str, list[str]]) -> dict[str, list[dict]]:
    """Per facet, the reports with figures among ``rows`` per value, most first (a city counts with its counties,
    as its filter keeps them); a selected value is listed even with none."""
    out = {}
    reports = {r["doc_id"]: r for r in rows}.values()
    for name in FACETED:
        counts = Counter(r[name] for r in reports)
        if name == "region":
            counts = with_cities(counties_held(ix), counts)
        order = sorted(counts, key=lambda v: (v is None, -counts[v], str(v))) if name != "year" else \
            sorted(counts, key=lambda v: (v is None, -(v or 0)))
        listed = [{"value": v, "count": counts[v]} for v in order]
        for v in filters.get(name, []) if name in FACET_NAMES else []:
            if not any(item["value"] == v for item in listed):
                listed.append({"value": v, "count": 0})
        out[name] = listed
    return out


def region_year_table(rows: list[dict]) -> dict:
    """One metric's figures as regions × years: per region (by its reports' region, else the congress's name) and
    year, the distinct values stated, each with the report and passage of its first statement. ``years`` runs
    from the first year to the last, those with no figure too, so that a gap in coverage shows as a gap."""
    years = year_span(rows)
    groups: dict[str, dict] = {}
    for r in sorted(rows, key=lambda r: (r["doc_id"], r["ordinal"])):
        name = r["region"] or r["body"] or UNSTATED
        g = groups.setdefault(name, {"name": name, "province": r["province"], "level": r["level"], "cells": {}})
        values = g["cells"].setdefault(r["year"] or 0, [])
        same = (r["value"], r["value_max"], r["unit"], r["approx"])
        if not any((v["value"], v["value_max"], v["unit"], v["approx"]) == same for v in values):
            values.append({k: r[k] for k in ("value", "value_max", "unit", "approx", "doc_id", "passage_id",
                                             "sentence", "title")})
    out = []
    for g in sorted(groups.values(), key=lambda g: (-len(g["cells"]), g["name"])):
        out.append({"name": g["name"], "province": g["province"], "level": g["level"],
                    "years": [{"year": y, "values": g["cells"].get(y, [])} for y in years],
                    "undated": g["cells"].get(0, [])})
    return {"years": years, "regions": out}


def shown_value(v: dict) -> str:
    """A value as the pages and the readable CLI write it: 10次, 10–12次, 约20项 (二十余项, 95%以上), 97.9%."""
    def num(x) -> str:
        return f"{x:g}" if isinstance(x, float) else str(x)
    text = num(v["value"]) + (f"–{num(v['value_max'])}" if v.get("value_max") is not None else "")
    return ("约" if v.get("approx") else "") + text + v["unit"]
