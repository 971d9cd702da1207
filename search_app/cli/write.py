"""The write side's commands: crawl sites, parse one file, ingest files into an index, rebuild, remove."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from search_app.cli.common import ExitStatus, done, fail, index_option


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
        fail(f"{file}: {batch.errors[0][1]}", ExitStatus.NO_RESULTS)
    doc = batch.documents[0]
    if as_json:
        click.echo(json.dumps(doc.to_dict(), ensure_ascii=False, indent=1))
        return
    click.echo(f"{doc.title}\n  {doc.body} · {doc.region or '—'} · {doc.province or '—'} · {doc.level or '—'} · "
               f"{doc.year or '—'} · {doc.doc_type}{' · 繁體' if doc.traditional else ''}\n  "
               f"encoding {doc.encoding} ({doc.encoding_how}); {len(doc.passages())} passages")
    if doc.session:
        click.echo(f"  delivered {doc.delivered or '(no date)'} at {doc.session}")
    for s in doc.sections:
        if s.heading:
            click.echo(f"{'  ' * s.level}{s.heading}  [{s.category}] ({len(s.passages)})")


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Add the reports to this index (the usual path).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("corpus/processed"),
              show_default=True, help="Without --index: folder for documents.jsonl.")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Parser processes (default: cores).")
def ingest(paths: tuple[Path, ...], index_dir: Path | None, out: Path, workers: int | None) -> None:
    """Parse report files and folders and add them to an index (or write them as JSON lines).

    Files whose content is unchanged since the last ingest are skipped (unless a newer parser would read them
    otherwise); a changed file replaces its document; reposts of the same report are folded into one document that lists all its sources.
    """
    if index_dir is None:
        _ingest_to_jsonl(paths, out, workers)
    from indexer.index.commits import IndexMismatch
    from indexer.index.lock import IndexBusy
    from indexer.understand.batch import find_files
    from indexer.update import ingest as ingest_index
    bar, advance = _progress(len(find_files(paths)), "parsing")
    try:
        with bar:
            report = ingest_index(index_dir, paths, workers=workers, progress=advance)
    except IndexBusy as exc:
        fail(str(exc), ExitStatus.BUSY)
    except IndexMismatch as exc:
        fail(str(exc), ExitStatus.NO_INDEX)
    for path, reason in report.errors:
        click.echo(f"skipped {path}: {reason}", err=True)
    for path, note in report.notes:
        click.echo(f"note {path}: {note}", err=True)
    built = report.build
    click.echo(f"{report.files} files: {report.unchanged} unchanged, {report.parsed} parsed, "
               f"{len(report.errors)} skipped" +
               (f"; index {built.generation}: {built.documents} documents, {built.passages} passages in "
                f"{built.segments} segment(s), {built.written} passages written in {built.seconds:.1f} s" if built
                else "; index unchanged"), err=True)
    done(bool(report.parsed or report.unchanged))


def _ingest_to_jsonl(paths: tuple[Path, ...], out: Path, workers: int | None) -> None:
    """Parse report files and folders, fold reposts, and write the documents as JSON lines."""
    from indexer.settings import SETTINGS
    from indexer.store import write_documents
    from indexer.understand.batch import find_files, parse_many
    from indexer.understand.dedup import fold_duplicates, link_versions
    files = find_files(paths)
    if not files:
        raise click.UsageError("no report files (.html, .htm, .txt, .md, .pdf, .docx, .ofd, .doc, .wps, or a crawl) "
                               "under the given paths")
    bar, advance = _progress(len(files), "parsing")
    with bar:
        batch = parse_many(files, SETTINGS, workers, advance)
    docs = fold_duplicates(batch.documents)
    link_versions(docs)
    for path, reason in batch.errors:
        click.echo(f"skipped {path}: {reason}", err=True)
    for path, note in batch.notes:
        click.echo(f"note {path}: {note}", err=True)
    if docs:
        target = write_documents(out, docs)
    folded = len(batch.documents) - len(docs)
    click.echo(f"{batch.files} files: {len(batch.documents)} parsed, {len(batch.errors)} skipped; "
               f"{len(docs)} documents ({folded} reposts folded), "
               f"{sum(len(d.passages()) for d in docs)} passages" + (f" → {target}" if docs else ""), err=True)
    done(bool(docs))


@click.command()
@click.option("--sources", type=click.Path(dir_okay=False, path_type=Path), default=Path("corpus/sources.toml"),
              show_default=True, help="The sources file: sites, start URLs, URL rules.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Crawl directory: state, raw responses (ingest it with `lrsearch ingest DIR`); not with --dry-run.")
@click.option("--site", "names", multiple=True, help="Crawl only this site (repeatable).")
@click.option("--max-pages", type=click.IntRange(1), default=None, help="Requests per site in this run, at most.")
@click.option("--delay", type=click.FloatRange(0), default=0.0,
              help="Seconds between requests to one host; can only lengthen the site's delay.")
@click.option("--revalidate", is_flag=True, help="Ask again for every stored page (conditional GET).")
@click.option("--allow-local", is_flag=True,
              help="Let the sites use loopback and private addresses, any port, and delays under the politeness "
                   "floor (test servers, private deployments); a sources file cannot grant this.")
@click.option("--dry-run", is_flag=True,
              help="Crawl as usual but keep nothing: print the report pages and list pages found, with why.")
@click.option("--check", is_flag=True,
              help="Fetch each site's robots.txt and home page, politely, and print how they answer; keep nothing.")
@click.option("-v", "--verbose", is_flag=True, help="Log every refusal, skip and retry.")
def crawl(sources: Path, out: Path | None, names: tuple[str, ...], max_pages: int | None, delay: float,
          revalidate: bool, allow_local: bool, dry_run: bool, check: bool, verbose: bool) -> None:
    """Crawl the sites of a sources file politely into a crawl directory; run again to resume or update.

    A site with URL rules (allow, article) is crawled by them; a site given only its start URLs is
    discovered: the crawler follows the links most likely to lead to reports and keeps the pages it judges
    to be congress reports, saying why. Obeys robots.txt, waits between requests to a host, caps time, size
    and redirects per fetch, and never answers anti-bot challenges. Ctrl-C stops cleanly (exit 130); the next
    run resumes.
    """
    import functools
    import logging
    import tempfile

    from indexer.fetch.crawl import Crawler
    from indexer.fetch.sources import SourcesError, load_sources
    from indexer.fetch.state import CrawlBusy, CrawlState
    from indexer.settings import SETTINGS
    from indexer.understand.judge import judge_page
    if (out is None) != (dry_run or check):
        raise click.UsageError("give --out DIR (the crawl directory), or --dry-run or --check to keep nothing")
    scratch = tempfile.TemporaryDirectory(prefix="lrsearch-dry-run-") if dry_run or check else None
    out = Path(scratch.name) if scratch else out
    try:
        sites = load_sources(sources, SETTINGS, allow_local=allow_local)
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
        fail(str(exc), ExitStatus.BUSY)
    summaries = []
    with state:
        crawler = Crawler(state, SETTINGS, max_pages=max_pages, min_delay_s=delay, revalidate=revalidate,
                          judge=judge_page)
        for site in sites if check else ():
            if not names or site.name in names:
                click.echo(crawler.check(site).line())
        for site in sites if not check else ():
            if names and site.name not in names:
                continue
            bar, task = _bar(None, site.name)
            with bar:
                summaries.append(crawler.crawl(site, functools.partial(_show, bar, task)))
            if summaries[-1].stopped == "interrupted":
                break
        if dry_run:
            for site, kind, url, why in state.found():
                click.echo(f"{site}\t{kind}\t{url}\t{why or ''}")
    if scratch:
        scratch.cleanup()
    for summary in summaries:
        click.echo(summary.line(), err=True)
    if summaries and summaries[-1].stopped == "interrupted":
        if not dry_run:
            click.echo(f"interrupted: run the same command again to resume ({out})", err=True)
        sys.exit(ExitStatus.INTERRUPTED)


def _show(bar, task, done_: int, total: int) -> None:
    bar.update(task, completed=done_, total=total)


@click.command("index")
@index_option
@click.option("--from", "source", type=click.Path(exists=True, path_type=Path), default=None,
              help="Processed documents (documents.jsonl or its folder); default: the index's own documents.")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Analysis processes (default: cores).")
@click.option("--optimize", is_flag=True,
              help="Merge the segments into as few as possible instead (nearly full ones without deletions kept).")
def index_cmd(index_dir: Path, source: Path | None, workers: int | None, optimize: bool) -> None:
    """Rebuild an index from processed documents, into a new generation swapped in atomically; or, with
    --optimize, merge its segments."""
    from indexer.index.commits import IndexMismatch, IndexMissing
    from indexer.index.lock import IndexBusy
    from indexer.update import optimize as merge_all
    from indexer.update import rebuild
    if optimize and source is not None:
        fail("--optimize merges the index's own segments: it takes no --from", ExitStatus.USAGE)
    try:
        report = merge_all(index_dir, workers) if optimize else rebuild(index_dir, source, workers)
    except IndexBusy as exc:
        fail(str(exc), ExitStatus.BUSY)
    except (IndexMissing, IndexMismatch) as exc:
        fail(str(exc), ExitStatus.NO_INDEX)
    except (OSError, ValueError) as exc:
        fail(f"cannot read documents: {exc}", ExitStatus.USAGE)
    click.echo(f"index {report.generation}: {report.documents} documents, {report.passages} passages in "
               f"{report.segments} segment(s), written in {report.seconds:.1f} s", err=True)


@click.command()
@click.argument("targets", nargs=-1, required=True)
@index_option
def remove(targets: tuple[str, ...], index_dir: Path) -> None:
    """Remove documents from an index by doc id or by source file path."""
    from indexer.index.commits import IndexMismatch, IndexMissing
    from indexer.index.lock import IndexBusy
    from indexer.update import remove as remove_docs
    try:
        removed, missing = remove_docs(index_dir, targets)
    except IndexBusy as exc:
        fail(str(exc), ExitStatus.BUSY)
    except (IndexMissing, IndexMismatch) as exc:
        fail(str(exc), ExitStatus.NO_INDEX)
    for t in missing:
        click.echo(f"not in the index: {t}", err=True)
    click.echo(f"removed {removed} documents", err=True)
    done(bool(removed))
