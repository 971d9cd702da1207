"""The spread page: how a wording spread (``core.spread``), as a timeline, as the tile map of the provinces
coloured by the year each first used it, and as tables, every first use linked to its passage; its JSON twin
``/api/spread`` and its table as CSV/JSON. The numbers come from the core; this module adds the colour scale,
the map's and the chart's geometry and the addresses.
"""
from __future__ import annotations

import math
from urllib.parse import urlencode

from flask import Blueprint, jsonify, redirect, render_template, request

from indexer.divisions import short_name
from search_app.core.records import Hit
from search_app.core.spread import SPREAD_FIELDS, spread, spread_query, spread_rows
from search_app.formats import spread_json
from search_app.web.analysis import CHART_H, CHART_MIN_W, SLOT_W, bars
from search_app.web.context import index
from search_app.web.home import placed
from search_app.web.params import (
    BadRequest,
    active_filters,
    check_query_length,
    clear_url,
    json_twin,
    passage_url,
    search_params,
    url_with,
)
from search_app.web.render import hit_view
from search_app.web.search import cited_here
from search_app.web.tables import count_url, download_links, table_response

bp = Blueprint("spread", __name__)

EXAMPLES = ("备案审查", "全过程人民民主", "民生实事项目人大代表票决制")
COLOURS = 5                  # shades of the years of first use: the earliest darkest


def _result() -> dict | None:
    """The spread of the request's wording (None when it asks for none), each first use with its ``passage_url``."""
    params, _, _ = search_params()
    if not params.q.strip():
        return None
    result = spread(index(), params)
    for h in first_hits(result):
        cited_here(h)
    return result


def _asked() -> dict:
    """The spread for the JSON twin and the table, which have nothing to show without a wording."""
    if (result := _result()) is None:
        raise BadRequest("请给出要看传播的措辞，如 q=备案审查")
    return result


def first_hits(result: dict) -> list[Hit]:
    groups = [result["first"], *result["tiles"], result["unplaced"], *result["levels"]]
    return [h for g in groups if g for h in g["firsts"]]


def year_bins(years: list[int]) -> list[tuple[int, int]]:
    """The colour scale's bins of the years of first use, earliest first: a year each when there are at most
    ``COLOURS`` of them, else ``COLOURS`` spans of equal length from the first to the last."""
    distinct = sorted(set(years))
    if len(distinct) <= COLOURS:
        return [(y, y) for y in distinct]
    step = math.ceil((distinct[-1] - distinct[0] + 1) / COLOURS)
    return [(lo, min(lo + step - 1, distinct[-1])) for lo in range(distinct[0], distinct[-1] + 1, step)]


def shade_of(bins: list[tuple[int, int]], year: int) -> int:
    """The shade (1 darkest … ``COLOURS``) of a year of first use: the bins spread over the whole scale."""
    i = next(k for k, (lo, hi) in enumerate(bins) if lo <= year <= hi)
    return 1 + round(i * (COLOURS - 1) / max(1, len(bins) - 1))


def passage_link(h: Hit, query: str) -> str:
    """A first use on its report's page, the wording marked, with the way back to this page."""
    return passage_url(h.doc_id, h.passage_id, q=query, back=request.full_path.rstrip("?"))


def group_filter(kind: str, name: str | None) -> tuple[str, str | None]:
    """The filter (facet, value) that keeps a group's reports: 全国 is the national congress's level."""
    if kind == "level":
        return "level", name
    return ("level", "national") if name == "全国" else ("province", name)


def spread_view(result: dict) -> dict:
    """The map (each tile's square, shade and link), the colour scale's legend and the timeline's bars."""
    bins = year_bins([t["first_year"] for t in result["tiles"] if t["first_year"]])
    tiles, size = placed(result["tiles"])
    for t in tiles:
        used = t["first_year"] is not None
        t.update({"short": short_name(t["name"]),
                  "css": f"first-{shade_of(bins, t['first_year'])}" if used else "unused" if t["reports_held"]
                  else "unheld",
                  "href": passage_link(t["firsts"][0], result["query"]) if used else None})
    legend = [{"shade": shade_of(bins, lo), "label": f"{lo}年" if lo == hi else f"{lo}–{hi}年"} for lo, hi in bins]
    width = max(CHART_MIN_W, SLOT_W * len(result["timeline"]))
    ordered = sorted((t for t in result["tiles"] if t["reports_held"]),
                     key=lambda t: (t["first_year"] is None, t["first_year"] or 0, -t["reports"], t["name"]))
    return {"tiles": tiles, "size": size, "legend": legend, "chart_w": width, "chart_h": CHART_H,
            "bars": bars(result["timeline"], "share_of_reports", width, CHART_H),
            "ordered": ordered, "unheld": [t["name"] for t in result["tiles"] if not t["reports_held"]],
            "news": [y for y in result["timeline"] if y["first"] or y["tiles"] or y["levels"]]}


@bp.route("/spread")
def spread_page():
    """The first use of a wording overall, in each province and at each level; its share of the reports held
    per year. A wording typed bare is written as the page reads it (quoted) in the address, so that every link
    of the page (the counts' searches, the other pages) finds it as written."""
    q = request.args.get("q", "")
    check_query_length(q)           # before reading it
    if q.strip() and (written := spread_query(q)) != q and spread_query(written) == written:   # never a loop
        return redirect(url_with(q=written))
    result = _result()
    return render_template("spread.html", result=result, view=spread_view(result) if result else None,
                           examples=[(e, "/spread?" + urlencode({"q": f'"{e}"'})) for e in EXAMPLES],
                           active_filters=active_filters(), clear_url=clear_url(),
                           json_url=json_twin("/api/spread"), downloads=download_links("/spread/table"),
                           count_url=count_url, group_filter=group_filter, passage_link=passage_link,
                           hit_view=hit_view)


@bp.route("/api/spread")
def api_spread():
    return jsonify(spread_json(_asked()))


@bp.route("/spread/table.<any(csv, json):fmt>")
def spread_table(fmt: str):
    """The page's table: the first use overall, each province held, each level; with the address of the first
    passage listed."""
    result = _asked()
    rows = [{**r, "passage_url": passage_url(r["doc_id"], r["passage_id"], external=True) if r["passage_id"] else None}
            for r in spread_rows(result)]
    return table_response(fmt, "spread", [*SPREAD_FIELDS, "passage_url"], rows, {"query": result["query"]})
