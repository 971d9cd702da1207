"""End-to-end in headless Chromium (Debian's package, driven by Playwright): what a user does on the page.

A real HTTP server on 127.0.0.1 serves the app; every request the page makes must stay on it (the page works
with no internet). Screenshots of the main pages at desktop and phone widths go to test-artifacts/.
"""
import csv
import io
from pathlib import Path

import pytest

from search_app.web.params import MODES
from tests.web.browser import LOW_CONTRAST_JS, SIZES, settles, shoot, sized_page


def test_type_a_query_and_tick_a_facet(page, base_url):
    page.goto(base_url)
    page.wait_for_function("document.activeElement && document.activeElement.id === 'q'")   # focus on arrival …
    page.keyboard.type("备案审查")                # … so typing goes to the query box
    page.keyboard.press("Enter")
    page.wait_for_selector("article.result")
    total = int(page.inner_text(".total"))
    assert total > 0 and page.inner_text("article.result .snippet mark") == "备案审查"
    assert page.locator("form.facet-form button.apply").is_hidden()     # with the script a tick applies at once
    with page.expect_navigation():
        page.check(".facet[data-facet=level] input[type=checkbox]")
    assert page.locator(".facet[data-facet=level] input:checked").count() == 1
    assert "level=" in page.url and int(page.inner_text(".total")) <= total


def test_facets_work_without_the_script(browser, base_url):
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(base_url + "/?q=监督")
    total = int(page.inner_text(".total"))
    page.check(".facet[data-facet=level] input[value=county]")
    page.check(".facet[data-facet=level] input[value=city]")
    with page.expect_navigation():
        page.click("form.facet-form button.apply")
    assert page.locator(".facet[data-facet=level] input:checked").count() == 2
    assert "level=county" in page.url and "level=city" in page.url and int(page.inner_text(".total")) < total
    ctx.close()


def test_open_a_report_at_the_passage(page, base_url):
    page.goto(base_url + "/?q=有备必审")
    page.click("article.result h3 a")
    page.wait_for_selector(".passage:target")      # the report page, scrolled to the passage (not just begun)
    assert "#p-" in page.url
    target = page.locator(".passage:target")
    assert target.count() == 1 and target.locator("mark").first.inner_text() == "有备必审"


def test_copy_a_citation(page, base_url):
    page.goto(base_url + "/?q=有备必审")
    button = page.locator("button.cite").first
    citation = button.get_attribute("data-citation")
    button.click()
    page.wait_for_function("document.querySelector('button.cite').textContent === '已复制'")
    copied = page.evaluate("navigator.clipboard.readText()")
    text, url = button.get_attribute("data-text"), button.get_attribute("data-url")
    # a report known only as a file: cited by name (and session), with no 来源, never this server
    assert url is None and copied == f"{citation}：{text}" and "有备必审" in text and "127.0.0.1" not in copied


def test_export_csv(page, base_url):
    page.goto(base_url + "/?q=监督&per_page=5")
    total = int(page.inner_text(".total"))
    with page.expect_download() as info:
        page.click("a.export >> text=CSV")
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) == total > 5 and rows[0]["passage_id"]


def test_trends_chart(page, base_url):
    page.goto(base_url + "/trends?q=监督")
    assert page.locator("figure.chart svg rect").count() > 3
    assert page.locator("table.matrix tbody tr").count() > 0


def test_choose_regions_to_compare(page, base_url):
    page.goto(base_url + "/trends?q=监督")
    page.click("a.to-compare")
    page.fill("#cmp-0", "浙江省")
    page.fill("#cmp-1", "四川省")
    with page.expect_navigation():
        page.press("#cmp-1", "Enter")
    assert "province=%E6%B5%99%E6%B1%9F%E7%9C%81" in page.url and "q=%E7%9B%91%E7%9D%A3" in page.url
    assert page.locator(".multiples figure h3").all_inner_texts() == ["浙江省", "四川省"]
    assert page.locator(".multiples svg").first.is_visible()


@pytest.mark.parametrize("width,height,name", SIZES)
def test_screenshots_and_no_sideways_scroll(browser, base_url, width, height, name):
    with sized_page(browser, width, height) as pg:
        for slug, path in (("home", "/"), ("search", "/?q=备案审查"), ("report", None), ("trends", "/trends?q=监督"),
                           ("kwic", "/kwic?q=监督"), ("similar", "/similar?text=坚持有件必备、有备必审、有错必纠"),
                           ("compare", "/compare?q=监督&province=内蒙古自治区&province=浙江省&province=四川省"),
                           ("empty", "/?q=备案审查+月球基地&level=county")):
            if path is None:
                pg.goto(base_url + "/?q=备案审查")
                pg.click("article.result h3 a")
            else:
                pg.goto(base_url + path)
            pg.evaluate("document.fonts.ready.then(() => true)")     # widths settle once the CJK font is in
            if slug == "search":     # on a phone the filters start folded, so the results come first on screen too
                assert pg.evaluate("document.querySelector('details.filters').open") == (name == "desktop")
            assert pg.evaluate(LOW_CONTRAST_JS) == [], slug
            # a real overflow persists; a transient one during layout does not fail the test
            assert settles(pg, "document.documentElement.scrollWidth <= window.innerWidth + 1"), \
                (slug, pg.evaluate("document.documentElement.scrollWidth"))
            if slug == "kwic":      # every keyword stays on screen, with some context on either side
                boxes = pg.evaluate("""[...document.querySelectorAll('table.kwic td.match, table.kwic td.left')]
                                       .map(td => [td.className, td.getBoundingClientRect().left,
                                                   td.getBoundingClientRect().right])""")
                assert boxes and all(0 <= left and right <= width for _, left, right in boxes)
                assert all(right - left > width / 5 for kind, left, right in boxes if kind == "left")
            if slug == "trends":    # the matrix header reads as words, not a character per line
                heights = pg.evaluate("[...document.querySelectorAll('table.matrix th')].map(th => th.offsetHeight)")
                line = pg.evaluate("parseFloat(getComputedStyle(document.querySelector('table.matrix th')).lineHeight)")
                assert heights and max(heights) < 2 * line
            shoot(pg, slug, name, full_page=False)


