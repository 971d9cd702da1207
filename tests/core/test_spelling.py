"""Did you mean (search_app/core/spelling.py): corrections from the index's own vocabulary, measured on the
labelled queries of tests/fixtures/spelling, and never for what is found as written."""
import pytest

from indexer.index.reader import Index, open_index
from search_app.core import deadline
from search_app.core.query import parse
from search_app.core.search import Params, search
from search_app.core.spelling import Lexicon, did_you_mean, edit_kind, near, readings, sound_keys
from tests.conftest import FIXTURES, search_json
from tests.tools.spelling import load, measure

SETS = FIXTURES / "spelling"


def meant(ix, q: str) -> str | None:
    found = did_you_mean(ix, parse(q), q)
    return found["query"] if found else None


def test_readings_and_near_sounds():
    assert set(readings("行")) >= {"xing", "hang"}
    assert readings("a") == () and readings("，") == ()
    assert near("zhi") == near("zi") and near("shen") == near("sen") and near("ling") == near("nin")
    assert "bei an sen ca" in sound_keys("备案审查") and sound_keys("被按审察")[0] == sound_keys("备案审查")[0]


@pytest.mark.parametrize("written,word,kind", [
    ("备按", "备案", "sound"), ("被按", "备案", "sound"), ("钻题", "专题", "near"), ("案备", "备案", "swap"),
    ("法冶", "法治", "shape"), ("法冶", "立法", None), ("备案", "备案", None), ("备案审", "备案", None)])
def test_edit_kinds(written, word, kind):
    assert edit_kind(written, word) == kind


@pytest.mark.parametrize("q,expect", [
    ("备按审查", "备案审查"), ("执法检察", "执法检查"), ('"备按审查"', '"备案审查"'),
    ("备按审查 执法检察 region:浙江省", "备案审查 执法检查 region:浙江省"),    # each term, the filters kept
    ("监督 -备按", None),              # an excluded word is not corrected
    ('"有备必审"', None),              # a quoted phrase that is found, never
    ("备案审查", None), ("法制建设", None),       # found as written: 法治建设 is not 40 times as frequent
])
def test_corrections(index_dir, q, expect):
    assert meant(open_index(index_dir), q) == expect


@pytest.mark.parametrize("q,expect", [
    ("-执法检察 执法检察", "-执法检察 执法检查"), ("NOT 执法检察 执法检察", "NOT 执法检察 执法检查"),
    ("地区:湖洲 湖洲", "地区:湖洲 湖州"),
])
def test_the_correction_is_written_where_the_term_stands(index_dir, q, expect):
    """The same text excluded, or a filter's value, before the term looked for stays as the user wrote it."""
    assert meant(open_index(index_dir), q) == expect


@pytest.mark.parametrize("name,precision,recall", [("dev", 1.0, 1.0), ("test", 0.9, 0.8)])
def test_labelled_sets(index_dir, name, precision, recall):
    """The dev set was tuned on; the test set was not (`python -m tests.tools.spelling` prints both)."""
    out = measure(open_index(index_dir), load(SETS / f"{name}.json"))
    assert out["precision"] >= precision and out["recall"] >= recall, out["wrong"]


def test_labelled_sets_have_every_kind_of_slip_and_negatives():
    for name in ("dev", "test"):
        kinds = {c["kind"] for c in load(SETS / f"{name}.json")}
        assert kinds == {"sound", "near", "shape", "swap", "negative"}


def test_the_search_carries_the_suggestion(index_dir):
    ix = open_index(index_dir)
    out = search_json(ix, Params(q="执法检察"))
    assert out["spelling"] == {"query": "执法检查", "corrections": [{"from": "执法检察", "to": "执法检查"}]}
    assert "spelling" not in search_json(ix, Params(q="执法检查"))


def test_a_common_term_costs_no_lexicon(index_dir):
    ix = Index(index_dir)          # opened afresh: nothing derived yet
    assert meant(ix, "备案审查 监督") is None and "spelling lexicon" not in ix.memo
    assert meant(ix, "备按审查") == "备案审查" and ix.memo["spelling lexicon"].ready


def test_a_lexicon_left_unfinished_at_the_deadline_is_grown_by_the_next_request(index_dir):
    ix = open_index(index_dir)
    lex = Lexicon(len(ix.side.parts))
    deadline.start(-1)                   # already past
    try:
        with pytest.raises(deadline.TimedOut):
            lex.grow(ix)
    finally:
        deadline.start(None)
    assert not lex.ready and lex.done == 0
    lex.grow(ix)
    assert lex.ready and lex.df["备案审查"] >= 3
    assert "备案审查" in lex.by_sound[sound_keys("备案审查")[0]]


def test_past_the_deadline_the_search_answers_without_it(index_dir, monkeypatch):
    def late(*_):
        raise deadline.TimedOut(1)
    monkeypatch.setattr("search_app.core.search.did_you_mean", late)
    out = search(open_index(index_dir), Params(q="执法检察 监督", limit=1))
    assert out["total"] and "spelling" not in out and out["timed_out"] == ["spelling"]
