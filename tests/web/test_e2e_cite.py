"""Copying a citation in Chromium: the clipboard holds the report's session and delivery date and never this
server's host, a screen reader hears "已复制" from a polite live region, and the focus stays on the button."""
import pytest

from tests.web.browser import SIZES, axe_violations, settles, shoot
from tests.web.conftest import serving

JIANGXI = "《江西省人民代表大会常务委员会工作报告》——2020年1月15日在江西省第十三届人民代表大会第四次会议上"


@pytest.fixture(scope="module")
def dated_url(dated_index):
    with serving(dated_index) as url:
        yield url


@pytest.fixture
def new_page(browser, dated_url):
    contexts = []

    def make(width=1280, height=900):
        ctx = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
        ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=dated_url)
        contexts.append(ctx)
        return ctx.new_page()
    yield make
    for ctx in contexts:
        ctx.close()


def copy_first(pg) -> str:
    """Click the first 复制引用 of a Jiangxi passage; the clipboard's text once the button says 已复制."""
    button = pg.locator("article.result", has_text="江西省人民代表大会").locator("button.cite").first
    button.click()
    assert settles(pg, "[...document.querySelectorAll('button.cite')].some(b => b.textContent === '已复制')")
    return pg.evaluate("navigator.clipboard.readText()")


def test_the_copied_citation_has_the_session_and_date_and_no_server(new_page, dated_url):
    pg = new_page()
    pg.goto(dated_url + "/?q=监督")
    copied = copy_first(pg)
    assert copied.startswith(JIANGXI + "，“") and "：" in copied
    assert "127.0.0.1" not in copied and "localhost" not in copied and "来源" not in copied


def test_the_live_region_announces_and_the_focus_stays(new_page, dated_url):
    pg = new_page()
    pg.goto(dated_url + "/?q=监督")
    status = pg.locator("[role=status][aria-live=polite].cite-status")
    assert status.count() == 1 and status.inner_text() == ""          # there before the copy, silent
    button = pg.locator("article.result", has_text="江西省人民代表大会").locator("button.cite").first
    button.focus()
    pg.keyboard.press("Enter")                                      # from the keyboard
    assert settles(pg, "document.querySelector('.cite-status').textContent.startsWith('已复制引用：')")
    assert status.inner_text().startswith("已复制引用：" + JIANGXI)
    assert pg.evaluate("document.activeElement.classList.contains('cite')")    # focus not moved
    # emptied again, so that the next copy is heard again
    assert settles(pg, "document.querySelector('.cite-status').textContent === ''")


@pytest.mark.parametrize("width,height,name", SIZES)
def test_screenshots_and_axe_after_a_copy(new_page, dated_url, width, height, name):
    pg = new_page(width, height)
    pg.goto(dated_url + "/?q=监督")
    copy_first(pg)
    shoot(pg, "cite-copied", name, full_page=False)
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(pg) == []
    doc_href = pg.locator("article.result h3 a", has_text="江西省").first.get_attribute("href")
    pg.goto(dated_url + doc_href.split("#")[0])
    meta = pg.locator("header .meta .delivered")
    assert meta.inner_text() == "2020-01-15 在江西省第十三届人民代表大会第四次会议上报告"
    shoot(pg, "cite-report", name, full_page=False)
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(pg) == []
