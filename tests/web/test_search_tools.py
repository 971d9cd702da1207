"""The search tools of issue 15 item 9 (HTML parsed): did you mean, search within results, exact/fuzzy
matching and the advanced search form with its JSON twin."""
from urllib.parse import parse_qs, urlparse

from tests.web.conftest import link_value, soup, submit


def args_of(url: str) -> dict:
    return parse_qs(urlparse(url).query)


def test_a_typo_gets_a_suggestion_above_the_results_and_in_the_json(client):
    page = soup(client.get("/?q=执法检察&level=city"))
    note = page.select_one(".did-you-mean")
    assert note.get_text(strip=True) == "确认要找的是：执法检查？"
    assert args_of(note.a["href"]) == {"q": ["执法检查"], "level": ["city"]}       # the filters kept
    assert page.select_one(".did-you-mean").find_next("article", class_="result")     # above the results
    data = client.get("/api/search?q=执法检察&level=city").get_json()
    assert data["spelling"]["query"] == "执法检查"
    assert not soup(client.get("/?q=执法检查")).select_one(".did-you-mean")
    assert "spelling" not in client.get("/api/search?q=%22有备必审%22").get_json()


def test_search_within_results_adds_words_keeps_the_filters_and_drops_as_a_chip(client):
    page = soup(client.get("/?q=备案审查&level=city&sort=newest"))
    form = page.select_one("form.within")
    assert form["method"] == "get" and form.select_one("label[for=within]").get_text() == "结果中检索"
    url = submit(form, within="监督")
    assert args_of(url) == {"q": ["备案审查"], "level": ["city"], "sort": ["newest"], "within": ["监督"]}
    inner = client.get(url)
    page = soup(inner)
    assert page.select_one(".parsed").get_text() == "备案审查 并且 监督"
    assert page.select_one("#q")["value"] == "备案审查"            # the box keeps what was typed
    within_total = int(page.select_one(".total").get_text())
    data = client.get("/api/search?q=备案审查 监督&level=city").get_json()
    assert within_total == data["total"] > 0
    assert within_total < client.get("/api/search?q=备案审查&level=city").get_json()["total"]
    chip = page.select_one(".within-chips a.drop")
    assert chip.get_text(strip=True).startswith("监督")
    assert "within" not in args_of(chip["href"]) and args_of(chip["href"])["level"] == ["city"]
    kept = [(i["name"], i["value"]) for i in page.select("form.within input[type=hidden]")]
    assert ("within", "监督") in kept                   # a second word is added to the first
    facet_form = page.select_one("form.facet-form")
    assert ("within", "监督") in [(i["name"], i["value"]) for i in facet_form.select("input[type=hidden]")]
    kwic = page.select_one('nav.modes a[href^="/kwic"]')
    assert link_value(kwic, "q") == "备案审查 监督"                # the other pages get it in the query


def test_within_an_or_query_the_or_stays_in_its_part(client):
    page = soup(client.get("/?q=立法 OR 询问&within=监督"))
    assert page.select_one(".parsed").get_text() == "（立法 或 询问） 并且 监督"


def test_the_exact_fuzzy_toggle_says_which_is_on(client):
    page = soup(client.get("/?q=执法 检查"))
    mode = page.select_one(".match-mode")
    assert mode.select_one("[aria-current]").get_text() == "模糊" and "现为模糊匹配" in mode.get_text()
    exact_url = mode.find("a", string="精确")["href"]
    assert args_of(exact_url)["exact"] == ["1"]
    page = soup(client.get(exact_url))
    mode = page.select_one(".match-mode")
    assert mode.select_one("[aria-current]").get_text() == "精确" and "现为精确匹配" in mode.get_text()
    assert page.select_one(".parsed").get_text() == "“执法” 并且 “检查”"
    assert "exact" not in args_of(mode.find("a", string="模糊")["href"])
    fuzzy = client.get("/api/search?q=备案审查 月球").get_json()
    exact = client.get("/api/search?q=备案审查 月球&exact=1").get_json()
    assert fuzzy["relaxed"] and fuzzy["total"] > 0                    # fuzzy: most of the words
    assert exact["total"] == 0 and "relaxed" not in exact              # exact: all of them, as written
    assert exact["query"] == '"备案审查" "月球"'


