"""What a page fetched by discovery is: a congress report to keep for ingest, a list of links, or neither.

The crawler (``indexer.fetch``) knows nothing of understanding; the command that starts a crawl hands it
``judge_page``, which parses the page as ingest would (``pipeline.parse_bytes``) and asks the report
classifier (``metadata.find_doc_type``) what it is. Session news, plans (工作要点), the government's, the court's
and the procuratorate's reports, notices and personnel lists are not reports; neither is a list page whose
title says 工作报告 (its text is the titles of its links), nor a stub too short to be a report.
"""
from __future__ import annotations

import re
from html import unescape

from indexer.clean.decode import DecodeError, decode
from indexer.model import Verdict
from indexer.understand.pipeline import ParseError, parse_bytes

MIN_REPORT_CHARS = 500      # the shortest report text kept: a work report runs to thousands of characters
LIST_LINKS = 6              # links with a title's length that make a page a list
LINKED_SHARE = 0.5          # a page whose text is mostly its links' titles is a list, whatever its title says


def judge_page(body: bytes, content_type: str, url: str) -> Verdict:
    """Report, list or other, with the reason in words (kept in the crawl state beside the page)."""
    titles = _link_titles(body, content_type)
    try:
        doc = parse_bytes(body, url, content_type)
    except ParseError as exc:
        return _list_or_other(titles, f"no report text ({exc})")
    text = doc.text or ""
    linked = sum(len(t) for t in titles if t in text)
    what = f"{doc.kind}: {doc.why.get('doc_type', '')}".rstrip(": ")
    if doc.kind not in ("report", "summary"):
        return _list_or_other(titles, f"not a congress report ({what})")
    if len(titles) >= LIST_LINKS and linked > LINKED_SHARE * len(text):
        return Verdict("list", f"a list: {len(titles)} titled links make most of its text ({what} by its title)")
    if len(text) < MIN_REPORT_CHARS:
        return _list_or_other(titles, f"too short for a report: {len(text)} characters ({what})")
    return Verdict("report", f"{doc.doc_type}, {len(text)} characters ({what})")


_ANCHOR = re.compile(r"<a\b[^>]{0,2000}>(.{0,500}?)</a>", re.I | re.S)     # bounded: never quadratic on a page of <a>
_TAG = re.compile(r"<[^>]+>|\s+")


def _link_titles(body: bytes, content_type: str) -> list[str]:
    """The texts of an HTML page's links that are as long as a title (8 characters or more)."""
    if "html" not in content_type.lower() and not body[:1024].lstrip().lower().startswith((b"<!doctype", b"<html")):
        return []
    try:
        html = decode(body, content_type, is_html=True).text
    except DecodeError:
        return []
    return [t for m in _ANCHOR.finditer(html) if len(t := _TAG.sub("", unescape(m.group(1)))) >= 8]


def _list_or_other(titles: list[str], why: str) -> Verdict:
    if len(titles) >= LIST_LINKS:
        return Verdict("list", f"{why}; a list of {len(titles)} titled links")
    return Verdict("other", why)
