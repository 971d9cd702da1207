"""Drill-down and downloads of the research pages' tables, as Datasette does it: every count links to the search
it counts, and every table can be taken away as CSV (values with their Chinese labels, for a spreadsheet) or
JSON (values as the index stores them, with the address of each count's search)."""
from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Response, request

from indexer.facets import FACETS, UNSTATED
from search_app.core.query import OPEN_END, OPEN_START
from search_app.formats import delimited_lines
from search_app.web.params import SHARED_ARGS, YEAR_ARGS
from search_app.web.render import facet_arg

TABLE_FORMATS = ("csv", "json")     # as the routes take them (<any(csv, json):fmt>)
MIMETYPES = {"csv": "text/csv", "json": "application/json", "jsonl": "application/x-ndjson"}
_KEYS = {f.name: f.keys[0] for f in FACETS}


def count_url(parsed: dict | None, by: str | None = None, name: str | None = None, year: int | None = None,
              words: bool = True, reports: bool = False) -> str:
    """The search whose total a count is: this page's query and filters, narrowed to one group of ``by`` and
    one year; with ``reports``, one passage per report, so that it counts reports. Without ``words``, the
    search of the reports held: the query's words left out, the filters it holds (``parsed``, as the core
    understood it) kept in the query as filters, so that they still intersect."""
    drop = {facet_arg(by)} if by else set()
    drop |= set(YEAR_ARGS) if year else set()
    args = [(k, v) for k, v in request.args.items(multi=True) if k in SHARED_ARGS and v.strip() and k not in drop]
    if not words:
        args = [(k, v) for k, v in args if k != "q"]
        if filters := query_filters(parsed, with_year=not year):
            args.insert(0, ("q", filters))
    if by:
        args.append((facet_arg(by), UNSTATED if name is None else name))
    if year:
        args.append(("year", str(year)))
    if reports:
        args.append(("group", "report"))
    return "/?" + urlencode(args)


def query_filters(parsed: dict | None, with_year: bool = True) -> str:
    """The filters written in a query, as the query language writes them (level:county year:2019-)."""
    if not parsed:
        return ""
    out = [f"{_KEYS[name]}:{v}" for name, values in (parsed.get("filters") or {}).items() for v in values]
    if with_year and parsed.get("year"):
        lo, hi = parsed["year"]
        out.append(f"year:{'' if lo == OPEN_START else lo}-{'' if hi == OPEN_END else hi}")
    return " ".join(out)


def table_response(fmt: str, name: str, columns: list[str], rows: list[dict], meta: dict) -> Response:
    """One table as a download: CSV (a header of ``columns``, facet values with their Chinese labels, as
    ``formats.cell`` writes them, and a group of no value as （未标明）) or JSON (``meta``, the columns and the
    rows as they are)."""
    if fmt == "json":
        return download(fmt, name, json.dumps({**meta, "columns": columns, "rows": rows}, ensure_ascii=False))
    labelled = [{k: UNSTATED if v is None and k in _KEYS else v for k, v in r.items()} for r in rows]
    return download(fmt, name, "".join(delimited_lines(labelled, columns, bom=True)))


def download(fmt: str, name: str, body) -> Response:
    """A file to take away, in UTF-8: ``lrsearch-<name>.<fmt>``; ``body`` a string or an iterable of them."""
    return Response(body, content_type=MIMETYPES[fmt] + "; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=lrsearch-{name}.{fmt}"})


def download_links(path: str) -> list[tuple[str, str]]:
    """(format, address) of a table's downloads: this page's parameters under ``path``."""
    query = request.query_string.decode()
    return [(fmt.upper(), f"{path}.{fmt}" + (f"?{query}" if query else "")) for fmt in TABLE_FORMATS]
