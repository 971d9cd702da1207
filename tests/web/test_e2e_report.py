"""End-to-end in Chromium: the report page's tools (the query's marks one by one, back to the search, passages
picked to copy or compare, print) and precedents side by side (/diff); screenshots at both sizes."""
from urllib.parse import parse_qs, urlparse

import pytest

from tests.web.browser import LOW_CONTRAST_JS, NO_SIDEWAYS_SCROLL, SIZES, settles, shoot, sized_page


@pytest.fixture(scope="module")
def marked_doc(client):
    """A report in which 备案审查 is marked at least three times."""
    for hit in client.get("/api/search?q=备案审查&per_page=20").get_json()["hits"]:
        if client.get(f"/doc/{hit['doc_id']}?q=备案审查").data.count(b"<mark>") >= 3:
            return hit["doc_id"]
    raise AssertionError("no report with three marks of 备案审查")


def in_view(page, selector: str) -> bool:
    return page.evaluate(f"""() => {{ const r = document.querySelector({selector!r}).getBoundingClientRect();
        return r.top >= 0 && r.bottom <= innerHeight; }}""")


def test_next_and_previous_match(page, base_url, marked_doc):
    page.goto(f"{base_url}/doc/{marked_doc}?q=备案审查")
    marks = page.locator("article.doc .passage mark")
    n = marks.count()
    nxt = page.locator(".doc-tools button.next-match")
    nxt.focus()
    page.keyboard.press("Enter")
    assert settles(page, "document.querySelectorAll('mark.current').length === 1")
    assert page.evaluate("document.querySelector('article.doc .passage mark').classList.contains('current')")
    page.keyboard.press("Enter")                      # the focus stays on the button: pressed again, it goes on
    assert settles(page, "document.querySelectorAll('article.doc .passage mark')[1].classList.contains('current')")
    assert in_view(page, "mark.current")
    assert page.locator(".doc-tools .doc-status").inner_text().startswith(f"第 2 处，共 {n} 处")
    page.locator(".doc-tools button.prev-match").click()
    page.locator(".doc-tools button.prev-match").click()       # from the first, back round to the last
    assert settles(page, f"document.querySelectorAll('article.doc .passage mark')[{n - 1}].classList.contains('current')")
    assert in_view(page, "mark.current")


def test_back_to_the_results(page, base_url):
    page.goto(base_url + "/?q=有备必审&level=county")
    search_url = page.url
    card = page.locator("article.result").nth(1 if page.locator("article.result").count() > 1 else 0)
    card_id = card.get_attribute("id")
    card.locator("h3 a").click()
    page.wait_for_selector(".passage:target")
    page.click(".doc-tools a.back")
    page.wait_for_selector("article.result")
    assert page.url == f"{search_url}#{card_id}"
    assert page.evaluate("location.hash") == f"#{card_id}" and in_view(page, f"#{card_id}")


def test_pick_two_passages_and_copy_them_with_their_citations(page, base_url, marked_doc):
    page.goto(f"{base_url}/doc/{marked_doc}")
    copy = page.locator(".doc-tools button.copy-picked")
    assert copy.is_disabled()
    boxes = page.locator(".ptools .pick input")
    for k in (0, 2):                                  # with the keyboard: focus, Space
        boxes.nth(k).focus()
        page.keyboard.press("Space")
    assert page.locator(".doc-tools .picked").inner_text() == "已选 2 段"
    copy.focus()
    page.keyboard.press("Enter")
    assert settles(page, "document.querySelector('.copy-picked').textContent === '已复制'")
    assert page.locator(".doc-tools .doc-status").inner_text() == "已复制 2 段及其引用"
    copied = page.evaluate("navigator.clipboard.readText()")
    buttons = page.locator(".ptools button.cite")
    expected = []
    for k in (0, 2):
        b = buttons.nth(k)
        url = b.get_attribute("data-url")
        expected.append(f"{b.get_attribute('data-citation')}：{b.get_attribute('data-text')}"
                        + (f"（来源：{url}）" if url else ""))
    assert copied == "\n\n".join(expected)


