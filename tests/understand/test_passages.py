"""Passage splitting, offsets and stable ids."""
import pytest

from indexer.settings import load_settings
from indexer.understand.passages import split_paragraph
from indexer.understand.pipeline import parse_file
from tests.conftest import SAMPLES, labelled_files

SENT = "常委会听取审议了人民政府关于预算执行情况的报告，提出了审议意见。"


def test_short_paragraph_is_one_passage():
    assert split_paragraph(SENT) == [SENT]


def test_long_paragraph_splits_at_sentence_ends_within_the_limit():
    para = SENT * 20
    pieces = split_paragraph(para)
    assert "".join(pieces) == para
    assert all(p.endswith("。") for p in pieces)
    assert all(len(p) <= 300 for p in pieces)


def test_a_sentence_longer_than_the_limit_is_cut_at_clauses():
    para = "，".join(["常委会组织开展执法检查"] * 60) + "。"
    pieces = split_paragraph(para, load_settings(passage_max_chars=100, passage_min_chars=10))
    assert "".join(pieces) == para and max(map(len, pieces)) <= 100


@pytest.mark.parametrize("path,entry", labelled_files()[:8], ids=lambda v: getattr(v, "name", ""))
def test_offsets_point_into_the_text_and_ordinals_run(path, entry):
    doc = parse_file(path)
    passages = doc.passages()
    assert [p.ordinal for p in passages] == list(range(len(passages)))
    for p in passages:
        assert doc.text[p.start:p.end] == p.text
    assert len({p.passage_id for p in passages}) == len(passages)


def test_ids_are_stable_across_reingestion_and_shared_by_a_traditional_copy():
    a = parse_file(SAMPLES / "04-changfeng-2017.html")
    assert [p.passage_id for p in a.passages()] == [p.passage_id for p in parse_file(SAMPLES / "04-changfeng-2017.html").passages()]
    trad = parse_file(SAMPLES / "05-changfeng-fanti-2017.html")
    assert trad.doc_id == a.doc_id
    assert [p.passage_id for p in trad.passages()] == [p.passage_id for p in a.passages()]


def test_passages_carry_heading_and_category():
    doc = parse_file(SAMPLES / "02-ningxia-2014.html")
    p = next(p for p in doc.passages() if "有备必审" in p.text)
    assert (p.heading, p.category) == ("加强规范性文件备案审查。", "监督工作")
