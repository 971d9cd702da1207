"""The `lrsearch` command: one click group over the write-side and read-side commands.

Exit codes: 0 results, 1 no results, 2 usage or query error, 3 no index or an incompatible one,
4 the index is being written by another process, 130 interrupted.
"""
from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

import click

from indexer.cli import EXIT_NONE, EXIT_OK, _progress, ingest_to_jsonl, parse
from indexer.index.build import IndexBusy, IndexMismatch, IndexMissing
from search_app.export import safe_cell

EXIT_USAGE, EXIT_NO_INDEX, EXIT_BUSY = 2, 3, 4
DEFAULT_INDEX = Path("data/index")
index_option = click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path),
                            default=DEFAULT_INDEX, show_default=True, help="Index directory.")


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _open(index_dir: Path):
    from search_app.search import open_index
    try:
        return open_index(index_dir)
    except (IndexMissing, IndexMismatch) as exc:
        _fail(str(exc), EXIT_NO_INDEX)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lrsearch")
def main() -> None:
    """人大报告检索 — search people's congress standing-committee reports."""


main.add_command(parse)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Add the reports to this index (the usual path).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("corpus/processed"),
              show_default=True, help="Without --index: folder for documents.jsonl.")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Parser processes (default: cores).")
def ingest(paths: tuple[Path, ...], index_dir: Path | None, out: Path, workers: int | None) -> None:
    """Parse report files and folders and add them to an index (or write them as JSON lines).

    Files whose content is unchanged since the last ingest are skipped; a changed file replaces its
    document; reposts of the same report are folded into one document that lists all its sources.
    """
    if index_dir is None:
        ingest_to_jsonl(paths, out, workers)
        return
    from indexer.index.build import ingest as ingest_index
    from indexer.understand.batch import find_files
    bar, advance = _progress(len(find_files(paths)), "parsing")
    try:
        with bar:
            report = ingest_index(index_dir, paths, workers=workers, progress=advance)
    except IndexBusy as exc:
        _fail(str(exc), EXIT_BUSY)
    except IndexMismatch as exc:
        _fail(str(exc), EXIT_NO_INDEX)
    for path, reason in report.errors:
        click.echo(f"skipped {path}: {reason}", err=True)
    built = report.build
    click.echo(f"{report.files} files: {report.unchanged} unchanged, {report.parsed} parsed, "
               f"{len(report.errors)} skipped" +
               (f"; index {built.generation}: {built.documents} documents, {built.passages} passages "
                f"in {built.seconds:.1f} s" if built else "; index unchanged"), err=True)
    sys.exit(EXIT_OK if report.parsed or report.unchanged else EXIT_NONE)


@main.command()
@click.option("--sources", type=click.Path(dir_okay=False, path_type=Path), default=Path("corpus/sources.toml"),
              show_default=True, help="The sources file: sites, start URLs, URL rules.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Crawl directory: state, raw responses (ingest it with `lrsearch ingest DIR`).")
@click.option("--site", "sites", multiple=True, help="Crawl only this site (repeatable).")
@click.option("--max-pages", type=click.IntRange(1), default=None, help="Requests per site in this run, at most.")
@click.option("--delay", type=click.FloatRange(0), default=0.0,
              help="Seconds between requests to one host; can only lengthen the site's delay.")
@click.option("--revalidate", is_flag=True, help="Ask again for every stored page (conditional GET).")
@click.option("-v", "--verbose", is_flag=True, help="Log every refusal, skip and retry.")
def crawl(sources: Path, out: Path, sites: tuple[str, ...], max_pages: int | None, delay: float,
          revalidate: bool, verbose: bool) -> None:
    """Crawl the sites of a sources file politely into a crawl directory; run again to resume or update.

    Obeys robots.txt, waits between requests to a host, caps time, size and redirects per fetch, and never
    answers anti-bot challenges. Ctrl-C stops cleanly (exit 130); the next run resumes.
    """
    from indexer.cli import crawl_sites
    crawl_sites(sources, out, sites, max_pages, delay, revalidate, verbose)


