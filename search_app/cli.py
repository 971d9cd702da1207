"""The `lrsearch` command: one click group over the write-side and read-side commands."""
from __future__ import annotations

import click

from indexer.cli import ingest, parse


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lrsearch")
def main() -> None:
    """人大报告检索 — search people's congress standing-committee reports."""


main.add_command(parse)
main.add_command(ingest)
