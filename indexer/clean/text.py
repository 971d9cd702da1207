"""Plain text and Markdown → paragraphs of report text; and the line rules every format shares.

The shared rules: which lines are chrome or credits rather than report text, which line is the publication
line and its date, how one paragraph is tidied, and what is dropped from the paragraphs of any format
(noise lines, a repeated title, WeChat trailers). ``indexer.clean.html`` applies them to web pages.
Hard-wrapped text is unwrapped when the wrap width is evident.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from indexer.model import Block, Extracted
from indexer.normalize import display, fold, simplify_for_analysis

_DATE = re.compile(r"((?:19|20)\d\d)\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
MAX_TOKEN_CHARS = 64      # a longer run of URL or base64 characters (data: URIs, tracking links) is dropped
_LONG_TOKEN = re.compile(r"[A-Za-z0-9+/=_\-%.:;,?&#~!$'*@\[\]]{" + str(MAX_TOKEN_CHARS + 1) + ",}")
_CJK_NEWLINE = re.compile(r"(?<=[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f])[ \t]*\n\s*(?=[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f])")

# Pieces of lines that are never report text, each written so that a line can be read only one way (a pattern
# that could split a line several ways backtracked for minutes on a pager or a menu): a breadcrumb's or a menu's
# item has no space or dash at its edges, a pager's number is all its digits.
_CRUMB = r"[^>»＞→。，,\s\-](?:[^>»＞→。，,\-]{0,18}[^>»＞→。，,\s\-])?"
_ITEM = r"[^|｜。，,\s](?:[^|｜。，,]{0,6}[^|｜。，,\s])?"
_PAGER = r"[【\[]?(?:上一页|下一页|首页|尾页|全文|第\s?\d{1,3}\s?页|\d{1,3}(?!\d))[】\]]?"
# a page's number (— 3 —, ·3·, 第 3 页 共 12 页), and a page's or a slide's marker (【第2页】)
_PAGE_NUMBER_LINE = re.compile(r"^[—\-－·•]\s?\d{1,3}\s?[—\-－·•]$|^第\s?\d{1,3}\s?页(\s?[/，,]?\s?共\s?\d{1,3}\s?页)?$")
_PAGE_MARK = re.compile(r"^\s*[【\[]\s*第\s*\d{1,3}\s*页\s*[】\]]\s*$")

# Lines that are never report text.
_NOISE_LINES = [
    re.compile(r"^#{2}\s*paid(begin|end)\s*#{2}$", re.I),
    re.compile(r"^##\w{1,20}##$"),
    re.compile(r"^发布于.*该页已被阅读.*$"),     # was \s*\S*.*: three runs that overlap backtrack quadratically
    re.compile(r"^.{0,30}(发布时间|发布日期|发表时间|更新时间)\s*[:：].{0,80}$"),
    re.compile(r"^[【\[]?\s*(字号|字体)\s*[:：].{0,20}$"),
    re.compile(r"^.{0,40}(打印本页|关闭窗口|打印此页|收藏本页|返回顶部).{0,40}$"),
    re.compile(r"^.{0,20}(浏览次数|阅读次数|点击数|访问量|阅读量)\s*[:：]?.{0,20}$"),
    re.compile(r"^.{0,40}(ICP备|ICP证|公网安备|网站标识码|版权所有|Copyright|©).{0,160}$", re.I),
    re.compile(r"^.{0,40}(主办单位|技术支持|承办单位|主办|承办)\s*[:：].{0,100}$"),
    re.compile(r"^(点击|点)?[上下]?方?蓝字.{0,12}$|^.{0,6}关注我们.{0,6}$"),
    re.compile(r"^.{0,10}(长按|扫描|扫码|微信扫一扫).{0,8}(二维码|关注|小程序).{0,20}$|^.{0,6}识别.{0,4}二维码.{0,20}$"),
    re.compile(r"^(分享到|分享至)\s*[:：]?.{0,40}$"),
    re.compile(r"^(阅读原文|预览时标签不可点|在看|赞|分享|收藏|点赞|阅读\s*[\d,]+|微信号.{0,30}|功能介绍.{0,60})$"),
    re.compile(r"^(上一篇|下一篇|相关链接|相关新闻|相关阅读)\s*[:：].*$"),
    re.compile(r"^(当前位置|您当前的位置|您的位置|所在位置|当前页面)\s*[:：].*$"),
    # chrome that real pages put beside the article: toolbars, font-size pickers, hotlines, apps, counters
    re.compile(r"^([【\[]\s*(收藏|打印|关闭|分享|纠错|返回|顶部|推荐|复制链接|保存|放大|缩小|大|中|小)\s*[】\]]\s*){1,8}$"),
    re.compile(r"^[【\[]?\s*[大中小](\s*[|/丨]?\s*[大中小]){1,2}\s*[】\]]?$|^.{0,6}[大中小]字号.{0,12}$"),
    re.compile(r"^.{0,20}(新闻热线|报料热线|举报电话|数字报|移动端|客户端|手机版|下载APP|网站地图|正文复制|"
               r"扫一扫在手机|在手机上打开|用手机看).{0,40}$", re.I),
    re.compile(r"^.{0,30}(点击|浏览|访问|阅读)(次数|数|量)?\s*[:：]\s*\d[\d,]*\s*次?.{0,40}$"),
    re.compile(r"^(首页|主页|网站首页)\s*[>»/→＞]\s*.{0,80}$"),
    re.compile(r"^[【\[]?\s*(导语|编者按|免责声明|声明)\s*[】\]]?\s*[:：]?.{0,120}(仅供参考|以.{0,10}为准|不代表|转载|版权).{0,60}$"),
    re.compile(r"^(欢迎(您)?(进入|访问|来到)|热烈欢迎).{0,40}(网|网站|平台|门户)[!！。]?$"),
    re.compile(r"^(广告|推广|赞助)(\s?[:：|].{0,40})?$"),
    re.compile(r"^[\W_]{1,80}$"),                                                # rules: ====, ***, ----
    # breadcrumbs: 网 >> 专题 >> 文件, 首页>要闻>正文, 文库 - 报告 - 述法 (never markup: no < in them)
    re.compile(rf"^(?!.*<){_CRUMB}(?:(?:\s?(?:>>|»|＞＞|＞|>)\s?|\s-\s){_CRUMB}){{2,}}$"),
    re.compile(rf"^{_ITEM}(?:\s?[|｜]\s?{_ITEM}){{3,}}$"),                                  # a menu: 首页 | 要闻 | …
    re.compile(r"^[▲△↑]\s*.{0,80}$|^图为.{0,80}$|^.{0,80}[（(](记者|通讯员)?\s*[\u4e00-\u9fff]{2,4}\s*摄[)）]$"),  # captions
    re.compile(r"^[□■]?\s*(本报|本刊|本台|本网)?(特约|融媒体)?记者\s*[\u4e00-\u9fff、\s]{2,20}$"),          # bylines
    re.compile(r"^(时间|日期)\s?[:：]\s?(19|20)\d\d[^，,。；;]{0,80}$"),
    re.compile(r"^.{0,60}(下载全文|下载本文档|已阅读完毕|开通\s*vip|会员专享|如有侵权|侵权请联系|仅供学习交流|仅供参考|下载后可编辑|"
               r"关注公众号|本文标签|文章标签|TAG\s?[:：]).{0,80}$", re.I),
    re.compile(r"^[（(【\[]?\s*(全文完|完|END|本文完)\s*[)）】\]]?$", re.I),
    re.compile(r"^.{0,40}(自动导出|文本导出|滑动翻页|点击翻页).{0,40}$|^[^，,。]{0,20}共\s?\d{1,4}\s?页[^，,。]{0,20}$"),
    # page furniture: numbers, markers, pagers (上一页 1 2 3 下一页, 【第1页】【全文】)
    _PAGE_NUMBER_LINE, _PAGE_MARK,
    re.compile(rf"^(?=.*(页|全文))(?:{_PAGER}\s?){{2,}}$"),
    re.compile(r"^[（(【\[]?\s*(原标题|原题|编者按|编者的话|编者注)\s*[】\]]?\s*[:：].{0,200}$"),
    re.compile(r"^[^，,。；;]{0,40}(热线|电话)\s?[:：]?\s?\d{3,4}-?\d{7,8}[^，,。；;]{0,20}$"),
    re.compile(r"^附件\s*\d?\s*[:：]?.{0,80}\.(pdf|docx?|wps|xlsx?|zip|rar|ofd)$", re.I),
    re.compile(r"^(文档信息|文档详情|上传者|上传用户|上传时间|页数|文档页数|下载次数|所需积分|下载积分|文档分类|收藏次数)"
               r"(详情)?\s*[:：|]?.{0,30}$"),
    re.compile(r"^(?=.*(首页|概况|新闻|动态|公告|公开|专题|互动|服务|联系我们))([\u4e00-\u9fff]{2,6} ){4,}[\u4e00-\u9fff]{2,6}$"),
    # the cover of a session document: 嘉善县第十七届人民代表大会（第五次会议）, 第五次会议文件（2）, 大会文件之二,
    # 份号, 密级, 秘书处印
    re.compile(r"^(?![—\-在]).{0,24}第[一二三四五六七八九十\d]{1,4}届人民代表大会(第[一二三四五六七八九十\d]{1,4}次会议)?$|"
               r"^.{0,24}(第[一二三四五六七八九十\d]{1,4}次会议|大会)文件\s*[（(之]?\s*[\d一二三四五六七八九十]{0,3}\s*[)）]?$"),
    re.compile(r"^(份号|密级|编号|份数)(?=\s?[:：]|\s?[\d★])[^，,。、]{0,24}$|^.{0,40}(秘书处|办公室|办公厅)\s?印(发)?$"),
    re.compile(r"^[（(]\s*此件(主动|不予|依申请)?公开\s*[)）]$"),
    re.compile(r"^.{0,6}(展开全文|阅读全文|打开\s*app|app\s*内打开|点赞\s*\d+|评论\s*\d+).{0,24}$", re.I),
]
# Editor credits: 撰稿：… 编辑：… 审核：…, possibly in brackets, possibly several on one line.
_CREDIT_WORDS = (r"本文来源|文章来源|原文来源|撰稿|撰文|编辑|责任编辑|责编|初审|复审|终审|审核|审签|审校|校对|供稿|来源|作者|记者|通讯员|摄影|"
                 r"图片|图文|排版|美编|监制|出品|主编|执行编辑|值班编辑|编审|文字|文|图|视频")
_CREDIT = re.compile(rf"^[（(【\[]?\s*({_CREDIT_WORDS})\s*[:：|丨]|^[（(【\[][^（()）]{{0,40}}\s?(供稿|撰稿|编辑|供图|摄)[)）】\]]$"
                     r"|^[（(【\[]\s*(记者|通讯员|实习生|特约记者|融媒体记者)[^（()）【】\[\]]{1,40}[)）】\]]$"
                     # a credit without a colon: 编辑 alone, or 责任编辑 王五, 编辑 张三 李四
                     rf"|^({_CREDIT_WORDS})$|^({_CREDIT_WORDS})\s+[\u4e00-\u9fff·]{{2,5}}(\s*[、,，/\s]\s*[\u4e00-\u9fff·]{{2,5}}){{0,4}}$")
_TRAILERS = re.compile(r"^(往期推荐|往期回顾|推荐阅读|相关阅读|精彩推荐|更多精彩|延伸阅读|相关文章|相关推荐|相关新闻|猜你喜欢)\s*[:：]?$")


def is_noise_line(line: str) -> bool:
    """True for a line that is site chrome, a marker or a credit line rather than report text, in either
    script (責任編輯 as 责任编辑) and width."""
    s = simplify_for_analysis(line).strip()
    if not s:
        return True
    if any(p.match(s) for p in _NOISE_LINES):
        return True
    return bool(_CREDIT.match(s)) and len(s) <= 80 and "。" not in s[:-1]


def find_date(text: str) -> str | None:
    """The first plausible calendar date in ``text`` as YYYY-MM-DD."""
    for m in _DATE.finditer(text):
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            continue
    return None


_PUB_WORDS = re.compile(r"发布时间|发布于|发布日期|发表时间|日期\s*[:：]|时间\s*[:：]|来源\s*[:：]")
# (?:\s*日)?\s+ rather than \s*日?\s+, whose two runs of spaces backtrack quadratically on a long one
_DATE_TIME = re.compile(r"(?:19|20)\d\d\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2}(?:\s*日)?\s+\d{1,2}:\d\d")


def publication_date(lines: list[str]) -> str | None:
    """The date on a publication line among ``lines``: a date with 发布时间/发布于/日期/来源…, or a date with a
    clock time (2024年03月15日 09:12) on a line that is not a sentence, in either script and width."""
    for line in lines:
        line = simplify_for_analysis(line)
        if _PUB_WORDS.search(line) or (_DATE_TIME.search(line) and not re.search(r"[，。；]", line)):
            if (d := find_date(line)):
                return d
    return None


def tidy(text: str) -> str:
    """One paragraph of display text: source line breaks inside it removed (between Chinese characters)
    or made spaces, runs of spaces collapsed, junk tokens dropped."""
    text = _LONG_TOKEN.sub("", display(text))
    text = _CJK_NEWLINE.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


_FILE_SUFFIX = re.compile(r"\.(docx?|wps|pdf|txt|html?)$", re.I)        # 2021年工作报告.doc
_TITLE_BULLET = re.compile(r"^[•·●■◆▪►◇□★☆>\-\s]+")
_TITLE_DATELINE = re.compile(r"\s*[\[【(（]?\s*(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
                             r"(?:\s+\d{1,2}:\d\d(?::\d\d)?)?\s*[\]】)）]?\s*$")
_NOT_TITLES = [
    re.compile(r"^[\u4e00-\u9fff]{1,12}(网|网站|门户网站|新闻网|在线|客户端|融媒体中心)$"),      # a site's name
    re.compile(r"^.{0,12}(要闻|动态|新闻|频道|栏目|专题|资讯|快讯|图片|视频|信息公开)$"),      # a channel label
    re.compile(r"^.{0,16}(19|20)\d\d\s*卷$|^.{0,8}年鉴$"),                                   # a yearbook volume
    re.compile(r"^(本报|新华社|人民网|记者|文\s*[/／]|图\s*[/／]|通讯员)"),                         # a byline
    re.compile(r"^[\d年月日\s:：.\-/]+$"),                                                    # a dateline
    re.compile(r"^(microsoft\s*(office\s*)?word|wps(\s*文字)?|adobe|acrobat)\b", re.I),          # the editor's name
]


_RUN_ON_DATELINE = re.compile(r"\s*(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
                              r"(?=\s*(?:\d{1,2}:\d\d|来源|作者|编辑|发布|浏览|阅读|点击|分享|字号|$))")


def clean_title(title: str) -> str:
    """A title as a page shows it, without what pages put around it: a bullet before it, its dateline after it
    (• 报告标题 2024-01-12 09:30, 报告标题 2015年03月09日07:12 来源：…); "" when it is not a title at all (a site's
    name, a channel label, a yearbook volume, a byline, a dateline, a line of chrome)."""
    t = _FILE_SUFFIX.sub("", _TITLE_BULLET.sub("", tidy(title)))
    t = _TITLE_DATELINE.sub("", t).strip()
    if (m := _RUN_ON_DATELINE.search(t)) and m.start() >= 6:
        t = t[:m.start()].strip()
    if not t or is_noise_line(t) or any(p.search(simplify_for_analysis(t)) for p in _NOT_TITLES) or \
            (len(t) <= 4 and not _TITLE_WORDS.search(t)):        # 快速通道, 无障碍: a page's labels
        return ""
    return t


TITLE_WITHIN = 6        # blocks at the top of the text where the title may stand again


def drop_noise(blocks: list[Block], title: str) -> list[Block]:
    """Remove chrome lines, credits, a repeated title, a table of contents, and WeChat trailers (往期推荐 and
    what follows)."""
    out: list[Block] = []
    title_key = fold(title) if title else None
    for i, b in enumerate(blocks):
        if _TRAILERS.match(b.text) and i >= len(blocks) * 0.5:
            break
        if is_noise_line(b.text):
            continue
        if title_key and len(out) < TITLE_WITHIN and out and fold(out[-1].text + b.text) == title_key:
            out.pop()                                                          # the title again, wrapped in two
            continue
        if title_key and len(out) < TITLE_WITHIN and _is_title(b.text, title_key):    # the title again, damaged
            continue
        out.append(b)
    return _drop_contents(out)


def _is_title(text: str, title_key: str) -> bool:
    """Whether a line is the title again: as it is, damaged (a bullet, a dateline), or without the column
    name a page put before it (权威发布｜报告标题)."""
    key = fold(clean_title(text))
    return bool(key) and (key == title_key or (len(key) >= 8 and title_key.endswith(key)))


_CONTENTS = re.compile(r"^[【\[]?目\s*录[】\]]?[:：]?$")
_PAGE_NUMBER = re.compile(r"[.·…\s\-—]*\d{0,3}$")
CONTENTS_WITHIN = 40          # blocks from the top where a table of contents may start


def _drop_contents(blocks: list[Block]) -> list[Block]:
    """A table of contents near the top (目录, then the headings that follow in the text, with or without
    page numbers) is not report text, and its lines are not headings."""
    for i, b in enumerate(blocks[:CONTENTS_WITHIN]):
        if not _CONTENTS.match(b.text.strip()):
            continue
        later = [fold(x.text) for x in blocks[i + 1:]]
        j = i + 1
        while j < len(blocks) and len(blocks[j].text) <= 80:
            entry = fold(_PAGE_NUMBER.sub("", blocks[j].text))
            if not entry or not any(x.startswith(entry) for x in later[j - i:]):
                break
            j += 1
        return blocks[:i] + blocks[j:] if j > i + 1 else blocks
    return blocks


# ------------------------------------------------------------------------------------ text and Markdown

# The heading's closing #s are stripped in code: (.*?)\s*#*\s*$ backtracked cubically on a run of spaces
# (5,000 of them: 153 s).
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_MD_BOLD_LINE = re.compile(r"^\s*(\*\*|__)(.+?)\1\s*$")
_MD_LEAD_BOLD = re.compile(r"^\s*(\*\*|__)(.+?)\1(.+)$")
# Each inline pattern stops at the first character that could open or close another of its kind, so no two
# tries read the same text (link text and * emphasis read to the end of the line from every [ or * that was
# never closed: quadratic). Link text holds no bracket and a link's address no ], emphasis no *: the
# innermost brackets make the link and the nearest * closes, as in CommonMark.
_MD_INLINE = [(re.compile(r"\[\]\{[^{}]*\}|\{#[^{}]*\}|\[\^\d+\](?!:)"), ""),    # pandoc's anchors, footnote marks
              (re.compile(r"!\[[^\][]*\]\([^)\]]*\)"), ""), (re.compile(r"\[([^\][]*)\]\([^)\]]*\)"), r"\1"),
              (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"), (re.compile(r"(?<![\w*])\*(?!\s)([^*]+?)(?<!\s)\*"), r"\1"),
              (re.compile(r"`([^`]*)`"), r"\1"), (re.compile(r"^\s*>\s?"), ""), (re.compile(r"^\s*[-*+]\s+"), ""),
              (re.compile(r"^\s*(-{3,}|\*{3,}|_{3,})\s*$"), "")]
_INDENT = re.compile(r"^[ \u3000\u00a0\t]+")
_TABLE_ROW = re.compile(r"^\s*\|(.*)\|\s*$")


RUNNING_HEAD_REPEATS = 3     # a short line printed this often is a page's running head, not text


def _drop_running_heads(lines: list[str]) -> tuple[list[str], str]:
    """The text layer of a PDF repeats a running head (the report's title, 某某市人大常委会文件) on every page and
    numbers the pages: both go, with the blank lines around them, so that the paragraphs a page break cut in
    two join again. Returns the lines and the running head (the title when no line gives one)."""
    stripped = [line.strip() for line in lines]
    numbers = [i for i, x in enumerate(stripped) if _PAGE_NUMBER_LINE.match(x)]
    if len(numbers) < 2:          # no page numbers, no pages: repeated lines are the text's own
        return lines, ""
    near = Counter(x for i in numbers for x in stripped[max(0, i - 3):i + 4] if x and len(x) <= 40)
    counts = Counter(x for x in stripped if x and len(x) <= 40)
    heads = [x for x, n in counts.items() if n >= RUNNING_HEAD_REPEATS and near[x] >= 2 and
             x[-1] not in _SENTENCE_END and not _PAGE_NUMBER_LINE.match(x)]
    out: list[str] = []
    after = False          # just after a dropped line: blank lines go with it
    for line, x in zip(lines, stripped):
        if x in heads or _PAGE_NUMBER_LINE.match(x):
            while out and not out[-1].strip():
                out.pop()
            after = True
        elif x or not after:
            out.append(line)
            after = False
    return out, next((x for x in stripped if x in heads), "")


_LEADER = re.compile(r"[.．·…]{4}\s?\d{1,3}$")      # 一、加强监督工作……3: a line of a table of contents


def _drop_leaders(lines: list[str]) -> list[str]:
    """Lines of a table of contents (dot leaders, then a page number), and its 目录 line: before the hard-wrap
    repair, which would join them into one paragraph."""
    kept = [line for line in lines if not (len(line) <= 120 and _LEADER.search(line.strip()))]
    if len(kept) == len(lines):
        return lines
    return [line for line in kept if not _CONTENTS.match(line.strip())]


def _join_subtitle(lines: list[str]) -> list[str]:
    """A ——subtitle wrapped before its last words (——2023年1月14日在…第一 / 次会议上), joined."""
    out: list[str] = []
    for line in lines:
        x = line.strip()
        if out and out[-1].strip().startswith("—") and not out[-1].strip().endswith("上") and \
                len(x) <= 12 and x.endswith("上"):
            out[-1] = out[-1].rstrip() + x
            continue
        out.append(line)
    return out



def _table_row(line: str) -> str | None:
    """A row of a table converted to text (| 项目 | 件数 |) as its cells, the pipes gone; "" for the rule
    under a header (|---|:--:|); None for a line that is not a row."""
    m = _TABLE_ROW.match(line)
    if not m:
        return None
    cells = [c.strip() for c in m.group(1).split("|")]
    return "" if all(re.fullmatch(r"[\s:\-—]*", c) for c in cells) else " ".join(c for c in cells if c)


def _front_matter(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    if not lines or lines[0].strip() != "---":
        return {}, lines
    for i in range(1, min(len(lines), 60)):
        if lines[i].strip() in ("---", "..."):
            meta = {}
            for line in lines[1:i]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    meta[k.strip().lower()] = v.strip().strip("\"'")
            return meta, lines[i + 1:]
    return {}, lines


_SENTENCE_END = "。！？!?；;：:”」』"


def _wrap_width(lines: list[str]) -> int | None:
    """The column at which a text was hard-wrapped, if it was.

    Evidence is a line of one common length that stops mid-sentence and runs on into an unindented next
    line; paragraphs of equal length that each end a sentence are not evidence.
    """
    lengths = Counter()
    for line, nxt in zip(lines, lines[1:]):
        s = line.rstrip()
        if len(s) >= 20 and s[-1] not in _SENTENCE_END and nxt.strip() and not _INDENT.match(nxt):
            lengths[len(s)] += 1
    if not lengths:
        return None
    width, count = lengths.most_common(1)[0]
    nonblank = sum(1 for line in lines if line.strip())
    return width if count >= 5 and count >= 0.2 * nonblank else None


def _unwrap(lines: list[str]) -> list[str]:
    """Join hard-wrapped lines: a line filling the wrap width continues on an unindented next line."""
    width = _wrap_width(lines)
    if width is None:
        return lines
    out: list[list[str]] = []      # each paragraph's lines, joined at the end: += on out[-1] copied the
    joining = False                 # paragraph so far for every line (19 s for a 15 MB one-paragraph text)
    for line in lines:
        stripped = line.rstrip()
        if joining and stripped and not _INDENT.match(line):
            out[-1].append(stripped)
        else:
            out.append([stripped])
        # a line one short of the width was wrapped before a wide character; a full-width line that ends a
        # sentence may still run on (the wrap fell right after the 。)
        joining = bool(stripped) and (len(stripped) >= width if stripped[-1] in _SENTENCE_END
                                      else len(stripped) >= width - 1)
    return ["".join(parts) for parts in out]


_SLIDE_FIELD = re.compile(r"^\s*[【\[]\s*(标题|文案|正文|副标题|图片|配图|备注|动画|音频|视频)\s*[】\]]\s*[:：]?\s*(.*)$")
SLIDE_TEXT = {"标题": "title", "副标题": "text", "文案": "text", "正文": "text"}


def _slides(lines: list[str]) -> tuple[list[str], list[str]] | None:
    """A slide-show export (【第1页】【标题】…【文案】… on every slide) as its lines of text, and the slide titles
    in order (they become bold lines: headings); None for a text that is not one. Pictures, notes and
    animations are dropped."""
    if sum(1 for line in lines if _PAGE_MARK.match(line)) < 2:
        return None
    out, titles = [], []
    for line in lines:
        if _PAGE_MARK.match(line):
            continue
        m = _SLIDE_FIELD.match(line)
        if m is None:
            out.append(line)
        elif SLIDE_TEXT.get(m.group(1)) == "title" and m.group(2).strip():
            titles.append(m.group(2).strip())
            out.append(f"**{m.group(2).strip()}**")
        elif SLIDE_TEXT.get(m.group(1)) == "text":
            out.append(m.group(2))
    return out, titles


def extract_text(text: str, markdown: bool = False) -> Extracted:
    """Split a plain-text or Markdown report into paragraphs, finding its title and publication line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta, lines = _front_matter(lines) if markdown else ({}, lines)
    pub_date = find_date(meta.get("date", "")) if meta.get("date") else None
    pub_date = pub_date or publication_date([line for line in lines[:15] + lines[-10:] if len(line) < 120])
    lines, running_head = _drop_running_heads(lines)
    lines = _join_subtitle(_unwrap(_drop_leaders(lines)))
    slides = _slides(lines)
    if slides:      # its titles are marked as Markdown bold lines; the report's title is on its last slide
        lines, markdown = slides[0], True
        if slides[1] and _TITLE_WORDS.search(slides[1][-1]) and not meta.get("title"):
            meta["title"] = slides[1][-1]
            lines.remove(f"**{slides[1][-1]}**")
    blocks: list[Block] = []
    for raw in lines:
        level, bold, run_in = 0, False, ""
        line = raw if (row := _table_row(raw)) is None else row
        if markdown:
            if (m := _MD_HEADING.match(line)):
                level, line = len(m.group(1)), m.group(2).rstrip().rstrip("#").rstrip()   # closing #s
            elif (m := _MD_BOLD_LINE.match(line)):
                bold, line = True, m.group(2)
            elif (m := _MD_LEAD_BOLD.match(line)):
                run_in = tidy(m.group(2))
            for pattern, repl in _MD_INLINE:
                line = pattern.sub(repl, line)
        line = tidy(line)
        if line:
            blocks.append(Block(text=line, heading_level=level, bold=bold, run_in=run_in))
    title = meta.get("title", "")
    title_how = ("the last slide" if slides else "front matter") if title else ""
    blocks = drop_noise(blocks, title)
    if blocks and _ANNEX_LABEL.fullmatch(blocks[0].text):     # 附件 2: what a file attached to a notice opens with
        blocks = blocks[1:]
    if not title and blocks:
        first = blocks[0]
        candidate = clean_title(first.text)
        if candidate and (first.heading_level == 1 or _looks_like_title(candidate)):
            title, title_how = candidate, "the first line"
            blocks = blocks[1:]
    if not title and (head_title := clean_title(running_head)):
        title, title_how = head_title, "the running head of its pages"
    return Extracted(blocks=blocks, title=tidy(title), title_how=title_how, pub_date=pub_date,
                     source_name=meta.get("source", ""), format="markdown" if markdown else "text")


_TITLE_WORDS = re.compile(r"报告|综述|工作|讲话|总结|要点|人大|常委会|代表大会")
_ANNEX_LABEL = re.compile(r"附\s*件\s*[0-9一二三四五六七八九十]*\s*[:：]?")


def _looks_like_title(text: str) -> bool:
    """A first line that names the report rather than starting it."""
    if len(text) > 60 or text.startswith(("——", "—", "各位代表")) or re.search(r"[。！？；]$", text):
        return False
    return bool(_TITLE_WORDS.search(text)) or (len(text) <= 30 and "。" not in text)
