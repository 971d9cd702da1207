"""The app factory and what every page shares: errors in Chinese in both forms, security headers, settings,
headings and navigation, no executable markup from queries (R8, R9)."""
import json
from urllib.parse import parse_qsl, urlparse

import pytest

from indexer.index.reader import open_index
from search_app.web import create_app
from search_app.web.params import MODE_OF, MODES
from tests.web.conftest import has_cjk, soup


def test_werkzeug_errors_are_in_chinese_in_both_forms(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and soup(page).select_one(".message").get_text() == "找不到这个页面。"
    api = client.get("/api/no-such-thing")
    assert api.status_code == 404 and api.get_json() == {"ok": False, "error": "找不到这个页面。", "status": 404}
    post = client.post("/api/search?q=监督")
    assert post.status_code == 405 and post.get_json()["error"] == "这个地址不接受这种请求方式。"
    assert "GET" in post.headers["Allow"]
    assert soup(client.post("/")).select_one(".message").get_text() == "这个地址不接受这种请求方式。"


@pytest.mark.parametrize("query", ["q=%22", "q=监督&page=0", "q=监督&page=abc", "q=监督&per_page=1000",
                                   "q=监督&sort=random", "q=" + "x" * 300, "q=*abc", "q=监督&year=abc"])
def test_bad_parameters_give_400_in_both_forms(client, query):
    api = client.get("/api/search?" + query)
    assert api.status_code == 400
    body = api.get_json()
    assert body["ok"] is False and body["status"] == 400 and has_cjk(body["error"]), body
    page = client.get("/?" + query)
    assert page.status_code == 400 and soup(page).select_one(".message").get_text() == body["error"]


def test_query_errors_of_the_core_get_a_chinese_lead_in(client):
    body = client.get("/api/search?q=*abc").get_json()
    assert body["error"].startswith("查询无法执行：") and "通配符" in body["error"]


def test_a_stray_quote_is_mended_on_the_page_and_in_its_json(client):
    page = client.get("/?q=%22有备必审")
    assert page.status_code == 200 and "补上了缺少的结尾引号" in soup(page).select_one(".repaired").get_text()
    body = client.get("/api/search?q=%22有备必审").get_json()
    assert body["total"] > 0 and body["parsed"]["repaired"] == ["补上了缺少的结尾引号 \""]
    assert client.get("/api/search?q=监督&page=0").get_json()["error"] == "页码 page须是 1 到 500 之间的整数，而不是 '0'"


def test_missing_index_message_is_chinese_and_names_no_path(tmp_path):
    client = create_app({"INDEX_DIR": str(tmp_path)}).test_client()
    for url in ("/api/search?q=x", "/?q=x"):
        r = client.get(url)
        text = r.get_json()["error"] if url.startswith("/api") else soup(r).select_one(".message").get_text()
        assert r.status_code == 503 and has_cjk(text) and str(tmp_path) not in r.get_data(as_text=True)


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


def test_limits_are_named_settings(index_dir):
    small = create_app({"INDEX_DIR": str(index_dir), "KWIC_HITS": 2, "EXPORT_ROWS": 3}).test_client()
    with small.get("/export.jsonl?q=监督") as r:
        assert len(r.get_data(as_text=True).splitlines()) == 3
    lines = soup(small.get("/kwic?q=监督")).select("table.kwic tbody tr")
    sources = {a["href"] for a in soup(small.get("/kwic?q=监督")).select("table.kwic td.src a")}
    assert lines and len(sources) <= 2


def test_navigation_keeps_the_query_and_filters(client):
    page = soup(client.get("/?q=监督&level=county&year_from=2015&year_to=2022&sort=newest&page=2&per_page=5"))
    nav = {a.get_text(): a["href"] for a in page.select("nav.modes a")}
    expected = [("q", "监督"), ("level", "county"), ("year_from", "2015"), ("year_to", "2022")]
    for path, label in MODES:
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
    assert [a["href"] for a in soup(client.get("/")).select("nav.modes a")] == [path for path, _ in MODES]


def a11y_pages(client):
    doc_id = client.get("/api/search?q=有备必审&per_page=1").get_json()["hits"][0]["doc_id"]
    return ["/", "/?q=监督", "/?q=监督&per_page=5&page=2", "/?q=月球基地", "/kwic", "/kwic?q=有备必审", "/similar",
            "/similar?text=有备必审", "/trends", "/trends?q=监督", "/compare", "/compare?q=监督&province=浙江省&province=四川省",
            f"/doc/{doc_id}?q=监督", "/doc/nope", "/?q=%22", "/collocates?q=监督", "/spread", '/spread?q="监督"',
            "/figures", "/advanced", "/saved", "/diff"]


MODE_LABELS = dict(MODES)


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
        path = url.split("?")[0]
        mode = MODE_LABELS.get(MODE_OF.get(path, path))
        assert [a.get_text() for a in current] == ([mode] if mode else []), url
        assert (page.select_one("#q").has_attr("autofocus")) == (url == "/"), url


@pytest.mark.parametrize("query, status", [("q=监督&year=&year=2019", 200), ("q=监督&year_from=-2019", 400),
                                           ("q=监督&year_to=20x9", 400)])
def test_year_parameters_empty_or_malformed(client, query, status):
    r = client.get(f"/?{query}")
    assert r.status_code == status
    if status == 400:
        assert "四位数的年份" in client.get(f"/api/search?{query}").get_json()["error"]


def test_one_request_opens_the_index_once(client, monkeypatch):
    """Every part of a page (hits, facets, region tree, citations, links) comes from one commit: a rebuild that
    goes live mid-request cannot give a hit the citation 《》 or a link that answers 404."""
    from indexer.index.reader import open_index
    from search_app.web import context
    opened = []
    monkeypatch.setattr(context, "open_index", lambda d: opened.append(d) or open_index(d))
    hit = client.get("/api/search?q=监督&limit=1").get_json()["hits"][0]
    for url in ["/?q=监督", "/api/search?q=监督", f"/doc/{hit['doc_id']}?q=监督", f"/api/doc/{hit['doc_id']}",
                "/trends?q=监督", "/api/trends?q=监督", "/compare?q=监督", "/api/stats?q=监督", "/kwic?q=监督",
                "/api/kwic?q=监督", f"/similar?passage_id={hit['passage_id']}",
                f"/api/similar?passage_id={hit['passage_id']}",
                "/export.csv?q=监督", "/-/health.json"]:
        opened.clear()
        assert client.get(url).status_code == 200, url
        assert len(opened) == 1, url


def test_a_request_past_its_deadline_is_a_503_in_chinese_with_retry_after(index_dir):
    """The deadline is REQUEST_TIMEOUT_S (request_timeout_s): here so short that every search runs past it."""
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True, "REQUEST_TIMEOUT_S": 1e-9}).test_client()
    open_index(index_dir).memo.clear()      # nothing remembered from other tests: every search does its work
    for url in ["/api/search?q=监督", "/?q=监督", "/api/similar?text=加强备案审查工作", "/api/stats?q=监督"]:
        r = client.get(url)
        assert r.status_code == 503 and r.headers["Retry-After"] == "10", url
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        message = r.get_json()["error"] if url.startswith("/api/") else soup(r).select_one("main").get_text()
        assert "秒的时限" in message and has_cjk(message), url
    assert client.get("/-/health.json").status_code == 200      # what does not search is not cut short


