"""The Flask front end: thin views over the search core, each HTML page with a JSON twin.

Every limit is a named setting; parameters are validated into a ``Params`` before the core sees them and
a bad one gives 400 with the canonical error shape. Markup reaches templates only as the ``Markup`` made by
``search_app.highlight``; everything else is autoescaped.
"""
from __future__ import annotations

import math
import os
import re
import weakref
from pathlib import Path
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from indexer.settings import parse_bool
from indexer.index.build import IndexMismatch, IndexMissing
from search_app.query import MAX_QUERY_CHARS, OPEN_END, OPEN_START, QueryError, parse_year_range
from search_app.region_tree import region_tree
from search_app.search import SORTS, Params, open_index, region_provinces, search, similar, stats

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = {"INDEX_DIR": "data/index", "PER_PAGE": 20, "MAX_PER_PAGE": 50, "MAX_PAGE": 500,
            "MAX_QUERY_CHARS": MAX_QUERY_CHARS, "DEBUG": False,
            "KWIC_HITS": 100,             # passages whose keyword-in-context lines the KWIC page lists
            "SIMILAR_LIMIT": 20,          # precedents listed by /similar and /api/similar unless `limit` says
            "MAX_SIMILAR_CHARS": 5000,    # longest paragraph that may be pasted for precedents
            "EXPORT_ROWS": 100_000}       # rows one export streams at most
LEVEL_NAMES = {"national": "全国", "provincial": "省级", "city": "市级", "county": "县级"}
FILTER_ARGS = {"region": "region", "province": "province", "level": "level", "section": "section",
               "type": "doc_type"}
FACET_NAMES = {"region": "地区", "province": "省份", "level": "层级", "section": "栏目", "doc_type": "文种"}
# Chinese for the errors Werkzeug raises itself; an error raised with its own description keeps it.
HTTP_MESSAGES = {400: "请求有误。", 404: "找不到这个页面。", 405: "这个地址不接受这种请求方式。",
                 413: "请求太大。", 500: "服务器出错，请求没有完成。"}
PARAM_NAMES = {"page": "页码 page", "per_page": "每页条数 per_page", "limit": "条数 limit"}

bp = Blueprint("lrsearch", __name__)


class BadRequest(ValueError):
    """A request parameter that cannot be used; the message is shown to the user."""


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app. Configuration: defaults, then LRSEARCH_* environment variables, then ``test_config``."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder="static")
    app.config.update(DEFAULTS)
    if os.environ.get("LRSEARCH_INDEX"):
        app.config["INDEX_DIR"] = os.environ["LRSEARCH_INDEX"]
    if os.environ.get("LRSEARCH_DEBUG") is not None:
        app.config["DEBUG"] = parse_bool(os.environ["LRSEARCH_DEBUG"])
    if test_config:
        app.config.update(test_config)
    app.debug = False          # never the interactive debugger, whatever the configuration says
    app.json.ensure_ascii = False   # the same JSON as `lrsearch search --json`: Chinese as is, keys in order
    app.json.sort_keys = False
    app.register_blueprint(bp)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(BadRequest, lambda e: _error(str(e), 400))
    app.register_error_handler(QueryError, lambda e: _error(f"查询无法执行：{e}", 400))
    app.register_error_handler(IndexMissing, _index_unavailable)
    app.register_error_handler(IndexMismatch, _index_unavailable)
    app.register_error_handler(Exception, _internal_error)
    app.jinja_env.globals.update(level_name=lambda v: LEVEL_NAMES.get(v, v or "—"))
    return app


def _security_headers(resp):
    resp.headers["Content-Security-Policy"] = ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                               "script-src 'self'; object-src 'none'; base-uri 'none'; "
                                               "form-action 'self'; frame-ancestors 'none'")
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["X-Frame-Options"] = "DENY"
    resp.headers["Referrer-Policy"] = "no-referrer"
    return resp


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _error(message: str, status: int):
    if _wants_json():
        return jsonify({"ok": False, "error": message, "status": status}), status
    return render_template("error.html", message=message, status=status), status


