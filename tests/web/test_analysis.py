"""Trends, the comparison and keyword in context, with their JSON twins; their counts' links and downloads."""
import csv
import io
from urllib.parse import parse_qsl, urlparse

import pytest

from tests.web.conftest import soup, submit


def test_similar_and_stats_api(client):
    pid = client.get("/api/search?q=有备必审&per_page=1").get_json()["hits"][0]["passage_id"]
    sim = client.get(f"/api/similar?passage_id={pid}&limit=3").get_json()
    assert len(sim["hits"]) == 3 and all(h["passage_id"] != pid for h in sim["hits"])
    st = client.get("/api/stats?q=备案审查&by=year,level").get_json()
    assert st["total"] > 0 and {"year", "level", "reports", "reports_held"} <= set(st["rows"][0])
    assert client.get("/api/similar").status_code == 400


def test_trends_page_chart_and_numbers(client):
    page = soup(client.get("/trends?q=备案审查"))
    bars = page.select("figure.chart svg g.year rect")
    rows = page.select("table.years-table tbody tr")
    twin = client.get(page.select_one(".summary a")["href"]).get_json()
    assert bars and len(rows) == len(twin["years"]) and len(bars) == sum(not r["gap"] for r in twin["years"])
    assert [int(r.select_one("th").get_text()) for r in rows] == [r["year"] for r in reversed(twin["years"])]
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
    assert first.th.get_text() == str(years[-1]) and len(first.select("td")) == 6      # the latest year first


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


def test_kwic_shows_the_filters_carried_over_from_the_search_and_each_can_be_dropped(client):
    page = soup(client.get("/kwic?q=监督&level=county&year=2019-2023"))
    chips = {a.get_text(" ", strip=True).split(" ✕")[0]: a["href"] for a in page.select(".chips a.drop")}
    assert set(chips) == {"层级 县级", "年份 2019–2023年"}, chips
    assert "level=" not in chips["层级 县级"] and "year=" not in chips["年份 2019–2023年"]
    body = client.get("/api/kwic?q=监督&level=county&year=2019-2023").get_json()
    assert body["filters"] == {"level": ["county"]} and body["year"] == "2019-2023"
    unfiltered = soup(client.get("/kwic?q=监督"))
    assert not unfiltered.select(".chips")


def test_compare_reads_short_names(client):
    """内蒙古 and 浙江 are 内蒙古自治区 and 浙江省, side by side as when written in full."""
    short = soup(client.get("/compare?q=监督&province=内蒙古&province=浙江"))
    assert [f.h3.get_text() for f in short.select(".multiples figure")] == ["内蒙古自治区", "浙江省"]
    assert short.select_one(".note[role=note]") is None or "内蒙古" not in short.select_one(".note[role=note]").get_text()
    full = soup(client.get("/compare?q=监督&province=内蒙古自治区&province=浙江省"))
    assert str(short.select_one(".compare-table")) == str(full.select_one(".compare-table"))


def search_count(client, href: str) -> int:
    """What the search a count links to finds: its reports when it is grouped by report, else its passages."""
    assert href.startswith("/?")
    found = client.get("/api/search" + href[1:] + "&per_page=1").get_json()
    return found["reports"] if ("group", "report") in parse_qsl(urlparse(href).query) else found["total"]


@pytest.mark.parametrize("url", ["/trends?q=监督", "/trends?q=备案审查", "/trends", "/trends?q=监督+level:county",
                                 "/trends?q=监督&by=level&year=2015-2024"])
def test_every_count_of_the_trends_links_to_the_search_it_counts(client, url):
    page = soup(client.get(url))
    counts = [a for a in page.select(".years-table a, figure.chart a") if a.get_text().strip().rstrip("份").isdigit()]
    assert len(counts) > 10
    for a in counts:
        assert search_count(client, a["href"]) == int(a.get_text().strip().rstrip("份")), a["href"]


@pytest.mark.parametrize("by", ["province", "region", "level", "doc_type", "section"])
def test_a_matrix_cell_links_to_the_reports_it_counts(client, by):
    """A cell reads “share / held”: the share links to the reports that mention the query, the held count to
    the reports held; following either finds as many reports as the cell counts."""
    data = client.get(f"/api/trends?q=监督&by={by}").get_json()
    cells = {(g["name"], r["year"]): r for g in data["groups"] for r in g["years"]}
    page = soup(client.get(f"/trends?q=监督&by={by}"))
    checked = 0
    for td in page.select("table.matrix td"):
        links = td.select("a")
        if not links:
            assert td.get_text() == "—"
            continue
        share, held = links if len(links) == 2 else (None, links[0])
        args = dict(parse_qsl(urlparse(held["href"]).query))
        value = args.get({"doc_type": "type"}.get(by, by))
        cell = cells[None if value == "（未标明）" else value, int(args["year"])]
        assert search_count(client, held["href"]) == cell["reports_held"] == int(held.get_text())
        if share is not None:
            assert search_count(client, share["href"]) == cell["reports"] > 0
            assert share.get_text() == f"{round(cell['share_of_reports'] * 100)}%"
        checked += 1
    assert checked >= 10


def test_the_matrix_and_the_years_table_show_the_latest_year_first(client):
    page = soup(client.get("/trends?q=监督"))
    years = [r["year"] for r in client.get("/api/trends?q=监督").get_json()["years"]]
    assert [int(th.get_text()) for th in page.select("table.matrix thead th")[1:]] == years[::-1]
    assert int(page.select_one(".years-table tbody th").get_text()) == years[-1]
    assert page.select_one(".chart .scroll").has_attr("data-scroll-end")      # the chart opens at its end


