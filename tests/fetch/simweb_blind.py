"""A second simulated web of congress sites, written without looking at the crawler (a blind check of simweb).

Six sites on 127.0.0.1, served by ``simweb.SimWeb`` and counted by ``simweb.measure``; each imitates one CMS family:

- ``blind-trs``: a provincial 人大网 on TRS WCM: 常委会工作/工作报告, 会议文件, 新闻动态, 公告公报, a 两会 专题; list pages
  ``index_N.html`` exist only through script pagers in three forms (``createPageHTML('page_div',7,1,'index','html',140)``,
  the ``var countPage = 3//共多少页`` template, ``createPageHTML(6, 0, "index", "html")``); relative ``./YYYYMM/t…_id.html``.
- ``blind-hanweb``: a city site on Hanweb JCMS: ``/col/colN/index.html`` columns whose entries are XML records (``<li>`` or
  ``<table>`` rows in CDATA) with ``?uid=&pageNum=`` 下一页/尾页 pagers, ``/art/Y/M/D/art_col_id.html`` articles, one report
  cross-published in a second column (same id, two addresses), DOCX under ``/module/download/downfile.jsp?…``, a report
  among the news.
- ``blind-phpcms``: a county site on PHPCMS v9, GB2312, old upper-case table layout: ``index.php?m=content&c=index&a=lists
  &catid=N&page=N`` lists (one with titles cut to 18 characters, one titled 工作报告 with titles only), a report paged
  over three ``&page=N`` pages, one report also under its static ``/html/…`` address, linked from a 专题 page.
- ``blind-jeecms``: a city site on a Java CMS (``.jhtml``): numbered pagers with 首页/尾页, 常委会公报 issues whose contents
  link the documents, an archive linked only from the 网站地图 page, ``sitemap.xml`` as a sitemap index of two sitemaps.
- ``blind-aspx``: a district site on ASP.NET: ``List.aspx?cid=N&p=N`` with 第N/M页 pagers, an 信息公开 table (索引号/名称/
  日期) linking 关于印发…的通知 notices and DOCX files, one DOCX also under ``/Common/DownLoad.aspx?fileid=N``.
- ``blind-gdpost``: a county site on a provincial 集约化 platform: title-only lists chained by 上一页/下一页,
  ``content/post_N.html`` articles with a mobile ``mpost_N.html`` copy of one report, a ``sitemap.xml`` urlset.

Every site has chrome (leaders, contact, English, accessibility, search) on every page, 24-32 news over several pages,
a robots.txt-disallowed section linking a report-looking draft, links to the outside host and the next site, labelled
documents from ``simweb.pool()`` (HTML as served; text and Markdown ones in the site's own article page or as DOCX;
mirrors left out) and distractors written here: session news, work plans, notices, 任免名单, news about a report, the 决议 on the report, a procuratorate report, a
government report to the 常委会, 公报 contents and list pages titled 工作报告. ``build(seed)`` decides which documents go
where and the ids in the addresses.
"""
from __future__ import annotations

import html
import io
import json
import random

from tests.fetch.simweb import DOCX_TYPE, FIXTURES, HOST, REPORT_KINDS, SETS, Doc, SimSite, pool

OUT = "http://" + HOST + ":{outside}"       # the outside host: never to be visited
NB = "{neighbour}"
XML_TYPE = "application/xml; charset=utf-8"
_e = html.escape


def is_page(doc: Doc) -> bool:
    return doc.key.endswith((".html", ".htm"))


def labelled() -> tuple[list[Doc], list[Doc], list[Doc], list[Doc]]:
    """``pool()``'s documents, plus the web-* text ones if it leaves them out, without mirrors (``duplicate_of``) and
    with an unlabelled ``doc_type`` other as a distractor: (report pages, report texts, other pages, other texts).
    Text documents are rendered here (``doc.text``), never with simweb's page."""
    reports, others = pool()
    entries = {}
    for name in SETS + ("samples", "seeds"):
        if (FIXTURES / name / "manifest.json").exists():
            for entry in json.loads((FIXTURES / name / "manifest.json").read_text(encoding="utf-8")):
                entries[f"{name}/{entry['file']}"] = entry
    have = {doc.key for doc in reports + others}
    extra = [Doc(key, e.get("kind", "report"), e["title"], b"", "", e["body"]) for key, e in entries.items()
             if key.split("/")[0] in SETS and key not in have and not key.endswith((".html", ".htm"))]
    out: tuple[list[Doc], ...] = ([], [], [], [])
    for doc in reports + others + extra:
        entry = entries.get(doc.key, {})
        if entry.get("duplicate_of") or entry.get("version_of") or not entry.get("title"):
            continue
        if "kind" not in entry and entry.get("doc_type") == "other":
            doc.kind = "news"
        out[(0 if doc.kind in REPORT_KINDS else 2) + (0 if is_page(doc) else 1)].append(doc)
    return out


def make_docx(title: str, text: str) -> bytes:
    import docx
    d = docx.Document()
    d.add_paragraph("附件")
    (head := d.add_paragraph()).alignment = 1
    head.add_run(title).bold = True
    for line in filter(str.strip, text.splitlines()):
        d.add_paragraph(line.strip())
    d.save(out := io.BytesIO())
    return out.getvalue()


def chunks(items: list, per: int) -> list[list]:
    return [items[i:i + per] for i in range(0, len(items), per)] or [[]]


