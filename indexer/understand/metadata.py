"""Report metadata from the cleaned text: the congress (body), region, province, level, year and doc type.

Evidence is read in order of reliability: the title, a ——subtitle, the session line ("在…第N届人民代表大会
第N次会议上"), the opening paragraphs, then counts over the whole text. Redacted names (XX旗, **市, 某县) give
no region but still a level from their suffix. All rules work on simplified text.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from indexer import divisions as dv
from indexer.numerals import number

CONGRESS = re.compile(r"人民代表大会常务委员会|人大常委会|人民代表大会|人大")
_SESSION_TAIL = re.compile(r"(第[一二三四五六七八九十百零〇\d]+届|[一二三四五六七八九十]+届|\d{4}年度?|届)$")
_REDACTED = re.compile(r"(?:[XxＸｘ×*＊]{1,6}|某)(自治区|自治州|自治县|特别行政区|省|市|州|地区|盟|县|区|旗)$")
_SUFFIX_LEVEL = {"省": "provincial", "自治区": "provincial", "特别行政区": "provincial", "市": "city",
                 "自治州": "city", "州": "city", "地区": "city", "盟": "city", "县": "county", "区": "county",
                 "旗": "county", "自治县": "county"}
# Party-committee words that say which level a report speaks from.
_CUE_LEVEL = {"省委": "provincial", "自治区党委": "provincial", "市委": "city", "州委": "city", "盟委": "city",
              "县委": "county", "区委": "county", "旗委": "county"}
_INNER_MONGOLIA = re.compile(r"嘎查|苏木|盟委|旗委|蒙古族")
_YEAR = r"((?:19|20)\d\d)"


@dataclass
class Place:
    region: str | None
    province: str | None
    level: str | None
    code: str | None = None
    written: str = ""          # the name as the report writes it (XX旗, 成都市武侯区)
    evidence: str = ""


def _score_in_context(d: dv.Division, text: str) -> int:
    """How strongly the text supports this division among same-named ones: mentions of its parents."""
    score = 0
    for anc in dv.ancestors(d):
        score += 3 * text.count(anc.name) + text.count(anc.short)
    if d.province == "内蒙古自治区" and _INNER_MONGOLIA.search(text):
        score += 2
    return score


def _pick(cands: list[dv.Division], context: str, before: str = "") -> dv.Division | None:
    """Choose among same-named divisions, preferring one whose parent is written just before it."""
    if not cands:
        return None
    if len(cands) == 1:
        return cands[0]
    near = [d for d in cands if any(a.name in before or a.short in before for a in dv.ancestors(d))]
    if len(near) == 1:
        return near[0]
    ranked = sorted(near or cands, key=lambda d: _score_in_context(d, context), reverse=True)
    if _score_in_context(ranked[0], context) > _score_in_context(ranked[1], context):
        return ranked[0]
    return None


def _place_before(window: str, context: str) -> Place | None:
    """Resolve the place named at the end of ``window`` (the text just before 人大常委会 or 人民代表大会)."""
    for _ in range(3):
        window = _SESSION_TAIL.sub("", window)
    if window.endswith("全国"):
        return Place("全国", None, "national", None, "全国", "national congress")
    if (m := _REDACTED.search(window)):
        return Place(None, None, _SUFFIX_LEVEL.get(m.group(1)), None, m.group(0), "redacted name")
    for size in range(min(len(window), 16), 1, -1):
        tail = window[-size:]
        cands = dv.by_name().get(tail) or dv.by_short_name().get(tail)
        if not cands:
            continue
        d = _pick(cands, context, window[:-size])
        if d is None:
            names = {c.province for c in cands}
            province = names.pop() if len(names) == 1 else None
            return Place(cands[0].name, province, cands[0].level, None, tail, "ambiguous name")
        return Place(d.name, d.province, "provincial" if d.level == "provincial" else d.level,
                     d.code, tail, "named congress")
    return None


def congress_mentions(text: str, context: str) -> list[Place]:
    """Every congress named in ``text`` (浙江省人民代表大会, XX旗人大常委会, 全国人大 …) in order."""
    out = []
    for m in CONGRESS.finditer(text):
        window = re.split(r"[\s，,。、；;：:“”\"'（）()《》【】\[\]丨|—]", text[max(0, m.start() - 24):m.start()])[-1]
        if (place := _place_before(window, context)):
            out.append(place)
    return out


def _fallback_place(text: str) -> Place | None:
    """No congress is named: take the division the text talks about most, at the level its cue words say."""
    cues = Counter()
    for word, level in _CUE_LEVEL.items():
        cues[level] += text.count(word)
    level = cues.most_common(1)[0][0] if cues and cues.most_common(1)[0][1] else None
    counts: Counter = Counter(m.group(0) for m in dv.full_name_pattern().finditer(text))
    # 法治湖州建设, 湖州人大, and the people a report speaks for: 7900万江苏人民, 全县56万人民
    for m in re.finditer(r"法治([\u4e00-\u9fff]{2,5}?)建设|([\u4e00-\u9fff]{2,4})人大(?!代表|常委会)|"
                         r"(?<![\d.])[\d.]{1,8}万([\u4e00-\u9fff]{2,4}?)(各族)?人民", text):
        name = m.group(1) or m.group(2) or m.group(3)
        if name in dv.by_short_name():
            counts[name] += 2
    best = None
    for name, n in counts.most_common():
        cands = dv.by_name().get(name) or dv.by_short_name().get(name) or []
        d = _pick(cands, text)
        if d is None:
            continue
        fits = level is None or d.level == level or (level == "city" and d.name.endswith("市"))
        if fits and (best is None or n > best[1]):
            best = (d, n)
    if best is None:
        return None
    d = best[0]
    return Place(d.name, d.province, d.level if d.level != "city" or level != "county" else "county", d.code,
                 d.name, "most mentioned")


def find_place(title: str, subtitles: list[str], opening: str, text: str) -> Place:
    """The congress's own jurisdiction."""
    everywhere = congress_mentions(text, text)
    local_named = any(p.level != "national" and (p.region or p.written) for p in everywhere)
    for source, label in ((title, "title"), (" ".join(subtitles), "subtitle"), (opening, "opening")):
        places = congress_mentions(source, text)
        if label == "opening" and local_named:
            # a local report names 全国人大 (its deputies, its law committee, a visit): not its own congress
            places = [p for p in places if p.level != "national"]
        if places:
            p = places[0]
            p.evidence = f"{label}: {p.evidence}"
            return p
    places = [p for p in everywhere if p.level != "national"] if local_named else everywhere
    named = Counter((p.region, p.province, p.level, p.code) for p in places if p.region or p.written)
    if named:
        (region, province, level, code), _ = named.most_common(1)[0]
        written = next(p.written for p in places if (p.region, p.code) == (region, code))
        return Place(region, province, level, code, written, "text: most named congress")
    if (p := _fallback_place(text)):
        return p
    m = re.search(r"(?:[XxＸｘ×*＊]{1,6}|某)(自治州|自治县|省|市|州|县|区|旗)", title + " " + opening)
    if m:
        return Place(None, None, _SUFFIX_LEVEL[m.group(1)], None, m.group(0), "redacted name")
    return Place(None, None, None, None, "", "none")


