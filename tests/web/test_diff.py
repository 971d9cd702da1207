"""Precedents side by side (/diff and /api/diff): two passages, a passage and the precedents to pick from,
two reports (one congress's two years: what is new, dropped, reworded, unchanged, the figures that changed); the
differences marked not by colour alone."""
from urllib.parse import parse_qs, urlparse

import pytest

from search_app.core.diff import STATUSES
from tests.web.conftest import soup

REPORTS_KEYS = {"kind", "a", "b", "ratio", "paired", "summary", "categories", "numbers", "rows", "truncated"}
ROW_KEYS = {"status", "a", "b", "ratio", "opcodes", "numbers", "segments"}
NUMBER_KEYS = {"context", "a", "b", "a_value", "b_value", "delta", "unit"}


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


def test_one_congresss_two_years_as_json(yoy_client, yoy_ids):
    a, b = yoy_ids["deqing-2021"], yoy_ids["deqing-2022"]
    data = yoy_client.get(f"/api/diff?a_doc={a}&b_doc={b}").get_json()
    assert data.keys() == REPORTS_KEYS and data["kind"] == "reports"
    assert data["summary"].keys() == set(STATUSES) and sum(data["summary"].values()) == len(data["rows"])
    assert all(r.keys() == ROW_KEYS and r["status"] in STATUSES for r in data["rows"])
    assert all({"passage_id", "heading", "category", "text"} == r[s].keys() for r in data["rows"] for s in "ab" if r[s])
    assert data["numbers"] and all(n.keys() == NUMBER_KEYS | {"row", "category"} for n in data["numbers"])
    assert all(n.keys() == NUMBER_KEYS for r in data["rows"] for n in r["numbers"])
    assert {c["category"] for c in data["categories"]} >= {"监督工作", "代表工作", "自身建设"}


def test_one_congresss_two_years_on_the_page(yoy_client, yoy_ids):
    a, b = yoy_ids["deqing-2021"], yoy_ids["deqing-2022"]
    data = yoy_client.get(f"/api/diff?a_doc={a}&b_doc={b}").get_json()
    page = soup(yoy_client.get(f"/diff?a_doc={a}&b_doc={b}"))
    counts = {li.select_one(".status").get_text(): int(li.select_one("strong").get_text())
              for li in page.select(".status-counts li")}
    assert counts == {STATUSES[s]: n for s, n in data["summary"].items() if s != "unaligned"}
    rows = page.select("ol.aligned > li")
    assert [li.select_one(".row-head .status").get_text() for li in rows] == [STATUSES[r["status"]] for r in data["rows"]]
    assert [li["id"] for li in rows] == [f"row-{k}" for k in range(1, len(rows) + 1)]
    reworded = [li for li in rows if "is-reworded" in li["class"]]
    assert reworded and all(li.select("del") or li.select("ins") for li in reworded)
    assert not any(li.select("del, ins") for li in rows if "is-reworded" not in li["class"])
    table = page.select("table.numbers-changed tbody tr")
    assert [[td.get_text() for td in tr.select("td")][2:4] for tr in table] == [[n["a"], n["b"]] for n in data["numbers"]]
    for tr, n in zip(table, data["numbers"]):
        target = page.find(id=tr.select_one("a")["href"][1:])
        assert target is rows[n["row"]] and n["b"] in target.select_one(".row-numbers").get_text()
    shown = [[td.get_text() for td in tr.select("td")][1:5] for tr in table]
    assert ["全年共召开常委会会议", "八次", "九次", "+1次"] in shown
    assert ["全年向县委请示报告重大事项", "十二件", "15件", "+3件"] in shown
    swap = next(x for x in page.select(".ratio a") if x.get_text() == "甲乙互换")["href"]
    assert parse_qs(urlparse(swap).query) == {"a_doc": [b], "b_doc": [a]}


def test_two_reports_of_no_changed_figure_say_so(yoy_client, yoy_ids):
    a = yoy_ids["deqing-2023"]
    page = soup(yoy_client.get(f"/diff?a_doc={a}&b_doc={a}"))
    assert page.select_one(".number-changes .empty") and not page.select("table.numbers-changed")
    assert {li["class"][1] for li in page.select("ol.aligned > li")} == {"is-unchanged"}
