"""The home page with nothing asked: the coverage map, the years, the latest reports, the examples, and its
JSON twin /api/home; each count links to the reports it counts."""
from urllib.parse import parse_qsl, urlparse

from search_app.core.stats import NATIONAL_TILE, PROVINCE_TILES
from tests.web.conftest import soup


def reports_found(client, href: str) -> int:
    found = client.get("/api/search" + href[1:] + "&per_page=1").get_json()
    assert ("group", "report") in parse_qsl(urlparse(href).query)
    return found["reports"]


def test_the_map_draws_every_provincial_unit_and_links_those_held_to_their_reports(client):
    page = soup(client.get("/"))
    home = client.get(page.select_one(".intro a[href^='/api/']")["href"]).get_json()
    assert [(t["name"], t["col"], t["row"]) for t in home["tiles"]] == [NATIONAL_TILE, *PROVINCE_TILES]
    tiles = page.select(".tilemap svg .tile")
    assert len(tiles) == 35
    linked = page.select(".tilemap svg a.tile")
    held = [t for t in home["tiles"] if t["reports"]]
    assert [a["data-province"] for a in linked] == [t["name"] for t in held] and len(held) >= 5
    for a, t in zip(linked, held):
        assert a["href"] == t["search"] and reports_found(client, a["href"]) == t["reports"]
        assert f"收录 {t['reports']} 份报告" in a["aria-label"] and a.select_one("text").get_text() == t["short"]
        assert len(a.select("rect.mark")) == sum(1 for n in t["held"] if n)      # a mark per year held
    assert all(not t.name == "a" and "未收录" in t.title.get_text() for t in tiles if t.name == "g")
    shades = {a["data-province"]: a["class"][1] for a in linked}
    most = max(held, key=lambda t: t["reports"])
    assert shades[most["name"]] == "shade-4"


def test_the_years_and_the_unplaced_reports_link_to_their_reports(client):
    page = soup(client.get("/"))
    home = client.get("/api/home").get_json()
    years = page.select(".per-year li")
    assert [int(li.a.get_text().rstrip("年")) for li in years] == \
        [y for y, n in reversed(list(zip(home["years"], home["per_year"]))) if n]
    for li in years:
        assert reports_found(client, li.a["href"]) == int(li.select_one(".count").get_text().split()[0])
    unplaced = page.select_one(".tilemap figcaption a")
    assert home["unplaced"] and reports_found(client, unplaced["href"]) == home["unplaced"]
    assert home["reports"] == sum(t["reports"] for t in home["tiles"]) + home["unplaced"]


def test_the_latest_reports_open_their_pages(client):
    home = client.get("/api/home").get_json()
    items = soup(client.get("/")).select(".latest-list li")
    assert len(items) == len(home["latest"]) == 8
    for li, r in zip(items, home["latest"]):
        assert li.a["href"] == r["url"] == f"/doc/{r['doc_id']}" and li.a.get_text() == r["title"]
        report = soup(client.get(li.a["href"]))
        assert r["title"] in report.h1.get_text()


def test_examples_for_drafting_and_research_all_find_something(client):
    page = soup(client.get("/"))
    groups = page.select(".examples h3")
    assert [h.get_text() for h in groups] == ["起草：找先例措辞", "研究：比较地区和年份"]
    links = page.select(".examples li a")
    assert len(links) >= 7
    for a in links:
        r = client.get(a["href"])
        assert r.status_code == 200, a["href"]
        path, args = urlparse(a["href"]).path, dict(parse_qsl(urlparse(a["href"]).query))
        if path == "/":
            assert client.get("/api/search?" + urlparse(a["href"]).query).get_json()["total"] > 0, a["href"]
        if path == "/compare":
            assert len(soup(r).select(".multiples figure")) >= 2
        if path == "/trends":
            assert "q" in args and soup(r).select("figure.chart svg g.year rect")


def test_a_search_page_has_no_home_overview(client):
    assert soup(client.get("/?q=监督")).select_one(".tilemap") is None
    assert soup(client.get("/")).select_one(".tilemap") is not None
