"""The search page (facets, chips, years, citations, paging, zero results) and the exports (HTML parsed)."""
import csv
import io
import json

import pytest

from indexer.facets import UNSTATED
from tests.web.conftest import box_count, facet_box, link_value, soup, submit


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
    assert not button.has_attr("data-url") and hit["citation_url"] is None      # no web source: no 来源
    assert hit["passage_url"] == f"/doc/{hit['doc_id']}#p-{pid}"
    assert button["data-text"] == hit["text"] and hit["text"].startswith("加大监督力度")
    assert hit["citation"] == button["data-citation"]
    sim = soup(client.get(f"/similar?passage_id={pid}")).select("button.cite")
    assert sim and all(b["data-citation"].startswith("《") for b in sim)


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


def test_export_streams_the_whole_result_set(client):
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
    with client.get("/export.csv?q=%22") as r:
        assert r.status_code == 400


def test_export_cells_are_neutralised():
    from search_app.formats import delimited_lines
    row = {"title": '=HYPERLINK("x")', "text": "@SUM(1)", "heading": "-2+3", "body": "+1"}
    text = "".join(delimited_lines([row], row))
    assert "'=HYPERLINK" in text and "'@SUM" in text and "'-2+3" in text and "'+1" in text


def test_year_range_form_and_passage_steps(client):
    page = soup(client.get("/?q=监督&year_from=2015&year_to=2020"))
    years = [int(b["value"]) for b in page.select(".facet[data-facet=year] input[checked]")]
    assert years and all(2015 <= y <= 2020 for y in years)
    form = page.select_one("form.years")
    assert form.select_one("input[name=q]")["value"] == "监督"
    assert form.select_one("input[name=year_from]")["value"] == "2015"
    hit = client.get("/api/search?q=有备必审&per_page=1").get_json()["hits"][0]
    doc = soup(client.get(f"/doc/{hit['doc_id']}"))
    passages, steps = doc.select("p.passage"), doc.select("div.ptools")      # each passage's tools follow it
    assert steps[0].select_one("a[rel=next]")["href"] == "#" + passages[1]["id"]
    assert steps[1].select_one("a[rel=prev]")["href"] == "#" + passages[0]["id"]
    assert steps[-1].select_one("a[rel=next]") is None


def test_region_tree_arranges_exactly_the_json_facets(client):
    data = client.get("/api/search?q=监督").get_json()
    assert set(data["facets"]) == {"region", "province", "level", "year", "section", "doc_type"}
    assert all(set(item) == {"value", "count"} for items in data["facets"].values() for item in items)
    tree = soup(client.get("/?q=监督")).select_one(".facet[data-facet=region] ul.tree")
    counts = {(b["data-filter"], b["value"]): box_count(b) for b in tree.select("input[type=checkbox]")}
    # every region (those of no known region as （未标明）) and every known province, with its JSON count
    assert counts == {(name, f["value"] or UNSTATED): f["count"] for name in ("region", "province")
                      for f in data["facets"][name] if f["value"] or name == "region"}
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
    card = lead.find_parent("article")          # regression: the heading was printed twice on the card
    assert card.get_text().count("全力抓好监督工作") == 1 and card.select_one(".meta .heading") is None


def test_an_open_year_range_in_the_query_reads_as_open(client):
    page = soup(client.get("/?q=监督+year:2019-"))
    assert "2019年起" in page.select_one(".summary").get_text() and "9999" not in page.get_text()


