"""The Flask app through its test client: every route, its JSON twin, errors and headers (HTML parsed, R8)."""
import json

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
    assert page.select_one(".facet[data-facet=province]")
    twin = client.get(page.select_one(".summary a")["href"])
    assert "备案审查".encode() in twin.data and twin.data.startswith(b'{"query"')
    data = twin.get_json()
    assert data["total"] == int(page.select_one(".total").get_text())
    assert [h["passage_id"] for h in data["hits"]] == [c["id"][2:] for c in cards]


def test_facet_links_filter_and_stay_visible(client):
    page = soup(client.get("/?q=监督"))
    link = page.select_one(".facet[data-facet=level] a")
    filtered = soup(client.get(link["href"]))
    selected = filtered.select(".facet[data-facet=level] li.selected")
    assert len(selected) == 1 and selected[0].select_one("a")["aria-checked"] == "true"
    value = link["href"].split("level=")[1].split("&")[0]
    data = client.get("/api/search?q=监督&level=" + value).get_json()
    assert {h["level"] for h in data["hits"]} == {value}


def test_citation_button_and_passage_link(client):
    card = soup(client.get("/?q=有备必审")).select_one("article.result")
    button = card.select_one("button.cite")
    assert button["data-citation"].startswith("《") and "年）" in button["data-citation"]
    href = card.select_one("h3 a")["href"]
    doc = client.get(href.split("#")[0])
    assert doc.status_code == 200
    anchor = soup(doc).select_one("#" + href.split("#")[1])
    assert anchor is not None and anchor.select_one("mark").get_text() == "有备必审"


def test_doc_json_twin_and_404(client):
    data = client.get("/api/search?q=有备必审&per_page=1").get_json()
    doc_id = data["hits"][0]["doc_id"]
    assert client.get(f"/api/doc/{doc_id}").get_json()["doc_id"] == doc_id
    r = client.get("/api/doc/nope")
    assert r.status_code == 404 and r.get_json() == {"ok": False, "error": "no report 'nope' in the index",
                                                     "status": 404}
    assert client.get("/doc/nope").status_code == 404


@pytest.mark.parametrize("query", ["q=%22unbalanced", "q=监督&page=0", "q=监督&page=abc", "q=监督&per_page=1000",
                                   "q=监督&sort=random", "q=" + "x" * 300, "q=*abc", "q=监督&year=abc"])
def test_bad_parameters_give_400_in_both_forms(client, query):
    api = client.get("/api/search?" + query)
    assert api.status_code == 400
    body = api.get_json()
    assert body["ok"] is False and body["status"] == 400 and body["error"]
    page = client.get("/?" + query)
    assert page.status_code == 400 and soup(page).select_one(".message").get_text()


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
        assert r.status_code == 200 and r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == total > 5
    assert all(not v.startswith(("=", "+", "-", "@")) for row in rows for v in row.values())
    with client.get("/export.jsonl?q=监督&level=county") as r:
        lines = [json.loads(line) for line in r.get_data(as_text=True).splitlines()]
    assert lines and {x["level"] for x in lines} == {"county"}
    with client.get("/export.csv?q=%22unbalanced") as r:
        assert r.status_code == 400


def test_export_cells_are_neutralised():
    from search_app.export import csv_lines
    text = "".join(csv_lines([{"title": '=HYPERLINK("x")', "text": "@SUM(1)", "heading": "-2+3", "body": "+1"}]))
    assert "'=HYPERLINK" in text and "'@SUM" in text and "'-2+3" in text and "'+1" in text


def test_trends_page_chart_and_numbers(client):
    page = soup(client.get("/trends?q=备案审查"))
    bars = page.select("figure.chart svg rect")
    rows = page.select("table.numbers")[0].select("tbody tr")
    assert bars and len(bars) == len(rows)
    twin = client.get(page.select_one(".summary a")["href"]).get_json()
    assert [r["year"] for r in twin["rows"] if r["year"]] == [int(r.select_one("td").get_text()) for r in rows]
    assert page.select("table.matrix tbody tr")
    assert client.get("/trends?q=x&compare=bogus").status_code == 400


def test_kwic_page_sorts_by_context(client):
    page = soup(client.get("/kwic?q=有备必审&order=right"))
    rights = [td.get_text() for td in page.select("table.kwic td.right")]
    assert rights and rights == sorted(rights)
    assert all(m.get_text() == "有备必审" for m in page.select("table.kwic td.match mark"))
    assert client.get("/kwic?q=x&order=up").status_code == 400


def test_precedents_page(client):
    page = soup(client.get("/similar?text=坚持有件必备、有备必审、有错必纠，认真审查规范性文件"))
    assert page.select("article.result") and page.select_one("textarea").get_text().startswith("坚持有件必备")
    link = soup(client.get("/?q=有备必审")).select_one("article.result a.similar")["href"]
    assert soup(client.get(link)).select("article.result")


def test_year_range_form_and_passage_steps(client):
    page = soup(client.get("/?q=监督&year_from=2015&year_to=2020"))
    years = [int(li.select_one("a").get_text(strip=True)[1:].strip()) for li in
             page.select(".facet[data-facet=year] li")]
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
