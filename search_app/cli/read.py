"""The read side's commands: search, kwic, similar, stats, trends and spread, each with the shared output options;
and serve, which runs the web app over the same core."""
from __future__ import annotations

import os
import re
from pathlib import Path

import click

from indexer.facets import DOC_TYPES, FACET_BY_NAME, FACET_NAMES, FACETS, UNSTATED
from indexer.settings import SETTINGS
from search_app.cli.common import ExitStatus, done, fail, index_option
from search_app.cli.output import output_options
from search_app.core.kwic import KWIC_FIELDS, KWIC_ORDERS
from search_app.core.ranking import SORTS
from search_app.core.records import ROW_FIELDS
from search_app.core.stats import STAT_DIMENSIONS, STAT_FIELDS
from search_app.formats import hit_row, result_json

_OPTION_HELP = {"region": "Region, e.g. 湖州市 or 湖州 (a city includes its counties)",
                "province": "Province, e.g. 浙江省 or 浙江", "level": "county/县级, city/市级, provincial/省级 or national/全国",
                "section": "Section category, e.g. 监督工作", "doc_type": f"{', '.join(DOC_TYPES)} (other: 其他文件)"}


def _open(index_dir: Path):
    from indexer.index.commits import IndexMismatch, IndexMissing
    from indexer.index.reader import open_index
    try:
        return open_index(index_dir)
    except (IndexMissing, IndexMismatch) as exc:
        fail(str(exc), ExitStatus.NO_INDEX)


_SURROGATE = re.compile("[\ud800-\udfff]")


class Utf8Text(click.ParamType):
    """Text typed on the command line. Python hands over an argument that is not UTF-8 (监督 typed in a GBK
    terminal) with lone surrogates for its bytes, which nothing further on can encode: it is a usage error here."""

    name = "text"

    def convert(self, value, param, ctx):
        if isinstance(value, str) and _SURROGATE.search(value):
            try:
                shown = repr(value.encode("utf-8", "surrogateescape"))
            except UnicodeEncodeError:     # a surrogate that stands for no byte (not from argv on POSIX)
                shown = ascii(value)
            self.fail(f"{shown} is not UTF-8 text: set the terminal to UTF-8 (e.g. LANG=zh_CN.UTF-8)", param, ctx)
        return value


TEXT = Utf8Text()


class FacetValue(Utf8Text):
    """A value of a facet of coded values (--level, --doc-type): its code, label or alias (county, 县级, 县),
    read as the core reads it in the query language and the pages; another word is a usage error."""

    name = "value"

    def __init__(self, facet: str):
        self.facet = facet

    def convert(self, value, param, ctx):
        from search_app.core.facets import resolve
        from search_app.core.query import QueryError
        try:
            return resolve(self.facet, super().convert(value, param, ctx))
        except QueryError as exc:
            self.fail(str(exc), param, ctx)


def filter_options(f):
    """--region --province --level --section --doc-type (each repeatable) and --year, from the facet table.

    Values are read as everywhere (``core.facets.resolve``: 浙江 → 浙江省, 县级 → county, （未标明） for none);
    a facet of coded values (--level) refuses a word it does not know, as its key in the query language does."""
    for facet in reversed(FACETS):
        kind = FacetValue(facet.name) if facet.values else TEXT
        f = click.option(f"--{facet.option}", facet.name, type=kind, multiple=True,
                         help=f"{_OPTION_HELP[facet.name]}; {UNSTATED} for none. Repeat for OR.")(f)
    return click.option("--year", type=TEXT, default=None, help="A year or a range: 2021, 2019-2023, 2019-.")(f)


def _params(query: str, kw: dict, **more):
    from search_app.core.search import Params
    return Params(q=query, filters={name: list(kw.pop(name)) for name in FACET_NAMES}, year=kw.pop("year"), **more)


def _run(fn, *args, **kwargs):
    """Call the core; a query it cannot run is a usage error (exit 2) with its message."""
    from search_app.core.query import QueryError
    try:
        return fn(*args, **kwargs)
    except QueryError as exc:
        fail(str(exc), ExitStatus.USAGE)


def _label(column: str, value):
    """A coded facet's value as the pages and CSV write it (county → 县级); anything else as it is."""
    facet = FACET_BY_NAME.get(column)
    return facet.values.get(value, value) if facet and isinstance(value, str) else value


def print_hit(out, n: int, h, *lines: str) -> None:
    """A hit as the readable listings show it: its heading line, the marked snippet, then ``lines`` indented."""
    out.print(f"\n{n}. {h.title} · {h.region or '—'} · {h.year or '—'} · {h.section}"
              + (f" · {h.heading}" if h.heading else ""))
    out.print(out.marked(h.highlight, "   "))
    for line in lines:
        out.print(f"   {line}")


