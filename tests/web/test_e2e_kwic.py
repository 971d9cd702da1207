"""The concordancer in Chromium: the context width changed from the page, a random sample drawn and drawn again,
a collocate's lines opened from the collocates table; /kwic and the collocates photographed at both sizes (the distribution of the hits open), checked by axe-core."""
from urllib.parse import parse_qs, urlparse

import pytest

from tests.web.browser import LOW_CONTRAST_JS, NO_SIDEWAYS_SCROLL, SIZES, axe_violations, settles, shoot, sized_page

ROWS = "table.kwic tbody tr"


def contexts(pg) -> list[tuple[str, str]]:
    return pg.eval_on_selector_all(ROWS, "trs => trs.map(tr => [tr.cells[0].textContent, tr.cells[2].textContent])")


def test_change_the_width_and_draw_a_sample(page, base_url):
    page.goto(base_url + "/kwic?q=监督")
    assert max(len(left) for left, _ in contexts(page)) == 30
    page.fill("#cf-width", "8")
    with page.expect_navigation():
        page.click("form.concordance-form button")
    assert parse_qs(urlparse(page.url).query)["width"] == ["8"]
    assert max(len(left) for left, _ in contexts(page)) == 8
    assert all(len(right) <= 8 for _, right in contexts(page))
    page.fill("#cf-sample", "5")
    with page.expect_navigation():
        page.press("#cf-sample", "Enter")
    seed = parse_qs(urlparse(page.url).query)["seed"][0]          # the address names the draw
    drawn = contexts(page)
    assert len(drawn) == 5 and seed in page.inner_text(".note.filtered")
    page.reload()
    assert contexts(page) == drawn
    with page.expect_navigation():
        page.click("text=换一批")
    assert parse_qs(urlparse(page.url).query)["seed"][0] != seed and len(contexts(page)) == 5
    assert parse_qs(urlparse(page.url).query)["width"] == ["8"]


def test_change_the_filters_from_the_page(page, base_url, client):
    page.goto(base_url + "/kwic?q=监督")
    page.select_option("#cf-level", "county")
    page.fill("#cf-year-from", "2019")
    with page.expect_navigation():
        page.click("form.concordance-form button")
    expected = client.get("/api/kwic?q=监督&level=county&year_from=2019").get_json()
    assert page.locator(ROWS).count() == len(expected["lines"]) > 0
    chips = page.locator(".chips a.drop").all_inner_texts()
    assert any("县级" in c for c in chips) and any("2019" in c for c in chips)
    assert page.input_value("#q") == "监督"


def test_open_a_collocates_lines(page, base_url):
    page.goto(base_url + "/kwic?q=监督")
    with page.expect_navigation():
        page.click("nav.tools >> text=搭配词")
    assert urlparse(page.url).path == "/collocates"
    first = page.locator("table.collocates tbody tr").first
    word, lines = first.locator("th").inner_text(), int(first.locator("td").nth(1).inner_text())
    with page.expect_navigation():
        first.locator("th a").click()
    assert parse_qs(urlparse(page.url).query)["near"] == [word]
    assert page.locator(ROWS).count() == lines
    assert word in page.inner_text(".note.filtered")
    windows = contexts(page)
    assert all(word in left + right for left, right in windows)


@pytest.mark.parametrize("width,height,name", SIZES)
def test_screenshots(browser, base_url, width, height, name):
    with sized_page(browser, width, height, bypass_csp=True) as pg:     # bypass_csp: for axe-core
        for slug, path in (("kwic-tools", "/kwic?q=备案审查&width=20"), ("kwic-sample", "/kwic?q=监督&sample=8&seed=3"),
                           ("collocates", "/collocates?q=监督")):
            pg.goto(base_url + path)
            pg.evaluate("document.fonts.ready.then(() => true)")
            if slug == "kwic-tools":
                pg.click("details.spread > summary")
            assert pg.evaluate(LOW_CONTRAST_JS) == [], slug
            assert settles(pg, NO_SIDEWAYS_SCROLL), \
                (slug, pg.evaluate("document.documentElement.scrollWidth"))
            if slug.startswith("kwic"):     # every keyword stays on screen
                boxes = pg.evaluate("""[...document.querySelectorAll('table.kwic td.match')]
                                       .map(td => [td.getBoundingClientRect().left, td.getBoundingClientRect().right])""")
                assert boxes and all(0 <= left and right <= width for left, right in boxes)
            else:                           # the table's own box scrolls sideways if it must, from the keyboard too
                box = pg.locator("div.scroll[role=region]")
                assert box.get_attribute("tabindex") == "0"
            assert axe_violations(pg) == [], slug         # the distribution open, too
            shoot(pg, slug, name, full_page=False)
