"""Processed documents on disk: a record written before a field was added reads with that field unknown."""
import pytest

from indexer.model import Document
from indexer.store import FIGURES_FILE, LATER_FIELDS, DocumentFile, read_documents, write_documents
from indexer.understand.pipeline import parse_bytes

REPORT = ("某市人民代表大会常务委员会工作报告\n——2023年1月10日在某市第十七届人民代表大会第二次会议上\n各位代表：\n"
          "一、过去一年的主要工作\n常委会严格执行重大事项请示报告制度，全年向市委请示报告重要事项十五件。\n")


@pytest.mark.parametrize("compact", [False, True])
def test_a_record_written_before_the_later_fields_reads_them_as_unknown(tmp_path, monkeypatch, compact):
    doc = parse_bytes(REPORT.encode(), "r.txt")
    assert (doc.session, doc.delivered) == ("某市第十七届人民代表大会第二次会议", "2023-01-10")
    (tmp_path / "new").mkdir()
    (tmp_path / "old").mkdir()
    new = write_documents(tmp_path / "new", [doc], compact=compact).parent
    written = Document.to_dict
    monkeypatch.setattr(Document, "to_dict", lambda d: {k: v for k, v in written(d).items() if k not in LATER_FIELDS})
    old = write_documents(tmp_path / "old", [doc], compact=compact).parent
    monkeypatch.undo()
    record, fresh = DocumentFile(old).get(doc.doc_id), DocumentFile(new).get(doc.doc_id)
    assert record.keys() == fresh.keys() and {k: record[k] for k in LATER_FIELDS} == {"session": None, "delivered": None,
                                                                            "ingested": 0.0}
    assert {k: v for k, v in record.items() if k not in LATER_FIELDS} == \
        {k: v for k, v in fresh.items() if k not in LATER_FIELDS}
    (back,) = read_documents(old)
    assert (back.session, back.delivered, back.ingested) == (None, None, 0.0) and back.text == doc.text


@pytest.mark.parametrize("compact", [False, True])
def test_figures_are_written_beside_the_documents_and_older_records_read_as_none(tmp_path, compact):
    doc = parse_bytes((REPORT + "全年召开常委会会议八次，任免国家机关工作人员五十二人次。\n").encode(), "r.txt")
    assert [(f.metric, f.value) for f in doc.figures] == [("sessions", 8), ("appointments", 52)]
    folder = write_documents(tmp_path, [doc], compact=compact).parent
    documents = DocumentFile(folder)
    assert documents.figures() == {doc.doc_id: [f.to_dict() for f in doc.figures]}
    assert documents.get(doc.doc_id)["figures"] == [f.to_dict() for f in doc.figures]
    (folder / FIGURES_FILE).unlink()            # a segment written before figures were read
    assert DocumentFile(folder).figures() == {}
    record = {k: v for k, v in doc.to_dict().items() if k != "figures"}
    assert Document.from_dict(record).figures == []