def focused(page) -> str:
    """The focused element, in short: #id, tag.class, or tag with its text."""
    return page.evaluate("""() => { const e = document.activeElement;
        return e.id ? "#" + e.id : e.tagName.toLowerCase() + (e.className ? "." + e.className : ":" + e.textContent.trim()); }""")


def test_tab_order_skip_link_and_slash(page, base_url):
    page.goto(base_url + "/?q=监督&per_page=5")
    order = []
    for _ in range(8 + len(MODES)):
        page.keyboard.press("Tab")
        order.append(focused(page))
    assert order == ["a.skip", "a.brand", *(f"a:{label}" for _, label in MODES), "#q", "button:检索",
                     "a.advanced-link", "summary:筛选", "#year-from", "#year-to"]
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"     # focus is visible
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")                 # the filter panel folds and unfolds from the keyboard
    assert page.evaluate("document.querySelector('details.filters').open") is False
    page.keyboard.press("Enter")
    page.goto(base_url + "/?q=监督&per_page=5")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")                 # 跳到结果
    assert focused(page) == "#results"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#results') !== null")
    page.keyboard.press("/")
    assert focused(page) == "#q"
    assert page.evaluate("[document.activeElement.selectionStart, document.activeElement.selectionEnd]") == [0, 2]
    page.keyboard.type("/x")                     # typing "/" in a field is typing, not a shortcut
    assert page.input_value("#q") == "/x"
    page.focus("#year-from")
    page.keyboard.type("/")
    assert focused(page) == "#year-from"


def test_facet_ticked_and_unticked_with_space(page, base_url):
    page.goto(base_url + "/?q=监督")
    page.focus(".facet[data-facet=level] input[value=county]")
    with page.expect_navigation():
        page.keyboard.press(" ")
    assert "level=county" in page.url
    assert page.evaluate("document.activeElement.value") == "county"     # the focus comes back to the box
    assert page.locator(".facet[data-facet=level] input:checked").count() == 1
    with page.expect_navigation():
        page.keyboard.press(" ")
    assert "level=" not in page.url and page.locator(".facet[data-facet=level] input:checked").count() == 0


def test_region_tree_opened_and_used_from_the_keyboard(page, base_url):
    page.goto(base_url + "/?q=监督")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('ul.tree summary.toggle')"):
            break
    else:
        pytest.fail("no region could be unfolded with the Tab key")
    province = page.evaluate("document.activeElement.closest('li').querySelector('label').textContent.trim()")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.parentElement.open") is True
    page.keyboard.press("Tab")
    child = page.evaluate("""() => { const a = document.activeElement;
        return [a.dataset.filter, a.value, a.closest('li').querySelector('.count').textContent]; }""")
    assert child[0] == "region", (province, child)
    with page.expect_navigation():
        page.keyboard.press(" ")
    assert "region=" in page.url and page.inner_text(".total") == child[2]
    chosen = page.locator("ul.tree input:checked")
    assert chosen.count() == 1 and chosen.is_visible()      # the selected value stays in view, unfolded


def test_zero_result_page_suggests_what_matches(page, base_url):
    page.goto(base_url + "/?q=%22有备必审查的规定%22")
    assert page.inner_text(".total") == "0"
    first = page.locator(".suggestions li").first
    count = first.locator(".count").inner_text().split()[0]
    assert first.locator("code").inner_text() == '"有备必审"'
    first.locator("a").click()
    page.wait_for_selector("article.result")
    assert page.inner_text(".total") == count
    assert page.locator("article.result .snippet mark").first.inner_text() == "有备必审"


def test_on_a_phone_a_tick_brings_the_results_not_the_panel(browser, base_url):
    """Regression: on a phone, ticking a filter reloaded with the panel open and the results off screen."""
    with sized_page(browser, 390, 844) as pg:
        pg.goto(base_url + "/?q=监督")
        pg.click("details.filters > summary")
        with pg.expect_navigation():
            pg.check(".facet[data-facet=level] input[value=county]")
        assert "level=county" in pg.url
        assert pg.evaluate("document.querySelector('details.filters').open") is False
        assert "已选 1 项" in pg.inner_text("details.filters > summary")
        assert pg.evaluate("document.activeElement.id") == "results"
        assert pg.evaluate("document.querySelector('article.result').getBoundingClientRect().top") < 844


def test_precedents_of_a_passage_narrowed_to_a_province(page, base_url):
    page.goto(base_url + "/?q=有备必审")
    quoted = page.locator("article.result .snippet").first.inner_text()
    page.locator("article.result a.similar").first.click()
    page.wait_for_selector("section.source blockquote")
    assert "有备必审" in quoted and "有备必审" in page.inner_text("section.source blockquote")
    assert page.locator("section.source .meta a").inner_text().startswith("《")
    page.select_option("form.narrow select[name=province]", "浙江省")
    with page.expect_navigation():
        page.click("form.narrow button")
    assert page.locator("section.source blockquote").count() == 1           # still the same passage
    assert page.locator(".chips a.drop").all_text_contents() == ["省份 浙江省 ✕（去掉）"]
    twin = page.request.get(base_url + page.locator(".summary a", has_text="JSON").get_attribute("href")).json()
    assert twin["hits"] and {h["province"] for h in twin["hits"]} == {"浙江省"}
    assert page.locator("article.result").count() == len(twin["hits"])
