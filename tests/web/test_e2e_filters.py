"""What a filter value means, in Chromium: a city ticked in the region tree keeps its counties' reports, the
reports of no known region are ticked as （未标明）, short names in the address tick the full ones; the region
tree open, photographed at both sizes."""
from urllib.parse import quote

from indexer.facets import UNSTATED
from tests.web.browser import NO_SIDEWAYS_SCROLL, SIZES, settles, shoot, sized_page


def _unfold(pg, value: str) -> None:
    """Unfold a node of the region tree (a province, a city), as a user does with its ▸."""
    node = pg.locator(f"ul.tree li:has(> .row input[value='{value}'])")
    node.locator(":scope > details > summary.toggle").click()
    assert node.locator(":scope > details").evaluate("d => d.open")


def test_ticking_a_city_keeps_its_counties(page, base_url):
    page.goto(base_url + "/?q=监督")
    _unfold(page, "浙江省")
    city = page.locator("ul.tree input[data-filter=region][value=金华市]")
    count = city.locator("xpath=ancestor::span[@class='row']").locator(".count").inner_text()
    assert city.is_visible() and int(count) > 0
    with page.expect_navigation():
        city.check()
    assert "region=%E9%87%91%E5%8D%8E%E5%B8%82" in page.url         # region=金华市
    assert page.inner_text(".total") == count
    assert page.locator("ul.tree input:checked").evaluate_all("bs => bs.map(b => b.value)") == ["金华市"]
    metas = page.locator("article.result .meta").all_inner_texts()
    assert metas and all("义乌市" in m for m in metas)                   # its county's reports, found
    assert page.locator("ul.tree input[value=义乌市]").is_visible()       # the path to the tick is open


def test_ticking_unstated_keeps_the_reports_of_no_known_region(page, base_url, client):
    page.goto(base_url + "/?q=监督")
    unknown = page.locator(f"ul.tree input[data-filter=region][value='{UNSTATED}']")
    count = unknown.locator("xpath=ancestor::span[@class='row']").locator(".count").inner_text()
    with page.expect_navigation():
        unknown.check()
    api = client.get("/api/search", query_string={"q": "监督", "region": UNSTATED}).get_json()
    assert page.inner_text(".total") == count == str(api["total"])
    assert page.locator(f"ul.tree input[value='{UNSTATED}']").is_checked()
    assert page.locator(".chips a.drop").first.inner_text().startswith(f"地区 {UNSTATED}")


def test_short_names_in_the_address_tick_the_full_names(page, base_url):
    page.goto(base_url + "/?q=监督&province=" + quote("内蒙古") + "&level=" + quote("县级"))
    assert page.locator("ul.tree input[data-filter=province][value=内蒙古自治区]").is_checked()
    assert page.locator(".facet[data-facet=level] input[value=county]").is_checked()
    metas = page.locator("article.result .meta").all_inner_texts()
    assert metas and all("内蒙古" in m or "旗" in m for m in metas)


def test_region_tree_open_at_both_sizes(browser, base_url):
    """The tree unfolded with a city ticked, its counties beside it and （未标明） last: no sideways scroll."""
    for width, height, name in SIZES:
        with sized_page(browser, width, height) as pg:
            pg.goto(base_url + "/?q=监督&region=" + quote("通辽市"))
            if name == "phone":
                pg.locator("details.filters > summary").click()
            for value in ("浙江省", "金华市", "四川省"):
                _unfold(pg, value)
            assert settles(pg, "document.querySelector('ul.tree input[value=\"义乌市\"]').checkVisibility()")
            assert pg.locator("ul.tree input[value=扎鲁特旗]").is_visible()      # the ticked city's county, unfolded
            pg.locator("ul.tree input[value=义乌市]").evaluate("b => b.scrollIntoView({block: 'center'})")
            assert pg.evaluate(NO_SIDEWAYS_SCROLL)
            shoot(pg, "filters-region-tree", name, full_page=False)