def test_a_search_that_left_out_its_suggestions_says_so(client, monkeypatch):
    from search_app.core import search as search_module
    from search_app.core.deadline import TimedOut

    def late(*_a, **_k):
        raise TimedOut(5)
    monkeypatch.setattr(search_module, "suggest", late)
    q = "监督 不存在的词汇甲乙丙&strict=1"
    data = client.get(f"/api/search?q={q}").get_json()
    assert data["total"] == 0 and data["timed_out"] == ["suggestions"] and "suggestions" not in data
    note = soup(client.get(f"/?q={q}")).select_one(".timed-out")
    assert note is not None and "没有给出改写建议" in note.get_text()


def test_a_page_whose_facets_were_not_counted_in_time_says_which(client, monkeypatch):
    from search_app.core import facets
    monkeypatch.setattr(facets, "_in_time", lambda late, name: name == "region" or late.append(name))
    q = "监督 预算 审查 facets-late"
    data = client.get(f"/api/search?q={q}").get_json()
    assert data["hits"] and data["timed_out"] == ["facets"] and "region" not in data["facets_timed_out"]
    r = client.get(f"/?q={q}")
    note = soup(r).select_one(".timed-out")
    assert r.status_code == 200 and "没有统计省份、层级、栏目、文种、年份的数量" in note.get_text(), note


@pytest.mark.parametrize("current", [False, True])
def test_index_files_gone_under_a_request_are_a_503_to_retry_only_when_the_index_moved_on(index_dir, monkeypatch,
                                                                                       current):
    """A request still reading a commit that two later commits replaced may find its files removed: that is
    a 503 to retry at once, not a server error; the same error on the live commit stays a 500."""
    from indexer.index.reader import Index
    from search_app.web import search as search_web

    def gone(*_a, **_k):
        raise FileNotFoundError(2, "No such file or directory", "whoosh/MAIN_x.seg")
    monkeypatch.setattr(search_web, "search", gone)
    monkeypatch.setattr(Index, "is_current", lambda self: current)
    client = create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()
    for url in ["/api/search?q=监督", "/?q=监督"]:
        r = client.get(url)
        if current:
            assert r.status_code == 500 and "Retry-After" not in r.headers, url
        else:
            assert r.status_code == 503 and r.headers["Retry-After"] == "1", url
            body = r.get_json()["error"] if url.startswith("/api/") else soup(r).select_one("main").get_text()
            assert "索引刚刚更新" in body and "whoosh" not in body, url


def test_the_document_type_other_is_shown_as_a_label_not_a_code(client):
    r = client.get("/?q=type:other")
    page = soup(r)
    labels = [li.get_text(" ", strip=True) for li in page.select('fieldset[data-facet="doc_type"] li')]
    metas = [p.get_text() for p in page.select("article.result p.meta")]
    assert r.status_code == 200 and metas and all("其他文件" in m and "other" not in m for m in metas)
    assert any(label.startswith("其他文件") for label in labels) and not any("other" in label for label in labels)


@pytest.mark.parametrize("q, quoted", [("月球基地火星车", False), ('"月球基地火星车"', True)])
def test_a_search_with_no_results_offers_no_export_or_sort_and_no_advice_about_quotes_not_typed(client, q, quoted):
    page = soup(client.get("/", query_string={"q": q}))
    assert page.select_one(".total").get_text() == "0"
    assert not page.select("a.export") and not page.select(".sort")
    assert ("去掉引号" in page.select_one(".empty").get_text()) is quoted
    found = soup(client.get("/", query_string={"q": "监督"}))
    assert found.select("a.export") and found.select(".sort a")
