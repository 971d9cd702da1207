"""Accessibility: axe-core (from the npm registry) finds no serious or critical violation on any page, at the
desktop and the phone width."""
import pytest

from tests.web.browser import SIZES, axe_violations

# Every kind of page, as a user reaches it; a feature that adds a page adds it here.
PAGES = {
    "home": "/",
    "search": "/?q=备案审查",
    "search-filtered": "/?q=监督&level=county&year=2019-2023",
    "empty": "/?q=备案审查+月球基地&level=county",
    "report": "/doc/{doc_id}?q=备案审查",
    "trends": "/trends?q=监督",
    "trends-empty": "/trends",
    "compare": "/compare?q=监督&province=内蒙古自治区&province=浙江省&province=四川省",
    "kwic": "/kwic?q=监督",
    "similar": "/similar?text=坚持有件必备、有备必审、有错必纠",
    "error": "/?q=a&page=0",
    "not-found": "/doc/nosuchreport",
}


@pytest.fixture(scope="module")
def doc_id(client):
    return client.get("/api/search?q=备案审查&per_page=1").get_json()["hits"][0]["doc_id"]


@pytest.mark.parametrize("width,height,name", SIZES)
def test_no_serious_violations_on_any_page(browser, base_url, doc_id, width, height, name):
    ctx = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    pg = ctx.new_page()
    found = {}
    for slug, path in PAGES.items():
        pg.goto(base_url + path.format(doc_id=doc_id))
        if violations := axe_violations(pg):
            found[slug] = violations
    ctx.close()
    assert found == {}
