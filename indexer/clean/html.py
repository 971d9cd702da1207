"""HTML, text and Markdown → paragraphs of report text, with the title and publication line found.

Guarantees: no markup, script, style or comment text reaches the output; control and zero-width characters
are gone; site chrome (navigation, share widgets, 字号/打印本页/关闭窗口, view counters, ICP/版权 footers,
credit lines, WeChat extras) is removed; paragraph boundaries are kept; hard wraps are undone.
Risk left open: a content block that the page template does not mark and that holds less text than some
sidebar is chosen wrongly by the densest-text fallback.
"""
from __future__ import annotations

import datetime as dt
import re
import warnings
from collections import Counter

from bs4 import (
    BeautifulSoup,
    CData,
    Comment,
    Declaration,
    Doctype,
    MarkupResemblesLocatorWarning,
    NavigableString,
    ProcessingInstruction,
    Tag,
    XMLParsedAsHTMLWarning,
)

from indexer.settings import SETTINGS, Settings
from indexer.model import Block, Extracted
from indexer.normalize import display, fold, simplify_for_analysis

BLOCK_TAGS = frozenset("""address article aside blockquote center dd details dialog dir div dl dt fieldset figcaption
figure footer form h1 h2 h3 h4 h5 h6 header hr li main menu nav ol p pre section table tbody td tfoot th thead tr ul
summary caption""".split())
DROP_TAGS = ["script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas", "form",
             "input", "button", "select", "textarea", "head", "title", "meta", "link", "map", "audio", "video"]
# Containers that real CMS templates use for the article body, most specific first.
CONTENT_SELECTORS = ["#js_content", ".rich_media_content", "#zoom", ".TRS_Editor", "#UCAP-CONTENT", ".detail-content",
                     ".article-content", ".article_content", ".news_content", ".newsContent", ".content_text",
                     "#content", "#article", ".pages_content", ".main-text", "article", ".article", ".content"]
_SPECIFIC_SELECTORS = 14   # the first ones above name an article body unambiguously
TITLE_SELECTORS = ["#activity-name", ".rich_media_title", "h1.title", "h2.title", ".detail-title", ".article-title",
                   ".news_title", ".title", "h1", "h2"]
# County portals name the heading cell tit, xl_tit, biaoti …: tried after the names above.
GENERIC_TITLE_SELECTORS = ["[class*=tit]", "[class*=biaoti]", "[id*=title]"]
CHROME = re.compile(r"(^|[\s_-])(nav|navbar|menu|header|footer|foot|sidebar|side|breadcrumb|location|position|crumb|"
                    r"share|bdshare|toolbar|tools|prevnext|pre-next|related|comment|qr_?code|copyright|print|"
                    r"topbar|logo|search|advert|ad|banner|links|friend|weapp|sponsor|rich_media_tool|meta_list|"
                    r"detail-info|info|xxgk-table|fontsize|zoom-ctrl)($|[\s_-])", re.I)