def pager(href, n: int, pages: int, nums: bool = True, edge: bool = True, info: str = "") -> str:
    """A pager of links; ``href(k)`` is the address of page k (0-based)."""
    def a(k, label):
        return f'<a href="{_e(href(k))}">{label}</a>'
    out = ([info] if info else []) + ([a(0, "首页")] if edge else []) + ([a(n - 1, "上一页")] if n > 0 else [])
    out += [a(k, k + 1) if k != n else f'<span class="cur">{k + 1}</span>' for k in range(pages)] if nums else []
    out += ([a(n + 1, "下一页")] if n + 1 < pages else []) + ([a(pages - 1, "尾页")] if edge else [])
    return " ".join(out)


NEWS = ["召开第{k}次主任会议", "开展《{law}》执法检查", "赴基层调研{topic}工作", "举办第{k}期代表履职学习班", "视察{topic}工作",
        "召开代表建议办理工作推进会", "开展宪法宣传周系列活动", "召开党组理论学习中心组第{k}次集体学习", "就{topic}工作开展专题询问",
        "召开基层立法联系点工作座谈会", "开展“人大代表活动月”活动"]
LAWS = ["大气污染防治法", "食品安全法", "水污染防治法", "安全生产法", "未成年人保护法", "乡村振兴促进法"]
TOPICS = ["乡村振兴", "营商环境", "养老服务", "河湖长制", "义务教育", "城市更新", "民营经济发展"]


def news(rng: random.Random, place: str, n: int) -> list[tuple[None, str, list[str]]]:
    out = []
    for k in range(n):
        title = f"{place}人大常委会" + rng.choice(NEWS).format(k=k + 3, law=rng.choice(LAWS), topic=rng.choice(TOPICS))
        out.append((None, title, [f"近日，{title}。常委会有关负责同志参加。", "会议强调，要坚持问题导向，依法履职尽责，"
                                  "推动各项工作落地见效。", "与会人员围绕有关议题进行了交流发言，并提出了意见建议。"]))
    return out


def own(rng: random.Random, place: str, year: int) -> list[tuple[str, str, str, list[str]]]:
    """Distractors written here: (kind, where it is published, title, paragraphs)."""
    y1, day = year + 1, rng.randint(10, 28)
    meet = f"{place}第{rng.choice(['十五', '十六', '十七', '十八'])}届人民代表大会第{rng.choice('二三四五')}次会议"
    return [
        ("session", "news", f"{meet}胜利闭幕", [
            f"{y1}年1月{day}日上午，{meet}在人民会堂完成各项议程后胜利闭幕。大会应出席代表二百八十六名，实际出席二百七十一名。",
            f"大会表决通过了关于{place}人民政府工作报告的决议、关于{place}人民代表大会常务委员会工作报告的决议、"
            f"关于{place}人民法院工作报告的决议和关于{place}人民检察院工作报告的决议。",
            "大会号召，全体代表和广大干部群众更加紧密地团结起来，为推动高质量发展而努力奋斗。"]),
        ("about", "news", f"代表分组审议{place}人大常委会工作报告", [
            f"1月{day - 2}日下午，出席{meet}的代表分组审议{place}人民代表大会常务委员会工作报告。",
            "代表们一致认为，报告实事求是、重点突出，过去一年常委会立法、监督、代表工作成效明显。",
            "代表们还就加强基层人大建设、提高代表建议办理质量等提出了意见建议。"]),
        ("plan", "notice", f"{place}人大常委会{y1}年工作要点", [
            f"{y1}年常委会工作的总体要求是：坚持党的领导、人民当家作主、依法治国有机统一。",
            "一、加强立法工作。计划审议条例草案五件，开展立法调研三项。",
            "二、加强监督工作。计划听取和审议专项工作报告八个，开展执法检查三次、专题询问一次。",
            "三、加强代表工作。健全常委会组成人员联系代表制度，提高代表建议办理质量。",
            "四、加强自身建设。按照“四个机关”的要求，不断提高依法履职能力和水平。"]),
        ("notice", "notice", f"关于召开{meet}的公告", [
            f"{place}人民代表大会常务委员会决定：{meet}于{y1}年1月{day - 5}日在人民会堂召开。",
            f"会议建议议程：听取和审议{place}人民政府工作报告、{place}人民代表大会常务委员会工作报告等。", "特此公告。"]),
        ("personnel", "notice", f"{place}人大常委会任免名单", [
            f"（{y1}年{rng.randint(2, 11)}月{rng.randint(1, 28)}日{place}人大常委会第{rng.randint(5, 30)}次会议通过）"]
            + [f"任命{s}为{place}人民政府{b}局局长；" for s, b in zip("王李赵刘陈", ("教育", "民政", "财政", "审计", "交通运输"))]),
        ("resolution", "doc", f"{meet}关于{place}人民代表大会常务委员会工作报告的决议", [
            f"（{y1}年1月{day}日{meet}通过）", f"{meet}听取和审议了{place}人民代表大会常务委员会工作报告，同意报告"
            "对过去一年工作的回顾和对今年工作的安排，决定批准这个报告。", "会议要求，常委会要坚持正确政治方向，依法履职。"]),
        ("procurator", "doc", f"{place}人民检察院工作报告", [
            f"各位代表：现在，我代表{place}人民检察院向大会报告工作，请予审议，并请政协委员和列席人员提出意见。",
            f"一、{year}年主要工作", "全年共批准逮捕各类刑事犯罪嫌疑人六百一十二人，提起公诉一千零四十人。",
            "依法惩治电信网络诈骗犯罪，办理公益诉讼案件一百三十七件，督促整治污染耕地一千二百亩。",
            f"二、{y1}年工作安排", "全市检察机关将坚持能动履职，全面加强法律监督，为平安建设提供有力司法保障。"]),
        ("govspecial", "doc", f"{place}人民政府关于{year}年度国有资产管理情况的综合报告", [
            f"{place}人大常委会：受人民政府委托，现将{year}年度国有资产管理情况报告如下，请予审议。", "一、国有资产总体情况",
            f"截至{year}年底，国有企业资产总额二千三百一十亿元，行政事业性国有资产八百六十亿元。", "二、存在的问题和下一步工作"]),
    ]


