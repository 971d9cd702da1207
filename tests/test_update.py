"""Index lifecycle: incremental ingest into new segments, replacement, removal, commits swapped atomically
(R17 spirit)."""
import shutil

import pytest

from indexer.index.commits import current_commit
from indexer.index.reader import open_index
from indexer.update import ingest, rebuild, remove
from search_app.core.search import Params
from tests.conftest import SAMPLES, search_json


def copy(tmp_path, *names):
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    for n in names:
        shutil.copy(SAMPLES / n, src / n)
    return src


def total(index_dir, q):
    return search_json(open_index(index_dir), Params(q=q, limit=0))["total"]


def test_incremental_ingest_skips_replaces_and_adds(tmp_path):
    src = copy(tmp_path, "10-quanguo-2010.txt", "15-huzhou-2022.md")
    ix = tmp_path / "ix"
    first = ingest(ix, [src], workers=1)
    assert (first.parsed, first.unchanged) == (2, 0)
    again = ingest(ix, [src], workers=1)
    assert (again.parsed, again.unchanged, again.build) == (0, 2, None)
    # a changed file replaces its document; a new file is added
    f = src / "15-huzhou-2022.md"
    f.write_text(f.read_text(encoding="utf-8").replace("太湖溇港保护条例", "太湖溇港守护条例"), encoding="utf-8")
    copy(tmp_path, "12-etuokeqianqi-2020.txt")
    third = ingest(ix, [src], workers=1)
    assert (third.parsed, third.unchanged, third.build.documents) == (2, 1, 3)
    assert total(ix, '"太湖溇港守护条例"') > 0 and total(ix, '"太湖溇港保护条例"') == 0


def test_same_ids_after_reingest_and_rebuild(tmp_path):
    src = copy(tmp_path, "02-ningxia-2014.html")
    ix = tmp_path / "ix"
    ingest(ix, [src], workers=1)
    before = {h["passage_id"] for h in search_json(open_index(ix), Params(q="监督", limit=1000))["hits"]}
    rebuild(ix, workers=1)
    after = {h["passage_id"] for h in search_json(open_index(ix), Params(q="监督", limit=1000))["hits"]}
    assert before == after and before


def test_remove_by_path_and_by_doc_id(tmp_path):
    src = copy(tmp_path, "10-quanguo-2010.txt", "15-huzhou-2022.md", "03-wuhou-2021.html", "06-wuhou-weixin-2021.html")
    ix = tmp_path / "ix"
    ingest(ix, [src], workers=1)
    assert total(ix, "region:全国") > 0
    removed, missing = remove(ix, [str(src / "10-quanguo-2010.txt"), "no-such-id"])
    assert removed == 1 and missing == ["no-such-id"]
    assert total(ix, "region:全国") == 0
    # removing one source of a folded repost keeps the document under its other source
    removed, _ = remove(ix, [str(src / "03-wuhou-2021.html")])
    assert removed == 0 and total(ix, "region:武侯区") > 0
    doc_id = search_json(open_index(ix), Params(q="region:湖州市", limit=1))["hits"][0]["doc_id"]
    assert remove(ix, [doc_id])[0] == 1 and total(ix, "region:湖州市") == 0


def test_readers_keep_their_commit_during_a_swap(tmp_path):
    src = copy(tmp_path, "10-quanguo-2010.txt")
    ix = tmp_path / "ix"
    ingest(ix, [src], workers=1)
    old = open_index(ix)
    old_commit = current_commit(ix)
    copy(tmp_path, "15-huzhou-2022.md")
    ingest(ix, [src], workers=1)
    assert current_commit(ix).number == old_commit.number + 1
    assert search_json(old, Params(q="region:湖州市", limit=0))["total"] == 0      # the old reader still answers
    assert total(ix, "region:湖州市") > 0                                     # a new open sees the new commit
    assert sorted(p.name for p in (ix / "commits").iterdir()) == ["commit-000001.json", "commit-000002.json"]
    assert not list(ix.rglob("*.tmp"))


