"""The output formats of the core's records, shared by the web and the CLI so that both write the same.

JSON: a ``Hit`` becomes an object with every field in order, its snippets as ``highlight`` and
``lead_highlight`` (HTML: the text escaped, then the matches wrapped in ``<mark>``; pieces left out shown as
…). Rows (CSV, TSV, JSON lines): the fields ``records.ROW_FIELDS``, ``missing`` as the words joined by spaces.
CSV and TSV are for people and spreadsheets: a coded facet value is written as its Chinese label (county → 县级,
other → 其他文件; JSON and JSON lines keep the codes), and cells are neutralised against spreadsheet formulas.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import fields
from html import escape

from indexer.facets import FACETS
from search_app.core.records import OPTIONAL, ROW_FIELDS, SNIPPET_FIELDS, Hit
from search_app.core.snippets import Snippet

ELLIPSIS = "…"
_LABELS = {f.name: f.values for f in FACETS if f.values}     # the coded facets' labels, by column


def snippet_html(s: Snippet | None) -> str:
    """The snippet as HTML: every piece escaped, matches in <mark>, cuts as …."""
    if s is None:
        return ""
    out = []
    for piece in s.pieces():
        if piece is None:
            out.append(ELLIPSIS)
        else:
            text = escape(piece[0], quote=True)
            out.append(f"<mark>{text}</mark>" if piece[1] else text)
    return "".join(out)


def hit_json(h: Hit) -> dict:
    out = {}
    for f in fields(Hit):
        value = getattr(h, f.name)
        if f.name in SNIPPET_FIELDS:
            value = snippet_html(value)
        elif value is None and f.name in OPTIONAL:
            continue
        out[f.name] = value
    return out


def result_json(result: dict) -> dict:
    """A search or precedents result with its hits (and a precedent's source passage) as JSON objects."""
    out = {**result, "hits": [hit_json(h) if isinstance(h, Hit) else h for h in result["hits"]]}
    if isinstance(result.get("source"), Hit):
        out["source"] = hit_json(result["source"])
    return out


def hit_row(h: Hit) -> dict:
    """The row of a hit in CSV, TSV and JSON lines."""
    row = {}
    for name in ROW_FIELDS:
        value = getattr(h, name)
        if name == "highlight":
            value = snippet_html(value)
        elif name == "missing":
            value = " ".join(value or [])
        row[name] = value
    return row


def safe_cell(value) -> str:
    """A cell that a spreadsheet will not run as a formula (= + - @, tab, carriage return)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def cell(column: str, value) -> str:
    """A value as a CSV or TSV cell: a coded facet's value as its label (county → 县级), safe for a spreadsheet."""
    labels = _LABELS.get(column)
    return safe_cell(labels.get(value, value) if labels and isinstance(value, str) else value)


def delimited_lines(rows: Iterable[dict], columns: Iterable[str], tab: bool = False,
                    bom: bool = False) -> Iterator[str]:
    """CSV (or TSV) text a line at a time: a header, then one line per row, cells as ``cell`` writes them."""
    columns = list(columns)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", **({"delimiter": "\t"} if tab else {}))

    def line(cells) -> str:
        buf.seek(0)
        buf.truncate()
        w.writerow(cells)
        return buf.getvalue()
    yield ("\ufeff" if bom else "") + line(columns)
    for row in rows:
        yield line([cell(c, row.get(c)) for c in columns])


def jsonl_lines(rows: Iterable[dict]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"


def spread_json(result: dict) -> dict:
    """A spread result (``core.spread``) with its first passages as JSON objects."""
    def group(g: dict | None) -> dict | None:
        return g and {**g, "firsts": [hit_json(h) for h in g["firsts"]]}
    return {**result, "first": group(result["first"]), "tiles": [group(t) for t in result["tiles"]],
            "unplaced": group(result["unplaced"]), "levels": [group(g) for g in result["levels"]]}
