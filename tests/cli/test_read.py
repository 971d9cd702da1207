"""The read commands (search, kwic, similar, stats, trends): JSON contract, the shared output options,
exit codes, no tracebacks (R20, R4)."""
import csv
import io
import json

import pytest
from click.testing import CliRunner

from indexer.index.lock import WriteLock
from search_app.cli import main
from search_app.formats import safe_cell
from tests.conftest import SAMPLES

HIT_KEYS = {"passage_id", "doc_id", "title", "region", "province", "level", "year", "doc_type", "section", "heading",
            "text", "highlight", "score"}
FACETS = {"region", "province", "level", "year", "section", "doc_type"}


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_search_json_contract(index_dir):
    r = invoke("search", '"备案审查"', "--index", index_dir, "--json", "--limit", 5)
    assert r.exit_code == 0
    out = json.loads(r.stdout)
    assert {"query", "total", "took_ms", "hits", "facets", "parsed"} <= out.keys()
    assert len(out["hits"]) == 5 and all(HIT_KEYS <= h.keys() for h in out["hits"])
    assert FACETS <= out["facets"].keys()
    assert all({"value", "count"} == set(i) for items in out["facets"].values() for i in items)
    assert "备案审查" in r.stdout                      # Chinese printed as is


def test_filters_as_options(index_dir):
    r = invoke("search", "监督", "--index", index_dir, "--json", "--level", "county", "--level", "city",
               "--year", "2015-2021", "--section", "监督工作", "--limit", 100)
    hits = json.loads(r.stdout)["hits"]
    assert hits and all(h["level"] in ("county", "city") and 2015 <= h["year"] <= 2021 and h["section"] == "监督工作"
                        for h in hits)


def test_no_hits_exit_1(index_dir):
    r = invoke("search", '"完全不存在的一句话"', "--index", index_dir, "--json")
    assert r.exit_code == 1 and json.loads(r.stdout)["total"] == 0


@pytest.mark.parametrize("q", ['"', "(((", "*x", "nofield:1", "x" * 500])
def test_bad_query_exit_2_with_a_message(index_dir, q):
    r = invoke("search", q, "--index", index_dir)
    assert r.exit_code == 2 and r.stderr.startswith("error: ") and "Traceback" not in r.output


def test_missing_index_exit_3(tmp_path):
    r = invoke("search", "监督", "--index", tmp_path / "none")
    assert r.exit_code == 3 and "no index" in r.stderr


def _index_of_another_version(path):
    assert invoke("ingest", SAMPLES / "10-quanguo-2010.txt", "--index", path).exit_code == 0
    commit = path / "commits" / (path / "CURRENT").read_text().strip()
    commit.write_text(json.dumps({**json.loads(commit.read_text()), "schema_version": 999}))


def test_schema_mismatch_exit_3(tmp_path):
    _index_of_another_version(tmp_path)
    r = invoke("search", "监督", "--index", tmp_path)
    assert r.exit_code == 3 and "schema version 999" in r.stderr


@pytest.mark.parametrize("command", [["index"], ["ingest", str(SAMPLES / "10-quanguo-2010.txt")]])
def test_the_command_the_mismatch_message_names_rebuilds_the_index(tmp_path, command):
    """`lrsearch index` (as the message says), or an ingest even of unchanged files, rebuilds an index of
    another schema version from its own documents."""
    _index_of_another_version(tmp_path)
    assert invoke(*command, "--index", tmp_path).exit_code == 0
    assert invoke("search", "监督", "--index", tmp_path).exit_code == 0


def test_second_writer_gets_busy_exit_4(tmp_path):
    with WriteLock(tmp_path):
        r = invoke("ingest", SAMPLES / "10-quanguo-2010.txt", "--index", tmp_path)
    assert r.exit_code == 4 and "index is busy" in r.stderr and "Traceback" not in r.output


