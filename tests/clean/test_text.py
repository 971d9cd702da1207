"""Cleaning plain text and Markdown, and the line rules every format shares: noise and credit lines, publication
lines."""
import pytest

from indexer.clean.text import extract_text, is_noise_line, publication_date


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


@pytest.mark.parametrize("line", ["責任編輯：楊麗", "打印本頁 關閉窗口", "（记者 王婷 通讯员 刘洋）", "(记者 李明)"])
def test_credits_and_chrome_in_traditional_script_or_brackets_are_noise(line):
    assert is_noise_line(line)


@pytest.mark.parametrize("line", ["（一）坚持党的领导", "记者站建设取得新进展，全年新建代表联络站二十个。"])
def test_report_lines_that_look_like_credits_are_kept(line):
    assert not is_noise_line(line)
