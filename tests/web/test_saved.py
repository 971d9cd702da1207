"""Saved searches on the web: the save form of the results page (same-origin only, errors in Chinese), the list
and its JSON twin, and Atom feeds checked against the elements RFC 4287 requires."""
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlparse

import pytest
from werkzeug.datastructures import MultiDict

from search_app.web import create_app
from tests.web.conftest import has_cjk, soup

A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
SAME_SITE = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def app_client(index_dir, tmp_path):
    """An app over the session index whose saved searches are the test's own."""
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True,
                       "SAVED_FILE": str(tmp_path / "saved.sqlite")}).test_client()


def save_form(client, url):
    form = soup(client.get(url)).select_one("form.save-search")
    fields = [(i["name"], i.get("value", "")) for i in form.select("input[name]")]
    return form, fields


def check_atom(body: bytes, max_entries: int = 50) -> ET.Element:
    """The feed as RFC 4287 has it: the feed's id, title, updated, author and self link once each; each entry's
    id, title, updated and alternate link (there is no content, so the link is required), a text summary."""
    feed = ET.fromstring(body)
    assert feed.tag == f"{A}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{A}{name}")) == 1 and feed.findtext(f"{A}{name}").strip()
    assert RFC3339.match(feed.findtext(f"{A}updated"))
    assert feed.find(f"{A}author/{A}name").text
    (self_link,) = [link for link in feed.findall(f"{A}link") if link.get("rel") == "self"]
    assert urlparse(self_link.get("href")).scheme == "http"
    entries = feed.findall(f"{A}entry")
    assert len(entries) <= max_entries
    ids = [e.findtext(f"{A}id") for e in entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("tag:lrsearch,2026:passage/") for i in ids)
    for e in entries:
        assert e.findtext(f"{A}title").strip() and RFC3339.match(e.findtext(f"{A}updated"))
        (link,) = [x for x in e.findall(f"{A}link") if x.get("rel", "alternate") == "alternate"]
        assert urlparse(link.get("href")).scheme == "http" and "#p-" in link.get("href")
        assert e.find(f"{A}summary").get("type") == "text" and e.findtext(f"{A}summary").strip()
        assert e.find(f"{A}author/{A}name").text
    return feed


def test_an_ad_hoc_feed_lists_the_newest_passages_each_linking_to_its_place(app_client):
    r = app_client.get("/feed.atom?q=备案审查&level=county")
    assert r.status_code == 200 and r.content_type == "application/atom+xml; charset=utf-8"
    feed = check_atom(r.data)
    entries = feed.findall(f"{A}entry")
    assert entries and has_cjk(feed.findtext(f"{A}title"))
    assert feed.findtext(f"{A}updated") == entries[0].findtext(f"{A}updated")
    first = entries[0]
    pid = first.findtext(f"{A}id").rsplit("/", 1)[1]
    href = urlparse(first.find(f"{A}link").get("href"))
    page = app_client.get(href.path)
    assert page.status_code == 200 and f'id="p-{pid}"' in page.get_data(as_text=True) and href.fragment == f"p-{pid}"
    total = app_client.get("/api/search?q=备案审查&level=county&strict=1&per_page=1").get_json()["total"]
    assert len(entries) == min(50, total)          # the search's passages, at most 50
    # the feed's id is stable: the same search, the same id
    again = ET.fromstring(app_client.get("/feed.atom?q=备案审查&level=county").data)
    assert again.findtext(f"{A}id") == feed.findtext(f"{A}id")


def test_a_feed_escapes_what_it_carries_and_refuses_a_bad_search(app_client):
    r = app_client.get("/feed.atom?q=" + "<script>&amp;")
    check_atom(r.data)                     # well-formed whatever the query held
    assert b"<script>" not in r.data
    for q in ("备案审查\x0b\x1f", "备案审查\ufffe"):      # characters XML 1.0 forbids, in the title and the self link
        check_atom(app_client.get("/feed.atom", query_string={"q": q}).data)
    bad = app_client.get("/feed.atom?q=监督&year=明年")
    assert bad.status_code == 400 and has_cjk(bad.get_data(as_text=True))


