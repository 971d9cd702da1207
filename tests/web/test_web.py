"""The Flask app through its test client: every route, its JSON twin, errors and headers (HTML parsed, R8)."""
import json
from urllib.parse import parse_qsl, urlencode, urlparse

import pytest
from bs4 import BeautifulSoup

from search_app.web import create_app


@pytest.fixture(scope="module")
def client(index_dir):
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()


def soup(resp):
    return BeautifulSoup(resp.data, "html.parser")


def test_home_page(client):
    r = client.get("/")
    assert r.status_code == 200
    assert soup(r).select_one("form.search input[name=q]") is not None


def test_search_page_results_facets_and_json_twin(client):
    r = client.get("/?q=%22备案审查%22&per_page=5")
    page = soup(r)
    assert r.status_code == 200
    cards = page.select("article.result")
    assert len(cards) == 5
    assert all(c.select_one(".snippet mark").get_text() == "备案审查" for c in cards)
    assert page.select_one(".facet[data-facet=region] ul.tree")
    twin = client.get(page.select_one(".summary a")["href"])
    assert "备案审查".encode() in twin.data and twin.data.startswith(b'{"query"')
    data = twin.get_json()
    assert data["total"] == int(page.select_one(".total").get_text())
    assert [h["passage_id"] for h in data["hits"]] == [c["id"][2:] for c in cards]


def submit(form, toggle: tuple[str, str] | None = None, **fields) -> str:
    """The URL a browser asks for when ``form`` is submitted, after toggling one checkbox (name, value) and
    typing ``fields`` into its text boxes."""
    pairs = []
    for inp in form.select("input[name]"):
        name = inp["name"]
        if inp.get("type") == "checkbox":
            on = inp.has_attr("checked") != ((name, inp["value"]) == toggle)
            pairs += [(name, inp["value"])] if on else []
        else:
            pairs.append((name, fields.get(name, inp.get("value", ""))))
    return form["action"] + "?" + urlencode(pairs)


def facet_box(page, facet: str, value: str):
    return next(b for b in page.select(f".facet[data-facet={facet}] input[type=checkbox]") if b["value"] == value)


def box_count(box) -> int:
    return int(box.find_parent("label").find_next_sibling(class_="count").get_text())


def test_facets_are_checkboxes_in_a_form_that_works_without_script(client):
    page = soup(client.get("/?q=监督&sort=newest"))
    form = page.select_one("form.facet-form")
    assert form["method"] == "get" and form["action"] == "/"
    assert form.select_one("button[type=submit]").get_text() == "应用"
    assert {i["name"]: i["value"] for i in form.select("input[type=hidden]")} == {"q": "监督", "sort": "newest"}
    boxes = form.select("input[type=checkbox]")
    assert {b["name"] for b in boxes} == {"region", "province", "level", "year", "section", "type"}
    assert all(b.find_parent("label").get_text(strip=True) for b in boxes)
    assert not page.select("[role=checkbox]")
    county = facet_box(page, "level", "county")
    filtered = soup(client.get(submit(form, ("level", "county"))))
    ticked = filtered.select(".facet[data-facet=level] input[checked]")
    assert [b["value"] for b in ticked] == ["county"] and ticked[0].find_parent("li")["class"] == ["selected"]
    assert int(filtered.select_one(".total").get_text()) == box_count(county)
    data = client.get("/api/search?q=监督&level=county").get_json()
    assert {h["level"] for h in data["hits"]} == {"county"} and data["total"] == box_count(county)
    unticked = soup(client.get(submit(filtered.select_one("form.facet-form"), ("level", "county"))))
    assert unticked.select_one(".total").get_text() == page.select_one(".total").get_text()


def test_every_active_filter_is_a_removable_chip_on_a_page_with_results(client):
    page = soup(client.get("/?q=监督&level=county&year_from=2015&year_to=2023"))
    assert int(page.select_one(".total").get_text()) > 0
    chips = {a.get_text(" ", strip=True).split(" ✕")[0]: a for a in page.select(".results .chips a.drop")}
    assert set(chips) == {"层级 县级", "年份 2015–2023年"}
    year = chips["年份 2015–2023年"]
    assert link_value(year, "year_from") is None and link_value(year, "level") == "county"
    assert link_value(chips["层级 县级"], "level") is None and link_value(chips["层级 县级"], "year_from") == "2015"
    clear = page.select_one(".chips a.clear")
    assert link_value(clear, "q") == "监督" and link_value(clear, "level") is None and link_value(clear, "year_to") is None


def test_year_range_can_be_changed_once_set(client):
    page = soup(client.get("/?q=监督&level=county&year_from=2015&year_to=2020&page=2&per_page=5"))
    form = page.select_one("form.years")
    assert form.select_one("#year-from")["value"] == "2015" and form.select_one("#year-to")["value"] == "2020"
    hidden = [i["name"] for i in form.select("input[type=hidden]")]
    assert sorted(hidden) == ["level", "per_page", "q"]
    url = submit(form, year_from="2021", year_to="2023")
    changed = soup(client.get(url))
    api = client.get("/api/search?q=监督&level=county&year=2021-2023&per_page=50").get_json()
    assert int(changed.select_one(".total").get_text()) == api["total"] > 0
    assert {h["year"] for h in api["hits"]} <= {2021, 2022, 2023}
    assert changed.select_one("#year-from")["value"] == "2021"


def test_year_facet_and_range_are_one_filter(client):
    """The range ticks the years inside it; ticking a year outside widens it, unticking an end narrows it."""
    page = soup(client.get("/?q=监督&year_from=2015&year_to=2020"))
    boxes = {int(b["value"]): b for b in page.select(".facet[data-facet=year] input")}
    assert {y for y, b in boxes.items() if b.has_attr("checked")} == {y for y in boxes if 2015 <= y <= 2020}
    assert {2010, 2022} <= set(boxes)             # years outside the range are still offered, with their counts
    assert box_count(boxes[2022]) == client.get("/api/search?q=监督&year=2022").get_json()["total"]
    form = page.select_one("form.facet-form")
    wider = soup(client.get(submit(form, ("year", "2022"))))
    api = client.get("/api/search?q=监督&year=2015-2022").get_json()
    assert int(wider.select_one(".total").get_text()) == api["total"]
    assert wider.select_one("#year-from")["value"] == "2015" and wider.select_one("#year-to")["value"] == "2022"
    narrower = soup(client.get(submit(form, ("year", "2015"))))
    assert int(narrower.select_one(".total").get_text()) == client.get(
        "/api/search?q=监督&year=2017-2020").get_json()["total"]


