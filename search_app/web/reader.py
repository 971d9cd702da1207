"""The report page: the whole report with its contents, passage anchors and the query marked, each passage's
citation and ways on (similar wording, compare), the comparison with this congress's report of another year, and
the way back to the search; its JSON twin."""
from __future__ import annotations

import re
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, abort, jsonify, render_template, request

from search_app.core.citations import cite, is_web_url
from search_app.core.diff import other_years
from search_app.core.query import QueryError, parse
from search_app.core.records import Hit
from search_app.core.search import highlight_needles
from search_app.core.snippets import match_spans, snippet
from search_app.web.context import index
from search_app.web.params import check_query_length
from search_app.web.render import marked

bp = Blueprint("reader", __name__)
MAX_BACK_CHARS = 2048


def public_source(source: str) -> str:
    """A web address as is; a path on the server only by its file name (the server's layout is nobody's business)."""
    return source if is_web_url(source) else re.split(r"[/\\]", source)[-1]


def document(doc_id: str) -> dict:
    """A report as the web shows it: sources that are files on the server reduced to their file names; its other
    versions; this congress's reports of other years, each with the comparison's sides (``other_years``)."""
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
    doc["other_years"] = other_years(index(), doc_id)
    passages = [p for s in doc["sections"] for p in s["passages"]]
    for p, h in zip(passages, cite(index(), [Hit(passage_id=p["passage_id"], doc_id=doc_id, year=doc.get("year"))
                                             for p in passages])):
        p["citation"], p["citation_url"] = h.citation, h.citation_url
    return doc


def local_path(raw: str | None) -> str | None:
    """``raw`` if it is a page of this site to go back to (a path and its query), else None: never another host
    (//host, /\\host, which browsers read as //host, a scheme) and no control characters (a browser drops a tab
    or newline, so /<tab>/host would become //host)."""
    if not raw or len(raw) > MAX_BACK_CHARS or not raw.startswith("/") or raw.startswith(("//", "/\\")):
        return None
    if any(c < " " or c in "\\\x7f" for c in raw):
        return None
    parts = urlsplit(raw)
    return raw if not parts.scheme and not parts.netloc else None


def back_url(q: str) -> str | None:
    """Where "返回检索结果" leads: the search the reader came from (``back``), or a search for ``q``."""
    return local_path(request.args.get("back")) or ("/?" + urlencode({"q": q}) if q else None)


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
    spans = {p["passage_id"]: match_spans(p["text"], needles) for p in passages}
    shown = {p["passage_id"]: marked(snippet(p["text"], spans[p["passage_id"]], whole=True)) for p in passages}
    return render_template("doc.html", doc=doc, marked=shown, q=q, passages=passages, note=note,
                           is_web_url=is_web_url, matches=sum(len(v) for v in spans.values()), back=back_url(q))


@bp.route("/api/doc/<doc_id>")
def api_doc(doc_id: str):
    return jsonify(document(doc_id))