def test_csv_output_and_formula_neutralising(index_dir):
    r = invoke("search", "监督", "--index", index_dir, "--csv", "--limit", 3)
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 3 and list(rows[0]) == ["passage_id", "doc_id", "title", "region", "province", "level",
                                                "year", "doc_type", "section", "heading", "text", "highlight",
                                                "score", "body", "missing", "citation", "citation_url", "session",
                                                "delivered"]
    assert [safe_cell(v) for v in ("=1+1", "+x", "-x", "@x", "ok")] == ["'=1+1", "'+x", "'-x", "'@x", "ok"]


def test_kwic_and_table_output(index_dir):
    r = invoke("search", "有备必审", "--index", index_dir, "--kwic")
    assert r.exit_code == 0 and " | 有备必审 | " in r.stdout
    r = invoke("search", "有备必审", "--index", index_dir)
    assert "【有备必审】" in r.stdout and "<mark>" not in r.stdout


def test_relaxed_results_on_the_command_line_say_what_each_passage_lacks(index_dir):
    r = invoke("search", "脱贫攻坚 扶贫 监督", "--index", index_dir, "--csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert r.exit_code == 0 and rows and all(row["missing"] in ("脱贫攻坚", "扶贫", "监督") for row in rows)
    table = invoke("search", "脱贫攻坚 扶贫 监督", "--index", index_dir)
    assert "these have 2 of them" in table.stdout and "missing: " in table.stdout
    strict = invoke("search", "脱贫攻坚 扶贫 监督", "--index", index_dir, "--strict", "--json")
    assert strict.exit_code == 1 and json.loads(strict.stdout)["total"] == 0


ESC = "\x1b["
READ_COMMANDS = [["search", "监督"], ["kwic", "监督"], ["similar", "--text", "坚持有件必备、有备必审、有错必纠"],
                 ["stats", "监督", "--by", "year,level"], ["trends", "监督", "--by", "level"]]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: c[0])
def test_every_read_command_speaks_every_output_format(index_dir, command):
    as_json = invoke(*command, "--index", index_dir, "--json")
    assert as_json.exit_code == 0, as_json.output
    document = json.loads(as_json.stdout)
    lines = invoke(*command, "--index", index_dir, "--jsonl").stdout.splitlines()
    rows = [json.loads(line) for line in lines]
    assert rows and all(isinstance(r, dict) for r in rows)
    as_csv = list(csv.DictReader(io.StringIO(invoke(*command, "--index", index_dir, "--csv").stdout)))
    as_tsv = list(csv.DictReader(io.StringIO(invoke(*command, "--index", index_dir, "--tsv").stdout), delimiter="\t"))
    assert len(as_csv) == len(as_tsv) == len(rows) and list(as_csv[0]) == list(rows[0]) == list(as_tsv[0])
    if isinstance(document.get("hits"), list):     # the rows are the document's hits
        assert [r["passage_id"] for r in rows] == [h["passage_id"] for h in document["hits"]]
    readable = invoke(*command, "--index", index_dir)
    assert readable.exit_code == 0 and readable.stdout.strip() and ESC not in readable.stdout   # piped: no ANSI
    both = invoke(*command, "--index", index_dir, "--json", "--csv")
    assert both.exit_code == 2 and "choose one of --json, --csv" in both.output


def test_search_hits_carry_their_citation(index_dir):
    hit = json.loads(invoke("search", '"有备必审"', "--index", index_dir, "--json", "--limit", 1).stdout)["hits"][0]
    assert hit["citation"].startswith("《") and f"（{hit['year']}年）" in hit["citation"]     # no delivery date
    assert hit["delivered"] is None and (hit["session"] is None or f"——在{hit['session']}上" in hit["citation"])
    assert "citation_url" in hit and hit["citation_url"] is None and hit["passage_url"] is None   # a file; no web
    assert hit["citation"] in invoke("search", '"有备必审"', "--index", index_dir, "--limit", 1).stdout