@pytest.mark.parametrize("bounds,span", [(("2010", "2025"), "2010-2025"), (("2019", ""), "2019-"),
                                         (("", "2018"), "-2018")])
def test_changing_another_filter_keeps_the_year_range(client, bounds, span):
    """Under 县级 fewer years have hits; unticking 县级 brings back the whole range, open ends included."""
    page = soup(client.get(f"/?q=监督&level=county&year_from={bounds[0]}&year_to={bounds[1]}"))
    wider = soup(client.get(submit(page.select_one("form.facet-form"), ("level", "county"))))
    assert not wider.select(".facet[data-facet=level] input[checked]")
    assert int(wider.select_one(".total").get_text()) == client.get(f"/api/search?q=监督&year={span}").get_json()["total"]
    assert (wider.select_one("#year-from").get("value", ""), wider.select_one("#year-to").get("value", "")) == bounds


def test_years_ticked_apart_search_the_span_and_say_so(client):
    page = soup(client.get("/?q=监督&year=2014&year=2017"))
    ticked = [b["value"] for b in page.select(".facet[data-facet=year] input[checked]")]
    assert ticked == ["2017", "2015", "2014"]
    assert "2015" in page.select_one(".facet[data-facet=year] .note").get_text()
    assert int(page.select_one(".total").get_text()) == client.get(
        "/api/search?q=监督&year=2014-2017").get_json()["total"]
    assert not soup(client.get("/?q=监督&year=2014&year=2015")).select(".facet[data-facet=year] .note")


def test_browsing_by_year_range_alone_shows_results(client):
    api = client.get("/api/search?year_from=2019&year_to=2020").get_json()
    page = soup(client.get("/?year_from=2019&year_to=2020"))
    assert int(page.select_one(".total").get_text()) == api["total"] > 0
    assert [c["id"][2:] for c in page.select("article.result")] == [h["passage_id"] for h in api["hits"]]
    assert {h["year"] for h in api["hits"]} <= {2019, 2020}


def test_citation_button_and_passage_link(client):
    card = soup(client.get("/?q=有备必审")).select_one("article.result")
    button = card.select_one("button.cite")
    assert button["data-citation"].startswith("《") and "年）" in button["data-citation"]
    href = card.select_one("h3 a")["href"]
    doc = client.get(href.split("#")[0])
    assert doc.status_code == 200
    anchor = soup(doc).select_one("#" + href.split("#")[1])
    assert anchor is not None and anchor.select_one("mark").get_text() == "有备必审"


def test_citation_names_the_report_and_its_top_level_section(client):
    """A slogan title gives way to the congress and the report type; the section is the level-1 heading
    holding the passage, not the run-in sub-heading (“加大监督力度。”)."""
    page = soup(client.get("/?q=加大监督力度"))
    card = next(c for c in page.select("article.result") if "巴彦淖尔" in c.select_one(".meta").get_text())
    button = card.select_one("button.cite")
    assert card.select_one(".heading").get_text() == "加大监督力度。"
    assert button["data-citation"] == "《巴彦淖尔市人大常委会工作综述》（2020年）“三、全力抓好监督工作”"
    pid = card["id"][2:]
    hit = next(h for h in client.get("/api/search?q=加大监督力度").get_json()["hits"] if h["passage_id"] == pid)
    assert button["data-url"] == f"http://localhost/doc/{hit['doc_id']}#p-{pid}"       # no web source: the reader
    assert button["data-text"] == hit["text"] and hit["text"].startswith("加大监督力度")
    assert (hit["citation"], hit["citation_url"]) == (button["data-citation"], button["data-url"])
    sim = soup(client.get(f"/similar?passage_id={pid}")).select("button.cite")
    assert sim and all(b["data-citation"].startswith("《") and b["data-url"] for b in sim)


@pytest.mark.parametrize("doc,name", [
    ({"title": "围绕中心 服务大局 努力开创新时代人大工作新局面", "body": "巴彦淖尔市人大常委会", "region": "巴彦淖尔市",
      "doc_type": "工作综述"}, "巴彦淖尔市人大常委会工作综述"),
    ({"title": "浙江省人民代表大会常务委员会工作报告", "body": "浙江省人大常委会", "region": "浙江省",
      "doc_type": "工作报告"}, "浙江省人民代表大会常务委员会工作报告"),
    ({"title": "凝心聚力担使命 依法履职谱新篇丨2024年义乌市人大常委会工作综述", "body": "义乌市人大常委会",
      "region": "义乌市", "doc_type": "工作综述"}, "2024年义乌市人大常委会工作综述"),
    ({"title": "2023年党组书记述法工作报告（人大）", "body": "韩城市人大常委会", "region": "韩城市",
      "doc_type": "述法报告"}, "韩城市人大常委会述法报告"),
    ({"title": "XX县人大常委会党组书记、主任2019年度述法报告", "body": "XX县人大常委会", "region": None,
      "doc_type": "述法报告"}, "XX县人大常委会党组书记、主任2019年度述法报告"),
    ({"title": "赣州市人大常委会工作报告提请市人代会审议", "body": "赣州市人大常委会", "region": "赣州市",
      "doc_type": "other"}, "赣州市人大常委会工作报告提请市人代会审议"),
    ({"title": "聚焦发展大局", "body": "", "region": None, "doc_type": "other"}, "聚焦发展大局"),
])
def test_report_name_in_citations(doc, name):
    from search_app.core.citations import report_name
    assert report_name(doc) == name


def test_citation_points_to_the_web_source_when_there_is_one(web_sourced):
    client, doc_id, url = web_sourced
    button = soup(client.get("/?q=监督")).select_one("button.cite")
    assert button["data-url"] == url and button["data-citation"].startswith("《巴彦淖尔市人大常委会工作综述》（2020年）“")