@click.command()
@click.argument("query", type=TEXT)
@index_option
@filter_options
@click.option("--limit", type=click.IntRange(0, SETTINGS.max_hits), default=10, show_default=True, help="Hits to show.")
@click.option("--offset", type=click.IntRange(0, SETTINGS.max_offset), default=0, help="Skip this many hits.")
@click.option("--sort", type=click.Choice(SORTS), default=SORTS[0], show_default=True)
@click.option("--kwic", "with_kwic", is_flag=True, help="Keyword-in-context lines (left | match | right).")
@click.option("--strict", is_flag=True,
              help="Every word must match: no passages with most of the words when none has them all.")
@click.option("--per-report", is_flag=True,
              help="One passage per report (its best), with how many of its passages matched; paged by report.")
@output_options
def search(query, index_dir, limit, offset, sort, with_kwic, strict, per_report, out, **filters):
    """Search passages. QUERY supports words, "exact phrases", OR, NOT/-word, (…), "a b"~5 and field:value filters.

    When no passage has every word, the passages with most of them are shown, with the words each lacks
    ("relaxed" in the JSON; --strict turns this off). Exit 0 with hits, 1 with none, 2 for a query that
    cannot be run, 3 when there is no index.
    """
    from search_app.core.search import search as run
    params = _params(query, filters, limit=limit, offset=offset, sort=sort, kwic=with_kwic, relax=not strict,
                     group=per_report)
    result = _run(run, _open(index_dir), params)
    if not out.readable:
        out.emit(result_json(result), (hit_row(h) for h in result["hits"]), ROW_FIELDS)
    elif with_kwic:
        _kwic_lines(out, [{"left": left, "match": match, "right": right, "region": h.region, "year": h.year}
                          for h in result["hits"] for left, match, right in h.kwic or []])
    else:
        out.print(f"{result['total']} passages" + (f" in {result['reports']} reports, one each" if per_report else "")
                  + f" ({result['took_ms']} ms) — {result['parsed']['tree']}")
        if (relaxed := result.get("relaxed")):
            out.print(f"no passage has all {relaxed['of']} words: these have {relaxed['matched']} of them")
        if (meant := result.get("spelling")):
            out.print(f"did you mean: {meant['query']}")
        for n, h in enumerate(result["hits"], start=offset + 1):
            print_hit(out, n, h, *([f"missing: {' '.join(h.missing)}"] if h.missing else []),
                      *([f"{h.report_hits} passages of this report match"] if h.report_hits else []),
                      h.citation + (f"  {h.citation_url}" if h.citation_url else ""))
    done(bool(result["total"]))


def _kwic_lines(out, lines: list[dict]) -> None:
    for x in lines:
        out.print(f"{x['left']:>30} | {x['match']} | {x['right']:<30}  [{x['region'] or '—'} {x['year'] or ''}]")


@click.command()
@click.argument("query", type=TEXT)
@index_option
@filter_options
@click.option("--order", type=click.Choice(KWIC_ORDERS), default=None,
              help="Sort the lines by the context left of the keyword (read backwards) or right of it.")
@click.option("--hits", type=click.IntRange(1, SETTINGS.max_hits), default=SETTINGS.kwic_hits, show_default=True,
              help="Passages whose lines are listed (the first in relevance order).")
@output_options
def kwic(query, index_dir, order, hits, out, **filters):
    """Keyword in context: every occurrence of QUERY in its first hits, one line each, as on the /kwic page."""
    from search_app.core.kwic import kwic_lines
    result = _run(kwic_lines, _open(index_dir), _params(query, filters), order, hits=hits)
    if out.readable:
        _kwic_lines(out, result["lines"])
    else:
        out.emit(result, result["lines"], KWIC_FIELDS)
    done(bool(result["lines"]))


@click.command()
@click.argument("passage_id", type=TEXT, required=False)
@click.option("--text", type=TEXT, default=None, help="A pasted paragraph instead of a passage id.")
@index_option
@click.option("--limit", type=click.IntRange(1, SETTINGS.max_similar), default=10, show_default=True)
@filter_options
@output_options
def similar(passage_id, text, index_dir, limit, out, **filters):
    """Passages from other reports most similar to PASSAGE_ID or to --text (precedent wording), among the
    reports the filters keep."""
    from search_app.core.similar import similar as run
    params = _params("", filters)
    result = _run(run, _open(index_dir), passage_id=passage_id, text=text, limit=limit, filters=params.filters,
                  year=params.year)
    if not out.readable:
        out.emit(result_json(result), (hit_row(h) for h in result["hits"]), ROW_FIELDS)
    else:
        out.print("words: " + " ".join(result["terms"]))
        for n, h in enumerate(result["hits"], start=1):
            print_hit(out, n, h, f"{h.citation}  [{h.passage_id}]")
    done(bool(result["hits"]))


@click.command()
@click.argument("query", type=TEXT, required=False, default="")
@index_option
@filter_options
@click.option("--by", type=TEXT, default="year", show_default=True,
              help=f"Comma-separated dimensions: {', '.join(STAT_DIMENSIONS)}.")
