"""Write-side command line pieces: parse one file, ingest many into JSON lines."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

EXIT_OK, EXIT_NONE, EXIT_USAGE = 0, 1, 2


def _progress(total: int, label: str):
    """A rich progress bar on a terminal, nothing when output is piped."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    console = Console(stderr=True)
    bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console, transient=True, disable=not console.is_terminal)
    task = bar.add_task(label, total=total)
    return bar, lambda _f: bar.advance(task)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the document as JSON.")
def parse(file: Path, as_json: bool) -> None:
    """Parse one report file and print its metadata, sections and passages."""
    from indexer.ingest import parse_many
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
    from indexer.config import SETTINGS
    from indexer.dedup import fold_duplicates
    from indexer.ingest import find_files, parse_many
    from indexer.store import write_documents
    files = find_files(paths)
    if not files:
        raise click.UsageError("no report files (.html, .htm, .txt, .md) under the given paths")
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
