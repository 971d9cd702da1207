"""End-to-end in Chromium: the spread page of a wording opens on its map, timeline and tables at both sizes
(screenshots in test-artifacts/), a province's tile leads by mouse and by keyboard to the passage where that
province first used the wording, and the timeline opens on the latest years."""
from urllib.parse import unquote, urlparse

import pytest

from tests.web.browser import SIZES, assert_map_fits, look, settles, shoot, sized_page

PHRASE = "全过程人民民主"
SPREAD = f'/spread?q="{PHRASE}"'

# the passage an address's fragment names, with the headings just before it: where a first use is shown
LANDED_JS = """() => { const p = document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (!p) return null;
  let text = p.textContent, el = p.previousElementSibling;
  while (el && !el.matches('p.passage')) { if (el.matches('h2')) text = el.textContent + text; el = el.previousElementSibling; }
  return text; }"""


@pytest.mark.parametrize("width,height,name", SIZES)
def test_screenshots_of_the_spread_page(browser, base_url, width, height, name):
    with sized_page(browser, width, height) as pg:
        for slug, path in (("spread", SPREAD), ("spread-empty", "/spread")):
            look(pg, base_url + path, slug)
            if slug == "spread":       # the whole map on screen, its tiles big enough to touch
                assert_map_fits(pg, ".wording-map", width)
            shoot(pg, slug, name)


def test_a_tile_leads_to_the_passage_of_its_first_use(page, base_url, client):
    data = client.get(f"/api/spread?q={PHRASE}").get_json()
    tile = next(t for t in data["tiles"] if t["name"] == "四川省")
    page.goto(base_url + SPREAD)
    with page.expect_navigation():
        page.click(".wording-map a[data-province='四川省']")
    assert unquote(urlparse(page.url).fragment) == f"p-{tile['firsts'][0]['passage_id']}"
    assert PHRASE in page.evaluate(LANDED_JS)
    assert page.locator("mark", has_text=PHRASE).count() >= 1          # the report page marks the wording
    with page.expect_navigation():
        page.click("a.back")                                             # and leads back to the spread
    assert urlparse(page.url).path == "/spread"


def test_a_tile_is_reached_and_followed_from_the_keyboard(page, base_url):
    page.goto(base_url + SPREAD)
    first = page.locator(".wording-map a.tile").first
    first.focus()
    assert page.evaluate("document.activeElement.matches('.wording-map a.tile')")
    assert first.locator(".bg").evaluate("r => getComputedStyle(r).strokeWidth") not in ("", "0px", "0")  # focus shows
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.split("#")[0].split("?")[0].startswith(base_url + "/doc/")
    assert PHRASE in page.evaluate(LANDED_JS)


def test_the_timeline_opens_on_the_latest_years(browser, base_url, client):
    latest = client.get(f"/api/spread?q={PHRASE}").get_json()["timeline"][-1]["year"]
    with sized_page(browser, 390, 844) as pg:
        pg.goto(base_url + SPREAD)
        assert settles(pg, "(() => { const b = document.querySelector('.wording figure.chart .scroll');"
                           " return b.scrollLeft + b.clientWidth >= b.scrollWidth - 1; })()")
        label = pg.locator(".wording figure.chart svg text", has_text=str(latest)).last
        assert label.evaluate("el => el.getBoundingClientRect().right <= window.innerWidth")
