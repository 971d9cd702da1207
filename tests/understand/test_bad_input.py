"""Hostile and malformed input: every file ends as a clean Document or a clear ParseError, never a crash or a hang.

A crawl of county and city sites brings in empty pages, images saved as .html, tag soup, wrong charset labels
and megabytes of inline base64. One such file must cost only itself: ``parse_bytes``/``parse_file`` raise
``ParseError`` with a reason, ``parse_many`` and the CLI report it per file and carry on with the rest.

Over 400 lines because it is a catalogue: one short test per kind of bad input, read best as one list.
"""
from __future__ import annotations

import io
import random
import re
import signal
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.model import Document
from indexer.normalize import fold, to_traditional
from indexer.settings import SETTINGS, load_settings
from indexer.understand.batch import find_files, parse_many
from indexer.understand.pipeline import ParseError, parse_bytes, parse_file
from search_app.cli import main
from tests.conftest import FIXTURES, ROOT, SAMPLES, SEEDS, seeded_rng
from tests.fixtures.crawl_site.make_fixtures import make_pdf

# Opening of the national report in tests/fixtures/samples/10-quanguo-2010.txt.
TITLE = "全国人民代表大会常务委员会工作报告"
PARAS = [
    "过去的一年，是十一届全国人大常委会依法履职的第三年。常委会在以胡锦涛同志为总书记的党中央领导下，高举中国特色社会主义"
    "伟大旗帜，以邓小平理论和“三个代表”重要思想为指导，深入贯彻落实科学发展观，紧紧围绕党和国家工作大局，认真履行宪法和"
    "法律赋予的职责，各项工作取得新的进展。",
    "一、加强和改进立法工作，如期形成中国特色社会主义法律体系",
    "形成中国特色社会主义法律体系，是党的十五大提出的立法工作目标。常委会把完善法律体系作为立法工作的首要任务，突出重点，"
    "加快进度，确保这一目标如期实现。",
]
REPORT_TEXT = TITLE + "\n\n" + "\n\n".join(PARAS) + "\n"
# Characters that must never reach the output: C0 controls but tab and newline, DEL, C1 controls.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
LONG_ASCII_TOKEN = re.compile(r"[\x21-\x7e]{65,}")


def page(body: str = "", charset: str = "utf-8", head: str = "", title: str = TITLE) -> str:
    """A county-portal style article page with ``body`` (default: the report snippet) as its content."""
    body = body or "".join(f"<p>{p}</p>" for p in PARAS)
    return (f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f"<title>{title}</title>{head}</head><body>"
            '<div class="nav"><a href="/">首页</a><a href="/rdyw/">人大要闻</a></div>'
            f'<div class="article"><h1>{title}</h1><div id="zoom">{body}</div></div>'
            '<div class="footer"><p>版权所有：某某县人大常委会办公室 蜀ICP备00000000号</p></div></body></html>')


