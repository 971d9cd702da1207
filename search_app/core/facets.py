"""Filters and facets: what a filter value means, which rows a filter keeps, and exact counts of every facet
value over a result set.

A value is read the same wherever it is given (the query language, the pages' parameters, the CLI's options):
``resolve`` turns short names and labels into the stored values, and ``UNSTATED`` keeps the reports whose
value is not known. A city keeps its own reports and those of its counties and districts, and its count
in the region facet is what that filter returns.

Counts are ``np.bincount`` over the facet columns of the rows, so they are exact over the whole result
however large, and cost milliseconds.
"""
from __future__ import annotations

import numpy as np

from indexer import divisions
from indexer.arrays import distinct
from indexer.facets import FACET_BY_NAME, FACET_NAMES, FACETS, UNSTATED
from indexer.index.reader import Index
from indexer.settings import SETTINGS
from search_app.core import deadline
from search_app.core.query import ParsedQuery, QueryError, parse_year_range

_UNSTATED_SPELLINGS = {UNSTATED, "(未标明)", "未标明"}


def resolve(name: str, value: str) -> str:
    """A filter value as the index stores it: 县级, 县 and county → county; 其他文件 → other; 浙江 → 浙江省,
    内蒙古 → 内蒙古自治区 (a province's usual short name); 湖州 → 湖州市 (a region's short name, when the
    gazetteer gives it to one name only); （未标明） for an unknown value. Anything else in an open facet is
    kept as written and matches nothing it does not equal.

    :raises QueryError: for a word a closed facet (层级, 文种) does not know, naming the values it takes.
    """
    value = value.strip()
    facet = FACET_BY_NAME[name]
    if value in _UNSTATED_SPELLINGS:
        return UNSTATED
    if facet.values:
        code = facet.code(value)
        if code is None:
            raise QueryError(f"{facet.label}只能是 {'、'.join(f'{label}（{v}）' for v, label in facet.values.items())}"
                             f" 之一，而不是 {value!r}")
        return code
    if name not in ("region", "province") or value in divisions.by_name():
        return value
    named = {d.name for d in divisions.by_short_name().get(value, []) if name == "region" or d.level == "provincial"}
    return named.pop() if len(named) == 1 else value


def resolve_filters(filters: dict[str, list[str]]) -> dict[str, list[str]]:
    """Every value of ``filters`` (facet name → values) resolved, each once, in the order given."""
    out = {}
    for name, values in filters.items():
        if name not in FACET_NAMES:
            raise QueryError(f"没有 {name!r} 这个筛选条件")
        out[name] = list(dict.fromkeys(resolve(name, v) for v in values if v and v.strip()))
    return out


def merge_filters(parsed: ParsedQuery, filters: dict[str, list[str]], year: str | None) \
        -> tuple[dict[str, list[str]], tuple[int, int] | None]:
    """The filters of a search: those written in the query and those given beside it (facet name → values,
    and a year or range such as 2019-2023), values of one facet ORed, the year ranges intersected. Every
    value is resolved (``resolve``), those of the query in ``parsed.filters`` too, so that how the query was
    understood shows the values searched for."""
    parsed.filters = resolve_filters(parsed.filters)
    merged = {k: list(v) for k, v in parsed.filters.items()}
    for name, values in resolve_filters(filters).items():
        merged[name] = list(dict.fromkeys(merged.get(name, []) + values))
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
        kept = {"" if v == UNSTATED else v for v in values}
        if name == "region":
            kept |= {r for v in values for r in counties_held(ix).get(v, ())}
        codes = [table.index(v) for v in kept if v in table]
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
    found = {table[i] or None: int(counts[i]) for i in np.flatnonzero(counts).tolist()}
    cities = counties_held(ix) if name == "region" else {}
    if cities:
        found = with_cities(cities, found)
    # most first; at equal counts a city before its counties (it holds them), then by value (None last)
    order = sorted(found, key=lambda v: (-found[v], v not in cities, v is None, v or ""))[:size]
    listed = [{"value": v, "count": found[v]} for v in order]
    for v in selected:
        v = None if v == UNSTATED else v
        if not any(item["value"] == v for item in listed):
            listed.append({"value": v, "count": found.get(v, 0)})
    return listed


def counties_held(ix: Index) -> dict[str, tuple[str, ...]]:
    """Each city (prefecture) → the region values the index holds under it (its counties and districts, by
    ``divisions.parent_city``): the regions its filter keeps beside its own. Once per generation."""
    if "counties_held" not in ix.memo:
        out: dict[str, list[str]] = {}
        for region, province in region_provinces(ix).items():
            if (city := divisions.parent_city(region, province)):
                out.setdefault(city, []).append(region)
        ix.memo["counties_held"] = {city: tuple(sorted(rs)) for city, rs in out.items()}
    return ix.memo["counties_held"]


def with_cities(cities: dict[str, tuple[str, ...]], counts: dict) -> dict:
    """Region → count with each city's counties and districts (``cities``: ``counties_held``) added into its own
    count, as its filter keeps them; a city is listed when it or one of them counts anything."""
    out = dict(counts)
    for city, counties in cities.items():
        if (n := sum(counts.get(c, 0) for c in (city, *counties))):
            out[city] = n
    return out


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
