"""The work-figures page (履职数据, ``core.figures``): a metric's figures as a region × year table and a chart,
with facets, every value linked to the sentence that states it on its report's page; its JSON twin
``/api/figures`` and its rows as CSV/JSON. The numbers come from the core; this module adds the chart's
geometry and the addresses.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from search_app.core.figures import FIGURE_FIELDS, figures, shown_value
from search_app.web.context import index
from search_app.web.params import active_filters, clear_url, json_twin, passage_url, search_params, url_with
from search_app.web.tables import download_links, table_response

bp = Blueprint("figures", __name__)

PAGE_ROWS = 200                  # figures listed on the page (the downloads hold them all)
FACET_ROWS = 12                  # values listed per facet
SLOT_W, CHART_MIN_W, CHART_H, CHART_PAD = 44, 320, 220, 36      # the chart in pixels: a slot per year


def figures_result(default_metric: bool) -> dict:
    """The request's figures; with ``default_metric``, of the first metric that has any when none is asked for
    (the page always shows one metric's table)."""
    params, _, _ = search_params()
    return figures(index(), params, request.args.get("metric") or None, first_held=default_metric)


def figure_url(r: dict, external: bool = False) -> str:
    """Where a figure is stated: its passage on its report's page."""
    return passage_url(r["doc_id"], r["passage_id"], external)


def dots(result: dict) -> dict | None:
    """The chart: one dot per distinct value of the metric per region and year (x the year, y the value), on a
    scale from 0 to the largest value; None when there is nothing to draw."""
    table = result["table"]
    if not table or not table["years"]:
        return None
    years = table["years"]
    width = max(CHART_MIN_W, SLOT_W * len(years))
    top = max((v["value_max"] or v["value"] for g in table["regions"] for c in g["years"] for v in c["values"]),
              default=0) or 1
    plot = CHART_H - 2 * CHART_PAD
    slot = width / len(years)
    points = []
    for g in table["regions"]:
        for i, c in enumerate(g["years"]):
            for v in c["values"]:
                value = v["value_max"] or v["value"]
                points.append({"x": round(i * slot + slot / 2, 1), "y": round(CHART_H - CHART_PAD - value / top * plot, 1),
                               "label": f"{g['name']} {c['year']}年：{shown_value(v)}", "url": figure_url(v)})
    every = -(-len(years) // 16)
    ticks = [{"x": round(i * slot + slot / 2, 1), "year": y} for i, y in enumerate(years)
             if i % every == 0 or i == len(years) - 1]
    return {"w": width, "h": CHART_H, "pad": CHART_PAD, "top": top, "points": points, "ticks": ticks,
            "base": CHART_H - CHART_PAD}


@bp.route("/figures")
def figures_page():
    """A metric's figures per region and year, the metric picker, the facets, a chart and the figures listed."""
    result = figures_result(default_metric=True)
    return render_template("figures.html", result=result, chart=dots(result), rows=result["rows"][:PAGE_ROWS],
                           page_rows=PAGE_ROWS, facet_rows=FACET_ROWS, shown_value=shown_value,
                           passage_url=figure_url, active_filters=active_filters(), clear_url=clear_url(),
                           json_url=json_twin("/api/figures", metric=result["metric"]),
                           downloads=download_links("/figures/table"), metric_url=lambda k: url_with(metric=k))


@bp.route("/api/figures")
def api_figures():
    """The figures as data: every figure of the filters' reports (``metric`` for one metric, then with its region
    × year table), each with the address of its passage."""
    result = figures_result(default_metric=False)
    for r in result["rows"]:
        r["url"] = figure_url(r, external=True)
    return jsonify(result)


@bp.route("/figures/table.<any(csv, json):fmt>")
def figures_table(fmt: str):
    """Every figure the page's filters keep (of its metric, when one is asked for), with its passage's address."""
    result = figures_result(default_metric=False)
    rows = [{**r, "url": figure_url(r, external=True)} for r in result["rows"]]
    return table_response(fmt, "figures", [*FIGURE_FIELDS, "url"], rows,
                          {"query": result["query"], "metric": result["metric"]})