def parse(data: bytes | str, name: str = "report.html", **kwargs) -> Document | ParseError:
    """Parse, returning the ParseError instead of raising it; any other exception fails the test."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        return parse_bytes(data, name, **kwargs)
    except ParseError as exc:
        assert str(exc), "a ParseError must say why"
        return exc


def all_text(doc: Document) -> str:
    return "\n".join([doc.title, doc.text, *(p.text for p in doc.passages()), *(s.heading for s in doc.sections)])


def assert_report_found(doc: Document | ParseError, paras: list[str] = PARAS) -> None:
    """The result is a Document holding every report paragraph and no control characters."""
    assert isinstance(doc, Document), f"expected a document, got ParseError({doc})"
    for p in paras:
        assert fold(p) in fold(doc.text), p
    assert not CONTROL.search(all_text(doc))


@pytest.fixture(autouse=True)
def no_hang():
    """Fail, rather than hang the suite, if one input makes the parser spin (generous: a busy 2-core box)."""
    def on_alarm(signum, frame):
        raise TimeoutError("parser did not finish within 120 s")
    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, 120)
    yield
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


# ------------------------------------------------------------------------------------------ empty and binary

@pytest.mark.parametrize("name", ["a.html", "a.txt", "a.md"])
@pytest.mark.parametrize("data,reason", [
    (b"", r"^empty file$"),
    (b" \n\t\r\n  ", r"^empty file$"),
    ("\u3000\u3000\n".encode(), r"no report text|encoding"),    # U+3000 alone is not plausible Chinese either
    (b"\xef\xbb\xbf", r"no report text"),
    (b"<html><body></body></html>", r"no report text"),
    (b"<!-- -->", r"no report text"),
], ids=["empty", "whitespace", "ideographic-space", "bom-only", "empty-html", "comment-only"])
def test_files_with_no_text_are_a_parse_error(data, reason, name):
    result = parse(data, name)
    assert isinstance(result, ParseError)
    assert re.search(reason, str(result)), str(result)


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00" + \
        random.Random(1).randbytes(4000) + b"\x00\x00\x00\x00IEND\xaeB`\x82"


@pytest.mark.parametrize("data", [
    random.Random(0).randbytes(64 * 1024),                              # noise, NULs included
    bytes(range(256)) * 64,                                             # every byte value
    _png(),                                                             # an image saved as .html
    b"PK\x03\x04\x14\x00\x06\x00" + random.Random(2).randbytes(3000),   # a .docx/.zip
    b"\x1f\x8b\x08\x00" + random.Random(3).randbytes(3000),             # a gzipped page stored raw
], ids=["random", "all-bytes", "png", "zip", "gzip"])
def test_binary_data_named_html_is_a_parse_error(data):
    result = parse(data, "report.html")
    assert isinstance(result, ParseError)


# ----------------------------------------------------------------------------------------- broken markup

def test_nul_and_control_bytes_inside_good_html_are_removed():
    """A few stray NULs (too few to call the file binary) and other C0/C1 controls vanish from the text."""
    body = "".join(f"<p>{p}</p>" for p in PARAS)
    dirty = body.replace("常委会", "常委\x00会", 1).replace("，", "，\x01\x1b\x7f", 2).replace("。", "。\x85\x00", 1)
    doc = parse(page(dirty))
    assert_report_found(doc)
    assert "\x00" not in doc.text


@pytest.mark.parametrize("tail", [
    "<!-- 模板注释：此处为隐藏的旧版正文",
    "<!--",
    "<p>附件<!-- <p>隐藏的旧版正文</p>",
    '<!-- 旧版：<div class="old"><p>隐藏的旧版正文</p></div>',
])
def test_unterminated_comment_does_not_leak(tail):
    """Browsers hide everything after an unterminated <!--; so must the cleaner."""
    html = page().replace("</div></div>", tail + "</div></div>", 1)
    doc = parse(html)
    assert_report_found(doc)
    assert "<!--" not in all_text(doc)
    assert "隐藏的旧版正文" not in all_text(doc) and "模板注释" not in all_text(doc)


def test_100000_deep_nested_divs_parse_and_keep_the_text():
    """Tag soup from broken CMS exports nests far deeper than Python's recursion limit."""
    depth = 100_000
    html = "<html><body>" + "<div>" * depth + "".join(f"<p>{p}</p>" for p in PARAS) + "</div>" * depth
    assert_report_found(parse(html + "</body></html>"))


