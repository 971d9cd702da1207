"""Processed documents on disk: a record written before a field was added reads with that field unknown."""
import pytest

from indexer.model import Document
from indexer.store import LATER_FIELDS, DocumentFile, read_documents, write_documents
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
    assert record.keys() == fresh.keys() and {k: record[k] for k in LATER_FIELDS} == {"session": None, "delivered": None}
    assert {k: v for k, v in record.items() if k not in LATER_FIELDS} == \
        {k: v for k, v in fresh.items() if k not in LATER_FIELDS}
    (back,) = read_documents(old)
    assert (back.session, back.delivered) == (None, None) and back.text == doc.text
