"""A simulated web of congress sites on 127.0.0.1, for measuring discovery (crawling without rules).

Six sites, each on its own port of 127.0.0.1 (a link to another port is off-site), in the styles of
China's government CMS families: TRS (``index_N.html`` built by ``createPageHTML`` in script), Hanweb (list
entries as XML inside ``<script type="text/xml">``, ``?uid=&pageNum=`` pagers), query pagers (``?page=``) with
下一页 links, lists that link by title only with opaque addresses and a 下一页 chain, a site whose reports are
reachable only through ``sitemap.xml``, and one that publishes reports as DOCX attachments of notices, one of
them under two addresses; on the TRS site one report is split over three pages. Every site has chrome (navigation, leaders, contact, English), news lists, a
personnel list, links to an outside host and to the next site, and a section its robots.txt disallows that
links to a report. The
reports and the distractors (government, court and procuratorate reports, plans, session news, news about a
report, notices) are the labelled web-* fixture documents, the samples and the seeds; which is which comes from
their manifests.

``build(seed)`` makes the sites, ``SimWeb`` serves them (and an outside host that counts any visit), and
``measure`` crawls them with discovery and counts report recall, distractors stored, requests per report
found and disallowed or off-site fetches (``python -m tests.tools.simweb`` prints them).
"""
from __future__ import annotations

import hashlib
import html
import io
import json
import random
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SETS = ("web-dev", "web-test", "web-extra", "web-fresh", "web-final")
REPORT_KINDS = ("report", "summary")
HTML_TYPE = "text/html; charset=utf-8"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
STYLES = ("trs", "hanweb", "query", "plain", "sitemap", "attach")
HOST = "127.0.0.1"


@dataclass
class Doc:
    key: str            # set/file
    kind: str
    title: str
    body: bytes
    ctype: str
    text: str           # the labelled body text, for attachments


@dataclass
class SimSite:
    name: str
    style: str
    address: str
    pages: dict[str, tuple[bytes, str]] = field(default_factory=dict)     # path (with query) → (body, type)
    reports: dict[str, str] = field(default_factory=dict)     # path → report key (two paths, one report)
    distractors: set[str] = field(default_factory=set)
    split: dict[str, str] = field(default_factory=dict)       # a report over several pages → its last line
    disallowed: str = "/internal/"
    port: int = 0
    hits: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return f"http://{self.address}:{self.port}"


def pool() -> tuple[list[Doc], list[Doc]]:
    """The labelled documents of the web-* sets, the samples and the seeds: (reports, distractors). Pages are
    served as written; a text or Markdown file as a plain page of its labelled title and body."""
    reports, others = [], []
    for name in SETS + ("samples", "seeds"):
        folder = ROOT / "corpus" / "seeds" if name == "seeds" else FIXTURES / name
        for entry in json.loads((FIXTURES / name / "manifest.json").read_text(encoding="utf-8")):
            path = folder / entry["file"]
            if entry.get("version_of") or not path.exists() or not entry.get("title"):
                continue        # a page with no title cannot be listed by one
            title = entry["title"]
            if path.suffix in (".html", ".htm"):
                body, ctype = path.read_bytes(), f"text/html; charset={entry.get('encoding') or 'utf-8'}"
            else:
                paras = "".join(f"<p>{html.escape(line)}</p>" for line in entry.get("body", "").splitlines() if line.strip())
                body, ctype = _page(title, f"<h1>{html.escape(title)}</h1>{paras}"), HTML_TYPE
            kind = entry.get("kind") or ("other" if entry.get("doc_type") == "other" else "report")  # samples: no kind
            doc = Doc(f"{name}/{entry['file']}", kind, title, body, ctype, entry.get("body", ""))
            (reports if doc.kind in REPORT_KINDS else others).append(doc)
    return reports, others