@pytest.mark.parametrize("where", ["paragraph", "attribute", "text-file"])
def test_one_megabyte_data_uri_is_cut_from_the_text(where):
    """Inline base64 images pasted into the editor must not turn into a megabyte-long 'word' in the index."""
    uri = "data:image/png;base64," + "iVBORw0KGgoAAAANSUhEUgAA" * (1_000_000 // 24)
    if where == "paragraph":
        result = parse(page("".join(f"<p>{p}</p>" for p in PARAS) + f"<p>{uri}</p><p>图{uri}片</p>"))
    elif where == "attribute":
        result = parse(page(f'<p>{PARAS[0]}<img src="{uri}"></p>' + "".join(f"<p>{p}</p>" for p in PARAS[1:])))
    else:
        result = parse(REPORT_TEXT + uri + "\n", "report.txt")
    assert_report_found(result)
    assert not LONG_ASCII_TOKEN.search(all_text(result))


def test_script_style_and_friends_never_reach_the_text():
    secret = "秘密脚本内容"
    head = f"<style>.x{{content:'{secret}'}}</style><script>var a='{secret}';</script>"
    body = (f"<p>{PARAS[0]}<script>document.write('{secret}')</script></p>"
            f"<style type='text/css'>p.{secret}{{color:red}}</style>"
            f"<noscript>{secret}请启用脚本</noscript><template><p>{secret}模板</p></template>"
            f"<script type='application/ld+json'>{{\"name\": \"{secret}\"}}</script>"
            f"<p onclick=\"alert('{secret}')\">{PARAS[1]}</p><p>{PARAS[2]}</p>"
            f"<script>var unterminated = '{secret}';")     # the page is cut off inside a script
    doc = parse(page(body, head=head))
    assert_report_found(doc)
    text = all_text(doc)
    assert secret not in text
    for code in ("document.write", "var ", "function", "{", "}", "color:"):
        assert code not in text, code


def test_cdata_section_in_html_does_not_leak():
    doc = parse(page("".join(f"<p>{p}</p>" for p in PARAS) + "<![CDATA[ 隐藏的旧版正文 ]]>"))
    assert_report_found(doc)
    assert "隐藏的旧版正文" not in doc.text


@pytest.mark.parametrize("data", [
    b"<?xml version='1.0' encoding='utf-8'?><div id='zoom'><p>" + PARAS[0].encode() + b"</p></div>",   # XHTML fragment
    b"https://www.npc.gov.cn/npc/c2/c30834/202403/t20240308_435413.html",                              # a redirect stub
], ids=["xml-prolog", "url-only"])
def test_bs4_advice_is_not_raised_from_the_parser(data):
    assert isinstance(parse(data, "report.html"), (Document, ParseError))


# Lines on which a pattern of the cleaner backtracked: quadratic or worse in the line's length, so that each
# of these ran for minutes (a heading with 5,000 spaces: 153 s; the others about 300 s by their growth).
BACKTRACKING = {
    "heading-spaces": ("report.md", "# 标题" + " " * 5_000 + "x"),
    "unclosed-emphasis": ("report.md", "*甲 " * 100_000),
    "unclosed-links": ("report.md", "[甲" * 200_000),
    "unclosed-images": ("report.md", "![甲](" * 200_000),
    "long-line-after-发布于": ("report.txt", "发布于" + "某" * 1_000_000),
    "long-style": ("report.html", f"<p style='{'font-family:x' * 60_000}'>附</p>"),
    "spaces-after-a-date": ("report.html", f"<div class='info'>2024-01-01{' ' * 200_000}x</div>"),
    # the pager, menu and breadcrumb lines read several ways took 8-60 s at 36-131 characters
    "pager": ("report.txt", " ".join(map(str, range(1, 60))) + " 下一页 尾页 转到"),
    "year-row": ("report.txt", " ".join(str(y) for y in range(1990, 2030)) + " 合计"),
    "menu": ("report.txt", " | ".join(["立法工作", "监督工作", "代表工作", "自身建设"] * 10) + "。"),
    "dashed-crumbs": ("report.txt", "人大 - " * 60 + "。"),
    "leader-dots": ("report.txt", "一、" + "." * 70_000 + "3"),
    "digits-before-万": ("report.txt", "1" * 200_000 + "万江苏人民"),
}


@pytest.mark.parametrize("name,text", BACKTRACKING.values(), ids=BACKTRACKING.keys())
def test_lines_that_made_a_pattern_backtrack_are_read_in_one_pass(name, text):
    if name.endswith(".html"):
        data = page(text + "".join(f"<p>{p}</p>" for p in PARAS))
    else:
        data = REPORT_TEXT + "\n" + text + "\n"
    assert_report_found(parse(data, name))


# ---------------------------------------------------------------------------------------------- size cap

def test_size_cap_from_settings_applies_to_bytes_and_files(tmp_path):
    data = page().encode("utf-8")
    path = tmp_path / "report.html"
    path.write_bytes(data)
    small = load_settings(max_file_bytes=len(data) - 1)
    for attempt in (lambda: parse_bytes(data, "report.html", settings=small), lambda: parse_file(path, small)):
        with pytest.raises(ParseError, match=r"too large.*limit"):
            attempt()
    exact = load_settings(max_file_bytes=len(data))      # the cap itself is allowed
    assert_report_found(parse_bytes(data, "report.html", settings=exact))
    assert_report_found(parse_file(path, exact))


def test_real_21_mb_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    """With default settings a file over 20 MiB fails on its size alone: no read, no decode, no parse."""
    path = tmp_path / "huge.html"
    chunk = page().encode("utf-8")
    with path.open("wb") as fh:
        for _ in range((SETTINGS.max_file_bytes + 1024 * 1024) // len(chunk) + 1):
            fh.write(chunk)
    assert path.stat().st_size > SETTINGS.max_file_bytes

    def no_reading(*args, **kwargs):
        raise AssertionError("parse_file read a file that is over the size cap")
    monkeypatch.setattr(Path, "read_bytes", no_reading)
    monkeypatch.setattr(Path, "open", no_reading)
    start = time.perf_counter()
    with pytest.raises(ParseError, match=rf"too large: {path.stat().st_size} bytes"):
        parse_file(path)
    assert time.perf_counter() - start < 1.0


# --------------------------------------------------------------------------------------------- encodings

def test_truncated_utf8_keeps_the_text_before_the_cut():
    data = page().encode("utf-8")
    cut = data.index(f"<p>{PARAS[2][:6]}".encode()) + 3 + 4     # inside a three-byte character, inside a <p>
    doc = parse(data[:cut])
    assert_report_found(doc, PARAS[:2])
    assert doc.encoding == "utf-8"


@pytest.mark.parametrize("data", [
    ("Ceci est le rapport annuel du comité permanent, très détaillé à propos de l'économie. " * 8).encode("cp1252"),
    ("Это отчёт о работе постоянного комитета собрания народных представителей. " * 8).encode("koi8-r"),
    bytes(range(0x80, 0x100)) * 40,
], ids=["cp1252-french", "koi8-russian", "high-bytes"])
@pytest.mark.parametrize("name", ["report.txt", "report.html"])
def test_text_in_no_plausible_encoding_is_refused_with_the_reason(data, name):
    result = parse(data, name)
    assert isinstance(result, ParseError)
    assert "encoding" in str(result)


def test_unknown_charset_label_on_a_utf8_page_is_ignored():
    doc = parse(page(charset="x-klingon-2023"))
    assert_report_found(doc)
    assert doc.encoding == "utf-8"


@pytest.mark.parametrize("data,marker", [
    ("これは常任委員会の年次報告書です。経済についての報告。" * 6, "報告書"),
    ("This is the annual report of the standing committee about the economy. " * 6, "annual report"),
], ids=["shift-jis", "ebcdic"])
def test_foreign_encoding_is_refused_or_decoded_correctly(data, marker):
    raw = data.encode("shift_jis" if marker == "報告書" else "cp500")
    result = parse(raw, "report.txt")
    if isinstance(result, ParseError):
        assert "encoding" in str(result)
    else:
        assert marker in result.text, result.text[:40]


def test_utf16_meta_label_on_a_utf8_page_is_not_trusted():
    para = "过去的一年，是十一届全国人大常委会依法履职的第三年。常委会认真履行宪法和法律赋予的职责，" \
           "各项工作取得新的进展。"
    html = ('<html><head><meta charset="utf-16le"></head><body><div id="content"><p>' + para +
            "</p></div></body></html>").encode("utf-8")
    assert len(html) % 2 == 0
    assert_report_found(parse(html), [para])


@pytest.mark.parametrize("label", ["base64", "zlib", "rot13"])
def test_non_text_codec_label_is_a_parse_error(label):
    result = parse(page(charset=label).encode("utf-8") + b"\xff\xfe\x80 broken tail")
    assert isinstance(result, (Document, ParseError))


@pytest.mark.parametrize("how", ["meta", "http"])
def test_gb2312_label_with_gbk_only_characters_decodes_them_exactly(how):
    """Sites label GBK pages gb2312; 朱镕基 and 张喆 are outside GB2312 and must not become '?' or mojibake."""
    for ch in "镕喆":
        with pytest.raises(UnicodeEncodeError):
            ch.encode("gb2312")
    paras = ["国务院总理朱镕基到会听取意见，副主任委员张喆同志作说明。", *PARAS]
    html = page("".join(f"<p>{p}</p>" for p in paras), charset="gb2312" if how == "meta" else "x-none")
    doc = parse(html.encode("gbk"), http_charset="text/html; charset=GB2312" if how == "http" else None)
    assert_report_found(doc, paras)
    assert "朱镕基" in doc.text and "张喆" in doc.text
    assert doc.encoding == "gb18030"


@pytest.mark.parametrize("labelled", [True, False])
def test_big5_page_decodes_as_traditional_chinese(labelled):
    paras = ["過去的一年，是十一屆全國人大常委會依法履職的第三年。常委會認真履行憲法和法律賦予的職責，"
             "各項工作取得新的進展。",
             "一、加強和改進立法工作",
             "形成中國特色社會主義法律體系，是黨的十五大提出的立法工作目標。常委會突出重點，加快進度，"
             "確保這一目標如期實現。"]
    html = to_traditional(page("".join(f"<p>{p}</p>" for p in paras), charset="big5" if labelled else ""))
    doc = parse(html.encode("big5"))     # the whole page in 繁體, as mirror sites serve it
    assert isinstance(doc, Document), doc
    for p in paras:
        assert p in doc.text
    assert doc.traditional and doc.encoding == "big5hkscs"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("name", ["report.html", "report.txt"])
def test_utf16_with_bom(codec, name):
    """Word's "Unicode text" export: UTF-16 with a byte-order mark, half its bytes NUL, still not binary."""
    text = page() if name.endswith(".html") else REPORT_TEXT
    bom = b"\xff\xfe" if codec.endswith("le") else b"\xfe\xff"
    doc = parse(bom + text.encode(codec), name)
    assert_report_found(doc)
    assert doc.encoding == "utf-16"


# ------------------------------------------------------------------------------------------ batch and CLI

def _docx_with(document_xml: bytes) -> bytes:
    """The fixture DOCX with another word/document.xml."""
    buf = io.BytesIO()
    with zipfile.ZipFile(FIXTURES / "crawl_site" / "report.docx") as src, \
            zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            out.writestr(name, document_xml if name == "word/document.xml" else src.read(name))
    return buf.getvalue()


BROKEN = {   # file name → bytes, and a pattern the per-file reason must match
    "no-body.docx": (_docx_with(b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'),
                     r"malformed DOCX: python-docx cannot read it"),
    "bomb.docx": (_docx_with(b"<w:document>" + b" " * SETTINGS.max_unpacked_bytes + b"</w:document>"),
                  r"DOCX unpacks to \d+ bytes"),
    "bad-font.pdf": (make_pdf().replace(b"/Registry (Adobe)", b"/Registry  Adobe "),
                     r"malformed PDF: pdfminer.six cannot read it"),
    "empty.txt": (b"", r"empty"),
    "blank.md": (b"   \n\n\t", r"empty"),
    "photo.html": (_png(), r"encoding|binary"),
    "noise.htm": (random.Random(7).randbytes(20000), r"encoding|binary"),
    "koi8.txt": ("Это отчёт о работе постоянного комитета. ".encode("koi8-r") * 20, r"encoding"),
    "only-chrome.html": ("<div class='footer'>版权所有：某某县人大 ICP备0000号</div>".encode(), r"no report text"),
    "sub/utf16-no-bom.txt": (REPORT_TEXT.encode("utf-16-le"), r"binary"),
}


@pytest.fixture
def mixed_folder(tmp_path) -> tuple[Path, list[Path], dict[Path, str]]:
    """A crawl folder: four good reports (text, HTML, Markdown, a seed) among files that cannot be parsed."""
    folder = tmp_path / "crawl"
    good = []
    for src in (SAMPLES / "10-quanguo-2010.txt", SAMPLES / "03-wuhou-2021.html", SAMPLES / "15-huzhou-2022.md",
                SEEDS / "000_b00b485871fd028e.txt"):
        dest = folder / src.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(src.read_bytes())
        good.append(dest)
    broken = {}
    for name, (data, reason) in BROKEN.items():
        dest = folder / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        broken[dest] = reason
    return folder, sorted(good), broken


def test_parse_many_returns_every_good_file_and_a_reason_for_every_broken_one(mixed_folder, tmp_path):
    folder, good, broken = mixed_folder
    vanished = tmp_path / "deleted-after-listing.txt"
    batch = parse_many(find_files([folder]) + [vanished], workers=2)
    assert batch.files == len(good) + len(broken) + 1
    assert sorted(Path(d.source) for d in batch.documents) == good
    errors = dict(batch.errors)
    assert set(errors) == {str(p) for p in broken} | {str(vanished)}
    for path, reason in broken.items():
        assert re.search(reason, errors[str(path)]), (path.name, errors[str(path)])
    assert "cannot read" in errors[str(vanished)]
    assert not any("internal error" in r for r in errors.values()), errors


def test_parse_many_reports_a_timeout_instead_of_raising(tmp_path):
    """A file that overruns parse_timeout_s is killed and reported; the call itself returns normally.

    The report is long (the seeds back to back, about 1 MB) because pebble checks timeouts every 0.1 s: a
    small file can finish before the first check even with a 0.001 s limit, which would make this flaky.
    """
    long_report = tmp_path / "long-report.txt"
    long_report.write_bytes(b"\n\n".join(p.read_bytes() for p in sorted(SEEDS.glob("*.txt"))) * 20)
    batch = parse_many([long_report], load_settings(parse_timeout_s=0.001), workers=1)
    assert batch.documents == []
    assert batch.errors == [(str(long_report), "timed out after 0.001 s")]


def _hungry_parse(path: str, settings):
    """The workers' parse, asking for 2 GiB first when the file is hog.html (module level: it is pickled)."""
    if Path(path).name == "hog.html":
        bytearray(2 * 1024 ** 3)
    return parse_file(path, settings).to_dict()


def test_a_file_that_needs_more_memory_than_a_worker_may_have_fails_alone(tmp_path, monkeypatch):
    """Parse workers run under an address-space cap (``parse_memory_bytes``): a file whose parse would take
    more fails with "out of memory" and the rest of the batch is parsed. The parse of ``hog.html`` is made to
    ask for 2 GiB (workers are forked, so they run the patched function); without the cap it gets them."""
    from indexer.understand import batch as batch_module
    monkeypatch.setattr(batch_module, "_parse_to_dict", _hungry_parse)
    with open("/proc/self/status", encoding="ascii") as fh:
        mapped = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmSize:"))
    hog, fine = tmp_path / "hog.html", tmp_path / "fine.html"
    for f in (hog, fine):
        f.write_bytes((SAMPLES / "02-ningxia-2014.html").read_bytes())
    batch = parse_many([hog, fine], load_settings(parse_memory_bytes=mapped + 1024 ** 3), workers=2)
    assert batch.errors == [(str(hog), "out of memory")]
    assert [d.source for d in batch.documents] == [str(fine)]


def test_cli_ingest_skips_broken_files_and_writes_the_good_ones(mixed_folder, tmp_path):
    folder, good, broken = mixed_folder
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["ingest", str(folder), "--out", str(out), "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    assert len(skipped) == len(broken)
    for path, reason in broken.items():
        line = next(s for s in skipped if s.startswith(f"skipped {path}: "))
        assert re.search(reason, line), line
    docs = (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(docs) == len(good)
    assert all(str(p) in "\n".join(docs) for p in good)


@pytest.mark.parametrize("name", ["empty.txt", "photo.html", "koi8.txt"])
def test_cli_parse_of_a_broken_file_is_one_error_line_and_exit_1(mixed_folder, name):
    folder, _, broken = mixed_folder
    path = folder / name
    result = CliRunner().invoke(main, ["parse", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: "), result.stderr
    assert re.search(broken[path], lines[0])
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)     # a clean sys.exit(1), not an escaped exception



# ------------------------------------------------------------------------------------ R6: a generated corpus

SECRET = "隐藏的旧版正文"          # in comments, scripts and styles: must never reach the text
CONTROLS = ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f", "\x00" * 3]
HOSTILE_PARTS = {
    "controls": lambda rng: "".join(f"<p>{p[:20]}{rng.choice(CONTROLS)}{p[20:]}</p>" for p in PARAS),
    "comment": lambda rng: f"<p>附件</p><!-- <p>{SECRET}</p>" + "x" * rng.randint(0, 3000),
    "script": lambda rng: f"<script>var a='{SECRET}';</script><style>.{SECRET}{{color:red}}</style>"
                          f"<noscript>{SECRET}</noscript>",
    "unclosed-script": lambda rng: f"<script>document.write('{SECRET}');" + "var x=1;" * rng.randint(1, 500),
    "token": lambda rng: "<p>" + rng.choice("abcdefghij0123456789+/=") * rng.choice([100, 5_000, 50_000, 1_000_000])
                         + "</p>",
    "data-uri": lambda rng: f'<p><img src="data:image/png;base64,{"iVBORw0KGgo" * rng.choice([10, 2_000, 95_000])}"></p>'
                            f'<p>data:image/gif;base64,{"R0lGODlh" * rng.randint(10, 5_000)}</p>',
    "nesting": lambda rng: "<div>" * rng.choice([50, 500, 2_000]) + "<p>嵌套</p>",      # and deep.html: 100,000
    "attributes": lambda rng: "<p " + " ".join(f'a{i}="{"&" * rng.randint(0, 5)}"' for i in range(rng.randint(1, 500)))
                              + ">属性</p>",
    "entities": lambda rng: "<p>" + "".join(rng.choice(["&#0;", "&#x1b;", "&#128;", "&#xD800;", "&amp;", "&lt;b&gt;",     # (&lt;script&gt; would be text about a script, rightly kept)
                                                       "&#x110000;", "&nbsp;"]) for _ in range(rng.randint(1, 300))) + "</p>",
    "cdata": lambda rng: f"<![CDATA[ {SECRET} ]]><p>x</p>",
}


def hostile_corpus(rng, n: int = 500) -> list[tuple[str, bytes, str]]:
    """``n`` files: (name, bytes, what they are). Reports carrying one to three hostile parts in varied
    encodings and cut short at random, plus files that hold no report: binary data named .html, empty ones,
    and two over the size cap; one nested 100,000 deep."""
    files = [("deep.html", page("<div>" * 100_000 + "".join(f"<p>{p}</p>" for p in PARAS)).encode(), "report"),
             ("huge-1.html", b"<p>" + b"a" * (SETTINGS.max_file_bytes + 1), "bad"),
             ("huge-2.txt", REPORT_TEXT.encode() * (SETTINGS.max_file_bytes // len(REPORT_TEXT.encode()) + 1), "bad")]
    while len(files) < n:
        k = len(files)
        roll = rng.random()
        if roll < 0.08:
            files.append((f"binary-{k}.html", rng.randbytes(rng.randint(1, 50_000)), "bad"))
        elif roll < 0.1:
            files.append((f"empty-{k}.html", rng.choice([b"", b" \n\t", b"\xef\xbb\xbf"]), "bad"))
        else:
            parts = rng.sample(sorted(HOSTILE_PARTS), rng.randint(1, 3))
            body = "".join(f"<p>{p}</p>" for p in PARAS)
            for name in parts:
                at = rng.choice([0, len(body)])
                body = body[:at] + HOSTILE_PARTS[name](rng) + body[at:]
            codec = rng.choice(["utf-8", "utf-8", "gbk", "gb18030"])
            data = page(body, charset=codec).encode(codec, "xmlcharrefreplace")      # C1 controls as &#133;
            if rng.random() < 0.2:                        # cut short, most likely inside a character
                data = data[:rng.randint(len(data) // 2, len(data) - 1)]
            files.append((f"{'-'.join(parts)}-{k}.{rng.choice(['html', 'htm'])}", data, "report"))
    return files


PARSE_ALL = """import json, sys, time, traceback
from indexer.understand.pipeline import ParseError, parse_file
for line in sys.stdin:
    path = line.strip()
    start = time.perf_counter()
    try:
        doc = parse_file(path)
        out = {"doc": "\\n".join([doc.title, doc.text, *(p.text for p in doc.passages()), *(s.heading for s in doc.sections)])}
    except ParseError as exc:
        out = {"reason": str(exc)}
    except BaseException:
        out = {"crash": traceback.format_exc()}
    out.update(path=path, seconds=time.perf_counter() - start)
    print(json.dumps(out), flush=True)
# VmHWM, not ru_maxrss: that one keeps the high-water mark of the pytest process this one was forked from
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"peak_rss_mb": hwm / 1024}))
"""


def test_r6_500_generated_hostile_files(tmp_path):
    """R6: every file is a document or is quarantined with a reason, in processes of their own (as parsing
    workers are) so that their peak memory is the parser's: no crash, no file over 5 s, at most 500 MB, and no
    control character, comment or script opener, hidden text or token over 64 characters in any text."""
    import json
    import subprocess
    import sys
    corpus = hostile_corpus(seeded_rng(20261208))
    kinds = {}
    for name, data, kind in corpus:
        (tmp_path / name).write_bytes(data)
        kinds[str(tmp_path / name)] = kind
    paths = list(kinds)
    procs = [subprocess.Popen([sys.executable, "-c", PARSE_ALL], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT) for _ in range(2)]     # two cores
    outputs = [p.communicate("\n".join(paths[k::2]), timeout=600) for k, p in enumerate(procs)]
    lines = [[json.loads(line) for line in out.splitlines()] for out, _ in outputs]
    results, peak = [r for part in lines for r in part[:-1]], max(part[-1]["peak_rss_mb"] for part in lines)
    assert len(results) == len(corpus), [err[-2000:] for _, err in outputs]
    crashes = [r for r in results if "crash" in r]
    quarantined = [r for r in results if "reason" in r]
    bad_unexplained = [r["path"] for r in results if kinds[r["path"]] == "bad" and not r.get("reason", "").strip()]
    texts = [r["doc"] for r in results if "doc" in r]
    controls = sum(bool(CONTROL.search(t)) for t in texts)
    leaks = sum(any(s in t for s in ("<!--", "<script", SECRET)) for t in texts)
    longest = max((len(m) for t in texts for m in re.findall(r"[\x21-\x7e]+", t)), default=0)
    slowest = max(results, key=lambda r: r["seconds"])
    print(f"\nR6: {len(corpus)} hostile files: crashes {len(crashes)}; quarantined {len(quarantined)}, each with a "
          f"reason; bad files without one {len(bad_unexplained)}; documents {len(texts)}; slowest "
          f"{slowest['seconds']:.2f} s ({Path(slowest['path']).name}; bar 5 s); peak RSS {peak:.0f} MB (bar 500); "
          f"texts with control characters {controls}, with <!--, <script or hidden text {leaks}; longest token "
          f"{longest} (bar 64)")
    assert not crashes, crashes[0]["crash"]
    assert not bad_unexplained and all(r["reason"].strip() for r in quarantined)
    assert slowest["seconds"] <= 5 and peak <= 500
    assert controls == 0 and leaks == 0 and longest <= 64
    assert len(texts) >= len(corpus) // 2          # most files are reports and come out as documents
