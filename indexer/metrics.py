"""The vocabulary of work-figure metrics (履职数据: 常委会会议, 审议法规, 任免 …): one table, ``figures.toml``,
read by the extractor (``understand.figures``, its patterns) and by the read side (names, units, order)."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import tomllib

VOCABULARY = Path(__file__).with_name("figures.toml")


@dataclass(frozen=True)
class Metric:
    key: str                       # in data, URLs and the CLI (sessions)
    name: str                      # as the pages show it (常委会会议)
    units: tuple[str, ...]         # the measure words its figures take
    patterns: tuple[str, ...]      # as written in the table ({N} the number, {.} any other character)
    exclude: tuple[str, ...] = ()


@functools.cache
def vocabulary() -> tuple[Metric, ...]:
    """The metrics in the table's order, which is their priority when several would take a number."""
    with VOCABULARY.open("rb") as fh:
        table = tomllib.load(fh)
    return tuple(Metric(m["key"], m["name"], tuple(m["units"]), tuple(m["patterns"]), tuple(m.get("exclude", ())))
                 for m in table["metric"])


def metric_names() -> dict[str, str]:
    """Each metric's key → its Chinese name, in the table's order."""
    return {m.key: m.name for m in vocabulary()}
