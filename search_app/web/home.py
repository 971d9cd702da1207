"""The home page, when nothing is asked yet: what the index holds (China's provincial units as a tile map,
coloured by the reports held, each tile with the years it covers and a link to its reports), the reports added
last, and example searches for drafting staff and for researchers. The numbers come from the core
(``stats.coverage``, ``stats.latest_reports``); this module adds the map's geometry and the examples' wording.
"""
from __future__ import annotations

import math
from urllib.parse import urlencode

from flask import url_for

from indexer.facets import LEVEL_LABELS, UNSTATED
from search_app.core.stats import coverage, latest_reports
from search_app.web.context import index

TILE, GAP = 56, 4            # a tile of the map and the space between tiles, in SVG units
STRIP_H = 6                  # the band of years at a tile's foot
SHADES = 4                   # shades of the colour scale, besides the grey of a province with nothing held


def search_url(**args) -> str:
    return "/?" + urlencode(args, doseq=True)


def reports_url(**args) -> str:
    """The search of the reports a count of the home page counts, one passage per report."""
    return search_url(**args, group="report")


# The reports of no known province, but for the national congress's (which has its own tile): every level else.
UNPLACED = {"province": UNSTATED, "level": [*(v for v in LEVEL_LABELS if v != "national"), UNSTATED]}


def tile_search(name: str) -> str:
    """The search of a tile's reports: its province, or the national congress."""
    return reports_url(level="national") if name == "全国" else reports_url(province=name)


def shade(n: int, top: int) -> int:
    """0 for nothing held, else 1 (fewest) to ``SHADES`` (most) on a log scale, as reports held differ by
    orders of magnitude between provinces."""
    if not n:
        return 0
    return SHADES if top <= 1 else 1 + round((SHADES - 1) * math.log(n) / math.log(top))


def examples(tiles: list[dict]) -> dict[str, list[dict]]:
    """Example searches for both kinds of user; the comparison takes the provinces that hold most reports."""
    most = [t["name"] for t in sorted(tiles, key=lambda t: -t["reports"]) if t["reports"] and t["name"] != "全国"][:3]
    drafting = [
        {"label": "“有备必审”", "url": search_url(q='"有备必审"'), "note": "这一措辞出现在哪些报告的哪些段落"},
        {"label": "备案审查 level:county", "url": search_url(q="备案审查 level:county"), "note": "县级人大怎样写备案审查"},
        {"label": "“执法检查” year:2020-", "url": search_url(q='"执法检查" year:2020-'), "note": "近年的写法"},
        {"label": "相似措辞：坚持有件必备、有备必审、有错必纠", "note": "一段话的先例",
         "url": "/similar?" + urlencode({"text": "坚持有件必备、有备必审、有错必纠"})},
    ]
    research = [
        {"label": "备案审查 的年度趋势", "url": "/trends?" + urlencode({"q": "备案审查"}), "note": "各年提及比例，按收录报告数归一"},
        {"label": "执法检查 按层级", "url": "/trends?" + urlencode({"q": "执法检查", "by": "level"}), "note": "全国、省、市、县逐年对比"},
        {"label": "代表建议 的语境", "url": "/kwic?" + urlencode({"q": "代表建议"}), "note": "关键词前后的文字，可按左右语境排序"},
    ]
    if len(most) >= 2:
        research.insert(1, {"label": f"监督：{'、'.join(most)}对比", "note": "收录最多的几个省份并排",
                            "url": "/compare?" + urlencode([("q", "监督"), *(("province", p) for p in most)])})
    return {"drafting": drafting, "research": research}


def home_data() -> dict:
    """What the home page shows, as /api/home returns it: the coverage with each tile's search, the latest
    reports with their pages, the examples."""
    ix = index()
    cov = coverage(ix)
    tiles = [{**t, "search": tile_search(t["name"]) if t["reports"] else None} for t in cov["tiles"]]
    latest = [{**r, "url": url_for("reader.doc_page", doc_id=r["doc_id"])} for r in latest_reports(ix)]
    return {**cov, "tiles": tiles, "unplaced_search": reports_url(**UNPLACED) if cov["unplaced"] else None,
            "latest": latest, "examples": examples(tiles)}


def placed(tiles: list[dict]) -> tuple[list[dict], dict]:
    """Tiles of the grid (``col``, ``row``) with the corner of their square (``x``, ``y``), and the map's size
    (``w``, ``h``, and ``tile``, a square's side): the geometry of templates/_tilemap.html, for every map."""
    out = [{**t, "x": t["col"] * (TILE + GAP), "y": t["row"] * (TILE + GAP)} for t in tiles]
    size = {"tile": TILE, "w": max((t["x"] for t in out), default=-TILE) + TILE,
            "h": max((t["y"] for t in out), default=-TILE) + TILE}
    return out, size


def home_view() -> dict:
    """``home_data`` and the map's geometry: each tile's square, shade and band of years held."""
    data = home_data()
    top = max((t["reports"] for t in data["tiles"]), default=0)
    years = data["years"]
    step = (TILE - 8) / max(1, len(years))
    tiles, size = placed(data["tiles"])
    for t in tiles:
        held = [(yr, n) for yr, n in zip(years, t["held"]) if n]
        t.update({"href": t["search"], "css": f"shade-{shade(t['reports'], top)}", "held_years": held,
                  "marks": [{"x": round(t["x"] + 4 + (yr - years[0]) * step, 1), "w": round(max(1.0, step - 0.6), 1)}
                            for yr, _ in held]})
    return {"home": data, "tiles": tiles, "size": size, "strip_h": STRIP_H, "top": top,
            "per_year": [(yr, n, reports_url(year=yr)) for yr, n in reversed(list(zip(years, data["per_year"]))) if n]}
