"""What is new for a search: the passages it finds whose report was ingested after a given time, newest first.

A saved search's alert (``lrsearch watch``) lists those ingested since the newest time it has seen
(``Index.latest_ingest`` when it last ran); a feed lists the newest of all. Times are the ingest stamps
the index carries per report (``Index.ingest_times``), not the clock of the machine that asks, so an ingest
that was running while an alert ran is found by the next one.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import numpy as np

from indexer.index.reader import Index
from search_app.core.citations import cite
from search_app.core.search import Params, highlight_needles, make_hit, result_rows

FEED_ENTRIES = 50       # passages in a feed, and listed per saved search by default


def iso(t: float) -> str:
    """An ingest time as RFC 3339 in UTC (what Atom's ``updated`` and the JSON carry)."""
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def newest(ix: Index, params: Params, since: float | None = None, limit: int = FEED_ENTRIES) -> dict:
    """The passages ``params`` finds (exactly: never relaxed, for an alert of words that are not there is noise)
    whose report was ingested after ``since`` (None, as a feed asks: all, those of no known time, 0.0, last),
    newest first, then in index order; at most ``limit`` of them.

    Returns ``new`` (how many there are in all), ``hits`` (each with ``ingested``), ``since`` (ISO or None)
    and ``seen``, the newest ingest time of the index, which the caller records as this run's.
    :raises QueryError: for a query that cannot be run.
    """
    params = replace(params, relax=False, spell=False)
    result = result_rows(ix, params)
    times = ix.ingest_times()[result.rows]
    new = np.flatnonzero(times > since) if since is not None else np.arange(len(times))
    order = new[np.lexsort((result.rows[new], -times[new]))][:limit]
    needles = highlight_needles(ix, result.parsed)
    phrases = tuple(text for kind, text in result.parsed.positive_texts() if kind == "phrase")
    hits = [make_hit(ix, int(result.rows[i]), 0.0, needles, params.context, False, phrases) for i in order]
    for h, i in zip(hits, order):
        h.ingested = iso(float(times[i]))
    return {"query": params.q, "since": iso(since) if since else None, "new": int(len(new)),
            "hits": cite(ix, hits), "seen": ix.latest_ingest()}
