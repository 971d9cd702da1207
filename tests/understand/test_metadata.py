"""Region, province, level, year and doc type on short realistic snippets."""
import pytest

from indexer.divisions import by_name, short_name
from indexer.understand.pipeline import parse_bytes

OPENING = "各位代表：\n现在，我代表常委会向大会报告工作，请予审议。\n"
BODY = "一、坚持党的全面领导\n常委会严格执行重大事项请示报告制度，全年向党委请示报告重要事项十五件，确保人大工作正确方向。\n"


def parse(text: str, name: str = "r.txt"):
    return parse_bytes(text.encode("utf-8"), name)


@pytest.mark.parametrize("title,region,province,level", [
    ("北京市朝阳区人民代表大会常务委员会工作报告", "朝阳区", "北京市", "county"),
    ("朝阳市人民代表大会常务委员会工作报告", "朝阳市", "辽宁省", "city"),
    ("南通市通州区人大常委会工作报告", "通州区", "江苏省", "county"),
    ("全国人民代表大会常务委员会工作报告", "全国", None, "national"),
    ("宁夏回族自治区人民代表大会常务委员会工作报告", "宁夏回族自治区", "宁夏回族自治区", "provincial"),
    ("重庆市人大常委会工作报告", "重庆市", "重庆市", "provincial"),
    ("黔东南苗族侗族自治州人民代表大会常务委员会工作报告", "黔东南苗族侗族自治州", "贵州省", "city"),
    ("义乌市人大常委会工作报告", "义乌市", "浙江省", "county"),
    ("XX旗人大常委会机关2023年度法治建设工作报告", None, None, "county"),
    ("**市人大常委会工作报告", None, None, "city"),
    ("某县人大常委会工作报告", None, None, "county"),
])
def test_region_from_the_title(title, region, province, level):
    d = parse(f"{title}\n{OPENING}{BODY}")
    assert (d.region, d.province, d.level) == (region, province, level)


@pytest.mark.parametrize("context,province", [("在北京市委的领导下，常委会推进首都建设。", "北京市"),
                                              ("在南通市委的领导下，常委会推动江苏沿江发展。", "江苏省")])
def test_same_named_district_is_resolved_by_context(context, province):
    d = parse(f"通州区人大常委会工作报告\n{OPENING}{context}\n{BODY}")
    assert (d.region, d.province) == ("通州区", province)


def test_inner_mongolia_cue_words_pick_the_banner_region_district():
    assert len(by_name()["新城区"]) > 1
    d = parse("新城区人大常委会工作报告\n" + OPENING + "组织代表深入嘎查村和苏木开展调研，听取牧民意见。\n" + BODY)
    assert d.province == "内蒙古自治区"


def test_region_named_only_in_a_subtitle_or_the_opening():
    d = parse("聚焦发展大局 依法履职尽责\n——2015年绵阳市人大常委会工作综述\n2015年,市人大常委会认真履职。\n" + BODY)
    assert (d.region, d.year, d.doc_type) == ("绵阳市", 2015, "工作综述")
    d = parse("2024年,扎鲁特旗人大常委会坚持党对人大工作的全面领导,认真履行职权。\n" + BODY)
    assert (d.region, d.province, d.level, d.doc_type) == ("扎鲁特旗", "内蒙古自治区", "county", "工作综述")
    assert d.title == "扎鲁特旗人大常委会2024年工作综述"


def test_short_names():
    assert short_name("黔东南苗族侗族自治州") == "黔东南"
    assert short_name("内蒙古自治区") == "内蒙古"
    assert short_name("城区") == "城区"


