"""End-to-end in Chromium: the search tools of issue 15 item 9. Type a slip and take the suggestion, fill the
advanced form from the keyboard, search within results, switch to exact matching; screenshots of the results
with a suggestion and of the advanced form at both sizes (test-artifacts/search-tools-*.png)."""
from urllib.parse import parse_qs, urlparse

import pytest

from tests.web.browser import SIZES, look, settles, shoot, sized_page


def press_until(page, key: str, js: str, wanted: str, limit: int) -> None:
    """Press ``key`` (as a keyboard user does) until ``js`` evaluates to ``wanted``."""
    for _ in range(limit):
        if page.evaluate(js) == wanted:
            return
        page.keyboard.press(key)
    raise AssertionError(f"{js} never became {wanted!r} by {key}")


def focus_by_tab(page, element_id: str) -> None:
    """Tab until ``element_id`` has the focus."""
    press_until(page, "Tab", "document.activeElement && document.activeElement.id", element_id, 40)


def choose(page, value: str) -> None:
    """Choose ``value`` in the focused select with the arrow keys."""
    press_until(page, "ArrowDown", "document.activeElement.value", value, 60)


def test_type_a_slip_and_take_the_suggestion(page, base_url):
    page.goto(base_url)
    assert settles(page, "document.activeElement && document.activeElement.id === 'q'")
    page.keyboard.type("备按审查")
    page.keyboard.press("Enter")
    page.wait_for_selector(".did-you-mean a")
    assert page.inner_text(".did-you-mean") == "确认要找的是：备案审查？"
    with page.expect_navigation():
        page.click(".did-you-mean a")
    page.wait_for_selector("article.result")
    assert page.input_value("#q") == "备案审查" and int(page.inner_text(".total")) > 0
    assert page.locator(".did-you-mean").count() == 0
    assert page.inner_text("article.result .snippet mark") == "备案审查"


def test_search_within_results_then_drop_it(page, base_url):
    page.goto(base_url + "/?q=备案审查&level=city")
    total = int(page.inner_text(".total"))
    page.fill("#within", "监督")
    with page.expect_navigation():
        page.press("#within", "Enter")
    narrowed = int(page.inner_text(".total"))
    assert 0 < narrowed < total and page.inner_text(".parsed") == "备案审查 并且 监督"
    assert parse_qs(urlparse(page.url).query)["level"] == ["city"]          # the filters kept
    with page.expect_navigation():
        page.click(".within-chips a.drop")
    assert int(page.inner_text(".total")) == total and "within" not in page.url


def test_switch_to_exact_matching_and_back(page, base_url):
    page.goto(base_url + "/?q=备案审查 月球")
    assert page.inner_text(".match-mode [aria-current]") == "模糊" and page.locator(".relaxed").count() == 1
    with page.expect_navigation():
        page.click(".match-mode a:text('精确')")
    assert page.inner_text(".match-mode [aria-current]") == "精确"
    assert "现为精确匹配" in page.inner_text(".match-mode") and page.inner_text(".total") == "0"
    assert page.locator(".relaxed").count() == 0


def test_fill_the_advanced_form_from_the_keyboard(page, base_url):
    page.goto(base_url + "/?q=监督")
    with page.expect_navigation():
        page.click("a.advanced-link")
    assert page.input_value("#q_all") == "监督"            # filled from the search it was opened from
    focus_by_tab(page, "q_all")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"   # focus is visible
    page.keyboard.press("Control+A")
    page.keyboard.type("备案审查")
    page.keyboard.press("Tab")
    page.keyboard.type("立法 规范性文件")
    page.keyboard.press("Tab")
    page.keyboard.type("询问")
    focus_by_tab(page, "place")
    choose(page, "province=浙江省")
    focus_by_tab(page, "adv-year-from")
    page.keyboard.type("2019")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector(".summary")
    args = parse_qs(urlparse(page.url).query)
    assert args == {"q": ["备案审查 (立法 OR 规范性文件) -询问"], "province": ["浙江省"], "year_from": ["2019"]}
    assert page.input_value("#q") == "备案审查 (立法 OR 规范性文件) -询问"       # the query it wrote, to learn
    assert page.inner_text(".parsed").startswith("备案审查 并且 （立法 或 规范性文件）")


@pytest.mark.parametrize("width,height,name", SIZES)
def test_screenshots_of_the_suggestion_and_the_advanced_form(browser, base_url, width, height, name):
    with sized_page(browser, width, height) as pg:
        for slug, path in (("search-tools-typo", "/?q=执法检察&within=监督"),
                           ("search-tools-advanced", "/advanced?q=备案审查+-询问&province=浙江省")):
            look(pg, base_url + path, slug)
            shown = ".did-you-mean a" if slug == "search-tools-typo" else "form.advanced"
            assert pg.locator(shown).is_visible(), slug                     # what the screenshot is meant to show
            shoot(pg, slug, name, full_page=False)
