"""Discovery: links with their text from anchors, script lists and script pagers; priorities; the judge of
pages; and a crawl of the simulated web (six CMS styles) held to the targets of report recall, distractors,
requests per report and fetches it must never make."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from indexer.fetch import discover
from indexer.fetch.discover import Link, page_links, priority, script_pages, sitemap_urls
from indexer.understand.judge import judge_page
from tests.fetch import simweb, simweb_blind

PAGE = "http://rd.example.cn/wjzl/index.html"


def test_links_come_with_their_text_from_anchors_script_lists_and_script_pagers():
    html = ("<html><body><a href='./202401/t20240109_1.html' title='t'>某市人大常委会\n工作报告</a>"
            "<a href='/x.html'><img alt=''></a><a href='javascript:go()'>go</a><a href='#top'>top</a>"
            "<a href='/en/' title='English version'></a>"
            "<script type='text/xml'><datastore><recordset><record><![CDATA[<li><a href=\"/art/2024/1/9/art_1_2.html\" "
            "title=\"述法报告\">述法报告</a></li>]]></record></recordset></datastore></script>"
            "<script>var countPage = 3;createPageHTML(countPage, 0, \"index\", \"html\");</script></body></html>")
    links = {link.url: link for link in page_links(html.encode(), "text/html; charset=utf-8", PAGE)}
    assert links["http://rd.example.cn/wjzl/202401/t20240109_1.html"].text == "某市人大常委会工作报告"
    assert links["http://rd.example.cn/art/2024/1/9/art_1_2.html"] == \
        Link("http://rd.example.cn/art/2024/1/9/art_1_2.html", "述法报告", "script")
    assert links["http://rd.example.cn/en/"].text == "Englishversion"
    assert {u for u, link in links.items() if link.how == "pager"} == \
        {f"http://rd.example.cn/wjzl/{n}" for n in ("index.html", "index_1.html", "index_2.html")}
    assert not any(u.startswith("javascript") or u.endswith("#top") for u in links)


def test_a_trs_pager_with_numbers_written_in_its_call():
    assert script_pages('createPageHTML(2, 1, "index", "shtml")', PAGE) == \
        ["http://rd.example.cn/wjzl/index.shtml", "http://rd.example.cn/wjzl/index_1.shtml"]
    assert script_pages("createPageHTML(countPage, 0)", PAGE) == []        # nothing to build it from


def test_sitemap_addresses():
    body = b"<urlset><url><loc> http://a.cn/1.html </loc></url><url><loc><![CDATA[http://a.cn/2.html]]></loc></url>" \
           b"<url><loc>ftp://a.cn/x</loc></url></urlset>"
    assert sitemap_urls(body) == ["http://a.cn/1.html", "http://a.cn/2.html"] and not discover.is_sitemap_index(body)
    index = b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap>' \
            b"<loc>http://a.cn/sitemap-1.xml</loc></sitemap></sitemapindex>"
    assert discover.is_sitemap_index(index) and sitemap_urls(index) == ["http://a.cn/sitemap-1.xml"]


@pytest.mark.parametrize("text, url, page_kind, expected", [
    ("XX市人大常委会2023年工作报告", "http://a.cn/p/8f3k.html", "list", discover.REPORT_LINK),
    ("遵義市人大常委會工作報告", "http://a.cn/p/8f3l.html", "list", discover.REPORT_LINK),     # a Big5 repost's list
    ("宿迁市人大常委会2020年度履职回眸", "http://a.cn/p/1.html", "list", discover.REPORT_LINK),
    ("山西省人大常委会机关2020年度法治机关建设情况报告", "http://a.cn/p/2.html", "list", discover.REPORT_LINK),
    ("网站地图", "http://a.cn/sitemap.html", "start", discover.SECTION),
    ("会议文件", "http://a.cn/hywj/", "start", discover.SECTION),
    ("下一页", "http://a.cn/list_2.html", "list", discover.PAGER),
    ("下一页", "http://a.cn/list_2.html", "other", discover.PAGER - 30),
    ("2", "http://a.cn/list.php?cid=3&page=2", "list", discover.PAGER),
    ("工作报告全文.pdf", "http://a.cn/f/1.pdf", "other", discover.ATTACHMENT),
    ("下载", "http://a.cn/f/1.docx", "other", discover.ATTACHMENT - 40),
    ("下载", "http://a.cn/f/1.docx", "report", discover.OTHER + 10),
    ("", "http://a.cn/wjzl/t20240109_1_1.html", "report", None),
    ("联系我们", "http://a.cn/lxwm.html", "start", None),
    ("English", "http://a.cn/en/", "start", None),
])
def test_priorities(text, url, page_kind, expected):
    page = "http://a.cn/wjzl/t20240109_1.html" if page_kind == "report" else "http://a.cn/list.php?cid=3"
    got = priority(Link(url, text, "a"), page, page_kind)
    if url.endswith("_1_1.html"):      # a report's own next page comes before anything else it links to
        assert got == discover.CONTINUATION
    else:
        assert got == expected


@pytest.fixture(scope="module")
def pool():
    return simweb.pool()


def test_the_judge_tells_reports_from_lists_and_other_pages(pool):
    reports, others = pool
    for doc in reports[:6]:
        verdict = judge_page(doc.body, doc.ctype, "http://a.cn/x.html")
        assert verdict.kind == "report", (doc.key, verdict)
    for doc in others:
        assert judge_page(doc.body, doc.ctype, "http://a.cn/x.html").kind != "report", doc.key
    titles = "".join(f'<li><a href="/a/{k}.html">某某市人大常委会{2010 + k}年工作报告</a></li>' for k in range(12))
    page = f"<html><head><title>常委会工作报告</title></head><body><ul>{titles}</ul></body></html>".encode()
    verdict = judge_page(page, "text/html; charset=utf-8", "http://a.cn/list.html")
    assert verdict.kind == "list" and "12" in verdict.why


@pytest.mark.parametrize("web_of, seed", [(simweb.build, 0), (simweb.build, 1), (simweb_blind.build, 0),
                                          (simweb_blind.build, 1)])
def test_discovery_on_the_simulated_webs_meets_the_targets(tmp_path, clock, web_of, seed):
    """Our own simulated web, and the one written without looking at the crawler (simweb_blind)."""
    sites = web_of(seed)
    assert len({s.style for s in sites}) >= 6
    with simweb.SimWeb(sites) as web:
        figures = simweb.measure(web, tmp_path / "crawl", clock)
    report = "\n".join(figures.lines())
    assert figures.reports >= 40, report
    assert figures.recall >= 0.9, report
    assert figures.distractors_stored <= 2, report
    assert figures.disallowed == 0 and figures.off_site == 0, report
    assert figures.requests_per_report <= 10, report


def test_dry_run_prints_reports_and_lists_and_keeps_nothing(tmp_path, command_clock):
    from click.testing import CliRunner

    from search_app.cli.main import main
    sites = simweb.build(2)[:1]
    with simweb.SimWeb(sites) as web:
        sources = web.sources(tmp_path / "sources.toml")
        result = CliRunner().invoke(main, ["crawl", "--sources", str(sources), "--dry-run", "--allow-local"])
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert {urlsplit(url).path for _, kind, url, _ in lines if kind == "report"} == set(sites[0].reports)
    assert all(why for *_, why in lines) and any(kind == "list" for _, kind, _, _ in lines)
    assert not list(tmp_path.glob("**/crawl.sqlite"))


def test_the_registry_lists_the_national_and_every_provincial_congress_site_unchecked():
    from indexer.divisions import divisions
    from indexer.fetch.sources import load_sources
    from tests.conftest import ROOT
    sites = load_sources(ROOT / "corpus" / "sources.toml")
    registry = [s for s in sites if s.name.startswith("rd-")]
    provinces = {d.name for d in divisions().values() if d.level == "provincial"} - {"台湾省", "香港特别行政区", "澳门特别行政区"}
    assert len(provinces) == 31
    assert {s.note for s in registry} == {f"{p}人大常委会" for p in provinces} | {"全国人民代表大会常务委员会（中国人大网）"}
    assert len(registry) == 32 and all(s.discover and len(s.start_urls) == 1 for s in registry)
    assert all(not s.checked and s.last_checked for s in sites)
    assert {"npc", "beijing", "zhejiang", "guangdong", "sichuan", "neimenggu"} <= {s.name for s in sites if not s.discover}


def test_check_says_how_each_site_answers(tmp_path, command_clock):
    from click.testing import CliRunner

    from search_app.cli.main import main
    sites = simweb.build(0)[:1]
    with simweb.SimWeb(sites):
        origin = sites[0].origin
        sources = tmp_path / "sources.toml"
        sources.write_text("".join(f'[[sites]]\nname = "{name}"\nstart_urls = ["{url}"]\ndelay_s = 0.0\n\n' for name, url in [
            ("home", f"{origin}/"), ("gone", f"{origin}/nowhere/"), ("kept-out", f"{origin}/internal/index.html"),
            ("down", "http://127.0.0.1:9/")]), encoding="utf-8")
        result = CliRunner().invoke(main, ["crawl", "--sources", str(sources), "--check", "--allow-local"])
    assert result.exit_code == 0, result.output
    lines = {line.split("\t")[0]: line for line in result.stdout.splitlines()}
    assert "robots.txt HTTP 200" in lines["home"] and f"HTTP 200 《{sites[0].name}人大》" in lines["home"]
    assert lines["gone"].endswith("HTTP 404")
    assert lines["kept-out"].endswith("disallowed by robots.txt")
    assert "robots.txt unreachable" in lines["down"] and "not asked" in lines["down"]


def test_a_report_over_several_pages_is_fetched_whole_and_read_as_one(tmp_path, clock):
    from indexer.fetch.state import ingestable, read_stored
    from indexer.understand.pipeline import parse_file
    sites = simweb.build(0)[:1]
    with simweb.SimWeb(sites) as web:
        simweb.measure(web, tmp_path / "crawl", clock)
        root, last_line = next(iter(sites[0].split.items()))
        stem = root.rsplit(".", 1)[0]
        assert {f"{stem}_1.html", f"{stem}_2.html"} <= set(sites[0].hits)
        bodies = {read_stored(p).url.removeprefix(sites[0].origin): p for p in ingestable(tmp_path / "crawl")}
    assert not {u for u in bodies if u.startswith(stem + "_")}        # the further pages are not reports
    stored = read_stored(bodies[root])
    assert len(stored.parts) == 2
    doc = parse_file(bodies[root])
    assert doc.text.rstrip().endswith(last_line.strip()) and doc.text.count("发布时间") == 0
    assert doc.title and doc.text.count(doc.title) <= 1            # the title each further page repeats, dropped


def test_a_site_with_rules_also_keeps_a_report_s_further_pages_as_its_parts(tmp_path, clock):
    from indexer.fetch.crawl import Crawler
    from indexer.fetch.sources import load_sources
    from indexer.fetch.state import CrawlState, ingestable, read_stored
    from indexer.settings import SETTINGS
    sites = simweb.build(0)[:1]
    with simweb.SimWeb(sites):
        site = sites[0]
        sources = tmp_path / "rules.toml"
        sources.write_text(f'[[sites]]\nname = "trs"\nstart_urls = ["{site.origin}/wjzl/index.html"]\ndelay_s = 0.0\n'
                           "allow = ['/wjzl/index(_\\d+)?\\.html$']\n"
                           "article = ['/wjzl/\\d{6}/t\\d+_\\d+(_\\d+)?\\.html$']\n", encoding="utf-8")
        with CrawlState(tmp_path / "crawl", clock) as state:
            Crawler(state, SETTINGS).crawl(load_sources(sources, allow_local=True)[0])
        root = next(iter(site.split))
        stored = {read_stored(p).url.removeprefix(site.origin): read_stored(p) for p in ingestable(tmp_path / "crawl")}
    assert root in stored and len(stored[root].parts) == 2
    assert not [u for u in stored if u.startswith(root.rsplit(".", 1)[0] + "_")]


def test_hostile_pages_are_read_in_one_pass():
    """Pages built to make a backtracking pattern quadratic (minutes each, before): each is read at once."""
    from indexer.understand.judge import judge_page
    assert page_links(("<html>" + "<script>href" * 30000).encode(), "text/html", PAGE) == []
    assert sitemap_urls(b"<loc>http://a.cn/" * 30000) == []
    assert script_pages("createPageHTML(" * 30000, PAGE) == []
    assert judge_page(("<html>" + "<a href=x>" * 30000).encode(), "text/html", PAGE).kind in ("list", "other")


def test_a_page_the_judge_trips_over_is_recorded_and_the_crawl_goes_on(tmp_path, clock):
    from indexer.fetch.crawl import Crawler
    from indexer.fetch.sources import load_sources
    from indexer.fetch.state import CrawlState

    def judge(body, ctype, url):
        raise RuntimeError("a parser's bug")
    sites = simweb.build(0)[:1]
    with simweb.SimWeb(sites) as web:
        site = load_sources(web.sources(tmp_path / "s.toml"), allow_local=True)[0]
        with CrawlState(tmp_path / "crawl", clock) as state:
            summary = Crawler(state, judge=judge).crawl(site)
            why = state.db.execute("SELECT why FROM pages WHERE url=?", (f"{sites[0].origin}/",)).fetchone()[0]
    assert summary.stopped is None and summary.reports == 0
    assert why == "could not be read: RuntimeError: a parser's bug"


@pytest.mark.parametrize("url, root", [
    ("http://a.cn/show.php?id=5&cat=a%20b&page=2", "http://a.cn/show.php?id=5&cat=a%20b"),
    ("http://a.cn/show.php?id=5&x=&page=3", "http://a.cn/show.php?id=5&x="),
    ("http://a.cn/wjzl/202401/t20240109_123456_2.html", "http://a.cn/wjzl/202401/t20240109_123456.html"),
])
def test_a_further_page_knows_its_first_page_as_written(url, root):
    assert discover.part_root(url) == root and discover.continuation(url, root) is not None


def test_parts_attach_to_a_first_page_reached_by_redirect_and_never_to_themselves(tmp_path, clock):
    from indexer.fetch.state import CrawlState, Page, read_stored
    with CrawlState(tmp_path / "c", clock) as state:
        run, _ = state.open_run("s", ["http://a.cn/"])
        sha = state.store_body(b"<html>page one</html>", url="http://a.cn/t1.html", final_url="https://a.cn/t1.html",
                               status=200, headers=[], content_type="text/html", site="s", kind="article")
        state.record(Page("http://a.cn/t1.html", "s", "article", "fetched", sha256=sha, final_url="https://a.cn/t1.html"),
                     run)
        two = state.store_body(b"<html>page two</html>", url="https://a.cn/t1_1.html", final_url="https://a.cn/t1_1.html",
                               status=200, headers=[], content_type="text/html", site="s", kind="part")
        state.attach_part("https://a.cn/t1.html", 1, "https://a.cn/t1_1.html", two)
        state.attach_part("https://a.cn/t1.html", 2, "https://a.cn/t1_2.html", sha)     # the same bytes again
    stored = read_stored(tmp_path / "c" / "raw" / sha[:2] / f"{sha}.body")
    assert [p.read_bytes() for p in stored.parts] == [b"<html>page two</html>"]
