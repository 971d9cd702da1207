"""HTML page → the article's paragraphs, with its title and publication date found.

Guarantees: no markup, script, style or comment text reaches the output; control and zero-width characters
are gone; site chrome (navigation, share widgets, 字号/打印本页/关闭窗口, view counters, ICP/版权 footers,
credit lines, WeChat extras) is removed; paragraph boundaries are kept. The line rules (noise, credits,
publication lines) are those of ``indexer.clean.text``.
The parsed page is walked once, into an index of its elements and their text (``_Elements``); every selector,
tag lookup and text length after that reads the index, so the cost stays linear in the page however deep it
nests and however many elements the cleaner looks at.
Risk left open: a content block that the page template does not mark and that holds less text than some
sidebar is chosen wrongly by the densest-text fallback.
"""
from __future__ import annotations

import datetime as dt
import re
import warnings
from array import array
from bisect import bisect_right
from collections import Counter, defaultdict

from bs4 import (
    BeautifulSoup,
    CData,
    Comment,
    Declaration,
    Doctype,
    MarkupResemblesLocatorWarning,
    NavigableString,
    PageElement,
    ProcessingInstruction,
    Tag,
    XMLParsedAsHTMLWarning,
)

from indexer.clean.text import TITLE_WITHIN, clean_title, drop_noise, find_date, publication_date, tidy
from indexer.model import Block, Extracted
from indexer.normalize import fold
from indexer.settings import SETTINGS, Settings

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
INFO_SELECTOR = ".info, .detail-info, .article-info, .source, .time, .date"    # where a publication line sits
CHROME = re.compile(r"(^|[\s_-])(nav|navbar|menu|header|footer|foot|sidebar|side|breadcrumb|location|position|crumb|"
                    r"share|bdshare|toolbar|tools|prevnext|pre-next|related|comment|qr_?code|copyright|print|"
                    r"topbar|logo|search|advert|ad|banner|links|friend|weapp|sponsor|rich_media_tool|meta_list|"
                    r"detail-info|info|xxgk-table|fontsize|zoom-ctrl)($|[\s_-])", re.I)
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(bold|[6-9]00)", re.I)
_FONT_FAMILY = re.compile(r"font-family\s*:", re.I)
_EMPH_FAMILY = re.compile(r"黑体|楷体|小标宋|方正|微软雅黑")
_EMPH_FACE = re.compile(r"黑体|楷体|小标宋|方正")
_MARKUP_STRINGS = (Comment, CData, Declaration, ProcessingInstruction)
# The selector shapes _Elements can answer from its index: a name, #id, .class, name.class, [class|id*=…].
_SIMPLE_SELECTOR = re.compile(r"(?P<name>[\w-]*)(?:#(?P<id>[\w-]+)|\.(?P<cls>[\w-]+)|\[(?P<attr>class|id)\*=[\w-]+\])?")


class CleanError(ValueError):
    """The input cannot be turned into report text (too large, too many nodes, no text)."""


def close_unterminated_comment(html: str) -> str:
    """Cut the page at an ``<!--`` that never ends, as browsers do (html.parser would end it at the next '>')."""
    pos = html.find("<!--")
    while pos >= 0:
        end = html.find("-->", pos + 4)
        if end < 0:
            return html[:pos]
        pos = html.find("<!--", end + 3)
    return html


_UNSEEN = frozenset(["script", "style", "noscript", "template", "title", "textarea", "select", "option"])
_DROPPED = frozenset(DROP_TAGS)
PAGE_LINES_STRINGS = 3000     # text nodes read to find a publication line; it sits near the top of a page
INFO_STRINGS = 200            # text nodes read of an element that may hold the publication line: its opening
TITLE_MAX_CHARS = 120         # a heading longer than this is not the article's title
PAGE_HEADING = "page heading"  # how a title found outside the text is described (``Extracted.title_how``)


def _after(tag: Tag) -> PageElement | None:
    """The first node after ``tag`` and everything in it, found as soupsieve finds it to skip a <template>."""
    if tag.next_sibling is not None:
        return tag.next_sibling
    last: PageElement = tag
    while isinstance(last, Tag) and last.contents:
        last = last.contents[-1]
    return last.next_element