def test_the_results_page_saves_its_search_and_the_list_links_to_it_and_its_feed(app_client):
    form, fields = save_form(app_client, "/?q=备案审查&level=county&year=2019-2023")
    assert form["method"] == "post" and form["action"] == "/saved"
    assert ("q", "备案审查") in fields and ("level", "county") in fields and ("year", "2019-2023") in fields
    assert form.select_one("button").get_text() == "保存检索"
    assert form.select_one("label[for=save-name]") and form.select_one("a.feed")["href"].startswith("/feed.atom?")
    r = app_client.post("/saved", data=MultiDict([*[f for f in fields if f[0] != "name"], ("name", "县级备案审查")]),
                        headers=SAME_SITE)
    assert r.status_code == 303 and r.location.startswith("/saved?saved=")
    page = soup(app_client.get(r.location))
    assert "已保存检索“县级备案审查”" in page.select_one(".saved-note").get_text()
    (item,) = page.select(".saved-searches li")
    assert item.select_one("h2").get_text(strip=True) == "县级备案审查"
    assert "层级：县级" in item.select_one(".saved-query").get_text() and "年份：2019-2023" in item.get_text()
    links = {a.get_text(strip=True): a["href"] for a in item.select("a")}
    search = app_client.get("/api" + links["检索"].replace("/?", "/search?", 1)).get_json()
    assert search["total"] and {h["level"] for h in search["hits"]} == {"county"}
    feed = check_atom(app_client.get(links["订阅（Atom）"]).data)
    assert feed.findtext(f"{A}id") == "tag:lrsearch,2026:saved/%E5%8E%BF%E7%BA%A7%E5%A4%87%E6%A1%88%E5%AE%A1%E6%9F%A5"
    assert feed.findall(f"{A}entry")
    (listed,) = app_client.get("/api/saved").get_json()["saved"]
    assert listed["name"] == "县级备案审查" and listed["query"] == "备案审查"
    assert listed["filters"] == {"level": ["county"]} and listed["year"] == "2019-2023"
    assert listed["feed_url"] == links["订阅（Atom）"] and listed["search_url"] == links["检索"]


def test_saving_is_refused_from_elsewhere_and_errors_are_in_chinese(app_client, tmp_path):
    data = {"q": "监督", "name": "监督"}
    for headers in ({}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "http://evil.example"}, {"Origin": "null"}):
        r = app_client.post("/saved", data=data, headers=headers)
        assert r.status_code == 403 and "本站" in r.get_data(as_text=True)
    assert not (tmp_path / "saved.sqlite").exists() and app_client.get("/api/saved").get_json() == {"saved": []}
    assert app_client.post("/saved", data=data, headers={"Origin": "http://localhost"}).status_code == 303
    for bad, says in (({"q": "监督", "name": "监督"}, "已有名为"), ({"q": "监督", "name": "a/b"}, "名称"),
                      ({"q": "监督", "name": ""}, "名称"), ({"q": "", "name": "空"}, "检索式是空的"),
                      ({"q": "监督", "year": "明年", "name": "明年"}, "年")):
        r = app_client.post("/saved", data=bad, headers=SAME_SITE)
        assert r.status_code == 400 and says in r.get_data(as_text=True), bad
    missing = app_client.get("/saved/没有这个.atom")
    assert missing.status_code == 404 and "没有名为" in missing.get_data(as_text=True)
    assert app_client.get("/saved").status_code == 200


def test_the_list_is_empty_without_a_file_and_reading_it_creates_none(app_client, tmp_path):
    page = soup(app_client.get("/saved"))
    assert "还没有保存的检索" in page.select_one(".saved-empty").get_text()
    assert page.select_one("a[href='/api/saved']")
    assert not (tmp_path / "saved.sqlite").exists()
    # the note says only what was saved: an address cannot make the page claim anything else
    assert not soup(app_client.get("/saved?saved=伪造的通知")).select_one(".saved-note")


def test_a_damaged_file_is_a_chinese_503_not_a_500(app_client, tmp_path):
    (tmp_path / "saved.sqlite").write_bytes(b"not a database at all" * 100)
    for r in (app_client.get("/saved"), app_client.get("/api/saved"),
              app_client.post("/saved", data={"q": "监督", "name": "监督"}, headers=SAME_SITE)):
        assert r.status_code == 503 and "已损坏" in r.get_data(as_text=True)
