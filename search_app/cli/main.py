"""The `lrsearch` click group: every command of the write side, the read side and the server, in one place."""
from __future__ import annotations

import click

from search_app.cli import diff, figures, read, saved, write


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lrsearch")
def main() -> None:
    """人大报告检索 — search people's congress standing-committee reports."""


for command in (write.crawl, write.ingest, write.parse, write.index_cmd, write.remove,
                read.search, read.kwic, read.similar, read.stats, read.trends, read.spread,
                read.serve):
    main.add_command(command)
for command in (saved.saved, saved.watch):      # saved searches and their alerts
    main.add_command(command)
main.add_command(diff.diff_cmd)                 # one congress's reports of two years side by side
main.add_command(figures.figures)            # the work-figures table (履职数据)
