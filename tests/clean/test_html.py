"""Cleaning web pages, and every labelled report (HTML, text, Markdown) against its golden text: every body line
survives, every piece of chrome goes (R6 spirit)."""
import re
from collections import Counter

import pytest
from bs4 import BeautifulSoup, PageElement, Tag

from indexer.clean.decode import decode
from indexer.clean.html import (
    CONTENT_SELECTORS,
    DROP_TAGS,
    GENERIC_TITLE_SELECTORS,
    INFO_SELECTOR,
    TITLE_SELECTORS,
    _Elements,
    extract_html,
)
from indexer.normalize import display, fold
from indexer.understand.pipeline import parse_file
from tests.conftest import labelled_files

# Boilerplate seen in the samples' templates that must never reach the text, whatever the page.
CHROME = ["浏览次数", "ICP备", "公网安备", "网站标识码", "版权所有", "分享到", "打印本页", "关闭窗口", "上一篇", "下一篇",
          "当前位置", "您当前的位置", "字号", "往期推荐", "点击蓝字", "微信扫一扫", "设为首页", "加入收藏", "##paidbegin##",
          "##paidend##", "该页已被阅读", "撰稿：", "责任编辑", "编辑：", "审核：", "发布时间", "function", "<", ">", "{"]


@pytest.mark.parametrize("path,entry", labelled_files(), ids=lambda v: getattr(v, "name", ""))
def test_text_equals_the_labelled_body_line_for_line(path, entry):
    doc = parse_file(path)
    want = [fold(line) for line in entry["body"].split("\n") if fold(line)]
    got = [fold(line) for line in doc.text.split("\n") if fold(line)]
    assert got == want


@pytest.mark.parametrize("path,entry", labelled_files(), ids=lambda v: getattr(v, "name", ""))
def test_chrome_is_gone(path, entry):
    doc = parse_file(path)
    for word in CHROME:
        assert word not in doc.text, word
    # the display form writes digits and Latin letters half-width (２０２３年 → 2023年)
    assert doc.title == display(entry["title"] or "") or (entry["title"] is None and doc.title)


def test_wechat_trailer_and_credits_are_dropped_but_body_before_them_kept():
    html = """<div id="js_content"><p>点击蓝字 关注我们</p><p>常委会坚持把党的领导贯穿人大工作全过程各方面，全年集中学习十四次。</p>
    <p>来源：义乌市人大常委会办公室</p><p>编辑：楼佳琪　审核：吴晓东</p><section><p>往期推荐</p>
    <p><a href="#">市人大常委会召开第二十二次会议</a></p></section></div>"""
    texts = [b.text for b in extract_html(html).blocks]
    assert texts == ["常委会坚持把党的领导贯穿人大工作全过程各方面，全年集中学习十四次。"]


def test_run_in_bold_and_headings_are_marked():
    html = """<div id="zoom"><p><strong>突出立法重点。</strong>围绕经济转型升级，制定了条例。</p>
    <p><span style="font-family:黑体">一、围绕大局，提高立法质量</span></p><h3>（一）小标题</h3></div>"""
    blocks = extract_html(html).blocks
    assert blocks[0].run_in == "突出立法重点。" and not blocks[0].bold
    assert blocks[1].bold and blocks[2].heading_level == 3


def test_br_and_table_rows_are_paragraph_boundaries():
    html = "<div class='content'><p>第一段内容比较长一些。<br>第二段内容也比较长。</p><table><tr><td>甲</td></tr><tr><td>乙</td></tr></table></div>"
    assert [b.text for b in extract_html(html).blocks] == ["第一段内容比较长一些。", "第二段内容也比较长。", "甲", "乙"]


def test_title_declared_only_in_meta_or_title_survives_the_head_being_dropped():
    page = ("<html><head><meta name='ArticleTitle' content='泉州市人大常委会2024年工作要点'><title>泉州市人大常委会2024年"
            "工作要点_泉州人大网</title></head><body><div class='xl_tit'>泉州市人大常委会2024年工作要点</div>"
            "<div class='nav'>首页 &gt; 人大要闻</div><div id='zoom'><p>一、坚持党的领导</p><p>常委会坚持党的领导，"
            "严格执行重大事项请示报告制度，确保人大工作正确方向。</p></div></body></html>")
    assert extract_html(page).title == "泉州市人大常委会2024年工作要点"
    only_meta = page.replace("<div class='xl_tit'>泉州市人大常委会2024年工作要点</div>", "")
    assert extract_html(only_meta).title == "泉州市人大常委会2024年工作要点"
    site_heading_first = page.replace("<body>", "<body><h1>泉州人大网</h1>")
    assert extract_html(site_heading_first).title == "泉州市人大常委会2024年工作要点"   # agrees with <title>