class _Elements:
    """A page's elements by tag name, id and class, and the text under each, gathered in one walk over the tree.

    soup.select and find_all walk the whole tree on each call, and the cleaner asks some thirty of them per
    page: 12 s on a page nested 100,000 deep. Here a lookup reads only the elements that could match and
    soupsieve decides on those, so answers are soup.select's and find_all's, in document order. Elements
    decomposed since the walk are left out by their missing parent (Tag.decomposed would search the subtree).

    The text: get_text on every element the cleaner weighs (title candidates, paragraphs, cells, chrome) read
    the same strings again for each enclosing one, quadratic in nested or repeated elements. The walk lists
    the visible strings (plain strings outside the tags ``extract_html`` drops, which is what get_text gives
    once those are gone) with running totals, and the run of them under each element, so an element's text
    length is a subtraction and its text a join of its own run.
    """

    def __init__(self, soup: BeautifulSoup, max_nodes: int):
        self.soup = soup
        self.markup: list[NavigableString] = []      # comments, CDATA, declarations, processing instructions
        self.strings: list[NavigableString] = []     # the first PAGE_LINES_STRINGS strings, as find_all gives them
        self.string_blocks: list[Tag | None] = []    # each one's nearest block or unseen ancestor
        self._order: dict[int, int] = {}
        self._by_name: dict[str, list[Tag]] = defaultdict(list)
        self._by_id: dict[str, list[Tag]] = defaultdict(list)
        self._by_class: dict[str, list[Tag]] = defaultdict(list)
        self._having: dict[str, list[Tag]] = {"id": [], "class": []}     # elements with the attribute
        self._in_template: set[int] = set()          # a <template>'s contents: CSS selectors do not reach them
        self._texts: list[NavigableString] = []      # the visible strings in document order
        self._solid = array("q", [0])                # their characters but whitespace, running total
        self._stripped = array("q", [0])             # their lengths stripped (a link's text as _densest counts it)
        self._commas = array("q", [0])               # how many hold a ，, running total
        self._first = array("q")                     # by element order: where its run of strings starts,
        self._end = array("q")                       # where it ends,
        self._last = array("q")                      # and the order of its last descendant element
        self._links: list[int] = []                  # the order of every <a>
        self._table: dict[int, Tag | None] = {}      # a cell's nearest <table> ancestor
        # the open elements: (element, its order, under a dropped tag, nearest block or unseen, nearest table)
        open_: list[tuple[Tag, int, bool, Tag | None, Tag | None]] = []
        template_end: PageElement | None = None
        in_template = False
        for node in soup.descendants:
            while open_ and open_[-1][0] is not node.parent:
                self._close(open_.pop()[1])
            _, _, dropped, block, table = open_[-1] if open_ else (None, -1, False, None, None)
            if in_template and node is template_end:
                in_template = False
            if not isinstance(node, Tag):
                if node:    # find_all passes over empty strings
                    if isinstance(node, _MARKUP_STRINGS):
                        self.markup.append(node)
                    if len(self.strings) < PAGE_LINES_STRINGS:
                        self.strings.append(node)
                        self.string_blocks.append(block)
                if type(node) is NavigableString and not dropped:
                    self._add_text(node)
                continue
            if len(self._order) == max_nodes:
                raise CleanError(f"page has more than {max_nodes} elements")
            order = len(self._order)
            self._order[id(node)] = order
            self._first.append(len(self._texts))
            self._end.append(0)
            self._last.append(0)
            if node.name == "a":
                self._links.append(order)
            elif node.name == "td":
                self._table[id(node)] = table
            open_.append((node, order, dropped or node.name in _DROPPED,
                          node if node.name in BLOCK_TAGS or node.name in _UNSEEN else block,
                          node if node.name == "table" else table))
            self._by_name[node.name].append(node)
            if in_template:
                self._in_template.add(id(node))
            elif node.name == "template":
                in_template, template_end = True, _after(node)
            if "id" in node.attrs:
                self._having["id"].append(node)
                if isinstance(node["id"], str):
                    self._by_id[node["id"]].append(node)
            if "class" in node.attrs:
                self._having["class"].append(node)
                for name in dict.fromkeys(node["class"]):
                    self._by_class[name].append(node)
        while open_:
            self._close(open_.pop()[1])
        self._link_totals = array("q", [0])          # the links' text lengths, running total in document order
        for order in self._links:
            self._link_totals.append(self._link_totals[-1] + self._stripped[self._end[order]]
                                     - self._stripped[self._first[order]])

    def _add_text(self, node: NavigableString) -> None:
        self._texts.append(node)
        self._solid.append(self._solid[-1] + len("".join(node.split())))    # str.split: what \s matches
        self._stripped.append(self._stripped[-1] + len(node.strip()))
        self._commas.append(self._commas[-1] + ("，" in node))

    def _close(self, order: int) -> None:
        self._end[order] = len(self._texts)
        self._last[order] = len(self._order) - 1

    def _span(self, el: Tag) -> tuple[int, int, int, int]:
        """The element's run of strings [first, end), its order and the order of its last descendant element."""
        if el is self.soup:
            return 0, len(self._texts), -1, len(self._order) - 1
        order = self._order[id(el)]
        return self._first[order], self._end[order], order, self._last[order]

    def text_len(self, el: Tag) -> int:
        """The length of el.get_text() without its whitespace, once the dropped tags are gone."""
        first, end, _, _ = self._span(el)
        return self._solid[end] - self._solid[first]

    def has_comma(self, el: Tag) -> bool:
        first, end, _, _ = self._span(el)
        return self._commas[end] > self._commas[first]

    def text(self, el: Tag, separator: str = "", most: int | None = None) -> str:
        """el.get_text(separator) once the dropped tags are gone, of its first ``most`` strings only if given."""
        first, end, _, _ = self._span(el)
        return separator.join(self._texts[first:end if most is None else min(end, first + most)])

    def count(self, el: Tag) -> int:
        """How many strings el.get_text() joins."""
        first, end, _, _ = self._span(el)
        return end - first

    def link_len(self, el: Tag) -> int:
        """sum(len(a.get_text(strip=True)) for a in el.find_all("a")): the text of the links in it."""
        _, _, order, last = self._span(el)
        return self._link_totals[bisect_right(self._links, last)] - self._link_totals[bisect_right(self._links, order)]

    def contains(self, outer: Tag, el: Tag) -> bool:
        """el is outer or one of its descendants."""
        _, _, order, last = self._span(outer)
        return order <= self._span(el)[2] <= last

    def table_of(self, cell: Tag) -> Tag | None:
        """cell.find_parent("table")."""
        return self._table[id(cell)]

    def _in_order(self, elements: list[Tag]) -> list[Tag]:
        return sorted(elements, key=lambda el: self._order[id(el)])

    def named(self, *names: str) -> list[Tag]:
        """soup.find_all(names): the elements with one of these tag names still in the tree."""
        return self._in_order([el for name in names for el in self._by_name.get(name, ()) if el.parent is not None])

    def select(self, selector: str) -> list[Tag]:
        """soup.select(selector) for a comma-separated list of simple selectors (see _SIMPLE_SELECTOR)."""
        candidates: dict[int, Tag] = {}
        for part in selector.split(","):
            m = _SIMPLE_SELECTOR.fullmatch(part.strip())
            if m is None:
                raise ValueError(f"not a selector the index answers: {part!r}")
            if m["id"]:
                found = self._by_id.get(m["id"], [])
            elif m["cls"]:
                found = self._by_class.get(m["cls"], [])
            elif m["attr"]:
                found = self._having[m["attr"]]
            else:
                found = self._by_name.get(m["name"], [])
            candidates.update((id(el), el) for el in found
                              if el.parent is not None and id(el) not in self._in_template)
        return self._in_order(self.soup.css.compile(selector).filter(list(candidates.values())))


