"""Cleaning plain text and Markdown, and the line rules every format shares: noise and credit lines, publication
lines."""
import pytest

from indexer.clean.text import clean_title, extract_text, is_noise_line, publication_date


def _wrap(paragraph: str, width: int) -> list[str]:
    """Hard-wrap as old text exports do: a two-space ideographic indent, then lines of exactly ``width``."""
    text = "\u3000\u3000" + paragraph
    return [text[i:i + width] for i in range(0, len(text), width)]


def test_hard_wraps_are_undone_headings_included():
    para = "常委会把促进科学发展作为监督工作的首要任务，听取审议了市人民政府关于国民经济和社会发展计划执行情况的报告。"
    heading = "一、围绕加快转变经济发展方式，加强对经济运行、财政预算和重点项目建设的监督"
    lines = ["某市人大常委会工作报告", ""] + [line for _ in range(6) for line in _wrap(para, 20)] + _wrap(heading, 20)
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
                                  "发布时间：2020-12-21 16:05　　来源：旗人大常委会办公室",
                                  "编辑", "责任编辑 王五", "新闻热线：010-12345678", "点击：1234次 时间：2024-01-12 09:30",
                                  "首页 > 人大要闻 > 正文", "【收藏】【打印】【关闭】", "首页 | 人大要闻 | 通知公告 | 监督工作",
                                  "▲市人大代表在社区卡口参与值守", "本报记者林晓舟周亦川", "(全文完)",
                                  "声明：本站部分内容来源于网络，仅供学习交流，如有侵权请联系我们删除。", "=============="])
def test_noise_lines(line):
    assert is_noise_line(line)


@pytest.mark.parametrize("line", ["来源于群众的意见建议，常委会逐件办理。", "一、坚持党的领导", "编辑出版《立法直通车工作案例选编》。",
                                  "编辑工作", "2019-2023年监督工作", "（一）加强预算审查监督", "二〇二三年十二月二十六日",
                                  # report lines that earlier rules took for chrome
                                  "推广“代表联络站+”工作模式", "广告法执法检查", "（五）推进无障碍环境建设",
                                  "对代表建议，承办单位回复“满意”的占98.5%", "时间：2023年3月至6月，常委会组成人员分三组赴各地调研",
                                  "编号管理、台账跟踪，确保件件有落实", "王建国 李明华 张卫东 刘洋 陈静 赵晓燕",
                                  "建立代表联络热线0572-2222222，畅通民意渠道", "申请→受理→交办→办理→答复→评估",
                                  "——在湖州市第九届人民代表大会", "形成调研报告共128页，提出建议12条。", "12"])
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


@pytest.mark.parametrize("raw, title", [
    ("• 2025年儋州市政府工作报告", "2025年儋州市政府工作报告"),
    ("全国人民代表大会常务委员会工作报告（摘要） 2015年03月09日07:12 来源： 时讯网 分享到： 微信", "全国人民代表大会常务委员会工作报告（摘要）"),
    ("攸县人民代表大会常务委员会工作报告2023-01-16", "攸县人民代表大会常务委员会工作报告"),
    ("关于2023年1月1日起施行的条例的说明", "关于2023年1月1日起施行的条例的说明"),      # a date inside a title stays
    ("人民网", ""), ("时政要闻", ""), ("芜湖年鉴2023卷", ""), ("本报记者 林晓舟", ""), ("2024-01-12 09:30", ""),
    ("福建人大网 >> 大会专题 >> 大会文件", ""), ("欢迎进入江苏人大网", ""),
])
def test_titles_are_cleaned_of_what_pages_put_around_them(raw, title):
    assert clean_title(raw) == title


def test_a_slide_show_export_gives_its_text_its_slide_titles_and_the_title_on_its_last_slide():
    slides = ["H5作品文本导出 · 共3页", "【第1页】", "【标题】", "【文案】2019年，常委会依法履职。", "【图片】封面（已省略）",
              "↑ 向上滑动翻页", "【第2页】", "【标题】监督有力 助推发展", "【文案】常委会听取审议专项工作报告二十七项。",
              "【第3页】", "【标题】2019年佛山市人大常委会工作综述"]
    ex = extract_text("\n".join(slides))
    assert ex.title == "2019年佛山市人大常委会工作综述" and ex.title_how == "the last slide"
    assert [(b.text, b.bold) for b in ex.blocks] == [("2019年，常委会依法履职。", False), ("监督有力 助推发展", True),
                                                     ("常委会听取审议专项工作报告二十七项。", False)]


