"""End-to-end in Chromium: the work-figures page at both sizes (screenshots in test-artifacts/), a metric picked
from the picker, a facet ticked, and a value of the table followed by mouse and by keyboard to the sentence
that states it on its report's page."""
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from tests.web.browser import SIZES, look, shoot, sized_page

TARGET_TEXT_JS = "() => { const p = document.getElementById(decodeURIComponent(location.hash.slice(1))); " \
                 "return p ? p.textContent : null; }"


@pytest.mark.parametrize("width,height,name", SIZES)
def test_screenshots_of_the_figures_page(browser, base_url, width, height, name):
    with sized_page(browser, width, height) as pg:
        for slug, path in (("figures", "/figures"), ("figures-appointments", "/figures?metric=appointments")):
            look(pg, base_url + path, slug)
            assert pg.locator(".figures-table td a").count() > 0, slug
            shoot(pg, slug, name)


def test_pick_a_metric_tick_a_facet_and_follow_a_value_to_its_sentence(page, base_url):
    page.goto(base_url + "/figures")
    with page.expect_navigation():
        page.locator(".metric-picker a", has_text="任免").click()
    assert parse_qs(urlparse(page.url).query)["metric"] == ["appointments"]
    with page.expect_navigation():
        page.locator("#facet-level").locator("xpath=..").locator("a", has_text="市级").click()
    assert parse_qs(urlparse(page.url).query)["level"] == ["city"]
    assert page.locator(".chips a.drop").count() == 1
    value = page.locator(".figures-table td a").first
    sentence = value.get_attribute("title")
    with page.expect_navigation():
        value.click()
    assert urlparse(page.url).path.startswith("/doc/")
    assert unquote(urlparse(page.url).fragment).startswith("p-")
    assert sentence.strip("。") in page.evaluate(TARGET_TEXT_JS)


def test_a_dot_of_the_chart_is_reached_by_keyboard(page, base_url):
    page.goto(base_url + "/figures?metric=sessions")
    dot = page.locator(".chart svg a").first
    href = dot.get_attribute("href")
    dot.focus()
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == href
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert unquote(urlparse(page.url).fragment).startswith("p-")
    assert page.evaluate(TARGET_TEXT_JS)
