"""Keyword in context: lines at a chosen width, a reproducible sample, a collocate's lines, the distribution of
the hits, against the passages themselves."""
from collections import Counter

import pytest

from indexer.index.reader import open_index
from indexer.normalize import fold
from search_app.core.collocates import collocates
from search_app.core.kwic import breakdown, kwic_lines, word_windows
from search_app.core.query import QueryError
from search_app.core.search import Params


def test_word_windows_leave_the_keyword_out_and_count_words_not_characters():
    text = "坚持有件必备、有备必审、有错必纠，加强备案审查。"
    start = text.index("有备必审")
    words, [(left, right)] = word_windows(text, [(start, start + 4)], 2)
    assert [words[i] for i in left] == ["坚持", "有件必备"] and [words[i] for i in right] == ["有错必纠", "加强"]
    assert not word_windows(text, [(0, 2)], 3)[1][0][0]


@pytest.mark.parametrize("width", [3, 12, 50])
def test_width_is_the_characters_each_side(index_dir, all_passages, width):
    data = kwic_lines(open_index(index_dir), Params(q="监督"), width=width)
    text = {p["passage_id"]: p["text"].replace("\n", " ") for p in all_passages}
    assert data["width"] == width and data["lines"]
    for line in data["lines"]:
        assert len(line["left"]) <= width and len(line["right"]) <= width
        assert line["left"] + line["match"] + line["right"] in text[line["passage_id"]]


def test_a_sample_is_reproducible_from_its_seed_and_drawn_from_all_lines(index_dir):
    ix = open_index(index_dir)
    everything = kwic_lines(ix, Params(q="监督"), sample=10_000, seed=1)
    one = kwic_lines(ix, Params(q="监督"), sample=7, seed=42)
    assert one["lines"] == kwic_lines(ix, Params(q="监督"), sample=7, seed=42)["lines"]
    assert one["lines"] != kwic_lines(ix, Params(q="监督"), sample=7, seed=43)["lines"]
    assert len(one["lines"]) == 7 and one["seed"] == 42 and one["found"] == len(everything["lines"])
    key = [(x["passage_id"], x["left"]) for x in everything["lines"]]
    picked = [key.index((x["passage_id"], x["left"])) for x in one["lines"]]
    assert picked == sorted(picked)          # kept in their order


def test_a_collocates_lines_are_its_count_of_lines(index_dir):
    ix = open_index(index_dir)
    table = collocates(ix, Params(q="监督"), window=3)
    for c in table["collocates"][:5]:
        data = kwic_lines(ix, Params(q="监督"), near=c["word"], window=3)
        assert len(data["lines"]) == data["found"] == c["lines"], c
        for line in data["lines"]:       # the word stands in the line's context (the window is a part of it)
            assert c["word"] in fold(line["left"] + line["right"])


def test_the_breakdown_counts_every_passage_by_province_and_year(index_dir, all_passages):
    data = breakdown(open_index(index_dir), Params(q="监督", filters={"level": ["county"]}))
    found = [p for p in all_passages if "监督" in fold(p["text"]) and p["level"] == "county"]
    assert data["total"] >= len(found) > 0
    assert sum(r["count"] for r in data["province"]) == sum(r["count"] for r in data["year"]) == data["total"]
    by_year = Counter(p["year"] or None for p in found)
    assert all(next(r["count"] for r in data["year"] if r["value"] == y) >= k for y, k in by_year.items())
    assert [r["value"] for r in data["year"]] == sorted(r["value"] for r in data["year"])


def test_lines_and_collocates_read_every_passage_even_of_a_search_grouped_by_report(index_dir):
    """A line is one match in one passage: a search's one-passage-per-report does not thin the concordance."""
    ix = open_index(index_dir)
    plain, grouped = Params(q="备案审查"), Params(q="备案审查", group=True)
    assert kwic_lines(ix, grouped) == kwic_lines(ix, plain)
    assert collocates(ix, grouped) == collocates(ix, plain)


def test_a_concordance_needs_words():
    with pytest.raises(QueryError):
        kwic_lines(None, Params(q="", filters={"level": ["county"]}))


def test_the_concordance_asks_for_no_spelling_suggestion(index_dir, monkeypatch):
    """KWIC and collocates show no did-you-mean: their search must not look for one (nor build its vocabulary)."""
    from search_app.core import search as core_search
    ix = open_index(index_dir)
    asked = []
    monkeypatch.setattr(core_search, "did_you_mean", lambda *a: asked.append(a))
    ix.memo.pop("results", None)
    assert kwic_lines(ix, Params(q="监督"))["lines"] and asked == []
    core_search.search(ix, Params(q="监督", limit=1))
    assert len(asked) == 1
