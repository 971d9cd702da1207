"""What every command shares: the exit codes, the index option, opening the index, and failing cleanly.

Exit codes: 0 results, 1 no results, 2 usage or query error, 3 no index or an incompatible one,
4 the index is being written by another process, 130 interrupted.
"""
from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import NoReturn

import click

from indexer.settings import SETTINGS


class ExitStatus(enum.IntEnum):
    OK = 0
    NO_RESULTS = 1
    USAGE = 2
    NO_INDEX = 3
    BUSY = 4
    INTERRUPTED = 130


index_option = click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path),
                            default=Path(SETTINGS.index_dir), show_default=True, help="Index directory.")


def fail(message: str, code: ExitStatus) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def done(found: bool) -> NoReturn:
    sys.exit(ExitStatus.OK if found else ExitStatus.NO_RESULTS)