class Ctx:
    """One site being built: its pages in the site's own page frame, and what each address is."""

    def __init__(self, rng, name: str, style: str, place: str, disallowed: str, enc: str = "utf-8", old: bool = False):
        self.rng, self.place, self.enc, self.old = rng, place, enc, old
        self.site = SimSite(name, style, HOST, disallowed=disallowed)
        self.year, self.icp, self.next_id = rng.randint(2018, 2023), rng.randint(10**7, 10**8), rng.randint(100, 900)
        self.nav: list[tuple[str, str]] = []
        self.top: list[tuple[str, str]] = []
        self.head, self.reps, self.texts, self.dists = "", [], [], []
        chosen = rng.sample(["session", "about", "plan", "notice", "personnel", "resolution", "procurator", "govspecial"], 6)
        self.owns = [o for o in own(rng, place, self.year) if o[0] in chosen]
        self.news = news(rng, place, 30)
        self.ids = iter(rng.sample(range(10**5, 10**7), 400))

    def put(self, path: str, body: bytes, ctype: str | None = None) -> None:
        self.site.pages[path] = (body, ctype or f"text/html; charset={self.enc}")

    def mark(self, path: str, kind: str | None, key: str = "") -> None:
        if kind in REPORT_KINDS:
            self.site.reports[path] = key
        elif kind:
            self.site.distractors.add(path)

    def copy(self, path: str, to: str) -> None:
        """The same document under a second address."""
        self.put(to, *self.site.pages[path])
        self.mark(to, "report" if path in self.site.reports else "copy", self.site.reports.get(path, ""))

    def date(self) -> str:
        return f"{self.year + 1}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"

    def seq(self) -> int:
        """Increasing ids with gaps, as a database hands them out."""
        self.next_id += self.rng.randint(1, 9)
        return self.next_id

    def owned(self, where: str) -> list[tuple[str, str, list[str]]]:
        return [(k, t, p) for k, w, t, p in self.owns if w == where]

    def page(self, path: str, title: str, inner: str, crumbs=(), kind: str | None = None) -> None:
        nav = "".join(f'<li><a href="{_e(h)}">{label}</a></li>' for label, h in self.nav)
        top = " | ".join(f'<a href="{_e(h)}">{label}</a>' for label, h in self.top)
        crumb = " &gt; ".join(['<a href="/">首页</a>'] + [f'<a href="{_e(h)}">{label}</a>' if h else label
                                                         for label, h in crumbs])
        foot = (f'<a href="{OUT}/">中国人大网</a> | <a href="{OUT}/sheng/">省人大常委会</a> | <a href="{OUT}/gov/">'
                f'{self.place}人民政府</a> | <a href="{NB}/">兄弟人大网站</a><br>{self.place}人大常委会办公室主办 ICP备{self.icp}号')
        head = (f'<meta http-equiv="Content-Type" content="text/html; charset={self.enc}"><title>{_e(title)}-'
                f'{self.place}人大</title>{self.head}')
        if self.old:
            body = (f'<TABLE width="1000" align="center"><TR><TD class="top">{top}</TD></TR><TR><TD class="logo">{self.place}'
                    f'人大常委会</TD></TR><TR><TD><UL class="menu">{nav}</UL></TD></TR><TR><TD class="weizhi">您现在的位置：'
                    f'{crumb}</TD></TR><TR><TD class="main">{inner}</TD></TR><TR><TD class="bottom">{foot}</TD></TR></TABLE>')
        else:
            body = (f'<div class="topbar">{top}</div><div class="header"><div class="logo">{self.place}人民代表大会常务委员会'
                    f'</div><ul class="nav">{nav}</ul></div><div class="position">当前位置：{crumb}</div>'
                    f'<div class="container">{inner}</div><div class="footer">{foot}</div>')
        self.put(path, f'<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>'
                 .encode(self.enc, "xmlcharrefreplace"))
        self.mark(path, kind)

    def article(self, path: str, title: str, paras: list[str], date: str, kind=None, key="", extra="") -> None:
        text = "".join(f"<p>{_e(p)}</p>" for p in paras if p.strip())
        self.page(path, title, f'<div class="article"><h1>{_e(title)}</h1><div class="info">发布日期：{date}　来源：'
                               f'{self.place}人大常委会办公室　【字体：大 中 小】</div><div class="content">{text}</div>{extra}'
                               f'<div class="tools">【打印本页】【关闭窗口】</div></div>')
        self.mark(path, kind, key)

    def docs(self, docs: list[Doc], addr) -> list[tuple[str, str, str]]:
        """Fixture documents at ``addr(date)``, HTML ones as they were served, text ones in this site's article page;
        their (address, title, date) list entries."""
        out = []
        for doc in docs:
            date = self.date()
            path = addr(date)
            if is_page(doc):
                self.put(path, doc.body, doc.ctype)
                self.mark(path, doc.kind, doc.key)
            else:
                self.article(path, doc.title, doc.text.splitlines(), date, doc.kind, doc.key)
            out.append((path, doc.title, date))
        return out

    def write(self, items, addr) -> list[tuple[str, str, str]]:
        """Pages written here, (kind, title, paragraphs), at ``addr(date)``: their list entries."""
        out = []
        for kind, title, paras in items:
            date = self.date()
            self.article(path := addr(date), title, paras, date, kind)
            out.append((path, title, date))
        return out

    def docx(self, path: str, doc: Doc) -> None:
        self.put(path, make_docx(doc.title, doc.text), DOCX_TYPE)
        self.mark(path, doc.kind, doc.key)

    def notice(self, path: str, doc: Doc, date: str, files: list[str]) -> tuple[str, str, str]:
        """关于印发《…》的通知 with the document as its attachment."""
        name = f"关于印发《{doc.title}》的通知"
        links = "".join(f'<p>附件{k + 1}：<a href="{_e(f)}">{_e(doc.title)}.docx</a></p>' for k, f in enumerate(files))
        self.article(path, name, ["各乡镇人大、街道人大工委，常委会各工作机构：",
                                  f"现将《{doc.title}》印发给你们，请结合实际认真贯彻落实。"], date, "notice", extra=links)
        return path, name, date

    def chrome(self, ld: str, lxwm: str, en: str, wza: str, search: str) -> None:
        """Leaders (an index and four pages), contact, English, accessibility and search, linked from every page."""
        self.top = [("领导之窗", ld), ("联系我们", lxwm), ("English", en), ("无障碍", wza), ("站内搜索", search)]
        base = ld.rsplit("/", 1)[0]
        self.page(ld, "领导之窗", "".join(f'<p><a href="{base}/ld{k}.html">常委会副主任{k + 1}</a></p>' for k in range(4)))
        for k in range(4):
            self.page(f"{base}/ld{k}.html", f"常委会副主任{k + 1}", "<p>简历：男，汉族，大学学历。</p>", [("领导之窗", ld)])
        self.page(lxwm, "联系我们", f"<p>地址：{self.place}人民路1号　电话：0000-1234567</p>")
        self.page(en, "English", "<p>The Standing Committee of the People's Congress welcomes you.</p>")
        self.page(wza, "无障碍浏览", f'<p>本站支持无障碍浏览。<a href="{OUT}/wza/help.html">使用帮助</a></p>')
        self.page(search, "站内搜索", '<form action="/search/do" method="get"><input name="q"><button>搜索</button></form>')

    def trap(self, index: str, draft: str) -> None:
        """The robots.txt-disallowed section: a report-looking draft (neither a report nor a counted distractor)."""
        name = f"{self.place}人民代表大会常务委员会工作报告（征求意见稿）"
        self.page(index, "内部资料", f'<ul><li><a href="{draft}">{name}</a></li></ul>')
        self.page(draft, name, "<p>内部资料，请勿外传。</p>")

    def home(self, blocks, extra: str = "") -> None:
        inner = "".join(f'<div class="block"><h3>{label}<a href="{_e(more)}" class="more">更多&gt;&gt;</a></h3><ul>'
                        + "".join(f'<li><a href="{_e(h)}">{_e(t)}</a></li>' for h, t, _ in items[:5]) + "</ul></div>"
                        for label, more, items in blocks)
        self.page("/", f"{self.place}人大", inner + extra + f'<div class="links">友情链接：<a href="{OUT}/">中国人大网</a> '
                                                          f'<a href="{OUT}/xinhua/">新华网</a> <a href="{NB}/">兄弟人大</a></div>')


