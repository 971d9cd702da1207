"""Counts per group (year × province …) of the passages and reports matching a query, normalised by the
reports the index holds per group; and the trend series the trends and comparison pages draw from them."""
from __future__ import annotations

import time

import numpy as np

from indexer.facets import FACET_NAMES
from indexer.index.reader import Index
from search_app.core.facets import filter_mask
from search_app.core.query import QueryError
from search_app.core.search import Params, describe, query_rows

STAT_DIMENSIONS = ("year", *FACET_NAMES)
STAT_FIELDS = ("passages", "reports", "reports_held", "share_of_reports", "passages_per_report")   # per group


def _dimension(ix: Index, name: str) -> tuple[np.ndarray, list]:
    if name == "year":
        years = np.asarray(ix.side["year"]).astype(np.int64)
        return years, None
    return np.asarray(ix.side[f"fac_{name}"]).astype(np.int64), ix.side.facet_values(name)


def stats(ix: Index, params: Params, by: list[str]) -> dict:
    """Matching passages and reports per group (year × province …), normalised by the reports held per group.

    ``reports_held`` is how many reports of that group the index holds under the same filters (those of the
    query and the parameters, without its words), so a gap in coverage shows as a small denominator rather
    than as a drop in the trend, and a share under level:county is of the county reports held.
    """
    t0 = time.perf_counter()
    if not by or any(d not in STAT_DIMENSIONS for d in by):
        raise QueryError(f"统计维度只能是 {'、'.join(STAT_DIMENSIONS)} 中的一个或几个")
    if params.q.strip() or any(params.filters.values()) or params.year:
        parsed, rows_before, filters, year_range = query_rows(ix, params)
        rows = filter_mask(ix, rows_before, filters, year_range)
        held_rows = filter_mask(ix, ix.all_rows, filters, year_range)
    else:
        parsed, rows, held_rows = None, ix.all_rows, ix.all_rows
    columns = [_dimension(ix, d) for d in by]
    doc = ix.report_groups()[np.asarray(ix.side["doc"]).astype(np.int64)]      # a report's versions count once

    def groups(selected: np.ndarray):
        keys = np.stack([col[selected] for col, _ in columns] + [doc[selected]], axis=1) if len(selected) \
            else np.zeros((0, len(by) + 1), dtype=np.int64)
        passages = {}
        for k, n in zip(*np.unique(keys[:, :-1], axis=0, return_counts=True)) if len(keys) else []:
            passages[tuple(k.tolist())] = int(n)
        reports = {}
        for k in (np.unique(keys, axis=0)[:, :-1] if len(keys) else []):
            t = tuple(k.tolist())
            reports[t] = reports.get(t, 0) + 1
        return passages, reports

    passages, reports = groups(rows)
    _, held = groups(held_rows)
    out_rows = []
    for key in sorted(held):
        entry = {}
        for d, (_, table), v in zip(by, columns, key):
            entry[d] = (v or None) if table is None else (table[v] or None)
        n_rep, n_held = reports.get(key, 0), held[key]
        entry.update({"passages": passages.get(key, 0), "reports": n_rep, "reports_held": n_held,
                      "share_of_reports": round(n_rep / n_held, 4) if n_held else 0.0,
                      "passages_per_report": round(passages.get(key, 0) / n_held, 4) if n_held else 0.0})
        out_rows.append(entry)
    return {"query": params.q, "by": by, "total": int(len(rows)),
            "reports": int(len(np.unique(doc[rows]))) if len(rows) else 0, "rows": out_rows,
            "parsed": describe(ix, parsed) if parsed else None,
            "took_ms": round((time.perf_counter() - t0) * 1000, 2)}


GAP_ROW = {**dict.fromkeys(STAT_FIELDS[:3], 0), **dict.fromkeys(STAT_FIELDS[3:])}   # ratios of nothing held: None


def by_year(rows: list[dict], years: list[int]) -> list[dict]:
    """One entry per year of ``years``; a year with no report held is a gap (``gap``, ratios None)."""
    have = {r["year"]: r for r in rows if r["year"]}
    return [{**(have.get(y) or {**GAP_ROW, "year": y}), "gap": y not in have} for y in years]


def trends(ix: Index, params: Params, by: str) -> dict:
    """Per year from the first report held to the last (gaps included), hits and reports normalised by the
    reports held; and the same per group of ``by`` (province, region …), groups with most reports first.

    The year totals are a stats call of their own: they cannot be summed from the groups when ``by`` is the
    section, since one report spans many sections.
    """
    if by not in FACET_NAMES:
        raise QueryError(f"对比维度只能是 {'、'.join(FACET_NAMES)} 之一")
    year_stats = stats(ix, params, ["year"])
    held_years = [r["year"] for r in year_stats["rows"] if r["year"]]
    years = list(range(min(held_years), max(held_years) + 1)) if held_years else []
    undated = next((r for r in year_stats["rows"] if not r["year"]), None)
    grouped: dict = {}
    for r in stats(ix, params, [by, "year"])["rows"]:
        grouped.setdefault(r[by], []).append(r)
    groups = [{"name": name, "reports": sum(r["reports"] for r in rows), "years": by_year(rows, years)}
              for name, rows in grouped.items()]
    groups.sort(key=lambda gr: (gr["name"] is None, -gr["reports"], str(gr["name"])))   # unnamed last
    return {"query": params.q, "by": by, "total": year_stats["total"], "reports": year_stats["reports"],
            "undated": {k: undated[k] for k in ("passages", "reports", "reports_held")} if undated else None,
            "years": by_year(year_stats["rows"], years), "groups": groups, "parsed": year_stats["parsed"]}
