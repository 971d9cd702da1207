"""The report page and its JSON twin: contents, anchors, sources, the query marked, each passage's tools, the
way back to the search."""
import pytest

from tests.web.conftest import link_value, soup


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
    for q in ("OR", "%22", "a OR"):
        r = client.get(f"/doc/{doc_id}?q={q}")
        page = soup(r)
        assert r.status_code == 200 and page.select("p.passage") and not page.select("mark")
        assert page.select_one("article.doc .note").get_text().startswith("检索词无法用于标记")


def test_reader_marks_what_the_search_page_marks(client):
    """Unquoted words are marked word by word on both pages (one rule in the core, not two)."""
    q = "执法检查专题询问"
    card = soup(client.get("/?q=" + q)).select_one("article.result")
    on_search = {m.get_text() for m in card.select(".snippet mark")}
    doc = soup(client.get(card.select_one("h3 a")["href"].split("#")[0]))
    in_reader = {m.get_text() for m in doc.select("p.passage mark")}
    assert on_search <= {"执法检查", "专题询问", "执法检查专题询问"} and on_search
    assert on_search <= in_reader


def test_each_passage_has_its_citation_and_ways_on(client):
    doc_id = client.get("/api/search?q=有备必审&per_page=1").get_json()["hits"][0]["doc_id"]
    data = client.get(f"/api/doc/{doc_id}").get_json()
    passages = [p for s in data["sections"] for p in s["passages"]]
    assert all(p["citation"].startswith("《") for p in passages)
    page = soup(client.get(f"/doc/{doc_id}"))
    tools = page.select("div.ptools")
    assert len(tools) == len(passages) == len(page.select("p.passage"))
    for p, t in zip(passages, tools):
        button = t.select_one("button.cite")
        assert (button["data-citation"], button["data-text"]) == (p["citation"], p["text"])
        assert t.select_one(f"a[href='/similar?passage_id={p['passage_id']}']")
        assert t.select_one("a.compare")["href"] == f"/diff?a={p['passage_id']}"
        assert t.select_one(".pick input[type=checkbox]")["value"] == p["passage_id"]
    # the ↑/↓ links stand apart from the text (axe: link-in-text-block) and name where they go
    assert not page.select("p.passage a")
    assert all(a["aria-label"] in ("上一段", "下一段") for a in page.select(".ptools a.step"))


def test_back_to_the_same_search(client):
    url = "/?q=有备必审&level=county"
    card = soup(client.get(url)).select_one("article.result")
    href = card.select_one("h3 a")["href"]
    assert link_value(card.select_one("h3 a"), "back") == url + "#" + card["id"]
    back = soup(client.get(href.split("#")[0])).select_one(".doc-tools a.back")["href"]
    assert back == url + "#" + card["id"]


@pytest.mark.parametrize("back", ["//evil.example", "/\\evil.example", "https://evil.example/", "javascript:alert(1)",
                                  "/\t/evil.example", "/\n/evil.example", "evil.example", "/" + "x" * 3000])
def test_back_never_leads_off_the_site(client, back):
    doc_id = client.get("/api/search?q=有备必审&per_page=1").get_json()["hits"][0]["doc_id"]
    page = soup(client.get(f"/doc/{doc_id}", query_string={"q": "有备必审", "back": back}))
    assert page.select_one("a.back")["href"] == "/?q=%E6%9C%89%E5%A4%87%E5%BF%85%E5%AE%A1"      # the search for q
    assert not soup(client.get(f"/doc/{doc_id}", query_string={"back": back})).select("a.back")


def test_the_marks_are_counted_for_the_match_navigation(client):
    doc_id = client.get("/api/search?q=备案审查&per_page=1").get_json()["hits"][0]["doc_id"]
    page = soup(client.get(f"/doc/{doc_id}?q=备案审查"))
    marks = page.select("p.passage mark")
    assert marks and page.select_one(".doc-tools .matches").get_text().split("标出 ")[1].startswith(f"{len(marks)} 处")
    assert not soup(client.get(f"/doc/{doc_id}")).select(".doc-tools .matches")


def test_a_report_links_to_the_comparison_with_this_congresss_other_years(yoy_client, yoy_ids):
    """From 2022: 2021 as 甲 and 2022 as 乙, then 2022 as 甲 and 2023 as 乙; the neighbour's 2022 report is not listed."""
    doc = yoy_ids["deqing-2022"]
    listed = yoy_client.get(f"/api/doc/{doc}").get_json()["other_years"]
    assert [(o["year"], o["a_doc"], o["b_doc"]) for o in listed] == [
        (2021, yoy_ids["deqing-2021"], doc), (2023, doc, yoy_ids["deqing-2023"])]
    block = soup(yoy_client.get(f"/doc/{doc}")).select_one("p.other-years")
    assert block.get_text().startswith("与本届人大另一年的报告对比")
    links = block.select("a")
    assert [a.get_text() for a in links] == ["2021年报告", "2023年报告"]
    assert [(link_value(a, "a_doc"), link_value(a, "b_doc")) for a in links] == [(o["a_doc"], o["b_doc"]) for o in listed]
    assert all(yoy_client.get(a["href"]).status_code == 200 for a in links)
    assert soup(yoy_client.get(f"/doc/{yoy_ids['anji-2022']}")).select_one("p.other-years") is None


def test_no_other_year_no_list(client):
    """The labelled samples hold one year per congress: no report page lists another year."""
    doc_id = client.get("/api/search?q=有备必审&per_page=1").get_json()["hits"][0]["doc_id"]
    assert client.get(f"/api/doc/{doc_id}").get_json()["other_years"] == []
    assert soup(client.get(f"/doc/{doc_id}")).select_one("p.other-years") is None