@main.command("index")
@index_option
@click.option("--from", "source", type=click.Path(exists=True, path_type=Path), default=None,
              help="Processed documents (documents.jsonl or its folder); default: the index's own documents.")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Analysis processes (default: cores).")
def index_cmd(index_dir: Path, source: Path | None, workers: int | None) -> None:
    """Rebuild an index from processed documents, into a new generation swapped in atomically."""
    from indexer.index.build import rebuild
    try:
        report = rebuild(index_dir, source, workers)
    except IndexBusy as exc:
        _fail(str(exc), EXIT_BUSY)
    except (IndexMissing, IndexMismatch) as exc:
        _fail(str(exc), EXIT_NO_INDEX)
    except (OSError, ValueError) as exc:
        _fail(f"cannot read documents: {exc}", EXIT_USAGE)
    click.echo(f"index {report.generation}: {report.documents} documents, {report.passages} passages "
               f"in {report.seconds:.1f} s", err=True)


@main.command()
@click.argument("targets", nargs=-1, required=True)
@index_option
def remove(targets: tuple[str, ...], index_dir: Path) -> None:
    """Remove documents from an index by doc id or by source file path."""
    from indexer.index.build import remove as remove_docs
    try:
        removed, missing = remove_docs(index_dir, targets)
    except IndexBusy as exc:
        _fail(str(exc), EXIT_BUSY)
    except (IndexMissing, IndexMismatch) as exc:
        _fail(str(exc), EXIT_NO_INDEX)
    for t in missing:
        click.echo(f"not in the index: {t}", err=True)
    click.echo(f"removed {removed} documents", err=True)
    sys.exit(EXIT_OK if removed else EXIT_NONE)


def filter_options(f):
    for name, help_text in (("region", "Region, e.g. 浙江省 (repeat for OR)."),
                            ("province", "Province (repeat for OR)."),
                            ("level", "national, provincial, city or county (repeat for OR)."),
                            ("section", "Section category, e.g. 监督工作 (repeat for OR)."),
                            ("doc-type", "工作报告, 法治建设工作报告, 述法报告, 工作综述 or other.")):
        f = click.option(f"--{name}", multiple=True, help=help_text)(f)
    return click.option("--year", default=None, help="A year or a range: 2021, 2019-2023, 2019-.")(f)


def _params(query, region, province, level, section, doc_type, year, **kw):
    from search_app.search import Params
    return Params(q=query, filters={"region": list(region), "province": list(province), "level": list(level),
                                    "section": list(section), "doc_type": list(doc_type)}, year=year, **kw)


_MARK = re.compile(r"</?mark>")


def _plain(html: str) -> str:
    from html import unescape
    return unescape(_MARK.sub(lambda m: "【" if m.group(0) == "<mark>" else "】", html))


def write_csv(columns, rows) -> None:
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(columns)
    for row in rows:
        w.writerow([safe_cell(row[c]) for c in columns])


@main.command()
@click.argument("query")
@index_option
@filter_options
@click.option("--limit", type=click.IntRange(0, 10_000), default=10, show_default=True, help="Hits to show.")
@click.option("--offset", type=click.IntRange(0, 100_000), default=0, help="Skip this many hits.")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON document.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the hits as CSV.")
@click.option("--kwic", is_flag=True, help="Keyword-in-context lines (left | match | right).")
@click.option("--strict", is_flag=True,
              help="Every word must match: no passages with most of the words when none has them all.")
