"""Write-side command line pieces: parse one file, ingest many into JSON lines, crawl sites."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

EXIT_OK, EXIT_NONE, EXIT_USAGE, EXIT_BUSY, EXIT_INTERRUPTED = 0, 1, 2, 4, 130


def _bar(total: int | None, label: str):
    """A rich progress bar on a terminal, nothing when output is piped; returns (bar, task)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    console = Console(stderr=True)
    bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console, transient=True, disable=not console.is_terminal)
    return bar, bar.add_task(label, total=total)


def _progress(total: int, label: str):
    """A progress bar and a callback that advances it by one file."""
    bar, task = _bar(total, label)
    return bar, lambda _f: bar.advance(task)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the document as JSON.")
def parse(file: Path, as_json: bool) -> None:
    """Parse one report file and print its metadata, sections and passages."""
    from indexer.understand.batch import parse_many
    if not file.exists():
        raise click.UsageError(f"no such file: {file}")
    batch = parse_many([file], workers=1)
    if batch.errors:
        click.echo(f"error: {file}: {batch.errors[0][1]}", err=True)
        sys.exit(EXIT_NONE)
    doc = batch.documents[0]
    if as_json:
        click.echo(json.dumps(doc.to_dict(), ensure_ascii=False, indent=1))
        return
    click.echo(f"{doc.title}\n  {doc.body} · {doc.region or '—'} · {doc.province or '—'} · {doc.level or '—'} · "
               f"{doc.year or '—'} · {doc.doc_type}{' · 繁體' if doc.traditional else ''}\n  "
               f"encoding {doc.encoding} ({doc.encoding_how}); {len(doc.passages())} passages")
    for s in doc.sections:
        if s.heading:
            click.echo(f"{'  ' * s.level}{s.heading}  [{s.category}] ({len(s.passages)})")


def ingest_to_jsonl(paths: tuple[Path, ...], out: Path, workers: int | None) -> None:
    """Parse report files and folders, fold reposts, and write the documents as JSON lines."""
    from indexer.settings import SETTINGS
    from indexer.understand.dedup import fold_duplicates
    from indexer.understand.batch import find_files, parse_many
    from indexer.store import write_documents
    files = find_files(paths)
    if not files:
        raise click.UsageError("no report files (.html, .htm, .txt, .md, .pdf, .docx, or a crawl) "
                               "under the given paths")
    bar, advance = _progress(len(files), "parsing")
    with bar:
        batch = parse_many(files, SETTINGS, workers, advance)
    docs = fold_duplicates(batch.documents)
    for path, reason in batch.errors:
        click.echo(f"skipped {path}: {reason}", err=True)
    if docs:
        target = write_documents(out, docs)
    folded = len(batch.documents) - len(docs)
    click.echo(f"{batch.files} files: {len(batch.documents)} parsed, {len(batch.errors)} skipped; "
               f"{len(docs)} documents ({folded} reposts folded), "
               f"{sum(len(d.passages()) for d in docs)} passages" + (f" → {target}" if docs else ""), err=True)
    sys.exit(EXIT_OK if docs else EXIT_NONE)


def _show(bar, task, done: int, total: int) -> None:
    bar.update(task, completed=done, total=total)


def crawl_sites(sources: Path, out: Path, names: tuple[str, ...], max_pages: int | None, delay: float,
                revalidate: bool, verbose: bool) -> None:
    """Crawl the chosen sites of a sources file into ``out``, one progress bar and one summary line per site."""
    import functools
    import logging

    from indexer.settings import SETTINGS
    from indexer.fetch.crawl import Crawler
    from indexer.fetch.state import CrawlBusy, CrawlState
    from indexer.fetch.sources import SourcesError, load_sources
    try:
        sites = load_sources(sources, SETTINGS)
    except SourcesError as exc:
        raise click.UsageError(str(exc)) from None
    if unknown := sorted(set(names) - {s.name for s in sites}):
        raise click.UsageError(f"no site named {', '.join(unknown)} in {sources} "
                               f"(sites: {', '.join(s.name for s in sites)})")
    if verbose:
        logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        state = CrawlState(out)
    except CrawlBusy as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_BUSY)
    summaries = []
    with state:
        crawler = Crawler(state, SETTINGS, max_pages=max_pages, min_delay_s=delay, revalidate=revalidate)
        for site in sites:
            if names and site.name not in names:
                continue
            bar, task = _bar(None, site.name)
            with bar:
                summaries.append(crawler.crawl(site, functools.partial(_show, bar, task)))
            if summaries[-1].stopped == "interrupted":
                break
    for summary in summaries:
        click.echo(summary.line(), err=True)
    if summaries and summaries[-1].stopped == "interrupted":
        click.echo(f"interrupted: run the same command again to resume ({out})", err=True)
        sys.exit(EXIT_INTERRUPTED)
