"""The research pages: trends over the years, regions compared, keyword in context, and their JSON twins
(``/api/trends`` for both trends and compare, ``/api/kwic``, ``/api/stats``). The numbers come from the core;
this module adds only the chart geometry.
"""
from __future__ import annotations

import math

from flask import Blueprint, current_app, jsonify, render_template, request

from indexer.facets import FACETS
from search_app.core.facets import region_provinces
from search_app.core.kwic import KWIC_ORDERS, kwic_lines
from search_app.core.search import Params
from search_app.core.stats import stats, trends
from search_app.web.context import index
from search_app.web.params import (
    SHARED_ARGS,
    BadRequest,
    active_filters,
    has_search,
    json_twin,
    search_params,
    url_with,
)

bp = Blueprint("analysis", __name__)

_LABELS = {f.name: f.label for f in FACETS}
TREND_DIMENSIONS = {k: _LABELS[k] for k in ("province", "region", "level", "doc_type", "section")}
COMPARE_DIMENSIONS = ("province", "region")
COMPARE_MIN, COMPARE_MAX = 2, 5
SLOT_W, CHART_MIN_W, CHART_H = 44, 320, 240   # the trend chart in pixels, drawn at its size (a phone scrolls it)
SMALL_W, SMALL_H = 320, 150          # one small multiple of the comparison, in pixels
KWIC_LABELS = dict(zip(("", *KWIC_ORDERS), ("相关度", "左语境", "右语境")))


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
                           clear_url=url_with(**{k: None for k in SHARED_ARGS[1:]}), json_url=json_twin("/api/trends"),
                           compare_url=json_twin("/compare", by=by if by in COMPARE_DIMENSIONS else None))


COMPARE_METRICS = {"share_of_reports": "提及比例", "passages_per_report": "每份报告段落"}
SMALL_SLOT_W = 20


@bp.route("/compare")
def compare_page():
    """Two to five provinces (or regions) side by side: per year the share of their reports that mention the
    query, or its hits per report, over the reports each held; small multiples on one scale, and a table."""
    params, _, _ = search_params()
    by = _by(COMPARE_DIMENSIONS)
    metric = request.args.get("metric") or "share_of_reports"
    if metric not in COMPARE_METRICS:
        raise BadRequest(f"指标 metric 只能是 {'、'.join(COMPARE_METRICS)} 之一")
    names = list(dict.fromkeys(v for v in request.args.getlist(by) if v))
    if len(names) > COMPARE_MAX:
        raise BadRequest(f"最多并排比较 {COMPARE_MAX} 个{TREND_DIMENSIONS[by]}，现在选了 {len(names)} 个")
    held = region_provinces(index())
    choices = sorted({p for p in held.values() if p} if by == "province" else set(held))
    view = {"by": by, "label": TREND_DIMENSIONS[by], "names": names, "metric": metric, "metrics": COMPARE_METRICS,
            "choices": choices, "slots": COMPARE_MAX, "data": None,
            "keep": [(k, v) for k, v in request.args.items(multi=True) if k not in (by, "by", "q", "metric", "page")],
            "json_url": json_twin("/api/trends", metric=None)}
    if len(names) < COMPARE_MIN:
        return render_template("compare.html", **view)
    data = trends(index(), params, by)
    found = {gr["name"]: gr for gr in data["groups"]}
    groups = [found[n] for n in names if n in found]
    top = 1.0 if metric == "share_of_reports" else \
        max((r[metric] or 0 for gr in groups for r in gr["years"]), default=0) or 1
    width = max(SMALL_W, SMALL_SLOT_W * len(data["years"]))
    multiples = [{"group": gr, "bars": bars(gr["years"], metric, width, SMALL_H, top, max_labels=4),
                  "held": sum(r["reports_held"] for r in gr["years"])} for gr in groups]
    return render_template("compare.html", **{**view, "data": data}, groups=groups, multiples=multiples,
                           missing=[n for n in names if n not in found], small_w=width, small_h=SMALL_H)


@bp.route("/api/trends")
def api_trends():
    params, _, _ = search_params()
    return jsonify(trends(index(), params, _by(tuple(TREND_DIMENSIONS))))


@bp.route("/api/stats")
def api_stats():
    params, _, _ = search_params()
    return jsonify(stats(index(), params, [d for d in request.args.get("by", "year").split(",") if d]))


def kwic_data() -> dict:
    """What /kwic shows and /api/kwic returns: the keyword-in-context lines of the first ``KWIC_HITS`` hits."""
    order = request.args.get("order", "")
    if order not in KWIC_LABELS:
        raise BadRequest("排序 order 只能是 left（按左语境）或 right（按右语境）")
    if not request.args.get("q", "").strip():
        raise BadRequest("语境需要检索词")
    params, _, _ = search_params()
    return kwic_lines(index(), params, order or None, hits=current_app.config["KWIC_HITS"])


@bp.route("/kwic")
def kwic_page():
    """Keyword-in-context lines for a query, sortable by the left or the right context."""
    if not request.args.get("q", "").strip():
        return render_template("kwic.html", data=None)
    return render_template("kwic.html", data=kwic_data(), orders=KWIC_LABELS, json_url=json_twin("/api/kwic"),
                           active_filters=active_filters(), clear_url=url_with(**{k: None for k in SHARED_ARGS[1:]}))


@bp.route("/api/kwic")
def api_kwic():
    return jsonify(kwic_data())
