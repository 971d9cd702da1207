"""The command line: parse --json contract, ingest output and exit codes (R20 for the write side)."""
import json

from click.testing import CliRunner

from indexer.store import read_documents
from search_app.cli import main
from tests.conftest import SAMPLES, SEEDS

DOC_KEYS = {"doc_id", "title", "body", "region", "province", "level", "year", "doc_type", "source", "traditional",
            "sections"}


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


def test_parse_readable_output():
    r = CliRunner().invoke(main, ["parse", str(SAMPLES / "02-ningxia-2014.html")])
    assert r.exit_code == 0 and "加强规范性文件备案审查。  [监督工作]" in r.output


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


def test_ingest_with_no_report_files_is_a_usage_error(tmp_path):
    (tmp_path / "notes.json").write_text("{}")
    r = CliRunner().invoke(main, ["ingest", str(tmp_path), "--out", str(tmp_path / "out")])
    assert r.exit_code == 2


def test_every_command_has_help():
    for name, cmd in main.commands.items():
        assert cmd.help, name