def _docx(title: str, text: str) -> bytes:
    import docx
    d = docx.Document()
    d.add_heading(title, level=1)
    for line in text.splitlines():
        if line.strip():
            d.add_paragraph(line.strip())
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _page(title: str, inner: str, extra_head: str = "") -> bytes:
    nav = ('<div class="top"><a href="/">首页</a> <a href="/rdgk/index.html">人大概况</a> <a href="/ldzc/">领导之窗</a> '
           '<a href="/lxwm.html">联系我们</a> <a href="/en/">English</a> <a href="/wza/">无障碍</a></div>')
    foot = (f'<div class="foot"><a href="http://{HOST}:{{outside}}/">中国人大网</a> '
            f'<a href="http://{HOST}:{{outside}}/gov/">市人民政府</a> <a href="{{neighbour}}/">兄弟人大</a> 版权所有</div>')
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>{extra_head}</head>'
            f'<body>{nav}<div class="main">{inner}</div>{foot}</body></html>').encode()


def _li(href: str, title: str, date: str = "2024-01-09") -> str:
    return f'<li><a href="{href}" title="{html.escape(title)}">{html.escape(title)}</a><span>{date}</span></li>'


def _news(rng: random.Random, n: int) -> list[tuple[str, bytes]]:
    """Short news pages (titles without a report's name)."""
    out = []
    for k in range(n):
        title = rng.choice(["市人大常委会召开党组会议", "常委会领导赴基层开展调研", "人大代表视察重点项目建设",
                            "市人大常委会举办专题讲座", "常委会机关开展志愿服务活动"]) + f"（{k + 1}）"
        out.append((title, _page(title, f"<h1>{title}</h1><p>{title}。会议强调，要认真贯彻落实有关部署要求。</p>")))
    return out


def _personnel(title: str = "市人大常委会任免名单") -> bytes:
    names = "".join(f"<p>任命张{c}为市人民政府某某局局长；</p>" for c in "一二三四五六七八")
    return _page(title, f"<h1>{title}</h1>{names}")


def _chrome(site: SimSite, rng: random.Random) -> dict[str, str]:
    """Pages every site has; returns the home page's extra navigation (label → href)."""
    site.pages["/rdgk/index.html"] = (_page("人大概况", "<p>本市人民代表大会常务委员会简介。</p>"), HTML_TYPE)
    site.pages["/ldzc/"] = (_page("领导之窗", "".join(f'<p><a href="/ldzc/{k}.html">常委会领导{k}</a></p>'
                                                for k in range(4))), HTML_TYPE)
    for k in range(4):
        site.pages[f"/ldzc/{k}.html"] = (_page(f"常委会领导{k}", "<p>简历。</p>"), HTML_TYPE)
    site.pages["/lxwm.html"] = (_page("联系我们", "<p>地址、电话。</p>"), HTML_TYPE)
    site.pages["/en/"] = (_page("English", "<p>People's Congress</p>"), HTML_TYPE)
    site.pages["/wza/"] = (_page("无障碍", "<p>无障碍浏览。</p>"), HTML_TYPE)
    news = _news(rng, 8)
    items = "".join(_li(f"/xwzx/n{k}.html", t) for k, (t, _) in enumerate(news))
    site.pages["/xwzx/index.html"] = (_page("新闻中心", f"<ul>{items}</ul>"), HTML_TYPE)
    for k, (_, body) in enumerate(news):
        site.pages[f"/xwzx/n{k}.html"] = (body, HTML_TYPE)
    site.pages["/rsrm/index.html"] = (_page("人事任免", f'<ul>{_li("/rsrm/1.html", "市人大常委会任免名单（2024年1月）")}</ul>'),
                                      HTML_TYPE)
    site.pages["/rsrm/1.html"] = (_personnel(), HTML_TYPE)
    site.distractors.add("/rsrm/1.html")
    # the disallowed section: it links to a report page that only robots.txt keeps the crawler from
    site.pages["/internal/index.html"] = (_page("内部资料", _li("/internal/r.html", "常委会工作报告（内部稿）")), HTML_TYPE)
    site.pages["/internal/r.html"] = site.pages["/rsrm/1.html"]
    return {"新闻中心": "/xwzx/index.html", "人事任免": "/rsrm/index.html", "内部资料": "/internal/index.html"}


