"""Accessibility: axe-core (from the npm registry) finds no serious or critical violation on any page, at the
desktop and the phone width."""
import pytest

from tests.web.browser import SIZES, axe_violations, sized_page
from tests.web.conftest import serving

# Every kind of page, as a user reaches it; a feature that adds a page adds it here.
PAGES = {
    "home": "/",
    "search": "/?q=备案审查",
    "search-filtered": "/?q=监督&level=county&year=2019-2023",
    "search-city": "/?q=监督&region=金华&province=内蒙古&region=（未标明）",     # a city, short names, none stated
    "empty": "/?q=备案审查+月球基地&level=county",
    "report": "/doc/{doc_id}?q=备案审查",
    "trends": "/trends?q=监督",
    "trends-empty": "/trends",
    "compare": "/compare?q=监督&province=内蒙古自治区&province=浙江省&province=四川省",
    "kwic": "/kwic?q=监督",
    "kwic-tools": "/kwic?q=监督&level=county&width=12&sample=5&seed=1",    # the form, the sample, the distribution
    "kwic-near": "/kwic?q=监督&near=工作&window=3",                        # a collocate's lines
    "collocates": "/collocates?q=监督",
    "collocates-empty": "/collocates",
    "similar": "/similar?text=坚持有件必备、有备必审、有错必纠",
    "similar-passage": "/similar?passage_id={a}&province=浙江",        # the passage matched, the filters kept
    "error": "/?q=a&page=0",
    "not-found": "/doc/nosuchreport",
    "typo": "/?q=备按审查&within=监督",                          # did you mean, search within, the toggle
    "advanced": "/advanced?q=备案审查+-询问&province=浙江省",
    "diff": "/diff?a={a}&b={b}",                                   # two passages side by side
    "diff-pick": "/diff?a={a}",
    "diff-reports": "/diff?a_doc={a_doc}&b_doc={b_doc}",
    "diff-empty": "/diff",
    "spread": '/spread?q="全过程人民民主"',                              # how a wording spread: map, timeline, tables
    "spread-filtered": '/spread?q="备案审查"&level=county',
    "spread-empty": "/spread",
    "saved": "/saved",                                             # saved searches (none on this server)
    "figures": "/figures",                                         # the work figures: a metric's table and chart
    "figures-filtered": "/figures?metric=appointments&level=city",
}


@pytest.fixture(scope="module")
def doc_id(client):
    return client.get("/api/search?q=备案审查&per_page=1").get_json()["hits"][0]["doc_id"]


@pytest.fixture(scope="module")
def diff_ids(client):
    """A passage and its best precedent, and their reports, for the /diff pages."""
    a = client.get("/api/search?q=有备必审&per_page=1").get_json()["hits"][0]
    b = client.get(f"/api/similar?passage_id={a['passage_id']}&limit=1").get_json()["hits"][0]
    return {"a": a["passage_id"], "b": b["passage_id"], "a_doc": a["doc_id"], "b_doc": b["doc_id"]}


@pytest.mark.parametrize("width,height,name", SIZES)
def test_no_serious_violations_on_any_page(browser, base_url, doc_id, diff_ids, width, height, name):
    found = {}
    with sized_page(browser, width, height, bypass_csp=True) as pg:
        for slug, path in PAGES.items():
            pg.goto(base_url + path.format(doc_id=doc_id, **diff_ids))
            if violations := axe_violations(pg):
                found[slug] = violations
    assert found == {}


# The year-over-year states (issue 16, item 2) need one congress's reports of several years, which the session
# index never holds: they are checked on a server of their own (tests/conftest.py ``yoy_index_dir``).
YOY_PAGES = {
    "report-other-years": "/doc/{deqing-2022}",                          # the links to this congress's other years
    "diff-yoy": "/diff?a_doc={deqing-2021}&b_doc={deqing-2022}",         # summary, 数字变化, rows by status
    "diff-yoy-no-figures": "/diff?a_doc={deqing-2023}&b_doc={deqing-2023}",
}


@pytest.fixture(scope="module")
def yoy_url(yoy_index_dir):
    with serving(yoy_index_dir) as url:
        yield url


@pytest.mark.parametrize("width,height,name", SIZES)
def test_no_serious_violations_on_the_year_over_year_pages(browser, yoy_url, yoy_ids, width, height, name):
    found = {}
    with sized_page(browser, width, height, bypass_csp=True) as pg:
        for slug, path in YOY_PAGES.items():
            pg.goto(yoy_url + path.format_map(yoy_ids))
            if violations := axe_violations(pg):
                found[slug] = violations
    assert found == {}