def test_one_passage_per_report(client):
    plain = soup(client.get("/?q=监督&per_page=5"))
    link = next(a for a in plain.select(".sort a") if a.get_text() == "每份报告只看一段")["href"]
    page = soup(client.get(link))
    data = client.get("/api/search?q=监督&per_page=5&group=report").get_json()
    cards = page.select("article.result")
    assert [c["id"][2:] for c in cards] == [h["passage_id"] for h in data["hits"]]
    assert len({h["doc_id"] for h in data["hits"]}) == len(cards) == 5 and data["group"] == "report"
    pages = [a.get_text() for a in page.select(".pager a[aria-label]")]
    assert pages[-1] == str(-(-data["reports"] // 5))          # paged by report, not by passage
    assert f"每份报告一段（{data['reports']} 份报告）" in page.select_one(".sort").get_text()
    more = [(a["href"], a.get_text()) for a in page.select("a.more-in-report")]
    assert more and all(t == f"本报告共 {h['report_hits']} 段命中" for (_, t), h in
                        zip(more, [h for h in data["hits"] if h["report_hits"] > 1]))
    form = page.select_one("form.facet-form")
    assert ("group", "report") in [(i["name"], i["value"]) for i in form.select("input[type=hidden]")]
    assert client.get("/?q=监督&group=doc").status_code == 400


def test_short_names_and_labels_in_the_address_filter_and_tick(client):
    """province=浙江&level=县级 is province=浙江省&level=county: the same hits, and the sidebar ticks what they mean."""
    short = client.get("/api/search?q=监督&province=浙江&level=县级&per_page=50").get_json()
    full = client.get("/api/search?q=监督&province=浙江省&level=county&per_page=50").get_json()
    assert short["total"] == full["total"] > 0 and short["hits"] == full["hits"]
    page = soup(client.get("/?q=监督&province=浙江&level=县级"))
    assert page.select_one("ul.tree input[data-filter=province][value=浙江省]").has_attr("checked")
    assert facet_box(page, "level", "county").has_attr("checked")
    assert [a.contents[0].strip() for a in page.select(".chips a.drop")] == ["省份 浙江省", "层级 县级"]
    region = client.get("/api/search?q=监督&region=巴彦淖尔&per_page=50").get_json()
    assert region["total"] > 0 and {h["region"] for h in region["hits"]} == {"巴彦淖尔市"}
    bad = client.get("/?q=监督&level=乡级")
    assert bad.status_code == 400 and "层级只能是" in soup(bad).get_text()
    assert client.get("/api/search?q=监督&province=火星").get_json()["total"] == 0     # unknown: nothing, no error


def test_a_city_is_tickable_and_keeps_its_counties(client):
    """金华市 holds no report of its own here, only 义乌市's: its box counts those, and ticking it finds them."""
    page = soup(client.get("/?q=监督"))
    city = page.select_one("ul.tree input[data-filter=region][value=金华市]")
    county = city.find_parent("li").select_one("input[value=义乌市]")
    picked = soup(client.get(submit(page.select_one("form.facet-form"), ("region", "金华市"))))
    api = client.get("/api/search?q=监督&per_page=50&region=金华市").get_json()
    assert int(picked.select_one(".total").text) == api["total"] == box_count(city) == box_count(county) > 0
    assert {h["region"] for h in api["hits"]} == {"义乌市"}
    assert picked.select_one("ul.tree input[value=金华市]").has_attr("checked")


def test_reports_of_no_known_region_are_counted_and_tickable(client):
    page = soup(client.get("/?q=监督"))
    unknown = page.select_one(f"ul.tree input[data-filter=region][value='{UNSTATED}']")
    assert unknown.find_parent("label").get_text(strip=True) == UNSTATED
    picked = soup(client.get(submit(page.select_one("form.facet-form"), ("region", UNSTATED))))
    api = client.get("/api/search", query_string={"q": "监督", "region": UNSTATED, "per_page": 50}).get_json()
    assert int(picked.select_one(".total").text) == api["total"] == box_count(unknown) > 0
    assert {h.get("region") for h in api["hits"]} == {None}
    assert picked.select_one(f"ul.tree input[value='{UNSTATED}']").has_attr("checked")
    in_query = client.get("/api/search", query_string={"q": f"监督 地区:{UNSTATED}"}).get_json()
    assert in_query["total"] == api["total"] and in_query["parsed"]["filters"] == {"region": [UNSTATED]}


def test_csv_export_writes_labels_and_jsonl_the_codes(client):
    with client.get("/export.csv?q=监督&level=县级") as r:
        rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows and {row["level"] for row in rows} == {"县级"}
    with client.get("/export.csv?q=监督&type=其他文件") as r:
        others = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert others and {row["doc_type"] for row in others} == {"其他文件"}
    with client.get("/export.jsonl?q=监督&type=其他文件") as r:
        lines = [json.loads(line) for line in r.get_data(as_text=True).splitlines()]
    assert len(lines) == len(others) and {x["doc_type"] for x in lines} == {"other"}


def test_the_json_carries_the_address_of_its_next_page(client):
    first = client.get("/api/search?q=监督&per_page=7").get_json()
    seen, page = [], first
    while True:
        seen += [h["passage_id"] for h in page["hits"]]
        if page["next"] is None:
            break
        assert page["next"].startswith("/api/search?") and "per_page=7" in page["next"]
        page = client.get(page["next"]).get_json()
    assert len(seen) == len(set(seen)) == first["total"] > 14
    assert client.get("/api/search?q=有备必审&per_page=50").get_json()["next"] is None       # one page of them
    grouped = client.get("/api/search?q=监督&per_page=3&group=report").get_json()
    assert grouped["next"] and "group=report" in grouped["next"]     # paged by report, as the page is
    last = client.get(f"/api/search?q=监督&per_page=3&group=report&page={-(-grouped['reports'] // 3)}").get_json()
    assert last["next"] is None and last["hits"]