def test_doc_json_twin_and_404(client):
    data = client.get("/api/search?q=有备必审&per_page=1").get_json()
    doc_id = data["hits"][0]["doc_id"]
    assert client.get(f"/api/doc/{doc_id}").get_json()["doc_id"] == doc_id
    r = client.get("/api/doc/nope")
    assert r.status_code == 404 and r.get_json() == {"ok": False, "error": "索引中没有编号为 'nope' 的报告。",
                                                     "status": 404}
    assert client.get("/doc/nope").status_code == 404


def test_table_of_contents_links_to_its_own_headings(client):
    checked = 0
    for doc_id in {h["doc_id"] for h in client.get("/api/search?q=监督&per_page=50").get_json()["hits"]}:
        page = soup(client.get(f"/doc/{doc_id}"))
        headings = page.select("article.doc h2")
        links = page.select("nav.toc a")
        assert len(links) == len(headings), doc_id        # no headings, no table of contents
        for a in links:
            target = page.find(id=a["href"][1:])
            assert target is not None and target.name == "h2" and target.get_text() == a.get_text(), a
            checked += 1
    assert checked > 50


@pytest.fixture(scope="module")
def web_sourced(tmp_path_factory):
    """An index with one report crawled from the web, stored also under a server path and a hostile 'source'."""
    from indexer.store import write_documents
    from indexer.understand.pipeline import parse_bytes
    from indexer.update import rebuild
    from tests.conftest import SEEDS
    url = "https://www.example.gov.cn/rdyw/report?id=1&lang=zh"
    doc = parse_bytes((SEEDS / "001_ff0f401e9b94a24c.txt").read_bytes(), url, "text/plain; charset=utf-8")
    doc.sources = [url, "/srv/lrsearch/corpus/raw/ab/abcdef.html", "C:\\reports\\巴彦淖尔.docx",
                   "javascript:alert(1)"]
    tmp = tmp_path_factory.mktemp("web_sourced")
    index = tmp / "index"
    rebuild(index, write_documents(tmp / "docs", [doc]))
    return create_app({"INDEX_DIR": str(index), "TESTING": True}).test_client(), doc.doc_id, url


def test_reader_links_web_sources_and_names_no_server_path(web_sourced):
    client, doc_id, url = web_sourced
    page = soup(client.get(f"/doc/{doc_id}"))
    sources = page.select_one("p.sources")
    links = sources.select("a")
    assert [(a["href"], a["rel"]) for a in links] == [(url, ["noopener", "noreferrer"])]
    assert [s.get_text() for s in sources.select("span.source")] == ["abcdef.html", "巴彦淖尔.docx",
                                                                     "javascript:alert(1)"]
    assert "/srv/" not in page.get_text() and "reports" not in sources.get_text()
    data = client.get(f"/api/doc/{doc_id}").get_json()
    assert data["sources"] == [url, "abcdef.html", "巴彦淖尔.docx", "javascript:alert(1)"] and data["source"] == url


def test_reader_with_a_query_that_cannot_be_parsed_shows_the_report_unmarked(client):
    doc_id = client.get("/api/search?q=有备必审&per_page=1").get_json()["hits"][0]["doc_id"]
    for q in ("OR", "%22unbalanced", "(a"):
        r = client.get(f"/doc/{doc_id}?q={q}")
        page = soup(r)
        assert r.status_code == 200 and page.select("p.passage") and not page.select("mark")
        assert page.select_one("article.doc .note").get_text().startswith("检索词无法用于标记")


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def test_werkzeug_errors_are_in_chinese_in_both_forms(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and soup(page).select_one(".message").get_text() == "找不到这个页面。"
    api = client.get("/api/no-such-thing")
    assert api.status_code == 404 and api.get_json() == {"ok": False, "error": "找不到这个页面。", "status": 404}
    post = client.post("/api/search?q=监督")
    assert post.status_code == 405 and post.get_json()["error"] == "这个地址不接受这种请求方式。"
    assert "GET" in post.headers["Allow"]
    assert soup(client.post("/")).select_one(".message").get_text() == "这个地址不接受这种请求方式。"


@pytest.mark.parametrize("query", ["q=%22unbalanced", "q=监督&page=0", "q=监督&page=abc", "q=监督&per_page=1000",
                                   "q=监督&sort=random", "q=" + "x" * 300, "q=*abc", "q=监督&year=abc"])
def test_bad_parameters_give_400_in_both_forms(client, query):
    api = client.get("/api/search?" + query)
    assert api.status_code == 400
    body = api.get_json()
    assert body["ok"] is False and body["status"] == 400 and has_cjk(body["error"]), body
    page = client.get("/?" + query)
    assert page.status_code == 400 and soup(page).select_one(".message").get_text() == body["error"]


def test_query_errors_of_the_core_get_a_chinese_lead_in(client):
    body = client.get("/api/search?q=%22unbalanced").get_json()
    assert body["error"].startswith("查询无法执行：") and "引号不成对" in body["error"]
    assert client.get("/api/search?q=监督&page=0").get_json()["error"] == "页码 page须是 1 到 500 之间的整数，而不是 '0'"


@pytest.mark.parametrize("q,tree,filters", [
    ("备案审查 OR 执法检查 -专题询问 level:county year:2019-2023", "备案审查 或 （执法检查 并且 不含 专题询问）",
     ["层级：县级", "年份：2019–2023年"]),
    ('"联系点 立法"~5', "“联系点 立法”（5 词以内）", []),
    ("(立法 OR 法规) 质量 region:浙江省,四川省", "（立法 或 法规） 并且 质量", ["地区：浙江省、四川省"]),
    ("-监督 立法", "不含 监督 并且 立法", []),
])
def test_parsed_query_is_shown_in_chinese_with_its_filters(client, q, tree, filters):
    summary = soup(client.get("/", query_string={"q": q})).select_one(".summary")
    assert summary.select_one(".parsed").get_text() == tree
    assert [f.get_text() for f in summary.select(".query-filter")] == filters
    assert not {"AND", "OR", "NOT"} & set(summary.get_text().split())


def test_missing_index_message_is_chinese_and_names_no_path(tmp_path):
    client = create_app({"INDEX_DIR": str(tmp_path)}).test_client()
    for url in ("/api/search?q=x", "/?q=x"):
        r = client.get(url)
        text = r.get_json()["error"] if url.startswith("/api") else soup(r).select_one(".message").get_text()
        assert r.status_code == 503 and has_cjk(text) and str(tmp_path) not in r.get_data(as_text=True)


def test_similar_and_stats_api(client):
    pid = client.get("/api/search?q=有备必审&per_page=1").get_json()["hits"][0]["passage_id"]
    sim = client.get(f"/api/similar?passage_id={pid}&limit=3").get_json()
    assert len(sim["hits"]) == 3 and all(h["passage_id"] != pid for h in sim["hits"])
    st = client.get("/api/stats?q=备案审查&by=year,level").get_json()
    assert st["total"] > 0 and {"year", "level", "reports", "reports_held"} <= set(st["rows"][0])
    assert client.get("/api/similar").status_code == 400


def test_security_headers_on_every_kind_of_response(client):
    for url in ("/", "/?q=监督", "/api/search?q=监督", "/api/doc/nope", "/?q=%22", "/static/style.css"):
        with client.get(url) as resp:        # closes the static file the response streams
            h = resp.headers
        assert "frame-ancestors 'none'" in h["Content-Security-Policy"] and "script-src 'self'" in \
            h["Content-Security-Policy"]
        assert h["X-Content-Type-Options"] == "nosniff" and h["Referrer-Policy"] == "no-referrer"
        assert "Set-Cookie" not in h


@pytest.mark.parametrize("value", ["False", "0", "no", "off"])
def test_debug_is_never_on(index_dir, monkeypatch, value):
    monkeypatch.setenv("LRSEARCH_DEBUG", value)
    app = create_app({"INDEX_DIR": str(index_dir)})
    assert app.debug is False and app.config["DEBUG"] is False


def test_internal_error_has_no_traceback(index_dir):
    app = create_app({"INDEX_DIR": str(index_dir)})

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret detail")
    r = app.test_client().get("/boom")
    assert r.status_code == 500 and b"Traceback" not in r.data and b"secret detail" not in r.data


def test_missing_index_is_503(tmp_path):
    r = create_app({"INDEX_DIR": str(tmp_path)}).test_client().get("/api/search?q=x")
    assert r.status_code == 503 and json.loads(r.data)["ok"] is False


XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "javascript:alert(1)", "'><svg onload=alert(1)>",
       "<iframe src=//x>", "</mark><script>x</script>"]


