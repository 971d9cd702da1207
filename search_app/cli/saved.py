"""Saved searches and their alerts: ``lrsearch saved add|list|remove`` and ``lrsearch watch`` (for cron: exit 0
when some saved search has new passages, 1 when none has)."""
from __future__ import annotations

import time
from pathlib import Path

import click

from indexer.facets import FACETS
from search_app.cli.common import ExitStatus, done, fail, index_option
from search_app.cli.output import output_options
from search_app.cli.read import TEXT, _open, _params, _run, filter_options, print_hit
from search_app.core.alerts import FEED_ENTRIES, iso
from search_app.core.records import ROW_FIELDS
from search_app.formats import hit_json, hit_row
from search_app.saved import NAME_MAX, NameTaken, Saved, SavedSearches, SavedUnavailable, saved_file, valid_name

SAVED_FIELDS = ("name", "query", "filters", "year", "created", "last_run")
WATCH_FIELDS = ("saved", "ingested", *ROW_FIELDS)


def _store(index_dir: Path) -> SavedSearches:
    return SavedSearches(saved_file(index_dir))


def _filters_text(s: Saved) -> str:
    return " ".join(f"{f.option}={v}" for f in FACETS for v in s.filters.get(f.name, []))


class SavedErrors:
    """A file of saved searches that cannot be used is an error with its reason, not a traceback: exit 4 when
    another process holds it (cron may try again), else 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SavedUnavailable as exc:
            fail(str(exc), ExitStatus.BUSY if exc.busy else ExitStatus.USAGE)


class SavedGroup(SavedErrors, click.Group):
    pass


class WatchCommand(SavedErrors, click.Command):
    pass


@click.group(cls=SavedGroup)
def saved() -> None:
    """Searches saved under a name, in saved.sqlite in the index directory; `lrsearch watch` lists what is new."""


@saved.command("add")
@click.argument("name", type=TEXT)
@click.argument("query", type=TEXT, required=False, default="")
@index_option
@filter_options
def add(name, query, index_dir, **filters):
    """Save QUERY (and the filters) as NAME. From now on `lrsearch watch` lists its passages ingested later.

    Exit 2 for a name in use or not valid, or a query that cannot be run; 3 when there is no index."""
    from search_app.core.search import result_rows
    if not valid_name(name):
        fail(f"NAME must be 1 to {NAME_MAX} characters, without / \\ or control characters or spaces at the ends",
             ExitStatus.USAGE)
    params = _params(query, filters)
    ix = _open(index_dir)
    _run(result_rows, ix, params)              # a query that cannot be run is refused now, not at every watch
    try:
        _store(index_dir).add(Saved(name, params.q, params.filters, params.year, created=time.time(),
                                    seen=ix.latest_ingest()))
    except NameTaken:
        fail(f"a saved search named {name!r} exists: remove it first (lrsearch saved remove)", ExitStatus.USAGE)
    click.echo(f"saved {name!r}: lrsearch watch {name} lists its passages ingested from now on", err=True)


@saved.command("list")
@index_option
@output_options
def list_(index_dir, out):
    """The saved searches. Exit 1 when there is none."""
    searches = _store(index_dir).all()
    rows = [{"name": s.name, "query": s.q, "filters": _filters_text(s), "year": s.year,
             "created": iso(s.created), "last_run": iso(s.last_run) if s.last_run else None} for s in searches]
    if out.readable:
        out.table(list(SAVED_FIELDS), ([r[c] for c in SAVED_FIELDS] for r in rows))
    else:
        out.emit({"saved": [s.to_json() for s in searches]}, rows, SAVED_FIELDS)
    done(bool(searches))


@saved.command("remove")
@click.argument("name", type=TEXT)
@index_option
def remove(name, index_dir):
    """Forget the saved search NAME. Exit 1 when there is none of that name."""
    if not _store(index_dir).remove(name):
        click.echo(f"no saved search named {name!r}", err=True)
        done(False)
    click.echo(f"removed {name!r}", err=True)


@click.command(cls=WatchCommand)
@click.argument("names", nargs=-1, type=TEXT)
@index_option
@click.option("--limit", type=click.IntRange(1, 10_000), default=FEED_ENTRIES, show_default=True,
              help="New passages listed per saved search, at most (the newest).")
@output_options
def watch(names, index_dir, limit, out):
    """For every saved search (or those NAMES), the passages whose report was ingested since it last ran,
    newest first; then records this run. Exit 0 when there is news, 1 when there is none (for cron), 2 for a
    name not saved, 3 when there is no index."""
    from search_app.core.alerts import newest
    store = _store(index_dir)
    searches = store.all()
    known = {s.name for s in searches}
    if (unknown := [n for n in names if n not in known]):
        fail(f"no saved search named {', '.join(map(repr, unknown))} (lrsearch saved list)", ExitStatus.USAGE)
    ix = _open(index_dir)
    runs = []
    for s in searches:
        if names and s.name not in names:
            continue
        result = _run(newest, ix, s.params(), since=s.seen, limit=limit)
        runs.append((s, result))
    at = time.time()
    for s, result in runs:
        store.ran(s.name, at, result["seen"])
    if not out.readable:
        out.emit({"searches": [{**s.to_json(), **r, "hits": [hit_json(h) for h in r["hits"]]}
                               for s, r in runs]},
                 ({"saved": s.name, **hit_row(h), "ingested": h.ingested} for s, r in runs for h in r["hits"]),
                 WATCH_FIELDS)
    else:
        for s, r in runs:
            out.print(f"\n{s.name}: {r['new']} new passages since {r['since'] or 'the start'}"
                      + (f", the newest {len(r['hits'])} listed" if r["new"] > len(r["hits"]) else ""))
            for n, h in enumerate(r["hits"], start=1):
                print_hit(out, n, h, f"ingested {h.ingested} · {h.citation}")
    done(any(r["new"] for _, r in runs))
