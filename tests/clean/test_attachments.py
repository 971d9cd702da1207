"""PDF and DOCX attachments → text → documents; the committed fixtures round-trip their Chinese text."""
from __future__ import annotations

import io
import zipfile

import pytest

from indexer.clean.attachments import AttachmentError, docx_text, pdf_text, sniff
from indexer.understand.pipeline import ParseError, parse_bytes
from tests.conftest import FIXTURES
from tests.fixtures.crawl_site.make_fixtures import DOCX_PARAGRAPHS, PDF_LINES, make_pdf

SITE = FIXTURES / "crawl_site"


def test_committed_pdf_is_what_the_script_makes():
    assert (SITE / "report.pdf").read_bytes() == make_pdf()


def test_pdf_without_tounicode_round_trips_through_the_cjk_cmap():
    text = pdf_text((SITE / "report.pdf").read_bytes())
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines == PDF_LINES


def test_docx_round_trips_with_heading_levels():
    text = docx_text((SITE / "report.docx").read_bytes())
    for style, para in DOCX_PARAGRAPHS:
        assert (f"# {para}" if style == "Heading 1" else para) in text.split("\n\n")


def test_pdf_becomes_a_document_with_sections():
    doc = parse_bytes((SITE / "report.pdf").read_bytes(), "https://www.npc.gov.cn/files/report.pdf")
    assert (doc.format, doc.year, doc.source) == ("pdf", 2022, "https://www.npc.gov.cn/files/report.pdf")
    assert doc.title == PDF_LINES[0]
    assert [s.heading for s in doc.sections if s.heading] == ["一、坚持党的领导", "二、立法工作", "三、监督工作"]
    assert "备案审查规范性文件四十二件" in doc.text


def test_docx_becomes_a_document_with_sections():
    doc = parse_bytes((SITE / "report.docx").read_bytes(), "https://x.gov.cn/a/report.docx")
    assert (doc.format, doc.year) == ("docx", 2023)
    assert [s.heading for s in doc.sections if s.heading] == ["一、围绕中心服务大局", "二、加强代表工作"]


@pytest.mark.parametrize("data, ctype, name, kind", [
    (b"%PDF-1.4\n...", "", "", "pdf"),
    (b"\r\n%PDF-1.7 junk before the header", "application/pdf", "", "pdf"),
    ((SITE / "report.docx").read_bytes(), "", "", "docx"),
    (b"PK\x03\x04 not a zip", "", "x.zip", None),
    (b"<html>", "text/html", "a.html", None),
])
def test_sniff(data, ctype, name, kind):
    assert sniff(data, ctype, name) == kind


def test_pdf_without_text_layer_is_refused():
    blank = make_pdf().replace(b"Tj", b"Tz")      # no text shown: what a scan looks like to a text extractor
    with pytest.raises(AttachmentError, match="no text layer"):
        pdf_text(blank)


def test_broken_pdf_is_a_clean_error():
    with pytest.raises(AttachmentError, match="PDF"):
        pdf_text(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF")


def test_zip_that_is_not_a_docx_is_a_clean_error():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(AttachmentError, match="DOCX"):
        docx_text(buf.getvalue())
    with pytest.raises(ParseError):
        parse_bytes(buf.getvalue(), "report.docx")
