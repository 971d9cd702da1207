"""Precedents: paste a paragraph, or come from a passage, and see how other congresses phrased it."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request

from search_app.core.similar import similar
from search_app.formats import result_json
from search_app.web.context import index
from search_app.web.params import BadRequest, int_arg, json_twin
from search_app.web.render import hit_view
from search_app.web.search import cited_here

bp = Blueprint("similar", __name__)


def similar_result() -> dict | None:
    """Precedents for ``passage_id`` or pasted ``text`` (the page and /api/similar alike); None for neither."""
    cfg = current_app.config
    pid, text = request.args.get("passage_id") or None, request.args.get("text") or None
    if not pid and not text:
        return None
    if text and len(text) > cfg["MAX_SIMILAR_CHARS"]:
        raise BadRequest(f"粘贴的文字太长：{len(text)} 个字符（上限 {cfg['MAX_SIMILAR_CHARS']} 个），请只粘贴一段")
    result = similar(index(), passage_id=pid, text=text, limit=int_arg("limit", cfg["SIMILAR_LIMIT"], 1, cfg["MAX_SIMILAR"]),
                     max_chars=cfg["MAX_SIMILAR_CHARS"])
    result["hits"] = [cited_here(h) for h in result["hits"]]
    return result


@bp.route("/similar")
def similar_page():
    """The passage or paragraph, and the closest passage of each other report."""
    result = similar_result()
    if result:
        result["hits"] = [hit_view(h) for h in result["hits"]]
    return render_template("similar.html", result=result, json_url=json_twin("/api/similar"))


@bp.route("/api/similar")
def api_similar():
    result = similar_result()
    if result is None:
        raise BadRequest("先例需要一段文字 text 或一个段落编号 passage_id")
    return jsonify(result_json(result))