def _meta(page: _Elements, attr: str, value: str | re.Pattern) -> Tag | None:
    """soup.find("meta", attrs={attr: value})."""
    for el in page.named("meta"):
        v = el.get(attr)
        if isinstance(v, str) and (value.search(v) if isinstance(value, re.Pattern) else v == value):
            return el
    return None


def _emphatic_family(style: str) -> bool:
    """A declaration of ``style`` whose font-family names a heading face (黑体, 楷体 …).

    Each declaration is searched once, after its first font-family: a pattern tried from every font-family
    to the next ; read a long style over and over (31 s for one of 260 KB).
    """
    for declaration in style.split(";"):
        if (m := _FONT_FAMILY.search(declaration)) and _EMPH_FAMILY.search(declaration, m.end()):
            return True
    return False


def _emphasised(tag: Tag) -> bool:
    if tag.name in ("strong", "b") or re.fullmatch(r"h[1-6]", tag.name or ""):
        return True
    style, face = tag.get("style"), tag.get("face")
    style = style if isinstance(style, str) else ""
    return bool(_BOLD_STYLE.search(style) or _emphatic_family(style) or
                (isinstance(face, str) and _EMPH_FACE.search(face)))


def _is_chrome(el: Tag) -> bool:
    if el.attrs is None:
        return False
    names = " ".join(el.get("class") or []) + " " + (el.get("id") or "")
    return bool(CHROME.search(names)) or el.name in ("nav", "header", "footer", "aside")


