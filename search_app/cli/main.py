"""The `lrsearch` click group: every command of the write side, the read side and the server, in one place."""
from __future__ import annotations

import click

from search_app.cli import read, write


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lrsearch")
def main() -> None:
    """人大报告检索 — search people's congress standing-committee reports."""


for command in (write.crawl, write.ingest, write.parse, write.index_cmd, write.remove,
                read.search, read.kwic, read.similar, read.stats, read.trends, read.serve):
    main.add_command(command)
