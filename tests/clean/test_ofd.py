"""OFD (GB/T 33190) attachments: text codes placed by coordinates come out line by line in reading order, the
package is unpacked within the same bound as a DOCX, and a broken one is a clean error."""
from __future__ import annotations

import io
import zipfile

import pytest

from indexer.clean.attachments import AttachmentError, ofd_text, sniff
from indexer.understand.pipeline import parse_bytes

NS = "http://www.ofdspec.org/2016"


def make_ofd(pages: list[list[tuple[float, float, str]]], size: float = 5.0, shuffle: bool = True,
             absolute_locs: bool = False) -> bytes:
    """An OFD package as writers lay one out: OFD.xml → Doc_0/Document.xml → Doc_0/Pages/Page_N/Content.xml,
    each text code in its own text object at (x, y) millimetres; written in an order other than reading order."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{NS}" DocType="OFD" '
                              f'Version="1.0"><ofd:DocBody><ofd:DocInfo><ofd:DocID>x</ofd:DocID></ofd:DocInfo>'
                              f'<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
        locs = "".join(f'<ofd:Page ID="{k + 1}" BaseLoc="{"/Doc_0/" if absolute_locs else ""}Pages/Page_{k}/Content.xml"/>'
                       for k in range(len(pages)))
        z.writestr("Doc_0/Document.xml", f'<ofd:Document xmlns:ofd="{NS}"><ofd:CommonData><ofd:MaxUnitID>99'
                                         f'</ofd:MaxUnitID></ofd:CommonData><ofd:Pages>{locs}</ofd:Pages></ofd:Document>')
        for k, codes in enumerate(pages):
            order = sorted(codes, key=lambda c: (-c[0], c[1])) if shuffle else codes
            objs = "".join(f'<ofd:TextObject ID="{i}" Boundary="{x} {y - size} 150 {size + 1}" Font="3" Size="{size}">'
                           f'<ofd:TextCode X="0" Y="{size}" DeltaX="g {len(t) - 1} {size}">{t}</ofd:TextCode>'
                           f'</ofd:TextObject>' for i, (x, y, t) in enumerate(order))
            z.writestr(f"Doc_0/Pages/Page_{k}/Content.xml", f'<ofd:Page xmlns:ofd="{NS}"><ofd:Content>'
                                                             f'<ofd:Layer ID="1">{objs}</ofd:Layer></ofd:Content></ofd:Page>')
    return buf.getvalue()


def laid_out(paragraphs: list[str], top: float = 45, size: float = 5.0) -> list[tuple[float, float, str]]:
    """Paragraphs set as a writer sets them on A4: body from 25 mm to 185 mm (32 characters of 5 mm), each
    paragraph's first line indented by two characters, a line every 7 mm."""
    out, y = [], top
    for para in paragraphs:
        x, rest = 35.0, para
        while rest:
            n = int((185 - x) // size)
            out.append((x, y, rest[:n]))
            rest, x, y = rest[n:], 25.0, y + 7
    return out


BODY = ["常委会坚持党的领导，全年召开党组会议十二次，研究决定重大事项二十件，制定地方性法规三件，开展执法检查五次，专题询问两次。",
        "常委会加强自身建设。"]
REPORT = [[(50, 30, "某某市人民代表大会常务委员会工作报告"), (35, 38, "一、"), (45, 38, "坚持党的领导")] + laid_out(BODY),
          [(35, 30, "二、加强代表工作"), *laid_out(["办理代表建议一百二十件，满意率百分之九十八。"], top=40)]]


def test_text_comes_out_in_reading_order_paragraph_by_paragraph_page_by_page():
    text = ofd_text(make_ofd(REPORT))
    assert text.split("\n") == ["某某市人民代表大会常务委员会工作报告", "一、坚持党的领导",
                                *BODY, "",
                                "二、加强代表工作", "办理代表建议一百二十件，满意率百分之九十八。"]
    assert ofd_text(make_ofd(REPORT, absolute_locs=True)) == text


def test_an_ofd_becomes_a_document_with_sections():
    data = make_ofd(REPORT)
    assert sniff(data) == "ofd" and sniff(data[:200] + b"x", "application/ofd", "r.ofd") == "ofd"
    doc = parse_bytes(data, "https://x.gov.cn/a/report.ofd")
    assert doc.format == "ofd" and doc.title == "某某市人民代表大会常务委员会工作报告"
    assert [s.heading for s in doc.sections if s.heading] == ["一、坚持党的领导", "二、加强代表工作"]
    assert "全年召开党组会议十二次，研究决定重大事项二十件" in doc.text      # the wrapped line joined again


def _zip(**parts: bytes | str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name.replace("__", "/"), data)
    return buf.getvalue()


@pytest.mark.parametrize("data, message", [
    (_zip(**{"OFD.xml": "<OFD><DocBody/></OFD>"}), "names no DocRoot"),
    (_zip(**{"OFD.xml": "<OFD><DocRoot>Doc_0/Document.xml</DocRoot></OFD>"}), "Doc_0/Document.xml is missing"),
    (_zip(**{"OFD.xml": "<OFD><DocRoot>D.xml</DocRoot>", "D.xml": "<x/>"}), "malformed OFD: OFD.xml"),
    (_zip(**{"OFD.xml": "<OFD><DocRoot>D.xml</DocRoot></OFD>", "D.xml": "<Document><Pages/></Document>"}), "no text"),
    (b"PK\x03\x04 not a zip", "malformed OFD"),
])
def test_a_broken_ofd_is_a_clean_error(data, message):
    with pytest.raises(AttachmentError, match=message) as error:
        ofd_text(data)
    assert "AttachmentError" not in str(error.value)        # said once, not wrapped in its own name


def test_an_ofd_bomb_is_refused_before_it_is_unpacked():
    bomb = _zip(**{"OFD.xml": "<OFD><DocRoot>D.xml</DocRoot></OFD>", "D.xml": "<Document>" + " " * 5_000_000 + "</Document>"})
    with pytest.raises(AttachmentError, match="^OFD unpacks to more than the limit at D.xml"):
        ofd_text(bomb, max_unpacked_bytes=1_000_000)


def test_coordinates_that_are_not_numbers_are_read_as_missing():
    data = make_ofd(REPORT).replace(b'Boundary="50 25', b'Boundary="nan inf').replace(b'Size="5.0"', b'Size="nan"', 1)
    assert "某某市人民代表大会常务委员会工作报告" in ofd_text(data)


def test_a_damaged_member_is_a_clean_error():
    data = bytearray(make_ofd(REPORT))
    at = data.find(b"Doc_0/Pages/Page_0/Content.xml") + 40         # inside that member's deflated bytes
    data[at:at + 40] = b"\xff" * 40
    with pytest.raises(AttachmentError, match="malformed OFD"):
        ofd_text(bytes(data))