def search(query, index_dir, limit, offset, sort, as_json, as_csv, kwic, strict, **filters):
    """Search passages. QUERY supports words, "exact phrases", OR, NOT/-word, (…), "a b"~5 and field:value filters.

    When no passage has every word, the passages with most of them are shown, with the words each lacks
    ("relaxed" in the JSON; --strict turns this off). Exit 0 with hits, 1 with none, 2 for a query that
    cannot be run, 3 when there is no index.
    """
    from search_app.query import QueryError
    from search_app.search import HIT_FIELDS
    from search_app.search import search as run
    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    ix = _open(index_dir)
    try:
        result = run(ix, _params(query, limit=limit, offset=offset, sort=sort, kwic=kwic, relax=not strict, **filters))
    except QueryError as exc:
        _fail(str(exc), EXIT_USAGE)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
    elif as_csv:     # a relaxed result says which words each passage lacks
        write_csv(HIT_FIELDS + ("missing",) if result.get("relaxed") else HIT_FIELDS,
                  [{**h, "missing": " ".join(h.get("missing", []))} for h in result["hits"]])
    elif kwic:
        for h in result["hits"]:
            for left, match, right in h.get("kwic", []):
                click.echo(f"{left:>30} | {match} | {right:<30}  [{h['region'] or '—'} {h['year'] or ''}]")
    else:
        click.echo(f"{result['total']} passages ({result['took_ms']} ms) — {result['parsed']['tree']}")
        if (relaxed := result.get("relaxed")):
            click.echo(f"no passage has all {relaxed['of']} words: these have {relaxed['matched']} of them")
        for n, h in enumerate(result["hits"], start=offset + 1):
            click.echo(f"\n{n}. {h['title']} · {h['region'] or '—'} · {h['year'] or '—'} · {h['section']}"
                       + (f" · {h['heading']}" if h["heading"] else ""))
            click.echo("   " + _plain(h["highlight"]))
            if h.get("missing"):
                click.echo(f"   missing: {' '.join(h['missing'])}")
    sys.exit(EXIT_OK if result["total"] else EXIT_NONE)


@main.command("similar")
@click.argument("passage_id", required=False)
@click.option("--text", default=None, help="A pasted paragraph instead of a passage id.")
@index_option
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def similar_cmd(passage_id, text, index_dir, limit, as_json):
    """Passages from other reports most similar to PASSAGE_ID or to --text (precedent wording)."""
    from search_app.query import QueryError
    from search_app.search import similar
    ix = _open(index_dir)
    try:
        result = similar(ix, passage_id=passage_id, text=text, limit=limit)
    except QueryError as exc:
        _fail(str(exc), EXIT_USAGE)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
    else:
        click.echo("words: " + " ".join(result["terms"]))
        for n, h in enumerate(result["hits"], start=1):
            click.echo(f"\n{n}. {h['title']} · {h['region'] or '—'} · {h['year'] or '—'} · {h['section']}  "
                       f"[{h['passage_id']}]\n   " + _plain(h["highlight"]))
    sys.exit(EXIT_OK if result["hits"] else EXIT_NONE)


@main.command("stats")
@click.argument("query", required=False, default="")
@index_option
@filter_options
@click.option("--by", default="year", show_default=True,
              help="Comma-separated dimensions: year, region, province, level, section, doc_type.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the table as CSV.")
def stats_cmd(query, index_dir, by, as_json, as_csv, **filters):
    """Count matching passages and reports per year, region … normalised by the reports held per group.

    Without a query it describes the whole index.
    """
    from search_app.query import QueryError
    from search_app.search import stats
    ix = _open(index_dir)
    try:
        result = stats(ix, _params(query, **filters), [d.strip() for d in by.split(",") if d.strip()])
    except QueryError as exc:
        _fail(str(exc), EXIT_USAGE)
    columns = result["by"] + ["passages", "reports", "reports_held", "share_of_reports", "passages_per_report"]
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
    elif as_csv:
        write_csv(columns, result["rows"])
    else:
        click.echo(f"{result['total']} passages in {result['reports']} reports")
        click.echo("\t".join(columns))
        for row in result["rows"]:
            click.echo("\t".join("—" if row[c] is None else str(row[c]) for c in columns))
    sys.exit(EXIT_OK if result["total"] else EXIT_NONE)


@main.command()
@index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True)
def serve(index_dir: Path, host: str, port: int, threads: int) -> None:
    """Serve the web interface with waitress (a production WSGI server); the index is opened once."""
    from waitress import serve as waitress_serve

    from search_app.web import create_app
    _open(index_dir)
    app = create_app({"INDEX_DIR": str(index_dir)})
    click.echo(f"lrsearch: serving {index_dir} on http://{host}:{port}/", err=True)
    waitress_serve(app, host=host, port=port, threads=threads, ident="lrsearch")