def test_an_ingest_writes_only_what_is_new(tmp_path):
    src = copy(tmp_path, "10-quanguo-2010.txt", "15-huzhou-2022.md")
    ix = tmp_path / "ix"
    first = ingest(ix, [src], workers=1)
    (segment,) = current_commit(ix).segments
    copy(tmp_path, "12-etuokeqianqi-2020.txt")
    second = ingest(ix, [src], workers=1)
    commit = current_commit(ix)
    assert [s.id for s in commit.segments][:1] == [segment.id] and commit.documents == 3
    assert second.build.written == commit.segments[1].rows < first.build.written


def test_a_changed_file_is_taken_out_of_its_segment_and_written_again(tmp_path):
    src = copy(tmp_path, "10-quanguo-2010.txt", "15-huzhou-2022.md")
    ix = tmp_path / "ix"
    ingest(ix, [src], workers=1)
    f = src / "15-huzhou-2022.md"
    f.write_text(f.read_text(encoding="utf-8").replace("太湖溇港保护条例", "太湖溇港守护条例"), encoding="utf-8")
    before = current_commit(ix)
    report = ingest(ix, [src], workers=1)
    after = current_commit(ix)
    assert after.documents == 2 and after.passages == before.passages
    # the edited report is written again; its old copy is taken out of the first segment, which, left with
    # under 70% of its passages, is itself written again by the merge policy
    assert [s.docs for s in after.segments] == [1, 1] and not any(s.deleted for s in after.segments)
    assert report.build.written == after.passages
    assert total(ix, '"太湖溇港保护条例"') == 0 and total(ix, '"太湖溇港守护条例"') > 0
    assert total(ix, "region:湖州市") == search_json(open_index(ix), Params(q="region:湖州市", limit=0))["total"] > 0


