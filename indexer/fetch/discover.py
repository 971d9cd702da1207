"""Discovery: what to fetch next on a congress site that has no URL rules, from the links of the pages so far.

A site given only its home page (or a section page) is crawled within its hosts, best link first. A link's
priority comes from its anchor text and its URL (a report's title, a section such as 工作报告 or 会议文件, a
pager), and from what the page it was found on turned out to be: a list that led to reports is followed
further, a report leads only to its attachments and its continuation pages, an unrelated page's links are
kept for when nothing better is left. Government CMS families hide their lists and pagers: TRS builds
``index_N.html`` in script (``createPageHTML(5, 0, "index", "html")``), Hanweb ships its list entries as XML
inside ``<script type="text/xml">``; both are read here as links. What a fetched page is (a report, a list,
neither) is decided by the caller's ``Judge`` (the report classifier of ``indexer.understand``), which this
part never imports: fetching knows nothing of understanding.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from indexer.clean.decode import DecodeError, decode
from indexer.model import Verdict
from indexer.normalize import fold

ATTACHMENT_SUFFIXES = ("pdf", "docx", "doc", "wps", "ofd")

# Anchor text of a report, or of a link towards reports (a section, a pager), and of what is never a report.
REPORT_TEXT = re.compile(r"工作报告|工作综述|工作总结|法治.{0,8}报告|依法治.{0,6}报告|述法|履职报告|工作情况的?报告|"
                         r"(人大|常委会|常务委员会).{0,24}(报告|综述|回眸|回顾|盘点|纪实|一年来)")
SECTION_TEXT = re.compile(r"工作报告|常委会报告|法治建设|述法|工作综述|会议文件|大会文件|文件资料|公告公报|常委会公报|"
                          r"人大公报|公报|人大概况|常委会工作|人大工作|依法治|政务公开|信息公开|资料|文献|专题|栏目|"
                          r"网站地图|站点地图")
PAGER_TEXT = re.compile(r"^(下一?页|后页|下页|尾页|末页|更多|more|>>|»|›|\d{1,3}|第\s*\d{1,3}\s*页|\[\d{1,3}\])$", re.I)
NEVER_TEXT = re.compile(r"登录|注册|english|无障碍|长者|关怀版|适老|邮箱|联系我们|rss|隐私|版权|法律声明|"
                        r"视频|图片|图集|直播|访谈|领导|机构设置|内设机构|代表名单|任免|招聘|招标|采购|留言|信箱|"
                        r"搜索|打印|关闭|分享|微博|微信|手机版|繁体|返回", re.I)
SECTION_URL = re.compile(r"gzbg|gongbao|gb|cwhgb|hywj|wjzl|wj|fzjs|fazhi|sfbg|baogao|bg|zlk|wenjian|zwgk|xxgk|gkml",
                         re.I)
ARTICLE_URL = re.compile(r"/t\d{8}_\d+|/art_\d+_\d+|/content/post_\d+|/\d{4}-?\d{2}/\d{2}/|/\d{6}/|[?&]id=\d+|"
                         r"/(?:show|detail|content|article|info)[^/]*\.(?:s?html?|jsp|php|aspx?)", re.I)
_PAGE_PARAM = {"page", "p", "pagenum", "pageno", "pn", "currentpage", "curpage"}     # a page's number in its query
_PAGER_QUERY = _PAGE_PARAM | {"pageindex", "start", "uid"}                             # … or a list's position
_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^()]{0,200})\)", re.I)       # bounded: a page of "createPageHTML(" is not slow
_VAR_NUMBER = re.compile(r"var\s+(\w+)\s*=\s*(\d+)")
MAX_SITEMAP_URLS = 50_000       # what one sitemap file may list (sitemaps.org)
_SCRIPT_OPEN = re.compile(r"<script\b[^>]*>", re.I)
_SCRIPT_CLOSE = re.compile(r"</script\s*>", re.I)

# Priorities: the frontier takes the highest first (ties: the order links were found).
ATTACHMENT, CONTINUATION, REPORT_LINK, SECTION, PAGER, ARTICLE_LIKE, OTHER = 90, 85, 80, 60, 55, 20, 10
FRUITFUL = 15           # added to the links still queued from a page once one of its links proved a report
PROMISING = 25          # links below this have no cue: only ``explore_budget`` of them are followed
EXPLORE_BASE = 10       # links without a cue followed before any report is found …
EXPLORE_PER_REPORT = 1  # … and one more for each report found


def explore_budget(reports_found: int) -> int:
    """How many links without a cue a site's crawl follows: a few to find a way in, more where reports are."""
    return EXPLORE_BASE + EXPLORE_PER_REPORT * reports_found


