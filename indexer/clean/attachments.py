"""PDF and DOCX report attachments → plain text the cleaner can cut into paragraphs.

PDF text comes from pdfminer.six: Chinese government PDFs often use CID fonts with a predefined CMap
(UniGB-UCS2-H, GBK-EUC-H, Adobe-GB1) and no ToUnicode table, and pdfminer.six ships Adobe's full CMap set to
map those to Unicode; its layout analysis also keeps lines in reading order. DOCX paragraphs come from
python-docx; heading styles become Markdown ``#`` lines so the section detector sees their level.
What this does not do: OCR. A scanned PDF has no text layer and is refused as such, as are encrypted ones.
Legacy ``.doc`` and WPS files are binary formats we do not read; the crawler records them as unsupported.
"""
from __future__ import annotations

import io
import logging
import re
import zipfile

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
MAX_PDF_PAGES = 400           # reports run to dozens of pages; a 10,000-page PDF is not a report
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)


class AttachmentError(ValueError):
    """An attachment that yields no text; the message says why."""


def sniff(data: bytes, content_type: str = "", name: str = "") -> str | None:
    """'pdf', 'docx' or None, from the bytes first, then the content type and file name."""
    ctype, name = content_type.lower(), name.lower()
    if data.startswith(PDF_MAGIC) or (data[:1024].find(PDF_MAGIC) >= 0 and ("pdf" in ctype or name.endswith(".pdf"))):
        return "pdf"
    if data.startswith(ZIP_MAGIC) and ("wordprocessingml" in ctype or name.endswith(".docx") or _is_docx(data)):
        return "docx"
    return None


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "word/document.xml" in z.namelist()
    except zipfile.BadZipFile:
        return False


def pdf_text(data: bytes) -> str:
    """The text layer of a PDF, pages separated by blank lines.

    :raises AttachmentError: encrypted, malformed, or no text layer (a scan).
    """
    from pdfminer.high_level import extract_text
    from pdfminer.layout import LAParams
    from pdfminer.psexceptions import PSException
    logging.getLogger("pdfminer").setLevel(logging.ERROR)   # font warnings on every page are noise here
    try:
        text = extract_text(io.BytesIO(data), maxpages=MAX_PDF_PAGES, laparams=LAParams())
    except PSException as exc:
        kind = "encrypted" if "Encrypt" in type(exc).__name__ or "Password" in type(exc).__name__ else "malformed"
        raise AttachmentError(f"{kind} PDF: {type(exc).__name__}: {exc}") from None
    except (ValueError, KeyError, TypeError, AssertionError, IndexError) as exc:   # pdfminer's own bugs on bad files
        raise AttachmentError(f"malformed PDF: {type(exc).__name__}: {exc}") from None
    text = text.replace("\x0c", "\n\n")
    if not re.search(r"\w", text):
        raise AttachmentError("PDF has no text layer (a scan?); OCR is not done")
    return text


def docx_text(data: bytes) -> str:
    """The paragraphs and table cells of a DOCX, headings marked with ``#`` by their style level.

    :raises AttachmentError: not a readable DOCX package, or no text in it.
    """
    import docx
    from docx.opc.exceptions import OpcError
    try:
        document = docx.Document(io.BytesIO(data))
    except (OpcError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise AttachmentError(f"malformed DOCX: {type(exc).__name__}: {exc}") from None
    lines: list[str] = []
    for para in document.paragraphs:
        text = para.text.strip()
        if not text:
            continue
        m = _HEADING_STYLE.match((para.style.name if para.style is not None else "") or "")
        lines.append(f"{'#' * int(m.group(1))} {text}" if m and 1 <= int(m.group(1)) <= 6 else text)
    for table in document.tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells if c.text.strip()]
            if cells:
                lines.append(" ".join(dict.fromkeys(cells)))    # merged cells repeat their text
    if not lines:
        raise AttachmentError("DOCX has no text")
    return "\n\n".join(lines)


def attachment_text(data: bytes, kind: str) -> str:
    """Text of a ``pdf`` or ``docx`` attachment."""
    return pdf_text(data) if kind == "pdf" else docx_text(data)
