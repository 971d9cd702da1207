"""Precedents side by side: character differences, their bounds, the alignment of two reports (by section
category first), what each row is, the figures that changed, and one congress's reports of other years."""
import time

import pytest

from indexer.index.reader import open_index
from search_app.core import diff as core_diff
from search_app.core.diff import (
    DIFF_BUDGET,
    MAX_DIFF_CHARS,
    STATUSES,
    align,
    align_by_category,
    compare_passages,
    compare_reports,
    diff_texts,
    number_changes,
    other_years,
    quantities,
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


def test_sections_are_aligned_category_by_category_whatever_their_order():
    """The newer report puts 代表工作 before 监督工作: aligned in order, one of the two sections would go unpaired;
    by category both pair. A passage that moved to another section pairs across categories, after the rest."""
    a = [("监督工作", "全年听取审议专项工作报告十四个，开展执法检查5项"), ("监督工作", "审查规范性文件十四件，维护国家法制统一"),
         ("代表工作", "办理代表建议一百三十六件，代表满意率97.9%"), ("代表工作", "推进数字人大建设，代表履职平台全面上线"),
         ("自身建设", "开展清廉机关创建活动，修订议事规则")]
    b = [("代表工作", "办理代表建议一百四十二件，代表满意率98.3%"), ("监督工作", "全年听取审议专项工作报告16个，开展执法检查6项"),
         ("监督工作", "审查规范性文件16件，维护国家法制统一"), ("监督工作", "首次听取审议国有资产管理情况综合报告"),
         ("自身建设", "推进数字人大建设，代表履职平台全面上线运行")]
    in_order = align([t for _, t in a], [t for _, t in b])
    assert sum(1 for i, j in in_order if i is not None and j is not None) < 4
    rows = align_by_category(a, b)
    assert rows == [(0, 1), (1, 2), (None, 3), (2, 0), (3, 4), (4, None)]
    assert a[3][0] != b[4][0]                                    # the pair across categories
    assert align_by_category([], b) == [(None, j) for j in range(len(b))]
    assert align_by_category(a, []) == [(i, None) for i in range(len(a))]


def test_figures_are_numbers_with_their_measure_words():
    text = ("在第十四次会议上，开展执法检查5 项、专题询问十二次，代表满意率97.9%，办结率百分之百，接待群众五十余万人次、"
            "1.2万人次，提高2个百分点，千方百计，2022年，十四五规划")
    assert [(q["text"], q["value"], q["unit"]) for q in quantities(text)] == [
        ("5 项", 5, "项"), ("十二次", 12, "次"), ("97.9%", 97.9, "%"), ("百分之百", 100, "%"),
        ("五十余万人次", 500_000, "人次"), ("1.2万人次", 12_000, "人次"), ("2个百分点", 2, "个百分点")]


@pytest.mark.parametrize("a,b,changes", [
    ("开展执法检查 5 项、专题询问2次", "开展执法检查 6 项、专题询问3次",
     [("开展执法检查", "5 项", "6 项", 1), ("专题询问", "2次", "3次", 1)]),
    ("审查规范性文件十四件", "审查规范性文件16件", [("审查规范性文件", "十四件", "16件", 2)]),
    ("开展执法检查三十九次", "开展执法检查四十一次", [("开展执法检查", "三十九次", "四十一次", 2)]),
    ("代表满意率97.9%", "代表满意率98.3%", [("代表满意率", "97.9%", "98.3%", 0.4)]),
    ("任免五十八人次，组织宪法宣誓十二场次", "任免六十一人次，组织宪法宣誓十二场次", [("任免", "五十八人次", "六十一人次", 3)]),
    ("审查规范性文件十四件", "审查规范性文件14件", []),                     # written otherwise, the same number
    ("听取报告8个，执法检查3次", "开展专题询问2次", []),                    # said of another thing
    ("执法检查3次", "执法检查3项", []),                                    # another measure word
    ("在第十四次会议上审议", "在第十五次会议上审议", []),                    # an ordinal is no figure
    ("2021年工作", "2022年工作", []),                                      # nor a year
])
def test_changed_figures(a, b, changes):
    found = number_changes(a, b, diff_texts(a, b)["opcodes"])
    assert [(n["context"], n["a"], n["b"], n["delta"]) for n in found] == changes
    assert all(n["b_value"] - n["a_value"] == pytest.approx(n["delta"]) for n in found)


def test_changed_figures_are_read_within_the_compared_characters_and_quickly():
    a = "开展执法检查5项。" * 2_000 + "专题询问2次"
    b = "开展执法检查6项。" * 2_000 + "专题询问3次"
    t0 = time.perf_counter()
    d = diff_texts(a, b)
    found = number_changes(a, b, d["opcodes"])
    assert time.perf_counter() - t0 < 2.0
    assert d["truncated"] and found and all(n["context"] == "开展执法检查" for n in found)     # not the tail's 2次 → 3次


def by_text(result, side, start):
    return next(r for r in result["rows"] if r[side] and r[side]["text"].startswith(start))


def test_one_congresss_reports_of_two_years(yoy_index_dir, yoy_ids):
    ix = open_index(yoy_index_dir)
    result = compare_reports(ix, yoy_ids["deqing-2021"], yoy_ids["deqing-2022"])
    assert result["kind"] == "reports" and result["a"]["year"] == 2021 and result["b"]["year"] == 2022
    assert set(result["summary"]) == set(STATUSES) and sum(result["summary"].values()) == len(result["rows"])
    assert result["summary"]["unaligned"] == 0 and not result["truncated"]
    assert by_text(result, "b", "首次听取审议国有资产")["status"] == "new"
    assert by_text(result, "a", "开展清廉机关")["status"] == "dropped"
    assert by_text(result, "a", "围绕生态环境保护")["status"] == "unchanged"
    moved = by_text(result, "a", "推进“数字人大”")                # 代表工作 in 2021, 自身建设 in 2022
    assert moved["status"] == "reworded" and (moved["a"]["category"], moved["b"]["category"]) == ("代表工作", "自身建设")
    supervision = by_text(result, "a", "全年听取审议县政府专项工作报告")
    assert supervision["status"] == "reworded" and supervision["b"]["text"].startswith("全年听取审议县政府专项工作报告16个")
    assert [(n["a"], n["b"]) for n in supervision["numbers"]] == [("十四个", "16个"), ("5项", "6项"), ("2次", "3次")]
    assert {s["text"] for s in supervision["segments"]["b"] if s["op"] != "equal"} >= {"16", "6", "3"}
    listed = [(n["row"], n["a"], n["b"]) for n in result["numbers"]]
    assert listed == [(k, n["a"], n["b"]) for k, r in enumerate(result["rows"]) for n in r["numbers"]]
    assert ("十二件", "15件") in [(n["a"], n["b"]) for n in result["numbers"]]
    assert all(result["rows"][n["row"]]["status"] == "reworded" for n in result["numbers"])
    categories = {c["category"]: c for c in result["categories"]}
    assert categories["监督工作"]["new"] == 1 and categories["自身建设"]["reworded"] == 1
    assert sum(c[s] for c in result["categories"] for s in STATUSES) == len(result["rows"])
    # in 甲's order, each passage once
    assert [r["a"]["passage_id"] for r in result["rows"] if r["a"]] == \
        [p["passage_id"] for s in ix.document(yoy_ids["deqing-2021"])["sections"] for p in s["passages"]]
    assert sorted(r["b"]["passage_id"] for r in result["rows"] if r["b"]) == \
        sorted(p["passage_id"] for s in ix.document(yoy_ids["deqing-2022"])["sections"] for p in s["passages"])


def test_reports_beyond_the_bound_are_listed_unaligned(yoy_index_dir, yoy_ids, monkeypatch):
    ix = open_index(yoy_index_dir)
    monkeypatch.setattr(core_diff, "MAX_REPORT_PASSAGES", 3)
    result = compare_reports(ix, yoy_ids["deqing-2021"], yoy_ids["deqing-2022"])
    assert result["truncated"] and result["summary"]["unaligned"] == result["a"]["passages"] + result["b"]["passages"] - 6
    assert all(not r["numbers"] and not (r["a"] and r["b"]) for r in result["rows"] if r["status"] == "unaligned")
    assert sum(1 for r in result["rows"] if r["status"] != "unaligned" and r["a"]) == 3


def test_this_congresss_reports_of_other_years(yoy_index_dir, yoy_ids):
    """The older report is 甲; a neighbour's report of the same year and level is another congress."""
    ix = open_index(yoy_index_dir)
    listed = other_years(ix, yoy_ids["deqing-2022"])
    assert [(o["year"], o["a_doc"], o["b_doc"]) for o in listed] == [
        (2021, yoy_ids["deqing-2021"], yoy_ids["deqing-2022"]), (2023, yoy_ids["deqing-2022"], yoy_ids["deqing-2023"])]
    assert [o["doc_id"] for o in other_years(ix, yoy_ids["deqing-2021"])] == [yoy_ids["deqing-2022"], yoy_ids["deqing-2023"]]
    assert other_years(ix, yoy_ids["anji-2022"]) == [] and other_years(ix, "nosuchreport") == []


def test_a_report_of_no_known_place_has_no_congress_to_compare_with(index_dir):
    """XX旗 and a 某市 name no congress: their reports list none; the labelled samples hold one year per congress."""
    ix = open_index(index_dir)
    assert all(other_years(ix, d) == [] for d in ix.side.doc_ids)


def test_changed_figures_of_random_texts_are_figures_of_each_side():
    """Whatever the texts, each change found is a figure of ``a`` and one of ``b``, of one measure word and two
    values, met at most once each."""
    rng = seeded_rng(16)
    alphabet = "一二三十百千万零两5678.,，、。第件项次个人%余检查报告审议"
    for _ in range(300):
        a = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60)))
        b = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60)))
        found = number_changes(a, b, diff_texts(a, b)["opcodes"])
        in_a, in_b = {q["text"] for q in quantities(a)}, {q["text"] for q in quantities(b)}
        assert all(n["a"] in in_a and n["b"] in in_b and n["a_value"] != n["b_value"] for n in found), (a, b)
        assert len({n["b"] for n in found}) <= len(in_b) and all(n["context"] in b for n in found), (a, b)
