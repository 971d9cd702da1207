"""Heading shapes, levels and categories."""
import pytest

from indexer.model import Block
from indexer.understand.sections import categorize, classify, detect


def heads(lines, **flags):
    items = detect([Block(text=t, **flags) for t in lines])
    return [(it.heading, it.level) for it in items if it.heading]


LONG = "常委会听取审议了人民政府关于预算执行情况的报告，开展了执法检查，提出了审议意见并跟踪督办落实。"


@pytest.mark.parametrize("lines,want", [
    (["第一部分　2012年工作回顾", LONG, "一、加强监督工作", LONG, "第二部分　2013年工作任务", LONG],
     [("第一部分　2012年工作回顾", 1), ("一、加强监督工作", 2), ("第二部分　2013年工作任务", 1)]),
    (["一、加强立法工作", "（一）突出重点", LONG, "(二)完善机制", LONG, "二、加强监督", "1.加强执法检查", LONG],
     [("一、加强立法工作", 1), ("（一）突出重点", 2), ("(二)完善机制", 2), ("二、加强监督", 1), ("1.加强执法检查", 3)]),
])
def test_numbered_heading_shapes_and_levels(lines, want):
    assert heads(lines) == want


def test_numbered_run_in_head_keeps_its_sentence():
    items = detect([Block("一、主要工作开展情况"), Block("（一）带头尊法学法，提升法治思维能力。坚持把学法作为履职的基本功。")])
    assert items[1].heading == "（一）带头尊法学法，提升法治思维能力。"
    assert items[1].rest == "坚持把学法作为履职的基本功。"


def test_plain_text_run_in_heads_need_company():
    lines = ["一、始终坚持党的领导", "加强思想政治建设。" + LONG, "严格执行政治纪律。" + LONG, "二、扎实推动立法工作",
             "加强环保民生立法。" + LONG]
    assert heads(lines) == [("一、始终坚持党的领导", 1), ("加强思想政治建设。", 2), ("严格执行政治纪律。", 2),
                            ("二、扎实推动立法工作", 1)]


def test_enumerations_and_subject_sentences_are_not_headings():
    lines = ["一、开展监督工作", "一是围绕经济运行有效监督。" + LONG, "二是围绕民生开展监督。" + LONG,
             "常委会坚持正确监督。" + LONG, "一年来共开展视察。" + LONG]
    assert heads(lines) == [("一、开展监督工作", 1)]


def test_bold_and_markdown_headings():
    assert heads(["坚持党的全面领导，政治引领更加坚强有力", LONG], bold=True)[0] == ("坚持党的全面领导，政治引领更加坚强有力", 1)
    items = detect([Block("二、学法用法", heading_level=2), Block(LONG)])
    assert items[0].heading == "二、学法用法"


def test_short_unnumbered_lines_in_reports_without_numbers():
    lines = ["2024年,常委会坚持党的领导,认真履行职权。", "始终坚持党的领导,把牢人大工作正确政治方向", LONG,
             "围绕中心服务大局,精准监督助力经济社会发展", LONG, "巴彦淖尔市人大常委会办公室", "2021年3月29日"]
    assert [h for h, _ in heads(lines)] == ["始终坚持党的领导,把牢人大工作正确政治方向", "围绕中心服务大局,精准监督助力经济社会发展"]


def test_subtitle_is_not_a_heading():
    assert heads(["——在第十一届全国人民代表大会第四次会议上", LONG]) == []


@pytest.mark.parametrize("heading,category", [
    ("一、坚持党的全面领导，把牢人大工作正确政治方向", "党的领导"),
    ("三、发挥基层立法联系点作用，助力科学立法民主立法", "立法工作"),
    ("（三）加强规范性文件备案审查", "监督工作"),
    ("四、依法行使决定权和任免权", "决定任免"),
    ("提高建议办理质量。", "代表工作"),
    ("五、开展法治宣传教育，落实“谁执法谁普法”普法责任制", "法治建设"),
    ("六、加强自身建设，提升依法履职能力", "自身建设"),
    ("二、存在的问题和不足", "存在问题"),
    ("七、2022年的主要任务", "下一步工作"),
    ("四、积极开展对外交往", "其他"),
    ("围绕保障和改善民生，加强对群众普遍关切问题的监督", "监督工作"),
])
def test_category_cues(heading, category):
    assert classify(heading, threshold=2) == category


def test_categories_inherit_and_containers_are_summaries():
    items = detect([Block(t) for t in ["一、过去一年的主要工作", LONG, "（一）坚持党的全面领导", LONG, "（二）聚焦经济发展", LONG,
                                       "二、加强监督", "（一）聚焦民生改善", LONG, "三、存在的问题", "（一）普法宣传不够深入", LONG]])
    cats = [(it.heading, cat) for it, cat, _ in categorize(items)]
    assert cats == [("一、过去一年的主要工作", "综述"), ("（一）坚持党的全面领导", "党的领导"),
                    ("（二）聚焦经济发展", "监督工作"), ("二、加强监督", "监督工作"), ("（一）聚焦民生改善", "监督工作"),
                    ("三、存在的问题", "存在问题"), ("（一）普法宣传不够深入", "存在问题")]


def test_a_list_of_numbered_sentences_is_not_headings():
    items = [f"{n}.加强对第{n}项重点工作的监督，推动各项任务落地见效。" for n in range(1, 6)]
    assert heads(["一、加强监督工作", *items, "二、加强代表工作", LONG]) == [("一、加强监督工作", 1), ("二、加强代表工作", 1)]
    # numbered sub-headings each with text under them stay headings
    assert heads(["1.突出重点。", LONG, "2.完善机制。", LONG, "3.加强督办。", LONG])[:1] == [("1.突出重点。", 1)]


def test_a_chapter_heading_run_on_after_a_sentence_is_split_off():
    lines = ["一、坚持政治引领", "常委会向县委请示报告重要事项二十一件次，人大工作取得新成效。二、依法履行监督职责", LONG]
    assert heads(lines) == [("一、坚持政治引领", 1), ("二、依法履行监督职责", 1)]
    # an enumeration with the wrong number, or a long run-on sentence, is left alone
    assert heads(["一、坚持政治引领", "取得新成效。三、依法履行监督职责", LONG]) == [("一、坚持政治引领", 1)]
    # numbers that are no numerals (六一, 七一: days) neither count nor fail
    assert heads(["六一、七一期间，走访慰问困难群众。", "一、坚持政治引领", LONG]) == [("一、坚持政治引领", 1)]


def test_bracketed_yearbook_heads_speaker_lines_and_datelines():
    lines = ["县人大常委会主任　王赟", "【立法工作】全年制定条例两件。", "【监督工作】听取审议报告十项。", "【导语】本文转自某网。",
             "二〇二三年十二月二十六日"]
    assert heads(lines) == [("【立法工作】", 1), ("【监督工作】", 1)]
