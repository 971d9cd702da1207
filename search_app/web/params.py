"""The request's parameters: validated into the core's ``Params``, and carried from page to page.

A parameter that cannot be used raises ``BadRequest`` with a message for the user, in Chinese; the facet
parameters are those of the facet table (``region``, ``type`` …).
"""
from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import current_app, request, url_for

from indexer.facets import FACET_BY_NAME, FACETS, LEVEL_LABELS, UNSTATED
from search_app.core.facets import region_provinces, resolve, resolve_filters
from search_app.core.query import OPEN_END, OPEN_START, QueryError, parse_year_range
from search_app.core.ranking import SORTS
from search_app.core.rewrite import exact, within
from search_app.core.search import Params
from search_app.web.context import index

FILTER_ARGS = tuple(f.param for f in FACETS)
YEAR_ARGS = ("year", "year_from", "year_to")
SHARED_ARGS = ("q", *FILTER_ARGS, *YEAR_ARGS)     # what the search, KWIC, trends, compare and precedents pages share
PARAM_NAMES = {"page": "页码 page", "per_page": "每页条数 per_page", "limit": "条数 limit",
               "width": "语境宽度 width", "sample": "抽样行数 sample", "seed": "随机种子 seed",
               "window": "跨度 window", "min": "最少共现次数 min"}


class BadRequest(ValueError):
    """A request parameter that cannot be used; the message is shown to the user."""


def check_query_length(q: str) -> None:
    limit = current_app.config["MAX_QUERY_CHARS"]
    if len(q) > limit:
        raise BadRequest(f"检索词太长：{len(q)} 个字符（上限 {limit} 个）")


def int_arg(name: str, default: int, lo: int, hi: int) -> int:
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
    q = request_query()
    check_query_length(q)
    per_page = int_arg("per_page", cfg["PER_PAGE"], 1, cfg["MAX_PER_PAGE"])
    page = int_arg("page", 1, 1, cfg["MAX_PAGE"])
    sort = request.args.get("sort", "relevance")
    if sort not in SORTS:
        raise BadRequest(f"排序 sort 只能是 {'、'.join(SORTS)} 之一")
    filters, year = filter_params()
    kwic = request.args.get("kwic") in ("1", "true", "yes")
    strict = request.args.get("strict") in ("1", "true", "yes") or is_exact()   # every word, even when that finds nothing
    group = request.args.get("group", "")
    if group not in ("", "report"):
        raise BadRequest("归并 group 只能是 report（每份报告一段）")
    return Params(q=q, filters=filters, year=year, limit=per_page,
                  offset=(page - 1) * per_page, sort=sort, kwic=kwic, relax=not strict, group=bool(group)), page, per_page


def is_exact() -> bool:
    """Whether the results page's toggle asks for exact matching (``exact=1``) rather than fuzzy (the default)."""
    return request.args.get("exact") in ("1", "true", "yes")


def request_query() -> str:
    """The query the request asks for: ``q`` with the words searched within its results (``within``, ANDed)
    and, when matching is exact, every unquoted word quoted (``rewrite.exact``)."""
    q = within(request.args.get("q", ""), [w for w in request.args.getlist("within") if w.strip()])
    if is_exact() and q.strip():
        check_query_length(q)
        try:
            q = exact(q)
        except QueryError as exc:
            raise BadRequest(str(exc)) from None
    return q


def filter_params() -> tuple[dict[str, list[str]], str | None]:
    """The request's filters (facet name → values) and its year in the core's form, as every page reads them."""
    return {f.name: [v for v in request.args.getlist(f.param) if v] for f in FACETS}, year_param(year_span())