def test_the_advanced_form_writes_the_query_and_the_url_parameters(client):
    page = soup(client.get("/advanced"))
    form = page.select_one("form.advanced")
    assert form["method"] == "get" and form["action"] == "/advanced"
    labels = {lab.get_text(strip=True) for lab in form.select("label")}
    assert {"包含全部这些词", "包含其中任意一个词", "不包含这些词", "包含完整短语", "地区", "层级", "栏目", "文种",
            "起始年份", "截止年份"} <= labels
    url = submit(form, q_all="备案审查", q_any="立法 法规", q_none="询问", q_phrase="有备必审",
                 place="province=浙江省", level="provincial", type="工作报告", year_from="2019", year_to="2023")
    r = client.get(url)
    assert r.status_code == 303
    target = r.headers["Location"]
    assert args_of(target) == {"q": ['备案审查 (立法 OR 法规) "有备必审" -询问'], "province": ["浙江省"],
                               "level": ["provincial"], "type": ["工作报告"], "year_from": ["2019"],
                               "year_to": ["2023"]}
    results = soup(client.get(target))
    assert results.select_one("#q")["value"] == '备案审查 (立法 OR 法规) "有备必审" -询问'   # the syntax, to learn
    assert results.select_one(".parsed").get_text().startswith("备案审查 并且 （立法 或 法规）")


def test_the_advanced_form_is_filled_from_the_search_it_was_opened_from(client):
    page = soup(client.get('/?q=备案审查 -询问 (立法 OR 法规) "有备必审" level:county&region=湖州市&year_from=2019'))
    link = page.select_one("a.advanced-link")
    form = soup(client.get(link["href"])).select_one("form.advanced")
    value = {i["name"]: i.get("value", "") for i in form.select("input[name]")}
    assert (value["q_all"], value["q_any"], value["q_none"], value["q_phrase"]) == ("备案审查", "立法 法规", "询问", "有备必审")
    assert (value["year_from"], value["year_to"]) == ("2019", "")
    chosen = {s["name"]: s.select_one("option[selected]")["value"] for s in form.select("select") if s.select_one("option[selected]")}
    assert chosen == {"place": "region=湖州市", "level": "county"}


def test_the_advanced_forms_json_twin_describes_fields_and_choices(client):
    page = soup(client.get("/advanced?q=备案审查"))
    twin = client.get(page.select_one(".syntax a")["href"])
    data = twin.get_json()
    assert data["query"] == "备案审查" and data["search_url"] == "/?q=" + "%E5%A4%87%E6%A1%88%E5%AE%A1%E6%9F%A5"
    fields = {f["name"]: f for f in data["fields"]}
    assert set(fields) == {"q_all", "q_any", "q_none", "q_phrase", "place", "level", "section", "type",
                           "year_from", "year_to"}
    assert {c["value"] for c in fields["level"]["choices"]} == {"national", "provincial", "city", "county"}
    places = [o["value"] for g in fields["place"]["choices"] for o in g["options"]]
    assert "province=浙江省" in places and "region=湖州市" in places
    written = client.get("/api/advanced?q_all=监督&q_none=询问&level=county").get_json()
    assert written["query"] == "监督 -询问" and written["api_url"].startswith("/api/search?q=")


def test_an_empty_advanced_search_or_a_made_up_place_is_a_400_in_chinese(client):
    r = client.get("/advanced?go=1&q_all=")
    assert r.status_code == 400 and "高级检索是空的" in r.get_data(as_text=True)
    r = client.get("/advanced?go=1&q_all=监督&place=evil=1")
    assert r.status_code == 400 and "地区只能从列表中选" in r.get_data(as_text=True)


def test_a_query_that_cannot_be_run_is_a_400_page_and_the_form_shows_it_as_typed(client):
    for url in ("/?q=监督&within=a OR", "/?q=a OR&exact=1"):
        r = client.get(url)
        assert r.status_code == 400 and "OR 的两边都要有检索词" in r.get_data(as_text=True)
    fields = {f["name"]: f["value"] for f in client.get("/api/advanced?q=a OR").get_json()["fields"]}
    assert fields["q_all"] == "a OR"