@pytest.mark.parametrize("title,extra,pub,year,covered", [
    ("长丰县人民代表大会常务委员会工作报告", "2017年是本届常委会依法履职的第一个完整年度。\n", None, 2017, None),
    ("全国人民代表大会常务委员会工作报告", "过去的一年，常委会认真履职。\n六、2011年的主要任务\n做好明年工作。\n", None, 2010, None),
    ("某市人大常委会2022年工作报告", "2023年是开局之年。\n", None, 2022, None),
    ("浙江省人民代表大会常务委员会工作报告", "过去五年，常委会依法履职。\n", "2023-01-19", 2022, [2018, 2022]),
])
def test_year_is_the_last_year_covered(title, extra, pub, year, covered):
    text = f"{title}\n" + (f"发布时间：{pub}\n" if pub else "") + OPENING + extra + BODY
    d = parse(text)
    assert (d.year, d.years_covered) == (year, covered)


@pytest.mark.parametrize("title,kind", [
    ("赣州市人大常委会工作报告提请市人代会审议", "other"),
    ("滨州市人大常委会2024年工作要点", "other"),
    ("XX县人大常委会党组书记、主任2019年度述法报告", "述法报告"),
    ("鄂托克前旗人大常委会机关2020年度法治建设工作报告", "法治建设工作报告"),
    ("凝心聚力担使命丨2024年义乌市人大常委会工作综述", "工作综述"),
    ("湖州市人民代表大会常务委员会工作报告", "工作报告"),
])
def test_doc_type(title, kind):
    assert parse(f"{title}\n{OPENING}{BODY}").doc_type == kind


def test_news_story_by_its_wording_is_other():
    news = ("报告指出，常委会全年召开会议七次。\n报告显示，代表建议全部办结。\n据了解，报告将提请表决。\n"
            "代表们表示，报告实事求是。\n")
    assert parse("市人大常委会工作报告\n" + news).doc_type == "other"


def test_traditional_copy_is_flagged_and_its_metadata_read_in_simplified():
    d = parse("長豐縣人民代表大會常務委員會工作報告\n各位代表：\n2017年，縣人大常委會堅持黨的領導。\n一、堅持黨的全面領導\n常委會嚴格執行請示報告制度，確保人大工作正確方向。\n")
    assert d.traditional and (d.region, d.province, d.year) == ("长丰县", "安徽省", 2017)


@pytest.mark.parametrize("subtitle, opening, year", [
    ("——2024年1月15日在北京市朝阳区第十七届人民代表大会第三次会议上", "", 2023),       # delivered: reviews 2023
    ("——二〇二四年一月二十二日在广西壮族自治区第十四届人民代表大会第二次会议上", "", 2023),
    ("——2024年3月8日在第十四届全国人民代表大会第二次会议上", "", 2023),
    ("——2015年绵阳市人大常委会工作综述", "", 2015),                              # a year, not a date
    ("——2024年1月15日在某市第十七届人民代表大会第三次会议上", "2024年是全面贯彻的关键之年。\n", 2024),  # the report's own word wins
])
def test_a_delivery_date_in_the_subtitle_is_not_the_year_covered(subtitle, opening, year):
    d = parse(f"朝阳区人民代表大会常务委员会工作报告\n{subtitle}\n{OPENING}{opening}{BODY}")
    assert d.year == year


@pytest.mark.parametrize("title, year", [("桐庐县人大常委会二〇二三年度法治建设工作报告", 2023),
                                         ("桐庐县人大常委会二零二二年工作报告", 2022),
                                         ("桐庐县人大常委会２０２１年工作报告", 2021)])
def test_years_in_chinese_numerals_and_full_width_digits(title, year):
    assert parse(f"{title}\n{OPENING}{BODY}").year == year


