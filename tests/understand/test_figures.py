"""The work figures read from a report's sentences (``understand.figures``): the metrics' wordings, numerals,
ranges and approximations, the numbers that are no figures, and the accuracy against the labelled reports."""
import json

import pytest

from indexer.metrics import metric_names, vocabulary
from indexer.model import Document, Figure, Passage, Section
from indexer.understand.figures import find_figures, find_in_sentence
from tests.conftest import ROOT
from tests.tools.figures import ratio, score


def found(sentence: str) -> list[tuple]:
    """(metric, value, value_max, unit, approx) of each figure of a sentence."""
    return [f[:5] for f in find_in_sentence(sentence)]


@pytest.mark.parametrize("sentence,expected", [
    ("全年召开常委会会议10次。", [("sessions", 10, None, "次", False)]),
    ("共举行常委会会议五十八次、主任会议二十次。", [("sessions", 58, None, "次", False),
                                          ("chair_meetings", 20, None, "次", False)]),
    ("审议法规14件。", [("laws_reviewed", 14, None, "件", False)]),
    ("审议法律草案和有关法律问题的决定草案二十四件，通过其中的十八件。",
     [("laws_reviewed", 24, None, "件", False), ("laws_made", 18, None, "件", False)]),
    ("制定和修改地方性法规十四件，批准设区的市法规和自治县单行条例二百零三件。",
     [("laws_made", 14, None, "件", False), ("laws_made", 203, None, "件", False)]),
    ("听取审议专项工作报告28个，开展执法检查6项、专题询问2次。",
     [("reports_heard", 28, None, "个", False), ("inspections", 6, None, "项", False),
      ("inquiries", 2, None, "次", False)]),
    ("检查五部法律的实施情况。", [("inspected_laws", 5, None, "部", False)]),
    ("作出关于批准2020年区级财政决算的决议等决议决定七项。", [("decisions", 7, None, "项", False)]),
    ("任免国家机关工作人员58人次。", [("appointments", 58, None, "人次", False)]),
    ("全年审查市人民政府报送备案的规范性文件二十一件。", [("filings", 21, None, "件", False)]),
    ("市九届人大二次会议期间代表提出的三百零二件建议全部办结。", [("proposals", 302, None, "件", False)]),
    ("办理代表建议336件，满意率97.9%。", [("proposals", 336, None, "件", False),
                                  ("satisfaction", 97.9, None, "%", False)]),
    ("常委会领导领衔督办重点建议十一件。", [("key_proposals", 11, None, "件", False)]),
    ("代表满意率达到百分之九十八点六。", [("satisfaction", 98.6, None, "%", False)]),
    ("其中已经解决和正在解决的占百分之八十一点四。", [("solved_rate", 81.4, None, "%", False)]),
])
def test_metrics_in_their_wordings(sentence, expected):
    assert found(sentence) == expected


@pytest.mark.parametrize("sentence,expected", [
    ("开展执法检查二十余项。", ("inspections", 20, None, "项", True)),
    ("开展专题询问10至12次。", ("inquiries", 10, 12, "次", False)),
    ("召开常委会会议近十次。", ("sessions", 10, None, "次", True)),
    ("代表满意率达到百分之九十五以上。", ("satisfaction", 95, None, "%", True)),
    ("十三届全国人大历次会议代表提出的建议四万一千余件。", ("proposals", 41000, None, "件", True)),
])
def test_ranges_and_approximate_values(sentence, expected):
    assert found(sentence) == [expected]


def test_traditional_characters_read_as_simplified():
    assert found("全年召開常委會會議七次，聽取審議專項工作報告十六個。") == [
        ("sessions", 7, None, "次", False), ("reports_heard", 16, None, "个", False)]


@pytest.mark.parametrize("sentence", [
    "在浙江省第十四届人民代表大会第二次会议上。",                 # an ordinal
    "依照本条例第3条的规定审议。",                               # an article number
    "2023年12月召开常委会会议。",                                # a date
    "审议通过预算资金12.6亿元。",                                # money
    "地区生产总值增长6.5%，满意率同比提高2个百分点。",               # growth, and a change of a rate
    "共修改、废止行政法规和地方性法规一千余件。",                     # the State Council's regulations
    "计划审议法规草案二十件，听取审议专项工作报告二十个，开展执法检查五次。",   # next year's plan
    "2024年，省人大常委会将着力做好以下工作：听取审议专项工作报告二十个。",
    "邀请代表列席常委会会议四十人次。",                            # people attending, not sessions
    "全年承接调研、视察和执法检查17次。",                            # inspections counted with other visits
    "不断增强“四个意识”、坚定“四个自信”、做到“两个维护”。",
    "参考率和合格率均达到百分之百。",                               # an exam, no metric
])
def test_numbers_of_another_kind_are_no_figures(sentence):
    assert found(sentence) == []


def test_a_report_of_the_government_states_no_congress_figures():
    passages = [Passage("p1", 0, "全年办理人大代表建议336件，任免干部58人次。", 0, 20, "", "综述")]
    assert find_figures(passages, "government") == []
    assert [f.metric for f in find_figures(passages, "report")] == ["proposals", "appointments"]


def test_a_section_of_next_years_work_states_no_figures():
    passages = [Passage("p1", 0, "听取审议专项工作报告二十个。", 0, 14, "", "下一步工作"),
                Passage("p2", 1, "听取审议专项工作报告十八个。", 15, 29, "", "监督工作")]
    assert [(f.value, f.passage_id, f.ordinal) for f in find_figures(passages)] == [(18, "p2", 1)]


def test_a_figure_keeps_its_clause_sentence_and_passage():
    text = "一年来，全年召开常委会会议九次，任免国家机关工作人员八十一人次。"
    (f, g) = find_figures([Passage("abc", 3, text, 0, len(text), "", "综述")])
    assert (f.metric, f.value, f.text, f.sentence, f.passage_id, f.ordinal) == \
        ("sessions", 9, "全年召开常委会会议九次", text, "abc", 3)
    assert g.metric == "appointments" and g.unit == "人次"


def test_the_vocabulary_defines_each_metric_once_with_a_name_and_units():
    keys = [m.key for m in vocabulary()]
    assert len(keys) == len(set(keys)) and all(m.name and m.units and m.patterns for m in vocabulary())
    assert metric_names()["sessions"] == "常委会会议"


def test_figures_travel_with_the_document_and_old_records_read_as_none():
    doc = Document(doc_id="d", title="t", body="b", region=None, province=None, level=None, year=2023,
                   doc_type="工作报告", source="s", traditional=False, text="x",
                   sections=[Section("", 0, "综述", passages=[Passage("p", 0, "x", 0, 1, "", "综述")])],
                   figures=[Figure("sessions", 9, "次", text="召开常委会会议九次", passage_id="p")])
    again = Document.from_dict(json.loads(json.dumps(doc.to_dict(), ensure_ascii=False)))
    assert again.figures == doc.figures
    old = doc.to_dict()
    del old["figures"]
    assert Document.from_dict(old).figures == []


def test_accuracy_on_the_held_out_labels():
    """The test set (tests/fixtures/figures/test.json, not tuned on): precision ≥ 0.95, recall ≥ 0.85."""
    result = score(json.loads((ROOT / "tests/fixtures/figures/test.json").read_text(encoding="utf-8")))
    precision, recall = ratio(result["totals"])
    assert result["reports"] >= 20 and precision >= 0.95 and recall >= 0.85, (precision, recall, result["errors"])