@output_options
def stats(query, index_dir, by, out, **filters):
    """Count matching passages and reports per year, region … normalised by the reports held per group.

    Without a query it describes the whole index.
    """
    from search_app.core.stats import stats as run
    result = _run(run, _open(index_dir), _params(query, filters), [d.strip() for d in by.split(",") if d.strip()])
    columns = result["by"] + list(STAT_FIELDS)
    if out.readable:
        out.print(f"{result['total']} passages in {result['reports']} reports")
        out.table(columns, ([_label(c, row[c]) for c in columns] for row in result["rows"]))
    else:
        out.emit(result, result["rows"], columns)
    done(bool(result["total"]))


@click.command()
@click.argument("query", type=TEXT, required=False, default="")
@index_option
@filter_options
@click.option("--by", type=click.Choice(FACET_NAMES), default="province", show_default=True,
              help="The groups compared year by year.")
@output_options
def trends(query, index_dir, by, out, **filters):
    """Per year, hits per report held and the share of reports mentioning QUERY, overall and per group
    (as the /trends page); years with no report held are gaps. Without a query: what the index holds."""
    from search_app.core.stats import trends as run
    result = _run(run, _open(index_dir), _params(query, filters), by)
    series = [("overall", None, result["years"])] + [("group", g["name"], g["years"]) for g in result["groups"]]
    if out.readable:
        out.print(f"{result['total']} passages in {result['reports']} reports; hits per report held, by year "
                  "(· no report held)")
        out.table([by, *(str(y["year"]) for y in result["years"])],
                  (["全部" if kind == "overall" else _label(by, name) or UNSTATED,
                    *("·" if y["gap"] else f"{y['passages_per_report']:.2f}" for y in years)]
                   for kind, name, years in series))
    else:
        rows = [{"series": kind, by: name, **year} for kind, name, years in series for year in years]
        out.emit(result, rows, ["series", by, "year", *STAT_FIELDS, "gap"])
    done(bool(result["total"]))


@click.command()
@click.argument("query", type=TEXT)
@index_option
@filter_options
@output_options
def spread(query, index_dir, out, **filters):
    """How a wording spread, as the /spread page: the first reports that used QUERY (every word taken as
    written), the first year in each province and at each level, and per year the share of the reports held
    that use it (· a year with no report held). --csv/--tsv/--jsonl: a row per province and level with its
    first report; --json: the whole result."""
    from search_app.core.spread import SPREAD_FIELDS, spread_rows
    from search_app.core.spread import spread as run
    from search_app.formats import spread_json
    result = _run(run, _open(index_dir), _params(query, filters))
    rows = spread_rows(result)
    if not out.readable:
        out.emit(spread_json(result), rows, SPREAD_FIELDS)
        done(bool(result["total"]))
    out.print(f"{result['query']}: {result['total']} passages in {result['reports']} of the "
              f"{result['reports_held']} reports held")
    if (first := result["first"]):
        out.print(f"first used in {first['first_year']} by {first['first_reports']} report(s)"
                  + (f", the first {len(first['firsts'])} listed" if first["first_reports"] > len(first["firsts"]) else ""))
        for n, h in enumerate(first["firsts"], start=1):
            print_hit(out, n, h, f"{h.citation}  [{h.passage_id}]")
    out.print("\nfirst use per province and level (reports using / held):")
    out.table(["kind", "name", "first year", "reports", "held", "share", "first report", "passage"],
              ([r["kind"], r["name"], r["first_year"], r["reports"], r["reports_held"], f"{r['share_of_reports']:.1%}",
                r["title"], r["passage_id"]] for r in rows if r["kind"] != "first"))
    out.print("\nper year (· no report held):")
    out.table(["year", "held", "using", "share", "new provinces", "new levels"],
              ([y["year"], *(["·"] * 3 if y["gap"] else [y["reports_held"], y["reports"], f"{y['share_of_reports']:.1%}"]),
                "、".join(y["tiles"]), "、".join(_label("level", lv) or UNSTATED for lv in y["levels"])]
               for y in result["timeline"]))
    done(bool(result["total"]))


@click.command()
@index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=os.cpu_count() or 1, show_default=True,
              help="Worker processes (each opens the memory-mapped index).")
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True, help="Threads per worker.")
def serve(index_dir: Path, host: str, port: int, workers: int, threads: int) -> None:
    """Serve the web interface with gunicorn: several worker processes, each with a few threads."""
    import socket

    from indexer.index.commits import IndexMismatch, IndexMissing, current_commit
    from search_app.web.server import serve as run
    try:
        current_commit(index_dir)          # checked here; each worker opens the index itself, after the fork
    except (IndexMissing, IndexMismatch) as exc:
        fail(str(exc), ExitStatus.NO_INDEX)
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}", ExitStatus.USAGE)
    click.echo(f"lrsearch: serving {index_dir} on http://{host}:{port}/ ({workers} workers × {threads} threads)",
               err=True)
    run(str(index_dir), host, port, workers, threads, SETTINGS.request_timeout_s * 6)
