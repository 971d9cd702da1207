"""What the browser tests share: Debian's Chromium, where screenshots go, the contrast check, axe-core."""
from __future__ import annotations

import time
from contextlib import contextmanager

from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = ROOT / "test-artifacts"
SIZES = [(1280, 900, "desktop"), (390, 844, "phone")]
# the page is no wider than the window's content box: the window's scroll bar does not hide an overflow of its width
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
# axe-core from the npm registry, installed by `make test` (Makefile: $(AXE))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = """() => axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | ")}`))"""


def axe_violations(pg) -> list[str]:
    """The serious and critical axe-core violations of the page as loaded: "rule (impact): where".

    The page's context must be made with ``bypass_csp=True``: the pages allow no script but their own.
    """
    assert AXE.is_file(), f"axe-core is missing ({AXE}): `make test` installs it from the npm registry"
    pg.add_script_tag(path=str(AXE))
    return pg.evaluate(AXE_RUN)


# Text whose contrast with its background is below WCAG AA (4.5:1, or 3:1 for large text); SVG and
# visually hidden text aside.
LOW_CONTRAST_JS = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = c => c.slice(0, 3).map(v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
                    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || c[3] > 0.5) return c;
    }
    return [255, 255, 255];
  };
  const low = [], walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const el = walk.currentNode.parentElement, s = getComputedStyle(el);
    if (!walk.currentNode.textContent.trim() || !el.checkVisibility() || el.closest("svg, .visually-hidden")) continue;
    const [hi, lo] = [lum(rgb(s.color)), lum(background(el))].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05), size = parseFloat(s.fontSize);
    const large = size >= 24 || (size >= 18.66 && +s.fontWeight >= 700);
    if (ratio < (large ? 3 : 4.5)) low.push(`${el.tagName}.${el.className} ${ratio.toFixed(2)}`);
  }
  return low;
}"""


def settles(pg, condition: str, timeout_s: float = 5.0) -> bool:
    """Whether ``condition`` holds within ``timeout_s``, polled from here: the page's CSP forbids the eval
    that Playwright's own wait_for_function needs."""
    deadline = time.monotonic() + timeout_s
    while not pg.evaluate(condition):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@contextmanager
def sized_page(browser, width: int, height: int, **context):
    """A page in a context of its own with that viewport (``context``: more of ``new_context``'s options), closed
    however the test ends."""
    ctx = browser.new_context(viewport={"width": width, "height": height}, **context)
    try:
        yield ctx.new_page()
    finally:
        ctx.close()


def assert_map_fits(pg, selector: str, width: int) -> None:
    """The whole tile map under ``selector`` is on screen and its tiles are big enough to touch (40 px)."""
    box = pg.locator(f"{selector} svg").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert pg.locator(f"{selector} a.tile .bg").first.bounding_box()["width"] >= 40


def look(pg, url: str, slug: str) -> None:
    """Open ``url`` and check what every screenshot test checks: no text below AA contrast, no sideways scroll."""
    pg.goto(url)
    pg.evaluate("document.fonts.ready.then(() => true)")         # widths settle once the CJK font is in
    assert pg.evaluate(LOW_CONTRAST_JS) == [], slug
    assert settles(pg, NO_SIDEWAYS_SCROLL), slug


def shoot(pg, slug: str, size: str, full_page: bool = True) -> None:
    """Save the page as ``test-artifacts/<slug>-<size>.png``, to be looked at."""
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"{slug}-{size}.png"
    pg.screenshot(path=str(shot), full_page=full_page)
    assert shot.stat().st_size > 5000