def _trs(c: Ctx) -> None:
    c.nav = [("首页", "/"), ("人大概况", "/rdgk/"), ("新闻动态", "/xwdt/"), ("常委会工作", "/cwhgz/"), ("会议文件", "/hywj/"),
             ("公告公报", "/gggb/"), ("专题专栏", "/ztzl/")]
    c.head = '<script type="text/javascript" src="/js/page.js"></script>'
    c.chrome("/ldzc/index.html", "/lxwm/", "/english/", "/wza/", "/search/")

    def art(col):
        return lambda date: f"/{col}/{date[:4]}{date[5:7]}/t{date.replace('-', '')}_{next(c.ids)}.html"

    def column(col, label, entries, per, form, crumbs, kind=None):
        pages = chunks(entries, per)
        for n, chunk in enumerate(pages):
            lis = "".join(f'<li><a href=".{p[len(col) + 1:]}" target="_blank" title="{_e(t)}">{_e(t)}</a>'
                          f'<span class="date">{d}</span></li>' for p, t, d in chunk)
            js = {"six": f"createPageHTML('page_div',{len(pages)},{n + 1},'index','html',{len(entries)});",
                  "var": f"var currentPage = {n};//所在页从0开始\nvar prePage = currentPage-1//上一页\nvar nextPage = "
                         f"currentPage+1//下一页\nvar countPage = {len(pages)}//共多少页\n"
                         "createPageHTML(countPage, currentPage, \"index\", \"html\");",
                  "four": f'createPageHTML({len(pages)}, {n}, "index", "html");'}[form]
            inner = (f'<h2 class="lm">{label}</h2><ul class="list">{lis}</ul><div id="page_div" class="page"></div>'
                     f'<script type="text/javascript">{js}</script>')
            for path in ([f"/{col}/", f"/{col}/index.html"] if n == 0 else [f"/{col}/index_{n}.html"]):
                c.page(path, label, inner, crumbs, kind)

    gzbg = c.docs(c.reps[:3] + c.texts[:1], art("cwhgz/gzbg"))
    column("cwhgz/gzbg", "工作报告", gzbg, 3, "six", [("常委会工作", "/cwhgz/"), ("工作报告", None)], "list")
    hywj = c.docs(c.reps[3:] + c.texts[1:] + c.dists, art("hywj")) + c.write(c.owned("doc"), art("hywj"))
    c.rng.shuffle(hywj)
    column("hywj", "会议文件", hywj, 5, "var", [("会议文件", None)])
    column("gggb", "公告公报", c.write(c.owned("notice"), art("gggb")), 10, "four", [("公告公报", None)])
    items = c.write(c.news + c.owned("news"), art("xwdt"))
    c.rng.shuffle(items)
    column("xwdt", "新闻动态", items, 8, "four", [("新闻动态", None)])
    c.page("/cwhgz/", "常委会工作", '<ul><li><a href="./gzbg/">工作报告</a></li><li><a href="../hywj/">会议文件</a></li></ul>')
    c.page("/ztzl/", "专题专栏", f'<ul><li><a href="./lh/">{c.year + 1}年两会专题</a></li></ul>')
    c.page("/ztzl/lh/", "两会专题", f'<ul><li><a href="../..{gzbg[0][0]}">{_e(gzbg[0][1])}</a></li>'
                                    f'<li><a href="../..{hywj[0][0]}">{_e(hywj[0][1])}</a></li>'
                                    f'<li><a href="{OUT}/npc/gzbg.html">全国人民代表大会常务委员会工作报告</a></li>'
                                    f'<li><a href="{NB}/">兄弟省人大两会专题</a></li></ul>', [("专题专栏", "/ztzl/")])
    c.page("/rdgk/", "人大概况", f"<p>{c.place}人民代表大会常务委员会是{c.place}人民代表大会的常设机关。</p>")
    c.trap("/wcm/index.html", "/wcm/preview/t_draft.html")
    c.put("/js/page.js", b"function createPageHTML(){}", "application/javascript")
    c.home([("新闻动态", "/xwdt/", items), ("工作报告", "/cwhgz/gzbg/", gzbg), ("会议文件", "/hywj/", hywj)],
           '<p><a href="/wcm/index.html">内容管理</a></p>')