def test_a_removed_report_is_marked_deleted_in_whoosh_too(tmp_path):
    from whoosh.index import open_dir
    src = copy(tmp_path, "01-zhejiang-2022.html", "02-ningxia-2014.html", "13-weifang-2012.txt",
               "14-mianyang-2015.txt", "16-chongqing-2025.md")
    ix = tmp_path / "ix"
    ingest(ix, [src], workers=1)
    removed, _ = remove(ix, [str(src / "13-weifang-2012.txt")])
    (segment,) = current_commit(ix).segments
    assert removed == 1 and len(segment.deleted) == 1 and segment.deleted_rows < 0.3 * segment.rows
    reader = open_dir(str(ix / "whoosh"), indexname="MAIN").reader()
    try:
        assert reader.doc_count() == segment.live_rows and reader.doc_count_all() == segment.rows
    finally:
        reader.close()
    assert total(ix, "region:潍坊市") == 0 and total(ix, "监督") > 0


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            return [int(c) for c in fh.read().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_killing_a_writer_leaves_neither_its_lock_nor_its_workers(tmp_path):
    """Regression: after `kill -9` of `lrsearch ingest`, its forked workers lived on holding write.lock (an flock
    is held while any process has the descriptor open), and every later writer exited 4 "busy"."""
    import signal
    import subprocess
    import sys
    import time
    src = tmp_path / "src"
    src.mkdir()
    for k in range(40):         # distinct reports, so that the parse workers have work
        for f in ("01-zhejiang-2022.html", "13-weifang-2012.txt"):
            (src / f"{k}-{f}").write_bytes((SAMPLES / f).read_bytes() + f"\n第{k}份。".encode())
    ix = tmp_path / "ix"
    proc = subprocess.Popen([sys.executable, "-c", "from search_app.cli import main; main()", "ingest", str(src),
                             "--index", str(ix), "--workers", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not _children(proc.pid) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    workers = _children(proc.pid)
    assert workers, "the ingest finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    from indexer.index.lock import IndexBusy, WriteLock
    deadline = time.monotonic() + 10
    while True:     # the workers die a moment after the writer (their parent-death signal): then no one holds it
        try:
            with WriteLock(ix):
                break
        except IndexBusy:
            assert time.monotonic() < deadline, "the killed writer's workers still hold the lock"
            time.sleep(0.05)
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers)      # the workers died with the writer


def test_a_report_removed_by_its_id_comes_back_when_its_file_is_ingested_again(tmp_path):
    """Regression: `remove DOC_ID` kept the file's hash, so ingesting the folder again said "unchanged" and
    the report never came back."""
    src = copy(tmp_path, "15-huzhou-2022.md", "10-quanguo-2010.txt")
    ix = tmp_path / "ix"
    ingest(ix, [src], workers=1)
    doc_id = search_json(open_index(ix), Params(q="region:湖州市", limit=1))["hits"][0]["doc_id"]
    assert remove(ix, [doc_id])[0] == 1 and total(ix, "region:湖州市") == 0
    again = ingest(ix, [src], workers=1)
    assert (again.parsed, again.unchanged) == (1, 1) and total(ix, "region:湖州市") > 0


def test_every_new_name_is_fsynced_before_current_points_at_it(tmp_path, monkeypatch):
    """A power cut after ``CURRENT`` is replaced must not lose a directory entry the new commit needs: every
    directory that gained a name (a segment folder, a Whoosh file, the commit) is fsynced before the swap."""
    import os
    from pathlib import Path
    src = copy(tmp_path, "10-quanguo-2010.txt")
    ix = tmp_path / "ix"
    ingest(ix, [src], workers=1)
    before = {p for p in ix.rglob("*")}
    synced, at_swap = [], []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        synced.append(Path(os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    def replace(a, b, *args, **kw):
        if Path(b) == ix / "CURRENT":
            at_swap.append(set(synced))
        return real_replace(a, b, *args, **kw)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    copy(tmp_path, "15-huzhou-2022.md")
    ingest(ix, [src], workers=1)
    new = {p for p in ix.rglob("*") if p not in before and p.name != "CURRENT"}
    assert len(at_swap) == 1 and new
    unsynced = sorted(str(p.relative_to(ix)) for p in new if p.parent not in at_swap[0])
    assert unsynced == []


R17_FILES = ["01-zhejiang-2022.html", "03-wuhou-2021.html", "06-wuhou-weixin-2021.html", "10-quanguo-2010.txt",
             "12-etuokeqianqi-2020.txt", "15-huzhou-2022.md", "16-chongqing-2025.md", "09-ganzhou-2018.html"]


def test_r17_clean_and_build_twice_give_the_same_bytes_and_ids_and_an_interrupted_build_rerun_too(tmp_path,
                                                                                                    monkeypatch):
    """R17: the cleaned documents of two runs are byte for byte the same (sha256 of documents.jsonl); an index
    rebuilt from them and one ingested from the files hold the same passages, once each; an ingest interrupted
    after writing its segments, before publishing them, then run again, ends the same, with nothing left over."""
    import hashlib

    from click.testing import CliRunner

    from indexer.index import build
    from indexer.index.commits import SEGMENTS_DIR
    from search_app.cli import main
    src = copy(tmp_path, *R17_FILES)
    digests = []
    for run in ("one", "two"):
        r = CliRunner().invoke(main, ["ingest", str(src), "--out", str(tmp_path / run), "--workers", "2"])
        assert r.exit_code == 0, r.output
        digests.append(hashlib.sha256((tmp_path / run / "documents.jsonl").read_bytes()).hexdigest())
    rebuilt = tmp_path / "rebuilt"
    assert CliRunner().invoke(main, ["index", "--from", str(tmp_path / "one"), "--index", str(rebuilt)]).exit_code == 0

    ingested = tmp_path / "ingested"
    real_publish = build.Change.publish

    def interrupted(self, files):
        raise KeyboardInterrupt            # Ctrl-C with the segments written, CURRENT not yet replaced
    monkeypatch.setattr(build.Change, "publish", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ingest(ingested, [src], workers=2)
    written = sorted(p.name for p in (ingested / SEGMENTS_DIR).iterdir())
    monkeypatch.setattr(build.Change, "publish", real_publish)
    ingest(ingested, [src], workers=2)

    def passages(index_dir):
        ix = open_index(index_dir)
        return [ix.passage(r)["passage_id"] for r in range(ix.n)], ix.side.doc_ids, ix.commit
    ids_a, docs_a, _ = passages(rebuilt)
    ids_b, docs_b, commit = passages(ingested)
    left = sorted(p.name for p in (ingested / SEGMENTS_DIR).iterdir() if p.name not in {e.id for e in commit.segments})
    dupes = len(ids_b) - len(set(ids_b))
    print(f"\nR17: documents.jsonl sha256 {digests[0][:16]} and {digests[1][:16]}: "
          f"{'identical' if digests[0] == digests[1] else 'DIFFERENT'}; passage ids rebuilt {len(ids_a)} vs ingested "
          f"after an interrupted run {len(ids_b)}: {'equal' if set(ids_a) == set(ids_b) else 'DIFFERENT'}; documents "
          f"{len(docs_a)} vs {len(docs_b)}; duplicate ids {dupes}; segments left by the interrupted run {written}, "
          f"unused after the rerun {left}")
    assert digests[0] == digests[1]
    assert set(ids_a) == set(ids_b) and len(ids_a) == len(set(ids_a)) and dupes == 0
    assert sorted(docs_a) == sorted(docs_b) and len(docs_a) == len(R17_FILES) - 1      # one repost folded
    assert written and left == []


def test_a_summary_ingested_later_is_a_version_of_the_held_report_and_counts_once(tmp_path):
    """The full report first, its 摘要 and a copy of another report on a second site in a later ingest: each
    is linked to the held one, the report page lists them, and counts per year count each report once."""
    from search_app.core.stats import stats
    from search_app.web import create_app
    from tests.conftest import WEB_DEV
    ingest(tmp_path, [WEB_DEV / "a03-quanguo-2014.txt", WEB_DEV / "b01-youxian-2022-weixin.html"], workers=1)
    ingest(tmp_path, [WEB_DEV / "a02-quanguo-2014-zhaiyao.html", WEB_DEV / "b10-youxian-2022-zhuzhou-rd.html"],
           workers=1)
    ix = open_index(tmp_path)
    assert ix.n and len(ix.side.doc_ids) == 4
    by_title = {ix.document(d)["title"]: d for d in ix.side.doc_ids}
    full, summary = by_title["全国人民代表大会常务委员会工作报告"], by_title["全国人民代表大会常务委员会工作报告（摘要）"]
    assert ix.versions(full) == [summary] and ix.versions(summary) == [full]
    counted = stats(ix, Params(q=""), ["year"])
    assert counted["reports"] == 2 and [(r["year"], r["reports_held"]) for r in counted["rows"]] == [(2014, 1), (2022, 1)]
    client = create_app({"INDEX_DIR": str(tmp_path), "TESTING": True}).test_client()
    versions = client.get(f"/api/doc/{full}").get_json()["versions"]
    assert [(v["doc_id"], v["kind"]) for v in versions] == [(summary, "summary")]
    assert "同一报告的其他版本" in client.get(f"/doc/{full}").get_data(as_text=True)


def test_files_read_by_an_older_parser_are_parsed_again(tmp_path, monkeypatch):
    """Unchanged files that an older parser read are parsed again once, so that what it added (here the session
    a report was delivered at) reaches an index built before it."""
    import indexer.update
    from indexer.understand.pipeline import PARSER_VERSION
    src = copy(tmp_path, "15-huzhou-2022.md", "12-etuokeqianqi-2020.txt")
    ix = tmp_path / "ix"
    monkeypatch.setattr(indexer.update, "PARSER_VERSION", PARSER_VERSION - 1)
    ingest(ix, [src], workers=1)
    monkeypatch.undo()
    assert {f["parser"] for f in current_commit(ix).files.values()} == {PARSER_VERSION - 1}
    again = ingest(ix, [src], workers=1)
    assert (again.parsed, again.unchanged, again.build.documents) == (2, 0, 2)
    assert {f["parser"] for f in current_commit(ix).files.values()} == {PARSER_VERSION}
    huzhou = search_json(open_index(ix), Params(q="湖州市", limit=1))["hits"][0]
    assert huzhou["session"] == "湖州市第九届人民代表大会第三次会议"
    third = ingest(ix, [src], workers=1)
    assert (third.parsed, third.unchanged, third.build) == (0, 2, None)