@pytest.mark.parametrize("info, date", [
    ("<table><tr><td>发布日期：2024-01-31　　来源：广西人大网　　点击数：1352</td></tr></table>", "2024-01-31"),
    ("<div class='fontsize'><span>来源：中国人大网</span> <span>2024年03月15日 09:12:24</span></div>", "2024-03-15"),
    ("<div class='con_info'>發佈時間：2024-02-05 10:32　來源：大理州人大常委會辦公室</div>", "2024-02-05"),
    ("<p>发布时间：２０２４年１月１２日</p>", "2024-01-12"),
])
def test_publication_lines_of_many_shapes(info, date):
    page = f"<html><body>{info}<div id='zoom'><p>常委会坚持党的领导，严格执行重大事项请示报告制度，确保人大工作正确方向。</p></div></body></html>"
    assert extract_html(page).pub_date == date


def test_a_long_table_cell_before_the_paragraphs_does_not_become_the_whole_article():
    """Found by the property test: the row holding one long cell outscored the paragraphs' container."""
    cell = "常委会听取审议专项工作报告八个，开展执法检查三次，组织专题询问一次，推动解决了一批群众关心的突出问题。" * 2
    paras = ["常委会坚持党的领导，严格执行重大事项请示报告制度。", "办理代表建议八十五件，代表满意率持续提高。"]
    html = (f"<html><body><div class='nav'>首页</div><div style='font-size:16px'><table><tr><td>{cell}</td></tr>"
            f"</table>{''.join(f'<p>{p}</p>' for p in paras)}</div></body></html>")
    text = fold("\n".join(b.text for b in extract_html(html).blocks))
    assert all(fold(p) in text for p in [cell, *paras])


def test_a_dated_sentence_in_the_body_is_not_a_publication_line():
    page = ("<html><body><div id='zoom'><p>2024年1月10日 9:00，县人大常委会召开第十六次会议，听取审议专项工作报告。</p>"
            "<p>常委会坚持党的领导，严格执行重大事项请示报告制度，确保人大工作正确方向。</p></div></body></html>")
    assert extract_html(page).pub_date is None


def ids(elements) -> list[int]:
    return [id(el) for el in elements]


def test_the_element_index_answers_as_soup_select_and_find_all():
    """The cleaner reads its selectors from one walk's index (thirty full-tree selects cost 12 s on a page
    nested 100,000 deep); the answers must stay soupsieve's and find_all's, <template> contents included."""
    crafted = ("<html><body><template><div class='info'>发布时间：2019-01-02</div><h1 class='title'>模板</h1></template>"
               "<div id='publish_time'>2018年3月4日</div><div class='content'><h1>题</h1><p>正文</p></div></body></html>")
    selectors = [*CONTENT_SELECTORS, *TITLE_SELECTORS, *GENERIC_TITLE_SELECTORS, INFO_SELECTOR, "#publish_time"]
    # each selector alone on the crafted page; all at once on the real pages, which keeps this test quick
    cases = [(crafted, selectors)] + [(decode(path.read_bytes()).text, [", ".join(selectors)])
                                      for path, _ in labelled_files() if path.suffix == ".html"]
    for html, sels in cases:
        soup = BeautifulSoup(html, "html.parser")
        page = _Elements(soup, 200_000)
        for sel in sels:
            assert ids(page.select(sel)) == ids(soup.select(sel)), sel
        assert ids(page.named("p", "br", "td", "section")) == ids(soup.find_all(["p", "br", "td", "section"]))
        assert ids(page.named("meta")) == ids(soup.find_all("meta"))


# A paragraph of report text, and shapes of page that grow one way: N chrome widgets in the body, or elements
# the cleaner looks at (title candidates, publication lines, paragraphs and cells it scores) nested N deep.
PARAGRAPH = "<p>常委会坚持党的领导，严格执行重大事项请示报告制度，确保人大工作正确方向，各项工作取得新的进展。</p>"
GROWING = {
    "share-widgets": lambda n: "<div id='zoom'>" + f"{PARAGRAPH}<span class='share'>分享</span>" * n + "</div>",
    "nested-titles": lambda n: "<div class='title'>标题" * n + "</div>" * n + f"<div id='zoom'>{PARAGRAPH}</div>",
    "nested-info": lambda n: "<div class='info'>来源" * n + "</div>" * n + f"<div id='zoom'>{PARAGRAPH}</div>",
    "nested-sections": lambda n: "<section>" * n + PARAGRAPH * 3 + "</section>" * n,
    "nested-cells": lambda n: "<table><tr><td>" * n + PARAGRAPH * 3 + "</td></tr></table>" * n,
    "nested-paragraphs": lambda n: "<p>" * n + PARAGRAPH * 3 + "</p>" * n,
    "nested-links": lambda n: "<div>" + "<p><a href='#'>链接</a>" * n + PARAGRAPH * 3 + "</p>" * n + "</div>",
}