def _hanweb(c: Ctx) -> None:
    cols = dict(zip(("news", "hywj", "xxgk", "zt"), c.rng.sample(range(1000, 9999), 4)))
    uids = {k: c.rng.randint(10**5, 10**6) for k in cols}
    c.nav = [("首页", "/index.html")] + [(label, f"/col/col{cols[k]}/index.html") for k, label in
                                        (("news", "新闻动态"), ("hywj", "会议文件"), ("xxgk", "信息公开"), ("zt", "聚焦人代会"))]
    c.chrome("/col/ldzc/index.html", "/col/lxwm/index.html", "/col/english/index.html", "/col/wza/index.html",
             "/jsearchfront/index.html")
    def art(k):
        return lambda date: f"/art/{'/'.join(str(int(x)) for x in date.split('-'))}/art_{cols[k]}_{next(c.ids)}.html"

    def column(k, label, entries, per, table=False):
        pages, base = chunks(entries, per), f"/col/col{cols[k]}/index.html"
        def href(n):
            return f"{base}?uid={uids[k]}&pageNum={n + 1}"
        row = ('<table width="100%"><tr><td class="bt_link"><a href="{p}" target="_blank" title="{t}">{t}</a></td>'
               '<td class="bt_time" width="90">{d}</td></tr></table>') if table else \
            '<li><a href="{p}" target="_blank" title="{t}">{t}</a><span>{d}</span></li>'
        for n, chunk in enumerate(pages):
            recs = "".join("<record><![CDATA[\n" + row.format(p=p, t=_e(t), d=d) + "\n]]></record>\n" for p, t, d in chunk)
            xml = (f'<script type="text/xml"><datastore><column>{cols[k]}</column><totalrecord>{len(entries)}</totalrecord>'
                   f'<totalpage>{len(pages)}</totalpage><recordset>\n{recs}</recordset></datastore></script>')
            inner = (f'<div id="{uids[k]}">{xml}</div><div class="default_pgContainer">'
                     f'{pager(href, n, len(pages), nums=False, info=f"共{len(pages)}页")}</div>')
            for path in ([base, href(0)] if n == 0 else [href(n)]):
                c.page(path, label, inner, [(label, None)])

    hywj = c.docs(c.reps[:4] + c.dists, art("hywj")) + c.write(c.owned("doc"), art("hywj"))
    c.rng.shuffle(hywj)
    column("hywj", "会议文件", hywj, 5)
    first = next(e for e in hywj if e[0] in c.site.reports)       # cross-published: the same article id in another column
    c.copy(first[0], dup := first[0].rsplit("_", 2)[0] + f"_{cols['zt']}_" + first[0].rsplit("_", 1)[1])
    column("zt", "聚焦人代会", [(dup, first[1], first[2])] + c.write(c.owned("news"), art("zt")), 10)
    xxgk = c.docs(c.reps[4:5], art("xxgk")) + c.write(c.owned("notice"), art("xxgk"))
    for k, doc in enumerate(c.texts):
        c.docx(file := f"/module/download/downfile.jsp?classid=0&filename={c.rng.randint(10**13, 10**14)}.docx", doc)
        date = c.date()     # the first through a notice, the next one straight from the list
        xxgk.append(c.notice(art("xxgk")(date), doc, date, [file]) if k == 0 else (file, doc.title + "（docx）", date))
    column("xxgk", "信息公开", xxgk, 6, table=True)
    items = c.write(c.news[:24], art("news")) + c.docs(c.reps[5:6], art("news"))    # a report among the news
    c.rng.shuffle(items)
    column("news", "新闻动态", items, 8)
    c.trap("/jcms/index.html", "/jcms/preview/art_draft.html")
    c.home([("新闻动态", c.nav[1][1], items), ("会议文件", c.nav[2][1], hywj), ("信息公开", c.nav[3][1], xxgk)],
           f'<p><a href="/jcms/index.html">网站管理</a> <a href="{OUT}/weixin/">微信公众号</a></p>')
    c.copy("/", "/index.html")


