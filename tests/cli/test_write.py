"""The command line: parse --json contract, ingest output and exit codes (R20 for the write side)."""
import json

from click.testing import CliRunner

from indexer.index.commits import current_commit
from indexer.store import read_documents
from search_app.cli import main
from tests.conftest import SAMPLES, SEEDS, WEB_DEV

DOC_KEYS = {"doc_id", "title", "body", "region", "province", "level", "year", "doc_type", "source", "traditional",
            "sections", "session", "delivered"}


def test_parse_json_contract():
    r = CliRunner().invoke(main, ["parse", str(SAMPLES / "01-zhejiang-2022.html"), "--json"])
    assert r.exit_code == 0
    doc = json.loads(r.output)
    assert DOC_KEYS <= doc.keys()
    assert [s["level"] for s in doc["sections"][:3]] == [0, 1, 2]
    for s in doc["sections"]:
        assert {"heading", "level", "category", "passages"} <= s.keys()
        for p in s["passages"]:
            assert {"passage_id", "text", "start", "end", "ordinal", "heading", "category"} <= p.keys()
    assert "浙江省" in r.output                      # Chinese printed as is, not \u escapes
    assert doc["kind"] == "report" and set(doc["why"]) == {"title", "region", "year", "doc_type", "session"}
    assert (doc["session"], doc["delivered"]) == ("浙江省第十四届人民代表大会第一次会议", None)    # a line with no date
    dated = json.loads(CliRunner().invoke(main, ["parse", str(WEB_DEV / "a01-jiangxi-2019.html"), "--json"]).output)
    assert (dated["session"], dated["delivered"]) == ("江西省第十三届人民代表大会第四次会议", "2020-01-15")


def test_parse_readable_output():
    r = CliRunner().invoke(main, ["parse", str(SAMPLES / "02-ningxia-2014.html")])
    assert r.exit_code == 0 and "加强规范性文件备案审查。  [监督工作]" in r.output
    assert "  delivered (no date) at 宁夏回族自治区第十一届人民代表大会第三次会议\n" in r.output
    dated = CliRunner().invoke(main, ["parse", str(WEB_DEV / "a01-jiangxi-2019.html")]).output
    assert "  delivered 2020-01-15 at 江西省第十三届人民代表大会第四次会议\n" in dated


def test_parse_missing_file_is_a_usage_error():
    r = CliRunner().invoke(main, ["parse", "/nonexistent/file.html"])
    assert r.exit_code == 2 and "Traceback" not in r.output