@pytest.mark.parametrize("payload", XSS)
def test_no_executable_markup_from_queries(client, payload):
    from urllib.parse import quote
    for url in (f"/?q={quote(payload)}", f"/?q=监督&region={quote(payload)}", f"/doc/x?q={quote(payload)}"):
        page = soup(client.get(url))
        assert not page.find_all(["script"], src=False) or all(s.get("src") for s in page.find_all("script"))
        assert not [t for t in page.find_all(True) if any(a.startswith("on") for a in t.attrs)]
        assert not page.find_all(["iframe", "svg", "img"])


def test_export_streams_the_whole_result_set(client):
    import csv
    import io
    total = client.get("/api/search?q=监督&per_page=1").get_json()["total"]
    page = soup(client.get("/?q=监督&per_page=5"))
    link = page.select_one("a.export")["href"]
    with client.get(link) as r:
        assert r.status_code == 200 and r.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment" in r.headers["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == total > 5
    assert all(not v.startswith(("=", "+", "-", "@")) for row in rows for v in row.values())
    with client.get("/export.jsonl?q=监督&level=county") as r:
        assert r.headers["Content-Type"] == "application/x-ndjson; charset=utf-8"
        lines = [json.loads(line) for line in r.get_data(as_text=True).splitlines()]
    assert lines and {x["level"] for x in lines} == {"county"}
    with client.get("/export.csv?q=%22unbalanced") as r:
        assert r.status_code == 400


def test_limits_are_named_settings(index_dir):
    small = create_app({"INDEX_DIR": str(index_dir), "KWIC_HITS": 2, "EXPORT_ROWS": 3}).test_client()
    with small.get("/export.jsonl?q=监督") as r:
        assert len(r.get_data(as_text=True).splitlines()) == 3
    lines = soup(small.get("/kwic?q=监督")).select("table.kwic tbody tr")
    sources = {a["href"] for a in soup(small.get("/kwic?q=监督")).select("table.kwic td.src a")}
    assert lines and len(sources) <= 2


def test_export_cells_are_neutralised():
    from search_app.formats import delimited_lines
    row = {"title": '=HYPERLINK("x")', "text": "@SUM(1)", "heading": "-2+3", "body": "+1"}
    text = "".join(delimited_lines([row], row))
    assert "'=HYPERLINK" in text and "'@SUM" in text and "'-2+3" in text and "'+1" in text


def test_trends_page_chart_and_numbers(client):
    page = soup(client.get("/trends?q=备案审查"))
    bars = page.select("figure.chart svg g.year rect")
    rows = page.select("table.years-table tbody tr")
    twin = client.get(page.select_one(".summary a")["href"]).get_json()
    assert bars and len(rows) == len(twin["years"]) and len(bars) == sum(not r["gap"] for r in twin["years"])
    assert [int(r.select_one("th").get_text()) for r in rows] == [r["year"] for r in twin["years"]]
    assert page.select("table.matrix tbody tr")
    assert client.get("/trends?q=x&by=bogus").status_code == 400


def test_trends_show_every_year_and_mark_the_ones_not_held(client):
    page = soup(client.get("/trends?q=监督"))
    data = client.get("/api/trends?q=监督").get_json()
    years = [r["year"] for r in data["years"]]
    assert years == list(range(years[0], years[-1] + 1)) and 2011 in years
    gaps = {r["year"] for r in data["years"] if r["gap"]}
    held = {r["year"]: r["reports_held"] for r in client.get("/api/stats?by=year").get_json()["rows"] if r["year"]}
    assert gaps == set(years) - set(held) and gaps
    table = {int(tr.th.get_text()): [td.get_text() for td in tr.select("td")] for tr in page.select(".years-table tbody tr")}
    assert all(table[y] == ["未收录"] for y in gaps)
    slots = page.select("figure.chart svg g")
    assert len(slots) == len(years)
    marked = [g.select("text")[-1].get_text() for g in slots]
    assert [m == "未收录" for m in marked] == [r["gap"] for r in data["years"]]
    assert all(not g.select("rect") for g in page.select("figure.chart svg g.gap"))          # zero height
    assert [m for m, r in zip(marked, data["years"]) if not r["gap"]] == [f"{held[y]}份" for y in years if y in held]
    mids = [float(g.select("text")[-1]["x"]) for g in slots]
    assert len({round(b - a, 1) for a, b in zip(mids, mids[1:])}) == 1     # one slot per year, gaps included