def _phpcms(c: Ctx) -> None:
    cats = dict(zip(("news", "hywj", "gzbg", "tzgg"), sorted(c.rng.sample(range(6, 60), 4))))
    def lst(k, n=None):
        return f"/index.php?m=content&c=index&a=lists&catid={cats[k]}" + ("" if n is None else f"&page={n + 1}")
    def show(k):
        return lambda _=None: f"/index.php?m=content&c=index&a=show&catid={cats[k]}&id={c.seq()}"
    c.nav = [("网站首页", "/"), ("人大新闻", lst("news")), ("会议文件", lst("hywj")), ("工作报告", lst("gzbg")),
             ("通知公告", lst("tzgg")), ("两会专题", "/index.php?m=special&c=index&id=2")]
    c.chrome("/index.php?m=content&c=index&a=lists&catid=2", "/html/lxwm.html", "/html/en.html", "/html/wza.html",
             "/index.php?m=search")

    def column(k, label, entries, per, dated=True, kind=None):
        pages = chunks(entries, per)
        for n, chunk in enumerate(pages):
            if dated:       # titles cut to 18 characters, as the template does
                inner = "<TABLE width=\"100%\">" + "".join(
                    f'<TR><TD class="bt">·<A href="{_e(p)}" title="{_e(t)}" target="_blank">{_e(t[:18])}{"…" * (len(t) > 18)}'
                    f'</A></TD><TD width="80">{d}</TD></TR>' for p, t, d in chunk) + "</TABLE>"
            else:
                inner = "<UL>" + "".join(f'<LI><A href="{_e(p)}">{_e(t)}</A></LI>' for p, t, d in chunk) + "</UL>"
            inner += (f'<div id="pages" class="text-c">'
                      f'{pager(lambda j: lst(k, j), n, len(pages), edge=False, info=f"<a class=a1>{len(entries)}条</a>")}</div>')
            for path in ([lst(k), lst(k, 0)] if n == 0 else [lst(k, n)]):
                c.page(path, label, inner, [(label, None)], kind)

    gzbg = c.docs(c.reps[:3], show("gzbg"))
    doc, date, root = c.texts[0], c.date(), show("gzbg")()      # a report paged over three pages
    lines = [line for line in doc.text.splitlines() if line.strip()]
    per, names = -(-len(lines) // 3), [root, root + "&page=2", root + "&page=3"]
    for n, name in enumerate(names):
        c.article(name, doc.title, lines[n * per:(n + 1) * per], date,
                  extra=f'<div id="pages">{pager(lambda j: names[j], n, 3, edge=False)}</div>')
    c.site.reports[root], c.site.split[root] = doc.key, lines[-1]
    gzbg.insert(c.rng.randint(0, 3), (root, doc.title, date))
    column("gzbg", "工作报告", gzbg, 3, dated=False, kind="list")
    hywj = c.docs(c.reps[3:] + c.texts[1:] + c.dists, show("hywj")) + c.write(c.owned("doc"), show("hywj"))
    y, m, d = hywj[0][2].split("-")         # the first one also under its static address
    c.copy(hywj[0][0], static := f"/html/{y}/hywj_{m}{d}/{hywj[0][0].rsplit('=', 1)[1]}.html")
    c.page(c.nav[-1][1], "两会专题", f'<UL><LI><A href="{static}">{_e(hywj[0][1])}</A></LI>'
                                     f'<LI><A href="{OUT}/zt/lh.html">全国两会专题</A></LI></UL>')
    c.rng.shuffle(hywj)
    column("hywj", "会议文件", hywj, 6)
    column("tzgg", "通知公告", c.write(c.owned("notice"), show("tzgg")), 10)
    items = c.write(c.news[:26] + c.owned("news"), show("news"))
    c.rng.shuffle(items)
    column("news", "人大新闻", items, 10)
    c.trap("/phpsso_server/index.html", "/phpsso_server/caches/gzbg_draft.html")
    c.home([("人大新闻", lst("news"), items), ("工作报告", lst("gzbg"), gzbg)],
           '<P><A href="/phpsso_server/index.html">用户登录</A></P>')


def _jeecms(c: Ctx) -> None:
    c.nav = [("首页", "/"), ("人大新闻", "/rdxw/index.jhtml"), ("会议文件", "/hywj/index.jhtml"),
             ("常委会公报", "/cwhgb/index.jhtml"), ("通知公告", "/tzgg/index.jhtml"), ("网站地图", "/sitemap.html")]
    c.chrome("/ldzc/index.jhtml", "/lxwm.jhtml", "/en/index.jhtml", "/wza/index.jhtml", "/search.jspx")
    def art(col):
        return lambda _=None: f"/{col}/{next(c.ids)}.jhtml"
    locs = []

    def column(col, label, entries, per):
        pages = chunks(entries, per)
        def href(n):
            return f"/{col}/index.jhtml" if n == 0 else f"/{col}/index_{n + 1}.jhtml"
        for n, chunk in enumerate(pages):
            lis = "".join(f'<li><span class="time">[{d}]</span><a href="{p}" title="{_e(t)}">{_e(t)}</a></li>'
                          for p, t, d in chunk)
            c.page(href(n), label, f'<ul class="list">{lis}</ul><div class="pagination">'
                                   f'{pager(href, n, len(pages), info=f"共{len(entries)}条")}</div>', [(label, href(0))])
            locs.append(href(n))

    hywj = c.docs(c.reps[:3] + c.texts[:1] + c.dists, art("hywj"))
    c.rng.shuffle(hywj)
    column("hywj", "会议文件", hywj, 4)
    issues = []
    for k, part in enumerate(chunks(c.docs(c.reps[3:5], art("cwhgb")) + c.write(c.owned("doc"), art("cwhgb")), 3)):
        path, name = art("cwhgb")(), f"{c.place}人民代表大会常务委员会公报（{c.year + 1}年第{k + 1}号）"
        rows = "".join(f'<tr><td><a href="{p}">{_e(t)}</a></td></tr>' for p, t, d in part)     # an issue's contents
        c.page(path, name, f'<h1>{name}</h1><table class="mulu"><tr><th>目录</th></tr>{rows}</table>',
               [("常委会公报", "/cwhgb/index.jhtml")], "list")
        issues.append((path, name, c.date()))
    column("cwhgb", "常委会公报", issues, 10)
    column("tzgg", "通知公告", c.write(c.owned("notice"), art("tzgg")), 10)
    items = c.write(c.news + c.owned("news"), art("rdxw"))
    c.rng.shuffle(items)
    column("rdxw", "人大新闻", items, 10)
    lsda = c.docs(c.reps[5:] + c.texts[1:], art("lsda"))     # archives: only the 网站地图 page and sitemap_2.xml lead there
    c.page("/lsda/index.jhtml", "历史资料", "<ul>" + "".join(f'<li><a href="{p}">{_e(t)}</a></li>' for p, t, d in lsda) + "</ul>")
    c.page("/sitemap.html", "网站地图", "".join(f'<p><a href="{h}">{label}</a></p>' for label, h in c.nav[1:5])
           + '<p><a href="/lsda/index.jhtml">历史资料</a></p>')
    maps = {1: ["/"] + locs + [p for p, t, d in hywj + items[:10]], 2: ["/lsda/index.jhtml"] + [p for p, t, d in lsda]}
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    for k, urls in maps.items():
        c.put(f"/sitemap_{k}.xml", (f'<?xml version="1.0" encoding="UTF-8"?><urlset {ns}>' + "".join(
            f"<url><loc>{{origin}}{u}</loc><lastmod>{c.date()}</lastmod></url>" for u in urls) + "</urlset>").encode(), XML_TYPE)
    c.put("/sitemap.xml", (f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex {ns}>' + "".join(
        f"<sitemap><loc>{{origin}}/sitemap_{k}.xml</loc></sitemap>" for k in maps) + "</sitemapindex>").encode(), XML_TYPE)
    c.trap("/member/index.jhtml", "/member/draft/gzbg.jhtml")
    c.home([("人大新闻", "/rdxw/index.jhtml", items), ("会议文件", "/hywj/index.jhtml", hywj),
            ("常委会公报", "/cwhgb/index.jhtml", issues)],
           f'<p><a href="/member/index.jhtml">会员中心</a> <a href="{OUT}/app/">客户端下载</a></p>')


