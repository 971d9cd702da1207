"""Precedents side by side: character differences, their bounds, and the alignment of two reports."""
import time

import pytest

from indexer.index.reader import open_index
from search_app.core.diff import (
    DIFF_BUDGET,
    MAX_DIFF_CHARS,
    align,
    compare_passages,
    compare_reports,
    diff_texts,
    segments,
)
from search_app.core.query import QueryError
from tests.conftest import seeded_rng


@pytest.mark.parametrize("a,b,opcodes", [
    ("有件必备有备必审", "有备必审有错必纠",
     [["delete", 0, 4, 0, 0], ["equal", 4, 8, 0, 4], ["insert", 8, 8, 4, 8]]),
    ("甲乙丙", "甲丁丙", [["equal", 0, 1, 0, 1], ["replace", 1, 2, 1, 2], ["equal", 2, 3, 2, 3]]),
    ("维护国家法制统一", "切实维护社会主义法制统一",
     [["insert", 0, 0, 0, 2], ["equal", 0, 2, 2, 4], ["replace", 2, 4, 4, 8], ["equal", 4, 8, 8, 12]]),
    ("监督", "监督", [["equal", 0, 2, 0, 2]]),
    ("", "审查", [["insert", 0, 0, 0, 2]]),
    ("", "", []),
])
def test_opcodes_of_small_texts(a, b, opcodes):
    assert diff_texts(a, b)["opcodes"] == opcodes


def test_segments_rebuild_each_side_and_mark_only_its_own_changes():
    a, b = "坚持有件必备、有备必审，维护国家法制统一", "坚持有备必审、有错必纠，切实维护社会主义法制统一"
    ops = diff_texts(a, b)["opcodes"]
    left, right = segments(a, ops, "a"), segments(b, ops, "b")
    assert "".join(s["text"] for s in left) == a and "".join(s["text"] for s in right) == b
    assert {s["op"] for s in left} <= {"equal", "delete", "replace"}
    assert {s["op"] for s in right} <= {"equal", "insert", "replace"}
    assert [s["text"] for s in right if s["op"] != "equal"] == ["、有错必纠", "切实", "社会主义"]


def test_ratio_bounds():
    rng = seeded_rng(15)
    assert diff_texts("备案审查", "备案审查")["ratio"] == 1.0 and diff_texts("", "")["ratio"] == 1.0
    assert diff_texts("备案审查", "执法检查")["ratio"] == 0.25         # 查: 2 × 1 / 8
    assert diff_texts("甲乙", "丙丁")["ratio"] == 0.0
    for _ in range(200):
        a = "".join(rng.choice("监督审查备案的了") for _ in range(rng.randrange(0, 40)))
        b = "".join(rng.choice("监督审查备案的了") for _ in range(rng.randrange(0, 40)))
        d = diff_texts(a, b)
        assert 0.0 <= d["ratio"] <= 1.0
        assert d["ratio"] == 1.0 if a == b else d["ratio"] < 1.0
        assert d["same"] * 2 <= len(a) + len(b)


def test_huge_and_repetitive_inputs_are_bounded():
    """difflib alone takes 36 s on 的的了… against 的了了… of 2,000 characters; here a fraction of a second."""
    for a, b in [("的的了" * 100_000, "的了了" * 100_000), ("的" * 1_000_000, "的" * 900_000 + "了"),
                 ("的，的，了，" * 50_000, "的，了，了，" * 50_000)]:
        t0 = time.perf_counter()
        d = diff_texts(a, b)
        assert time.perf_counter() - t0 < 2.0
        assert d["truncated"] and d["opcodes"][-1] == ["unchecked", MAX_DIFF_CHARS, len(a), MAX_DIFF_CHARS, len(b)]
        assert d["unit"] in ("char", "clause", "whole")
    middle = diff_texts("的的了" * 300, "的了了" * 300)       # over budget: compared clause by clause or whole
    assert middle["unit"] != "char" and not middle["truncated"]
    real = diff_texts("全市人大常委会认真履行宪法法律赋予的职责" * 10, "全省人大常委会依法履行宪法法律赋予的职责" * 10)
    assert real["unit"] == "char" and DIFF_BUDGET > 0


def test_align_keeps_order_and_leaves_unlike_passages_unpaired():
    a = ["坚持有件必备、有备必审、有错必纠", "开展执法检查五次", "今年的天气很好"]
    b = ["开展执法检查六次", "坚持有件必备有备必审", "听取审议专项工作报告"]
    # (0, 1) and (1, 0) cross: only the likelier pair is kept, the other passages stay unpaired in their order
    assert align(a, b) == [(0, None), (1, 0), (2, None), (None, 1), (None, 2)]
    assert align(["甲乙丙丁", "戊己庚辛"], ["甲乙丙丁", "戊己庚辛"]) == [(0, 0), (1, 1)]
    assert align([], ["甲"]) == [(None, 0)]


def test_compare_passages_and_reports_of_the_index(index_dir):
    ix = open_index(index_dir)
    ids = ix.side.doc_ids
    doc = ix.document(ids[0])
    first, second = [p["passage_id"] for s in doc["sections"] for p in s["passages"]][:2]
    same = compare_passages(ix, first, first)
    assert same["ratio"] == 1.0 and same["a"].citation.startswith("《") and same["a"].text == same["b"].text
    other = compare_passages(ix, first, second)
    assert "".join(s["text"] for s in other["segments"]["b"]) == other["b"].text
    with pytest.raises(QueryError):
        compare_passages(ix, first, "nosuchpassage")
    whole = compare_reports(ix, ids[0], ids[0])
    assert whole["ratio"] == 1.0 and whole["paired"] == whole["a"]["passages"] == len(whole["rows"])
    two = compare_reports(ix, ids[0], ids[1])
    assert 0 <= two["ratio"] < 1 and two["a"]["citation"].startswith("《")
    assert [r["a"]["passage_id"] for r in two["rows"] if r["a"]] == \
        [p["passage_id"] for s in doc["sections"] for p in s["passages"]]
    with pytest.raises(QueryError):
        compare_reports(ix, ids[0], "nosuchreport")
