"""The concordancer's pages: KWIC with its header row, width, sample, a collocate's lines, the distribution of
the hits and the filter form; collocates with their measure, sorting, links and downloads."""
import csv
import io
import json
from urllib.parse import parse_qs, parse_qsl, urlencode, urlparse

import pytest

from search_app.web import create_app
from tests.web.conftest import soup


def lines_of(page) -> list[list[str]]:
    return [[td.get_text() for td in tr.select("td")[:3]] for tr in page.select("table.kwic tbody tr")]


def test_the_kwic_table_has_a_header_row(client):
    page = soup(client.get("/kwic?q=监督"))
    heads = page.select("table.kwic thead th")
    assert [th.get_text() for th in heads] == ["左语境", "检索词", "右语境", "出处"]
    assert all(th["scope"] == "col" for th in heads)


@pytest.mark.parametrize("width", [4, 30, 80])
def test_the_context_width_is_adjustable_and_the_form_shows_it(client, width):
    page = soup(client.get(f"/kwic?q=监督&width={width}"))
    rows = lines_of(page)
    assert rows and all(len(left) <= width and len(right) <= width for left, _, right in rows)
    assert max(len(left) for left, _, _ in rows) == width
    assert page.select_one("form.concordance-form input[name=width]")["value"] == str(width)


@pytest.mark.parametrize("arg", ["width=0", "width=201", "width=宽", "sample=0", "seed=-1", "window=11", "near=" + "字" * 33])
def test_bad_display_values_are_refused_in_chinese(client, arg):
    r = client.get(f"/kwic?q=监督&{arg}")
    assert r.status_code == 400
    message = soup(r).select_one(".message").get_text()
    assert any("\u4e00" <= c <= "\u9fff" for c in message)
    assert client.get(f"/api/kwic?q=监督&{arg}").get_json()["ok"] is False


def test_a_sample_gets_a_seed_in_its_address_and_shows_the_same_lines_again(client):
    r = client.get("/kwic?q=监督&sample=6")
    assert r.status_code == 302
    seed = parse_qs(urlparse(r.headers["Location"]).query)["seed"][0]
    page = soup(client.get(r.headers["Location"]))
    assert len(lines_of(page)) == 6 and lines_of(page) == lines_of(soup(client.get(r.headers["Location"])))
    note = page.select_one(".note.filtered").get_text()
    assert seed in note and "随机抽取 6 处" in note
    again = page.find("a", string="换一批")["href"]
    assert parse_qs(urlparse(again).query)["seed"][0] != seed
    twin = client.get(f"/api/kwic?q=监督&sample=6&seed={seed}").get_json()
    assert twin["seed"] == int(seed) and [[x["left"], x["match"], x["right"]] for x in twin["lines"]] == lines_of(page)
    assert client.get("/api/kwic?q=监督&sample=6").status_code == 302


@pytest.mark.parametrize("scope", [{}, {"level": "county"}])
def test_the_distribution_counts_link_to_their_lines(client, scope):
    page = soup(client.get("/kwic?" + urlencode({"q": "监督", **scope})))
    spread = page.select_one("details.spread")
    links = spread.select("td a")
    assert len(links) > 3
    twin = client.get("/api/kwic?" + urlencode({"q": "监督", **scope})).get_json()
    assert [int(a.get_text()) for a in spread.select("table")[0].select("td a")] == [
        r["count"] for r in twin["breakdown"]["province"]]
    assert sum(r["count"] for r in twin["breakdown"]["province"]) == twin["total"]
    for a in links:
        args = dict(parse_qsl(urlparse(a["href"]).query))
        assert {k: args.get(k) for k in ("q", *scope)} == {"q": "监督", **scope} and ("province" in args or "year" in args)
        assert client.get("/api/kwic?" + urlparse(a["href"]).query).get_json()["total"] == int(a.get_text())


def test_the_filter_form_keeps_the_query_and_changes_the_filters(client):
    page = soup(client.get("/kwic?q=监督&level=county&year=2019-2023&order=left&type=工作报告"))
    form = page.select_one("form.concordance-form")
    assert form["action"] == "/kwic"
    hidden = [(i["name"], i["value"]) for i in form.select("input[type=hidden]")]
    assert hidden == [("q", "监督"), ("order", "left"), ("type", "工作报告")]
    assert form.select_one("select[name=level] option[selected]")["value"] == "county"
    assert [form.select_one(f"input[name={n}]")["value"] for n in ("year_from", "year_to")] == ["2019", "2023"]
    assert all(form.select_one(f"label[for={i['id']}]") for i in form.select("input[id], select[id]"))
    url = "/kwic?" + urlencode(hidden + [("year_from", "2020"), ("year_to", "2022"), ("level", ""),
                                         ("province", "浙江省"), ("width", "20"), ("sample", "")])
    changed = client.get(url.replace("/kwic", "/api/kwic", 1)).get_json()
    assert changed["filters"] == {"province": ["浙江省"], "doc_type": ["工作报告"]} and changed["year"] == "2020-2022"
    chips = [a.get_text(" ", strip=True) for a in soup(client.get(url)).select(".chips a.drop")]
    assert any("浙江省" in c for c in chips) and any("2020–2022" in c for c in chips)