def _aspx(c: Ctx) -> None:
    cid = dict(zip(("news", "hywj", "xxgk"), c.rng.sample(range(10, 90), 3)))
    def lst(k, n=0):
        return f"/{'xxgk' if k == 'xxgk' else 'Item'}/List.aspx?cid={cid[k]}" + (f"&p={n + 1}" if n else "")
    def show(_=None):
        return f"/Item/Show.aspx?id={c.seq()}"
    c.nav = [("首页", "/"), ("人大要闻", lst("news")), ("会议文件", lst("hywj")), ("信息公开", lst("xxgk"))]
    c.chrome("/Item/Leader.aspx", "/Item/Contact.aspx", "/English/Default.aspx", "/Item/Wza.aspx", "/Search/Default.aspx")

    def column(k, label, entries, per, table=False):
        pages = chunks(entries, per)
        for n, chunk in enumerate(pages):
            if table:
                inner = '<table class="xxgk"><tr><th>索引号</th><th>名称</th><th>发布日期</th></tr>' + "".join(
                    f'<tr><td>RD{cid[k]}-{d[:4]}-{i:04d}</td><td><a href="{_e(p)}" target="_blank">{_e(t)}</a></td>'
                    f'<td>{d}</td></tr>' for i, (p, t, d) in enumerate(chunk, n * per + 1)) + "</table>"
            else:
                inner = "<ul>" + "".join(f'<li><a href="{_e(p)}">{_e(t)}</a><em>{d}</em></li>' for p, t, d in chunk) + "</ul>"
            bar = pager(lambda j: lst(k, j) if j else lst(k) + "&p=1", n, len(pages), nums=False,
                        info=f"共{len(entries)}条 第{n + 1}/{len(pages)}页")
            c.page(lst(k, n), label, f'{inner}<div class="pager">{bar}</div>', [(label, lst(k))])
        c.copy(lst(k), lst(k) + "&p=1")

    hywj = c.docs(c.reps[:4] + [d for d in c.dists if is_page(d)], show) + c.write(c.owned("doc"), show)
    c.rng.shuffle(hywj)
    column("hywj", "会议文件", hywj, 4)
    xxgk = c.docs(c.reps[5:6], show) + c.write(c.owned("notice"), show)
    for k, doc in enumerate(c.texts + c.reps[4:5] + [d for d in c.dists if not is_page(d)]):
        date = c.date()
        c.docx(file := f"/UploadFiles/file/{date.replace('-', '')}/{c.rng.randint(10**12, 10**13)}.docx", doc)
        if k == 1:          # straight from the table
            xxgk.append((file, doc.title, date))
            continue
        files = [file]
        if k == 0:          # the same file under a download handler too
            c.docx(also := f"/Common/DownLoad.aspx?fileid={c.rng.randint(1000, 9999)}", doc)
            files.append(also)
        xxgk.append(c.notice(show(), doc, date, files))
    c.rng.shuffle(xxgk)
    column("xxgk", "信息公开", xxgk, 5, table=True)
    items = c.write(c.news + c.owned("news"), show)
    column("news", "人大要闻", items, 8)
    c.trap("/Admin/Default.aspx", "/Admin/Preview.aspx")
    c.home([("人大要闻", lst("news"), items), ("会议文件", lst("hywj"), hywj), ("信息公开", lst("xxgk"), xxgk)],
           f'<p><a href="/Admin/Default.aspx">后台登录</a> <a href="{OUT}/weibo/">官方微博</a></p>')


