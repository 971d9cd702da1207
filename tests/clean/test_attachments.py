"""PDF and DOCX attachments → text → documents; the committed fixtures round-trip their Chinese text."""
from __future__ import annotations

import io
import zipfile
from collections import Counter

import pytest

from indexer.clean.attachments import AttachmentError, docx_text, pdf_text, sniff
from indexer.model import Document
from indexer.settings import SETTINGS, load_settings
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



# ------------------------------------------------------------------------------------ hostile packages

GOOD_DOCX = (SITE / "report.docx").read_bytes()
PARAGRAPH = DOCX_PARAGRAPHS[2][1]


def repacked(replace: dict[str, bytes | None], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """The fixture DOCX with members replaced (None: removed), compressed with ``method``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(GOOD_DOCX)) as src, zipfile.ZipFile(buf, "w", method) as out:
        for name in src.namelist():
            data = replace[name] if name in replace else src.read(name)
            if data is not None:
                out.writestr(name, data)
    return buf.getvalue()


def padded_document(n_bytes: int) -> bytes:
    """The fixture's document.xml with ``n_bytes`` of whitespace after its first paragraph (still valid)."""
    xml = zipfile.ZipFile(io.BytesIO(GOOD_DOCX)).read("word/document.xml")
    return xml.replace(b"</w:p>", b"</w:p>" + b" " * n_bytes, 1)


@pytest.fixture
def unpacked(monkeypatch) -> Counter:
    """Bytes read out of each zip member (by name) while the test runs."""
    read: Counter = Counter()
    real_read = zipfile.ZipExtFile.read

    def counted(self, n=-1):
        data = real_read(self, n)
        read[self.name] += len(data)
        return data
    monkeypatch.setattr(zipfile.ZipExtFile, "read", counted)
    return read


def test_docx_bomb_is_refused_before_it_is_unpacked(unpacked):
    """Regression: a 711 KB DOCX unpacked to 965 MB and ran to the 60 s cap; nothing checked the unpacked size."""
    bomb = repacked({"word/document.xml": padded_document(SETTINGS.max_unpacked_bytes)})
    assert len(bomb) < 100_000
    unpacked.clear()
    with pytest.raises(AttachmentError, match=rf"DOCX unpacks to \d+ bytes .*limit {SETTINGS.max_unpacked_bytes}"):
        docx_text(bomb)
    assert unpacked["word/document.xml"] == 0
    with pytest.raises(ParseError, match="DOCX unpacks to"):
        parse_bytes(bomb, "report.docx")


def test_the_unpacked_size_limit_is_a_setting():
    data = repacked({"word/document.xml": padded_document(200_000)})
    assert isinstance(parse_bytes(data, "report.docx"), Document)
    with pytest.raises(ParseError, match="limit 100000"):
        parse_bytes(data, "report.docx", settings=load_settings(max_unpacked_bytes=100_000))


def _declaring(data: bytes, name: str, size: int) -> bytes:
    """``data`` with member ``name``'s uncompressed size rewritten to ``size`` in its local and central headers."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        offset, central = z.getinfo(name).header_offset, z.start_dir
    while int.from_bytes(data[central + 42:central + 46], "little") != offset:    # the member's central record
        central = data.index(b"PK\x01\x02", central + 46)
    out = bytearray(data)
    out[offset + 22:offset + 26] = out[central + 24:central + 28] = size.to_bytes(4, "little")
    return bytes(out)


def test_a_member_larger_than_it_declares_is_not_trusted():
    """Declared sizes are checked first, and every read is still bounded: a member that inflates past what it
    declares is refused."""
    liar = _declaring(repacked({"word/document.xml": padded_document(SETTINGS.max_unpacked_bytes)}),
                      "word/document.xml", 3000)
    assert zipfile.ZipFile(io.BytesIO(liar)).getinfo("word/document.xml").file_size == 3000
    with pytest.raises(AttachmentError, match="DOCX"):
        docx_text(liar)


def test_pictures_are_not_unpacked(unpacked):
    """Only the XML parts hold text: the pictures (the bulk of an honest DOCX) are never inflated, so a
    picture past the limit costs nothing."""
    data = repacked({"docProps/thumbnail.jpeg": b"\xff\xd8\xff" + bytes(SETTINGS.max_unpacked_bytes)})
    unpacked.clear()
    assert PARAGRAPH in docx_text(data)
    assert unpacked["word/document.xml"] > 0 and unpacked["docProps/thumbnail.jpeg"] == 0


def test_a_member_compressed_other_than_with_deflate_is_refused():
    """zipfile bounds what one read inflates for deflate only; Word writes nothing else."""
    with pytest.raises(AttachmentError, match="compressed with method 12, not deflate"):
        docx_text(repacked({}, method=zipfile.ZIP_BZIP2))


_NO_BODY = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'


@pytest.mark.parametrize("replace", [
    {"word/document.xml": _NO_BODY},
    {"word/document.xml": b"not xml"},
    {"word/document.xml": b""},
    {"word/styles.xml": b"<w:styles"},
    {"[Content_Types].xml": b"junk"},
    {"_rels/.rels": b"<Relationships"},
], ids=["no-body", "not-xml", "empty-document", "broken-styles", "broken-content-types", "broken-rels"])
def test_broken_docx_is_a_clean_error(replace):
    """Regression: a document without a body was reported as 'internal error: AttributeError', a part that is
    not XML as an XMLSyntaxError."""
    data = repacked(replace)
    with pytest.raises(AttachmentError, match="^malformed DOCX: ") as error:
        docx_text(data)
    with pytest.raises(ParseError, match="^malformed DOCX: "):
        parse_bytes(data, "report.docx")
    assert "NoneType" not in str(error.value)     # a reason about the file, not about python-docx's code


def test_pdf_that_trips_pdfminer_is_a_clean_error():
    """Regression: a CID font whose Registry is a name instead of a string raised AttributeError in pdfminer."""
    data = make_pdf().replace(b"/Registry (Adobe)", b"/Registry  Adobe ")
    with pytest.raises(AttachmentError, match=r"^malformed PDF: pdfminer.six cannot read it \(AttributeError\)$"):
        pdf_text(data)
    with pytest.raises(ParseError, match="^malformed PDF: "):
        parse_bytes(data, "report.pdf")


def test_docx_styles_are_read_once_not_per_paragraph(monkeypatch):
    """python-docx's Paragraph.style searches all the styles for every paragraph (74 s for 72,000 paragraphs):
    the heading levels are read from one table of the document's styles."""
    from docx.oxml.styles import CT_Styles
    document = zipfile.ZipFile(io.BytesIO(GOOD_DOCX)).read("word/document.xml")
    body = document[document.index(b"<w:body>") + 8:document.index(b"<w:sectPr")]
    data = repacked({"word/document.xml": document.replace(body, body * 100)})
    searches = []
    real = CT_Styles.default_for
    monkeypatch.setattr(CT_Styles, "default_for", lambda self, t: searches.append(t) or real(self, t))
    text = docx_text(data)
    assert text.count(f"# {DOCX_PARAGRAPHS[1][1]}") == 100 and len(searches) <= 1


def test_doc_and_wps_read_through_the_piece_table():
    from indexer.clean.attachments import doc_text
    doc = (SITE / "report.doc").read_bytes()
    assert sniff(doc) == "doc" and sniff(doc, "", "x.wps") == "wps"
    assert doc_text(doc).split("\n\n") == [text for _, text in DOCX_PARAGRAPHS]
    wps = doc_text((SITE / "report.wps").read_bytes()).split("\n\n")
    assert "常委会听取审议旗人民政府专项工作报告八个，详见常委会公报，开展执法检查三次。" in wps   # a field's result, not its code
    assert ["项目 数量", "执法检查 3次", "专题询问 1次"] == wps[4:7]                   # a table row's cells on one line


def test_a_wps_becomes_a_document_with_sections():
    doc = parse_bytes((SITE / "report.wps").read_bytes(), "https://x.gov.cn/a/2021.wps")
    assert (doc.format, doc.year, doc.doc_type) == ("wps", 2021, "工作报告")
    assert [s.heading for s in doc.sections if s.heading] == ["一、依法履行监督职能", "二、加强代表工作"]


def _stream_name_changed(data: bytes) -> bytes:
    """The .doc with its WordDocument stream renamed in the directory (names are UTF-16 there)."""
    name = "WordDocument".encode("utf-16-le")
    assert data.count(name) == 1
    return data.replace(name, "WordDocumenX".encode("utf-16-le"))


def _encrypted(data: bytes) -> bytes:
    """The .doc with the FIB's fEncrypted flag set (the FIB opens the WordDocument stream, at a sector start)."""
    at = next(i for i in range(512, len(data), 512) if data[i:i + 2] == b"\xec\xa5")
    flags = int.from_bytes(data[at + 10:at + 12], "little") | 0x0100
    return data[:at + 10] + flags.to_bytes(2, "little") + data[at + 12:]


@pytest.mark.parametrize("change, message", [
    (lambda d: b"not an OLE file at all", "no OLE2 container"),
    (_stream_name_changed, "no WordDocument stream"),
    (_encrypted, "encrypted DOC"),
    (lambda d: d[:len(d) // 2], "malformed DOC"),
])
def test_a_broken_doc_is_a_clean_error(change, message):
    from indexer.clean.attachments import doc_text
    with pytest.raises(AttachmentError, match=message):
        doc_text(change((SITE / "report.doc").read_bytes()))


def test_a_doc_stream_past_the_limit_is_refused_unread():
    from indexer.clean.attachments import doc_text
    with pytest.raises(AttachmentError, match="limit 1000"):
        doc_text((SITE / "report.doc").read_bytes(), max_unpacked_bytes=1000)


def test_a_doc_is_read_in_one_pass_and_within_its_bound():
    from indexer.clean.attachments import _pieces, _without_field_codes
    assert _without_field_codes("\x13\x14" * 40000 + "正文") == "正文" and _without_field_codes("a\x13PAGE\x145\x15b") == "a5b"
    # a piece table whose pieces all point at the whole stream: bounded, not 100 million characters
    word = bytearray(0x200) + "代表".encode("utf-16-le") * 1000
    n = 2000
    cps = list(range(0, (n + 1) * 2000, 2000))
    plc = b"".join(c.to_bytes(4, "little") for c in cps) + b"".join(b"\x00\x00" + (0x200).to_bytes(4, "little")
                                                                    + b"\x00\x00" for _ in range(n))
    clx = b"\x02" + len(plc).to_bytes(4, "little") + plc
    word[0x4C:0x50] = (0).to_bytes(4, "little")
    word[0x1A2:0x1AA] = (0).to_bytes(4, "little") + len(clx).to_bytes(4, "little")
    with pytest.raises(AttachmentError, match="runs past 100000 characters"):
        _pieces(bytes(word), clx, 100_000)