def congress_body(place: Place) -> str:
    """The congress as people cite it: 巴彦淖尔市人大常委会, 全国人大常委会, XX旗人大常委会."""
    name = place.region or place.written
    return f"{name}人大常委会" if name else ""


# ------------------------------------------------------------------------------------------------ year

_PLAN_HEAD = re.compile(_YEAR + r"年的?(主要)?(工作)?(任务|打算|安排|计划|要点|建议|思路|重点)")
_RETRO_HEAD = re.compile(_YEAR + r"年(的)?(工作回顾|工作总结|回顾|主要工作(?!任务|安排|打算|计划|要点|重点)|工作开展情况)")
_OPENING = re.compile(r"^" + _YEAR + r"年(度)?(以来|来|，|,|是|、|里|，是|中)")
# in a story about a report: 报告显示，2011年，… (its year), 提出了2012年的工作任务 (the year after it)
_REPORT_YEAR = re.compile(r"报告(?:显示|指出|回顾|提到|介绍)[，,]?\s*((?:19|20)\d\d)年[，,]")
_REPORT_PLAN = re.compile(r"(?:提出|部署|安排)了?((?:19|20)\d\d)年的?(?:主要)?工作(?:任务|安排)")
_REDACTED_YEAR = re.compile(r"(?:19|20)[XxＸｘ×*＊]{2}")
_FIVE_YEARS = re.compile(r"过去五年|五年来|本届以来|任期以来|届内|过去的五年")