def _gdpost(c: Ctx) -> None:
    c.nav = [("首页", "/"), ("人大要闻", "/rdyw/"), ("会议文件", "/hywj/"), ("依法履职", "/yflz/"), ("通知公告", "/tzgg/"),
             ("代表风采", "/dbfc/"), ("两会专题", "/zt/lh/")]
    c.chrome("/ldzc/index.html", "/lxwm/index.html", "/english/index.html", "/wza/index.html", "/search/index.html")
    def art(col):
        return lambda _=None: f"/{col}/content/post_{next(c.ids)}.html"
    urls = []

    def column(col, label, entries, per):       # titles only, 上一页/下一页
        pages = chunks(entries, per)
        def href(n):
            return f"/{col}/index.html" if n == 0 else f"/{col}/index_{n + 1}.html"
        for n, chunk in enumerate(pages):
            lis = "".join(f'<li><a href="{p}">{_e(t)}</a></li>' for p, t, d in chunk)
            inner = f'<ul class="list_title">{lis}</ul><div class="page">{pager(href, n, len(pages), False, False)}</div>'
            for path in ([f"/{col}/", href(0)] if n == 0 else [href(n)]):
                c.page(path, label, inner, [(label, f"/{col}/")])
        urls.append(f"/{col}/")

    hywj = c.docs(c.reps[:4] + c.dists, art("hywj")) + c.write(c.owned("doc"), art("hywj"))
    c.copy(hywj[0][0], mobile := hywj[0][0].replace("/post_", "/mpost_"))     # the mobile copy of the first report
    c.page("/zt/lh/", "两会专题", f'<ul><li><a href="{mobile}">{_e(hywj[0][1])}</a></li><li><a href="{OUT}/lh/">'
                                  f'省两会专题</a></li><li><a href="{NB}/zt/">兄弟人大专题</a></li></ul>')
    c.rng.shuffle(hywj)
    column("hywj", "会议文件", hywj, 4)
    yflz = c.docs(c.reps[4:] + c.texts, art("yflz"))
    column("yflz", "依法履职", yflz, 3)
    column("tzgg", "通知公告", c.write(c.owned("notice"), art("tzgg")), 8)
    items = c.write(c.news + c.owned("news"), art("rdyw"))
    column("rdyw", "人大要闻", items, 6)
    c.page("/dbfc/", "代表风采", "".join(f"<p>{c.place}人大代表风采展示（{k}）</p>" for k in range(3)))
    c.put("/sitemap.xml", ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                           + "".join(f"<url><loc>{{origin}}{u}</loc><lastmod>{c.date()}</lastmod></url>"
                                     for u in ["/"] + urls + [mobile] + [p for p, t, d in items[:8] + yflz])
                           + "</urlset>").encode(), XML_TYPE)
    c.trap("/zwgk/nbgl/index.html", "/zwgk/nbgl/gzbg_draft.html")
    c.home([("人大要闻", "/rdyw/", items), ("会议文件", "/hywj/", hywj), ("依法履职", "/yflz/", yflz)],
           '<p><a href="/zwgk/nbgl/index.html">内部管理</a></p>')


SITES = [(_trs, "trs", "湖北省", "/wcm/", "utf-8", False), (_hanweb, "hanweb", "台州市", "/jcms/", "utf-8", False),
         (_phpcms, "phpcms", "临澧县", "/phpsso_server/", "gb2312", True), (_jeecms, "jeecms", "宜昌市", "/member/", "utf-8", False),
         (_aspx, "aspx", "江宁区", "/Admin/", "utf-8", False), (_gdpost, "gdpost", "清新区", "/zwgk/nbgl/", "utf-8", False)]


def build(seed: int = 0) -> list[SimSite]:
    """The six sites; ``seed`` decides which labelled documents each gets and the ids in their addresses."""
    rng = random.Random(seed)
    pages, texts, other_pages, other_texts = labelled()
    for docs in (pages, texts, other_pages, other_texts):
        rng.shuffle(docs)
    sites = []
    for n, (builder, style, place, disallowed, enc, old) in enumerate(SITES):
        c = Ctx(rng, f"blind-{style}", style, place, disallowed, enc, old)
        c.reps, c.texts = pages[n * 6:(n + 1) * 6], texts[n * 2:(n + 1) * 2]
        c.dists = other_pages[n::len(SITES)] + (other_texts if style == "aspx" else [])
        builder(c)
        sites.append(c.site)
    return sites
