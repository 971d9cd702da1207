"""`lrsearch saved add|list|remove` and `lrsearch watch`: what is new since the last run, its output formats, and
the exit codes cron reads (0 news, 1 none, 2 usage, 3 no index)."""
import csv
import io
import json

from search_app.saved import SAVED_FILE
from tests.cli.test_read import invoke
from tests.index.test_ingest_time import FIRST, LATER, add


def test_watch_lists_what_was_ingested_since_its_last_run(tmp_path):
    ix = tmp_path / "ix"
    add(tmp_path, ix, FIRST, 1_000.0)
    r = invoke("saved", "add", "监督内蒙古", "监督", "--index", ix)
    assert r.exit_code == 0, r.output
    assert invoke("saved", "add", "浙江", "监督", "--province", "浙江", "--year", "2015-", "--index", ix).exit_code == 0
    assert (ix / SAVED_FILE).is_file()
    # nothing ingested since they were saved: no news, for cron
    assert invoke("watch", "--index", ix).exit_code == 1
    add(tmp_path, ix, LATER, 2_000.0)
    r = invoke("watch", "--index", ix, "--jsonl")
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows and {row["saved"] for row in rows} == {"监督内蒙古"}    # the 浙江 search has nothing new
    assert {row["province"] for row in rows} == {"内蒙古自治区"}
    assert {row["ingested"] for row in rows} == {"1970-01-01T00:33:20Z"}
    # this run was recorded: the same passages are not news again
    assert invoke("watch", "--index", ix).exit_code == 1
    listed = json.loads(invoke("saved", "list", "--index", ix, "--json").stdout)["saved"]
    assert [s["name"] for s in listed] == ["监督内蒙古", "浙江"]
    assert listed[0]["last_run"] and listed[0]["seen"] == 2_000.0
    assert listed[1]["filters"] == {"province": ["浙江"]} and listed[1]["year"] == "2015-"


def test_watch_formats_and_names(tmp_path):
    ix = tmp_path / "ix"
    add(tmp_path, ix, FIRST, 1_000.0)
    for name in ("a", "b"):
        assert invoke("saved", "add", name, "监督", "--index", ix).exit_code == 0
    add(tmp_path, ix, LATER, 2_000.0)
    r = invoke("watch", "a", "--index", ix, "--json", "--limit", 3)       # only the one named
    assert r.exit_code == 0
    (only,) = json.loads(r.stdout)["searches"]
    assert only["name"] == "a" and only["new"] > 3 and len(only["hits"]) == 3
    assert all(h["ingested"] == "1970-01-01T00:33:20Z" for h in only["hits"])
    r = invoke("watch", "b", "--index", ix, "--csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert r.exit_code == 0 and rows and list(rows[0])[:3] == ["saved", "ingested", "passage_id"]
    assert invoke("watch", "a", "b", "--index", ix).exit_code == 1         # both have run since
    r = invoke("watch", "no-such", "--index", ix)
    assert r.exit_code == 2 and "no-such" in r.output


def test_readable_watch_names_each_search(tmp_path):
    ix = tmp_path / "ix"
    add(tmp_path, ix, FIRST, 1_000.0)
    invoke("saved", "add", "监督", "监督", "--index", ix)
    add(tmp_path, ix, LATER, 2_000.0)
    r = invoke("watch", "--index", ix)
    assert r.exit_code == 0
    assert "监督: " in r.stdout and "new passages since 1970-01-01T00:16:40Z" in r.stdout
    assert "ingested 1970-01-01T00:33:20Z" in r.stdout


def test_saved_add_remove_and_their_errors(tmp_path):
    ix = tmp_path / "ix"
    assert invoke("saved", "add", "x", "监督", "--index", ix).exit_code == 3          # no index
    add(tmp_path, ix, FIRST, 1_000.0)
    assert invoke("saved", "list", "--index", ix).exit_code == 1                      # none saved yet
    assert not (ix / SAVED_FILE).exists()                                             # and nothing written
    assert invoke("saved", "add", "x", "监督", "--index", ix).exit_code == 0
    r = invoke("saved", "add", "x", "备案", "--index", ix)
    assert r.exit_code == 2 and "exists" in r.output
    assert invoke("saved", "add", "a/b", "监督", "--index", ix).exit_code == 2         # not a path segment
    assert invoke("saved", "add", "y", "--index", ix).exit_code == 2                   # no query, no filter
    assert invoke("saved", "add", "y", "--year", "明年", "--index", ix).exit_code == 2
    r = invoke("saved", "list", "--index", ix, "--csv")
    assert r.exit_code == 0 and r.stdout.splitlines()[0].split(",") == ["name", "query", "filters", "year",
                                                                        "created", "last_run"]
    assert invoke("saved", "remove", "x", "--index", ix).exit_code == 0
    assert invoke("saved", "remove", "x", "--index", ix).exit_code == 1
    assert invoke("saved", "list", "--index", ix).exit_code == 1


def test_a_damaged_or_busy_file_is_an_error_not_a_traceback(tmp_path, monkeypatch):
    """A damaged saved.sqlite: exit 2 with the reason; one another process holds: exit 4 (busy), so that cron
    tries again rather than reading "no news"."""
    import sqlite3

    import search_app.saved
    ix = tmp_path / "ix"
    add(tmp_path, ix, FIRST, 1_000.0)
    path = ix / SAVED_FILE
    path.write_bytes(b"not a database at all" * 100)
    for args in (["saved", "list"], ["saved", "add", "x", "监督"], ["watch"]):
        r = invoke(*args, "--index", ix)
        assert r.exit_code == 2 and "已损坏" in r.output and "Traceback" not in r.output, (args, r.output)
    path.unlink()
    assert invoke("saved", "add", "x", "监督", "--index", ix).exit_code == 0
    real = sqlite3.connect
    monkeypatch.setattr(search_app.saved.sqlite3, "connect", lambda p, timeout: real(p, timeout=0.05))
    holder = real(path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        r = invoke("watch", "--index", ix)
    finally:
        holder.rollback()
        holder.close()
    assert r.exit_code == 4 and "另一个进程" in r.output, r.output
