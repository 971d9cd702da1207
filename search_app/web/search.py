"""The search page, its JSON twin and the exports of a whole result set."""
from __future__ import annotations

import itertools
import math

from flask import (
    Blueprint,
    current_app,
    jsonify,
    render_template,
    request,
    stream_with_context,
)

from search_app.core import deadline
from search_app.core.facets import region_provinces
from search_app.core.records import ROW_FIELDS, Hit
from search_app.core.region_tree import region_tree
from search_app.core.search import Params, export_hits, search
from search_app.formats import delimited_lines, hit_row, jsonl_lines, result_json
from search_app.web.context import index
from search_app.web.home import home_data, home_view
from search_app.web.params import (
    active_filters,
    chosen,
    clear_url,
    has_search,
    in_span,
    json_twin,
    page_numbers,
    passage_url,
    search_params,
    url_with,
    year_bounds,
    year_span,
)
from search_app.web.render import explain, hit_view
from search_app.web.tables import download

bp = Blueprint("search", __name__)


def cited_here(h: Hit) -> Hit:
    """Give a hit ``passage_url``, the passage on its report page here: a path, never this server's host, which
    is no source to cite (the citation's 来源 is the report's web address, ``citation_url``, or none)."""
    h.passage_url = passage_url(h.doc_id, h.passage_id)
    return h


def sidebar_facets(result: dict) -> dict:
    """The counts the sidebar shows: a facet with a selected value lists every value it could be OR-ed with."""
    return {**result["facets"], **result.get("facets_or", {})}


def with_region_tree(result: dict) -> dict:
    """Add the region facet nested province → city → county (``region_tree``); the flat facets stay as they are."""
    facets = sidebar_facets(result)
    result["region_tree"] = region_tree(facets["region"], facets["province"], region_provinces(index()),
                                        chosen("region"), chosen("province"))
    return result


def year_items(facets: dict, span) -> tuple[list[dict], list[int]]:
    """The year facet as the sidebar ticks it (every year inside the filter's span), and the years the span
    takes in although they were not ticked (several ticked years with others between them).

    The span's ends are always listed and ticked, even with no hits under the other filters now (an open end
    as one box, 2019年起), so that the facet form, which sends only ticks, keeps the span when another filter
    is changed.
    """
    items = [{"value": str(i["value"]), "year": i["value"], "label": str(i["value"]), "count": i["count"],
              "on": in_span(i["value"], span)} for i in facets["year"] if i["value"]]
    if span:
        listed = {i["year"] for i in items}
        lo, hi = span
        for end in {lo, hi} - listed - {None}:
            items.append({"value": str(end), "year": end, "label": str(end), "count": 0, "on": True})
        if hi is None:
            items.append({"value": f"{lo}-", "year": 10_000, "label": f"{lo}年起", "count": None, "on": True})
        if lo is None:
            items.append({"value": f"-{hi}", "year": 0, "label": f"{hi}年止", "count": None, "on": True})
        items.sort(key=lambda i: -i["year"])
    ticked = set()
    if not request.args.get("year_from") and not request.args.get("year_to"):
        for v in request.args.getlist("year"):
            if v.strip():
                ticked |= {i["year"] for i in items if in_span(i["year"], year_bounds(v))}
    between = sorted(i["year"] for i in items if i["on"] and i["count"] and ticked and i["year"] not in ticked)
    return items, between


def run_search(params: Params) -> dict:
    result = with_region_tree(search(index(), params))
    result["hits"] = [cited_here(h) for h in result["hits"]]
    return result


@bp.route("/")
def search_page():
    if not has_search():
        return render_template("search.html", result=None, params=None, json_url="/api/home", **home_view())
    params, page, per_page = search_params()
    result = run_search(params)
    result["hits"] = [hit_view(h) for h in result["hits"]]
    pages = max(1, math.ceil(result.get("reports", result["total"]) / per_page))
    beyond = page > pages and result["total"] > 0       # a stale link: say so and offer the last page
    facets = sidebar_facets(result)
    span = year_span()
    years, between = year_items(facets, span)
    return render_template("search.html", result=result, params=params, page=page, pages=pages, beyond=beyond,
                           page_numbers=page_numbers(page, pages), active_filters=active_filters(),
                           facets=facets, years=years, years_between=between, span=span,
                           explained=explain(params.q, result["parsed"]),
                           clear_url=clear_url(),
                           selected=request.args, json_url=json_twin("/api/search"),
                           export_query=url_with(page=None, per_page=None)[len(request.path):])


@bp.route("/api/search")
def api_search():
    """The search as JSON, with ``next``: the address of the next page of hits (None on the last)."""
    params, page, per_page = search_params()
    result = result_json(run_search(params))
    shown = result.get("reports", result["total"])      # grouped by report, the pages are of reports
    more = page * per_page < shown and page < current_app.config["MAX_PAGE"]
    return jsonify({**result, "next": url_with(page=str(page + 1)) if more else None})


@bp.route("/api/home")
def api_home():
    """The home page's JSON twin: coverage by province and year, the latest reports, the example searches."""
    return jsonify(home_data())


@bp.route("/export.<any(csv, jsonl):fmt>")
def export(fmt: str):
    """The whole result set (not just the page), streamed as CSV or JSON lines: the rows of ``lrsearch
    search --csv``/``--jsonl``."""
    params, _, _ = search_params()
    hits = export_hits(index(), params, limit=current_app.config["EXPORT_ROWS"])
    first = next(hits, None)       # run the query now, so that a bad one is a 400, not a broken stream
    deadline.start(None)           # it has run in time; its rows stream for as long as EXPORT_ROWS of them take

    def rows():
        for h in itertools.chain([first] if first is not None else [], hits):
            yield hit_row(h)
    body = delimited_lines(rows(), ROW_FIELDS, bom=True) if fmt == "csv" else jsonl_lines(rows())
    return download(fmt, "export", stream_with_context(body))
