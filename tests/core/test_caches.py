"""What a search remembers per opened index (the rows of a word, whole answers) changes no answer: a
remembered answer is the one computed afresh, each caller gets hits of its own, an answer the deadline cut
short is not kept, and the rows kept stay read-only and within their budget."""
import dataclasses

import pytest

from indexer.index.reader import Index
from indexer.settings import SETTINGS
from search_app.core import matching
from search_app.core import search as search_mod
from search_app.core.deadline import TimedOut
from search_app.core.search import Params, search
from search_app.formats import result_json

QUERIES = [
    Params(q="监督"), Params(q="备案审查", limit=50), Params(q='"有备必审"'), Params(q="立法 OR 监督", offset=5),
    Params(q="人大 -常委会", sort="newest"), Params(q='"代表 建议"~4'), Params(q="代表建议", filters={"level": ["county"]}),
    Params(q="工作", year="2015-2022", limit=30), Params(q="月球基地"), Params(q="监督 level:city"),
    Params(q="预算 审查 监督", kwic=True), Params(q="立法", filters={"province": ["浙江省"]}, offset=3, limit=7),
]


def answer(ix, params) -> dict:
    out = result_json(search(ix, params))
    out.pop("took_ms")
    return out


def test_remembered_answers_are_the_answers_computed_afresh(index_dir, monkeypatch):
    with monkeypatch.context() as m:
        off = dataclasses.replace(SETTINGS, row_cache_bytes=0, result_cache_entries=0)
        m.setattr(matching, "SETTINGS", off)
        m.setattr(search_mod, "SETTINGS", off)
        cold = Index(index_dir)
        fresh = [answer(cold, p) for p in QUERIES]
        assert not cold.memo.get("results") and not cold.memo.get("rows")
    ix = Index(index_dir)
    first = [answer(ix, p) for p in QUERIES]
    assert len(ix.memo["results"]) == len(QUERIES) and ix.memo["rows"]
    again = [answer(ix, p) for p in reversed(QUERIES)][::-1]
    print(f"caches: {len(QUERIES)} searches, {len(ix.memo['rows'])} word row sets kept")
    assert first == fresh
    assert again == fresh


def test_each_caller_gets_hits_of_its_own(index_dir):
    ix = Index(index_dir)
    one = search(ix, Params(q="备案审查"))
    one["hits"][0].citation_url = "https://example.org/elsewhere"
    one["hits"].clear()
    two = search(ix, Params(q="备案审查"))
    assert two["hits"] and two["hits"][0].citation_url != "https://example.org/elsewhere"


def test_an_answer_cut_short_by_the_deadline_is_not_remembered(index_dir, monkeypatch):
    ix = Index(index_dir)

    def late(*a, **k):
        raise TimedOut(5)
    with monkeypatch.context() as m:
        m.setattr(search_mod, "suggest", late)
        short = search(ix, Params(q="月球基地"))
    assert short["timed_out"] == ["suggestions"] and "suggestions" not in short
    whole = search(ix, Params(q="月球基地"))
    assert "timed_out" not in whole and "suggestions" in whole


def test_rows_kept_are_read_only_and_within_their_budget(index_dir, monkeypatch):
    ix = Index(index_dir)
    budget = 4 * ix.n            # a few words' rows at most
    monkeypatch.setattr(matching, "SETTINGS", dataclasses.replace(SETTINGS, row_cache_bytes=budget))
    for w in ["工作", "人大", "监督", "代表", "立法", "备案", "审查", "预算", "常委会", "建议"]:
        rows = matching.substring_rows(ix, w)
        with pytest.raises(ValueError):
            rows[:1] = 0
        assert sum(a.nbytes for a in ix.memo.get("rows", {}).values()) <= budget
    assert ix.memo["rows"]