def _densest(page: _Elements) -> Tag:
    """The element that directly holds most paragraph text, less link text (readability's idea, simplified)."""
    scores: Counter = Counter()
    by_id: dict[int, Tag] = {}
    for p in page.named("p", "br", "td", "section"):
        # a cell's text belongs to its table as a paragraph belongs to its container: crediting the row
        # would let one long cell outweigh the paragraphs around its table
        parent = (page.table_of(p) or p.parent) if p.name == "td" else p.parent
        if parent is None:
            continue
        if p.name == "br":
            text = p.next_sibling if isinstance(p.next_sibling, str) else ""
            n, links, comma = len(re.sub(r"\s+", "", text)), 0, "，" in text
        else:
            n, links, comma = page.text_len(p), page.link_len(p), page.has_comma(p)
        score = n - 2 * links + (20 if comma else 0)
        if score <= 0:
            continue
        for depth, anc in enumerate((parent, parent.parent)):
            if isinstance(anc, Tag):
                scores[id(anc)] += score / (1 + depth)
                by_id[id(anc)] = anc
    if not scores:
        return next(iter(page.named("body")), page.soup)
    return by_id[scores.most_common(1)[0][0]]


def _content_root(page: _Elements, hint: str | None = None) -> Tag:
    if hint:    # a site's own selector (sources.toml content_selector) beats the generic ones
        for el in page.soup.select(hint):
            if page.text_len(el) >= 10:
                return el
    for n, sel in enumerate(CONTENT_SELECTORS):
        minimum = 10 if n < _SPECIFIC_SELECTORS else 100   # generic names (.content) need real text
        for el in page.select(sel):
            if page.text_len(el) >= minimum and not _is_chrome(el):
                return el
    return _densest(page)


def _declared_titles(page: _Elements) -> list[str]:
    """The titles a page declares for itself: meta ArticleTitle/og:title, then the longer of the first two
    parts of <title> (报告标题_某某人大网: the site's name is the other part). Read before <head> is dropped."""
    out = []
    meta = _meta(page, "name", re.compile(r"^(ArticleTitle|og:title|title)$", re.I)) or \
        _meta(page, "property", "og:title")
    if meta and isinstance(meta.get("content"), str) and (declared := clean_title(meta["content"])):
        out.append(declared)
    title = next(iter(page.named("title")), None)
    if title and title.string:
        parts = [p for p in map(clean_title, re.split(r"\s*[_|｜\-–—]{1,2}\s*", tidy(title.string))) if p]
        out += [max(parts[:2], key=len)] if parts else []
    return out