@dataclass(frozen=True)
class Link:
    url: str
    text: str           # anchor text, else its title attribute
    how: str            # "a" (an anchor), "script" (an entry inside a script block), "pager" (built from a script)


Judge = Callable[[bytes, str, str], Verdict]        # (body, content type, url) → Verdict


class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.links: list[list[str]] = []         # [href, text, title]
        self._open: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v for k, v in attrs if v}
        if tag == "base" and "href" in a and self.base is None:
            self.base = a["href"]
        elif tag in ("a", "area") and "href" in a:
            self._open = [a["href"], "", a.get("title", "")]
            self.links.append(self._open)
            if tag == "area":
                self._open = None
        elif tag in ("frame", "iframe") and "src" in a:
            self.links.append([a["src"], "", a.get("title", "")])

    def handle_endtag(self, tag):
        if tag == "a":
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", unescape(text))


def anchors(html: str, url: str) -> list[tuple[str, str, str]]:
    """(address, text, title) of each anchor, area and frame of ``html`` in document order, the address made
    absolute against the page's <base> or ``url``; script, mail, phone, data and fragment-only links left out."""
    parser = _Anchors()
    parser.feed(html)
    base = urljoin(url, parser.base) if parser.base else url
    return [(urljoin(base, href), text, title) for raw, text, title in parser.links
            if (href := raw.strip()) and not href.lower().startswith(("javascript:", "mailto:", "tel:", "data:", "#"))]


def page_links(body: bytes, content_type: str, url: str) -> list[Link]:
    """Every link of an HTML page with its text: anchors, frames, list entries inside script blocks (Hanweb),
    and the pages a script pager would link to (TRS); absolute, without fragments, each once."""
    try:
        html = decode(body, content_type, is_html=True).text
    except DecodeError:
        return []
    out: list[Link] = []
    for source, how in [(html, "a")] + [(unescape(body).replace("<![CDATA[", "").replace("]]>", ""), "script")
                                        for body in _scripts(html) if "href" in body]:
        out += [Link(href.split("#")[0], _clean(text) or _clean(title), how) for href, text, title in anchors(source, url)]
    out += [Link(u, "", "pager") for u in script_pages(html, url)]
    seen: dict[str, Link] = {}
    for link in out:
        if link.url not in seen or (not seen[link.url].text and link.text):
            seen[link.url] = link
    return list(seen.values())


def _scripts(html: str) -> list[str]:
    """The bodies of a page's script blocks, in one pass (a regex of ``<script>(.*?)</script>`` is quadratic on
    a page of unclosed script tags)."""
    out, pos = [], 0
    while (start := _SCRIPT_OPEN.search(html, pos)) and (end := _SCRIPT_CLOSE.search(html, start.end())):
        out.append(html[start.end():end.start()])
        pos = end.end()
    return out


def script_pages(html: str, url: str) -> list[str]:
    """The list pages a TRS pager script would link to: ``createPageHTML(count, current, "index", "html")``
    (numbers or variables set earlier in the page) gives index.html, index_1.html … index_{count-1}.html."""
    numbers = {k: int(v) for k, v in _VAR_NUMBER.findall(html)}
    out = []
    for m in _CREATE_PAGE.finditer(html):
        args = [a.strip().strip("'\"") for a in m.group(1).split(",")]
        values = [int(a) if a.isdigit() else numbers.get(a) for a in args]
        names = [a for a, v in zip(args, values) if v is None and re.fullmatch(r"[\w\-]+", a)]
        counts = [v for v in values if v is not None]
        if not counts or len(names) < 2:
            continue
        count = min(counts[0], 500)
        prefix, suffix = names[-2], names[-1]
        out += [urljoin(url, f"{prefix}.{suffix}" if k == 0 else f"{prefix}_{k}.{suffix}") for k in range(count)]
    return out


_SITEMAP_INDEX = re.compile(rb"<sitemapindex\b", re.I)
_LOC = re.compile(rb"<loc>\s*(?:<!\[CDATA\[)?\s*([^<]{1,4096}?)\s*(?:\]\]>)?\s*</loc>", re.I)


def is_sitemap_index(body: bytes) -> bool:
    """A sitemap of sitemaps (``<sitemapindex>``): its addresses are more sitemaps, not pages."""
    return bool(_SITEMAP_INDEX.search(body[:4096]))