def test_kwic_command_lists_every_occurrence_sorted_by_its_context(index_dir):
    r = json.loads(invoke("kwic", "备案审查", "--index", index_dir, "--order", "right", "--json").stdout)
    assert r["lines"] and all(x["match"] == "备案审查" for x in r["lines"])
    assert [x["right"] for x in r["lines"]] == sorted(x["right"] for x in r["lines"])
    assert invoke("kwic", "备案审查", "--index", index_dir, "--order", "up").exit_code == 2


def test_trends_command_has_every_year_and_marks_the_gaps(index_dir):
    r = json.loads(invoke("trends", "监督", "--index", index_dir, "--by", "province", "--json").stdout)
    years = [y["year"] for y in r["years"]]
    assert years == list(range(years[0], years[-1] + 1)) and any(y["gap"] for y in r["years"])
    table = invoke("trends", "监督", "--index", index_dir, "--by", "province").stdout
    assert "全部" in table and str(years[0]) in table and "·" in table


def test_the_cli_csv_and_the_web_export_write_the_same_rows(index_dir):
    """Regression: when a search fell back to partial matches, /export.csv and /export.jsonl dropped the
    `missing` column that `lrsearch search --csv` kept."""
    from search_app.web import create_app
    client = create_app({"INDEX_DIR": str(index_dir)}).test_client()
    q = "脱贫攻坚 扶贫 监督"
    cli = list(csv.DictReader(io.StringIO(invoke("search", q, "--index", index_dir, "--csv", "--limit", 10000).stdout)))
    web = list(csv.DictReader(io.StringIO(client.get("/export.csv", query_string={"q": q}).get_data(as_text=True)
                                          .lstrip("\ufeff"))))
    web_lines = [json.loads(line) for line in client.get("/export.jsonl", query_string={"q": q}).get_data(
        as_text=True).splitlines()]
    assert cli and list(cli[0]) == list(web[0]) == list(web_lines[0]) and "missing" in cli[0]
    assert cli == web         # a file-only report is cited without 来源 by both (never by the web's own page)
    assert [r["missing"] for r in web_lines] == [r["missing"] for r in web] and all(r["missing"] for r in web)


@pytest.mark.parametrize("q", ["[/b]监督", "监督 [red]", ":smile: 监督"])
def test_readable_output_prints_queries_and_reports_as_written(index_dir, q):
    """Regression: the readable output went through rich's markup, so '[/b]' crashed it with a traceback,
    '[red]' vanished and ':smile:' became an emoji."""
    r = invoke("search", q, "--index", index_dir, "--limit", 1)
    assert r.exit_code in (0, 1) and "Traceback" not in r.output, r.output
    assert all(word in r.stdout.splitlines()[0] for word in q.split())      # the query as understood, verbatim


# 监督 typed in a GBK terminal: Python hands the program its bytes as lone surrogates (surrogateescape).
GBK_WORD = "监督".encode("gbk").decode("utf-8", "surrogateescape")
NOT_UTF8 = {"search": ["search", GBK_WORD], "kwic": ["kwic", GBK_WORD], "stats": ["stats", GBK_WORD],
            "trends": ["trends", GBK_WORD], "similar": ["similar", GBK_WORD], "similar-text": ["similar", "--text", GBK_WORD],
            "region": ["search", "监督", "--region", GBK_WORD], "section": ["stats", "--section", GBK_WORD],
            "by": ["stats", "监督", "--by", GBK_WORD], "year": ["search", "监督", "--year", GBK_WORD]}


@pytest.mark.parametrize("command", NOT_UTF8.values(), ids=NOT_UTF8.keys())
def test_an_argument_that_is_not_utf8_is_a_usage_error(index_dir, command):
    """Regression: search, similar and stats printed a UnicodeEncodeError traceback and exited 1."""
    r = invoke(*command, "--index", index_dir)
    assert r.exit_code == 2 and isinstance(r.exception, SystemExit), r.output
    assert "not UTF-8" in r.stderr and r"b'\xbc\xe0\xb6\xbd'" in r.stderr and "Traceback" not in r.output


