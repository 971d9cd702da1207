"""Precedents: paste a paragraph, or come from a passage, and see how other congresses phrased it."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request

from search_app.core.similar import similar
from search_app.formats import result_json
from search_app.web.context import index
from search_app.web.params import (
    BadRequest,
    active_filters,
    clear_url,
    filter_params,
    int_arg,
    json_twin,
    scope_form,
)
from search_app.web.render import hit_view
from search_app.web.search import cited_here

bp = Blueprint("similar", __name__)


def similar_result() -> dict | None:
    """Precedents for ``passage_id`` or pasted ``text`` among the reports the filters keep (the page and
    /api/similar alike); None for neither."""
    cfg = current_app.config
    pid, text = request.args.get("passage_id") or None, request.args.get("text") or None
    if not pid and not text:
        return None
    if text and len(text) > cfg["MAX_SIMILAR_CHARS"]:
        raise BadRequest(f"粘贴的文字太长：{len(text)} 个字符（上限 {cfg['MAX_SIMILAR_CHARS']} 个），请只粘贴一段")
    filters, year = filter_params()
    result = similar(index(), passage_id=pid, text=text, limit=int_arg("limit", cfg["SIMILAR_LIMIT"], 1, cfg["MAX_SIMILAR"]),
                     max_chars=cfg["MAX_SIMILAR_CHARS"], filters=filters, year=year)
    result["hits"] = [cited_here(h) for h in result["hits"]]
    if result["source"]:
        result["source"] = cited_here(result["source"])
    return result


@bp.route("/similar")
def similar_page():
    """The passage (with its report) or paragraph, filters to narrow the precedents, and the closest passage
    of each other report."""
    result = similar_result()
    if result:
        result["hits"] = [hit_view(h) for h in result["hits"]]
        if result["source"]:
            result["source"] = hit_view(result["source"])
    return render_template("similar.html", result=result, json_url=json_twin("/api/similar"),
                           active_filters=active_filters(), form=scope_form(), clear_url=clear_url())


@bp.route("/api/similar")
def api_similar():
    result = similar_result()
    if result is None:
        raise BadRequest("先例需要一段文字 text 或一个段落编号 passage_id")
    return jsonify(result_json(result))
