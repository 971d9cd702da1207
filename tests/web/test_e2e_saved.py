"""Saved searches in Chromium: a search saved from the results page, found on /saved, its feed opened and its
search followed; /saved and the save form photographed at both sizes, checked by axe-core."""
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlparse

import pytest
from werkzeug.serving import make_server

from search_app.web import create_app
from tests.web.browser import SIZES, axe_violations, look, shoot, sized_page
from tests.web.test_saved import A, check_atom


@pytest.fixture(scope="module")
def base_url(index_dir, tmp_path_factory):
    """A real server over the session index whose saved searches are this module's own (the other browser
    tests' server shares the session index, and must find none)."""
    import threading
    saved = tmp_path_factory.mktemp("saved") / "saved.sqlite"
    server = make_server("127.0.0.1", 0, create_app({"INDEX_DIR": str(index_dir), "SAVED_FILE": str(saved)}),
                         threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_save_a_search_see_it_listed_and_open_its_feed(page, base_url):
    page.goto(base_url + "/?q=备案审查&level=county")
    page.fill("#save-name", "县级的备案审查")
    with page.expect_navigation():
        page.click("form.save-search button")
    assert urlparse(page.url).path == "/saved"
    assert "已保存检索“县级的备案审查”" in page.inner_text(".saved-note")
    item = page.locator(".saved-searches li", has_text="县级的备案审查")
    assert item.count() == 1 and "备案审查" in item.locator(".saved-query").inner_text()
    feed_href = item.locator("a.feed").get_attribute("href")
    feed = page.request.get(base_url + feed_href)          # the browser's own session asks for the feed
    assert feed.ok and feed.headers["content-type"].startswith("application/atom+xml")
    entries = check_atom(feed.body()).findall(f"{A}entry")
    assert entries
    page.goto(entries[0].find(f"{A}link").get("href"))     # an entry's link opens its passage on the report page
    anchor = urlparse(page.url).fragment
    assert anchor.startswith("p-") and page.locator(f"[id='{anchor}']").count() == 1
    page.goto(base_url + "/saved")
    with page.expect_navigation():
        page.locator(".saved-searches li", has_text="县级的备案审查").locator("h2 a").click()
    query = parse_qs(urlparse(page.url).query)
    assert query["q"] == ["备案审查"] and query["level"] == ["county"]
    assert int(page.inner_text(".summary .total")) > 0


def test_a_second_save_under_the_same_name_is_refused_in_chinese(page, base_url):
    for _ in range(2):
        page.goto(base_url + "/?q=监督")
        page.fill("#save-name", "监督两次")
        with page.expect_navigation():
            page.click("form.save-search button")
    assert "已有名为“监督两次”的保存检索" in page.inner_text(".error .message")


def test_the_feed_link_of_the_results_page_is_this_search(page, base_url):
    page.goto(base_url + "/?q=备案审查&province=浙江")
    href = page.locator("form.save-search a.feed").get_attribute("href")
    assert parse_qs(urlparse(href).query) == {"q": ["备案审查"], "province": ["浙江"]}
    feed = ET.fromstring(page.request.get(base_url + href).body())
    assert feed.findall(f"{A}entry")


@pytest.mark.parametrize("width,height,name", SIZES)
def test_screenshots(browser, base_url, width, height, name):
    with sized_page(browser, width, height, bypass_csp=True) as pg:     # bypass_csp: for axe-core
        pg.goto(base_url + "/?q=监督&level=county")
        pg.fill("#save-name", f"监督（县级，{name}）")
        with pg.expect_navigation():
            pg.click("form.save-search button")
        for slug, path in (("saved", "/saved"), ("saved-form", "/?q=备案审查&level=county")):
            look(pg, base_url + path, slug)
            if slug == "saved-form":
                pg.locator("form.save-search").scroll_into_view_if_needed()
            assert axe_violations(pg) == [], slug
            shoot(pg, slug, name, full_page=False)
