"""Nearest partial matches for a query without hits: every suggested total is what its query returns."""
import re

import pytest

import search_app.core.suggest as core
from indexer.index.reader import open_index
from search_app.core.search import Params
from search_app.core.suggest import longest_pieces
from tests.conftest import search_json, seeded_rng

TEXTS = ["坚持有件必备、有备必审、有错必纠", "常委会开展执法检查", "备案审查工作", "审查规范性文件"]


def corpus_total(piece: str) -> int:
    return sum(piece in t for t in TEXTS)


def maximal_pieces(text: str, total) -> set[str]:
    """Brute force: substrings of two characters or more that occur and cannot be grown on either side."""
    occurring = {text[i:j] for i in range(len(text)) for j in range(i + 2, len(text) + 1) if total(text[i:j])}
    return {p for p in occurring if not any(p != q and p in q for q in occurring)}


def test_longest_pieces_of_a_phrase():
    assert longest_pieces("有备必审查的规定", corpus_total) == [("有备必审", 1), ("审查", 2)]
    assert longest_pieces("执法检查", corpus_total) == [("执法检查", 1)]        # the whole text when it occurs
    assert longest_pieces("月球", corpus_total) == []
    assert longest_pieces("、有错必纠，", corpus_total) == [("有错必纠", 1)]   # punctuation trimmed


@pytest.mark.parametrize("seed", range(40))
def test_longest_pieces_are_exactly_the_maximal_ones_within_two_calls_per_character(seed):
    rng = seeded_rng(0, offset=seed)
    alphabet = "".join(TEXTS)
    text = "".join(rng.choice([rng.choice(alphabet), t[:rng.randint(2, 6)]]) for t in rng.sample(TEXTS, 3))
    calls = []

    def total(piece):
        calls.append(piece)
        return corpus_total(piece)
    found = {p for p, _ in longest_pieces(text, total)}
    trimmed = {re.sub(r"^\W+|\W+$", "", p) for p in maximal_pieces(text, corpus_total)}
    assert found == {p for p in trimmed if len(p) >= 2}, text
    assert len(calls) <= 2 * len(text)


@pytest.fixture(scope="module")
def ix(index_dir):
    return open_index(index_dir)


def assert_totals_are_what_the_queries_return(ix, params, suggestions):
    assert suggestions
    for s in suggestions:
        again = search_json(ix, Params(q=s["query"], filters=params.filters, year=params.year, limit=0))
        assert again["total"] == s["total"] > 0, s


def test_multi_term_query_suggests_dropping_a_term_and_each_term_alone(ix):
    params = Params(q="备案审查 执法检查 月球基地", relax=False)
    result = search_json(ix, params)
    assert result["total"] == 0
    kinds = {(s["kind"], s["term"]): s for s in result["suggestions"]}
    assert kinds[("drop", "月球基地")]["query"] == "备案审查 执法检查"
    assert {("alone", "备案审查"), ("alone", "执法检查")} <= kinds.keys()
    assert_totals_are_what_the_queries_return(ix, params, result["suggestions"])


def test_phrase_without_hits_suggests_its_longest_pieces(ix):
    params = Params(q='"有备必审查的规定"')
    result = search_json(ix, params)
    parts = [s for s in result["suggestions"] if s["kind"] == "part"]
    assert parts[0]["query"] == '"有备必审"'
    lengths = [len(s["query"]) for s in parts]
    assert lengths == sorted(lengths, reverse=True)
    for s in parts:
        piece = s["query"].strip('"')
        assert piece in "有备必审查的规定"
    assert_totals_are_what_the_queries_return(ix, params, result["suggestions"])


def test_filters_are_kept_and_each_written_filter_can_be_dropped(ix):
    params = Params(q="备案审查 region:浙江省 year:2015-2016", filters={"level": ["provincial"]})
    result = search_json(ix, params)
    assert result["total"] == 0
    drops = {s["term"]: s["query"] for s in result["suggestions"] if s["kind"] == "drop"}
    assert drops["year:2015-2016"] == "备案审查 region:浙江省"
    assert all("region:浙江省" in q for t, q in drops.items() if t != "region:浙江省")
    assert_totals_are_what_the_queries_return(ix, params, result["suggestions"])


def test_an_exclusion_can_be_dropped_but_never_the_last_term(ix):
    result = search_json(ix, Params(q="监督 -监督"))
    assert [(s["kind"], s["query"]) for s in result["suggestions"]] == [("drop", "监督")]


def test_no_suggestions_when_there_are_hits_or_nothing_comes_close(ix):
    assert "suggestions" not in search_json(ix, Params(q="监督"))
    assert search_json(ix, Params(q="xyzzy"))["suggestions"] == []


def test_sub_queries_are_bounded(ix, monkeypatch):
    calls = []
    real = core.evaluate
    monkeypatch.setattr(core, "evaluate", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(core, "MAX_SUGGEST_CHECKS", 10)
    long_phrase = '"' + "坚持有件必备有备必审有错必纠并且向月球发射火箭以便在那里建设人大代表联络站" * 3 + '"'
    result = search_json(ix, Params(q=long_phrase))
    assert result["total"] == 0 and len(calls) == 10          # the suggestions' own sub-queries, at most 10
    assert_totals_are_what_the_queries_return(ix, Params(), result["suggestions"])