def _home(site: SimSite, nav: dict[str, str]) -> None:
    links = " ".join(f'<a href="{href}">{label}</a>' for label, href in nav.items())
    site.pages["/"] = (_page(f"{site.name}人大", f'<div class="nav">{links}</div>'
                             f'<p><a href="http://{HOST}:{{outside}}/links.html">友情链接</a></p>'), HTML_TYPE)


def _place(site: SimSite, path: str, doc: Doc) -> None:
    site.pages[path] = (doc.body, doc.ctype)
    if doc.kind in REPORT_KINDS:
        site.reports[path] = doc.key
    else:
        site.distractors.add(path)


def _split(site: SimSite, path: str, doc: Doc, pages: int = 3) -> None:
    """A report split over ``pages`` pages, TRS style: ``t…_123.html``, ``t…_123_1.html`` …, each with the
    title and the dateline again and a 第N页 pager; only the first page is the report's address."""
    lines = [line for line in doc.text.splitlines() if line.strip()]
    per = -(-len(lines) // pages)
    stem = path.rsplit(".", 1)[0]
    names = [path] + [f"{stem}_{k}.html" for k in range(1, pages)]
    pager = " ".join(f'<a href="{n.rsplit("/", 1)[1]}">第{k + 1}页</a>' for k, n in enumerate(names))
    for k, name in enumerate(names):
        body = "".join(f"<p>{html.escape(line)}</p>" for line in lines[k * per:(k + 1) * per])
        site.pages[name] = (_page(doc.title, f'<div class="article"><h1>{html.escape(doc.title)}</h1>'
                                             f'<p class="info">发布时间：2024-01-09 来源：常委会办公厅</p>{body}'
                                             f'<div class="pages">{pager}</div></div>'), HTML_TYPE)
    site.reports[path] = doc.key
    site.split[path] = lines[-1]


def _paged(site: SimSite, docs: list[Doc], per: int, href) -> list[list[tuple[str, str]]]:
    """Place the documents at the addresses ``href(doc)`` gives, ``per`` to a list page: each page's
    (address, title) entries."""
    pages = []
    for i in range(0, len(docs), per):
        pages.append([])
        for doc in docs[i:i + per]:
            _place(site, (path := href(doc)), doc)
            pages[-1].append((path, doc.title))
    return pages


def _trs(site: SimSite, docs: list[Doc], rng: random.Random) -> dict[str, str]:
    pages = _paged(site, docs, 4, lambda doc: f"/wjzl/2024{rng.randint(1, 12):02d}/"
                                              f"t2024{rng.randint(101, 1228):04d}_{rng.randint(10**6, 10**7)}.html")
    first = next((path for path, key in site.reports.items() if path.startswith("/wjzl/")), None)
    if first:       # one report published over three pages
        _split(site, first, next(d for d in docs if d.key == site.reports[first]))
    for n, entries in enumerate(pages):
        items = "".join(_li("." + path[len("/wjzl"):], title) for path, title in entries)
        script = f'<script>var countPage = {len(pages)};createPageHTML(countPage, {n}, "index", "html");</script>'
        site.pages[f"/wjzl/index{'' if n == 0 else f'_{n}'}.html"] = (_page("文件资料", f"<ul>{items}</ul>{script}"),
                                                                      HTML_TYPE)
    return {"文件资料": "/wjzl/index.html"}


def _hanweb(site: SimSite, docs: list[Doc], rng: random.Random) -> dict[str, str]:
    pages = _paged(site, docs, 4, lambda doc: f"/art/2024/1/{rng.randint(1, 28)}/art_1001_{rng.randint(10**5, 10**6)}.html")
    pager = " ".join(f'<a href="/col/col1001/index.html?uid=4521&pageNum={k + 1}">{k + 1}</a>' for k in range(len(pages)))
    for n, entries in enumerate(pages):
        records = "".join(f"<record><![CDATA[{_li(path, title)}]]></record>" for path, title in entries)
        xml = (f'<script type="text/xml"><datastore><nextgroup><![CDATA[]]></nextgroup><recordset>{records}'
               f'</recordset></datastore></script>')
        path = "/col/col1001/index.html" + ("" if n == 0 else f"?uid=4521&pageNum={n + 1}")
        site.pages[path] = (_page("常委会工作", f'<div id="4521">{xml}</div><div class="pager">{pager}</div>'), HTML_TYPE)
    return {"常委会工作": "/col/col1001/index.html"}


def _query(site: SimSite, docs: list[Doc], rng: random.Random) -> dict[str, str]:
    pages = _paged(site, docs, 3, lambda doc: f"/show.php?id={rng.randint(1000, 9999)}")
    nums = " ".join(f'<a href="/list.php?cid=3&page={k + 1}">{k + 1}</a>' for k in range(len(pages)))
    for n, entries in enumerate(pages):
        nxt = f' <a href="/list.php?cid=3&page={n + 2}">下一页</a>' if n + 1 < len(pages) else ""
        items = "".join(_li(path, title) for path, title in entries)
        site.pages["/list.php?cid=3" + ("" if n == 0 else f"&page={n + 1}")] = \
            (_page("会议文件", f"<ul>{items}</ul><div>{nums}{nxt}</div>"), HTML_TYPE)
    site.pages["/list.php?cid=3&page=1"] = site.pages["/list.php?cid=3"]
    return {"会议文件": "/list.php?cid=3"}


def _plain(site: SimSite, docs: list[Doc], rng: random.Random) -> dict[str, str]:
    pages = _paged(site, docs, 3, lambda doc: f"/p/{hashlib.sha1(doc.key.encode()).hexdigest()[:8]}.html")
    for n, entries in enumerate(pages):
        items = "".join(f'<p><a href="{path}">{html.escape(title)}</a></p>' for path, title in entries)
        nxt = f'<a href="/rdgz/list_{n + 2}.html">下一页</a>' if n + 1 < len(pages) else ""
        site.pages["/rdgz/" if n == 0 else f"/rdgz/list_{n + 1}.html"] = (_page("人大工作", items + nxt), HTML_TYPE)
    return {"人大工作": "/rdgz/"}


def _sitemap(site: SimSite, docs: list[Doc], rng: random.Random) -> dict[str, str]:
    locs = []
    for doc in docs:
        href = f"/docs/{rng.randint(10**5, 10**6)}.html"
        _place(site, href, doc)
        locs.append(href)
    site.pages["/sitemap.xml"] = (
        ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
         + "".join(f"<url><loc>{{origin}}{h}</loc></url>" for h in locs + ["/rdgk/index.html", "/xwzx/index.html"])
         + "</urlset>").encode(), "application/xml")
    return {}


