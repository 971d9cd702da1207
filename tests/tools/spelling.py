"""How well the speller (search_app/core/spelling.py) suggests: precision and recall on a labelled set.

    python -m tests.tools.spelling tests/fixtures/spelling/test.json               # builds the test index
    python -m tests.tools.spelling tests/fixtures/spelling/dev.json --index DIR     # an index of samples + seeds

Precision: suggestions that are the expected query, over all suggestions made (on slips and on correct
queries); recall: slips corrected as expected, over all slips. The same function serves tests/core/test_spelling.py.
"""
from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from indexer.index.reader import Index, open_index
from search_app.core.query import parse
from search_app.core.spelling import did_you_mean


def load(path: Path) -> list[dict]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def measure(ix: Index, cases: list[dict]) -> dict:
    """Precision, recall and the cases each got wrong, with what was suggested."""
    made = right = slips = 0
    wrong = []
    for case in cases:
        found = did_you_mean(ix, parse(case["query"]), case["query"])
        suggested = found["query"] if found else None
        made += suggested is not None
        slips += case["expect"] is not None
        if suggested is not None and suggested == case["expect"]:
            right += 1
        elif suggested != case["expect"]:
            wrong.append({**case, "suggested": suggested})
    return {"cases": len(cases), "slips": slips, "suggested": made, "right": right,
            "precision": right / made if made else 1.0, "recall": right / slips if slips else 1.0, "wrong": wrong}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", type=Path)
    ap.add_argument("--index", type=Path, help="an index of the labelled samples and the seeds")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = args.index
        if index_dir is None:
            from indexer.update import ingest
            from tests.conftest import SAMPLES, SEEDS
            index_dir = Path(tmp)
            ingest(index_dir, [SAMPLES, SEEDS], workers=2)
        out = measure(open_index(index_dir), load(args.cases))
    print(f"{args.cases}: {out['cases']} queries, {out['slips']} slips, {out['suggested']} suggestions, "
          f"{out['right']} right — precision {out['precision']:.3f}, recall {out['recall']:.3f}")
    for w in out["wrong"]:
        print(f"  {w['kind']:8} {w['query']} → {w['suggested']} (expected {w['expect']})")


if __name__ == "__main__":
    main()
