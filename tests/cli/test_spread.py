"""`lrsearch spread`: the core's result as JSON (as /api/spread has it), its rows as CSV, a readable listing, the
exit codes."""
import csv
import io
import json

from search_app.core.spread import SPREAD_FIELDS
from tests.cli.test_read import invoke


def test_json_is_the_core_result(index_dir):
    from indexer.index.reader import open_index
    from search_app.core.search import Params
    from search_app.core.spread import spread
    from search_app.formats import spread_json
    r = invoke("spread", "全过程人民民主", "--index", index_dir, "--json")
    assert r.exit_code == 0
    out = json.loads(r.stdout)
    assert out["query"] == '"全过程人民民主"' and out["phrases"] == ["全过程人民民主"]
    assert out["first"]["first_year"] == 2021 and out["first"]["first_reports"] == 1
    core = json.loads(json.dumps(spread_json(spread(open_index(index_dir), Params(q="全过程人民民主"))),
                                 ensure_ascii=False))
    assert {**out, "took_ms": 0} == {**core, "took_ms": 0}


def test_csv_rows_with_filters(index_dir):
    r = invoke("spread", "备案审查", "--index", index_dir, "--level", "county", "--csv")
    assert r.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert list(rows[0]) == list(SPREAD_FIELDS) and rows[0]["kind"] == "first"
    levels = {row["name"]: row for row in rows if row["kind"] == "level"}
    assert levels["县级"]["reports_held"] != "0" and levels["省级"]["reports_held"] == "0"
    assert all(row["passage_id"] for row in rows if row["first_year"])


def test_readable_listing_marks_the_gaps(index_dir):
    r = invoke("spread", "备案审查", "--index", index_dir)
    assert r.exit_code == 0
    assert r.stdout.startswith('"备案审查": ') and "first used in 2010" in r.stdout
    years = [line.split("\t") for line in r.stdout.split("per year (· no report held):")[1].strip().splitlines()]
    assert years[0][:4] == ["year", "held", "using", "share"]
    assert ["2011", "·", "·", "·"] == next(y[:4] for y in years if y[0] == "2011")       # no report held: a gap


def test_exit_codes(index_dir):
    assert invoke("spread", "月球基地建设", "--index", index_dir, "--json").exit_code == 1
    r = invoke("spread", "level:county", "--index", index_dir)
    assert r.exit_code == 2 and "措辞" in r.stderr