def test_a_table_of_contents_is_dropped():
    lines = ["某县人大常委会工作报告", "目　录", "一、坚持党的领导……1", "二、依法履行监督职责……3", "一、坚持党的领导",
             "常委会严格执行请示报告制度。", "二、依法履行监督职责", "常委会听取审议专项工作报告。"]
    assert [b.text for b in extract_text("\n".join(lines)).blocks] == lines[4:]


def test_a_pdf_text_layer_loses_its_running_heads_and_page_numbers_and_joins_what_a_page_break_cut():
    """Lines wrapped at 20 characters, as pdftotext writes them; a page break inside the second paragraph."""
    para = "常委会把学习贯彻党的十九大精神作为首要政治任务，全年集中学习二十六次，撰写调研文章十四篇，举办宪法宣讲报告会八场。"
    other = "常委会听取审议专项工作报告二十个，开展执法检查五次，专题询问两次，推动法律法规有效实施，满意率显著提升。"
    head, number = "沧州市人大常委会工作报告", "— {} —"
    lines = [head, "", "沧州市人民代表大会常务委员会工作报告", "　　一、坚持党的领导"]
    for k, text in enumerate([other, para, other, para, other]):
        wrapped = _wrap(text, 20)
        if k % 2:                       # the page ends inside this paragraph
            wrapped[2:2] = ["", number.format(k), head, ""]
        lines += wrapped
    ex = extract_text("\n".join(lines))
    assert ex.title == "沧州市人民代表大会常务委员会工作报告"
    assert [b.text for b in ex.blocks] == ["一、坚持党的领导", other, para, other, para, other]


@pytest.mark.parametrize("line", ["— 3 —", "第 3 页 共 12 页", "【第1页】【第2页】【全文】", "上一页 1 2 3 下一页",
                                  "（原标题：荆门市人民代表大会常务委员会工作报告）", "编者按：2024年是地方人大设立常委会45周年。",
                                  "首付3万起团购热线0724-2389151", "附件：拉萨市城镇供暖管理条例（草案）.doc",
                                  "嘉善县第十七届人民代表大会", "第五次会议文件（2）", "首页 人大概况 人大新闻 代表工作 监督工作"])
def test_page_furniture_covers_and_editors_notes_are_noise(line):
    assert is_noise_line(line)


def test_a_session_documents_cover_and_a_table_of_contents_with_leaders_are_not_text():
    lines = ["大会文件（9）", "份号：000417", "密级：★内部注意保存", "甘肃省人民代表大会常务委员会工作报告",
             "——2020年1月13日在甘肃省第十三届人民代表大会第三", "次会议上", "目　　录", "一、坚持党的领导…………1",
             "二、加强监督工作…………3", "甘肃省第十三届人民代表大会第三次会议秘书处印", "一、坚持党的领导", "常委会严格执行请示报告制度。",
             "二、加强监督工作", "常委会听取审议专项工作报告。"]
    ex = extract_text("\n".join(lines))
    assert ex.title == "甘肃省人民代表大会常务委员会工作报告"
    assert [b.text for b in ex.blocks] == ["——2020年1月13日在甘肃省第十三届人民代表大会第三次会议上", *lines[-4:]]


@pytest.mark.parametrize("raw", ["快速通道", "无障碍", "关怀版"])
def test_a_pages_short_labels_are_not_titles(raw):
    assert clean_title(raw) == ""


@pytest.mark.parametrize("label", ["附件", "附件1", "附件 2：", "附件一"])
def test_an_annex_label_above_the_title_is_not_the_title(label):
    e = extract_text(f"{label}\n\n天津市滨海新区人大常委会2025年工作要点\n\n2025年是“十四五”规划收官之年。")
    assert e.title == "天津市滨海新区人大常委会2025年工作要点" and [b.text for b in e.blocks] == ["2025年是“十四五”规划收官之年。"]
