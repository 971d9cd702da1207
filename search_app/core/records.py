"""The records the core returns: a hit (one passage found), with its fields listed once.

The JSON of ``search``/``similar`` and the CSV, TSV and JSON-lines rows of the CLI and the web exports are
all made from ``Hit`` by ``search_app.formats``: the JSON takes every field in this order (the snippets as
``highlight``/``lead_highlight``), the rows take the fields marked ``row``.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from search_app.core.snippets import Snippet


def _row(default=None, **kw):
    return field(default=default, metadata={"row": True}, **kw)


@dataclass
class Hit:
    passage_id: str = _row()
    doc_id: str = _row()
    title: str = _row()
    region: str | None = _row()
    province: str | None = _row()
    level: str | None = _row()
    year: int | None = _row()
    doc_type: str = _row()
    section: str = _row()
    heading: str = _row()
    text: str = _row()
    highlight: Snippet | None = _row()          # where the query matched in ``text``, and what to show
    score: float = _row(0.0)
    body: str = _row()                          # the congress (巴彦淖尔市人大常委会)
    ordinal: int = 0                            # the passage's place in its report
    lead: str = ""                              # the headings between the previous passage and this one
    lead_highlight: Snippet | None = None       # where the query matched in ``lead`` (None: nowhere)
    kwic: list[tuple[str, str, str]] | None = None    # keyword-in-context lines, when asked for
    missing: list[str] | None = _row()          # a relaxed result: the query's words this passage lacks
    report_hits: int | None = None              # grouped by report: how many passages of its report matched
    citation: str = _row("")                    # 《report》——2021年1月8日在…会议上，“section”, see citations.py
    citation_url: str | None = _row()           # the report's web address; None for a report known only as a file
    session: str | None = _row()                # the congress session the report was delivered at, if it says
    delivered: str | None = _row()              # the date it was delivered there (ISO), if it says
    passage_url: str | None = None              # the passage on this site's report page, a path (the web sets it)
    ingested: str | None = None                 # when its report was ingested (ISO, UTC): saved searches and feeds


ROW_FIELDS = tuple(f.name for f in fields(Hit) if f.metadata.get("row"))
OPTIONAL = ("kwic", "missing", "report_hits", "ingested")   # left out of the JSON when None
SNIPPET_FIELDS = ("highlight", "lead_highlight")
