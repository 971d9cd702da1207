"""The request deadline and the cost bounds of hostile searches (issue 12, item 4): a search past its deadline
raises TimedOut or leaves out its optional parts and says so; a query's cost follows its distinct words."""
import dataclasses
import types

import pytest

from indexer.index import sidecar
from indexer.index.analysis import words
from indexer.index.reader import open_index
from indexer.normalize import fold
from indexer.settings import SETTINGS
from search_app.core import deadline, matching
from search_app.core import search as search_module
from search_app.core.deadline import TimedOut
from search_app.core.query import QueryError
from search_app.core.search import Params, search
from search_app.core.similar import similar


class Clock:
    """A monotonic clock the test moves by hand: no real waiting."""

    def __init__(self):
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(deadline, "time", types.SimpleNamespace(monotonic=c.monotonic))
    yield c
    deadline.start(None)


@pytest.fixture(scope="module")
def ix(index_dir):
    return open_index(index_dir)


def test_no_deadline_never_expires(clock):
    deadline.start(None)
    clock.now += 1e9
    deadline.check()
    assert not deadline.expired()


def test_a_search_past_its_deadline_raises_timed_out_with_the_limit_in_chinese(ix, clock):
    deadline.start(5)
    search(ix, Params(q="监督 代表", limit=5))            # within the deadline: answers
    clock.now += 5.01
    with pytest.raises(TimedOut) as e:                      # another search (an answer known costs nothing)
        search(ix, Params(q="立法 质量 审查", limit=5))
    assert e.value.seconds == 5 and "5 秒" in str(e.value)
    print(f"\nfigure: timed out as: {e.value}")


@pytest.mark.parametrize("part", ["suggestions", "relaxed"])
def test_optional_parts_left_out_at_the_deadline_are_named(ix, clock, monkeypatch, part):
    """The exact answer stands; the nearest partial matches or the suggestions that did not fit are left out."""
    def expire(*_a, **_k):
        clock.now += 10
        deadline.check()
    monkeypatch.setattr(search_module, "suggest" if part == "suggestions" else "relax", expire)
    deadline.start(5)
    out = search(ix, Params(q="监督 不存在的词汇甲乙丙", limit=5, relax=part == "relaxed"))
    assert out["total"] == 0 and out["timed_out"][0] == part and part not in out


def test_facets_not_counted_by_the_deadline_are_left_empty_and_named(ix, clock, monkeypatch):
    """R16: the hits stand, the facets counted in time keep their counts, the rest are named."""
    from search_app.core import facets
    real, counted = facets._facet, []

    def slow(ix_, name, *a):
        counted.append(name)
        clock.now += 3                               # each facet takes 3 s of a 5 s deadline
        return real(ix_, name, *a)
    monkeypatch.setattr(facets, "_facet", slow)
    deadline.start(5)
    params = Params(q="人大 代表 工作 监督", limit=5, filters={"province": ["浙江省"]})
    out = search(ix, params)
    print(f"\nR16: counted in time {counted}, left out {out['facets_timed_out']}")
    assert out["hits"] and out["timed_out"] == ["facets"]
    assert counted == ["region", "province"] and out["facets"]["region"] and out["facets"]["province"]
    # the OR counts of the ticked province (what the sidebar offers beside it) came after the deadline too
    assert out["facets_timed_out"] == ["level", "section", "doc_type", "year", "province"]
    assert all(out["facets"][n] == [] for n in ["level", "section", "doc_type", "year"])
    assert out["facets_or"]["province"] == []
    deadline.start(None)
    assert "facets_timed_out" not in search(ix, params)       # not remembered: asked again, all counted


def test_a_query_without_a_deadline_has_no_timed_out_key(ix):
    assert "timed_out" not in search(ix, Params(q="监督 不存在的词汇甲乙丙", limit=5))


def test_a_repeated_word_is_looked_up_once(ix, monkeypatch):
    """256 × 的 was 256 substring lookups (about 1 s on 150,000 passages); it is one word, looked up once."""
    calls = []
    real = matching.substring_rows
    monkeypatch.setattr(matching, "substring_rows", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    once = search(ix, Params(q="的", limit=0))["total"]
    calls.clear()
    assert search(ix, Params(q="的" * 256, limit=0))["total"] == once
    print(f"\nfigure: 256 × 的 -> {len(calls)} substring lookups")
    assert len(calls) <= 2


def test_cutting_a_chunk_into_names_is_linear(ix, monkeypatch):
    """Joining every run of segments to see whether it names a place was quadratic in the chunk's length."""
    calls = []
    real = matching._names
    monkeypatch.setattr(matching, "_names", lambda i, w: calls.append(w) or real(i, w))
    text = "的是" * 128
    n = len(matching.segment(ix, text))
    matching.chunk_words(ix, text)
    print(f"\nfigure: {n} segments -> {len(calls)} name checks")
    assert n >= 100 and len(calls) <= matching.NAME_SEGMENTS * n


def test_too_many_distinct_words_in_one_chunk_is_a_query_error(ix, monkeypatch):
    text = "加强立法监督代表工作"
    n = len(set(matching.chunk_words(ix, text)))
    monkeypatch.setattr(matching, "SETTINGS", dataclasses.replace(SETTINGS, max_chunk_words=n - 1))
    with pytest.raises(QueryError, match="检索词太多"):
        search(ix, Params(q=text, limit=5))
    monkeypatch.setattr(matching, "SETTINGS", dataclasses.replace(SETTINGS, max_chunk_words=n))
    search(ix, Params(q=text, limit=5))


def test_pasted_text_is_cut_by_the_index_analyzer_not_probed_piece_by_piece(ix, all_passages, monkeypatch):
    """/api/similar cut 5,000 pasted characters by probing the vocabulary with every piece up to 8 characters
    (23,000 probes, 1.3–2 s on 150,000 passages); the index's own cut needs a probe per distinct word."""
    text = "".join(p["text"] for p in all_passages[:80])[:SETTINGS.max_similar_chars]
    probes = []
    real = sidecar.StringTable.find
    monkeypatch.setattr(sidecar.StringTable, "find", lambda self, s: probes.append(s) or real(self, s))
    out = similar(ix, text=text, limit=5)
    distinct = {w for w in words(fold(text)) if len(w) >= 2}
    print(f"\nfigure: {len(text)} characters, {len(distinct)} distinct words -> {len(probes)} vocabulary probes")
    assert out["hits"] and set(out["terms"]) <= distinct
    assert len(probes) <= 4 * len(distinct) * len(ix.side.parts)


def test_similar_checks_the_deadline(ix, all_passages, clock):
    deadline.start(5)
    clock.now += 6
    with pytest.raises(TimedOut):
        similar(ix, text=all_passages[0]["text"], limit=5)
