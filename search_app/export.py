"""Exports of a whole result set, streamed: CSV (safe to open in a spreadsheet) and JSON lines."""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

EXPORT_FIELDS = ("passage_id", "doc_id", "title", "body", "region", "province", "level", "year", "doc_type",
                 "section", "heading", "text", "score")


def safe_cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (= + - @, tab, carriage return)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_lines(records: Iterable[dict], fields=EXPORT_FIELDS, bom: bool = False) -> Iterator[str]:
    """CSV text chunk by chunk: a header, then one row per record."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(fields)
    yield ("\ufeff" if bom else "") + buf.getvalue()
    for rec in records:
        buf.seek(0)
        buf.truncate()
        w.writerow([safe_cell(rec.get(k)) for k in fields])
        yield buf.getvalue()


def jsonl_lines(records: Iterable[dict], fields=EXPORT_FIELDS) -> Iterator[str]:
    for rec in records:
        yield json.dumps({k: rec.get(k) for k in fields}, ensure_ascii=False) + "\n"
