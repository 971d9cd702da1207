"""Citations: the report's name, the session and date it was delivered at, its top section, and its web address
only; a report known only as a file names no 来源, and a record written before the session was read cites as before."""
import pytest

from indexer import model
from indexer.index.reader import open_index
from indexer.store import DocumentFile, write_documents
from indexer.understand.pipeline import parse_bytes, parse_file
from indexer.update import rebuild
from search_app.core.citations import chinese_date, cite, report_citation, top_sections
from search_app.core.records import Hit
from search_app.core.search import Params, search
from tests.conftest import SAMPLES, WEB_DEV

URL = "https://www.fjrd.gov.cn/rdgz/2009/content?id=1"
JIANGXI = "江西省第十三届人民代表大会第四次会议"


def _index(tmp_path_factory, name, docs):
    tmp = tmp_path_factory.mktemp(name)
    rebuild(tmp / "index", write_documents(tmp / "docs", docs))
    return open_index(tmp / "index")


@pytest.fixture(scope="module")
def reports():
    """A report known only as a file (dated session line), one from the web (dated), one with no session line."""
    return {"file": parse_file(WEB_DEV / "a01-jiangxi-2019.html"),
            "web": parse_bytes((WEB_DEV / "b11-fujian-2008-gb18030.txt").read_bytes(), URL, "text/plain; charset=gb18030"),
            "none": parse_file(SAMPLES / "03-wuhou-2021.html")}


@pytest.fixture(scope="module")
def ix(tmp_path_factory, reports):
    return _index(tmp_path_factory, "cite", reports.values())


def cited(ix, doc) -> Hit:
    """The citation of the report's first passage under a level-1 heading."""
    d = ix.document(doc.doc_id)
    sections = top_sections(d)
    pid = next(p for p, s in sections.items() if s)
    return cite(ix, [Hit(passage_id=pid, doc_id=doc.doc_id, year=doc.year)])[0], sections[pid]


def test_a_report_known_only_as_a_file_is_cited_by_session_and_date_without_a_source(ix, reports):
    h, section = cited(ix, reports["file"])
    assert (h.session, h.delivered) == (JIANGXI, "2020-01-15")
    assert h.citation == f"《江西省人民代表大会常务委员会工作报告》——2020年1月15日在{JIANGXI}上，“{section}”"
    assert h.citation_url is None and h.passage_url is None        # the core names no page of any server


def test_a_report_from_the_web_is_cited_with_its_address(ix, reports):
    h, _ = cited(ix, reports["web"])
    assert h.citation_url == URL and h.delivered == "2009-01-12"
    assert h.citation.startswith("《福建省人民代表大会常务委员会工作报告》——2009年1月12日在福建省第十一届人民代表大会第二次会议上，“")


def test_a_report_without_the_line_is_cited_by_the_year_it_covers(ix, reports):
    h, section = cited(ix, reports["none"])
    assert (h.session, h.delivered, h.citation_url) == (None, None, None)
    assert h.citation == f"《成都市武侯区人民代表大会常务委员会工作报告》（2021年）“{section}”"


def test_search_hits_carry_the_session_and_date(ix):
    hits = search(ix, Params(q="江西", limit=50))["hits"]
    jiangxi = [h for h in hits if h.title.startswith("江西省")]
    assert jiangxi and all((h.session, h.delivered) == (JIANGXI, "2020-01-15") and "2020年1月15日" in h.citation
                           for h in jiangxi)
    assert all("127.0.0.1" not in h.citation and "localhost" not in h.citation for h in hits)


@pytest.mark.parametrize("year, session, delivered, want", [
    (2023, "某县第十八届人民代表大会第三次会议", "2024-01-09", "《报告》——2024年1月9日在某县第十八届人民代表大会第三次会议上"),
    (2023, "某县第十八届人民代表大会第三次会议", None, "《报告》（2023年）——在某县第十八届人民代表大会第三次会议上"),
    (2023, None, None, "《报告》（2023年）"),
    (None, None, None, "《报告》（年份不详）"),
])
def test_report_citation(year, session, delivered, want):
    assert report_citation("报告", year, session, delivered) == want


def test_chinese_date():
    assert chinese_date("2021-12-31") == "2021年12月31日" and chinese_date("2024-03-08") == "2024年3月8日"


@pytest.mark.parametrize("compact", [False, True])
def test_a_record_written_before_the_session_was_read(tmp_path_factory, reports, monkeypatch, compact):
    """Older records lack the keys: they read as None, in the stored JSON and in the citation."""
    doc = reports["file"]
    monkeypatch.setattr(model, "_DOCUMENT_FIELDS",
                        [f for f in model._DOCUMENT_FIELDS if f not in ("session", "delivered")])
    tmp = tmp_path_factory.mktemp("old")
    (tmp / "docs").mkdir()
    path = write_documents(tmp / "docs", [doc], compact=compact)
    if not compact:
        assert '"delivered"' not in path.read_text(encoding="utf-8")
    record = DocumentFile(tmp / "docs").get(doc.doc_id)
    assert (record["session"], record["delivered"]) == (None, None)
    if compact:
        monkeypatch.undo()
        rebuild(tmp / "index", tmp / "docs")
        h, section = cited(open_index(tmp / "index"), doc)
        assert (h.session, h.delivered) == (None, None)
        assert h.citation == f"《江西省人民代表大会常务委员会工作报告》（2019年）“{section}”"