def test_trend_bars_are_hits_per_report_held(client):
    page = soup(client.get("/trends?q=备案审查"))
    data = client.get("/api/trends?q=备案审查").get_json()
    rows = [r for r in data["years"] if not r["gap"]]
    heights = [float(r["height"]) for r in page.select("figure.chart svg g.year rect")]
    top = max(r["passages_per_report"] for r in rows)
    assert all(abs(h / max(heights) - r["passages_per_report"] / top) < 0.01 for h, r in zip(heights, rows))
    assert all(r["passages_per_report"] == round(r["passages"] / r["reports_held"], 4) for r in rows)


def test_trends_matrix_is_headed_in_chinese(client):
    for by, label in (("province", "省份"), ("region", "地区"), ("level", "层级"), ("doc_type", "文种"),
                      ("section", "栏目")):
        page = soup(client.get(f"/trends?q=监督&by={by}"))
        assert page.select_one("table.matrix thead th").get_text() == label
        assert page.select_one(".dimensions a[aria-current]").get_text() == label
    levels = [th.get_text() for th in soup(client.get("/trends?q=监督&by=level")).select("table.matrix tbody th")]
    assert set(levels) <= {"全国", "省级", "市级", "县级"} and levels


def test_trends_with_filters_alone_show_data_like_the_json(client):
    page = soup(client.get("/trends?year=2020"))
    data = client.get("/api/trends?year=2020").get_json()
    assert [r["year"] for r in data["years"]] == [2020]
    stats_row = next(r for r in client.get("/api/stats?year=2020&by=year").get_json()["rows"] if r["year"] == 2020)
    assert data["years"][0]["passages"] == stats_row["passages"] > 0
    assert [td.get_text() for td in page.select(".years-table tbody td")][:3] == [
        str(stats_row["passages"]), str(stats_row["reports"]), str(data["years"][0]["reports_held"])]
    bare = soup(client.get("/trends"))
    assert bare.select("figure.chart svg g.year rect") and bare.h1.get_text() == "收录概况"


def test_trend_shares_are_of_the_reports_the_filters_keep(client):
    """Under level=county the denominator is the county reports held that year, not every report held."""
    data = client.get("/api/trends?q=监督&level=county").get_json()
    county = {r["year"]: r["reports"] for r in client.get("/api/stats?level=county&by=year").get_json()["rows"]
              if r["reports"]}
    held = [r for r in data["years"] if not r["gap"]]
    assert held and all(r["reports_held"] == county[r["year"]] for r in held)
    assert all(0 < r["share_of_reports"] <= 1 for r in held if r["reports"])
    assert {r["year"] for r in data["years"] if r["gap"]} == set(range(data["years"][0]["year"],
                                                                         data["years"][-1]["year"] + 1)) - set(county)


def test_compare_regions_side_by_side(client):
    url = "q=监督&by=province&province=内蒙古自治区&province=浙江省&province=四川省"
    page = soup(client.get("/compare?" + url))
    twin_url = page.select_one(".summary a[href^='/api/']")["href"]
    assert twin_url.startswith("/api/trends?") and parse_qsl(urlparse(twin_url).query) == parse_qsl(url)
    data = client.get(twin_url).get_json()
    figures = page.select(".multiples figure")
    assert [f.h3.get_text() for f in figures] == ["内蒙古自治区", "浙江省", "四川省"]      # in the order chosen
    assert {g["name"] for g in data["groups"]} == {"内蒙古自治区", "浙江省", "四川省"}
    held = {(r["province"], r["year"]): r["reports_held"] for r in
            client.get("/api/stats?by=province,year").get_json()["rows"]}
    years = [r["year"] for r in data["years"]]
    for fig in figures:
        group = next(g for g in data["groups"] if g["name"] == fig.h3.get_text())
        slots = fig.select("svg g")
        assert len(slots) == len(years)
        for slot, r in zip(slots, group["years"]):
            assert r["reports_held"] == held.get((group["name"], r["year"]), 0)
            assert slot.select("text")[-1].get_text() == ("—" if r["gap"] else str(r["reports_held"]))
            rect = slot.select_one("rect")
            assert (rect is None) == r["gap"]
            if rect is not None:      # one scale for all: a full share is the full plot height
                assert abs(float(rect["height"]) - r["share_of_reports"] * (150 - 58)) < 0.1
    header = [th.get_text() for th in page.select(".compare-table thead tr")[0].select("th")]
    assert header == ["年份", "内蒙古自治区", "浙江省", "四川省"]
    first = page.select(".compare-table tbody tr")[0]
    assert first.th.get_text() == str(years[0]) and len(first.select("td")) == 6


def test_compare_form_carries_the_state_in_the_url(client):
    page = soup(client.get("/compare?q=监督&by=province&province=浙江省&province=四川省&level=county"))
    form = page.select_one("form.compare-form")
    boxes = form.select("input[list=cmp-choices]")
    assert len(boxes) == 5 and {b["name"] for b in boxes} == {"province"}
    assert [b.get("value", "") for b in boxes] == ["浙江省", "四川省", "", "", ""]
    options = {o["value"] for o in page.select("datalist#cmp-choices option")}
    assert {"浙江省", "内蒙古自治区", "四川省"} <= options and "扎鲁特旗" not in options
    url = submit(form, province="内蒙古自治区")       # every box typed over with one name: fewer than two
    assert soup(client.get(url)).select_one(".multiples") is None
    regions = soup(client.get("/compare?by=region&region=巴彦淖尔市&region=湖州市"))
    assert {o["value"] for o in regions.select("datalist option")} >= {"扎鲁特旗", "湖州市"}
    assert [f.h3.get_text() for f in regions.select(".multiples figure")] == ["巴彦淖尔市", "湖州市"]
    assert regions.select_one(".compare-form legend a[aria-current]").get_text() == "地区"
    per_report = soup(client.get("/compare?q=监督&by=region&region=巴彦淖尔市&region=湖州市&metric=passages_per_report"))
    assert per_report.select(".compare-table thead tr")[1].th.get_text() == "每份报告段落"


