"""`lrsearch figures`: the work-figures table as JSON, CSV and a readable region × year table; exit codes."""
import csv
import io
import json

from tests.cli.test_read import invoke


def test_json_has_the_rows_and_the_table_of_a_metric(index_dir):
    r = invoke("figures", "--index", index_dir, "--metric", "sessions", "--level", "city", "--json")
    assert r.exit_code == 0
    out = json.loads(r.stdout)
    assert out["metric"] == "sessions" and out["rows"] and out["table"]["regions"]
    assert all(row["level"] == "city" and row["unit"] == "次" for row in out["rows"])


def test_csv_rows_of_every_metric(index_dir):
    r = invoke("figures", "--index", index_dir, "--province", "浙江", "--csv")
    assert r.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert rows and {row["province"] for row in rows} == {"浙江省"}
    assert {"sessions", "appointments"} <= {row["metric"] for row in rows}
    assert all(row["sentence"] and row["passage_id"] for row in rows)


def test_readable_table_of_a_metric(index_dir):
    r = invoke("figures", "--index", index_dir, "--metric", "sessions")
    assert r.exit_code == 0 and "湖州市" in r.stdout and "9次" in r.stdout


def test_none_found_exits_1_and_an_unknown_metric_is_a_usage_error(index_dir):
    assert invoke("figures", "--index", index_dir, "--province", "西藏", "--json").exit_code == 1
    r = invoke("figures", "--index", index_dir, "--metric", "nosuch")
    assert r.exit_code == 2 and "指标" in r.output
