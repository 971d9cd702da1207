"""Cleaning against golden text: every labelled body line survives, every piece of chrome goes (R6 spirit)."""
import pytest

from indexer.clean.html import extract_html, extract_text, is_noise_line, publication_date
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


def _wrap(paragraph: str, width: int) -> list[str]:
    """Hard-wrap as old text exports do: a two-space ideographic indent, then lines of exactly ``width``."""
    text = "\u3000\u3000" + paragraph
    return [text[i:i + width] for i in range(0, len(text), width)]


def test_hard_wraps_are_undone_headings_included():
    para = "常委会把促进科学发展作为监督工作的首要任务，听取审议了市人民政府关于国民经济和社会发展计划执行情况的报告。"
    heading = "一、围绕加快转变经济发展方式，加强对经济运行、财政预算和重点项目建设的监督"
    lines = ["标题", ""] + [line for _ in range(6) for line in _wrap(para, 20)] + _wrap(heading, 20)
    blocks = [b.text for b in extract_text("\n".join(lines)).blocks]
    assert blocks == [para] * 6 + [heading]


def test_markdown_front_matter_headings_and_bold_lines():
    md = "---\ntitle: 某某报告\ndate: 2025-12-29\n---\n\n**一、落实职责**\n\n## 二、学法用法\n\n正文**加粗**内容。"
    ex = extract_text(md, markdown=True)
    assert ex.title == "某某报告" and ex.pub_date == "2025-12-29"
    assert [(b.text, b.bold, b.heading_level) for b in ex.blocks] == [
        ("一、落实职责", True, 0), ("二、学法用法", False, 2), ("正文加粗内容。", False, 0)]


@pytest.mark.parametrize("line", ["##paidbegin##", "发布于2021-03-29T12:46:58  该页已被阅读", "撰稿:王会刚 编辑:包晓峰 初审:达来",
                                  "（责任编辑：马喆）", "（市人大常委会研究室 供稿）", "【字号：大 中 小】", "浙ICP备05008737号",
                                  "发布时间：2020-12-21 16:05　　来源：旗人大常委会办公室"])
def test_noise_lines(line):
    assert is_noise_line(line)


@pytest.mark.parametrize("line", ["来源于群众的意见建议，常委会逐件办理。", "一、坚持党的领导", "编辑出版《立法直通车工作案例选编》。"])
def test_report_lines_are_not_noise(line):
    assert not is_noise_line(line)


def test_publication_line_dates():
    assert publication_date(["发布于2021-03-29T12:46:58  该页已被阅读"]) == "2021-03-29"
    assert publication_date(["来源：浙江人大   发布时间：2023年1月19日 09:30"]) == "2023-01-19"
    assert publication_date(["二〇二三年工作"]) is None


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


@pytest.mark.parametrize("line", ["責任編輯：楊麗", "打印本頁 關閉窗口", "（记者 王婷 通讯员 刘洋）", "(记者 李明)"])
def test_credits_and_chrome_in_traditional_script_or_brackets_are_noise(line):
    assert is_noise_line(line)


@pytest.mark.parametrize("line", ["（一）坚持党的领导", "记者站建设取得新进展，全年新建代表联络站二十个。"])
def test_report_lines_that_look_like_credits_are_kept(line):
    assert not is_noise_line(line)


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
