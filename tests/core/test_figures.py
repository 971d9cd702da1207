"""The work-figures table of an index (``core.figures``): every figure of the held reports once, built once per
generation, filtered as a search filters reports, and as a region × year table per metric."""
import pytest

from indexer.index.reader import open_index
from indexer.store import read_documents
from search_app.core.figures import FIGURE_FIELDS, figures, region_year_table, shown_value
from search_app.core.query import QueryError
from search_app.core.search import Params


@pytest.fixture(scope="module")
def ix(index_dir):
    return open_index(index_dir)


@pytest.fixture(scope="module")
def stated(ix):
    """doc id → the figures its record holds, read from every live document (the oracle)."""
    out = {}
    for part in ix.side.parts:
        for doc in read_documents(part.documents.path.parent):
            out[doc.doc_id] = doc
    return out


def test_every_figure_of_the_reports_once_per_report_group(ix, stated):
    result = figures(ix, Params())
    assert result["total"] > 50 and result["metric"] is None and result["table"] is None
    assert all(set(r) == set(FIGURE_FIELDS) for r in result["rows"])
    by_doc: dict[str, int] = {}
    for r in result["rows"]:
        by_doc[r["doc_id"]] = by_doc.get(r["doc_id"], 0) + 1
    for doc_id, n in by_doc.items():
        assert n == len(stated[doc_id].figures)
    groups = {}
    for doc_id in by_doc:               # a report and its versions (the 繁體 copy of 长丰县 2017) count once
        groups.setdefault(int(ix.report_groups()[ix.side.doc_ids.index(doc_id)]), []).append(doc_id)
    assert all(len(members) == 1 for members in groups.values())
    assert sum(m["count"] for m in result["metrics"]) == result["total"]


def test_a_figure_names_the_passage_and_sentence_that_state_it(ix):
    for r in figures(ix, Params(), "appointments")["rows"]:
        row = ix.row_of_passage(r["passage_id"])
        passage = ix.passage(row)
        assert passage["doc_id"] == r["doc_id"] and r["sentence"].strip("。") in passage["text"]


def test_filters_keep_figures_as_they_keep_reports(ix):
    city = figures(ix, Params(filters={"level": ["city"]}), "sessions")
    assert city["rows"] and all(r["level"] == "city" and r["metric"] == "sessions" for r in city["rows"])
    years = figures(ix, Params(year="2015-2021"))
    assert years["rows"] and all(2015 <= r["year"] <= 2021 for r in years["rows"])
    province = figures(ix, Params(filters={"province": ["浙江"]}))          # a short name, read as everywhere
    assert {r["province"] for r in province["rows"]} == {"浙江省"}
    assert figures(ix, Params(filters={"province": ["西藏"]}))["total"] == 0


def test_words_keep_the_figures_of_the_passages_they_match(ix):
    result = figures(ix, Params(q="执法检查"))
    assert result["rows"] and result["parsed"]
    assert {r["metric"] for r in result["rows"]} >= {"inspections"}
    everything = figures(ix, Params())
    assert result["total"] < everything["total"]


def test_a_metric_unknown_to_the_vocabulary_is_refused_in_chinese(ix):
    with pytest.raises(QueryError, match="指标"):
        figures(ix, Params(), "nosuchmetric")


def test_the_region_year_table_of_a_metric(ix):
    result = figures(ix, Params(), "sessions")
    table = result["table"]
    assert table["years"] == list(range(table["years"][0], table["years"][-1] + 1))     # gaps kept as years
    huzhou = next(g for g in table["regions"] if g["name"] == "湖州市")
    cell = next(c for c in huzhou["years"] if c["year"] == 2022)
    assert [(v["value"], v["unit"]) for v in cell["values"]] == [(9, "次")]
    assert cell["values"][0]["passage_id"] and "常委会会议九次" in cell["values"][0]["sentence"]
    assert all(len(g["years"]) == len(table["years"]) for g in table["regions"])


def test_a_value_stated_twice_in_a_report_is_one_value_of_its_cell():
    rows = [{"doc_id": "d", "ordinal": i, "region": "甲县", "body": "甲县人大常委会", "province": "乙省",
             "level": "county", "year": 2020, "value": v, "value_max": None, "unit": "人次", "approx": False,
             "passage_id": f"p{i}", "sentence": "s", "title": "t"} for i, v in enumerate((52, 52, 60))]
    table = region_year_table(rows)
    assert table["years"] == [2020]
    assert [v["value"] for v in table["regions"][0]["years"][0]["values"]] == [52, 60]


def test_the_facets_count_reports_with_figures(ix):
    result = figures(ix, Params(), "sessions")
    assert sum(i["count"] for i in result["facets"]["level"]) == result["reports"]
    selected = figures(ix, Params(filters={"province": ["西藏自治区"]}), "sessions")
    assert {"value": "西藏自治区", "count": 0} in selected["facets"]["province"]


@pytest.mark.parametrize("value,text", [({"value": 10, "value_max": None, "unit": "次", "approx": False}, "10次"),
                                        ({"value": 10, "value_max": 12, "unit": "次", "approx": False}, "10–12次"),
                                        ({"value": 20, "value_max": None, "unit": "项", "approx": True}, "约20项"),
                                        ({"value": 97.9, "value_max": None, "unit": "%", "approx": False}, "97.9%")])
def test_values_as_written(value, text):
    assert shown_value(value) == text


def test_the_table_is_built_once_per_generation(ix):
    figures(ix, Params())
    held = ix.memo["figures"]
    figures(ix, Params(filters={"level": ["county"]}), "sessions")
    assert ix.memo["figures"] is held