def test_compare_needs_two_to_five_known_names(client):
    assert soup(client.get("/compare?q=监督&province=浙江省")).select_one(".multiples") is None
    six = "&".join(f"province={p}" for p in ("浙江省", "四川省", "山东省", "贵州省", "江西省", "安徽省"))
    r = client.get("/compare?q=监督&" + six)
    assert r.status_code == 400 and "最多" in soup(r).select_one(".message").get_text()
    page = soup(client.get("/compare?q=监督&province=浙江省&province=火星省&province=四川省"))
    assert "火星省" in page.select_one(".note[role=note]").get_text()
    assert [f.h3.get_text() for f in page.select(".multiples figure")] == ["浙江省", "四川省"]
    assert client.get("/compare?by=level&level=county&level=city").status_code == 400


def test_kwic_page_sorts_by_context(client):
    page = soup(client.get("/kwic?q=有备必审&order=right"))
    rights = [td.get_text() for td in page.select("table.kwic td.right")]
    assert rights and rights == sorted(rights)
    assert all(m.get_text() == "有备必审" for m in page.select("table.kwic td.match mark"))
    assert client.get("/kwic?q=x&order=up").status_code == 400


@pytest.mark.parametrize("order", ["", "left", "right"])
def test_kwic_json_twin_has_the_page_lines(client, order):
    page = soup(client.get(f"/kwic?q=监督&order={order}"))
    twin = page.select_one(".summary a[href^='/api/']")["href"]
    assert twin.startswith("/api/kwic?") and parse_qsl(urlparse(twin).query, keep_blank_values=True) == [
        ("q", "监督"), ("order", order)]
    data = client.get(twin).get_json()
    rows = [[td.get_text() for td in tr.select("td")[:3]] for tr in page.select("table.kwic tbody tr")]
    assert rows == [[x["left"], x["match"], x["right"]] for x in data["lines"]] and len(rows) > 100
    assert data["hits"] == 100 and data["total"] > 100 and data["order"] == (order or None)
    assert page.select_one(".summary a[aria-current]").get_text() == {"": "相关度", "left": "左语境", "right": "右语境"}[order]
    links = [a["href"] for a in page.select("table.kwic td.src a")]
    assert links[0] == f"/doc/{data['lines'][0]['doc_id']}?q=%E7%9B%91%E7%9D%A3#p-{data['lines'][0]['passage_id']}"
    assert client.get("/api/kwic").status_code == 400 and client.get("/api/kwic?q=监督&order=up").status_code == 400


def test_precedents_page_and_its_json_twin_list_the_same(client):
    text = "坚持有件必备、有备必审、有错必纠，认真审查规范性文件"
    page = soup(client.get(f"/similar?text={text}"))
    twin = page.select_one(".summary a")["href"]
    data = client.get(twin).get_json()
    assert twin.startswith("/api/similar?")
    assert [c["id"][2:] for c in page.select("article.result")] == [h["passage_id"] for h in data["hits"]]
    n = len(data["hits"])       # one per report: at most the 20 of the default, at most the reports held
    assert 0 < n <= 20 and n == len(client.get(f"/api/similar?text={text}").get_json()["hits"])
    assert len({h["doc_id"] for h in data["hits"]}) == n
    small = create_app({"INDEX_DIR": client.application.config["INDEX_DIR"], "SIMILAR_LIMIT": 3,
                        "MAX_SIMILAR_CHARS": 30}).test_client()
    assert len(soup(small.get(f"/similar?text={text}")).select("article.result")) == 3
    assert len(small.get(f"/api/similar?text={text}").get_json()["hits"]) == 3
    long = small.get("/api/similar?text=" + "监督" * 20)
    assert long.status_code == 400 and long.get_json()["error"].startswith("粘贴的文字太长")
    assert soup(small.get("/similar")).select_one("textarea")["maxlength"] == "30"


def test_precedents_page(client):
    page = soup(client.get("/similar?text=坚持有件必备、有备必审、有错必纠，认真审查规范性文件"))
    assert page.select("article.result") and page.select_one("textarea").get_text().startswith("坚持有件必备")
    link = soup(client.get("/?q=有备必审")).select_one("article.result a.similar")["href"]
    assert soup(client.get(link)).select("article.result")


def test_year_range_form_and_passage_steps(client):
    page = soup(client.get("/?q=监督&year_from=2015&year_to=2020"))
    years = [int(b["value"]) for b in page.select(".facet[data-facet=year] input[checked]")]
    assert years and all(2015 <= y <= 2020 for y in years)
    form = page.select_one("form.years")
    assert form.select_one("input[name=q]")["value"] == "监督"
    assert form.select_one("input[name=year_from]")["value"] == "2015"
    hit = client.get("/api/search?q=有备必审&per_page=1").get_json()["hits"][0]
    doc = soup(client.get(f"/doc/{hit['doc_id']}"))
    passages = doc.select("p.passage")
    assert passages[0].select_one("a[rel=next]")["href"] == "#" + passages[1]["id"]
    assert passages[1].select_one("a[rel=prev]")["href"] == "#" + passages[0]["id"]
    assert passages[-1].select_one("a[rel=next]") is None


def test_reader_marks_what_the_search_page_marks(client):
    """Unquoted words are marked word by word on both pages (one rule in the core, not two)."""
    q = "执法检查专题询问"
    card = soup(client.get("/?q=" + q)).select_one("article.result")
    on_search = {m.get_text() for m in card.select(".snippet mark")}
    doc = soup(client.get(card.select_one("h3 a")["href"].split("#")[0]))
    in_reader = {m.get_text() for m in doc.select("p.passage mark")}
    assert on_search <= {"执法检查", "专题询问", "执法检查专题询问"} and on_search
    assert on_search <= in_reader


def link_value(a, arg):
    from urllib.parse import parse_qs, urlparse
    return parse_qs(urlparse(a["href"]).query).get(arg, [None])[-1]