_CN_MONTH = r"十[一二]?|[一二三四五六七八九]"
_DATE_IN_LINE = re.compile(_YEAR + r"\s*年\s*(\d{1,2}|" + _CN_MONTH + r")\s*月(?:\s*(\d{1,2}|[一二三]?十?[一二三四五六七八九]?)\s*日)?")


def _month(written: str) -> int:
    """12 or 十二 → 12."""
    if written.isdigit():
        return int(written)
    digits = "一二三四五六七八九"
    return 10 + (digits.index(written[1]) + 1 if len(written) > 1 else 0) if written.startswith("十") \
        else digits.index(written) + 1


_OF_DATE = "a report of the first half of a year covers the year before, one of the second half its own"


def _year_of_date(year: int, month: int) -> int:
    """The year a report delivered or published on this date covers: a report of the first half-year
    (the congress sessions sit in January to March) reviews the year before."""
    return year - 1 if month <= 6 else year


def find_year(title: str, subtitles: list[str], headings: list[str], opening: list[str],
              pub_date: str | None, text: str, kind: str = "report") -> tuple[int | None, list[int] | None, str]:
    """The last year the report covers, the years of a term report, and the evidence used.

    A date in the subtitle (——2024年1月15日在…会议上) is when the report was delivered, not a year it covers,
    so it ranks below what the report says of itself (a review heading, its opening, its plan heading).

    :param kind: what the document is (``find_doc_type``): a notice covers no earlier year, it is of the year
        it was published.
    """
    year, how = None, ""
    sub = " ".join(subtitles)
    delivered = _DATE_IN_LINE.search(sub)
    if (m := _REDACTED_YEAR.search(title)):
        return None, None, f"the year is left out in the title ({m.group()}): a template"
    retro = next((int(m.group(1)) for h in headings if (m := _RETRO_HEAD.search(h))), None)
    if (m := re.findall(_YEAR + r"\s*年", title)):
        year, how = max(map(int, m)), f"title ({max(map(int, m))}年)"
        if retro == year - 1:
            year, how = retro, f"review heading ({retro}年): the title names the year of delivery ({year + 1})"
    elif (m := re.findall(_YEAR + r"\s*年", _DATE_IN_LINE.sub("", sub))):
        year, how = max(map(int, m)), f"subtitle ({max(map(int, m))}年)"
    else:
        for h in headings:
            if (m := _RETRO_HEAD.search(h)):
                year, how = int(m.group(1)), f"review heading ({m.group()})"
                break
        else:
            for p in opening:
                if (m := _OPENING.match(p)):
                    year, how = int(m.group(1)), f"opening ({m.group()}…)"
                    break
            else:
                plans = [int(m.group(1)) for h in headings if (m := _PLAN_HEAD.search(h))]
                if plans:
                    year, how = max(plans) - 1, f"plan heading ({max(plans)}年): the year before it"
                elif delivered:
                    year = _year_of_date(int(delivered.group(1)), _month(delivered.group(2)))
                    how = f"delivery date ({delivered.group()}): " + _OF_DATE
                elif (m := _REPORT_YEAR.search(text)):
                    year, how = int(m.group(1)), f"a story about the report ({m.group()})"
                elif (m := _REPORT_PLAN.search(text)):
                    year, how = int(m.group(1)) - 1, f"a story about the report ({m.group()}): the year before"
                elif pub_date and kind == "notice":
                    year, how = int(pub_date[:4]), f"publication date ({pub_date}): a notice's year"
                elif pub_date:
                    year = _year_of_date(int(pub_date[:4]), int(pub_date[5:7]))
                    how = f"publication date ({pub_date}): " + _OF_DATE
                else:
                    years = Counter(int(y) for y in re.findall(_YEAR + r"年", text))
                    if years:
                        year, how = years.most_common(1)[0][0], f"most mentioned year ({years.most_common(1)[0][0]}年)"
    covered = None
    head = " ".join(opening[:6]) + " " + title + " " + " ".join(headings[:2])
    if year and _FIVE_YEARS.search(head):
        covered = [year - 4, year]
    return year, covered, how


# -------------------------------------------------------------------------------------------- doc type

_NEWS_TITLE = re.compile(r"提请|审议|表决|获.{0,4}通过|高票通过|出炉|解读|图解|读懂|亮点|关键词|侧记|热议|聚焦.{0,6}报告|"
                         r"向.{0,12}作.{0,8}报告|听取.{0,10}报告")