def sitemap_urls(body: bytes) -> list[str]:
    """The page addresses of a sitemap (``<loc>``), at most ``MAX_SITEMAP_URLS``."""
    out = []
    for m in _LOC.finditer(body[:20_000_000]):
        url = unescape(m.group(1).decode("utf-8", "replace")).strip()
        if url.startswith(("http://", "https://")):
            out.append(url)
        if len(out) >= MAX_SITEMAP_URLS:
            break
    return out


def names_report(text: str) -> bool:
    """Whether a link's text names a report (工作报告, 法治建设…报告, 述法 …), in either script."""
    return bool(REPORT_TEXT.search(fold(text)))


def suffix_of(url: str) -> str:
    path = urlsplit(url).path
    return path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""


def is_pager(link: Link, page_url: str) -> bool:
    """A link to another page of the same list: a pager's text, a script pager, ``index_N``, or the same
    address with another page number in its query."""
    if link.how == "pager" or PAGER_TEXT.match(link.text or ""):
        return True
    here, there = urlsplit(page_url), urlsplit(link.url)
    if there.path == here.path and there.query != here.query:
        return any(k.lower() in _PAGER_QUERY for k, _ in parse_qsl(there.query))
    same_dir = there.path.rsplit("/", 1)[0] == here.path.rsplit("/", 1)[0]
    return same_dir and bool(re.search(r"/index_\d+\.s?html?$", there.path))


def continuation(url: str, root: str) -> int | None:
    """Which page of the report whose first page is ``root`` the address ``url`` is, when it is one of its
    further pages (t20240109_123456_1.html and _2.html after t20240109_123456.html; show.php?id=5&page=2
    after show.php?id=5); None otherwise. The number orders the pages."""
    here, there = urlsplit(root), urlsplit(url)
    if (here.scheme, here.netloc) != (there.scheme, there.netloc):
        return None
    stem, dot, ext = here.path.rpartition(".")
    if dot and there.path.startswith(stem + "_") and there.path.endswith("." + ext) and not there.query:
        number = there.path[len(stem) + 1:-len(ext) - 1]
        return int(number) if number.isdigit() and 0 < int(number) < 100 else None
    if there.path == here.path and there.query != here.query:
        extra = parse_qsl(there.query, keep_blank_values=True)
        page = next((v for k, v in extra if k.lower() in _PAGE_PARAM), None)
        rest = [(k, v) for k, v in extra if k.lower() not in _PAGE_PARAM]
        if page and page.isdigit() and 1 < int(page) < 100 and rest == parse_qsl(here.query, keep_blank_values=True):
            return int(page)
    return None


def part_root(url: str) -> str:
    """The first page of the report that the further page ``url`` belongs to: its address without ``_N`` or
    the page parameter."""
    parts = urlsplit(url)
    path = re.sub(r"_\d{1,2}(\.[A-Za-z]+)$", r"\1", parts.path)
    query = "&".join(p for p in parts.query.split("&") if p.split("=", 1)[0].lower() not in _PAGE_PARAM)
    return parts._replace(path=path, query=query).geturl()


def priority(link: Link, page_url: str, page_kind: str) -> float | None:
    """How much ``link`` is worth fetching, from its text, its URL and what the page it is on (``page_kind``:
    report, list, other, start) turned out to be; None for a link never worth a request. The text is read
    folded (繁體 as simplified, full-width as half), as a repost in Big5 writes it."""
    text, url = fold(link.text or ""), link.url
    if NEVER_TEXT.search(text) and not REPORT_TEXT.search(text):
        return None
    suffix = suffix_of(url)
    if suffix in ATTACHMENT_SUFFIXES:
        if REPORT_TEXT.search(text):
            return ATTACHMENT
        # a report page's other files are mostly its annexes or its own PDF; a notice's are what it publishes
        return OTHER + 10 if page_kind == "report" else ATTACHMENT - 40
    if page_kind == "report":
        # a report leads to its own next pages (t…_1.html, 第2页); what else it links to is the site's chrome
        if continuation(url, page_url) is not None:
            return CONTINUATION
        return OTHER - 5 if not REPORT_TEXT.search(text) else PROMISING - 1     # "related" links: budgeted
    if REPORT_TEXT.search(text):
        return REPORT_LINK
    if is_pager(link, page_url):
        return PAGER if page_kind in ("list", "start") else PAGER - 30
    if SECTION_TEXT.search(text):
        return SECTION
    path = urlsplit(url).path
    score = ARTICLE_LIKE if ARTICLE_URL.search(url) and len(text) >= 8 else OTHER
    if SECTION_URL.search(path):
        score += 10
    return score - (10 if page_kind == "other" else 0)