@pytest.mark.parametrize("url", ["/trends?q=监督", "/trends", "/compare?q=监督&province=浙江省&province=四川省"])
def test_scroll_boxes_are_named_regions_reached_from_the_keyboard(client, url):
    boxes = soup(client.get(url)).select(".scroll")
    assert boxes and all(b.get("tabindex") == "0" and b.get("role") == "region" and b.get("aria-label")
                         for b in boxes)


def test_the_held_count_of_a_query_with_filters_keeps_its_filters(client):
    page = soup(client.get("/trends?q=监督+level:county"))
    held = page.select(".years-table tbody tr td:nth-of-type(3) a")
    assert held
    for a in held:
        args = dict(parse_qsl(urlparse(a["href"]).query))
        assert args["q"] == "level:county" and args["group"] == "report"
        county = client.get(f"/api/stats?level=county&year={args['year']}&by=year").get_json()["rows"]
        assert int(a.get_text()) == county[0]["reports_held"]


def test_compare_counts_link_to_their_searches(client):
    url = "q=备案审查&province=内蒙古自治区&province=浙江省&province=四川省"
    page = soup(client.get("/compare?" + url))
    data = client.get("/api/trends?" + url).get_json()
    cells = {(g["name"], r["year"]): r for g in data["groups"] for r in g["years"]}
    links = page.select(".compare-table td a")
    assert len(links) > 5
    for a in links:
        args = dict(parse_qsl(urlparse(a["href"]).query))
        cell = cells[args["province"], int(args["year"])]
        want = cell["reports"] if "q" in args else cell["reports_held"]
        assert search_count(client, a["href"]) == want
        if "q" not in args:
            assert int(a.get_text()) == want
    for fig in page.select(".multiples figure"):
        mentioned, held = fig.select("figcaption a")
        assert search_count(client, mentioned["href"]) == int(mentioned.get_text().split()[0])
        assert search_count(client, held["href"]) == int(held.get_text().split()[1])


def download(client, href: str):
    r = client.get(href)
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    if href.split("?")[0].endswith(".json"):
        return r.get_json()
    return list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig"))))


def test_the_years_table_downloads_as_the_page_shows_it(client):
    page = soup(client.get("/trends?q=监督"))
    links = {a.get_text(): a["href"] for a in page.select_one(".years-table").find_previous("p", class_="downloads")
             .select("a")}
    rows, table = download(client, links["CSV"]), download(client, links["JSON"])
    assert [r["year"] for r in rows] == [r.th.get_text() for r in page.select(".years-table tbody tr")]
    assert [{k: str(v) if v is not None else "" for k, v in r.items()} for r in table["rows"]] == rows
    assert table["columns"] == list(rows[0])
    for tr, row in zip(page.select(".years-table tbody tr"), table["rows"]):
        cells = [td.get_text() for td in tr.select("td")]
        if cells == ["未收录"]:
            assert row["reports_held"] == 0 and row["held_search"] is None
            continue
        assert cells[:3] == [str(row["passages"]), str(row["reports"]), str(row["reports_held"])]
        assert search_count(client, urlparse(row["search"])._replace(scheme="", netloc="").geturl()) == row["passages"]


def test_the_matrix_downloads_one_row_per_group_and_year_held(client):
    page = soup(client.get("/trends?q=监督&by=level"))
    links = {a.get_text(): a["href"] for a in page.select_one("table.matrix").find_previous("p", class_="downloads")
             .select("a")}
    rows, table = download(client, links["CSV"]), download(client, links["JSON"])
    years = [th.get_text() for th in page.select("table.matrix thead th")[1:]]
    shown = {(tr.th.get_text(), y): td.get_text() for tr in page.select("table.matrix tbody tr")
             for y, td in zip(years, tr.select("td")) if td.get_text() != "—"}
    assert {(r["level"], r["year"]): f"{round(float(r['share_of_reports']) * 100)}% / {r['reports_held']}"
            for r in rows} == shown
    assert {r["level"] for r in table["rows"]} <= {"national", "provincial", "city", "county"}    # codes in JSON
    assert {r["level"] for r in rows} <= {"全国", "省级", "市级", "县级"}                           # labels in CSV


def test_the_comparison_downloads_its_table(client):
    url = "/compare?q=监督&province=内蒙古自治区&province=浙江省&metric=passages_per_report"
    page = soup(client.get(url))
    links = {a.get_text(): a["href"] for a in page.select(".downloads a")}
    rows, table = download(client, links["CSV"]), download(client, links["JSON"])
    assert table["names"] == ["内蒙古自治区", "浙江省"] and len(rows) == len(table["rows"]) > 2
    assert {r["province"] for r in rows} == {"内蒙古自治区", "浙江省"}
    years = [tr.th.get_text() for tr in page.select(".compare-table tbody tr")]
    held = {(p, y): tr.select("td")[2 * i + 1].get_text() for y, tr in zip(years, page.select(".compare-table tbody tr"))
            for i, p in enumerate(table["names"])}
    assert all(held[r["province"], r["year"]] == r["reports_held"] for r in rows)
    assert client.get("/compare/table.csv?q=监督&province=浙江省").status_code == 400
    assert client.get("/trends/years.xml?q=监督").status_code == 404       # as every download of an unknown format
    assert client.get("/trends/nothing.csv").status_code == 404