@pytest.mark.parametrize("command", ["search", "kwic", "stats", "trends"])
def test_an_unknown_level_is_a_usage_error_as_in_the_query_language(index_dir, command):
    """Regression: `--level nonsense` found nothing (exit 1) while `level:nonsense` was refused (exit 2)."""
    assert invoke(command, "监督 level:nonsense", "--index", index_dir).exit_code == 2
    r = invoke(command, "监督", "--level", "nonsense", "--index", index_dir)
    assert r.exit_code == 2 and "Invalid value for '--level'" in r.stderr and "county" in r.stderr, r.output
    assert invoke(command, "监督", "--level", "county", "--index", index_dir).exit_code == 0


def test_r20_the_search_command_contract_in_one_line(index_dir, tmp_path):
    """R20: exit code per case, --json parses, one --jsonl line per hit, no ANSI codes when piped (CliRunner's
    output is not a terminal), no command without help."""
    cases = {"results": (["search", "监督"], 0), "no results": (["search", '"完全不存在的一句话"'], 1),
             "bad flag": (["search", "监督", "--bogus"], 2), "bad query": (["search", '*x'], 2),
             "missing index": (["search", "监督", "--index", tmp_path / "none"], 3)}
    runs = {name: invoke(*args, *([] if "--index" in args else ["--index", index_dir]))
            for name, (args, _) in cases.items()}
    with WriteLock(index_dir):
        runs["write to a locked index"] = invoke("ingest", SAMPLES / "10-quanguo-2010.txt", "--index", index_dir)
        runs["search a locked index"] = invoke("search", "监督", "--index", index_dir)
    want = {**{name: code for name, (_, code) in cases.items()}, "write to a locked index": 4,
            "search a locked index": 0}
    got = {name: int(r.exit_code) for name, r in runs.items()}
    as_json = json.loads(invoke("search", "监督", "--index", index_dir, "--json", "--limit", 7).stdout)
    lines = invoke("search", "监督", "--index", index_dir, "--jsonl", "--limit", 7).stdout.splitlines()
    ansi = sum(ESC in r.output for r in runs.values())
    no_help = [name for name, cmd in main.commands.items() if not cmd.help]
    print(f"\nR20: exit codes {got}; --json parses ({len(as_json['hits'])} hits); --jsonl lines {len(lines)} for "
          f"{len(as_json['hits'])} hits; outputs with ANSI codes when piped {ansi}; commands without help "
          f"{len(no_help)} of {len(main.commands)}")
    assert got == want
    assert len(lines) == len(as_json["hits"]) == 7 and all(json.loads(line)["passage_id"] for line in lines)
    assert ansi == 0 and no_help == []
    assert all("Traceback" not in r.output for r in runs.values())


def test_similar_keeps_to_the_filters(index_dir):
    text = "坚持有件必备、有备必审、有错必纠，认真审查规范性文件"
    everywhere = json.loads(invoke("similar", "--text", text, "--index", index_dir, "--json", "--limit", 50).stdout)
    r = invoke("similar", "--text", text, "--index", index_dir, "--json", "--limit", 50, "--province", "浙江省",
               "--year", "2019-")
    kept = json.loads(r.stdout)
    assert r.exit_code == 0 and kept["filters"] == {"province": ["浙江省"]} and kept["year"] == "2019-"
    assert [h["passage_id"] for h in kept["hits"]] == [h["passage_id"] for h in everywhere["hits"]
                                                       if h["province"] == "浙江省" and (h["year"] or 0) >= 2019]


