"""The research pages: trends over the years, regions compared, and their JSON twins
(``/api/trends`` for both trends and compare, ``/api/stats``; keyword in context is in ``concordance``). The
numbers come from the core; this module adds only the chart geometry, and the tables as downloads whose every
count carries the address of its search (``tables``).
"""
from __future__ import annotations

import math

from flask import Blueprint, jsonify, render_template, request

from indexer.facets import FACETS
from search_app.core.facets import region_provinces
from search_app.core.search import Params
from search_app.core.stats import STAT_FIELDS, stats, trends
from search_app.web.context import index
from search_app.web.params import (
    BadRequest,
    active_filters,
    chosen,
    clear_url,
    has_search,
    json_twin,
    provinces_held,
    search_params,
)
from search_app.web.tables import count_url, download_links, table_response

bp = Blueprint("analysis", __name__)

_LABELS = {f.name: f.label for f in FACETS}
TREND_DIMENSIONS = {k: _LABELS[k] for k in ("province", "region", "level", "doc_type", "section")}
COMPARE_DIMENSIONS = ("province", "region")
COMPARE_MIN, COMPARE_MAX = 2, 5
SLOT_W, CHART_MIN_W, CHART_H = 44, 320, 240   # the trend chart in pixels, drawn at its size (a phone scrolls it)
SMALL_W, SMALL_H = 320, 150          # one small multiple of the comparison, in pixels


def _by(allowed: tuple[str, ...]) -> str:
    by = request.args.get("by") or allowed[0]
    if by not in allowed:
        raise BadRequest(f"对比维度 by 只能是 {'、'.join(allowed)} 之一")
    return by


def bars(series: list[dict], key: str, width: float, height: float, top: float | None = None,
         max_labels: int = 16) -> list[dict]:
    """Bar geometry, one slot per year (numbers only: the template draws the SVG, escaped as usual).

    A gap year keeps its slot with no bar, so the spacing of the years is the spacing of time.
    """
    if not series:
        return []
    top = top or max((r[key] or 0 for r in series), default=0) or 1
    slot, plot = width / len(series), height - 58
    every = math.ceil(len(series) / max_labels)           # label every n-th year when they would crowd
    out = []
    for i, r in enumerate(series):
        h = round((r[key] or 0) / top * plot, 1)
        out.append({"x": round(i * slot + slot * 0.12, 1), "w": round(max(1.0, slot * 0.76), 1), "h": h,
                    "y": round(height - 36 - h, 1), "mid": round(i * slot + slot / 2, 1), "row": r,
                    "label": i % every == 0 or i == len(series) - 1})
    return out


def trend_view(params: Params, by: str) -> dict:
    """The numbers of ``trend_data`` and the chart geometry for the trends page."""
    data = trends(index(), params, by)
    width = max(CHART_MIN_W, SLOT_W * len(data["years"]))
    return {"data": data, "bars": bars(data["years"], "passages_per_report", width, CHART_H),
            "label": TREND_DIMENSIONS[by], "chart_w": width, "chart_h": CHART_H}


@bp.route("/trends")
def trends_page():
    """Hits per year normalised per report held, with the reports held beside them; and a group × year matrix."""
    params, _, _ = search_params()
    by = _by(tuple(TREND_DIMENSIONS))
    return render_template("trends.html", **trend_view(params, by), by=by, dimensions=TREND_DIMENSIONS,
                           searched=has_search(), active_filters=active_filters(),
                           clear_url=clear_url(), json_url=json_twin("/api/trends"),
                           compare_url=json_twin("/compare", by=by if by in COMPARE_DIMENSIONS else None),
                           count_url=count_url, downloads={t: download_links(f"/trends/{t}") for t in TREND_TABLES})


TREND_TABLES = ("years", "matrix")


def table_row(parsed: dict | None, r: dict, by: str | None = None, name: str | None = None) -> dict:
    """One row of a downloaded table: the group and year, the counts, and the addresses of the searches they
    count, where there is something to find: the matching passages (``search``), the reports that hold them
    (``reports_search``) and the reports held (``held_search``)."""
    root = request.host_url.rstrip("/")
    found = r["reports"] > 0
    return {**({by: name} if by else {}), "year": r["year"], **{k: r[k] for k in STAT_FIELDS},
            "search": root + count_url(parsed, by, name, r["year"]) if found else None,
            "reports_search": root + count_url(parsed, by, name, r["year"], reports=True) if found else None,
            "held_search": root + count_url(parsed, by, name, r["year"], words=False, reports=True)
            if r["reports_held"] else None}