def test_compare_two_picked_passages(page, base_url, marked_doc):
    page.goto(f"{base_url}/doc/{marked_doc}")
    boxes = page.locator(".ptools .pick input")
    compare = page.locator(".doc-tools button.compare-picked")
    boxes.nth(0).check()
    assert compare.is_disabled()                      # two, no fewer
    boxes.nth(1).check()
    ids = [boxes.nth(k).get_attribute("value") for k in (0, 1)]
    with page.expect_navigation():
        compare.click()
    assert parse_qs(urlparse(page.url).query) == {"a": [ids[0]], "b": [ids[1]]}
    data = page.request.get(f"{base_url}/api/diff?a={ids[0]}&b={ids[1]}").json()
    deleted = [s["text"] for s in data["segments"]["a"] if s["op"] != "equal"]
    inserted = [s["text"] for s in data["segments"]["b"] if s["op"] != "equal"]
    assert deleted and inserted
    hidden = "document.querySelectorAll('{} .visually-hidden').forEach(e => e.remove())"
    page.evaluate(hidden.format(".side"))             # what is marked, without the words for screen readers
    assert page.locator("section.side").nth(0).locator("del").all_inner_texts() == deleted
    assert page.locator("section.side").nth(1).locator("ins").all_inner_texts() == inserted
    style = page.evaluate("""() => [getComputedStyle(document.querySelector('.side del')).textDecorationLine,
                                    getComputedStyle(document.querySelector('.side ins')).textDecorationLine]""")
    assert style == ["line-through", "underline"]     # not colour alone


def test_compare_with_any_passage_kept_on_the_way(page, base_url):
    """From a result's 对比, keep it as 甲, go back to the results and compare it with another result."""
    page.goto(base_url + "/?q=监督")
    cards = page.locator("article.result")
    first, third = (cards.nth(k).get_attribute("id")[2:] for k in (0, 2))
    cards.nth(0).locator("a.compare").click()
    page.wait_for_selector("button.remember-pick")
    page.click("button.remember-pick")
    page.wait_for_selector("p.compare-pick")          # back at the results, told what is kept
    assert "/?q=" in page.url
    link = page.locator(f"#r-{third} a.compare")
    assert link.inner_text() == "与甲段对比"
    with page.expect_navigation():
        link.click()
    assert parse_qs(urlparse(page.url).query) == {"a": [first], "b": [third]}
    page.wait_for_selector("p.compare-pick")          # the script adds it after the page is parsed: waited for
    assert page.locator("section.side").count() == 2 and page.locator("p.compare-pick").count() == 1
    with page.expect_navigation():
        page.click("p.compare-pick button")           # 不再对比
    assert page.locator("p.compare-pick").count() == 0


def test_print_hides_the_chrome(page, base_url, marked_doc):
    page.goto(f"{base_url}/doc/{marked_doc}?q=备案审查")
    page.emulate_media(media="print")
    for chrome in ("header.top", "footer.foot", ".doc-tools", ".ptools", "nav.toc"):
        assert page.locator(chrome).first.is_hidden(), chrome
    assert page.locator("article.doc h1").is_visible() and page.locator("p.passage").first.is_visible()
    page.emulate_media(media="screen")
    assert page.locator(".ptools").first.is_visible()


@pytest.mark.parametrize("width,height,name", SIZES)
def test_screenshots_of_the_report_and_the_comparisons(browser, base_url, client, marked_doc, width, height, name):
    pid = client.get("/api/search?q=有备必审&per_page=1").get_json()["hits"][0]["passage_id"]
    other = client.get(f"/api/similar?passage_id={pid}&limit=1").get_json()["hits"][0]
    docs = client.get(f"/api/diff?a={pid}&b={other['passage_id']}").get_json()
    pages = {"report": f"/doc/{marked_doc}?q=备案审查", "diff": f"/diff?a={pid}&b={other['passage_id']}",
             "diff-pick": f"/diff?a={pid}", "diff-reports": f"/diff?a_doc={docs['a']['doc_id']}&b_doc={docs['b']['doc_id']}"}
    with sized_page(browser, width, height) as pg:
        for slug, path in pages.items():
            pg.goto(base_url + path)
            if slug == "report":
                pg.locator(".ptools .pick input").first.check()
                pg.click(".doc-tools button.next-match")
                assert settles(pg, "document.querySelectorAll('mark.current').length === 1")
            assert pg.evaluate(NO_SIDEWAYS_SCROLL), slug
            assert pg.evaluate(LOW_CONTRAST_JS) == [], slug
            shoot(pg, slug, name, full_page=False)