def test_search_per_report_gives_each_report_its_best_passage(index_dir):
    every = json.loads(invoke("search", "监督", "--index", index_dir, "--json", "--limit", 500).stdout)
    r = invoke("search", "监督", "--index", index_dir, "--json", "--limit", 500, "--per-report")
    grouped = json.loads(r.stdout)
    firsts = {}
    for h in every["hits"]:
        firsts.setdefault(h["doc_id"], h["passage_id"])
    assert r.exit_code == 0 and grouped["total"] == every["total"] and grouped["reports"] == len(firsts)
    assert [h["passage_id"] for h in grouped["hits"]] == list(firsts.values())
    assert [h["report_hits"] for h in grouped["hits"]] == \
        [sum(x["doc_id"] == h["doc_id"] for x in every["hits"]) for h in grouped["hits"]]
    second = json.loads(invoke("search", "监督", "--index", index_dir, "--json", "--limit", 2, "--offset", 2,
                               "--per-report").stdout)
    assert [h["passage_id"] for h in second["hits"]] == list(firsts.values())[2:4]
    assert "passages of this report match" in invoke("search", "监督", "--index", index_dir, "--per-report").stdout


def test_short_names_and_labels_as_options_and_keys(index_dir):
    """--province 浙江 --level 县级 is --province 浙江省 --level county, and so is 省份:浙江 层级:县 in the query."""
    def ids(*args):
        r = invoke("search", *args, "--index", index_dir, "--json", "--limit", 100)
        assert r.exit_code == 0, r.output
        return [h["passage_id"] for h in json.loads(r.stdout)["hits"]]
    full = ids("监督", "--province", "浙江省", "--level", "county")
    assert full and ids("监督", "--province", "浙江", "--level", "县级") == full == ids("监督 省份:浙江 层级:县")
    assert ids("监督", "--region", "金华") == ids("监督", "--region", "义乌市")     # a city holds its counties
    assert invoke("search", "监督", "--province", "火星", "--index", index_dir, "--json").exit_code == 1
    unknown = json.loads(invoke("search", "监督", "--region", "（未标明）", "--index", index_dir, "--json",
                                "--limit", 100).stdout)
    assert unknown["total"] > 0 and all("region" not in h or h["region"] is None for h in unknown["hits"])


def test_csv_and_tsv_write_labels_json_and_jsonl_codes(index_dir):
    args = ("search", "监督", "--index", index_dir, "--level", "county", "--doc-type", "other", "--level", "city",
            "--limit", 100)
    rows = list(csv.DictReader(io.StringIO(invoke(*args, "--csv").stdout)))
    tsv = list(csv.DictReader(io.StringIO(invoke(*args, "--tsv").stdout), delimiter="\t"))
    assert rows and rows == tsv and {r["level"] for r in rows} <= {"县级", "市级"} and \
        {r["doc_type"] for r in rows} == {"其他文件"}
    as_json = json.loads(invoke(*args, "--json").stdout)["hits"]
    lines = [json.loads(line) for line in invoke(*args, "--jsonl").stdout.splitlines()]
    assert [(h["level"], h["doc_type"]) for h in as_json] == [(x["level"], x["doc_type"]) for x in lines]
    assert {h["level"] for h in as_json} <= {"county", "city"} and {h["doc_type"] for h in as_json} == {"other"}


def test_readable_tables_write_labels_as_the_csv_does(index_dir):
    """stats and trends print a coded facet's label (县级, 其他文件), as the CSV and the pages do, not its code."""
    stats = invoke("stats", "--by", "level,doc_type", "--index", index_dir).stdout.splitlines()
    as_csv = list(csv.DictReader(io.StringIO(invoke("stats", "--by", "level,doc_type", "--index", index_dir,
                                                    "--csv").stdout)))
    assert [line.split("\t")[:2] for line in stats[2:]] == [[r["level"], r["doc_type"]] for r in as_csv]
    assert {r["level"] for r in as_csv} >= {"县级", "市级"} and "其他文件" in {r["doc_type"] for r in as_csv}
    trends = invoke("trends", "--by", "level", "--index", index_dir).stdout.splitlines()
    groups = {line.split("\t")[0] for line in trends[2:]}
    assert "全部" in groups and groups - {"全部"} <= {"全国", "省级", "市级", "县级", "（未标明）"} and "county" not in groups
