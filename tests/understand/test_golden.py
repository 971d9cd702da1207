"""Golden parser output per labelled file: metadata, headings with level and category, passage counts.

A change in any of these shows up as a diff here. After a deliberate change, regenerate with
LRSEARCH_UPDATE_GOLDEN=1 pytest tests/understand/test_golden.py and review the diff of tests/fixtures/golden/.
"""
import json
import os

import pytest

from indexer.understand.pipeline import parse_file
from tests.conftest import FIXTURES, labelled_files, web_files

GOLDEN = FIXTURES / "golden"


def summary(path) -> dict:
    d = parse_file(path)
    return {"title": d.title, "body": d.body, "region": d.region, "province": d.province, "level": d.level,
            "year": d.year, "years_covered": d.years_covered, "doc_type": d.doc_type, "traditional": d.traditional,
            "pub_date": d.pub_date, "encoding": d.encoding, "doc_id": d.doc_id, "kind": d.kind, "why": d.why,
            "session": d.session, "delivered": d.delivered,
            "sections": [[s.level, s.heading, s.category, len(s.passages)] for s in d.sections],
            "passage_ids": [p.passage_id for p in d.passages()]}


@pytest.mark.parametrize("path,entry", labelled_files() + web_files(), ids=lambda v: getattr(v, "name", ""))
def test_parser_output_matches_golden(path, entry):
    golden = GOLDEN / (path.name + ".json")
    got = summary(path)
    if os.environ.get("LRSEARCH_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert got == json.loads(golden.read_text(encoding="utf-8"))
