"""PDF, DOCX, OFD, DOC and WPS report attachments → plain text the cleaner can cut into paragraphs.

PDF text comes from pdfminer.six: Chinese government PDFs often use CID fonts with a predefined CMap
(UniGB-UCS2-H, GBK-EUC-H, Adobe-GB1) and no ToUnicode table, and pdfminer.six ships Adobe's full CMap set to
map those to Unicode; its layout analysis also keeps lines in reading order. DOCX paragraphs come from
python-docx; heading styles become Markdown ``#`` lines so the section detector sees their level.
A DOCX is a zip: only its XML parts are unpacked, up to ``Settings.max_unpacked_bytes`` (declared sizes
checked before anything is inflated, every read bounded after), so a zip bomb costs nothing.
Whatever either library raises on a malformed file becomes an ``AttachmentError`` with a plain reason.
What this does not do: OCR. A scanned PDF has no text layer and is refused as such, as are encrypted ones.
OFD (GB/T 33190, the national fixed-layout format of official documents) is a zip of XML: its text codes
are placed by coordinates, and are read here by baseline, then left to right, within the same unpacking bound.
Word 97–2003 ``.doc`` and WPS ``.wps`` files (an OLE2 container, Kingsoft's in Word's binary layout) are read
through their piece table with olefile (pure Python, no converter to install).
Risk left open: pdfminer inflates a PDF's compressed streams whole; only the parse workers' memory and
time caps bound a PDF bomb.
"""
from __future__ import annotations

import io
import logging
import math
import re
import zipfile
import zlib

from indexer.settings import SETTINGS

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"      # an OLE2 compound file: Word 97–2003, WPS
MAX_PDF_PAGES = 400           # reports run to dozens of pages; a 10,000-page PDF is not a report
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)
_XML_PART = re.compile(r"\.(?:xml|rels)$", re.I)     # the parts that hold text, styles and relationships


class AttachmentError(ValueError):
    """An attachment that yields no text; the message says why."""


def sniff(data: bytes, content_type: str = "", name: str = "") -> str | None:
    """'pdf', 'docx', 'ofd', 'doc', 'wps' or None, from the bytes first, then the content type and file name."""
    ctype, name = content_type.lower(), name.lower()
    if data.startswith(OLE_MAGIC):
        return "wps" if name.endswith(".wps") or "wps" in ctype else "doc"
    if data.startswith(PDF_MAGIC) or (data[:1024].find(PDF_MAGIC) >= 0 and ("pdf" in ctype or name.endswith(".pdf"))):
        return "pdf"
    if data.startswith(ZIP_MAGIC):
        names = _zip_names(data)
        if "word/document.xml" in names:
            return "docx"
        if "OFD.xml" in names:
            return "ofd"
        if "wordprocessingml" in ctype or name.endswith(".docx"):
            return "docx"
        if "ofd" in ctype or name.endswith(".ofd"):
            return "ofd"
    return None


# What zipfile raises on a damaged package read from memory: a bad directory or member (BadZipFile, zlib.error,
# EOFError, OSError on a bad offset), an encrypted member (RuntimeError), an odd zip version or compression
# (NotImplementedError), a bad name or field (ValueError, UnicodeDecodeError among them).
_ZIP_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError)


