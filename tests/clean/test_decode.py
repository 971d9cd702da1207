"""Encoding choice: labels, detection, and refusing mojibake (engineering notes R13)."""
import codecs

import pytest

from indexer.clean.decode import DecodeError, decode, normalize_label, plausibility

TEXT = "朱镕基同志和张喆同志出席会议。人大常委会听取审议了关于预算执行情况的报告，开展执法检查和专题询问。"


def page(charset: str, body: str) -> str:
    return f'<html><head><meta charset="{charset}"></head><body><p>{body}</p></body></html>'


@pytest.mark.parametrize("label", ["gb2312", "GBK", "x-gbk", "GB_2312-80", "cp936"])
def test_gbk_family_labels_read_as_gb18030(label):
    assert normalize_label(label) == "gb18030"


def test_gb2312_label_with_gbk_only_characters_decodes_exactly():
    data = page("gb2312", TEXT).encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb2312")                    # the trap a strict gb2312 decode falls into
    d = decode(data)
    assert TEXT in d.text and d.encoding == "gb18030" and "gb2312" in d.how


def test_gb18030_only_character_in_undeclared_text():
    text = "撰稿：乌云其木格　审核：高䶮　" + TEXT
    d = decode(text.encode("gb18030"), is_html=False)
    assert d.text == text and d.encoding == "gb18030"


def test_big5_declared_and_undeclared():
    trad = "長豐縣人民代表大會常務委員會工作報告，堅持黨的領導，加強規範性文件備案審查工作。"
    assert decode(page("big5", trad).encode("big5")).text.count(trad) == 1
    d = decode(trad.encode("big5"), is_html=False)
    assert d.text == trad and d.encoding == "big5hkscs"


def test_undeclared_gbk_is_not_read_as_big5():
    d = decode(TEXT.encode("gbk"), is_html=False)
    assert d.text == TEXT


def test_http_header_charset_wins_over_a_wrong_meta():
    data = page("utf-8", TEXT).encode("gbk")
    d = decode(data, http_charset="text/html; charset=GBK")
    assert TEXT in d.text and d.how.startswith("http")


def test_wrong_meta_falls_back_to_what_decodes():
    d = decode(page("utf-8", TEXT).encode("gbk"))
    assert TEXT in d.text


@pytest.mark.parametrize("bom,codec", [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                                       (codecs.BOM_UTF16_BE, "utf-16-be")])
def test_byte_order_marks(bom, codec):
    d = decode(bom + TEXT.encode(codec))
    assert d.text.lstrip("\ufeff") == TEXT and d.how == "byte-order mark"


def test_latin1_label_on_chinese_bytes_is_rejected_not_mojibake():
    d = decode(page("iso-8859-1", TEXT).encode("gbk"))
    assert TEXT in d.text and d.encoding == "gb18030"


def test_binary_data_is_refused():
    junk = bytes(range(128, 256)) * 40 + b"\xff\xfe\xfd" * 100
    with pytest.raises(DecodeError):
        decode(junk, is_html=False)


def test_plausibility_separates_chinese_from_latin_soup():
    assert plausibility(TEXT) > 0.9
    assert plausibility(TEXT.encode("gbk").decode("cp1252", "replace")) < 0.5