@pytest.mark.parametrize("title, opening, doc_type, kind", [
    ("2025年儋州市政府工作报告", "各位代表：\n现在，我代表市人民政府向大会报告工作。\n", "other", "government"),
    ("广东省高级人民法院工作报告", OPENING, "other", "court"),
    ("关于人民检察院工作的报告", "各位代表：\n现在，我代表省人民检察院向大会报告工作。\n", "other", "procuratorate"),
    ("滨海新区人大常委会2025年工作要点", "", "other", "plan"),
    ("漳州市第十四届人民代表大会第四次会议举行第二次全体会议", "", "other", "session_news"),
    ("全国人民代表大会常务委员会工作报告（摘要）", OPENING, "工作报告", "summary"),
    ("宿迁市人大常委会2020年度履职回眸", "", "工作综述", "report"),
    ("市人大常委会工作", "2022年，市人大常委会依法履职。\n", "工作综述", "report"),          # a yearbook entry
    # a congress report names the others' reports in passing: still the congress's
    ("全国人民代表大会常务委员会工作报告", "各位代表：\n常委会听取审议最高人民检察院工作报告。\n", "工作报告", "report"),
])
def test_what_a_document_is_and_why(title, opening, doc_type, kind):
    d = parse(f"{title}\n{opening}{BODY}")
    assert (d.doc_type, d.kind) == (doc_type, kind) and d.why["doc_type"]


def test_parse_says_why_for_each_decision():
    d = parse(f"常委会工作报告\n（2024年1月9日在沂水县第十八届人民代表大会第三次会议上）\n{OPENING}{BODY}")
    assert (d.region, d.year) == ("沂水县", 2023)            # the session line, without a dash, names the congress
    assert d.why == {"title": "the first line", "region": "subtitle: named congress: 沂水县",
                     "year": "delivery date (2024年1月9日): a report of the first half of a year covers the year "
                             "before, one of the second half its own", "doc_type": "工作报告 in the title",
                     "session": "session line ((2024年1月9日在沂水县第十八届人民代表大会第三次会议上))"}


def test_a_local_report_that_names_the_national_congress_stays_local():
    opening = ("各位代表：\n过去一年，在全国人大常委会法工委的指导下，区人大常委会建好基层立法联系点，"
               "接待全国人大代表视察三次。\n通州区人大常委会依法履职。\n")
    d = parse(f"常委会工作报告\n{opening}{BODY}")
    assert (d.region, d.level) == ("通州区", "county")


@pytest.mark.parametrize("title, headings, year", [
    ("2025年儋州市政府工作报告", "一、2024年工作回顾\n" + BODY, 2024),     # the title names the year of delivery
    ("XX县人大常委会主任述法报告（20XX年度）", BODY, None),              # a template's year is left out
])
def test_year_against_the_title(title, headings, year):
    assert parse(f"{title}\n发布时间：2023-11-20\n{OPENING}{headings}").year == year


def test_with_no_congress_named_the_people_a_report_speaks_for_name_its_place():
    d = parse("常委会工作报告\n各位代表：\n一年来，常委会团结带领8500万江苏人民，依法履职。\n"
              "一、坚持党的全面领导\n常委会严格执行请示报告制度，全年请示报告重要事项十五件，确保人大工作正确方向。\n")
    assert (d.region, d.level) == ("江苏省", "provincial")


def test_a_notice_is_of_the_year_it_was_published_and_has_no_headings():
    d = parse_bytes("关于公开征求《拉萨市城镇供暖管理条例（草案）》意见的公告\n发布时间：2018-01-20\n为提高立法质量，现将草案全文公布。\n"
                    "拉萨市城镇供暖管理条例（草案）\n第一条　为了规范城镇供暖，制定本条例。\n".encode(), "n.txt")
    assert (d.kind, d.doc_type, d.year, [s.heading for s in d.sections if s.heading]) == ("notice", "other", 2018, [])


def test_a_story_about_a_report_is_of_the_year_the_report_covers_and_has_no_headings():
    story = ("數說履職：一份報告讀懂省人大常委會這一年\n1月14日上午，省人大會議聽取和審議省人大常委會工作報告。報告提出了2012年的工作任務。\n"
             "立法數量與質量“雙提升”\n報告指出，常委會制定地方性法規14件。\n（一）首次組織代表開展滿意度測評；\n（二）首次開展專題詢問。\n")
    d = parse(story)
    assert (d.kind, d.year, [s.heading for s in d.sections if s.heading]) == ("news", 2011, [])
