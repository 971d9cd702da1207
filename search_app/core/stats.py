"""Counts per group (year × province …) of the passages and reports matching a query, normalised by the
reports the index holds per group; and the trend series the trends and comparison pages draw from them."""
from __future__ import annotations

import math
import time

import numpy as np

from indexer.divisions import short_name
from indexer.facets import FACET_NAMES
from indexer.index.reader import Index
from indexer.index.sidecar import DOC_META
from search_app.core.facets import counties_held, filter_mask
from search_app.core.query import ParsedQuery, QueryError
from search_app.core.search import Params, describe, query_rows

STAT_DIMENSIONS = ("year", *FACET_NAMES)
STAT_FIELDS = ("passages", "reports", "reports_held", "share_of_reports", "passages_per_report")   # per group
HELD_CACHE = 64         # (dimensions, filters) whose reports held per group are kept per generation


def _dimension(ix: Index, name: str) -> tuple[np.ndarray, list | None, int]:
    """A dimension's column (codes, or the year), its values (None for the year), and a bound above the column's
    live values: read from the tables and the reports, never from a pass over every row."""
    if name == "year":
        return np.asarray(ix.side["year"]), None, int(ix.side.per_report("year").max(initial=0)) + 1
    table = ix.side.facet_values(name)
    return np.asarray(ix.side[f"fac_{name}"]), table, max(1, len(table))


Matched = tuple[ParsedQuery | None, np.ndarray, dict, tuple | None]


def matched_rows(ix: Index, params: Params) -> Matched:
    """What ``stats`` counts: the parsed query (None when nothing is asked), its rows under its filters (every
    row when nothing is asked), and those filters. A caller counting the same rows twice reads them once."""
    if params.q.strip() or any(params.filters.values()) or params.year:
        parsed, rows_before, filters, year_range = query_rows(ix, params)
        return parsed, filter_mask(ix, rows_before, filters, year_range), filters, year_range
    return None, ix.all_rows, {}, None


