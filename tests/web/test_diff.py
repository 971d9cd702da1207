"""Precedents side by side (/diff and /api/diff): two passages, a passage and the precedents to pick from,
two reports; the differences marked not by colour alone."""
from urllib.parse import parse_qs, urlparse

import pytest

from tests.web.conftest import soup


@pytest.fixture(scope="module")
def two(client):
    """Two passages of different reports that say much the same (a passage and its best precedent)."""
    pid = client.get("/api/search?q=有备必审&per_page=1").get_json()["hits"][0]["passage_id"]
    other = client.get(f"/api/similar?passage_id={pid}&limit=1").get_json()["hits"][0]["passage_id"]
    return pid, other


def test_two_passages_side_by_side(client, two):
    a, b = two
    data = client.get(f"/api/diff?a={a}&b={b}").get_json()
    assert data["kind"] == "passages" and 0 < data["ratio"] < 1
    assert data["a"]["passage_id"] == a and data["b"]["passage_id"] == b
    assert data["a"]["citation"].startswith("《") and data["b"]["citation"].startswith("《")
    assert "".join(s["text"] for s in data["segments"]["a"]) == data["a"]["text"]
    page = soup(client.get(f"/diff?a={a}&b={b}"))
    sides = page.select("section.side")
    assert [s.select_one("h2 a").get_text() for s in sides] == [data["a"]["citation"], data["b"]["citation"]]
    assert sides[0].select_one(".text").get_text().replace("［甲有乙无：", "").replace("］", "") == data["a"]["text"]
    deleted = [s["text"] for s in data["segments"]["a"] if s["op"] in ("delete", "replace")]
    inserted = [s["text"] for s in data["segments"]["b"] if s["op"] in ("insert", "replace")]
    assert [d.get_text() for d in sides[0].select("del")] == [f"［甲有乙无：{t}］" for t in deleted]
    assert [d.get_text() for d in sides[1].select("ins")] == [f"［乙有甲无：{t}］" for t in inserted]
    assert all(d.select_one(".visually-hidden") for d in page.select(".side del, .side ins"))   # not colour alone
    assert page.select_one(".ratio strong").get_text() == f"{data['ratio'] * 100:.0f}%"
    assert [b["data-citation"] for b in page.select("button.cite")] == [data["a"]["citation"], data["b"]["citation"]]


def test_a_passage_alone_offers_precedents_to_compare_with(client, two):
    a, _ = two
    data = client.get(f"/api/diff?a={a}").get_json()
    assert data["kind"] == "pick" and data["a"]["passage_id"] == a and data["candidates"]
    page = soup(client.get(f"/diff?a={a}"))
    links = page.select("ol.candidates a.compare")
    assert len(links) == len(data["candidates"])
    assert [parse_qs(urlparse(x["href"]).query) for x in links] == [
        {"a": [a], "b": [c["passage_id"]]} for c in data["candidates"]]
    doc_link = page.select_one("ol.candidates a[href*=a_doc]")["href"]      # the two reports side by side
    reports = client.get("/api" + doc_link).get_json()
    assert client.get(doc_link).status_code == 200 and reports["kind"] == "reports"
    assert reports["a"]["doc_id"] == data["a"]["doc_id"] and \
        reports["b"]["doc_id"] == parse_qs(urlparse(doc_link).query)["b_doc"][0] != data["a"]["doc_id"]


def test_two_reports_aligned(client, two):
    a, b = two
    ja, jb = (client.get(f"/api/diff?a={a}&b={b}").get_json()[s]["doc_id"] for s in ("a", "b"))
    data = client.get(f"/api/diff?a_doc={ja}&b_doc={jb}").get_json()
    assert data["kind"] == "reports" and data["paired"] > 0 and 0 < data["ratio"] < 1
    assert data["a"]["doc_id"] == ja and data["a"]["citation"].startswith("《")
    page = soup(client.get(f"/diff?a_doc={ja}&b_doc={jb}"))
    assert len(page.select("ol.aligned > li")) == len(data["rows"])
    assert len(page.select("ol.aligned > li:not(.alone)")) == data["paired"]
    alone = page.select("ol.aligned > li.alone")
    assert all(li.select_one(".none") and not li.select("del, ins") for li in alone)


@pytest.mark.parametrize("query,message", [
    ("a=x&a_doc=y", "不要混用"),
    ("a_doc=y", "两个报告编号"),
    ("a=nosuchpassage", "索引中没有段落"),
    ("a_doc=nosuch&b_doc=nosuchtoo", "索引中没有编号"),
    ("a=" + "x" * 65, "太长"),
    ("", "对比需要"),
])
def test_what_cannot_be_compared_is_said_in_chinese(client, query, message):
    r = client.get("/api/diff?" + query)
    assert r.status_code == 400 and r.get_json()["ok"] is False and message in r.get_json()["error"]
    if query:
        assert client.get("/diff?" + query).status_code == 400


def test_the_page_without_parameters_explains_and_asks(client):
    page = soup(client.get("/diff"))
    assert page.select_one("form.diff-form")["action"] == "/diff"
    assert {i["name"] for i in page.select("form.diff-form input")} == {"a", "b"}


def test_ways_to_compare_from_results_and_reports(client):
    card = soup(client.get("/?q=有备必审")).select_one("article.result")
    pid = card["id"][2:]
    assert card.select_one("a.compare")["href"] == f"/diff?a={pid}"
    doc_id = client.get("/api/search?q=有备必审&per_page=1").get_json()["hits"][0]["doc_id"]
    tools = soup(client.get(f"/doc/{doc_id}")).select("div.ptools")
    assert tools and all(t.select_one("a.compare")["href"].startswith("/diff?a=") for t in tools)


def test_the_pages_are_headed_in_order_and_their_fields_labelled(client, two):
    a, b = two
    docs = client.get(f"/api/diff?a={a}&b={b}").get_json()
    for url in ("/diff", f"/diff?a={a}", f"/diff?a={a}&b={b}", f"/diff?a_doc={docs['a']['doc_id']}&b_doc={docs['b']['doc_id']}"):
        page = soup(client.get(url))
        levels = [int(h.name[1]) for h in page.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]
        assert levels[0] == 1 and levels.count(1) == 1 and all(y <= x + 1 for x, y in zip(levels, levels[1:])), url
        for field in page.select("main input:not([type=hidden])"):
            assert field.find_parent("label").get_text(strip=True), (url, field)
