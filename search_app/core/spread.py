"""How a wording spreads: the first reports that used a phrase, and the year it was first used in each
provincial unit (the tiles of ``stats``: 全国 for the national congress) and at each level, with, per year,
the share of the reports held that use it. A year with no report held is a gap (``stats.by_year``), never a
zero: the counts are those of ``stats``, normalised by the reports held under the same filters, a report's
versions counted once.

"First" is the earliest year. Every report of that year that uses the phrase is a first use and is counted
(``first_reports``); up to ``FIRSTS_LISTED`` of them are listed, the higher levels first (全国, 省级, 市级, 县级),
then in the order the index holds them, each by its first passage that uses the phrase (the first whose own
text holds it, where one does: a match in the headings before a passage belongs to that passage). The others
are the search of that year's reports. Reports of no known year are counted apart (``undated``).

The work is numpy over the query's rows, with a loop over the groups (tiles, levels), never over rows.
"""
from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from indexer.facets import LEVEL_LABELS, UNSTATED
from indexer.index.reader import Index
from indexer.normalize import fold
from indexer.settings import SETTINGS
from search_app.core import deadline
from search_app.core.citations import cite
from search_app.core.query import QueryError, parse
from search_app.core.records import Hit
from search_app.core.rewrite import exact
from search_app.core.search import Params, describe, highlight_needles, make_hit
from search_app.core.stats import (
    GAP_ROW,
    NATIONAL_TILE,
    PROVINCE_TILES,
    by_year,
    matched_rows,
    stats,
    tile_name,
    with_ratios,
    year_span,
)

FIRSTS_LISTED = 5           # reports listed with their passage per first use; the rest are counted
ROWS_LOOKED = 64            # a listed report's matching rows looked through for one holding the phrase itself
CONTEXT = 40                # characters of a first passage shown either side of the phrase
LEVELS = (*LEVEL_LABELS, None)      # national, provincial, city, county, and none stated: the order of a tie
TILES = (NATIONAL_TILE, *PROVINCE_TILES)
NEVER = np.iinfo(np.int64).max
# the rows of ``spread_rows``: one per group (the first use overall, each tile, the reports of no known
# province, each level), with its first listed report
SPREAD_FIELDS = ("kind", "name", "first_year", "first_reports", "reports", "reports_held", "share_of_reports",
                 "passage_id", "doc_id", "title")


def spread_query(q: str) -> str:
    """The query as a wording: every unquoted word quoted (``rewrite.exact``), so 备案审查 is found as written
    and never as 备案 and 审查 apart. :raises QueryError: when it holds no wording."""
    written = exact(q) if q.strip() else ""
    if not written or not parse(written).positive_texts():
        raise QueryError("请给出要看传播的措辞，如 备案审查")
    return written


def spread(ix: Index, params: Params) -> dict:
    """The first use of the query's wording overall, per tile and per level, and the share of the reports
    held that use it per year (see the module). :raises QueryError: for a query that cannot be run.

    Remembered per opened index, as a search is (``result_cache_entries``): the page, its JSON twin and its
    table ask for the same. Each caller gets its own hits, which the pages complete with their own addresses.
    """
    t0 = time.perf_counter()
    params = replace(params, q=spread_query(params.q), relax=False)
    cache = ix.cache("spread", SETTINGS.result_cache_entries)
    key = repr((params.q, params.filters, params.year))
    out = cache.get(key)
    if out is None:
        out = cache.put(key, _spread(ix, params))

    def own(g: dict | None) -> dict | None:
        return g and {**g, "firsts": [replace(h) for h in g["firsts"]]}
    return {**out, "first": own(out["first"]), "tiles": [own(t) for t in out["tiles"]],
            "unplaced": own(out["unplaced"]), "levels": [own(g) for g in out["levels"]],
            "took_ms": round((time.perf_counter() - t0) * 1000, 2)}