def _html_title(page: _Elements, root: Tag, declared: list[str]) -> tuple[str, str]:
    """The article's heading outside the body, and where it was found: a candidate that equals a declared
    title wins, else the first by selector; with no candidate, the declared title itself."""
    candidates: list[tuple[str, str]] = []
    for sel in TITLE_SELECTORS + GENERIC_TITLE_SELECTORS:
        for el in page.select(sel):
            # too long to be a title by its characters or its strings (URL-like runs that tidy drops aside):
            # left unread, since reading every one of thousands of nested candidates was quadratic
            if page.contains(root, el) or page.text_len(el) > 10 * TITLE_MAX_CHARS or \
                    page.count(el) > 10 * TITLE_MAX_CHARS:
                continue
            t = clean_title(page.text(el, " "))
            if 2 <= len(t) <= TITLE_MAX_CHARS and all(t != c for c, _ in candidates):
                candidates.append((t, sel))
    keys = {fold(d) for d in declared}
    for t, sel in candidates:
        if fold(t) in keys:
            return t, f"{PAGE_HEADING} ({sel}), as the page's <title>/meta declares it"
    if candidates:
        return candidates[0][0], f"{PAGE_HEADING} ({candidates[0][1]})"
    return (declared[0], "the page's <title>/meta") if declared else ("", "")


def _page_lines(page: _Elements) -> list[str]:
    """The page's visible text as lines, one per block element, in document order (the first
    ``PAGE_LINES_STRINGS`` text nodes only). Each text node's block was found by the index's walk: walking up
    to it from every one was quadratic in a page of deeply nested inline elements."""
    lines: dict[int, list[str]] = {}
    for node, block in zip(page.strings, page.string_blocks):
        if type(node) is not NavigableString or not node.strip():
            continue
        if block is not None and block.name in _UNSEEN:
            continue
        lines.setdefault(id(block), []).append(node.strip())
    return [" ".join(parts) for parts in lines.values()]


def _html_pub_date(page: _Elements, raw_html: str) -> str | None:
    el = next(iter(page.select("#publish_time")), None)
    if el and (d := find_date(el.get_text())):
        return d
    for name in ("PubDate", "publishdate", "pubdate", "article:published_time", "date"):
        m = _meta(page, "name", name) or _meta(page, "property", name)
        if m and m.get("content") and (d := find_date(m["content"])):
            return d
    if (d := publication_date([page.text(el, " ", INFO_STRINGS) for el in page.select(INFO_SELECTOR)])):
        return d
    if (d := publication_date([line for line in _page_lines(page) if len(line) <= 160])):
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
        text = tidy("".join(t for t, _ in runs))
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
            run_in = tidy(lead)
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
    page = _Elements(soup, settings.max_html_nodes)
    pub_date = _html_pub_date(page, html[:200_000])
    declared = _declared_titles(page)
    source_meta = _meta(page, "name", "ContentSource")
    source_name = tidy(source_meta["content"]) if source_meta and source_meta.get("content") else ""
    for node in page.markup:
        node.extract()
    for el in page.named(*DROP_TAGS):
        if el.parent is not None:     # not inside one dropped already
            el.decompose()
    root = _content_root(page, selector)
    title, title_how = _html_title(page, root, declared)
    left = page.text_len(root)     # kept as the chrome goes, instead of reading the root again for each
    for el in [el for el in root.find_all(True) if _is_chrome(el)]:
        if el.parent is not None and (n := page.text_len(el)) < max(200, left // 3):
            left -= n      # no element removed before sits inside this one: find_all puts ancestors first
            el.decompose()
    blocks = _blocks_from_html(root)
    if not title_how.startswith(PAGE_HEADING):
        # no heading outside the text: a Word export's <title> is its file name, and its title is in the text
        named = next((b for b in drop_noise(blocks, "")[:TITLE_WITHIN] if _names_the_report(b.text)), None)
        if named is not None:
            title, title_how = named.text, "the line at the top of the text that names the report"
    return Extracted(blocks=drop_noise(blocks, title), title=title, title_how=title_how, pub_date=pub_date,
                     source_name=source_name, format="html")


_REPORT_TITLE = re.compile(r"(人民代表大会常务委员会|人大常委会|常委会).{0,16}(工作报告|报告|综述|工作要点)$")


def _names_the_report(text: str) -> bool:
    return len(text) <= 60 and "。" not in text and bool(_REPORT_TITLE.search(text))
