"""End-to-end in Chromium: from a report page to the comparison with the same congress's report of another year
(the older as 甲), its marks, the table of changed figures and the rows it leads to; screenshots at both sizes."""
from urllib.parse import parse_qs, urlparse

import pytest

from tests.web.browser import SIZES, look, settles, shoot, sized_page
from tests.web.conftest import serving


@pytest.fixture(scope="module")
def base_url(yoy_index_dir):
    """A server over one congress's reports of three years (the session index holds one year per congress)."""
    with serving(yoy_index_dir) as url:
        yield url


def test_from_a_report_to_the_comparison_with_another_year(page, base_url, yoy_ids):
    newer, older = yoy_ids["deqing-2022"], yoy_ids["deqing-2021"]
    page.goto(f"{base_url}/doc/{newer}")
    links = page.locator("p.other-years a")
    assert links.all_inner_texts() == ["2021年报告", "2023年报告"]
    links.nth(0).focus()                               # from the keyboard
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert parse_qs(urlparse(page.url).query) == {"a_doc": [older], "b_doc": [newer]}
    assert page.locator("section.side h2").all_inner_texts()[0].startswith("甲：")
    assert "2021" in page.locator("section.side .meta").nth(0).inner_text()
    assert "2022" in page.locator("section.side .meta").nth(1).inner_text()

    reworded = page.locator("li.is-reworded", has_text="全年听取审议县政府专项工作报告").first
    page.evaluate("document.querySelectorAll('.aligned .visually-hidden').forEach(e => e.remove())")
    assert "十四" in reworded.locator("del").all_inner_texts() and "16" in reworded.locator("ins").all_inner_texts()
    style = page.evaluate("""() => [getComputedStyle(document.querySelector('li.is-reworded del')).textDecorationLine,
                                    getComputedStyle(document.querySelector('li.is-reworded ins')).textDecorationLine]""")
    assert style == ["line-through", "underline"]     # the marks are seen, not by colour alone
    assert reworded.locator(".row-head .status").inner_text() == "改写"
    assert page.locator("li.is-new .row-head .status").first.inner_text() == "新增"

    figures = page.locator("table.numbers-changed tbody tr")
    row = figures.filter(has_text="开展执法检查")
    assert row.locator("td").all_inner_texts()[1:5] == ["开展执法检查", "5项", "6项", "+1项"]
    data = page.request.get(f"{base_url}/api/diff?a_doc={older}&b_doc={newer}").json()
    assert figures.count() == len(data["numbers"])
    row.locator("a").click()                           # to the row the figure changed in
    assert settles(page, "document.querySelector('li.pair:target') !== null")
    target = page.locator("li.pair:target")
    assert "开展执法检查 5项 → 6项" in target.locator(".row-numbers").inner_text()
    assert page.evaluate("""() => { const r = document.querySelector('li.pair:target').getBoundingClientRect();
        return r.top >= 0 && r.top < innerHeight; }""")


def test_the_newer_years_comparison_keeps_the_older_as_jia(page, base_url, yoy_ids):
    page.goto(f"{base_url}/doc/{yoy_ids['deqing-2022']}")
    with page.expect_navigation():
        page.locator("p.other-years a", has_text="2023年报告").click()
    assert parse_qs(urlparse(page.url).query) == {"a_doc": [yoy_ids["deqing-2022"]], "b_doc": [yoy_ids["deqing-2023"]]}
    with page.expect_navigation():
        page.locator(".ratio a", has_text="甲乙互换").click()
    assert parse_qs(urlparse(page.url).query) == {"a_doc": [yoy_ids["deqing-2023"]], "b_doc": [yoy_ids["deqing-2022"]]}


@pytest.mark.parametrize("width,height,name", SIZES)
def test_screenshots_of_the_comparison_and_the_report(browser, base_url, yoy_ids, width, height, name):
    older, newer = yoy_ids["deqing-2021"], yoy_ids["deqing-2022"]
    pages = {"yoy-report": f"/doc/{newer}", "yoy-diff": f"/diff?a_doc={older}&b_doc={newer}",
             "yoy-diff-figures": f"/diff?a_doc={older}&b_doc={newer}#numbers-heading",
             "yoy-diff-rows": f"/diff?a_doc={older}&b_doc={newer}#row-7"}
    with sized_page(browser, width, height) as pg:
        for slug, path in pages.items():
            look(pg, base_url + path, slug)
            shoot(pg, slug, name, full_page=False)
