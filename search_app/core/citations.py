"""How a passage is cited: 《report》——2024年1月10日在…第…次会议上，“the level-1 section”, and the report's
web address.

The facts a citation needs (the report's name, each passage's top section, its web source, the session it was
delivered at and the date) are read from the report once per index generation and kept in ``Index.memo``.
"""
from __future__ import annotations

import re

from indexer.index.reader import Index
from search_app.core.records import Hit

HEADING_END = "。；;：:，,、 "
CITE_CACHE_REPORTS = 4096       # reports whose citation facts are kept per generation


def is_web_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def report_name(doc: dict) -> str:
    """The name a citation gives a report: its title when the title names the congress, else body + type.

    Many reports carry a slogan as their title (《围绕中心 服务大局 努力开创新时代人大工作新局面》); the
    citation then says whose report it is (《巴彦淖尔市人大常委会工作综述》). A title of slogan and name
    (凝心聚力担使命丨2024年义乌市人大常委会工作综述) is cut to the part with the name.
    """
    title, body, region = doc.get("title") or "", doc.get("body") or "", doc.get("region") or ""
    names = [n for n in (body, region) if n]
    for part in re.split(r"[丨|｜]", title):
        if any(n in part for n in names):
            return part.strip()
    if body and doc.get("doc_type") not in (None, "", "other"):
        return body + doc["doc_type"]
    return title


def top_sections(doc: dict) -> dict[str, str | None]:
    """Each passage's top-level section heading (level 1, or the highest level the report has), without the
    trailing 。；：, as a citation names the section; None before the first heading."""
    levels = [s["level"] for s in doc["sections"] if s["heading"] and s["level"] > 0]
    top = min(levels, default=None)
    out, current = {}, None
    for s in doc["sections"]:
        if s["level"] == top or s["level"] == 0:
            current = s["heading"].rstrip(HEADING_END) or None
        for p in s["passages"]:
            out[p["passage_id"]] = current
    return out


def chinese_date(iso: str) -> str:
    """2024-01-10 → 2024年1月10日, as the line under a report's title writes it."""
    y, m, d = iso.split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


def report_citation(name: str, year: int | None, session: str | None, delivered: str | None) -> str:
    """《name》 and when and where the report was delivered, as its own subtitle says it:
    《…工作报告》——2024年1月10日在XX市第十七届人民代表大会第四次会议上. The year the report covers (（2023年）)
    stands in for the date when the report states none; with a date it would only make the reader wonder which
    of two years is meant."""
    if session and delivered:
        return f"《{name}》——{chinese_date(delivered)}在{session}上"
    year_part = f"（{year}年）" if year else "（年份不详）"
    return f"《{name}》{year_part}" + (f"——在{session}上" if session else "")


def _facts(ix: Index, doc_id: str) -> dict:
    cache = ix.cache("citations", CITE_CACHE_REPORTS)
    facts = cache.get(doc_id)       # read once: another thread may clear the cache meanwhile
    if facts is None:
        doc = ix.document(doc_id) or {"sections": [], "sources": []}
        facts = cache.put(doc_id, {"name": report_name(doc), "sections": top_sections(doc) if doc["sections"] else {},
                                   "url": next((s for s in doc.get("sources") or [] if is_web_url(s)), None),
                                   # a record written before these were read has neither
                                   "session": doc.get("session"), "delivered": doc.get("delivered")})
    return facts


def cite(ix: Index, hits: list[Hit]) -> list[Hit]:
    """Give each hit its ``citation`` (《report》——2021年1月8日在…会议上，“三、全力抓好监督工作”), its report's
    ``session`` and ``delivered`` date, and ``citation_url``: the report's web address, where a reader of the
    citation can check it.

    A report known only as a file (ingested from disk) has no such address: ``citation_url`` is None and the
    citation names no 来源. This server's page is no source (a reader elsewhere cannot open it; it is a copy),
    nor is the file's name (it locates nothing); the report is identified by its name and the session and date
    it was delivered at, as the congress's own documents cite it.
    """
    for h in hits:
        facts = _facts(ix, h.doc_id)
        section = facts["sections"].get(h.passage_id)
        base = report_citation(facts["name"], h.year, facts["session"], facts["delivered"])
        h.citation = base + ((("，" if facts["session"] else "") + f"“{section}”") if section else "")
        h.citation_url, h.session, h.delivered = facts["url"], facts["session"], facts["delivered"]
    return hits