def year_bounds(raw: str) -> tuple[int | None, int | None]:
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
    A reversed range in the boxes is read in order.
    """
    lo, hi = request.args.get("year_from", "").strip(), request.args.get("year_to", "").strip()
    for name, value in (("year_from", lo), ("year_to", hi)):
        if value and not re.fullmatch(r"\d{4}", value):
            raise BadRequest(f"{name} 须是四位数的年份，如 2019，而不是 {value!r}")
    bounds = [(int(lo) if lo else None, int(hi) if hi else None)] if lo or hi else \
        [year_bounds(v) for v in request.args.getlist("year") if v.strip()]
    if not bounds:
        return None
    first = None if any(b[0] is None for b in bounds) else min(b[0] for b in bounds)
    last = None if any(b[1] is None for b in bounds) else max(b[1] for b in bounds)
    if first is not None and last is not None and first > last:
        first, last = last, first           # 2023–2019 is what 2019–2023 says, as in the query language
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


def chosen(name: str) -> list[str]:
    """The values of the request's filter of facet ``name`` as the core reads them (浙江 → 浙江省, 县级 → county,
    ``resolve``): what the sidebar ticks, whichever way the address spelled them."""
    return resolve_filters({name: request.args.getlist(FACET_BY_NAME[name].param)})[name]


def active_filters() -> list[tuple[str, str]]:
    """Every filter of the request as (label, the URL without it), so that each can be dropped in one click."""
    out = [(f"{f.label} {f.values.get(shown, shown)}", toggle_url(f.param, v))     # as read: 浙江 → 省份 浙江省
           for f in FACETS for v in request.args.getlist(f.param) if v.strip() for shown in [resolve(f.name, v)]]
    span = year_span()
    if span:
        out.append((f"年份 {year_label(span)}", url_with(year=None, year_from=None, year_to=None, page=None)))
    return out


def passage_url(doc_id: str, passage_id: str, external: bool = False, **args) -> str:
    """A passage on its report's page (``args``: the query to mark, the way back), absolute with ``external``."""
    return url_for("reader.doc_page", doc_id=doc_id, _anchor=f"p-{passage_id}", _external=external, **args)


def clear_url() -> str:
    """The current URL without any filter (the query kept), for the chips' 全部去掉."""
    return url_with(**{k: None for k in (*SHARED_ARGS[1:], "page")})


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The page links of the pager: the first, the last and a few around the current one; None marks a gap."""
    shown = sorted({1, pages} | set(range(max(1, page - around), min(pages, page + around) + 1)))
    out: list[int | None] = []
    for n in shown:
        if out and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out


def has_search() -> bool:
    """Whether the request asks for anything: words, or a filter alone (browsing by filter is a search)."""
    return any(v.strip() for k in (*SHARED_ARGS, "within") for v in request.args.getlist(k))


def shared_args(without: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """The query and filters of this request, carried to the other pages by the navigation and the forms (the
    words searched within the results and exact matching go into the query they carry; a query that cannot be
    written so, as on its error page, is carried as typed)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k in SHARED_ARGS and k not in without and v]
    if "q" not in without and (request.args.get("within") or is_exact()):
        try:
            args = [("q", request_query())] + [(k, v) for k, v in args if k != "q"]
        except BadRequest:
            pass
    return args


def mode_url(path: str) -> str:
    args = shared_args()
    return path + ("?" + urlencode(args) if args else "")


def json_twin(api_path: str, **changes) -> str:
    """The address of this page's JSON twin: the same parameters under /api/."""
    return api_path + url_with(**changes)[len(request.path):]


def provinces_held() -> list[str]:
    """The provinces the index holds reports of, sorted: the province lists of the forms."""
    return sorted({p for p in region_provinces(index()).values() if p})


SCOPE_ARGS = ("province", "level", *YEAR_ARGS)     # what the scope form of /kwic, /collocates and /similar sets


def scope_form(*own: str) -> dict:
    """The scope form (templates/_scope.html) of a page: its choices, the request's filters as they are read
    (四川 → 四川省, 县级 → county, year=2019-2023 → 2019 and 2023), and every other parameter but the page's
    ``own`` fields, carried hidden so that sending the form keeps them."""
    span = year_span() or (None, None)
    return {"provinces": provinces_held(), "levels": LEVEL_LABELS,
            "year_from": span[0] or "", "year_to": span[1] or "", "province": chosen("province"),
            "level": chosen("level"),
            "keep": [(k, v) for k, v in request.args.items(multi=True) if k not in SCOPE_ARGS + own and v]}


# the pages of the navigation, in its order; a page under another's tab names it in MODE_OF
MODES = (("/", "检索"), ("/kwic", "语境"), ("/similar", "先例"), ("/trends", "趋势"), ("/compare", "对比"),
         ("/spread", "传播"), ("/figures", "数据"))
MODE_OF = {"/collocates": "/kwic"}


def current_mode() -> str:
    """The navigation tab of this page."""
    return MODE_OF.get(request.path, request.path)


TEMPLATE_GLOBALS = {"modes": MODES, "current_mode": current_mode, "shared_args": shared_args, "mode_url": mode_url, "url_with": url_with, "toggle_url": toggle_url,
                    "chosen": chosen, "unstated": UNSTATED, "is_exact": is_exact}
