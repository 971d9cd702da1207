"""The spread page (/spread) and its JSON twin: a wording typed bare is read as written, every first use links
to a passage that holds the wording, the map colours each province by its year of first use (held but never
used, and not held, apart), the years of no report held are gaps, and the table downloads."""
import csv
import io
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from indexer.normalize import fold
from search_app.core.stats import NATIONAL_TILE, PROVINCE_TILES
from tests.web.conftest import soup

PHRASE = "备案审查"
PAGE = f'/spread?q="{PHRASE}"'


@pytest.fixture(scope="module")
def twin(client):
    return client.get(f'/api/spread?q="{PHRASE}"').get_json()


def landed_text(client, href: str) -> str:
    """The text a link to a passage lands on: the passage on its report's page, with the headings just before it
    (a wording in a heading belongs to the passage after it)."""
    url = urlparse(href)
    page = soup(client.get(url.path + "?" + url.query))
    passage = page.find(id=url.fragment)
    assert passage is not None and "passage" in passage["class"], href
    texts = [passage.get_text()]
    for before in passage.find_all_previous(["h2", "p"]):
        if before.name == "p" and "passage" in (before.get("class") or []):
            break
        texts.append(before.get_text())
    return fold("".join(texts))


def test_a_bare_wording_is_written_as_read_in_the_address(client):
    r = client.get(f"/spread?q={PHRASE}&level=county")
    assert r.status_code == 302
    args = parse_qs(urlparse(r.headers["Location"]).query)
    assert args == {"q": [f'"{PHRASE}"'], "level": ["county"]}
    assert client.get(r.headers["Location"]).status_code == 200


def test_every_first_use_on_the_page_lands_on_a_passage_holding_the_wording(client, twin):
    page = soup(client.get(PAGE))
    links = page.select(".wording-firsts li > a, .first-uses a[href^='/doc/'], .tilemap a.tile, "
                        ".wording-timeline a")
    assert len(links) >= 10
    for href in {a["href"] for a in links}:
        assert PHRASE in landed_text(client, href), href
        assert parse_qs(urlparse(href).query)["q"] == [f'"{PHRASE}"']          # the report page marks it
    firsts = page.select(".wording-firsts li > a")
    assert [unquote(urlparse(a["href"]).fragment) for a in firsts] == \
        [f"p-{h['passage_id']}" for h in twin["first"]["firsts"]]
    assert all(h["passage_url"] == f"/doc/{h['doc_id']}#p-{h['passage_id']}" for h in twin["first"]["firsts"])


def test_the_map_colours_each_province_by_its_year_of_first_use(client, twin):
    page = soup(client.get(PAGE))
    tiles = page.select(".wording-map svg .tile")
    assert len(tiles) == len(twin["tiles"]) == 1 + len(PROVINCE_TILES)
    assert [(t["name"], t["col"], t["row"]) for t in twin["tiles"]] == [NATIONAL_TILE, *PROVINCE_TILES]
    shade_of_year = {}
    for el, t in zip(tiles, twin["tiles"]):
        css = el["class"][1]
        if t["first_year"]:
            assert el.name == "a" and el["data-province"] == t["name"] and css.startswith("first-")
            assert el["href"].split("#")[1] == f"p-{t['firsts'][0]['passage_id']}"
            assert f"{t['first_year']}年首次使用" in el["aria-label"] and el.select("text")[1].get_text() == \
                str(t["first_year"])
            assert shade_of_year.setdefault(t["first_year"], css) == css          # one colour per year
        elif t["reports_held"]:
            assert el.name == "g" and css == "unused" and "均未使用" in el.title.get_text()
        else:
            assert el.name == "g" and css == "unheld" and el.select("text")[1].get_text() == "未收录"
    years = sorted(shade_of_year)
    assert len(years) >= 3 and shade_of_year[years[0]] == "first-1"             # the earliest darkest
    assert [int(c[len("first-"):]) for c in (shade_of_year[y] for y in years)] == \
        sorted(int(c[len("first-"):]) for c in shade_of_year.values())
    legend = [k.get_text(strip=True) for k in page.select(".wording-map .key")]
    assert legend[-2:] == ["收录了报告、未使用", "未收录"] and legend[0].startswith(str(years[0]))