def test_region_tree_arranges_exactly_the_json_facets(client):
    data = client.get("/api/search?q=监督").get_json()
    assert set(data["facets"]) == {"region", "province", "level", "year", "section", "doc_type"}
    assert all(set(item) == {"value", "count"} for items in data["facets"].values() for item in items)
    tree = soup(client.get("/?q=监督")).select_one(".facet[data-facet=region] ul.tree")
    counts = {(b["data-filter"], b["value"]): box_count(b) for b in tree.select("input[type=checkbox]")}
    assert counts == {(name, f["value"]): f["count"] for name in ("region", "province")
                      for f in data["facets"][name] if f["value"]}
    assert all(b["name"] == b["data-filter"] for b in tree.select("input"))
    provinces = [label.get_text(strip=True) for label in tree.select(":scope > li > .row > label")]
    assert provinces[0] == "全国" and "内蒙古自治区" in provinces
    county = tree.select_one("input[value=扎鲁特旗]")
    path = [li.select_one(":scope > .row > label, :scope > details > summary.name").get_text(strip=True)
            for li in county.find_parents("li")]
    assert path == ["扎鲁特旗", "通辽市", "内蒙古自治区"]
    assert not tree.select("details[open]")                  # nothing selected: everything folded
    assert [n["name"] for n in data["region_tree"]] == provinces


def test_selecting_from_the_tree_filters_and_stays_visible(client):
    page = soup(client.get("/?q=监督"))
    form = page.select_one("form.facet-form")
    picked = soup(client.get(submit(form, ("region", "扎鲁特旗"))))
    chosen = picked.select("ul.tree input[checked]")
    assert [(b["name"], b["value"]) for b in chosen] == [("region", "扎鲁特旗")]
    folds = chosen[0].find_parents("details")
    assert len(folds) == 3 and all(d.has_attr("open") for d in folds)   # 通辽市, 内蒙古自治区 and the filter panel
    api = client.get("/api/search?q=监督&per_page=50&region=扎鲁特旗").get_json()
    assert {h["region"] for h in api["hits"]} == {"扎鲁特旗"} and api["total"] == int(picked.select_one(".total").text)
    unpicked = soup(client.get(submit(picked.select_one("form.facet-form"), ("region", "扎鲁特旗"))))
    assert unpicked.select_one(".total").text == page.select_one(".total").text
    province = page.select_one("ul.tree input[data-filter=province][value=内蒙古自治区]")
    narrowed = soup(client.get(submit(form, ("province", "内蒙古自治区"))))
    assert narrowed.select_one("ul.tree > li.selected details[open]")
    assert int(narrowed.select_one(".total").text) == box_count(province)


def test_a_filtered_facet_still_offers_its_other_values_to_or_in(client):
    """Ticking 县级 keeps 市级 in the sidebar with the count it would add; ticking it too gives the sum."""
    county = client.get("/api/search?q=监督&level=county").get_json()
    city = client.get("/api/search?q=监督&level=city").get_json()
    page = soup(client.get("/?q=监督&level=county"))
    assert facet_box(page, "level", "county").has_attr("checked")
    offered = facet_box(page, "level", "city")
    assert not offered.has_attr("checked") and box_count(offered) == city["total"] > 0
    assert box_count(facet_box(page, "level", "county")) == county["total"]
    both = soup(client.get(submit(page.select_one("form.facet-form"), ("level", "city"))))
    assert int(both.select_one(".total").text) == county["total"] + city["total"]
    assert {b["value"] for b in both.select(".facet[data-facet=level] input[checked]")} == {"city", "county"}
    assert {i["value"] for i in county["facets"]["level"] if i["count"]} == {"county"}     # the contract is unchanged
    assert {i["value"]: i["count"] for i in county["facets_or"]["level"]}["city"] == city["total"]


def test_zero_result_page_links_to_what_does_match(client):
    url = "/?q=备案审查+执法检查+月球基地&level=provincial&strict=1"
    page = soup(client.get(url))
    assert page.select_one(".total").text == "0"
    items = page.select(".empty .suggestions li")
    assert items and {li["class"][0] for li in items} >= {"drop", "alone"}
    for li in items:
        follow = soup(client.get(li.select_one("a")["href"]))
        assert follow.select_one(".total").text == li.select_one(".count").text.split()[0]
        assert link_value(li.select_one("a"), "level") == "provincial"       # the filters are kept
    twin = client.get("/api/search?q=备案审查+执法检查+月球基地&level=provincial&strict=1").get_json()
    assert [s["query"] for s in twin["suggestions"]] == [link_value(li.select_one("a"), "q") for li in items]
    phrase = soup(client.get("/?q=%22有备必审查的规定%22"))
    assert phrase.select_one(".suggestions li.part code").get_text() == '"有备必审"'


def test_zero_result_page_drops_a_year_range_in_one_click(client):
    page = soup(client.get("/?q=月球&year_from=2015&year_to=2020"))
    drop = page.select_one(".empty a.drop")
    assert drop.get_text(strip=True).startswith("年份 2015–2020年")
    assert link_value(drop, "year_from") is None and link_value(drop, "year_to") is None
    assert link_value(drop, "q") == "月球"


def test_navigation_keeps_the_query_and_filters(client):
    page = soup(client.get("/?q=监督&level=county&year_from=2015&year_to=2022&sort=newest&page=2&per_page=5"))
    nav = {a.get_text(): a["href"] for a in page.select("nav.modes a")}
    expected = [("q", "监督"), ("level", "county"), ("year_from", "2015"), ("year_to", "2022")]
    for path, label in (("/", "检索"), ("/kwic", "语境"), ("/similar", "先例"), ("/trends", "趋势"), ("/compare", "对比")):
        assert urlparse(nav[label]).path == path and parse_qsl(urlparse(nav[label]).query) == expected, label
    kwic = soup(client.get(nav["语境"]))
    twin = client.get("/api/kwic?q=监督&level=county&year_from=2015&year_to=2022").get_json()
    assert len(kwic.select("table.kwic tbody tr")) == len(twin["lines"]) > 0
    assert {x["year"] for x in twin["lines"]} <= set(range(2015, 2023))
    form = kwic.select_one("header form.search")
    assert [(i["name"], i["value"]) for i in form.select("input[type=hidden]")] == expected[1:]
    back = soup(client.get(dict((a.get_text(), a["href"]) for a in kwic.select("nav.modes a"))["检索"]))
    assert back.select_one(".total").get_text() == str(client.get(
        "/api/search?q=监督&level=county&year_from=2015&year_to=2022").get_json()["total"])
    trends = soup(client.get(nav["趋势"] + "&by=region"))
    assert ("by", "region") in [(i["name"], i["value"]) for i in trends.select("header form.search input[type=hidden]")]
    similar = soup(client.get(nav["先例"]))
    assert similar.select_one("textarea").get_text() == "监督"
    assert ("level", "county") in [(i["name"], i["value"]) for i in similar.select("form.paste input[type=hidden]")]
    assert [a["href"] for a in soup(client.get("/")).select("nav.modes a")] == ["/", "/kwic", "/similar", "/trends",
                                                                               "/compare"]