def _http_error(e: HTTPException):
    code = e.code or 500
    own = e.description and e.description != type(e).description
    resp, status = _error(e.description if own else HTTP_MESSAGES.get(code, f"请求无法完成（{code}）。"), code)
    if getattr(e, "valid_methods", None):
        resp = current_app.make_response(resp)
        resp.headers["Allow"] = ", ".join(e.valid_methods)
    return resp, status


def _index_unavailable(e: Exception):
    """The index's own message names server paths: it goes to the log, the user gets a plain sentence."""
    current_app.logger.error("index unavailable: %s", e)
    return _error("检索服务暂不可用：索引尚未建立，或版本与本程序不符，需要重建。", 503)


def _internal_error(e: Exception):
    current_app.logger.exception("unhandled error")
    return _error("服务器出错，请求没有完成。", 500)


def _index():
    return open_index(current_app.config["INDEX_DIR"])


def _int(name: str, default: int, lo: int, hi: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not lo <= value <= hi:
        raise BadRequest(f"{PARAM_NAMES.get(name, name)}须是 {lo} 到 {hi} 之间的整数，而不是 {raw!r}")
    return value


def search_params() -> tuple[Params, int, int]:
    """Validate the request's search parameters (shared by the page, its JSON twin and the exports)."""
    cfg = current_app.config
    q = request.args.get("q", "")
    if len(q) > cfg["MAX_QUERY_CHARS"]:
        raise BadRequest(f"检索词太长：{len(q)} 个字符（上限 {cfg['MAX_QUERY_CHARS']} 个）")
    per_page = _int("per_page", cfg["PER_PAGE"], 1, cfg["MAX_PER_PAGE"])
    page = _int("page", 1, 1, cfg["MAX_PAGE"])
    sort = request.args.get("sort", "relevance")
    if sort not in SORTS:
        raise BadRequest(f"排序 sort 只能是 {'、'.join(SORTS)} 之一")
    filters = {FILTER_ARGS[k]: [v for v in request.args.getlist(k) if v] for k in FILTER_ARGS}
    kwic = request.args.get("kwic") in ("1", "true", "yes")
    strict = request.args.get("strict") in ("1", "true", "yes")      # every word, even when that finds nothing
    return Params(q=q, filters=filters, year=year_param(year_span()), limit=per_page,
                  offset=(page - 1) * per_page, sort=sort, kwic=kwic, relax=not strict), page, per_page


YEAR_ARGS = ("year", "year_from", "year_to")
def _year_bounds(raw: str) -> tuple[int | None, int | None]:
    """One year value as (first, last), the core's rule, with an open end as None."""
    try:
        lo, hi = parse_year_range(raw)
    except QueryError as exc:
        raise BadRequest(str(exc)) from None
    return (None if lo == OPEN_START else lo), (None if hi == OPEN_END else hi)


def year_span() -> tuple[int | None, int | None] | None:
    """The request's one year filter as (first, last), an open end as None; None when there is none.

    The range boxes send ``year_from``/``year_to`` and the year facet sends its ticked years as ``year``
    (``year=2019&year=2020``; a value may also be a range, as in ``year=2019-2023``). The two forms are
    separate, so a request carries one or the other; should it carry both, the range boxes win. Ticked years
    are OR-ed: the core takes one range, so the filter is the span from the first ticked year to the last.
    """
    lo, hi = request.args.get("year_from", "").strip(), request.args.get("year_to", "").strip()
    for name, value in (("year_from", lo), ("year_to", hi)):
        if value and not re.fullmatch(r"\d{4}", value):
            raise BadRequest(f"{name} 须是四位数的年份，如 2019，而不是 {value!r}")
    bounds = [(int(lo) if lo else None, int(hi) if hi else None)] if lo or hi else \
        [_year_bounds(v) for v in request.args.getlist("year") if v.strip()]
    if not bounds:
        return None
    first = None if any(b[0] is None for b in bounds) else min(b[0] for b in bounds)
    last = None if any(b[1] is None for b in bounds) else max(b[1] for b in bounds)
    if first is not None and last is not None and first > last:
        raise BadRequest(f"年份范围 {first}–{last} 首尾颠倒")
    return first, last


def year_param(span: tuple[int | None, int | None] | None) -> str | None:
    """The span in the core's form: 2019, 2019-2023, 2019- or -2023."""
    if span is None:
        return None
    lo, hi = span
    return str(lo) if lo == hi else f"{lo or ''}-{hi or ''}"


def year_label(span: tuple[int | None, int | None]) -> str:
    lo, hi = span
    if lo == hi:
        return f"{lo}年"
    return f"{lo}–{hi}年" if lo and hi else (f"{lo}年起" if lo else f"{hi}年止")


def in_span(year: int, span) -> bool:
    return span is not None and (span[0] is None or span[0] <= year) and (span[1] is None or year <= span[1])


def url_with(**changes) -> str:
    """The current URL with some parameters replaced (None removes one); used for facets and paging."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in changes]
    for k, v in changes.items():
        if v is None:
            continue
        args += [(k, x) for x in v] if isinstance(v, list) else [(k, v)]
    return request.path + ("?" + urlencode(args) if args else "")


def toggle_url(arg: str, value: str) -> str:
    values = request.args.getlist(arg)
    values = [v for v in values if v != value] if value in values else values + [value]
    return url_with(**{arg: values, "page": None})


def active_filters() -> list[tuple[str, str]]:
    """Every filter of the request as (label, the URL without it), so that each can be dropped in one click."""
    out = [(f"{FACET_NAMES[FILTER_ARGS[arg]]} {LEVEL_NAMES.get(v, v) if arg == 'level' else v}", toggle_url(arg, v))
           for arg in FILTER_ARGS for v in request.args.getlist(arg) if v]
    span = year_span()
    if span:
        out.append((f"年份 {year_label(span)}", url_with(year=None, year_from=None, year_to=None, page=None)))
    return out


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The page links of the pager: the first, the last and a few around the current one; None marks a gap."""
    shown = sorted({1, pages} | set(range(max(1, page - around), min(pages, page + around) + 1)))
    out: list[int | None] = []
    for n in shown:
        if out and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out


def sidebar_facets(result: dict) -> dict:
    """The counts the sidebar shows: a facet with a selected value lists every value it could be OR-ed with."""
    return {**result["facets"], **result.get("facets_or", {})}


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
                ticked |= {i["year"] for i in items if in_span(i["year"], _year_bounds(v))}
    between = sorted(i["year"] for i in items if i["on"] and i["count"] and ticked and i["year"] not in ticked)
    return items, between


def with_region_tree(result: dict) -> dict:
    """Add the region facet nested province → city → county (``region_tree``); the flat facets stay as they are."""
    facets = sidebar_facets(result)
    result["region_tree"] = region_tree(facets["region"], facets["province"], region_provinces(_index()),
                                        request.args.getlist("region"), request.args.getlist("province"))
    return result


@bp.app_template_global()
def facet_arg(name: str) -> str:
    return "type" if name == "doc_type" else name


SHARED_ARGS = ("q", *FILTER_ARGS, *YEAR_ARGS)     # what the search, KWIC, trends, compare and precedents pages share


@bp.app_template_global()
def shared_args(without: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """The query and filters of this request, carried to the other pages by the navigation and the forms."""
    return [(k, v) for k, v in request.args.items(multi=True) if k in SHARED_ARGS and k not in without and v]


@bp.app_template_global()
def mode_url(path: str) -> str:
    args = shared_args()
    return path + ("?" + urlencode(args) if args else "")


# ------------------------------------------------------------------------------------------ citations

HEADING_END = "。；;：:，,、 "


def report_name(doc: dict) -> str:
    """The name a citation gives a report: its title when the title names the congress, else body + type.

    Many reports carry a slogan as their title (《围绕中心 服务大局 努力开创新时代人大工作新局面》); the
    citation then says whose report it is (《巴彦淖尔市人大常委会工作综述》). A title of slogan and name
    (凝心聚力担使命丨2024年义乌市人大常委会工作综述) is cut to the part with the name.
    """
    title, body, region = doc.get("title") or "", doc.get("body") or "", doc.get("region") or ""
    names = [n for n in (body, region) if n]
    for part in re.split(r"[丨|｜]", title):
        if any(n in part for n in names):
            return part.strip()
    if body and doc.get("doc_type") not in (None, "", "other"):
        return body + doc["doc_type"]
    return title


def top_sections(doc: dict) -> dict[str, str | None]:
    """Each passage's top-level section heading (level 1, or the highest level the report has), without the
    trailing 。；：, as a citation names the section; None before the first heading."""
    levels = [s["level"] for s in doc["sections"] if s["heading"] and s["level"] > 0]
    top = min(levels, default=None)
    out, current = {}, None
    for s in doc["sections"]:
        if s["level"] == top or s["level"] == 0:
            current = s["heading"].rstrip(HEADING_END) or None
        for p in s["passages"]:
            out[p["passage_id"]] = current
    return out


_CITE_FACTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # per opened generation, dies with it
CITE_CACHE_REPORTS = 4096       # reports whose citation facts are kept per generation


def _cite_facts(doc_id: str) -> dict:
    """What citations of one report need, read from the report once per index generation."""
    ix = _index()
    cache = _CITE_FACTS.setdefault(ix, {})
    if doc_id not in cache:
        if len(cache) >= CITE_CACHE_REPORTS:
            cache.clear()
        doc = ix.document(doc_id) or {"sections": [], "sources": []}
        cache[doc_id] = {"name": report_name(doc), "sections": top_sections(doc) if doc["sections"] else {},
                         "url": next((s for s in doc.get("sources") or [] if is_web_url(s)), None)}
    return cache[doc_id]


def with_citations(hits: list[dict]) -> list[dict]:
    """Give each hit ``citation``: 《report》（2020年）“三、全力抓好监督工作”, and ``citation_url``, the
    report's web address or, for a report with none, its page here at the passage."""
    for h in hits:
        facts = _cite_facts(h["doc_id"])
        section = facts["sections"].get(h["passage_id"])
        h["citation"] = (f"《{facts['name']}》（{h['year'] or '年份不详'}{'年' if h['year'] else ''}）"
                         + (f"“{section}”" if section else ""))
        h["citation_url"] = facts["url"] or url_for("lrsearch.doc_page", doc_id=h["doc_id"], _external=True,
                                                    _anchor=f"p-{h['passage_id']}")
    return hits


# --------------------------------------------------------------------------------- the parsed query

def tree_zh(node, top: bool = True) -> str:
    """The boolean tree of a query in Chinese: 并且, 或, 不含; inner groups in （）."""
    if node.op == "word":
        return node.text
    if node.op == "phrase":
        return f"“{node.text}”"
    if node.op == "near":
        return f"“{node.text}”（{node.slop} 词以内）"
    if node.op == "not":
        return "不含 " + tree_zh(node.children[0], False)
    if node.op == "all":
        return "全部段落"
    parts = [c for c in node.children if c.op != "all"] or node.children
    text = (" 或 " if node.op == "or" else " 并且 ").join(tree_zh(c, False) for c in parts)
    return text if top or len(parts) == 1 else f"（{text}）"


def explain(q: str, parsed: dict) -> dict:
    """How the query was understood, for people: the tree in Chinese, the filters written in the query
    (level:county year:2019-2023) and the question phrasing dropped."""
    from search_app.query import parse
    tree = tree_zh(parse(q).tree) if q.strip() else "全部段落（只按筛选条件）"
    filters = [f"{FACET_NAMES.get(k, k)}：{'、'.join(LEVEL_NAMES.get(v, v) if k == 'level' else v for v in values)}"
               for k, values in (parsed.get("filters") or {}).items() if values]
    if parsed.get("year"):
        lo, hi = parsed["year"]
        filters.append(f"年份：{year_label((None if lo == OPEN_START else lo, None if hi == OPEN_END else hi))}")
    return {"tree": tree, "filters": filters, "ignored": parsed.get("ignored") or []}


def marked(hits: list[dict]) -> list[dict]:
    """Let the templates insert a hit's highlights as markup: made by search_app.highlight, escaped, then marked."""
    for h in hits:
        h["highlight"] = Markup(h["highlight"])
        h["lead_highlight"] = Markup(h.get("lead_highlight", ""))
    return hits


def has_search() -> bool:
    """Whether the request asks for anything: words, or a filter alone (browsing by filter is a search)."""
    return any(v.strip() for k in ("q", *FILTER_ARGS, *YEAR_ARGS) for v in request.args.getlist(k))


@bp.route("/")
def search_page():
    if not has_search():
        return render_template("search.html", result=None, params=None)
    params, page, per_page = search_params()
    result = with_region_tree(search(_index(), params))
    with_citations(result["hits"])
    marked(result["hits"])
    pages = max(1, math.ceil(result["total"] / per_page))
    beyond = page > pages and result["total"] > 0       # a stale link: say so and offer the last page
    facets = sidebar_facets(result)
    span = year_span()
    years, between = year_items(facets, span)
    return render_template("search.html", result=result, params=params, page=page, pages=pages, beyond=beyond,
                           page_numbers=page_numbers(page, pages), active_filters=active_filters(),
                           facets=facets, years=years, years_between=between, span=span,
                           explained=explain(params.q, result["parsed"]),
                           clear_url=url_with(**{k: None for k in (*FILTER_ARGS, *YEAR_ARGS, "page")}),
                           url_with=url_with, toggle_url=toggle_url, selected=request.args,
                           json_url="/api/search" + url_with()[len(request.path):],
                           export_query=url_with(page=None, per_page=None)[len(request.path):])


@bp.route("/export.<fmt>")
def export(fmt: str):
    """The whole result set (not just the page), streamed as CSV or JSON lines."""
    from search_app.export import csv_lines, jsonl_lines
    from search_app.search import export_records
    if fmt not in ("csv", "jsonl"):
        abort(404)
    params, _, _ = search_params()
    records = export_records(_index(), params, limit=current_app.config["EXPORT_ROWS"])
    first = next(records, None)       # run the query now, so that a bad one is a 400, not a broken stream

    def all_records():
        if first is not None:
            yield first
            yield from records
    body = csv_lines(all_records(), bom=True) if fmt == "csv" else jsonl_lines(all_records())
    mimetype = "text/csv" if fmt == "csv" else "application/x-ndjson"
    return Response(stream_with_context(body), content_type=mimetype + "; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=lrsearch-export.{fmt}"})


# ------------------------------------------------------------------------------------- trends, compare

TREND_DIMENSIONS = {k: FACET_NAMES[k] for k in ("province", "region", "level", "doc_type", "section")}
COMPARE_DIMENSIONS = ("province", "region")
COMPARE_MIN, COMPARE_MAX = 2, 5
SLOT_W, CHART_MIN_W, CHART_H = 44, 320, 240   # the trend chart in pixels, drawn at its size (a phone scrolls it)
SMALL_W, SMALL_H = 320, 150          # one small multiple of the comparison, in pixels
GAP_ROW = {"passages": 0, "reports": 0, "reports_held": 0, "share_of_reports": None, "passages_per_report": None}


def by_year(rows: list[dict], years: list[int]) -> list[dict]:
    """One entry per year of ``years``; a year with no report held is a gap (``gap``, ratios None)."""
    have = {r["year"]: r for r in rows if r["year"]}
    return [{**(have.get(y) or {**GAP_ROW, "year": y}), "gap": y not in have} for y in years]


def trend_data(params: Params, by: str) -> dict:
    """What /trends and /compare show and /api/trends returns: per year from the first report held to the last
    (gaps included), hits and reports normalised by the reports held; and the same per group of ``by``."""
    year_stats = stats(_index(), params, ["year"])
    held_years = [r["year"] for r in year_stats["rows"] if r["year"]]
    years = list(range(min(held_years), max(held_years) + 1)) if held_years else []
    undated = next((r for r in year_stats["rows"] if not r["year"]), None)
    grouped: dict = {}
    for r in stats(_index(), params, [by, "year"])["rows"]:
        grouped.setdefault(r[by], []).append(r)
    groups = [{"name": name, "reports": sum(r["reports"] for r in rows), "years": by_year(rows, years)}
              for name, rows in grouped.items()]
    groups.sort(key=lambda gr: (gr["name"] is None, -gr["reports"], str(gr["name"])))   # unnamed last
    return {"query": params.q, "by": by, "total": year_stats["total"], "reports": year_stats["reports"],
            "undated": {k: undated[k] for k in ("passages", "reports", "reports_held")} if undated else None,
            "years": by_year(year_stats["rows"], years), "groups": groups, "parsed": year_stats["parsed"]}


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
    data = trend_data(params, by)
    width = max(CHART_MIN_W, SLOT_W * len(data["years"]))
    return {"data": data, "bars": bars(data["years"], "passages_per_report", width, CHART_H),
            "label": TREND_DIMENSIONS[by], "chart_w": width, "chart_h": CHART_H}


@bp.route("/trends")
def trends_page():
    """Hits per year normalised per report held, with the reports held beside them; and a group × year matrix."""
    params, _, _ = search_params()
    by = _by(tuple(TREND_DIMENSIONS))
    return render_template("trends.html", **trend_view(params, by), by=by, dimensions=TREND_DIMENSIONS,
                           url_with=url_with, searched=has_search(),
                           active_filters=active_filters(), clear_url=url_with(
                               **{k: None for k in (*FILTER_ARGS, *YEAR_ARGS)}),
                           json_url="/api/trends" + url_with()[len(request.path):],
                           compare_url="/compare" + url_with(by=by if by in COMPARE_DIMENSIONS else None)[
                               len(request.path):])


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
    held = region_provinces(_index())
    choices = sorted({p for p in held.values() if p} if by == "province" else set(held))
    view = {"by": by, "label": TREND_DIMENSIONS[by], "names": names, "metric": metric, "metrics": COMPARE_METRICS,
            "choices": choices, "slots": COMPARE_MAX, "url_with": url_with, "data": None,
            "keep": [(k, v) for k, v in request.args.items(multi=True) if k not in (by, "by", "q", "metric", "page")],
            "json_url": "/api/trends" + url_with(metric=None)[len(request.path):]}
    if len(names) < COMPARE_MIN:
        return render_template("compare.html", **view)
    data = trend_data(params, by)
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
    return jsonify(trend_data(params, _by(tuple(TREND_DIMENSIONS))))


KWIC_ORDERS = {"": "相关度", "left": "左语境", "right": "右语境"}


def kwic_data() -> dict:
    """What /kwic shows and /api/kwic returns: the keyword-in-context lines of the first ``KWIC_HITS`` hits,
    in relevance order or sorted by the context left of the keyword (read backwards) or right of it."""
    order = request.args.get("order", "")
    if order not in KWIC_ORDERS:
        raise BadRequest("排序 order 只能是 left（按左语境）或 right（按右语境）")
    if not request.args.get("q", "").strip():
        raise BadRequest("语境需要检索词")
    params, _, _ = search_params()
    # a concordance shows the query's own contexts: never passages that lack some of its words
    params.kwic, params.limit, params.offset, params.relax = True, current_app.config["KWIC_HITS"], 0, False
    result = search(_index(), params)
    lines = [{"left": left, "match": match, "right": right, "passage_id": h["passage_id"], "doc_id": h["doc_id"],
              "title": h["title"], "region": h["region"], "year": h["year"]}
             for h in result["hits"] for left, match, right in h.get("kwic", [])]
    if order:
        lines.sort(key=(lambda x: x["left"][::-1]) if order == "left" else (lambda x: x["right"]))
    return {"query": params.q, "total": result["total"], "hits": len(result["hits"]), "order": order or None,
            "lines": lines, "parsed": result["parsed"]}


@bp.route("/kwic")
def kwic_page():
    """Keyword-in-context lines for a query, sortable by the left or the right context."""
    if not request.args.get("q", "").strip():
        return render_template("kwic.html", data=None)
    return render_template("kwic.html", data=kwic_data(), url_with=url_with, orders=KWIC_ORDERS,
                           json_url="/api/kwic" + url_with()[len(request.path):])


@bp.route("/api/kwic")
def api_kwic():
    return jsonify(kwic_data())


def similar_result() -> dict | None:
    """Precedents for ``passage_id`` or pasted ``text`` (the page and /api/similar alike); None for neither."""
    cfg = current_app.config
    pid, text = request.args.get("passage_id") or None, request.args.get("text") or None
    if not pid and not text:
        return None
    if text and len(text) > cfg["MAX_SIMILAR_CHARS"]:
        raise BadRequest(f"粘贴的文字太长：{len(text)} 个字符（上限 {cfg['MAX_SIMILAR_CHARS']} 个），请只粘贴一段")
    result = similar(_index(), passage_id=pid, text=text, limit=_int("limit", cfg["SIMILAR_LIMIT"], 1, 100),
                     max_chars=cfg["MAX_SIMILAR_CHARS"])
    with_citations(result["hits"])
    return result


@bp.route("/similar")
def similar_page():
    """Precedents: paste a paragraph (or come from a passage) and get the most similar passages of other reports."""
    result = similar_result()
    marked(result["hits"] if result else [])
    return render_template("similar.html", result=result,
                           json_url="/api/similar" + url_with()[len(request.path):])


@bp.route("/api/search")
def api_search():
    params, _, _ = search_params()
    result = with_region_tree(search(_index(), params))
    with_citations(result["hits"])
    return jsonify(result)


def _document(doc_id: str) -> dict:
    """A report as the web shows it: sources that are files on the server reduced to their file names."""
    if len(doc_id) > 64:
        abort(404)
    doc = _index().document(doc_id)
    if doc is None:
        abort(404, description=f"索引中没有编号为 {doc_id!r} 的报告。")
    doc["sources"] = [public_source(s) for s in doc.get("sources") or []]
    doc["source"] = public_source(doc["source"]) if doc.get("source") else doc.get("source")
    return doc


def is_web_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def public_source(source: str) -> str:
    """A web address as is; a path on the server only by its file name (the server's layout is nobody's business)."""
    return source if is_web_url(source) else re.split(r"[/\\]", source)[-1]


@bp.route("/doc/<doc_id>")
def doc_page(doc_id: str):
    """The report, its passages marked with the query's words; a query that cannot be parsed marks nothing."""
    from search_app.highlight import highlight, match_spans
    from search_app.query import parse
    from search_app.search import highlight_needles
    doc = _document(doc_id)
    q = request.args.get("q", "")
    if len(q) > current_app.config["MAX_QUERY_CHARS"]:
        raise BadRequest(f"检索词太长：{len(q)} 个字符（上限 {current_app.config['MAX_QUERY_CHARS']} 个）")
    needles, note = [], None
    if q:
        try:
            needles = highlight_needles(_index(), parse(q))
        except QueryError as e:
            note = f"检索词无法用于标记（{e}），正文未加标记。"
    passages = [p for s in doc["sections"] for p in s["passages"]]
    marked = {p["passage_id"]: highlight(p["text"], match_spans(p["text"], needles), whole=True) for p in passages}
    return render_template("doc.html", doc=doc, marked=marked, q=q, passages=passages, note=note,
                           is_web_url=is_web_url)


@bp.route("/api/doc/<doc_id>")
def api_doc(doc_id: str):
    return jsonify(_document(doc_id))


@bp.route("/api/similar")
def api_similar():
    result = similar_result()
    if result is None:
        raise BadRequest("先例需要一段文字 text 或一个段落编号 passage_id")
    return jsonify(result)


@bp.route("/api/stats")
def api_stats():
    params, _, _ = search_params()
    by = [d for d in request.args.get("by", "year").split(",") if d]
    return jsonify(stats(_index(), params, by))


@bp.route("/-/health.json")
def health():
    ix = _index()
    return jsonify({"ok": True, "generation": ix.generation.name, "passages": ix.n})

