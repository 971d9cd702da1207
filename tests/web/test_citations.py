"""Citations on the pages and in the exports: never this server as 来源; the session and the date they were
delivered at, on the result cards, the report page and in the JSON."""
import csv
import io
import json

import pytest

from search_app.web import create_app
from tests.web.conftest import soup

SERVER_HOSTS = ("localhost", "127.0.0.1")      # the test client's host, and the e2e server's


def no_server_host(text: str) -> bool:
    return not any(h in text for h in SERVER_HOSTS)


@pytest.fixture(scope="module")
def dated(dated_index):
    return create_app({"INDEX_DIR": str(dated_index), "TESTING": True}).test_client()


def test_no_page_or_export_names_this_server(client):
    """Reports known only as files (the whole session index): nothing the user can copy or download names the
    server, in the citations, the copy buttons' data-url, the JSON or the exports."""
    hits = client.get("/api/search?q=监督&per_page=50").get_json()["hits"]
    assert hits and all(h["citation_url"] is None and h["passage_url"] == f"/doc/{h['doc_id']}#p-{h['passage_id']}"
                        for h in hits)
    pid = hits[0]["passage_id"]
    for url in ("/?q=监督&per_page=50", "/api/search?q=监督&per_page=50", f"/similar?passage_id={pid}",
                f"/api/similar?passage_id={pid}", "/export.csv?q=监督", "/export.jsonl?q=监督"):
        body = client.get(url).get_data(as_text=True)
        assert "citation" in body or "data-citation" in body, url
        assert no_server_host(body), url
    buttons = soup(client.get("/?q=监督")).select("button.cite")
    assert buttons and not any(b.has_attr("data-url") for b in buttons)


def test_exports_have_the_session_and_date_columns(dated):
    rows = list(csv.DictReader(io.StringIO(dated.get("/export.csv?q=监督").get_data(as_text=True).lstrip("\ufeff"))))
    jiangxi = [r for r in rows if r["title"].startswith("江西省")]
    assert jiangxi and all((r["session"], r["delivered"], r["citation_url"]) ==
                           ("江西省第十三届人民代表大会第四次会议", "2020-01-15", "") for r in jiangxi)
    lines = [json.loads(x) for x in dated.get("/export.jsonl?q=监督").get_data(as_text=True).splitlines()]
    assert {(r["session"], r["delivered"]) for r in lines} == {
        ("江西省第十三届人民代表大会第四次会议", "2020-01-15"), ("福建省第十一届人民代表大会第二次会议", "2009-01-12")}


def test_result_cards_cite_the_session_and_the_date(dated):
    buttons = soup(dated.get("/?q=监督")).select("button.cite")
    cites = {b["data-citation"].split("，")[0] for b in buttons}
    assert cites == {"《江西省人民代表大会常务委员会工作报告》——2020年1月15日在江西省第十三届人民代表大会第四次会议上",
                     "《福建省人民代表大会常务委员会工作报告》——2009年1月12日在福建省第十一届人民代表大会第二次会议上"}
    assert all(no_server_host(str(b)) for b in buttons)


def test_the_report_page_says_where_and_when_it_was_delivered(dated, client):
    hit = dated.get("/api/search?q=江西").get_json()["hits"][0]
    page = soup(dated.get(f"/doc/{hit['doc_id']}"))
    said = page.select_one(".meta .delivered")
    assert said.get_text() == "2020-01-15 在江西省第十三届人民代表大会第四次会议上报告"
    assert said.select_one("time")["datetime"] == "2020-01-15"
    doc = dated.get(f"/api/doc/{hit['doc_id']}").get_json()
    assert (doc["session"], doc["delivered"]) == ("江西省第十三届人民代表大会第四次会议", "2020-01-15")
    # a session line without a date (the samples' 浙江), and a report without one (no words about it)
    zhejiang = client.get("/api/search?q=浙江省第十四届人民代表大会").get_json()["hits"]
    z = next(h for h in zhejiang if h["title"].startswith("浙江省"))
    assert soup(client.get(f"/doc/{z['doc_id']}")).select_one(".meta .delivered").get_text() == \
        "在浙江省第十四届人民代表大会第一次会议上报告"
    seed = next(h for h in client.get("/api/search?q=监督&per_page=50").get_json()["hits"] if h["session"] is None)
    assert soup(client.get(f"/doc/{seed['doc_id']}")).select_one(".meta .delivered") is None
