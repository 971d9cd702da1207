"""`lrsearch diff`: one congress's reports of two years, readable (summary, changed figures, rows marked +/-/~) or
as the JSON of /api/diff; exit 0, 2 for a report the index does not hold, 3 for no index."""
import json

from search_app.web import create_app
from tests.cli.test_read import invoke


def test_json_is_the_api_s(yoy_index_dir, yoy_ids):
    a, b = yoy_ids["deqing-2021"], yoy_ids["deqing-2022"]
    r = invoke("diff", a, b, "--index", yoy_index_dir, "--json")
    assert r.exit_code == 0
    api = create_app({"INDEX_DIR": str(yoy_index_dir), "TESTING": True}).test_client()
    assert json.loads(r.stdout) == api.get(f"/api/diff?a_doc={a}&b_doc={b}").get_json()


def test_readable_summary_figures_then_the_rows_that_changed(yoy_index_dir, yoy_ids):
    a, b = yoy_ids["deqing-2021"], yoy_ids["deqing-2022"]
    result = json.loads(invoke("diff", a, b, "--index", yoy_index_dir, "--json").stdout)
    r = invoke("diff", a, b, "--index", yoy_index_dir)
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0].startswith(f"甲 {result['a']['citation']}") and lines[1].startswith(f"乙 {result['b']['citation']}")
    s = result["summary"]
    assert f"新增 {s['new']} · 删去 {s['dropped']} · 改写 {s['reworded']} · 未变 {s['unchanged']}" in lines
    figures = lines.index("数字变化")
    assert lines[figures + 1].split("\t") == ["栏目", "所说", "甲", "乙", "增减", "行"]   # piped: tab-separated
    table = [line.split("\t") for line in lines[figures + 2:figures + 2 + len(result["numbers"])]]
    assert [(t[2], t[3], int(t[5])) for t in table] == [(n["a"], n["b"], n["row"] + 1) for n in result["numbers"]]
    marks = [line.split(" ")[0] for line in lines if " 第 " in line and line[:1] in "+-~"]
    assert marks == [{"new": "+", "dropped": "-", "reworded": "~"}[row["status"]] for row in result["rows"]
                     if row["status"] != "unchanged"]
    assert "{+16+}" in r.stdout and "[-十四-]" in r.stdout              # marked as wdiff marks them
    assert "围绕生态环境保护开展专题调研" not in r.stdout                     # unchanged: counted, not listed
    assert "  数字：全年听取审议县政府专项工作报告 十四个 → 16个" in lines
    assert lines[-1] == f"（未变的 {s['unchanged']} 段不列出；--json 给出全部）"


def test_rows_as_jsonl_csv_and_tsv_as_the_other_commands(yoy_index_dir, yoy_ids):
    a, b = yoy_ids["deqing-2021"], yoy_ids["deqing-2022"]
    whole = json.loads(invoke("diff", a, b, "--index", yoy_index_dir, "--json").stdout)
    r = invoke("diff", a, b, "--index", yoy_index_dir, "--jsonl")
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert r.exit_code == 0 and [x["status"] for x in rows] == [x["status"] for x in whole["rows"]]
    reworded = next(x for x in rows if x["status"] == "reworded")
    assert reworded["passage_a"] and reworded["passage_b"] and reworded["text_b"]
    for fmt, sep in (("--csv", ","), ("--tsv", "\t")):
        out = invoke("diff", a, b, "--index", yoy_index_dir, fmt)
        assert out.exit_code == 0 and out.stdout.splitlines()[0].split(sep)[:2] == ["row", "status"]
        assert len(out.stdout.splitlines()) == len(rows) + 1


def test_unknown_report_exit_2_and_no_index_exit_3(yoy_index_dir, yoy_ids, tmp_path):
    r = invoke("diff", yoy_ids["deqing-2021"], "nosuchreport", "--index", yoy_index_dir)
    assert r.exit_code == 2 and r.stderr.startswith("error: ") and "nosuchreport" in r.stderr and not r.stdout
    assert invoke("diff", "a", "b", "--index", tmp_path / "none").exit_code == 3
