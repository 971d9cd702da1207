"""The report page: the whole report with its contents, passage anchors and the query marked; its JSON twin."""
from __future__ import annotations

import re

from flask import Blueprint, abort, jsonify, render_template, request

from search_app.core.citations import is_web_url
from search_app.core.query import QueryError, parse
from search_app.core.search import highlight_needles
from search_app.core.snippets import match_spans, snippet
from search_app.web.context import index
from search_app.web.params import check_query_length
from search_app.web.render import marked

bp = Blueprint("reader", __name__)


def public_source(source: str) -> str:
    """A web address as is; a path on the server only by its file name (the server's layout is nobody's business)."""
    return source if is_web_url(source) else re.split(r"[/\\]", source)[-1]


def document(doc_id: str) -> dict:
    """A report as the web shows it: sources that are files on the server reduced to their file names."""
    if len(doc_id) > 64:
        abort(404)
    doc = index().document(doc_id)
    if doc is None:
        abort(404, description=f"索引中没有编号为 {doc_id!r} 的报告。")
    doc["sources"] = [public_source(s) for s in doc.get("sources") or []]
    doc["source"] = public_source(doc["source"]) if doc.get("source") else doc.get("source")
    doc["versions"] = [{"doc_id": v, "title": other["title"], "kind": other.get("kind", "report"),
                        "source": public_source(other["source"]) if other.get("source") else None}
                       for v in index().versions(doc_id) if (other := index().document(v))]
    return doc


@bp.route("/doc/<doc_id>")
def doc_page(doc_id: str):
    """The report, its passages marked with the query's words; a query that cannot be parsed marks nothing."""
    doc = document(doc_id)
    q = request.args.get("q", "")
    check_query_length(q)
    needles, note = [], None
    if q:
        try:
            needles = highlight_needles(index(), parse(q))
        except QueryError as e:
            note = f"检索词无法用于标记（{e}），正文未加标记。"
    passages = [p for s in doc["sections"] for p in s["passages"]]
    shown = {p["passage_id"]: marked(snippet(p["text"], match_spans(p["text"], needles), whole=True))
             for p in passages}
    return render_template("doc.html", doc=doc, marked=shown, q=q, passages=passages, note=note,
                           is_web_url=is_web_url)


@bp.route("/api/doc/<doc_id>")
def api_doc(doc_id: str):
    return jsonify(document(doc_id))
