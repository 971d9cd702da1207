"""Encoding choice: labels, detection, and refusing mojibake (engineering notes R13)."""
import codecs
import sys
import tracemalloc

import pytest

from indexer.clean.decode import (
    _CJK,
    _LATIN_SOUP,
    DecodeError,
    _common_chars,
    _common_share,
    decode,
    normalize_label,
    plausibility,
)
from tests.conftest import seeded_rng

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


def _plausibility_by_character(text: str) -> float:
    """The definition plausibility computes without a list per character."""
    non_ascii = [c for c in text if ord(c) > 127 and not c.isspace()]
    if not non_ascii:
        return 1.0
    bad = text.count("\ufffd") + sum(1 for c in non_ascii if 0x80 <= ord(c) < 0xA0)
    soup = sum(1 for c in text if _LATIN_SOUP.match(c))
    return max(0.0, (sum(1 for c in text if _CJK.match(c)) - 3 * bad - soup) / len(non_ascii))


def test_plausibility_and_common_share_count_as_their_definitions():
    rng = seeded_rng(0)
    alphabet = "ab 1\n\t\x85\xa0\u3000\u2028\ufffd\x80\x9f\xe9\u20ac\u0152人大常委会䶮𠀀體鏞\uf900"
    common = _common_chars()
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert plausibility(text) == _plausibility_by_character(text), text
        cjk = [c for c in text if _CJK.match(c)]
        assert _common_share(text) == (sum(c in common for c in cjk) / len(cjk) if cjk else 0.0), text


@pytest.mark.parametrize("codec", ["utf-8", "gbk"])
def test_decoding_takes_memory_in_proportion_to_the_text(codec):
    """Regression: scoring a candidate made lists of every character (findall, list comprehensions): 80 times
    the text's size, 460 MB for a 19 MB page."""
    data = (TEXT * 12_000).encode(codec)
    tracemalloc.start()
    try:
        text = decode(data, is_html=False).text
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert text == TEXT * 12_000 and peak < 10 * sys.getsizeof(text)


# R13: 200 generated fixtures. Each kind: (how the bytes are encoded, meta label, HTTP label, HTML or text).
ENCODING_KINDS = {
    "gb2312 label, GBK characters": ("gbk", "gb2312", None, True),
    "gbk label": ("gbk", "gbk", None, True),
    "gb18030 label, four-byte characters": ("gb18030", "gb18030", None, True),
    "gb2312 in the HTTP header only": ("gbk", None, "text/html; charset=gb2312", True),
    "big5 label": ("big5hkscs", "big5", None, True),
    "big5, no label": ("big5hkscs", None, None, False),
    "UTF-8 with BOM, a wrong gbk meta": ("utf-8-sig", "gbk", None, True),
    "header gbk (right) vs meta utf-8 (wrong)": ("gbk", "utf-8", "text/html; charset=GBK", True),
    "header utf-8 (wrong) vs meta gbk (right)": ("gbk", "gbk", "text/html; charset=utf-8", True),
    "UTF-8 page labelled gb2312": ("utf-8", "gb2312", None, True),
    "gbk, no label": ("gbk", None, None, True),
    "gb18030 text, no label": ("gb18030", None, None, False),
    "UTF-8 text, no label": ("utf-8", None, None, False),
}
RARE = {"gbk": ["朱镕基", "王堃", "李昇", "张喆"], "gb18030": ["高䶮", "𠀀字", "朱镕基"], "big5hkscs": ["王堃", "李昇", "張喆"]}


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _encodes(c: str, codec: str) -> bool:
    try:
        c.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def encoding_fixtures(rng, n: int = 200) -> list[tuple[str, str, bytes, str | None, bool]]:
    """(kind, the text as written, its bytes, HTTP charset, is HTML): report text from the seeds and the
    samples, cut at random, with characters outside GB2312 (镕 堃 昇 喆) or outside GBK (䶮 𠀀) put in."""
    from indexer.normalize import to_traditional
    from tests.conftest import SAMPLES, SEEDS
    files = sorted(SEEDS.glob("*.txt")) + sorted(SAMPLES.glob("*.txt"))
    sources = [data.decode("utf-8") for data in (p.read_bytes() for p in files) if data.isascii() or _is_utf8(data)]
    kinds = list(ENCODING_KINDS.items())
    out = []
    while len(out) < n:
        kind, (codec, meta, http, html) = kinds[len(out) % len(kinds)]
        source = rng.choice(sources)
        start = rng.randrange(0, len(source) - 700)
        text = source[start:start + rng.randint(80, 600)]
        for word in rng.sample(RARE.get(codec.replace("-sig", ""), RARE["gbk"]), 2):
            at = rng.randrange(len(text))
            text = text[:at] + word + text[at:]
        if html:
            head = f'<meta charset="{meta}">' if meta else ""
            text = f"<!DOCTYPE html><html><head>{head}<title>报告</title></head><body><p>{text}</p></body></html>"
        if codec.startswith("big5"):      # 繁體
            text = to_traditional(text)
        text = "".join(c for c in text if _encodes(c, codec))    # what the codec lacks (爲 in Big5, U+00A0 in GBK)
        out.append((kind, text, text.encode(codec), http, html))
    return out


def test_r13_200_fixtures_are_decoded_exactly_and_never_as_mojibake():
    fixtures = encoding_fixtures(seeded_rng(20261206))
    mojibake, replacement, wrong, refused = [], [], [], []
    for kind, text, data, http, html in fixtures:
        try:
            d = decode(data, http_charset=http, is_html=html)
        except DecodeError as exc:
            refused.append((kind, str(exc)))
            continue
        non_ascii = [c for c in d.text if ord(c) > 0x7F]
        if non_ascii and sum(bool(_CJK.match(c)) for c in non_ascii) / len(non_ascii) < 0.3:
            mojibake.append((kind, d.how))
        if d.text.count("\ufffd") > text.count("\ufffd"):
            replacement.append((kind, d.how))
        if d.text != text:
            wrong.append((kind, d.how, d.encoding))
    print(f"\nR13: {len(fixtures)} fixtures of {len(ENCODING_KINDS)} kinds: decoded to under 30% CJK (mojibake) "
          f"{len(mojibake)}; with U+FFFD added {len(replacement)}; silently misdecoded {len(wrong)}; refused "
          f"{len(refused)}")
    assert (mojibake, replacement, wrong, refused) == ([], [], [], [])