@pytest.fixture
def walks(monkeypatch) -> Counter:
    """How many times a walk of a subtree (descendants: find_all, get_text …) or up the ancestors starts."""
    counts: Counter = Counter()
    for cls, name in ((Tag, "descendants"), (PageElement, "parents")):
        real = getattr(cls, name)
        monkeypatch.setattr(cls, name, property(lambda self, real=real, name=name: counts.update([name]) or
                                                real.fget(self)))
    return counts


@pytest.mark.parametrize("shape", GROWING.values(), ids=GROWING.keys())
def test_a_page_is_walked_as_often_however_large_it_grows(walks, shape):
    """Regression: the cleaner read the text of the article body again for every chrome widget in it, and the
    text or the ancestors of every title candidate, publication line, paragraph and cell, nested ones included:
    quadratic (a 1.5 MB page with a share widget per paragraph took 16 s, 8,000 nested cells 42 s)."""
    counts = []
    for n in (10, 200):
        walks.clear()
        blocks = extract_html(f"<html><body>{shape(n)}</body></html>").blocks
        assert "常委会坚持党的领导" in "".join(b.text for b in blocks)
        counts.append(dict(walks))
    assert counts[0] == counts[1]


def test_the_text_index_answers_as_get_text():
    """Text lengths, texts, link text and enclosing tables from the index are what bs4 gives once the dropped
    tags are gone, for every element of the real pages and of a crafted one."""
    crafted = ("<html><head><title>题</title></head><body><div class='nav'><a href='/'> 首页 </a><form>搜索<input>"
               "</form></div><table><tr><td>甲，<a>乙 <a>丙</a></a><table><tr><td>丁</td></tr></table></td></tr>"
               "</table><p>正文 一<script>x</script><b>二</b>\n三</p><!-- 注 --><p></p></body></html>")
    pages = [crafted] + [decode(path.read_bytes()).text for path, _ in labelled_files() if path.suffix == ".html"]
    for html in pages:
        soup = BeautifulSoup(html, "html.parser")
        page = _Elements(soup, 200_000)
        for node in page.markup:
            node.extract()
        for el in page.named(*DROP_TAGS):
            if el.parent is not None:
                el.decompose()
        for el in [soup, *soup.find_all(True)]:
            text = el.get_text()
            assert page.text_len(el) == len(re.sub(r"\s+", "", text)) and page.text(el, " ") == el.get_text(" ")
            assert page.has_comma(el) == ("，" in text) and page.count(el) == len(list(el.strings))
            assert page.link_len(el) == sum(len(a.get_text(strip=True)) for a in el.find_all("a"))
            assert all(page.contains(el, inner) for inner in el.find_all(True)) and page.contains(el, el)
            assert not any(page.contains(inner, el) for inner in el.find_all(True))
            if el.name == "td":
                assert page.table_of(el) is el.find_parent("table")


def test_a_word_export_takes_its_title_from_the_text_not_from_its_file_name():
    page = ("<html><head><title>Microsoft Word - 2021年工作报告.doc</title></head><body><div class=WordSection1>"
            "<p class=MsoNormal>嘉善县第十七届人民代表大会</p><p class=MsoNormal>第五次会议文件（2）</p>"
            "<p class=MsoNormal><b>嘉善县人民代表大会常务委员会工作报告</b></p>"
            "<p class=MsoNormal>各位代表：现在，我代表县人民代表大会常务委员会向大会报告工作，请予审议。</p>"
            "<p class=MsoNormal>一、坚持党的全面领导</p><p class=MsoNormal>常委会严格执行请示报告制度，确保人大工作正确方向。"
            "全年听取审议专项工作报告十八个，开展执法检查四次。</p></div></body></html>")
    ex = extract_html(page)
    assert (ex.title, ex.title_how) == ("嘉善县人民代表大会常务委员会工作报告",
                                        "the line at the top of the text that names the report")
    assert [b.text for b in ex.blocks][0].startswith("各位代表")
