"""Output options shared by every read command, in the manner of sqlite-utils: ``--json`` (one document),
``--jsonl`` (a row per line), ``--csv``, ``--tsv``, and by default a readable listing or table.

The readable form is printed with rich: styled on a terminal, plain text (no ANSI codes) when piped. Rows
and their columns come from ``search_app.formats``, the same rows the web exports.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable

import click

from search_app.core.snippets import Snippet
from search_app.formats import delimited_lines, jsonl_lines

FORMATS = ("json", "jsonl", "csv", "tsv")
_HELP = {"json": "Print the result as one JSON document.", "jsonl": "Print one JSON object per row.",
         "csv": "Print the rows as CSV.", "tsv": "Print the rows as tab-separated values."}


def output_options(command: Callable) -> Callable:
    """Add --json/--jsonl/--csv/--tsv to a command, passed to it as ``out`` (an ``Output``)."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        chosen = [f for f in FORMATS if kwargs.pop(f"as_{f}")]
        if len(chosen) > 1:
            raise click.UsageError(f"choose one of {', '.join('--' + f for f in chosen)}")
        return command(*args, out=Output(chosen[0] if chosen else None), **kwargs)
    for fmt in reversed(FORMATS):
        wrapper = click.option(f"--{fmt}", f"as_{fmt}", is_flag=True, help=_HELP[fmt])(wrapper)
    return wrapper


class Output:
    """Where a read command's result goes: the chosen machine format, or readable text on the console."""

    def __init__(self, fmt: str | None):
        self.fmt = fmt
        if fmt is None:       # rich is loaded only for readable output, so a --json query starts faster
            from rich.console import Console
            # no rich markup or emoji codes: reports and queries are printed as written, brackets included
            self.console = Console(highlight=False, markup=False, emoji=False)

    @property
    def readable(self) -> bool:
        return self.fmt is None

    def emit(self, document: dict, rows: Iterable[dict], columns: Iterable[str]) -> None:
        """Print in the chosen machine format (call only when not ``readable``)."""
        if self.fmt == "json":
            click.echo(json.dumps(document, ensure_ascii=False))
        elif self.fmt == "jsonl":
            for line in jsonl_lines(rows):
                click.echo(line, nl=False)
        else:
            for line in delimited_lines(rows, columns, tab=self.fmt == "tsv"):
                click.echo(line, nl=False)

    def print(self, *items) -> None:
        self.console.print(*items, soft_wrap=not self.console.is_terminal)

    def marked(self, s: Snippet | None, prefix: str = ""):
        """A snippet as terminal text: matches in bold on a terminal, in 【】 when piped."""
        from rich.text import Text
        text = Text(prefix)
        for piece in (s.pieces() if s else []):
            if piece is None:
                text.append("…")
            elif not piece[1]:
                text.append(piece[0])
            elif self.console.is_terminal:
                text.append(piece[0], style="bold reverse")
            else:
                text.append(f"【{piece[0]}】")
        return text

    def table(self, columns: list[str], rows: Iterable[Iterable]) -> None:
        """A table on a terminal; piped, tab-separated lines (what ``cut -f`` and a spreadsheet take)."""
        cells = [["—" if v is None else str(v) for v in row] for row in rows]
        if not self.console.is_terminal:
            for line in [columns, *cells]:
                click.echo("\t".join(line))
            return
        from rich import box
        from rich.table import Table
        from rich.text import Text
        t = Table(*columns, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for row in cells:
            t.add_row(*(Text(c) for c in row))
        self.console.print(t)