def test_kwic_downloads_are_the_page_lines(client):
    page = soup(client.get("/kwic?q=有备必审&order=right&width=12"))
    csv_url = page.find("a", string="CSV")["href"]
    json_url = page.select(".summary a.download")[1]["href"]
    assert csv_url.startswith("/kwic.csv?") and json_url.startswith("/kwic.json?")
    r = client.get(csv_url)
    assert "attachment" in r.headers["Content-Disposition"] and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert [[x["left"], x["match"], x["right"]] for x in rows] == lines_of(page)
    body = json.loads(client.get(json_url).data)
    assert [[x["left"], x["match"], x["right"]] for x in body["lines"]] == lines_of(page)
    assert client.get("/kwic.xml?q=监督").status_code == 404


def test_collocates_table_names_its_measure_and_sorts(client):
    page = soup(client.get("/collocates?q=监督"))
    heads = [th.get_text(strip=True) for th in page.select("table.collocates thead th")]
    assert heads == ["搭配词", "共现", "语境行", "对数似然", "互信息", "词频", "期望"]
    assert page.select_one("table.collocates th[aria-sort=descending]").get_text(strip=True) == "对数似然"
    assert "对数似然" in page.select_one("p.note:-soup-contains('Dunning')").get_text()
    data = client.get(page.select_one(".summary a[href^='/api/']")["href"]).get_json()
    assert data["measure"] == "log-likelihood"
    assert [tr.th.get_text() for tr in page.select("table.collocates tbody tr")] == [c["word"] for c in data["collocates"]]
    by_mi = soup(client.get(page.find("a", string="互信息")["href"]))
    assert by_mi.select_one("th[aria-sort=descending]").get_text(strip=True) == "互信息"
    mis = [float(tr.select("td")[3].get_text()) for tr in by_mi.select("table.collocates tbody tr")]
    assert mis == sorted(mis, reverse=True)
    assert client.get("/collocates?q=监督&order=up").status_code == 400
    assert client.get("/api/collocates").status_code == 400


def test_each_collocate_links_to_its_lines(client):
    page = soup(client.get("/collocates?q=监督&level=county&window=3"))
    rows = page.select("table.collocates tbody tr")[:4]
    assert rows
    for tr in rows:
        word, link = tr.th.get_text(), tr.th.a["href"]
        args = dict(parse_qsl(urlparse(link).query))
        assert args == {"q": "监督", "level": "county", "near": word, "window": "3"}
        lines = soup(client.get(link))
        assert len(lines_of(lines)) == int(tr.select("td")[1].get_text())
        assert word in lines.select_one(".note.filtered").get_text()
        search = tr.select("td")[4].a["href"]          # the word's frequency: the search for it, in the same scope
        assert dict(parse_qsl(urlparse(search).query)) == {"q": word, "level": "county"}
        assert client.get("/api/search?" + urlparse(search).query).get_json()["total"] > 0


def test_collocates_downloads_are_the_table(client):
    page = soup(client.get("/collocates?q=备案审查"))
    words = [tr.th.get_text() for tr in page.select("table.collocates tbody tr")]
    r = client.get(page.find("a", string="CSV")["href"])
    assert r.headers["Content-Disposition"] == "attachment; filename=lrsearch-collocates.csv"
    rows = list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert [x["word"] for x in rows] == words and set(rows[0]) == {"word", "count", "lines", "freq", "expected",
                                                                     "ll", "mi"}
    body = json.loads(client.get(page.select(".summary a.download")[1]["href"]).data)
    assert [c["word"] for c in body["collocates"]] == words


def test_a_cap_on_the_passages_read_is_said_on_the_page(index_dir):
    small = create_app({"INDEX_DIR": str(index_dir), "TESTING": True, "KWIC_READ_PASSAGES": 10}).test_client()
    note = soup(small.get("/collocates?q=监督")).select_one(".note.capped").get_text()
    assert "只读取了按相关度排前 10 段" in note
    assert soup(small.get("/collocates?q=有备必审")).select_one(".note.capped") is None


def test_the_two_views_link_to_each_other_with_the_filters(client):
    page = soup(client.get("/kwic?q=监督&province=浙江省&width=10"))
    tabs = {a.get_text(): a for a in page.select("nav.tools a")}
    assert tabs["语境行"].get("aria-current") == "page"
    assert dict(parse_qsl(urlparse(tabs["搭配词"]["href"]).query)) == {"q": "监督", "province": "浙江省"}
    assert soup(client.get("/collocates")).select_one("table") is None
    other = soup(client.get(tabs["搭配词"]["href"]))
    assert [a.get_text() for a in other.select("nav.modes a[aria-current]")] == ["语境"]       # one of the 语境 tools
    assert other.select_one("nav.tools a[aria-current]").get_text() == "搭配词"