_NEWS_TEXT = re.compile(r"报告指出|报告显示|报告提出|报告介绍|报告还|报告同时|报告表示|据了解|记者|代表们|会议指出|会议强调")


KINDS = {"report": "a congress report", "summary": "the summary (摘要) of a congress report",
         "news": "a news story about a report", "plan": "a work plan (工作要点)", "session_news": "news of a session",
         "government": "a government work report", "court": "a court's work report",
         "procuratorate": "a procuratorate's work report", "notice": "a notice (公告, 通知)",
         "other": "a document of no kind recognised"}
# Reports of other organs that sessions of a people's congress also hear: by their own title, or by who speaks.
# Congress reports name these in passing (听取审议最高人民检察院工作报告), so the text counts only as the speaker.
_OTHER_ORGANS = [("government", re.compile(r"政府工作报告|人民政府.{0,6}报告"), re.compile(r"我代表.{0,16}人民政府")),
                 ("court", re.compile(r"法院工作报告"), re.compile(r"我代表.{0,16}人民法院")),
                 ("procuratorate", re.compile(r"检察院工作报告|检察工作报告"), re.compile(r"我代表.{0,16}人民检察院"))]
_PLAN_TITLE = re.compile(r"工作要点|工作计划|工作安排|要点$")
_NOTICE_TITLE = re.compile(r"(通知|公告|公示|名单|任免事项|决议|决定)$")
_SESSION_NEWS = re.compile(r"(会议|大会|全会).{0,8}(举行|召开|开幕|闭幕)|举行.{0,6}(全体会议|主席团会议|预备会议)|"
                           r"(胜利|隆重)(闭幕|开幕)")
_REVIEW_TITLE = re.compile(r"综述|工作回顾|履职回眸|回眸|年度盘点|工作总结|履职纪实|一年来")


@dataclass
class Kind:
    doc_type: str        # 工作报告, 法治建设工作报告, 述法报告, 工作综述, or other
    kind: str            # a key of KINDS
    why: str


def _report_type(head: str, text: str, title: str) -> tuple[str, str] | None:
    """The type of a congress report by its title and subtitle (then its opening), with the cue."""
    if "述法" in head:
        return "述法报告", "述法 in the title"
    if (m := re.search(r"法治[\u4e00-\u9fff]{0,4}建设.{0,8}报告|依法治.{0,6}报告|法治.{0,4}工作.{0,4}报告", head)):
        return "法治建设工作报告", f"a rule-of-law report ({m.group()}) in the title"
    if (m := _REVIEW_TITLE.search(head)):
        return "工作综述", f"a review ({m.group()}) in the title"
    if re.search(r"工作报告|常务委员会报告|常委会报告", head):
        return "工作报告", "工作报告 in the title"
    if (m := re.search(r"(人大常委会|常务委员会|常委会|人大)的?(主要)?工作$", title)):
        return "工作综述", f"the standing committee's work told, not reported ({m.group()} in the title)"
    opening = text[:600]
    if "各位代表" in opening:
        return "工作报告", "addressed to 各位代表"
    if re.search(r"人大常委会|常委会", opening) and not title:
        return "工作综述", "no title; the standing committee's work told in the opening"
    return None


def find_doc_type(title: str, subtitles: list[str], text: str) -> Kind:
    """What the document is: a congress report (工作报告, 法治建设工作报告, 述法报告, 工作综述), a summary (摘要) of
    one, or something else a congress site publishes, whose doc_type is ``other``: news about a report, a work
    plan, session news, a notice, the reports of the government, the court and the procuratorate."""
    head = title + " " + " ".join(subtitles)
    opening = text[:400]
    for kind, in_title, speaker in _OTHER_ORGANS:
        if (m := in_title.search(head) or speaker.search(opening)):
            return Kind("other", kind, f"a report of another organ: {m.group()}")
    if (m := _PLAN_TITLE.search(title)) and "报告" not in title:
        return Kind("other", "plan", f"a plan: {m.group()} in the title")
    if (m := _SESSION_NEWS.search(title)):
        return Kind("other", "session_news", f"news of a session: {m.group()} in the title")
    if (m := _NOTICE_TITLE.search(title)) and "报告" not in title:
        return Kind("other", "notice", f"a notice: {m.group()} in the title")
    news_hits = _NEWS_TEXT.findall(text)
    if (m := _NEWS_TITLE.search(title)) and "综述" not in head:
        return Kind("other", "news", f"news about a report: {m.group()} in the title")
    if len(news_hits) >= 4:
        return Kind("other", "news", f"news about a report: {len(news_hits)} reporting phrases ({news_hits[0]} …)")
    found = _report_type(head, text, title)
    if found is None:
        return Kind("other", "other", "no sign of a congress report in the title or the opening")
    doc_type, why = found
    if "摘要" in head:
        return Kind(doc_type if doc_type != "工作综述" else "工作报告", "summary", f"摘要 of a report; {why}")
    return Kind(doc_type, "report", why)


