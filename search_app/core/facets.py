"""Filters and facets: which rows a filter keeps, and exact counts of every facet value over a result set.

Counts are ``np.bincount`` over the facet columns of the rows, so they are exact over the whole result
however large, and cost milliseconds.
"""
from __future__ import annotations

import numpy as np

from indexer.arrays import distinct
from indexer.facets import FACET_BY_NAME, FACET_NAMES, FACETS
from indexer.index.reader import Index
from indexer.settings import SETTINGS
from search_app.core import deadline
from search_app.core.query import ParsedQuery, QueryError, parse_year_range


def merge_filters(parsed: ParsedQuery, filters: dict[str, list[str]], year: str | None) \
        -> tuple[dict[str, list[str]], tuple[int, int] | None]:
    """The filters of a search: those written in the query and those given beside it (facet name → values,
    and a year or range such as 2019-2023), values of one facet ORed, the year ranges intersected."""
    merged = {k: list(v) for k, v in parsed.filters.items()}
    for name, values in filters.items():
        if name not in FACET_NAMES:
            raise QueryError(f"没有 {name!r} 这个筛选条件")
        merged.setdefault(name, []).extend(v for v in values if v)
    year_range = parsed.year_range
    if year:
        lo, hi = parse_year_range(year)
        if year_range:
            lo, hi = max(lo, year_range[0]), min(hi, year_range[1])
        year_range = (lo, hi)
    return merged, year_range


def filter_mask(ix: Index, rows: np.ndarray, filters: dict[str, list[str]],
                year_range: tuple[int, int] | None) -> np.ndarray:
    """The rows (sorted) that every filter keeps."""
    keep = np.ones(len(rows), dtype=bool)
    for name, values in filters.items():
        if not values:
            continue
        table = ix.side.facet_values(name)
        codes = [table.index(v) for v in set(values) if v in table]
        keep &= np.isin(np.asarray(ix.side[f"fac_{name}"])[rows], codes)
    if year_range:
        years = np.asarray(ix.side["year"])[rows]
        keep &= (years >= year_range[0]) & (years <= year_range[1])
    return rows[keep]


def _facet(ix: Index, name: str, rows: np.ndarray, selected: list[str], size: int,
           per_report: np.ndarray | None = None) -> list[dict]:
    """Exact counts of one facet's values over ``rows``, largest first; selected values are always listed.

    :param per_report: the rows' count per report (``_per_report``), when the caller has it already.
    """
    table = ix.side.facet_values(name)
    if FACET_BY_NAME[name].per_passage:
        counts = np.bincount(np.asarray(ix.side[f"fac_{name}"])[rows], minlength=len(table))
    else:
        per_report = _per_report(ix, rows) if per_report is None else per_report
        counts = np.bincount(ix.side.per_report(f"fac_{name}"), weights=per_report, minlength=len(table))
        counts = counts.astype(np.int64)
    held = np.flatnonzero(counts)            # the table is sorted, so its index orders equal counts by value
    order = held[np.lexsort((held, -counts[held]))][:size].tolist()
    listed = [{"value": table[i] or None, "count": int(counts[i])} for i in order]
    for v in selected:
        if not any(item["value"] == v for item in listed):
            i = table.index(v) if v in table else None
            listed.append({"value": v, "count": int(counts[i]) if i is not None else 0})
    return listed


def _per_report(ix: Index, rows: np.ndarray) -> np.ndarray:
    """How many of ``rows`` each report holds: what a report says of itself (its region, level, year …) is
    counted once per report and weighted by this, instead of being read again for each of its passages."""
    return np.bincount(np.asarray(ix.side["doc"])[rows], minlength=len(ix.side.doc_ids)).astype(np.float64)


def facet_counts(ix: Index, rows: np.ndarray, selected: dict[str, list[str]], size: int = SETTINGS.facet_size,
                 late: list[str] | None = None) -> dict[str, list[dict]]:
    """Exact counts of every facet value over ``rows``; selected values are always listed. Past the request's
    deadline a facet not yet counted is left empty and named in ``late``."""
    out = {}
    per_report = _per_report(ix, rows)
    for f in FACETS:
        out[f.name] = _facet(ix, f.name, rows, selected.get(f.name, []), size, per_report) \
            if _in_time(late, f.name) else []
    out["year"] = _year_facet(ix, rows, per_report) if _in_time(late, "year") else []
    return out


def _in_time(late: list[str] | None, name: str) -> bool:
    """False, with ``name`` noted in ``late``, when ``late`` is given and the request's deadline has passed."""
    if late is not None and deadline.expired():
        late.append(name)
        return False
    return True


def _year_facet(ix: Index, rows: np.ndarray, per_report: np.ndarray | None = None) -> list[dict]:
    """Exact counts per year over ``rows``, newest first (None: no year known)."""
    per_report = _per_report(ix, rows) if per_report is None else per_report
    counts = np.bincount(ix.side.per_report("year"), weights=per_report).astype(np.int64)
    return [{"value": int(y) or None, "count": int(counts[y])} for y in np.flatnonzero(counts)[::-1].tolist()]


def facets_or(ix: Index, query_rows: np.ndarray, filters: dict[str, list[str]],
              year_range: tuple[int, int] | None, size: int = SETTINGS.facet_size,
              late: list[str] | None = None) -> dict[str, list[dict]]:
    """For each facet with a selected value, its counts over the results of every *other* filter (the year
    too, when a year range is set).

    ``facets`` counts the result set itself, where a filtered facet shows only its selected values; these
    counts say what ticking one more value would add (values of one facet are OR-ed), so the sidebar can
    offer them. A selected value's count here equals its count in ``facets``. Past the deadline, as there.
    """
    out = {}
    for name, values in filters.items():
        if values and name in FACET_NAMES:
            others = {k: v for k, v in filters.items() if k != name}
            out[name] = _facet(ix, name, filter_mask(ix, query_rows, others, year_range), values, size) \
                if _in_time(late, name) else []
    if year_range:
        out["year"] = _year_facet(ix, filter_mask(ix, query_rows, filters, None)) if _in_time(late, "year") else []
    return out


def region_provinces(ix: Index) -> dict[str, str | None]:
    """Each region value's province as the index stores them together (None for 全国 and for a name stored
    with several provinces), so the region facet can be nested under the province facet. Once per generation."""
    if "region_provinces" not in ix.memo:
        ix.memo["region_provinces"] = _pair_regions_with_provinces(ix)
    return ix.memo["region_provinces"]


def _pair_regions_with_provinces(ix: Index) -> dict[str, str | None]:
    regions, provinces = ix.side.facet_values("region"), ix.side.facet_values("province")
    live = ix.all_rows
    pairs = distinct(np.asarray(ix.side["fac_region"])[live].astype(np.int64) * len(provinces)
                     + np.asarray(ix.side["fac_province"])[live])
    seen: dict[str, set[str]] = {}
    for code in pairs.tolist():
        r, p = divmod(code, len(provinces))
        seen.setdefault(regions[r], set()).add(provinces[p])
    return {name: (next(iter(ps)) or None) if len(ps) == 1 else None for name, ps in seen.items() if name}
