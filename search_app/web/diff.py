"""Precedents side by side: two passages (``a``, ``b``) or two reports (``a_doc``, ``b_doc``: one congress's reports
of two years, section by section, what is new, dropped, reworded or unchanged and the figures that changed) aligned
with their differences marked; a passage alone (``a``) offers its precedents to compare it with. JSON twin:
/api/diff."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from search_app.core.diff import (
    MAX_DIFF_CHARS,
    MAX_REPORT_PASSAGES,
    STATUSES,
    compare_passages,
    compare_reports,
    diff_texts,
    passage_hit,
)
from search_app.core.query import QueryError
from search_app.core.similar import similar
from search_app.formats import hit_json
from search_app.web.context import index
from search_app.web.params import BadRequest, json_twin
from search_app.web.search import cited_here

bp = Blueprint("diff", __name__)
CANDIDATES = 10         # precedents offered to compare a passage with
MAX_ID_CHARS = 64


def _id(name: str) -> str | None:
    value = request.args.get(name, "").strip()
    if len(value) > MAX_ID_CHARS:
        raise BadRequest(f"{name} 不是段落或报告的编号（太长）")
    return value or None


def diff_result() -> dict | None:
    """What the request asks to compare, as plain data (hits still ``Hit``); None when it names nothing.

    ``kind`` is passages, reports, or pick (one passage, the precedents to compare it with and how alike each
    is, ``ratios``)."""
    a, b, a_doc, b_doc = _id("a"), _id("b"), _id("a_doc"), _id("b_doc")
    if (a or b) and (a_doc or b_doc):
        raise BadRequest("请对比两段（a、b）或两篇报告（a_doc、b_doc），不要混用")
    if a_doc or b_doc:
        if not (a_doc and b_doc):
            raise BadRequest("对比报告需要两个报告编号：a_doc 与 b_doc")
        return compare_reports(index(), a_doc, b_doc)
    if a and b:
        result = compare_passages(index(), a, b)
        result["a"], result["b"] = cited_here(result["a"]), cited_here(result["b"])
        return {"kind": "passages", **result}
    if a or b:
        source = passage_hit(index(), a or b)
        try:
            candidates = similar(index(), passage_id=source.passage_id, limit=CANDIDATES)["hits"]
        except QueryError:          # a passage of no distinctive word (一、) has no precedents to offer
            candidates = []
        return {"kind": "pick", "a": cited_here(source), "candidates": [cited_here(h) for h in candidates],
                "ratios": [diff_texts(source.text, h.text)["ratio"] for h in candidates]}
    return None


def diff_json(result: dict) -> dict:
    out = dict(result)
    for side in ("a", "b"):
        if side in out and not isinstance(out[side], dict):
            out[side] = hit_json(out[side])
    if "candidates" in out:
        out["candidates"] = [hit_json(h) for h in out["candidates"]]
    return out


@bp.route("/diff")
def diff_page():
    """Two passages or reports side by side, or a passage and the precedents to pick from."""
    return render_template("diff.html", result=diff_result(), json_url=json_twin("/api/diff"), limit=MAX_DIFF_CHARS,
                           max_passages=MAX_REPORT_PASSAGES, statuses=STATUSES)


@bp.route("/api/diff")
def api_diff():
    result = diff_result()
    if result is None:
        raise BadRequest("对比需要两个段落编号 a、b，或两个报告编号 a_doc、b_doc")
    return jsonify(diff_json(result))
