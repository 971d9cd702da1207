"""Saved searches on the web: the save form of the results page (POST /saved), the list of saved searches
(/saved, its JSON twin /api/saved), and Atom feeds of the newest passages by ingest time, one per saved search
(/saved/<name>.atom) and one for any search (/feed.atom?q=…).

Saving writes the saved-search file beside the index (``search_app.saved``), never the index. The form is
accepted only from this site's own pages: the browser says so in ``Sec-Fetch-Site`` (or, without it, in an
``Origin`` of this host); the pages send no referrer, so a same-site POST carries ``Origin: null`` and only the
first header tells it apart.
"""
from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import Forbidden, NotFound

from indexer.facets import FACETS
from search_app.core.alerts import FEED_ENTRIES, iso, newest
from search_app.core.records import Hit
from search_app.core.search import Params, result_rows
from search_app.saved import NAME_MAX, NameTaken, Saved, SavedSearches, saved_file, valid_name
from search_app.web.context import index
from search_app.web.params import BadRequest, check_query_length, passage_url, search_params

bp = Blueprint("saved", __name__)

ATOM = "http://www.w3.org/2005/Atom"
TAG = "tag:lrsearch,2026:"        # RFC 4151: the entries' and feeds' ids, the same on every server
ET.register_namespace("", ATOM)


def store() -> SavedSearches:
    """The saved searches of the app's index (``SAVED_FILE`` in the configuration puts them elsewhere)."""
    return SavedSearches(current_app.config.get("SAVED_FILE") or saved_file(current_app.config["INDEX_DIR"]))


@bp.app_template_global()
def saved_args(params: Params) -> list[tuple[str, str]]:
    """A search as the parameters that save it or ask for its feed: the query, the facets' values, the year."""
    return Saved("-", params.q, params.filters, params.year).query_args()


def _from_this_site() -> bool:
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site == "same-origin"
    return request.headers.get("Origin") == request.host_url.rstrip("/")


@bp.post("/saved")
def save():
    """Save the search of the form under its name; then to the list, which shows it."""
    if not _from_this_site():
        raise Forbidden("没有保存：保存检索只能从本站的检索结果页提交。")
    name = request.form.get("name", "").strip()
    if not valid_name(name):
        raise BadRequest(f"名称须为 1 到 {NAME_MAX} 个字符，不能含 / 或 \\ 及控制字符。")
    q = request.form.get("q", "")
    check_query_length(q)
    params = Params(q=q, filters={f.name: [v for v in request.form.getlist(f.param) if v] for f in FACETS},
                    year=request.form.get("year") or None)
    ix = index()
    result_rows(ix, params)          # a search that cannot be run is a 400 now (QueryError), not a broken feed
    try:
        store().add(Saved(name, params.q, params.filters, params.year, created=time.time(), seen=ix.latest_ingest()))
    except NameTaken:
        raise BadRequest(f"已有名为“{name}”的保存检索，请换一个名称。") from None
    return redirect(url_for("saved.saved_page", saved=name), 303)


def _listed(s: Saved) -> dict:
    args = urlencode(s.query_args())
    return {**s.to_json(), "created": iso(s.created), "last_run": iso(s.last_run) if s.last_run else None,
            "search_url": f"/?{args}", "feed_url": url_for("saved.saved_feed", name=s.name),
            "filters_text": " · ".join(f"{f.label}：{'、'.join(f.values.get(v, v) for v in s.filters[f.name])}" for f in FACETS
                                       if s.filters.get(f.name)) + (f" · 年份：{s.year}" if s.year else "")}


@bp.route("/saved")
def saved_page():
    """The saved searches; the note of one just saved only when it is one of them (never an address's words)."""
    searches = [_listed(s) for s in store().all()]
    just_saved = request.args.get("saved")
    return render_template("saved.html", searches=searches, json_url="/api/saved",
                           just_saved=just_saved if any(s["name"] == just_saved for s in searches) else None)


@bp.route("/api/saved")
def api_saved():
    """The saved searches, each with the addresses of its search and its feed."""
    return jsonify({"saved": [_listed(s) for s in store().all()]})


@bp.route("/saved/<name>.atom")
def saved_feed(name: str):
    s = store().get(name)
    if s is None:
        raise NotFound(f"没有名为“{name}”的保存检索。")
    return _feed(s.params(), f"{TAG}saved/{quote(name)}", f"保存检索“{name}” — 人大报告检索",
                 f"/?{urlencode(s.query_args())}")


@bp.route("/feed.atom")
def feed():
    """The newest passages of any search (the search page's parameters) as a feed."""
    params, _, _ = search_params()
    params = Params(q=params.q, filters=params.filters, year=params.year)
    args = urlencode(saved_args(params))
    return _feed(params, f"{TAG}feed?{args}", f"“{params.q or '筛选'}”的新段落 — 人大报告检索", f"/?{args}")


def _feed(params: Params, feed_id: str, title: str, search_path: str) -> Response:
    """An Atom feed (RFC 4287) of the newest ``FEED_ENTRIES`` passages the search finds, by ingest time."""
    result = newest(index(), params, limit=FEED_ENTRIES)
    root = ET.Element(f"{{{ATOM}}}feed")
    _add(root, "id", feed_id)
    _add(root, "title", title)
    _add(root, "updated", result["hits"][0].ingested if result["hits"] else iso(result["seen"]))
    _add(_add(root, "author"), "name", "人大报告检索 lrsearch")
    _add(root, "link", rel="self", type="application/atom+xml", href=request.url)
    _add(root, "link", rel="alternate", type="text/html", href=request.host_url.rstrip("/") + search_path)
    _add(root, "generator", "lrsearch")
    for h in result["hits"]:
        _entry(root, h)
    body = ET.tostring(root, encoding="unicode", xml_declaration=True)
    return Response(body, content_type="application/atom+xml; charset=utf-8")


def _entry(root: ET.Element, h: Hit) -> None:
    e = _add(root, "entry")
    _add(e, "id", f"{TAG}passage/{quote(h.passage_id)}")
    _add(e, "title", f"{h.title} · {h.section}" + (f" · {h.heading}" if h.heading else ""))
    _add(e, "updated", h.ingested)
    _add(e, "link", rel="alternate", type="text/html",
         href=passage_url(h.doc_id, h.passage_id, external=True))
    _add(_add(e, "author"), "name", h.body or h.title)
    _add(e, "summary", h.text, type="text")


NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")     # characters XML 1.0 cannot carry


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs) -> ET.Element:
    """An Atom element; its text and attributes (the self link is the request's address) kept to XML 1.0."""
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: NOT_XML.sub("", v) for k, v in attrs.items()})
    el.text = NOT_XML.sub("", text) if text else text
    return el
