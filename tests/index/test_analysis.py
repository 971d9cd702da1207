"""Segmentation: ``analysis.words`` (jieba-rs) must cut exactly as Python jieba does with the same dictionaries.

The index and the queries only need one segmenter to be used consistently; these tests keep the promise
that it is jieba's segmentation, so that word-level ranking and proximity behave as documented for jieba.
"""
from __future__ import annotations

import logging
import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from indexer.index.analysis import _WORD, USER_DICT, words, words_with_offsets
from indexer.normalize import fold
from indexer.understand.pipeline import parse_file
from tests.conftest import labelled_files, seeded_rng


@pytest.fixture(scope="module")
def python_jieba(tmp_path_factory):
    """Python jieba with the same user dictionary: the reference."""
    import jieba
    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.tmp_dir = str(tmp_path_factory.mktemp("jieba"))
    with USER_DICT.open("rb") as fh:   # a path would be opened and never closed
        tk.load_userdict(fh)
    return lambda text: [w for w in tk.cut(text, HMM=True) if _WORD.search(w)]


def _report_texts() -> list[str]:
    texts = []
    for path, _ in labelled_files():
        doc = parse_file(path)
        texts += [fold(p.text) for p in doc.passages()] + [fold(s.heading) for s in doc.sections if s.heading]
    return texts


def test_same_words_as_python_jieba_on_every_labelled_report(python_jieba):
    texts = _report_texts()
    assert len(texts) > 300
    differing = [t for t in texts if words(t) != python_jieba(t)]
    assert differing == []


ALPHABET = "人大常委会代表建议办理监督工作法治建设备案审查有备必审马克思主义，。、；：（）《》“”abcxyz0123456789.%#&-_+/ "


@given(st.text(alphabet=ALPHABET, max_size=60))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_same_words_as_python_jieba_on_random_text(python_jieba, text):
    folded = fold(text)
    assume(not REPEATED.search(folded))       # the one other difference: see the test below
    assert words(folded) == python_jieba(folded)


REPEATED = re.compile(r"([\u4e00-\u9fff])\1\1")


def test_runs_of_one_character_are_the_other_place_the_two_cut_differently(python_jieba):
    """Routes of equal weight through a run of one character (治治治) are chosen differently by the two (found
    by the property test above, seed 101); no report writes such runs, and exact-phrase search does not
    depend on the cut."""
    assert words("治治治0") == ["治治", "治", "0"] and python_jieba("治治治0") == ["治", "治治", "0"]


def test_ascii_runs_are_split_at_punctuation_like_python_jieba(python_jieba):
    for text in ("manifest.json", "2019-2023年", "js_content", "增长3.5%", "a.b-c_d", "5g网络"):
        assert words(text) == python_jieba(text), text
    assert "2019" in words("2019-2023年") and "2023" in words("2019-2023年")


def test_offsets_point_at_the_words():
    rng = seeded_rng(7)
    for text in _report_texts()[:200] + ["".join(rng.choice(ALPHABET) for _ in range(50)) for _ in range(200)]:
        folded = fold(text)
        cut = words_with_offsets(folded)
        assert [w for w, _, _ in cut] == words(folded)
        assert all(folded[s:e] == w for w, s, e in cut)
        assert all(a[2] <= b[1] for a, b in zip(cut, cut[1:]))


def test_legislature_terms_stay_whole():
    for term in ("人大常委会", "备案审查", "执法检查", "专题询问", "一府一委两院", "全过程人民民主", "代表联络站"):
        assert term in words(fold(f"今年{term}工作取得新进展")), term