def _spread(ix: Index, params: Params) -> dict:
    matched = matched_rows(ix, params)
    parsed, rows = matched[:2]
    counts = stats(ix, params, ["province", "level", "year"], matched)["rows"]
    years = year_span(counts)

    side = ix.side
    year = np.asarray(side["year"])[rows].astype(np.int64)
    group = ix.report_groups()[np.asarray(side["doc"])[rows].astype(np.int64)]
    province_codes, level_codes = np.asarray(side["fac_province"])[rows], np.asarray(side["fac_level"])[rows]
    provinces, levels = side.facet_values("province"), side.facet_values("level")
    tile_of = {name: i for i, (name, _, _) in enumerate(TILES)}
    # per (province, level) value pair, its tile and the rank of its level: tables of the values, not the rows
    tile_table = np.array([[tile_of.get(tile_name(p or None, lv or None), -1) for lv in levels] for p in provinces],
                          dtype=np.int64).reshape(len(provinces), len(levels))
    level_rank = np.array([LEVELS.index(lv or None) for lv in levels], dtype=np.int64)
    tiles, ranks = tile_table[province_codes, level_codes], level_rank[level_codes]

    found = _Found(ix, rows, year, group, ranks, parsed)
    blank = {"years": by_year([], years), "passages": 0, "reports": 0, "reports_held": 0}    # nothing held: gaps
    totals = _series(counts, years, lambda r: 0).get(0, blank)
    tile_series = _series(counts, years, lambda r: tile_of.get(tile_name(r["province"], r["level"]), -1))
    level_series = _series(counts, years, lambda r: LEVELS.index(r["level"]))
    overall = found.firsts(np.zeros(len(rows), dtype=np.int64), 1)[0]
    tile_firsts = found.firsts(tiles, len(TILES) + 1)          # the last key: reports of no known province
    level_firsts = found.firsts(ranks, len(LEVELS))
    out_tiles = [{"name": name, "col": col, "row": row, **_group(tile_series.get(i, blank), tile_firsts[i])}
                 for i, (name, col, row) in enumerate(TILES)]
    unplaced = _group(tile_series.get(-1, blank), tile_firsts[-1])
    out_levels = [{"level": lv, **_group(level_series.get(i, blank), level_firsts[i])} for i, lv in enumerate(LEVELS)]
    out_levels = [g for g in out_levels if g["level"] or g["reports_held"]]      # none stated: only when held
    cite(ix, list(found.made.values()))
    timeline = [{**y, "first": bool(overall and y["year"] == overall["first_year"]),
                 "tiles": [t["name"] for t in out_tiles if t["first_year"] == y["year"]],
                 "levels": [g["level"] for g in out_levels if g["first_year"] == y["year"]]}
                for y in totals["years"]]
    undated = [r for r in counts if not r["year"]]
    return {"query": params.q, "phrases": list(found.phrases), "total": int(len(rows)),
            **with_ratios({"passages": int(len(rows)), "reports": int(len(np.unique(group))),
                           "reports_held": totals["reports_held"]}),
            "years": years, "first": overall, "timeline": timeline, "tiles": out_tiles,
            "unplaced": unplaced if unplaced["reports_held"] else None, "levels": out_levels,
            "undated": {k: sum(r[k] for r in undated) for k in ("passages", "reports", "reports_held")}
            if undated else None,
            "parsed": describe(ix, parsed)}


def _series(counts: list[dict], years: list[int], key) -> dict:
    """Per key of ``key(row)``, its rows of ``stats`` summed per year: each year of ``years`` (a gap where it
    holds no report) and its totals, undated reports included."""
    per: dict = {}
    for r in counts:
        entry = per.setdefault(key(r), {}).setdefault(r["year"], {**GAP_ROW, "year": r["year"]})
        for k in ("passages", "reports", "reports_held"):
            entry[k] += r[k]
    return {k: {"years": by_year([with_ratios(e) for e in by_year_entry.values()], years),
                **{n: sum(e[n] for e in by_year_entry.values()) for n in ("passages", "reports", "reports_held")}}
            for k, by_year_entry in per.items()}