def _attach(site: SimSite, docs: list[Doc], rng: random.Random) -> dict[str, str]:
    items = ""
    for k, doc in enumerate(docs):
        notice = f"/gg/{k}.html"
        file = f"/gg/files/{rng.randint(10**5, 10**6)}.docx"
        name = f"关于印发《{doc.title}》的通知"
        site.pages[notice] = (_page(name, f"<h1>{html.escape(name)}</h1><p>各有关单位：现将有关文件印发给你们。</p>"
                                          f'<p>附件：<a href="{file}">{html.escape(doc.title)}.docx</a></p>'), HTML_TYPE)
        site.pages[file] = (_docx(doc.title, doc.text), DOCX_TYPE)
        if doc.kind in REPORT_KINDS:
            site.reports[file] = doc.key
        else:
            site.distractors.add(file)
        items += _li(notice, name)
    first = next((f for f, key in site.reports.items()), None)
    if first:       # one report under a second address (a mirror the news list links to)
        site.pages["/mirror" + first] = site.pages[first]
        site.reports["/mirror" + first] = site.reports[first]
        site.pages["/xwzx/index.html"] = (site.pages["/xwzx/index.html"][0].replace(
            b"</ul>", f'{_li("/mirror" + first, "常委会工作报告全文下载")}</ul>'.encode()), HTML_TYPE)
    site.pages["/gg/index.html"] = (_page("公告公报", f"<ul>{items}</ul>"), HTML_TYPE)
    return {"公告公报": "/gg/index.html"}