@bp.route("/trends/<any(years, matrix):table>.<any(csv, json):fmt>")
def trends_table(table: str, fmt: str):
    """The trends page's tables, newest year first as on the page: ``years`` (every year, those not held too)
    and ``matrix`` (one row per group and year held)."""
    params, _, _ = search_params()
    by = _by(tuple(TREND_DIMENSIONS))
    data = trends(index(), params, by)
    if table == "years":
        rows = [table_row(data["parsed"], r) for r in reversed(data["years"])]
    else:
        rows = [table_row(data["parsed"], c, by, gr["name"]) for gr in data["groups"] for c in reversed(gr["years"])
                if not c["gap"]]
    return table_response(fmt, f"trends-{table}", table_columns(by if table == "matrix" else None), rows,
                          {"query": data["query"], "by": by, "table": table})


def table_columns(by: str | None) -> list[str]:
    return [*([by] if by else []), "year", *STAT_FIELDS, "search", "reports_search", "held_search"]


COMPARE_METRICS = {"share_of_reports": "提及比例", "passages_per_report": "每份报告段落"}
SMALL_SLOT_W = 20


def compare_view() -> dict:
    """What /compare shows: the form's state and, for two to five names, the groups in the order chosen with
    their small multiples (``data`` None for fewer)."""
    params, _, _ = search_params()
    by = _by(COMPARE_DIMENSIONS)
    metric = request.args.get("metric") or "share_of_reports"
    if metric not in COMPARE_METRICS:
        raise BadRequest(f"指标 metric 只能是 {'、'.join(COMPARE_METRICS)} 之一")
    names = chosen(by)          # as the filter reads them: 内蒙古 is 内蒙古自治区
    if len(names) > COMPARE_MAX:
        raise BadRequest(f"最多并排比较 {COMPARE_MAX} 个{TREND_DIMENSIONS[by]}，现在选了 {len(names)} 个")
    choices = provinces_held() if by == "province" else sorted(region_provinces(index()))
    view = {"by": by, "label": TREND_DIMENSIONS[by], "names": names, "metric": metric, "metrics": COMPARE_METRICS,
            "choices": choices, "slots": COMPARE_MAX, "data": None,
            "keep": [(k, v) for k, v in request.args.items(multi=True) if k not in (by, "by", "q", "metric", "page")],
            "json_url": json_twin("/api/trends", metric=None)}
    if len(names) < COMPARE_MIN:
        return view
    data = trends(index(), params, by)
    found = {gr["name"]: gr for gr in data["groups"]}
    groups = [found[n] for n in names if n in found]
    top = 1.0 if metric == "share_of_reports" else \
        max((r[metric] or 0 for gr in groups for r in gr["years"]), default=0) or 1
    width = max(SMALL_W, SMALL_SLOT_W * len(data["years"]))
    multiples = [{"group": gr, "bars": bars(gr["years"], metric, width, SMALL_H, top, max_labels=4),
                  "held": sum(r["reports_held"] for r in gr["years"])} for gr in groups]
    return {**view, "data": data, "groups": groups, "multiples": multiples, "small_w": width, "small_h": SMALL_H,
            "missing": [n for n in names if n not in found]}


@bp.route("/compare")
def compare_page():
    """Two to five provinces (or regions) side by side: per year the share of their reports that mention the
    query, or its hits per report, over the reports each held; small multiples on one scale, and a table."""
    return render_template("compare.html", **compare_view(), count_url=count_url,
                           downloads=download_links("/compare/table"))


@bp.route("/compare/table.<any(csv, json):fmt>")
def compare_table(fmt: str):
    """The comparison's table: one row per name chosen and year held, newest year first."""
    view = compare_view()
    if view["data"] is None:
        raise BadRequest(f"请至少选 {COMPARE_MIN} 个{view['label']}")
    by, parsed = view["by"], view["data"]["parsed"]
    rows = [table_row(parsed, c, by, gr["name"]) for gr in view["groups"] for c in reversed(gr["years"]) if not c["gap"]]
    return table_response(fmt, "compare", table_columns(by), rows,
                          {"query": view["data"]["query"], "by": by, "names": view["names"]})


@bp.route("/api/trends")
def api_trends():
    params, _, _ = search_params()
    return jsonify(trends(index(), params, _by(tuple(TREND_DIMENSIONS))))


@bp.route("/api/stats")
def api_stats():
    params, _, _ = search_params()
    return jsonify(stats(index(), params, [d for d in request.args.get("by", "year").split(",") if d]))