def test_a_page_beyond_the_last_says_so_and_links_back(client):
    total = client.get("/api/search?q=监督").get_json()["total"]
    last = -(-total // 5)
    page = soup(client.get("/?q=监督&per_page=5&page=400"))
    note = page.select_one(".beyond")
    assert note and f"共 {last} 页" in note.get_text() and not page.select(".pager")
    back = note.select_one("a")
    assert link_value(back, "page") == str(last) and link_value(back, "q") == "监督"
    follow = soup(client.get(back["href"]))
    assert follow.select("article.result") and not follow.select(".beyond")
    assert not follow.select(".pager a[rel=next]") and follow.select_one(".pager a[aria-current=page]").get_text() == str(last)


def test_page_numbers():
    from search_app.web.params import page_numbers
    assert page_numbers(1, 1) == [1]
    assert page_numbers(2, 4) == [1, 2, 3, 4]
    assert page_numbers(5, 10) == [1, None, 3, 4, 5, 6, 7, None, 10]
    assert page_numbers(10, 10) == [1, None, 8, 9, 10]


def a11y_pages(client):
    doc_id = client.get("/api/search?q=有备必审&per_page=1").get_json()["hits"][0]["doc_id"]
    return ["/", "/?q=监督", "/?q=监督&per_page=5&page=2", "/?q=月球基地", "/kwic", "/kwic?q=有备必审", "/similar",
            "/similar?text=有备必审", "/trends", "/trends?q=监督", "/compare", "/compare?q=监督&province=浙江省&province=四川省",
            f"/doc/{doc_id}?q=监督", "/doc/nope", "/?q=%22"]


MODES = {"/": "检索", "/kwic": "语境", "/similar": "先例", "/trends": "趋势", "/compare": "对比"}


def test_every_page_is_labelled_headed_in_order_and_skippable(client):
    for url in a11y_pages(client):
        page = soup(client.get(url))
        assert page.html["lang"] == "zh-CN", url
        levels = [int(h.name[1]) for h in page.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]
        assert levels[0] == 1 and levels.count(1) == 1, url
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), (url, levels)
        for field in page.select("input:not([type=hidden]), textarea, select"):
            label = page.select_one(f"label[for='{field.get('id')}']") if field.get("id") else field.find_parent("label")
            assert label is not None and label.get_text(strip=True), (url, field)
        skip = page.body.find("a")
        assert "skip" in skip["class"] and page.find(id=skip["href"][1:]) is not None, url
        current = page.select("nav.modes a[aria-current=page]")
        mode = MODES.get(url.split("?")[0])
        assert [a.get_text() for a in current] == ([mode] if mode else []), url
        assert (page.select_one("#q").has_attr("autofocus")) == (url == "/"), url


def test_results_page_announces_its_count_and_marks_the_current_page(client):
    page = soup(client.get("/?q=监督&per_page=5&page=2"))
    assert page.select_one("[role=status] .total").get_text() == str(client.get(
        "/api/search?q=监督").get_json()["total"])
    assert [a.get_text() for a in page.select(".pager a[aria-current=page]")] == ["2"]
    assert [a.get_text() for a in page.select(".sort a[aria-current]")] == ["相关度"]
    assert page.select_one("a.skip")["href"] == "#results" and page.select_one("#results")["tabindex"] == "-1"


def test_relaxed_results_say_so_name_the_missing_words_and_offer_every_word(client):
    page = soup(client.get("/?q=脱贫攻坚+扶贫+监督"))
    note = page.select_one(".relaxed")
    assert note and "全部 3 个词" in note.get_text() and "其中 2 个" in note.get_text()
    assert int(page.select_one(".total").text) == len(page.select(".result")) > 0
    missing = [[w.get_text() for w in m.select("s")] for m in page.select(".result .missing")]
    assert len(missing) == len(page.select(".result")) and all(len(m) == 1 and m[0] in {"脱贫攻坚", "扶贫", "监督"} for m in missing)
    strict = soup(client.get(note.select_one("a")["href"]))
    assert strict.select_one(".total").text == "0" and strict.select_one(".relaxed") is None
    assert client.get("/api/search?q=脱贫攻坚+扶贫+监督").get_json()["relaxed"]["matched"] == 2


def test_a_phrase_found_in_a_heading_shows_the_heading_marked(client):
    page = soup(client.get("/?q=%22全力抓好监督工作%22"))
    (lead,) = page.select(".result .lead")
    assert lead.select_one("mark").get_text() == "全力抓好监督工作"


def test_precedents_page_marks_headings_as_markup_not_text(client):
    page = soup(client.get("/similar?text=全力抓好监督工作，突出监督重点"))
    assert page.select("article.result") and "<mark>" not in page.get_text()


@pytest.mark.parametrize("query, status", [("q=监督&year=&year=2019", 200), ("q=监督&year_from=-2019", 400),
                                           ("q=监督&year_to=20x9", 400)])
def test_year_parameters_empty_or_malformed(client, query, status):
    r = client.get(f"/?{query}")
    assert r.status_code == status
    if status == 400:
        assert "四位数的年份" in client.get(f"/api/search?{query}").get_json()["error"]


def test_an_open_year_range_in_the_query_reads_as_open(client):
    page = soup(client.get("/?q=监督+year:2019-"))
    assert "2019年起" in page.select_one(".summary").get_text() and "9999" not in page.get_text()