_EMPH_STYLE = re.compile(r"font-weight\s*:\s*(bold|[6-9]00)|font-family\s*:[^;]*(黑体|楷体|小标宋|方正|微软雅黑)", re.I)
_EMPH_FACE = re.compile(r"黑体|楷体|小标宋|方正")
_DATE = re.compile(r"((?:19|20)\d\d)\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
MAX_TOKEN_CHARS = 64      # a longer run of URL or base64 characters (data: URIs, tracking links) is dropped
_LONG_TOKEN = re.compile(r"[A-Za-z0-9+/=_\-%.:;,?&#~!$'*@\[\]]{" + str(MAX_TOKEN_CHARS + 1) + ",}")
_CJK_NEWLINE = re.compile(r"(?<=[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f])[ \t]*\n\s*(?=[\u2e80-\u9fff\uff00-\uffef\u3000-\u303f])")

# Lines that are never report text.
_NOISE_LINES = [
    re.compile(r"^#{2}\s*paid(begin|end)\s*#{2}$", re.I),
    re.compile(r"^##\w{1,20}##$"),
    re.compile(r"^发布于\s*\S*.*该页已被阅读.*$"),
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
    re.compile(r"^(当前位置|您当前的位置|您的位置|所在位置)\s*[:：].*$"),
]
# Editor credits: 撰稿：… 编辑：… 审核：…, possibly in brackets, possibly several on one line.
_CREDIT_WORDS = (r"撰稿|撰文|编辑|责任编辑|责编|初审|复审|终审|审核|审签|审校|校对|供稿|来源|作者|记者|通讯员|摄影|"
                 r"图片|图文|排版|美编|监制|出品|主编|执行编辑|值班编辑|编审|文字|文|图|视频")
_CREDIT = re.compile(rf"^[（(【\[]?\s*({_CREDIT_WORDS})\s*[:：|丨]|^[（(【\[][^（()）]{{0,40}}\s?(供稿|撰稿|编辑|供图|摄)[)）】\]]$"
                     r"|^[（(【\[]\s*(记者|通讯员|实习生|特约记者|融媒体记者)[^（()）【】\[\]]{1,40}[)）】\]]$")
_TRAILERS = re.compile(r"^(往期推荐|往期回顾|推荐阅读|相关阅读|精彩推荐|更多精彩|延伸阅读)\s*[:：]?$")


class CleanError(ValueError):
    """The input cannot be turned into report text (too large, too many nodes, no text)."""


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
_DATE_TIME = re.compile(r"(?:19|20)\d\d\s*[-年/.]\s*\d{1,2}\s*[-月/.]\s*\d{1,2}\s*日?\s+\d{1,2}:\d\d")


def publication_date(lines: list[str]) -> str | None:
    """The date on a publication line among ``lines``: a date with 发布时间/发布于/日期/来源…, or a date with a
    clock time (2024年03月15日 09:12) on a line that is not a sentence, in either script and width."""
    for line in lines:
        line = simplify_for_analysis(line)
        if _PUB_WORDS.search(line) or (_DATE_TIME.search(line) and not re.search(r"[，。；]", line)):
            if (d := find_date(line)):
                return d
    return None


def _tidy(text: str) -> str:
    """One paragraph of display text: source line breaks inside it removed (between Chinese characters)
    or made spaces, runs of spaces collapsed, junk tokens dropped."""
    text = _LONG_TOKEN.sub("", display(text))
    text = _CJK_NEWLINE.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


def close_unterminated_comment(html: str) -> str:
    """Cut the page at an ``<!--`` that never ends, as browsers do (html.parser would end it at the next '>')."""
    pos = html.find("<!--")
    while pos >= 0:
        end = html.find("-->", pos + 4)
        if end < 0:
            return html[:pos]
        pos = html.find("<!--", end + 3)
    return html


# ---------------------------------------------------------------------------------------------- HTML

def _emphasised(tag: Tag) -> bool:
    if tag.name in ("strong", "b") or re.fullmatch(r"h[1-6]", tag.name or ""):
        return True
    style = tag.get("style") or ""
    face = tag.get("face") or ""
    return bool(_EMPH_STYLE.search(style if isinstance(style, str) else "") or
                _EMPH_FACE.search(face if isinstance(face, str) else ""))


def _text_len(el: Tag) -> int:
    return len(re.sub(r"\s+", "", el.get_text()))


def _is_chrome(el: Tag) -> bool:
    if el.attrs is None:
        return False
    names = " ".join(el.get("class") or []) + " " + (el.get("id") or "")
    return bool(CHROME.search(names)) or el.name in ("nav", "header", "footer", "aside")


def _densest(soup: Tag) -> Tag:
    """The element that directly holds most paragraph text, less link text (readability's idea, simplified)."""
    scores: Counter = Counter()
    by_id: dict[int, Tag] = {}
    for p in soup.find_all(["p", "br", "td", "section"]):
        # a cell's text belongs to its table as a paragraph belongs to its container: crediting the row
        # would let one long cell outweigh the paragraphs around its table
        parent = (p.find_parent("table") or p.parent) if p.name == "td" else p.parent
        if parent is None:
            continue
        text = p.get_text() if p.name != "br" else (p.next_sibling if isinstance(p.next_sibling, str) else "")
        n = len(re.sub(r"\s+", "", text or ""))
        links = sum(len(a.get_text(strip=True)) for a in p.find_all("a")) if p.name != "br" else 0
        score = n - 2 * links + (20 if "，" in (text or "") else 0)
        if score <= 0:
            continue
        for depth, anc in enumerate((parent, parent.parent)):
            if isinstance(anc, Tag):
                scores[id(anc)] += score / (1 + depth)
                by_id[id(anc)] = anc
    if not scores:
        return soup.body or soup
    return by_id[scores.most_common(1)[0][0]]


def _content_root(soup: BeautifulSoup, hint: str | None = None) -> Tag:
    if hint:    # a site's own selector (sources.toml content_selector) beats the generic ones
        for el in soup.select(hint):
            if _text_len(el) >= 10:
                return el
    for n, sel in enumerate(CONTENT_SELECTORS):
        minimum = 10 if n < _SPECIFIC_SELECTORS else 100   # generic names (.content) need real text
        for el in soup.select(sel):
            if _text_len(el) >= minimum and not _is_chrome(el):
                return el
    return _densest(soup)


def _declared_titles(soup: BeautifulSoup) -> list[str]:
    """The titles a page declares for itself: meta ArticleTitle/og:title, then the longer of the first two
    parts of <title> (报告标题_某某人大网: the site's name is the other part). Read before <head> is dropped."""
    out = []
    meta = soup.find("meta", attrs={"name": re.compile(r"^(ArticleTitle|og:title|title)$", re.I)}) or \
        soup.find("meta", attrs={"property": "og:title"})
    if meta and isinstance(meta.get("content"), str) and _tidy(meta["content"]):
        out.append(_tidy(meta["content"]))
    if soup.title and soup.title.string:
        parts = [p for p in re.split(r"\s*[_|｜\-–—]{1,2}\s*", _tidy(soup.title.string)) if p]
        out += [max(parts[:2], key=len)] if parts else []
    return out


def _html_title(soup: BeautifulSoup, root: Tag, declared: list[str]) -> str:
    """The article's heading outside the body: a candidate that equals a declared title wins, else the first
    by selector; with no candidate, the declared title itself."""
    candidates = []
    for sel in TITLE_SELECTORS + GENERIC_TITLE_SELECTORS:
        for el in soup.select(sel):
            if root in el.parents or el is root:
                continue
            t = _tidy(el.get_text(" "))
            if 2 <= len(t) <= 120 and t not in candidates:
                candidates.append(t)
    keys = {fold(d) for d in declared}
    return next((t for t in candidates if fold(t) in keys), None) or \
        (candidates[0] if candidates else declared[0] if declared else "")


_UNSEEN = frozenset(["script", "style", "noscript", "template", "title", "textarea", "select", "option"])
PAGE_LINES_STRINGS = 3000     # text nodes read to find a publication line; it sits near the top of a page


def _page_lines(soup: BeautifulSoup) -> list[str]:
    """The page's visible text as lines, one per block element, in document order (the first
    ``PAGE_LINES_STRINGS`` text nodes only). Linear in the page: each text node walks up to its block."""
    lines: dict[int, list[str]] = {}
    for node in soup.find_all(string=True, limit=PAGE_LINES_STRINGS):
        if type(node) is not NavigableString or not node.strip():
            continue
        block = node.parent
        while block is not None and block.name not in BLOCK_TAGS and block.name not in _UNSEEN:
            block = block.parent
        if block is not None and block.name in _UNSEEN:
            continue
        lines.setdefault(id(block), []).append(node.strip())
    return [" ".join(parts) for parts in lines.values()]


def _html_pub_date(soup: BeautifulSoup, raw_html: str) -> str | None:
    el = soup.select_one("#publish_time")
    if el and (d := find_date(el.get_text())):
        return d
    for name in ("PubDate", "publishdate", "pubdate", "article:published_time", "date"):
        m = soup.find("meta", attrs={"name": name}) or soup.find("meta", attrs={"property": name})
        if m and m.get("content") and (d := find_date(m["content"])):
            return d
    info = [el.get_text(" ") for el in soup.select(".info, .detail-info, .article-info, .source, .time, .date")]
    if (d := publication_date(info)):
        return d
    if (d := publication_date([line for line in _page_lines(soup) if len(line) <= 160])):
        return d
    m = re.search(r"var\s+ct\s*=\s*\"(\d{9,10})\"", raw_html)
    if m:
        return dt.datetime.fromtimestamp(int(m.group(1)), dt.timezone(dt.timedelta(hours=8))).date().isoformat()
    return None


def _blocks_from_html(root: Tag) -> list[Block]:
    """Walk the content iteratively (pages nest 100,000 deep) and cut it into paragraphs."""
    emph: dict[int, bool] = {id(root): _emphasised(root)}
    block_of: dict[int, int] = {id(root): id(root)}
    hlevel: dict[int, int] = {id(root): 0}
    paragraphs: list[list[tuple[str, bool]]] = [[]]
    levels: list[int] = [0]
    current_block = id(root)
    for node in root.descendants:
        if isinstance(node, Tag):
            pid = id(node.parent)
            emph[id(node)] = emph.get(pid, False) or _emphasised(node)
            is_block = node.name in BLOCK_TAGS
            block_of[id(node)] = id(node) if is_block else block_of.get(pid, id(root))
            m = re.fullmatch(r"h([1-6])", node.name or "")
            hlevel[id(node)] = int(m.group(1)) if m else hlevel.get(pid, 0)
            if node.name == "br":
                paragraphs.append([])
                levels.append(hlevel.get(pid, 0))
            continue
        if isinstance(node, (Comment, CData, Declaration, Doctype, ProcessingInstruction)) or not isinstance(node, str):
            continue
        parent = node.parent
        pid = id(parent)
        blk = block_of.get(pid, id(root))
        if blk != current_block:
            paragraphs.append([])
            levels.append(hlevel.get(pid, 0))
            current_block = blk
        paragraphs[-1].append((str(node), emph.get(pid, False)))
        if hlevel.get(pid, 0):
            levels[-1] = hlevel[pid]

    blocks: list[Block] = []
    for runs, level in zip(paragraphs, levels):
        text = _tidy("".join(t for t, _ in runs))
        if not text:
            continue
        visible = [(re.sub(r"\s+", "", t), e) for t, e in runs if t.strip()]
        bold = all(e for _, e in visible)
        run_in = ""
        if not bold and visible and visible[0][1]:
            lead = ""
            for t, e in visible:
                if not e:
                    break
                lead += t
            run_in = _tidy(lead)
        blocks.append(Block(text=text, heading_level=level, bold=bold, run_in=run_in))
    return blocks


def extract_html(html: str, settings: Settings = SETTINGS, selector: str | None = None) -> Extracted:
    """Find the article in an HTML page and return its title, publication date and paragraphs.

    :param selector: a CSS selector of the article body, tried before the built-in ones.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(close_unterminated_comment(html), "html.parser")
    n_nodes = sum(1 for _ in soup.find_all(True, limit=settings.max_html_nodes + 1))
    if n_nodes > settings.max_html_nodes:
        raise CleanError(f"page has more than {settings.max_html_nodes} elements")
    pub_date = _html_pub_date(soup, html[:200_000])
    declared = _declared_titles(soup)
    source_meta = soup.find("meta", attrs={"name": "ContentSource"})
    source_name = _tidy(source_meta["content"]) if source_meta and source_meta.get("content") else ""
    for el in soup.find_all(string=lambda s: isinstance(s, (Comment, CData, Declaration, ProcessingInstruction))):
        el.extract()
    for name in DROP_TAGS:
        for el in soup.find_all(name):
            if name != "head" or el.parent is not None:
                el.decompose()
    root = _content_root(soup, selector)
    title = _html_title(soup, root, declared)
    for el in [el for el in root.find_all(True) if _is_chrome(el)]:
        if el.parent is not None and _text_len(el) < max(200, _text_len(root) // 3):
            el.decompose()
    blocks = _blocks_from_html(root)
    return Extracted(blocks=_drop_noise(blocks, title), title=title, pub_date=pub_date,
                     source_name=source_name, format="html")


# ------------------------------------------------------------------------------------ text and Markdown

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_BOLD_LINE = re.compile(r"^\s*(\*\*|__)(.+?)\1\s*$")
_MD_LEAD_BOLD = re.compile(r"^\s*(\*\*|__)(.+?)\1(.+)$")
_MD_INLINE = [(re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""), (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),
              (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"), (re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*"), r"\1"),
              (re.compile(r"`([^`]*)`"), r"\1"), (re.compile(r"^\s*>\s?"), ""), (re.compile(r"^\s*[-*+]\s+"), ""),
              (re.compile(r"^\s*(-{3,}|\*{3,}|_{3,})\s*$"), "")]
_INDENT = re.compile(r"^[ \u3000\u00a0\t]+")


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
    out: list[str] = []
    joining = False
    for line in lines:
        stripped = line.rstrip()
        if joining and stripped and not _INDENT.match(line):
            out[-1] += stripped
        else:
            out.append(stripped)
        # a line one short of the width was wrapped before a wide character; a full-width line that ends a
        # sentence may still run on (the wrap fell right after the 。)
        joining = bool(stripped) and (len(stripped) >= width if stripped[-1] in _SENTENCE_END
                                      else len(stripped) >= width - 1)
    return out


def extract_text(text: str, markdown: bool = False) -> Extracted:
    """Split a plain-text or Markdown report into paragraphs, finding its title and publication line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta, lines = _front_matter(lines) if markdown else ({}, lines)
    pub_date = find_date(meta.get("date", "")) if meta.get("date") else None
    pub_date = pub_date or publication_date([line for line in lines[:15] + lines[-10:] if len(line) < 120])
    lines = _unwrap(lines)
    blocks: list[Block] = []
    for raw in lines:
        level, bold, run_in = 0, False, ""
        line = raw
        if markdown:
            if (m := _MD_HEADING.match(line)):
                level, line = len(m.group(1)), m.group(2)
            elif (m := _MD_BOLD_LINE.match(line)):
                bold, line = True, m.group(2)
            elif (m := _MD_LEAD_BOLD.match(line)):
                run_in = _tidy(m.group(2))
            for pattern, repl in _MD_INLINE:
                line = pattern.sub(repl, line)
        line = _tidy(line)
        if line:
            blocks.append(Block(text=line, heading_level=level, bold=bold, run_in=run_in))
    title = meta.get("title", "")
    blocks = _drop_noise(blocks, title)
    if not title and blocks:
        first = blocks[0]
        if first.heading_level == 1 or _looks_like_title(first.text):
            title = first.text
            blocks = blocks[1:]
    return Extracted(blocks=blocks, title=_tidy(title), pub_date=pub_date, source_name=meta.get("source", ""),
                     format="markdown" if markdown else "text")


_TITLE_WORDS = re.compile(r"报告|综述|工作|讲话|总结|要点|人大|常委会|代表大会")


def _looks_like_title(text: str) -> bool:
    """A first line that names the report rather than starting it."""
    if len(text) > 60 or text.startswith(("——", "—", "各位代表")) or re.search(r"[。！？；]$", text):
        return False
    return bool(_TITLE_WORDS.search(text)) or (len(text) <= 30 and "。" not in text)


def _drop_noise(blocks: list[Block], title: str) -> list[Block]:
    """Remove chrome lines, credits, a repeated title, and WeChat trailers (往期推荐 and what follows)."""
    out: list[Block] = []
    title_key = fold(title) if title else None
    for i, b in enumerate(blocks):
        if _TRAILERS.match(b.text) and i >= len(blocks) * 0.5:
            break
        if is_noise_line(b.text):
            continue
        if title_key and not out and fold(b.text) == title_key:
            continue
        out.append(b)
    return out