def _zip_names(data: bytes) -> set[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return set(z.namelist())
    except _ZIP_DAMAGE:
        return set()        # a damaged directory: not a package we can tell


# The errors whose message says what is wrong with the file: a bad zip, XML syntax, a missing part or value.
_TELLING = (ValueError, KeyError, SyntaxError, zipfile.BadZipFile)


def _malformed(kind: str, reader: str, exc: Exception) -> AttachmentError:
    """A malformed file in plain words: the reader's message when it tells what is wrong with the file, else
    only that the reader failed on it (an AttributeError's message is about the reader's code, not the file)."""
    if isinstance(exc, _TELLING):
        return AttachmentError(f"malformed {kind}: {type(exc).__name__}: {exc}")
    return AttachmentError(f"malformed {kind}: {reader} cannot read it ({type(exc).__name__})")


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
    except MemoryError:
        raise
    except Exception as exc:   # pdfminer trips over bad objects with whatever they cause (AttributeError …)
        raise _malformed("PDF", "pdfminer.six", exc) from None
    text = text.replace("\x0c", "\n\n")
    if not re.search(r"\w", text):
        raise AttachmentError("PDF has no text layer (a scan?); OCR is not done")
    return text


def _text_parts(data: bytes, limit: int) -> bytes:
    """The DOCX package again with only its XML parts unpacked, each through a bounded reader.

    The sizes the zip declares are checked before anything is inflated and not trusted after: a read stops
    at what is left of ``limit``. The other parts (pictures, fonts, embedded files: the bulk of an honest
    DOCX) stay empty placeholders, so the package's relationships still resolve. The result is stored
    uncompressed. Only deflate is read: zipfile bounds what one read inflates for it, not for bzip2 or LZMA,
    and Word writes nothing else.

    :raises AttachmentError: XML past ``limit``, or compressed other than with deflate.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = {i.filename: i for i in package.infolist() if not i.is_dir()}   # a repeated name: the last
        xml = [i for i in parts.values() if _XML_PART.search(i.filename)]
        declared = sum(i.file_size for i in xml)
        if declared > limit:
            raise AttachmentError(f"DOCX unpacks to {declared} bytes of XML (limit {limit}): a zip bomb?")
        if (odd := next((i for i in xml if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)), None)):
            raise AttachmentError(f"malformed DOCX: {odd.filename} is compressed with method {odd.compress_type}, "
                                  "not deflate")
        left = limit
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
            for info in parts.values():
                if not _XML_PART.search(info.filename):
                    copy.writestr(info.filename, b"")
                    continue
                with package.open(info) as member:
                    blob = member.read(left + 1)
                if len(blob) > left:
                    raise AttachmentError(f"DOCX unpacks to more than {limit} bytes of XML (limit {limit}), "
                                          "more than it declares: a zip bomb?")
                left -= len(blob)
                copy.writestr(info.filename, blob)
    return out.getvalue()


def _docx_lines(document) -> list[str]:
    """Paragraphs (headings as ``#`` lines) then table rows.

    Style names are read once from the styles part: python-docx's ``Paragraph.style`` searches every style
    for each paragraph, 0.45 ms a paragraph with Word's 300-odd built-in styles (74 s for 72,000 paragraphs).
    """
    from docx.enum.style import WD_STYLE_TYPE
    styles = document.styles
    default = styles.default(WD_STYLE_TYPE.PARAGRAPH)
    default_name = (default.name if default is not None else "") or ""
    names = {s.style_id: s.name or "" for s in styles if s.type == WD_STYLE_TYPE.PARAGRAPH}
    lines: list[str] = []
    for para in document.paragraphs:
        text = para.text.strip()
        if not text:
            continue
        style_id = para._p.style     # the pStyle id; an unknown one means the default style, as in python-docx
        m = _HEADING_STYLE.match(names.get(style_id, default_name) if style_id else default_name)
        lines.append(f"{'#' * int(m.group(1))} {text}" if m and 1 <= int(m.group(1)) <= 6 else text)
    for table in document.tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells if c.text.strip()]
            if cells:
                lines.append(" ".join(dict.fromkeys(cells)))    # merged cells repeat their text
    return lines


def docx_text(data: bytes, max_unpacked_bytes: int = SETTINGS.max_unpacked_bytes) -> str:
    """The paragraphs and table cells of a DOCX, headings marked with ``#`` by their style level.

    :raises AttachmentError: not a readable DOCX package, XML past ``max_unpacked_bytes``, or no text in it.
    """
    import docx
    try:
        lines = _docx_lines(docx.Document(io.BytesIO(_text_parts(data, max_unpacked_bytes))))
    except (AttachmentError, MemoryError):
        raise
    except Exception as exc:   # python-docx and lxml raise what a bad part trips: AttributeError, XMLSyntaxError …
        raise _malformed("DOCX", "python-docx", exc) from None
    if not lines:
        raise AttachmentError("DOCX has no text")
    return "\n\n".join(lines)


_OFD_LINE = 0.6        # two text codes are on one line when their baselines differ by less than this × the font size


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _ofd_part(package: zipfile.ZipFile, name: str, budget: list[int]):
    """One XML part of an OFD package, parsed, read through a bounded reader (``budget``: bytes left)."""
    import xml.etree.ElementTree as ET
    name = name.lstrip("/")
    try:
        info = package.getinfo(name)
    except KeyError:
        raise AttachmentError(f"malformed OFD: {name} is missing") from None
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.file_size > budget[0]:
        raise AttachmentError(f"OFD unpacks to more than the limit at {name} (or an odd compression): a zip bomb?")
    with package.open(info) as member:
        blob = member.read(budget[0] + 1)
    if len(blob) > budget[0]:
        raise AttachmentError(f"OFD unpacks to more than it declares at {name}: a zip bomb?")
    budget[0] -= len(blob)
    try:
        return ET.fromstring(blob)
    except ET.ParseError as exc:
        raise AttachmentError(f"malformed OFD: {name}: {exc}") from None


def _number(value: str | None, default: float) -> float:
    """A coordinate or size as written, or ``default`` for one that is missing, not a number, or not finite."""
    try:
        number = float(value) if value is not None else default
    except ValueError:
        return default
    return number if math.isfinite(number) else default


def _ofd_lines(page) -> list[str]:
    """A page's text in reading order: text codes by baseline, then left to right, one line per baseline."""
    codes = []
    for obj in page.iter():
        if _local(obj.tag) != "TextObject":
            continue
        bx, by = (_number(v, 0.0) for v in ((obj.get("Boundary") or "0 0").split() + ["0", "0"])[:2])
        size = _number(obj.get("Size"), 3.5) or 3.5
        x, y = 0.0, 0.0
        for code in obj:
            if _local(code.tag) != "TextCode" or not code.text:
                continue
            x, y = _number(code.get("X"), x), _number(code.get("Y"), y)   # none: on from the previous code
            codes.append((by + y, bx + x, size, code.text))
    lines: list[list[tuple[float, float, str]]] = []
    last_y, last_size = None, 3.5
    for y, x, size, text in sorted(codes):
        if last_y is None or y - last_y > _OFD_LINE * max(size, last_size):
            lines.append([])
            last_y, last_size = y, size
        lines[-1].append((x, size, text))
    return _ofd_paragraphs([sorted(line) for line in lines])


def _ofd_paragraphs(lines: list[list[tuple[float, float, str]]]) -> list[str]:
    """Lines joined into paragraphs: a line that runs to the right margin goes on in the next one when that
    starts at the left margin (a wrapped line, not an indented new paragraph or a centred heading)."""
    if not lines:
        return []
    starts = [line[0][0] for line in lines]
    ends = [line[-1][0] + len(line[-1][2]) * line[-1][1] for line in lines]
    size = max(line[0][1] for line in lines)
    left = min(starts)
    right = max(e for s, e in zip(starts, ends) if s <= left + 2.5 * size)   # of the body's lines, not the title's
    out: list[str] = []
    wrapped = False
    for start, end, line in zip(starts, ends, lines):
        text = "".join(t for _, _, t in line)
        if wrapped and start <= left + 0.5 * size:
            out[-1] += text
        else:
            out.append(text)
        wrapped = end >= right - 1.2 * size
    return out


def ofd_text(data: bytes, max_unpacked_bytes: int = SETTINGS.max_unpacked_bytes) -> str:
    """The text of an OFD (GB/T 33190, China's fixed-layout format for official documents: a zip of XML),
    page by page in reading order, pages separated by blank lines.

    :raises AttachmentError: not an OFD package, XML past ``max_unpacked_bytes``, or no text in it.
    """
    import posixpath
    budget = [max_unpacked_bytes]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            root = _ofd_part(package, "OFD.xml", budget)
            doc_root = next((e.text.strip() for e in root.iter() if _local(e.tag) == "DocRoot" and e.text), None)
            if not doc_root:
                raise AttachmentError("malformed OFD: OFD.xml names no DocRoot")
            document = _ofd_part(package, doc_root, budget)
            base = posixpath.dirname(doc_root.lstrip("/"))
            pages = []
            for page in (e for e in document.iter() if _local(e.tag) == "Page" and e.get("BaseLoc")):
                loc = page.get("BaseLoc")
                name = loc.lstrip("/") if loc.startswith("/") else posixpath.normpath(posixpath.join(base, loc))
                pages.append("\n".join(_ofd_lines(_ofd_part(package, name, budget))))
                if len(pages) >= MAX_PDF_PAGES:
                    break
    except AttachmentError:     # already says what is wrong (an AttachmentError is a ValueError)
        raise
    except _ZIP_DAMAGE as exc:
        raise AttachmentError(f"malformed OFD: {type(exc).__name__}: {exc}") from None
    text = "\n\n".join(p for p in pages if p.strip())
    if not re.search(r"\w", text):
        raise AttachmentError("OFD has no text (pages of images?); OCR is not done")
    return text


_FIELD_MARKS = re.compile(r"[\x13\x14\x15]")
_WORD_CONTROLS = str.maketrans({"\r": "\n", "\x0b": "\n", "\x0c": "\n\n", "\x1e": "-", "\x1f": "",
                                "\x01": "", "\x02": "", "\x03": "", "\x04": "", "\x05": "", "\x08": "", "\x00": ""})


def _without_field_codes(text: str) -> str:
    """Word's fields are 0x13 code 0x14 result 0x15 (nested): keep the results (a page number, a hyperlink's
    text), drop the codes (PAGE, HYPERLINK "…")."""
    out, open_fields, in_code, pos = [], [], 0, 0     # per open field: still in its code part; how many are
    for m in _FIELD_MARKS.finditer(text):
        if not in_code:
            out.append(text[pos:m.start()])
        mark = m.group()
        if mark == "\x13":
            open_fields.append(True)
            in_code += 1
        elif mark == "\x14" and open_fields and open_fields[-1]:
            open_fields[-1] = False
            in_code -= 1
        elif mark == "\x15" and open_fields:
            in_code -= open_fields.pop()
        pos = m.end()
    if not in_code:
        out.append(text[pos:])
    return "".join(out)


def doc_text(data: bytes, max_unpacked_bytes: int = SETTINGS.max_unpacked_bytes) -> str:
    """The text of a Word 97–2003 ``.doc`` or a WPS ``.wps`` (Kingsoft writes the same binary layout), read
    through its piece table ([MS-DOC] 2.4.1: the FIB names the table stream and its Clx; each piece is
    UTF-16 or, compressed, cp1252), fields reduced to their results, paragraphs one per line. olefile reads
    the OLE2 container; streams larger than ``max_unpacked_bytes`` are refused unread.

    :raises AttachmentError: not an OLE2 Word document (an older WPS format, another OLE file), encrypted,
        malformed, or no text.
    """
    import struct

    import olefile
    if not data.startswith(OLE_MAGIC):
        raise AttachmentError("not a Word 97–2003 or WPS document (no OLE2 container)")
    try:
        with olefile.OleFileIO(data) as ole:
            if not ole.exists("WordDocument"):
                raise AttachmentError("no WordDocument stream: not a Word 97–2003 or WPS document "
                                      "(an older WPS format, or another kind of OLE file)")
            word = _ole_stream(ole, "WordDocument", max_unpacked_bytes)
            if len(word) < 0x1AA or struct.unpack_from("<H", word, 0)[0] != 0xA5EC:
                raise AttachmentError("malformed DOC: no Word 97 file information block")
            flags = struct.unpack_from("<H", word, 0x0A)[0]
            if flags & 0x0100:
                raise AttachmentError("encrypted DOC: it cannot be read without its password")
            table = _ole_stream(ole, "1Table" if flags & 0x0200 else "0Table", max_unpacked_bytes)
            text = _pieces(word, table, max_unpacked_bytes // 2)
    except (OSError, struct.error) as exc:     # olefile's OleFileError is an OSError
        raise AttachmentError(f"malformed DOC: {type(exc).__name__}: {exc}") from None
    except (AttachmentError, MemoryError):
        raise
    except Exception as exc:    # olefile trips over broken sectors with whatever they cause
        raise _malformed("DOC", "olefile", exc) from None
    # a table cell ends with 0x07 and its row with one more: a row's cells on one line, as for a DOCX
    text = _without_field_codes(text).replace("\x07\x07", "\n").replace("\x07", " ").translate(_WORD_CONTROLS)
    text = re.sub(r"[\x00-\x08\x0e-\x1f]", "", text)
    lines = [line.strip() for line in text.split("\n")]
    text = "\n\n".join(line for line in lines if line)
    if not re.search(r"\w", text):
        raise AttachmentError("DOC has no text")
    return text


def _ole_stream(ole, name: str, limit: int) -> bytes:
    if not ole.exists(name):
        raise AttachmentError(f"malformed DOC: no {name} stream")
    if ole.get_size(name) > limit:
        raise AttachmentError(f"DOC stream {name} is {ole.get_size(name)} bytes (limit {limit})")
    return ole.openstream(name).read()


def _pieces(word: bytes, table: bytes, limit: int) -> str:
    """The main text (the first ccpText characters) from the piece table in the Clx of the table stream; at
    most ``limit`` characters (pieces may all point at the whole stream: a small file, a huge text)."""
    import struct
    ccp_text = struct.unpack_from("<i", word, 0x4C)[0]
    fc_clx, lcb_clx = struct.unpack_from("<II", word, 0x1A2)
    clx = table[fc_clx:fc_clx + lcb_clx]
    pos = 0
    while pos < len(clx) and clx[pos] == 0x01:          # Prc: property modifiers, skipped
        pos += 3 + struct.unpack_from("<H", clx, pos + 1)[0]
    if pos + 5 > len(clx) or clx[pos] != 0x02:
        raise AttachmentError("malformed DOC: no piece table")
    lcb = struct.unpack_from("<I", clx, pos + 1)[0]
    plc = clx[pos + 5:pos + 5 + lcb]
    n = (len(plc) - 4) // 12
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    out, total = [], 0
    for i in range(n):
        fc = struct.unpack_from("<I", plc, 4 * (n + 1) + 8 * i + 2)[0]
        count = max(0, cps[i + 1] - cps[i])
        if fc & 0x40000000:
            start = (fc & 0x3FFFFFFF) // 2
            out.append(word[start:start + count].decode("cp1252", "replace"))
        else:
            out.append(word[fc:fc + 2 * count].decode("utf-16-le", "replace"))
        total += len(out[-1])
        if total > limit:
            raise AttachmentError(f"DOC text runs past {limit} characters (pieces repeating the stream?)")
        if total >= ccp_text > 0:
            break
    text = "".join(out)
    return text[:ccp_text] if ccp_text > 0 else text


def attachment_text(data: bytes, kind: str, max_unpacked_bytes: int = SETTINGS.max_unpacked_bytes) -> str:
    """Text of a ``pdf``, ``docx``, ``ofd``, ``doc`` or ``wps`` attachment."""
    if kind == "pdf":
        return pdf_text(data)
    if kind in ("doc", "wps"):
        return doc_text(data, max_unpacked_bytes)
    return ofd_text(data, max_unpacked_bytes) if kind == "ofd" else docx_text(data, max_unpacked_bytes)