def test_ingest_writes_folded_documents(tmp_path):
    r = CliRunner().invoke(main, ["ingest", str(SAMPLES), str(SEEDS), "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    docs = list(read_documents(tmp_path))
    assert len(docs) == 19                            # 21 files, two reposts folded
    assert "21 files: 21 parsed, 0 skipped; 19 documents (2 reposts folded)" in r.stderr
    wuhou = next(d for d in docs if d.region == "武侯区")
    assert len(wuhou.sources) == 2


def test_ingest_notes_each_file_taken_in_as_something_else_than_a_report(tmp_path):
    plan, court = WEB_DEV / "b03-binhaixinqu-2025-yaodian.md", WEB_DEV / "b06-guangdong-2011-fayuan-big5.html"
    r = CliRunner().invoke(main, ["ingest", str(plan), str(court), str(SAMPLES / "01-zhejiang-2022.html"),
                                  "--index", str(tmp_path / "ix")])
    assert r.exit_code == 0, r.output
    notes = [line for line in r.output.splitlines() if line.startswith("note ")]
    assert len(notes) == 2 and "a work plan (工作要点)" in notes[0] and "a court's work report" in notes[1]
    assert all("taken in as doc type other" in n for n in notes)


def test_ingest_with_no_report_files_is_a_usage_error(tmp_path):
    (tmp_path / "notes.json").write_text("{}")
    r = CliRunner().invoke(main, ["ingest", str(tmp_path), "--out", str(tmp_path / "out")])
    assert r.exit_code == 2


def test_index_optimize_merges_the_segments(tmp_path):
    ix = tmp_path / "ix"
    for f in sorted(SAMPLES.glob("0*.*"))[:4]:
        assert CliRunner().invoke(main, ["ingest", str(f), "--index", str(ix)]).exit_code == 0
    before = len(current_commit(ix).segments)
    r = CliRunner().invoke(main, ["index", "--optimize", "--index", str(ix)])
    assert r.exit_code == 0, r.output
    assert before == 4 and len(current_commit(ix).segments) == 1
    r = CliRunner().invoke(main, ["index", "--optimize", "--from", str(ix), "--index", str(ix)])
    assert r.exit_code == 2 and "--optimize" in r.stderr


def test_every_command_has_help():
    for name, cmd in main.commands.items():
        assert cmd.help, name


HOLD_THE_LOCK = """import sys
from indexer.index.lock import WriteLock
with WriteLock(sys.argv[1]):          # what a build holds from its start to its commit
    print("locked", flush=True)
    sys.stdin.readline()
"""


def test_r4_a_second_build_fails_at_once_with_exit_4_and_the_index_opens_afterwards(index_dir, tmp_path):
    """R4: another process holds the index's write lock, as a build does while it writes; `ingest`, `index` and
    `remove` started meanwhile exit 4 naming the holder, within the lock timeout (0 s) + 1 s, readers carry
    on, and once the first writer is done the index opens and takes the second build."""
    import shutil
    import subprocess
    import sys
    import time

    from indexer.index.reader import open_index
    ix = tmp_path / "ix"
    shutil.copytree(index_dir, ix)
    report = tmp_path / "new" / "10-quanguo-2010.txt"
    report.parent.mkdir()
    report.write_text((SAMPLES / "10-quanguo-2010.txt").read_text(encoding="utf-8") + "\n锁争用测试专用语句。\n",
                      encoding="utf-8")
    first = subprocess.Popen([sys.executable, "-c", HOLD_THE_LOCK, str(ix)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert first.stdout.readline().strip() == "locked"
        seconds, codes = {}, {}
        for name, args in {"ingest": ["ingest", str(report)], "index": ["index"], "remove": ["remove", "x"]}.items():
            start = time.monotonic()
            r = CliRunner().invoke(main, [*args, "--index", str(ix)])
            seconds[name], codes[name] = time.monotonic() - start, int(r.exit_code)
            assert r.exit_code == 4, (name, r.output)
            assert f"index is busy: another process is writing {ix} (process {first.pid}, since " in r.stderr, name
            assert "Traceback" not in r.output
        # the same as its own process, as a second `lrsearch ingest` started from a shell
        second = subprocess.run([sys.executable, "-c", "from search_app.cli import main; main()", "ingest",
                                 str(report), "--index", str(ix)], capture_output=True, text=True, timeout=120)
        assert second.returncode == 4 and "index is busy" in second.stderr and "Traceback" not in second.stderr
        reading = CliRunner().invoke(main, ["search", "监督", "--index", str(ix), "--json"])   # readers never wait
        assert reading.exit_code == 0 and json.loads(reading.stdout)["total"] > 0
    finally:
        first.communicate("\n", timeout=30)
    assert first.returncode == 0
    after = CliRunner().invoke(main, ["ingest", str(report), "--index", str(ix)])
    assert after.exit_code == 0, after.output
    ix_after = open_index(ix)
    assert ix_after.n > 0 and CliRunner().invoke(main, ["search", '"锁争用测试专用语句"', "--index", str(ix)]).exit_code == 0
    print(f"\nR4: second writer exit codes {codes} and {second.returncode} as its own process; "
          f"message 'index is busy: another process is writing … (process {first.pid}, …)'; "
          f"failed after {max(seconds.values()):.3f} s at most (lock timeout 0 s, bar 1 s); "
          f"index opens afterwards with {ix_after.n} passages and takes the next ingest")
    assert max(seconds.values()) <= 0 + 1.0, seconds