NEVER_USED = {"first_year": None, "first_reports": 0, "firsts": []}


def _group(series: dict, first: dict | None) -> dict:
    """A tile's or a level's entry: its first use (``NEVER_USED`` if none), its totals with their share of the
    reports held, and the same per year."""
    return {**(first or NEVER_USED), **with_ratios({k: series[k] for k in ("passages", "reports", "reports_held")}),
            "years": series["years"]}


class _Found:
    """The query's rows with their year, report and level rank, and the first uses among them per key."""

    def __init__(self, ix: Index, rows: np.ndarray, year: np.ndarray, group: np.ndarray, ranks: np.ndarray, parsed):
        self.ix, self.rows, self.year, self.group, self.ranks = ix, rows, year, group, ranks
        self.needles = highlight_needles(ix, parsed)
        self.phrases = tuple(text for kind, text in parsed.positive_texts() if kind == "phrase")
        self.made: dict[int, Hit] = {}      # a report first in its tile, its level and overall is read once

    def firsts(self, keys: np.ndarray, n_keys: int) -> list[dict | None]:
        """Per key (0 … n_keys - 1; a key of -1 counts as the last), its first year, how many reports used the
        wording that year, and the first ``FIRSTS_LISTED`` of them as hits; None for a key that never uses it."""
        keys = np.where(keys < 0, n_keys - 1, keys)
        dated = self.year > 0
        first = np.full(n_keys, NEVER, dtype=np.int64)
        np.minimum.at(first, keys[dated], self.year[dated])
        at_first = np.flatnonzero(dated & (self.year == first[keys]))     # few: the rows of each key's first year
        out: list[dict | None] = []
        for k in range(n_keys):
            if first[k] == NEVER:
                out.append(None)
                continue
            deadline.check()
            at = at_first[keys[at_first] == k]
            reports, where = np.unique(self.group[at], return_index=True)   # rows ascend: each report's first row
            order = np.lexsort((reports, self.ranks[at[where]]))             # higher levels first, then index order
            out.append({"first_year": int(first[k]), "first_reports": int(len(reports)),
                        "firsts": [self._hit(at[self.group[at] == reports[i]]) for i in order[:FIRSTS_LISTED]]})
        return out

    def _hit(self, at: np.ndarray) -> Hit:
        """A report's first use: its first matching row whose own text holds a phrase, else its first matching row."""
        rows = self.rows[at[:ROWS_LOOKED]]
        own = [self.ix.side.rows_containing(rows, fold(p).encode("utf-8"), own_only=True) for p in self.phrases]
        row = min((int(r[0]) for r in own if len(r)), default=int(rows[0]))
        if row not in self.made:
            self.made[row] = make_hit(self.ix, row, 0.0, self.needles, CONTEXT, False, self.phrases)
        return self.made[row]


def spread_rows(result: dict) -> list[dict]:
    """The result as rows (``SPREAD_FIELDS``) for CSV and JSON lines: the first use overall, each tile that holds
    reports, the reports of no known province (（未标明）), each level (its label); each with its first listed
    report."""
    def row(kind: str, name, group: dict) -> dict:
        hit = group["firsts"][0] if group["firsts"] else None
        return {"kind": kind, "name": name, **{k: group[k] for k in SPREAD_FIELDS[2:7]},
                "passage_id": hit and hit.passage_id, "doc_id": hit and hit.doc_id, "title": hit and hit.title}
    out = [row("first", None, {**result, **(result["first"] or NEVER_USED)})]
    out += [row("province", t["name"], t) for t in result["tiles"] if t["reports_held"]]
    if result["unplaced"]:
        out.append(row("province", UNSTATED, result["unplaced"]))
    return out + [row("level", LEVEL_LABELS.get(g["level"], UNSTATED), g) for g in result["levels"]]