def test_the_timeline_leaves_the_years_of_no_report_held_as_gaps(client, twin):
    page = soup(client.get(PAGE))
    slots = page.select("figure.chart svg g")
    assert len(slots) == len(twin["timeline"]) and any(y["gap"] for y in twin["timeline"])
    for g, y in zip(slots, twin["timeline"]):
        assert ("gap" in g["class"]) == y["gap"]
        if y["gap"]:
            assert not g.select("rect") and g.select("text")[-1].get_text() == "未收录"
            assert y["share_of_reports"] is None
        else:
            assert g.select("text")[-1].get_text() == f"{y['reports_held']}份"
    # drawn as the trends page draws its chart (search_app.web.analysis), at its height
    trends = soup(client.get(f'/trends?q="{PHRASE}"')).select_one("figure.chart svg")
    assert page.select_one("figure.chart svg")["height"] == trends["height"]
    matrix = page.select("table.matrix tbody tr")
    shown = [t for t in twin["tiles"] if t["reports_held"]]
    assert {tr.th.get_text() for tr in matrix} == {t["name"] for t in shown}
    for tr in matrix:
        tile = next(t for t in shown if t["name"] == tr.th.get_text())
        cells = [td.get_text(strip=True) for td in tr.select("td")]
        assert [c == "—" for c in cells] == [y["gap"] for y in reversed(tile["years"])]


def test_the_counts_lead_to_the_reports_they_count(client, twin):
    page = soup(client.get(PAGE))
    for tr in page.select("table.wording-table tbody tr"):
        links = tr.select("td:nth-of-type(3) a")
        if len(links) != 2:
            continue
        using, held = links
        for a in (using, held):
            found = client.get("/api/search" + a["href"][1:] + "&per_page=1").get_json()
            assert found["reports"] == int(a.get_text()), a["href"]


def test_the_json_twin_and_the_table(client, twin):
    assert twin["query"] == f'"{PHRASE}"' and twin["phrases"] == [PHRASE]
    assert twin["first"]["first_year"] == min(t["first_year"] for t in twin["tiles"] if t["first_year"])
    assert client.get(f"/api/spread?q={PHRASE}").get_json()["first"] == twin["first"]       # bare, read as written
    page = soup(client.get(PAGE))
    linked = client.get(page.select_one(".summary a")["href"]).get_json()

    def timeless(d):
        return {k: v for k, v in d.items() if k != "took_ms"}
    assert timeless(linked) == timeless(twin)
    downloads = {a.get_text(): a["href"] for a in page.select(".summary a[download]")}
    rows = list(csv.DictReader(io.StringIO(client.get(downloads["CSV"]).data.decode("utf-8-sig"))))
    assert rows[0]["kind"] == "first" and int(rows[0]["first_year"]) == twin["first"]["first_year"]
    assert rows[0]["passage_url"].endswith(f"#p-{twin['first']['firsts'][0]['passage_id']}")
    assert {r["name"] for r in rows if r["kind"] == "level"} >= {"全国", "省级", "市级", "县级"}
    data = client.get(downloads["JSON"]).get_json()
    assert data["query"] == twin["query"] and len(data["rows"]) == len(rows)


def test_without_a_wording_the_page_explains_and_the_twin_refuses(client):
    page = soup(client.get("/spread"))
    examples = page.select(".wording a")
    assert [a.get_text() for a in examples] == ["备案审查", "全过程人民民主", "民生实事项目人大代表票决制"]
    for a in examples:
        assert client.get(a["href"]).status_code == 200
    r = client.get("/api/spread")
    assert r.status_code == 400 and r.get_json()["ok"] is False and "措辞" in r.get_json()["error"]
    assert client.get("/spread?q=level:county").status_code == 400
    assert "措辞" in soup(client.get("/spread?q=-备案审查")).get_text()


def test_a_wording_never_used_says_so(client):
    page = soup(client.get('/spread?q="月球基地建设"'))
    assert "没有一份标明年份的报告使用这一措辞" in page.get_text()
    assert page.select_one(".tilemap") is None


def test_the_nav_leads_to_the_spread_of_the_query(client):
    nav = soup(client.get(f"/?q={PHRASE}")).select_one("nav.modes a[href^='/spread']")
    assert nav.get_text() == "传播" and parse_qs(urlparse(nav["href"]).query)["q"] == [PHRASE]
    current = soup(client.get(PAGE)).select_one("nav.modes a[aria-current]")
    assert current.get_text() == "传播"
