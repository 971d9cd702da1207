"""End-to-end in Chromium: the trends and comparison pages open on the latest years and scroll from the
keyboard; their counts lead to the searches they count; the home page's map leads to a province's reports.
Screenshots of the home page, the trends and the comparison at both sizes go to test-artifacts/."""
from urllib.parse import parse_qsl, urlparse

import pytest

from tests.web.browser import SIZES, assert_map_fits, look, settles, shoot, sized_page

TRENDS = "/trends?q=监督"
COMPARE = "/compare?q=监督&province=内蒙古自治区&province=浙江省&province=四川省"

# Whether the element's box lies within what its scroll box and the window show.
SHOWN_JS = """el => { const r = el.getBoundingClientRect(), box = el.closest('.scroll').getBoundingClientRect();
  return r.left >= box.left - 1 && r.right <= box.right + 1 && r.left >= 0 && r.right <= window.innerWidth; }"""


@pytest.fixture(params=SIZES, ids=[name for _, _, name in SIZES])
def sized(request, browser, base_url):
    width, height, name = request.param
    with sized_page(browser, width, height) as pg:
        yield pg, name


def test_the_latest_year_is_in_view_in_the_matrix_and_the_chart(sized, base_url, client):
    pg, _ = sized
    latest = client.get("/api/trends?q=监督").get_json()["years"][-1]["year"]
    pg.goto(base_url + TRENDS)
    head = pg.locator("table.matrix thead th", has_text=str(latest))
    assert head.evaluate(SHOWN_JS)                                     # without any scrolling
    assert head.evaluate("el => el.cellIndex") == 1                     # first after the names
    label = pg.locator("figure.chart svg text", has_text=f"{latest}").last
    assert settles(pg, "(() => { const b = document.querySelector('figure.chart .scroll');"
                       " return b.scrollLeft + b.clientWidth >= b.scrollWidth - 1; })()")
    assert label.evaluate(SHOWN_JS)


def test_a_table_scrolls_from_the_keyboard(browser, base_url):
    with sized_page(browser, 390, 844) as pg:
        pg.goto(base_url + TRENDS)
        box = pg.locator(".scroll:has(table.matrix)")
        assert box.evaluate("b => b.scrollWidth > b.clientWidth")          # on a phone the matrix is wider
        pg.locator("table.matrix").locator("xpath=preceding::p[@class='downloads'][1]//a").last.focus()
        pg.keyboard.press("Tab")                                           # the next stop is the table's box
        assert pg.evaluate("document.activeElement.matches('.scroll') && "
                           "!!document.activeElement.querySelector('table.matrix')")
        assert pg.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"     # focus shows
        for _ in range(4):
            pg.keyboard.press("ArrowRight")
        assert settles(pg, "document.querySelector('.scroll:has(table.matrix)').scrollLeft > 40")
        name_cell = pg.locator("table.matrix tbody th").first
        assert name_cell.evaluate(SHOWN_JS)                                # the names stay in view (sticky)


def test_a_matrix_cell_leads_to_the_reports_it_counts(page, base_url):
    page.goto(base_url + TRENDS)
    cell = page.locator("table.matrix td:has(a)").nth(2)
    share, held = cell.locator("a").first, cell.locator("a").last
    assert share.inner_text().endswith("%")
    count = int(held.inner_text())
    with page.expect_navigation():
        held.click()
    assert page.locator("article.result").count() == count           # one passage per report held
    assert len(set(page.locator("article.result h3 a").evaluate_all("as => as.map(a => a.pathname)"))) == count


def test_click_a_tile_on_the_home_map(page, base_url, client):
    home = client.get("/api/home").get_json()
    tile = max(home["tiles"], key=lambda t: t["reports"])
    page.goto(base_url + "/")
    with page.expect_navigation():
        page.click(f".tilemap a[data-province='{tile['name']}']")
    args = dict(parse_qsl(urlparse(page.url).query))
    assert args["province"] == tile["name"] and args["group"] == "report"
    assert page.locator("article.result").count() == tile["reports"]
    assert page.locator(".chips .drop").first.inner_text().startswith(f"省份 {tile['name']}")   # shown, droppable
    page.go_back()
    page.locator(".tilemap a.tile").first.focus()                     # a tile is reached and followed by keyboard
    first = page.locator(".tilemap a.tile").first.get_attribute("data-province")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "province=" in page.url or first == "全国"


@pytest.mark.parametrize("width,height,name", SIZES)
def test_screenshots_of_the_overview_pages(browser, base_url, width, height, name):
    with sized_page(browser, width, height) as pg:
        for slug, path in (("home-coverage", "/"), ("trends-latest", TRENDS), ("compare-counts", COMPARE)):
            look(pg, base_url + path, slug)
            if slug == "home-coverage":    # the whole map on screen, its tiles big enough to touch
                assert_map_fits(pg, ".tilemap", width)
            shoot(pg, slug, name)
