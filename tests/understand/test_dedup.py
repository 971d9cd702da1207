"""Reposts fold into one document; reports of one congress in different years do not."""
import re

from indexer.understand.dedup import fold_duplicates
from indexer.understand.pipeline import parse_bytes, parse_file
from tests.conftest import SAMPLES


def test_exact_and_traditional_reposts_fold_keeping_all_sources():
    files = ["03-wuhou-2021.html", "04-changfeng-2017.html", "05-changfeng-fanti-2017.html", "06-wuhou-weixin-2021.html"]
    docs = fold_duplicates([parse_file(SAMPLES / f) for f in files])
    assert len(docs) == 2
    by_region = {d.region: d for d in docs}
    assert [s.rsplit("/", 1)[-1] for s in by_region["长丰县"].sources] == files[1:3]
    assert not by_region["长丰县"].traditional          # the simplified copy is the one kept
    assert len(by_region["武侯区"].sources) == 2


def test_same_congress_next_year_is_not_a_duplicate():
    """Same template, headings, opening and closing; the work described differs, as in real successive reports."""
    original = (SAMPLES / "15-huzhou-2022.md").read_text(encoding="utf-8")
    other = parse_file(SAMPLES / "03-wuhou-2021.html").text.split("\n")
    body_lines = iter(line for line in other if len(line) > 60)
    next_year = "\n".join(line if len(line) <= 60 or line.startswith(("各位代表", "现在")) else next(body_lines, line)
                          for line in original.replace("2022", "2023").split("\n"))
    assert re.search("坚持党的全面领导", next_year)
    docs = fold_duplicates([parse_bytes(original.encode(), "a.md"), parse_bytes(next_year.encode(), "b.md")])
    assert len(docs) == 2


def test_a_slightly_edited_repost_still_folds():
    text = (SAMPLES / "10-quanguo-2010.txt").read_text(encoding="utf-8")
    edited = text.replace("各位代表：", "各位代表:").replace("一年来", "过去一年来") + "\n（来源：中国人大网）\n"
    docs = fold_duplicates([parse_bytes(text.encode(), "a.txt"), parse_bytes(edited.encode(), "b.txt")])
    assert len(docs) == 1 and sorted(docs[0].sources) == ["a.txt", "b.txt"]


def test_a_summary_and_a_copy_with_its_own_text_are_versions_not_reposts():
    """A 摘要 and its report, and one county report on two sites (an intro added, a paragraph dropped): kept
    apart, each linked to the other; the repost on a second template still folds."""
    from indexer.understand.dedup import link_versions
    from tests.conftest import WEB_DEV
    files = [WEB_DEV / "a03-quanguo-2014.txt", WEB_DEV / "a02-quanguo-2014-zhaiyao.html",
             WEB_DEV / "b01-youxian-2022-weixin.html", WEB_DEV / "b10-youxian-2022-zhuzhou-rd.html",
             SAMPLES / "04-changfeng-2017.html", SAMPLES / "05-changfeng-fanti-2017.html"]
    docs = fold_duplicates([parse_file(f) for f in files])
    link_versions(docs)
    assert len(docs) == 5
    full, summary, weixin, portal, changfeng = docs
    assert summary.versions == [full.doc_id] and portal.versions == [weixin.doc_id]
    assert full.versions == weixin.versions == changfeng.versions == []      # links point back only
    assert len(changfeng.sources) == 2


def test_reports_of_one_congress_in_two_years_or_of_two_congresses_are_not_versions():
    """The same text under three titles: another year, another congress: no version links."""
    from indexer.understand.dedup import link_versions
    body = "\n".join((SAMPLES / "10-quanguo-2010.txt").read_text(encoding="utf-8").splitlines()[4:])
    titles = ["湖州市人大常委会2021年工作报告", "湖州市人大常委会2022年工作报告", "嘉兴市人大常委会2021年工作报告"]
    docs = [parse_bytes(f"{t}\n{body}".encode(), f"{k}.txt") for k, t in enumerate(titles)]
    assert [(d.region, d.year) for d in docs] == [("湖州市", 2021), ("湖州市", 2022), ("嘉兴市", 2021)]
    link_versions(docs)
    assert [d.versions for d in docs] == [[], [], []]
    same = parse_bytes(f"{titles[0]}（摘要）\n{body[:len(body) // 2]}".encode(), "3.txt")
    link_versions([same], docs)
    assert same.versions == [docs[0].doc_id]
