"""One file's bytes → a Document: decode, clean, metadata, sections, passages. Pure apart from reading."""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from indexer.clean.attachments import AttachmentError, attachment_text, sniff
from indexer.clean.decode import decode
from indexer.clean.html import CleanError, extract_html
from indexer.clean.text import extract_text
from indexer.fetch.state import UnreadableSidecar, is_stored_body, read_stored
from indexer.model import Document
from indexer.normalize import fold, is_traditional, simplify_for_analysis
from indexer.settings import SETTINGS, Settings
from indexer.understand.figures import find_figures
from indexer.understand.metadata import (
    DELIVERY_LINES,
    congress_body,
    find_delivery,
    find_doc_type,
    find_place,
    find_year,
)
from indexer.understand.passages import build_sections
from indexer.understand.sections import demote_story_heads, detect

HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml", ".asp", ".aspx", ".jsp", ".php"}
TEXT_SUFFIXES = {".txt", ".text", ""}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
ATTACHMENT_SUFFIXES = {".pdf", ".docx", ".ofd", ".doc", ".wps"}
SUFFIXES = HTML_SUFFIXES | TEXT_SUFFIXES | MARKDOWN_SUFFIXES | ATTACHMENT_SUFFIXES
# Raised when the parser gives a document a new field or reads one otherwise, so that an ingest parses again the
# files an older parser read (their content unchanged): 2, the session and the date a report was delivered at;
# 3, the work figures (understand.figures).
PARSER_VERSION = 3
_READERS = {"pdf": "pdfminer.six", "docx": "python-docx", "ofd": "the OFD reader (attachments.ofd_text)",
            "doc": "olefile and the piece table", "wps": "olefile and the piece table"}
# the line under a title that says where the report was delivered, without the usual dash:
# （2024年1月9日在XX县第十八届人民代表大会第三次会议上）
_SESSION_LINE = re.compile(r"^[（(]?\s*([\d〇○零一二三四五六七八九十]{4}年.{1,8}日)?\s*在.{2,40}(会议|大会)上")


class ParseError(ValueError):
    """A file that cannot become a document; the message says why, for the per-file error report."""


def sniff_format(name: str, data: bytes, content_type: str = "") -> str:
    """pdf, docx, ofd, doc or wps by their bytes; else html, markdown or text: by suffix, content type, and content."""
    if (kind := sniff(data, content_type, name)):
        return kind
    suffix = Path(name).suffix.lower()
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    head = data[:2048].lstrip().lower()
    if suffix in HTML_SUFFIXES or head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in head \
            or "html" in content_type.lower():
        return "html"
    return "text"


def parse_bytes(data: bytes, source: str, http_charset: str | None = None,
                settings: Settings = SETTINGS, selector: str | None = None, parts: tuple[bytes, ...] = ()) -> Document:
    """Turn one report file (HTML, text, Markdown, PDF, DOCX, OFD, DOC or WPS) into a Document.

    :param http_charset: the HTTP Content-Type (or just its charset) the bytes were served with.
    :param selector: a CSS selector of the report body (a site's hint), tried before the heuristics.
    :param parts: an HTML report's further pages, in order: their text follows the first page's, without the
        title, dateline and source lines each page repeats.
    :raises ParseError: empty, oversized, binary or undecodable input, or no report text in it.
    """
    if (size := len(data) + sum(len(p) for p in parts)) > settings.max_file_bytes:
        raise ParseError(f"file too large: {size} bytes (limit {settings.max_file_bytes})")
    if not data.strip():
        raise ParseError("empty file")
    fmt = sniff_format(source, data, http_charset or "")
    if fmt in _READERS:
        try:
            extracted = extract_text(attachment_text(data, fmt, settings.max_unpacked_bytes), markdown=fmt == "docx")
        except AttachmentError as exc:
            raise ParseError(str(exc)) from exc
        extracted.format = fmt
        if not extracted.blocks:
            raise ParseError("no report text found")
        return build_document(extracted, source, fmt, f"text layer read by {_READERS[fmt]}", settings)
    if data.count(b"\x00") > len(data) // 100 and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ParseError("binary data, not a text or HTML report")
    try:
        decoded = decode(data, http_charset, is_html=fmt == "html")
        extracted = extract_html(decoded.text, settings, selector) if fmt == "html" else \
            extract_text(decoded.text, markdown=fmt == "markdown")
        for part in parts if fmt == "html" else ():
            more = extract_html(decode(part, http_charset, is_html=True).text, settings, selector)
            extracted.blocks += _after_repeats(more.blocks, extracted)
    except (ValueError, CleanError) as exc:
        raise ParseError(str(exc)) from exc
    except RecursionError as exc:
        raise ParseError("markup nested too deeply") from exc
    if not extracted.blocks:
        raise ParseError("no report text found")
    return build_document(extracted, source, decoded.encoding, decoded.how, settings)