BUILDERS = {"trs": _trs, "hanweb": _hanweb, "query": _query, "plain": _plain, "sitemap": _sitemap, "attach": _attach}


def build(seed: int = 0, reports_per_site: int = 7, distractors_per_site: int = 2) -> list[SimSite]:
    """The six sites, each with its share of the fixture reports and distractors, shuffled by ``seed``."""
    rng = random.Random(seed)
    reports, others = pool()
    rng.shuffle(reports)
    rng.shuffle(others)
    sites = []
    for n, style in enumerate(STYLES):
        site = SimSite(f"sim-{style}", style, HOST)
        docs = reports[n * reports_per_site:(n + 1) * reports_per_site] + \
            others[n * distractors_per_site:(n + 1) * distractors_per_site]
        rng.shuffle(docs)
        nav = _chrome(site, rng)
        nav = {**BUILDERS[style](site, docs, rng), **nav}
        _home(site, nav)
        sites.append(site)
    return sites


class _Handler(BaseHTTPRequestHandler):
    site: SimSite | None = None
    outside_hits: list[str]
    lock: threading.Lock

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        site = self.site
        with self.lock:
            (site.hits if site else self.outside_hits).append(self.path)
        if site is None:
            return self._send(200, b"<html><body>outside</body></html>", HTML_TYPE)
        if self.path == "/robots.txt":
            return self._send(200, f"User-agent: *\nDisallow: {site.disallowed}\n".encode(), "text/plain")
        page = site.pages.get(self.path)
        if page is None:
            return self._send(404, b"<h1>404</h1>", HTML_TYPE)
        body, ctype = page
        if ctype.startswith(("text/html", "application/xml")):
            body = body.replace(b"{outside}", str(self.server.outside_port).encode()) \
                .replace(b"{origin}", site.origin.encode()).replace(b"{neighbour}", self.server.neighbour.encode())
        self._send(200, body, ctype)

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class SimWeb:
    """Serves the sites, each on its own loopback address, and the outside host; a context manager."""

    def __init__(self, sites: list[SimSite]):
        self.sites = sites
        self.outside_hits: list[str] = []
        self._servers: list[ThreadingHTTPServer] = []

    def __enter__(self) -> "SimWeb":
        lock = threading.Lock()
        outside = self._serve(HOST, None, lock)
        servers = []
        for site in self.sites:
            servers.append(self._serve(site.address, site, lock))
            site.port = servers[-1].server_address[1]
        for k, server in enumerate(servers):
            server.outside_port = outside.server_address[1]
            server.neighbour = self.sites[(k + 1) % len(self.sites)].origin
        return self

    def _serve(self, address: str, site: SimSite | None, lock: threading.Lock) -> ThreadingHTTPServer:
        handler = type("Handler", (_Handler,), {"site": site, "outside_hits": self.outside_hits, "lock": lock})
        server = ThreadingHTTPServer((address, 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self._servers.append(server)
        return server

    def __exit__(self, *exc) -> None:
        for s in self._servers:
            s.shutdown()
            s.server_close()

    def sources(self, path: Path, max_pages: int | None = None) -> Path:
        """A sources file naming each site by its home page only (discovery)."""
        lines = []
        for site in self.sites:
            lines += ["[[sites]]", f'name = "{site.name}"', f'start_urls = ["{site.origin}/"]', "delay_s = 0.0"]
            if max_pages:
                lines.append(f"max_pages = {max_pages}")
            lines.append("")
        path.write_text("\n".join(lines), encoding="utf-8")
        return path


@dataclass
class Figures:
    reports: int = 0            # reports on the sites (a report under two addresses counts once)
    found: int = 0              # of them, stored as reports
    distractors_stored: int = 0
    requests: int = 0           # to the site crawled, robots.txt not counted
    disallowed: int = 0         # requests into a section robots.txt disallows
    off_site: int = 0           # requests to the outside host or to another site than the one crawled
    per_site: dict[str, dict] = field(default_factory=dict)

    @property
    def recall(self) -> float:
        return self.found / self.reports if self.reports else 0.0

    @property
    def requests_per_report(self) -> float:
        return self.requests / self.found if self.found else float("inf")

    def lines(self) -> list[str]:
        out = [f"{name}: {f['found']}/{f['reports']} reports, {f['distractors']} distractors stored, "
               f"{f['requests']} requests" + (f"; missed {', '.join(f['missed'])}" if f["missed"] else "")
               + (f"; distractors {', '.join(f['distractor_paths'])}" if f["distractor_paths"] else "")
               for name, f in self.per_site.items()]
        out.append(f"report recall {self.recall:.3f} ({self.found}/{self.reports}); distractors stored "
                   f"{self.distractors_stored}; requests per report found {self.requests_per_report:.2f} "
                   f"({self.requests} requests); disallowed fetches {self.disallowed}; off-site fetches {self.off_site}")
        return out


def stored_as_reports(out: Path) -> dict[str, set[str]]:
    """Per site, the paths (with query) stored for ingest in a crawl directory."""
    import sqlite3
    from urllib.parse import urlsplit

    from indexer.fetch.state import DB_NAME, INGESTED_KINDS
    db = sqlite3.connect(out / DB_NAME)
    try:
        rows = db.execute(f"SELECT site, url FROM pages WHERE sha256 IS NOT NULL AND kind IN "
                          f"({', '.join('?' * len(INGESTED_KINDS))})", INGESTED_KINDS).fetchall()
    finally:
        db.close()
    found: dict[str, set[str]] = {}
    for site, url in rows:
        parts = urlsplit(url)
        found.setdefault(site, set()).add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def measure(web: SimWeb, out: Path, clock=None, max_pages: int | None = None) -> Figures:
    """Crawl every site of ``web`` into ``out`` with discovery and count what came of it."""
    from indexer.fetch.crawl import Crawler
    from indexer.fetch.sources import load_sources
    from indexer.fetch.state import CrawlState
    from indexer.settings import SETTINGS
    from indexer.understand.judge import judge_page
    sites = load_sources(web.sources(out.parent / f"{out.name}.toml", max_pages), SETTINGS, allow_local=True)
    fig = Figures()
    with CrawlState(out, **({"clock": clock} if clock else {})) as state:
        crawler = Crawler(state, SETTINGS, judge=judge_page)
        for site, sim in zip(sites, web.sites):
            before = {s.name: len(s.hits) for s in web.sites}
            outside_before = len(web.outside_hits)
            crawler.crawl(site)
            fig.off_site += len(web.outside_hits) - outside_before + sum(
                len(s.hits) - before[s.name] for s in web.sites if s is not sim)
    stored = stored_as_reports(out)
    for site in web.sites:
        got = stored.get(site.name, set())
        keys = set(site.reports.values())
        found = {site.reports[p] for p in got if p in site.reports}
        wrong = sorted(p for p in got if p not in site.reports)
        requests = [h for h in site.hits if h != "/robots.txt"]
        fig.reports += len(keys)
        fig.found += len(found)
        fig.distractors_stored += len(wrong)
        fig.requests += len(requests)
        fig.disallowed += sum(h.startswith(site.disallowed) for h in requests)
        fig.per_site[site.name] = {"reports": len(keys), "found": len(found), "distractors": len(wrong),
                                   "requests": len(requests), "missed": sorted(keys - found), "distractor_paths": wrong}
    return fig