def stats(ix: Index, params: Params, by: list[str], matched: Matched | None = None) -> dict:
    """Matching passages and reports per group (year × province …), normalised by the reports held per group;
    ``matched``: the ``matched_rows`` of ``params`` when the caller has them.

    ``reports_held`` is how many reports of that group the index holds under the same filters (those of the
    query and the parameters, without its words), so a gap in coverage shows as a small denominator rather
    than as a drop in the trend, and a share under level:county is of the county reports held.
    """
    t0 = time.perf_counter()
    if not by or any(d not in STAT_DIMENSIONS for d in by):
        raise QueryError(f"统计维度只能是 {'、'.join(STAT_DIMENSIONS)} 中的一个或几个")
    parsed, rows, filters, year_range = matched or matched_rows(ix, params)
    columns = [_dimension(ix, d) for d in by]
    radices = [bound for _, _, bound in columns]
    report_groups, docs = ix.report_groups(), np.asarray(ix.side["doc"])

    def doc(selected: np.ndarray) -> np.ndarray:
        """The report of each of ``selected`` rows, a report's versions as one."""
        return report_groups[docs[selected]].astype(np.int64)
    n_docs = max(1, len(ix.side.doc_ids))
    if math.prod(radices) * n_docs >= 2 ** 63:
        raise QueryError("统计维度的组合太多，请少选一个维度")

    def decode(keys: np.ndarray) -> list[tuple]:
        parts = []
        for r in reversed(radices):
            keys, v = np.divmod(keys, r)
            parts.append(v.tolist())
        return list(zip(*reversed(parts)))

    def groups(selected: np.ndarray) -> tuple[dict, dict]:
        """Passages and reports per group of ``selected`` rows, each group's values packed into one int64 (a
        1-D unique is many times faster than one over rows of several columns)."""
        if not len(selected):
            return {}, {}
        key = np.zeros(len(selected), dtype=np.int64)
        for (col, _, _), r in zip(columns, radices):
            key *= r
            key += col[selected]
        found, n = np.unique(key, return_counts=True)
        passages = dict(zip(decode(found), n.tolist()))
        found, n = np.unique(np.unique(key * n_docs + doc(selected)) // n_docs, return_counts=True)
        return passages, dict(zip(decode(found), n.tolist()))

    passages, reports = groups(rows)
    # the same for every query under these filters, and seconds over a national index's rows: kept per generation
    cache = ix.cache("reports held", HELD_CACHE)
    scope = (tuple(by), repr(sorted((k, v) for k, v in filters.items() if v)), year_range)
    held = cache.get(scope)
    if held is None:
        held = cache.put(scope, groups(filter_mask(ix, ix.all_rows, filters, year_range))[1])
    out_rows = []
    for key in sorted(held):
        entry = {}
        for d, (_, table, _), v in zip(by, columns, key):
            entry[d] = (v or None) if table is None else (table[v] or None)
        entry.update({"passages": passages.get(key, 0), "reports": reports.get(key, 0), "reports_held": held[key]})
        out_rows.append(with_ratios(entry))
    return {"query": params.q, "by": by, "total": int(len(rows)),
            "reports": int(len(np.unique(doc(rows)))) if len(rows) else 0, "rows": out_rows,
            "parsed": describe(ix, parsed) if parsed else None,
            "took_ms": round((time.perf_counter() - t0) * 1000, 2)}


def with_ratios(entry: dict) -> dict:
    """The entry with its shares of the reports held (``share_of_reports``, ``passages_per_report``)."""
    n_held = entry["reports_held"]
    return {**entry, "share_of_reports": round(entry["reports"] / n_held, 4) if n_held else 0.0,
            "passages_per_report": round(entry["passages"] / n_held, 4) if n_held else 0.0}


def with_counties(grouped: dict[str, list[dict]], counties: dict[str, tuple[str, ...]]) -> dict[str, list[dict]]:
    """Per region, its rows by year with a city's counties and districts added in: what the region filter
    keeps (``facets.counties_held``), so that a city's row counts what a search for that city finds. A report
    has one region, so the counts of a city and of its counties add up."""
    out = dict(grouped)
    for city, rows in grouped.items():
        if not counties.get(city):
            continue
        per_year: dict = {}
        for r in rows + [r for c in counties[city] for r in grouped.get(c, [])]:
            s = per_year.setdefault(r["year"], {"region": city, "year": r["year"], "passages": 0, "reports": 0,
                                                "reports_held": 0})
            for k in STAT_FIELDS[:3]:
                s[k] += r[k]
        out[city] = [with_ratios(per_year[y]) for y in sorted(per_year, key=lambda y: y or 0)]
    return out


GAP_ROW = {**dict.fromkeys(STAT_FIELDS[:3], 0), **dict.fromkeys(STAT_FIELDS[3:])}   # ratios of nothing held: None


def year_span(rows: list[dict]) -> list[int]:
    """Every year from the first of ``rows`` (each with a ``year``; 0 or None, undated, left out) to the last,
    those that hold nothing too: the years of a series, where a gap in coverage shows as a gap."""
    held = [r["year"] for r in rows if r["year"]]
    return list(range(min(held), max(held) + 1)) if held else []


def by_year(rows: list[dict], years: list[int]) -> list[dict]:
    """One entry per year of ``years``; a year with no report held is a gap (``gap``, ratios None)."""
    have = {r["year"]: r for r in rows if r["year"]}
    return [{**(have.get(y) or {**GAP_ROW, "year": y}), "gap": y not in have} for y in years]


def trends(ix: Index, params: Params, by: str) -> dict:
    """Per year from the first report held to the last (gaps included), hits and reports normalised by the
    reports held; and the same per group of ``by`` (province, region …), groups with most reports first; a
    city's group takes in its counties and districts, as its filter does (``with_counties``).

    The year totals are a stats call of their own: they cannot be summed from the groups when ``by`` is the
    section, since one report spans many sections.
    """
    if by not in FACET_NAMES:
        raise QueryError(f"对比维度只能是 {'、'.join(FACET_NAMES)} 之一")
    matched = matched_rows(ix, params)          # both calls count the same rows
    year_stats = stats(ix, params, ["year"], matched)
    years = year_span(year_stats["rows"])
    undated = next((r for r in year_stats["rows"] if not r["year"]), None)
    grouped: dict = {}
    for r in stats(ix, params, [by, "year"], matched)["rows"]:
        grouped.setdefault(r[by], []).append(r)
    if by == "region":
        grouped = with_counties(grouped, counties_held(ix))
    groups = [{"name": name, "reports": sum(r["reports"] for r in rows), "years": by_year(rows, years)}
              for name, rows in grouped.items()]
    groups.sort(key=lambda gr: (gr["name"] is None, -gr["reports"], str(gr["name"])))   # unnamed last
    return {"query": params.q, "by": by, "total": year_stats["total"], "reports": year_stats["reports"],
            "undated": {k: undated[k] for k in ("passages", "reports", "reports_held")} if undated else None,
            "years": by_year(year_stats["rows"], years), "groups": groups, "parsed": year_stats["parsed"]}


# China's 34 provincial units as a tile grid (name, column, row): each tile a square, placed roughly where the
# province lies and touching most of its neighbours; with 全国 for the national congress in the empty corner.
# The one definition of the home page's map: the page draws it, /api/home carries it.
NATIONAL_TILE = ("全国", 0, 0)
PROVINCE_TILES = (
    ("黑龙江省", 6, 0),
    ("内蒙古自治区", 3, 1), ("北京市", 4, 1), ("辽宁省", 5, 1), ("吉林省", 6, 1),
    ("新疆维吾尔自治区", 0, 2), ("甘肃省", 1, 2), ("宁夏回族自治区", 2, 2), ("山西省", 3, 2), ("河北省", 4, 2),
    ("天津市", 5, 2),
    ("西藏自治区", 0, 3), ("青海省", 1, 3), ("陕西省", 2, 3), ("河南省", 3, 3), ("山东省", 4, 3),
    ("四川省", 1, 4), ("重庆市", 2, 4), ("湖北省", 3, 4), ("安徽省", 4, 4), ("江苏省", 5, 4), ("上海市", 6, 4),
    ("云南省", 1, 5), ("贵州省", 2, 5), ("湖南省", 3, 5), ("江西省", 4, 5), ("浙江省", 5, 5),
    ("广西壮族自治区", 2, 6), ("广东省", 3, 6), ("福建省", 4, 6), ("台湾省", 5, 6),
    ("海南省", 2, 7), ("澳门特别行政区", 3, 7), ("香港特别行政区", 4, 7),
)


def tile_name(province: str | None, level: str | None) -> str | None:
    """The tile of a report: its province's, or 全国 for the national congress's; None for a report of no known
    province (counted apart, as ``unplaced``)."""
    return NATIONAL_TILE[0] if level == "national" and not province else province or None


LATEST_REPORTS = 8
REPORT_FIELDS = ("title", "body", "region", "province", "level", "year", "doc_type")   # of a latest report


def coverage(ix: Index) -> dict:
    """Reports held per provincial unit × year, laid out on the tile grid (``PROVINCE_TILES``), with 全国 (the
    national congress) as a tile of its own; reports of no known province are counted apart (``unplaced``).

    Counted as the trends count reports held (``stats``): a report's versions once. ``held`` of a tile, and
    ``per_year`` of all reports, is one count per year of ``years``, the index's first year to its last. Worked
    out once per opened commit: the home page asks for it on every visit.
    """
    if "coverage" not in ix.memo:
        ix.memo["coverage"] = _coverage(ix)
    return ix.memo["coverage"]


def _coverage(ix: Index) -> dict:
    rows = stats(ix, Params(), ["province", "level", "year"])["rows"]
    years = year_span(rows)
    tiles = {name: {"name": name, "short": short_name(name), "col": col, "row": row, "reports": 0,
                    "undated": 0, "held": [0] * len(years)}
             for name, col, row in (NATIONAL_TILE, *PROVINCE_TILES)}
    unplaced, per_year = 0, [0] * len(years)
    for r in rows:
        if r["year"]:
            per_year[r["year"] - years[0]] += r["reports_held"]
        tile = tiles.get(tile_name(r["province"], r["level"]))
        if tile is None:
            unplaced += r["reports_held"]
            continue
        tile["reports"] += r["reports_held"]
        if r["year"]:
            tile["held"][r["year"] - years[0]] += r["reports_held"]
        else:
            tile["undated"] += r["reports_held"]
    return {"reports": sum(t["reports"] for t in tiles.values()) + unplaced, "passages": int(ix.n), "years": years,
            "per_year": per_year, "tiles": list(tiles.values()), "unplaced": unplaced,
            "grid": {"columns": 1 + max(col for _, col, _ in PROVINCE_TILES),
                     "rows": 1 + max(row for _, _, row in PROVINCE_TILES)}}


def latest_reports(ix: Index, n: int = LATEST_REPORTS) -> list[dict]:
    """The ``n`` reports indexed last, newest first, a report's versions once.

    The index records no time of indexing; its order is that of indexing: a change appends its segments to the
    commit and a segment holds its reports in the order they were written (a merge keeps its segments' place),
    so the reports numbered last are the ones added last. Worked out once per opened commit, as ``coverage``.
    """
    if ("latest reports", n) not in ix.memo:
        ix.memo["latest reports", n] = _latest_reports(ix, n)
    return ix.memo["latest reports", n]


def _latest_reports(ix: Index, n: int) -> list[dict]:
    live = np.unique(np.asarray(ix.side["doc"])[ix.all_rows]) if ix.n else np.zeros(0, dtype=np.int64)
    groups, seen, out = ix.report_groups(), set(), []
    for d in live[::-1].tolist():
        if int(groups[d]) in seen:
            continue
        seen.add(int(groups[d]))
        meta = dict(zip(DOC_META, ix.side.doc_meta[d]))
        out.append({"doc_id": ix.side.doc_ids[d], **{k: meta[k] or None for k in REPORT_FIELDS}})
        if len(out) == n:
            break
    return out
