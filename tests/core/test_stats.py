"""The numbers of the trends and the home page: coverage by province × year on the tile grid, the reports
added last, and a city's trend taking in its counties as its filter does."""
import numpy as np
import pytest

from indexer.divisions import divisions
from indexer.index.reader import open_index
from search_app.core.facets import filter_mask
from search_app.core.search import Params, search
from search_app.core.stats import (
    NATIONAL_TILE,
    PROVINCE_TILES,
    coverage,
    latest_reports,
    stats,
    trends,
    with_counties,
)
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def ix(index_dir):
    return open_index(index_dir)


def test_the_tile_grid_holds_each_provincial_unit_once_each_on_its_own_square():
    provincial = {d.name for d in divisions().values() if d.level == "provincial"}
    names = [name for name, _, _ in PROVINCE_TILES]
    assert len(names) == len(set(names)) == 34 and set(names) == provincial
    squares = [(col, row) for _, col, row in (NATIONAL_TILE, *PROVINCE_TILES)]
    assert len(set(squares)) == len(squares)


def test_coverage_counts_every_report_held_once_by_province_and_year(ix):
    cov = coverage(ix)
    held = stats(ix, Params(), ["province", "level", "year"])
    assert cov["reports"] == held["reports"] == len(np.unique(ix.report_groups()[np.asarray(ix.side["doc"])[ix.all_rows]]))
    tiles = {t["name"]: t for t in cov["tiles"]}
    assert cov["reports"] == sum(t["reports"] for t in tiles.values()) + cov["unplaced"]
    assert cov["years"] == list(range(cov["years"][0], cov["years"][-1] + 1))
    expected: dict = {}
    for r in held["rows"]:
        name = "全国" if r["level"] == "national" and not r["province"] else r["province"]
        if name and r["year"]:
            expected[name, r["year"]] = expected.get((name, r["year"]), 0) + r["reports_held"]
    found = {(t["name"], y): n for t in tiles.values() for y, n in zip(cov["years"], t["held"]) if n}
    assert found == expected and ("浙江省", 2022) in found and tiles["全国"]["reports"] >= 1
    assert sum(cov["per_year"]) == sum(r["reports_held"] for r in held["rows"] if r["year"])
    assert all(len(t["held"]) == len(cov["years"]) and t["reports"] == sum(t["held"]) + t["undated"]
               for t in tiles.values())


def test_latest_reports_are_the_ones_indexed_last(tmp_path):
    from indexer.update import ingest
    first, second = SAMPLES / "01-zhejiang-2022.html", SAMPLES / "02-ningxia-2014.html"
    ingest(tmp_path, [second], workers=1)
    ingest(tmp_path, [first], workers=1)
    latest = latest_reports(open_index(tmp_path))
    assert [r["province"] for r in latest] == ["浙江省", "宁夏回族自治区"]
    assert latest[0]["year"] == 2022 and latest[0]["title"] and latest[0]["level"] == "provincial"


def test_latest_reports_name_a_report_once_whatever_its_versions(ix):
    latest = latest_reports(ix, n=100)
    groups = ix.report_groups()
    number = {d: i for i, d in enumerate(ix.side.doc_ids)}
    assert len({int(groups[number[r["doc_id"]]]) for r in latest}) == len(latest) == coverage(ix)["reports"]
    assert [number[r["doc_id"]] for r in latest] == sorted((number[r["doc_id"]] for r in latest), reverse=True)
    assert latest_reports(ix, n=3) == latest[:3]


def test_the_latest_reports_are_worked_out_once_per_commit(index_dir, monkeypatch):
    """The home page asks on every visit; the answer stands until the index changes."""
    from indexer.index.reader import Index
    from search_app.core import stats as module
    ix = Index(index_dir)
    first = latest_reports(ix)
    monkeypatch.setattr(module, "_latest_reports", lambda *a: pytest.fail("the latest reports worked out again"))
    assert latest_reports(ix) == first


def test_the_reports_held_are_counted_once_per_scope_whatever_the_query(index_dir, monkeypatch):
    """What the index holds per group under some filters is the same for every query: counted over all its rows
    (seconds on a national index) once, not on every trends page."""
    from indexer.index.reader import Index
    from search_app.core import stats as module
    ix = Index(index_dir)
    first = stats(ix, Params(q="监督", filters={"level": ["county"]}), ["year"])
    counted = []

    def counting(ix, rows, *args):
        counted.append(len(rows))
        return filter_mask(ix, rows, *args)
    monkeypatch.setattr(module, "filter_mask", counting)
    again = stats(ix, Params(q="备案审查", filters={"level": ["县级"]}), ["year"])
    assert ix.n not in counted
    held = {r["year"]: r["reports_held"] for r in first["rows"]}
    assert {r["year"]: r["reports_held"] for r in again["rows"]} == held and sum(held.values()) > 0


def test_a_city_trend_counts_what_a_search_for_the_city_finds(ix):
    """region=湖州市 keeps its counties' reports too (facets.counties_held): so does its row of the trends."""
    data = trends(ix, Params(q="监督"), "region")
    checked = 0
    for group in data["groups"]:
        if group["name"] is None:
            continue
        for r in group["years"]:
            if r["gap"]:
                continue
            found = search(ix, Params(q="监督", filters={"region": [group["name"]]}, year=str(r["year"]), limit=0,
                                      relax=False))
            assert found["total"] == r["passages"], (group["name"], r["year"])
            checked += 1
    assert checked > 5


def test_a_city_row_adds_its_counties_year_by_year():
    def row(region, year, passages, reports, held):
        return {"region": region, "year": year, "passages": passages, "reports": reports, "reports_held": held}
    grouped = {"金华市": [row("金华市", 2020, 4, 1, 2)], "义乌市": [row("义乌市", 2020, 3, 1, 1), row("义乌市", 2024, 5, 1, 1)],
               "湖州市": [row("湖州市", 2022, 2, 1, 1)]}
    out = with_counties(grouped, {"金华市": ("义乌市",), "通辽市": ("扎鲁特旗",)})
    assert out["金华市"] == [{**row("金华市", 2020, 7, 2, 3), "share_of_reports": 0.6667, "passages_per_report": 2.3333},
                            {**row("金华市", 2024, 5, 1, 1), "share_of_reports": 1.0, "passages_per_report": 5.0}]
    assert out["义乌市"] == grouped["义乌市"] and out["湖州市"] == grouped["湖州市"] and "通辽市" not in out