# --------------------------------------------------------------------------------------- delivery

_CN_NUMBER = r"[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九]"
_SESSION_WORDS = r"[^，,。；;：:“”《》]"
# the line under a report's title that says where and when it was delivered: ——2024年1月10日在XX市第十七届人民
# 代表大会第四次会议上, in brackets or not; a session of a people's congress (届 … 人民代表大会 or 人大), or of its
# standing committee; read in the simplified text, where NFKC has folded digits and brackets to ASCII and years
# in Chinese numerals are digits.
_DELIVERY_LINE = re.compile(
    r"^[—\-–－\s(\[【]*"
    r"(?:(?P<y>(?:19|20)\d\d)\s*年\s*(?P<m>\d{1,2}|" + _CN_NUMBER + r")\s*月\s*(?P<d>\d{1,2}|" + _CN_NUMBER
    + r")\s*[日号]\s*)?"
    r"在\s*(?P<session>" + _SESSION_WORDS + r"{0,24}?届\s*(?:全国)?(?:人民代表大会|人大)" + _SESSION_WORDS
    + r"{0,24}?会议)\s*上\s*[)\]】]?$")
DELIVERY_LINES = 8       # the report's first lines that may hold it (a news lede or a speaker's line may come first)
# a date alone on its line, without the dash or bracket that opens a subtitle: the page's dateline, whatever follows
_BARE_DATE = re.compile(r"^(?:19|20)\d\d\s*年[^在]{1,8}[日号]$")
# the address to the deputies (各位代表：, 委员长、各位副委员长……各位委员：): the speech, hence the body, begins
_SALUTATION = re.compile(r"^[^。，,]{0,40}各位(?:代表|委员)[^。，,]{0,10}:$")


@dataclass
class Delivery:
    session: str | None      # 江西省第十三届人民代表大会第四次会议, as written (simplified, no spaces)
    delivered: str | None    # the date it was delivered, ISO (2020-01-15); None when the line gives none
    why: str


def find_delivery(title: str, lines: list[str]) -> Delivery:
    """The congress session a report was delivered at, and the date, from the line that says so under its title
    (——2020年1月15日在江西省第十三届人民代表大会第四次会议上); the line may be in the title after a dash, or
    split over two lines.

    Only that line counts: a date elsewhere (the page's publication date, a dateline without the session, even
    one just above a session line without a dash; the session a news story or the body, from 各位代表： on, tells
    of) is not the report's delivery, so a report without the line has None for both, and a meeting of another
    body (a party committee) is no congress session.

    :param lines: the report's first lines, simplified (``simplify_for_analysis``).
    """
    parts = re.split(r"[—]{1,2}", title, maxsplit=1)
    candidates = ["——" + parts[1]] if len(parts) == 2 else []
    head = [s.strip() for s in lines[:DELIVERY_LINES]]
    head = head[:next((i for i, line in enumerate(head) if _SALUTATION.match(line)), len(head))]
    for i, line in enumerate(head):
        candidates.append(line)
        if i + 1 < len(head) and not _BARE_DATE.match(line):   # a dateline's date is not joined to a session line
            candidates.append(line + head[i + 1])
    for line in candidates:
        if not (m := _DELIVERY_LINE.match(line)):
            continue
        session = re.sub(r"\s+", "", m.group("session"))
        if not m.group("y"):
            return Delivery(session, None, f"session line without a date ({line[:60]})")
        try:
            day = date(int(m.group("y")), int(number(m.group("m"))), int(number(m.group("d"))))
        except ValueError:
            return Delivery(session, None, f"session line with an impossible date ({line[:60]})")
        return Delivery(session, day.isoformat(), f"session line ({line[:60]})")
    return Delivery(None, None, "no line under the title says where the report was delivered")
