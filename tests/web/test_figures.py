"""The work-figures page (/figures), its JSON twin and its downloads: a metric's region × year table and chart,
the facets, every value linked to the passage that states it, errors in Chinese."""
import csv
import io
from urllib.parse import parse_qs, urlparse

from tests.web.conftest import soup


def test_the_page_opens_on_a_metric_with_its_table_chart_and_sentences(client):
    resp = client.get("/figures")
    assert resp.status_code == 200
    page = soup(resp)
    current = page.select_one(".metric-picker a[aria-current]")
    assert current and "常委会会议" in current.get_text()
    assert page.select(".figures-table tbody tr") and page.select(".chart svg circle")
    links = page.select(".figures-table td a")
    assert links and all(urlparse(a["href"]).path.startswith("/doc/") and
                         urlparse(a["href"]).fragment.startswith("p-") for a in links)
    first = page.select_one(".figure-rows li a.figure-value")
    assert first and urlparse(first["href"]).fragment.startswith("p-") and page.select_one(".figure-rows .figure-sentence")
    nav = page.select_one("nav.modes a[href^='/figures']")
    assert nav and nav.get("aria-current") == "page"


def test_a_value_links_to_its_sentence_on_the_report_page(client):
    page = soup(client.get("/figures?metric=appointments&province=浙江"))
    link = page.select_one(".figures-table td a")
    target = urlparse(link["href"])
    report = soup(client.get(target.path))
    passage = report.find(id=target.fragment)
    assert passage is not None and link["title"].strip("。") in passage.get_text()


def test_the_json_twin_carries_the_rows_the_table_and_the_addresses(client):
    data = client.get("/api/figures?metric=sessions&level=city").get_json()
    assert data["metric"] == "sessions" and data["metric_name"] == "常委会会议"
    assert data["rows"] and all(r["level"] == "city" and r["metric"] == "sessions" for r in data["rows"])
    assert all(urlparse(r["url"]).fragment == f"p-{r['passage_id']}" for r in data["rows"])
    assert data["table"]["regions"] and {"region", "level", "year", "doc_type"} <= data["facets"].keys()
    everything = client.get("/api/figures").get_json()
    assert everything["metric"] is None and everything["table"] is None
    assert len({r["metric"] for r in everything["rows"]}) > 5


def test_the_page_links_its_json_twin_and_downloads_with_its_parameters(client):
    page = soup(client.get("/figures?metric=decisions&level=county"))
    twin = page.find("a", string="JSON")["href"]
    assert urlparse(twin).path == "/api/figures" and parse_qs(urlparse(twin).query)["metric"] == ["decisions"]
    hrefs = [a["href"] for a in page.select(".summary a[download]")]
    assert {urlparse(h).path for h in hrefs} == {"/figures/table.csv", "/figures/table.json"}
    assert all(parse_qs(urlparse(h).query)["level"] == ["county"] for h in hrefs)


def test_csv_and_json_downloads(client):
    resp = client.get("/figures/table.csv?metric=appointments")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows and all(r["metric"] == "appointments" and r["unit"] in ("人次", "名", "人") for r in rows)
    assert all(r["url"].startswith("http") and "#p-" in r["url"] for r in rows)
    assert any(r["level"] in ("县级", "市级", "省级") for r in rows)            # labels, as other tables write them
    data = client.get("/figures/table.json?metric=appointments").get_json()
    assert data["metric"] == "appointments" and len(data["rows"]) == len(rows)
    assert data["columns"][:2] == ["doc_id", "title"]


def test_facets_toggle_filters(client):
    page = soup(client.get("/figures?metric=sessions"))
    level = page.select_one("#facet-level").find_parent("section")
    county = next(a for a in level.select("a") if a.get_text() == "县级")
    narrowed = soup(client.get(county["href"]))
    assert narrowed.select_one(".chips a.drop")
    assert narrowed.select_one("#facet-level").find_parent("section").select_one("a[aria-current]").get_text() == "县级"


def test_a_range_with_no_figures_says_so(client):
    page = soup(client.get("/figures?metric=sessions&province=西藏自治区"))
    assert "没有写出这项数据" in page.get_text() and not page.select(".figures-table")


def test_errors_in_chinese(client):
    resp = client.get("/figures?metric=nosuch")
    assert resp.status_code == 400 and "指标" in resp.get_data(as_text=True)
    api = client.get("/api/figures?metric=nosuch")
    assert api.status_code == 400 and api.get_json()["ok"] is False and "指标" in api.get_json()["error"]
    assert client.get("/figures?level=nosuchlevel").status_code == 400