REPEATED_LINES = 4       # lines at the top of a report's first page that its further pages may repeat


def _after_repeats(blocks: list, first) -> list:
    """A further page's blocks without those at its top that repeat the first page's title or top lines."""
    seen = {fold(first.title)} | {fold(b.text) for b in first.blocks[:REPEATED_LINES]}
    k = 0
    while k < len(blocks) and fold(blocks[k].text) in seen:
        k += 1
    return blocks[k:]


def build_document(extracted, source: str, encoding: str, encoding_how: str,
                   settings: Settings = SETTINGS) -> Document:
    texts = [b.text for b in extracted.blocks]
    full = "\n".join(texts)
    simple = simplify_for_analysis(full)
    title_s = simplify_for_analysis(extracted.title)
    subtitles = [simplify_for_analysis(t) for t in texts[:4] if t.startswith(("——", "—")) or _SESSION_LINE.match(t)]
    items = detect(extracted.blocks)
    opening = [simplify_for_analysis(it.rest or it.text) for it in items[:8] if not it.heading or it.rest][:5]
    headings = [simplify_for_analysis(it.heading) for it in items if it.heading]
    place = find_place(title_s, subtitles, " ".join(opening[:3]), simple)
    kind = find_doc_type(title_s, subtitles, simple)
    doc_type = kind.doc_type
    year, covered, year_how = find_year(title_s, subtitles, headings, opening, extracted.pub_date, simple, kind.kind)
    delivery = find_delivery(title_s, [simplify_for_analysis(t) for t in texts[:DELIVERY_LINES]])
    content_hash = hashlib.blake2b(fold(full).encode(), digest_size=16).hexdigest()
    doc_id = content_hash[:16]
    if kind.kind in ("news", "session_news", "notice"):
        demote_story_heads(items)
    text, sections = build_sections(doc_id, items, settings,
                                    congress=kind.kind not in ("government", "court", "procuratorate"))
    if not any(s.passages for s in sections):
        raise ParseError("no report text found")
    title = extracted.title or derived_title(congress_body(place), year, doc_type)
    why = {"title": extracted.title_how if extracted.title else "none found: made from the congress, year and type",
           "region": f"{place.evidence}: {place.written}" if place.written else place.evidence,
           "year": year_how or "none found", "doc_type": kind.why, "session": delivery.why}
    return Document(
        doc_id=doc_id, title=title,
        body=congress_body(place), region=place.region, province=place.province, level=place.level, year=year,
        doc_type=doc_type, source=source, traditional=is_traditional(full), text=text, sections=sections,
        years_covered=covered, pub_date=extracted.pub_date, region_code=place.code, encoding=encoding,
        encoding_how=encoding_how, format=extracted.format, content_hash=content_hash, sources=[source],
        kind=kind.kind, why=why, session=delivery.session, delivered=delivery.delivered,
        figures=find_figures([p for s in sections for p in s.passages], kind.kind))


def derived_title(body: str, year: int | None, doc_type: str) -> str:
    """A citation title for a report that has none: 扎鲁特旗人大常委会2024年工作综述."""
    kind = doc_type if doc_type != "other" else "报告"
    return f"{body}{year or ''}{'年' if year else ''}{kind}"


def parse_file(path: str | os.PathLike, settings: Settings = SETTINGS) -> Document:
    """Read and parse one file; the size cap is checked before reading it whole.

    A crawled body (``<sha256>.body``) is parsed with its sidecar's Content-Type and content selector, and
    with its further pages when the report was split over several; its URL becomes the document's source
    (the other URLs that served the same bytes its sources).
    """
    path = Path(path)
    size = path.stat().st_size
    if size > settings.max_file_bytes:
        raise ParseError(f"file too large: {size} bytes (limit {settings.max_file_bytes})")
    if is_stored_body(path):
        try:
            stored = read_stored(path)
        except UnreadableSidecar as exc:
            raise ParseError(str(exc)) from exc
        if (size := size + sum(p.stat().st_size for p in stored.parts)) > settings.max_file_bytes:
            raise ParseError(f"report and its further pages too large: {size} bytes (limit {settings.max_file_bytes})")
        doc = parse_bytes(stored.data, stored.url, stored.content_type, settings, stored.content_selector,
                          tuple(p.read_bytes() for p in stored.parts))
        doc.sources = stored.urls
        return doc
    return parse_bytes(path.read_bytes(), str(path), settings=settings)
