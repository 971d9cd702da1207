"""R14 retrieval-quality gate: quoted phrases, random CJK substrings and curated queries against pinned floors.

The figures come from tests/tools/relevance.py (``python -m tests.tools.relevance --verbose`` prints them with
the top 10 of every failing curated query). Floors live in fixtures/retrieval/floors.json and only go up.
"""
from __future__ import annotations

import json
from collections import Counter

import pytest

from indexer.index.reader import open_index
from tests.tools import relevance as rel


@pytest.fixture(scope="module")
def ix(index_dir):
    return open_index(index_dir)


@pytest.fixture(scope="module")
def report(ix, all_passages):
    return rel.evaluate(ix, all_passages=all_passages)


@pytest.fixture(scope="module")
def floors():
    return rel.load_floors()


def test_golden_set_is_well_formed():
    queries = rel.load_queries()
    assert len(queries) >= 50
    ids = Counter(q["id"] for q in queries)
    assert not [i for i, n in ids.items() if n > 1], "query ids must be unique"
    kinds = Counter(q["kind"] for q in queries)
    for kind in ("term", "multi", "abbr", "region", "year", "filter", "phrase", "question"):
        assert kinds[kind], f"no curated query of kind {kind!r}"
    for q in queries:
        assert q["q"].strip() and q["relevant"], q["id"]
        for j in q["relevant"]:
            assert set(j) == {"file", "contains"}, (q["id"], j)      # never a passage id: they are content hashes
            assert len(j["contains"]) >= 4, (q["id"], j)


def test_every_judgement_names_exactly_one_indexed_passage(report):
    assert not report.bad_judgements, [(qid, j, n) for qid, j, n in report.bad_judgements]


def test_quoted_phrases_are_all_found(report, floors):
    """(a) 50 spans cut verbatim from indexed passages, quoted: the source passage is always among the hits."""
    assert report.figures["phrases_found"] == 1.0, report.phrase_misses
    assert floors["floors"]["phrases_found"] == 1.0


def test_unquoted_substrings_rank_their_source_in_the_top_50(report, floors):
    """(b) 1,000 runs of 2-6 CJK characters, unquoted: share with the source passage in the top 50."""
    have, pin = report.figures["substrings_top50"], floors["floors"]["substrings_top50"]
    misses = [(span, total) for span, total, _ in report.substring_misses]
    assert have >= pin, f"substrings_top50 {have:.3f} < floor {pin}; misses: {misses[:20]}"


@pytest.mark.parametrize("metric", sorted(rel.CURATED_METRICS))
def test_curated_queries_meet_the_floors(report, floors, metric):
    """(c) success@10, recall@10, MRR@10 (floors) and the zero-result rate (a ceiling) of the curated queries."""
    bad = [b for b in rel.below_floors(report.figures, floors) if b.startswith(metric + ":")]
    failing = [r.query["id"] for r in report.curated if not r.success]
    assert not bad, f"{bad}; failing success@10: {failing} (python -m tests.tools.relevance --verbose shows why)"


def test_floors_are_todays_figures_rounded_down(report, floors):
    """The floors may not sit far below what the engine does: a gain must be pinned (--write-floors)."""
    for name, higher_is_better in rel.METRICS.items():
        have, pin = report.figures[name], floors["floors"][name]
        slack = (have - pin) if higher_is_better else (pin - have)
        assert slack <= 0.02 + 1e-9, (f"{name}: measured {have:.4f}, pinned {pin}; raise the floors with "
                                     "`python -m tests.tools.relevance --write-floors` and commit them")


def test_floors_only_go_up():
    """A floor lower (or ceiling higher) than any committed before for the same golden set is refused."""
    history = rel.committed_floors()
    if not history:
        pytest.skip("no committed floors file in git history")
    assert not rel.lowered_floors(rel.load_floors(), history)


def test_ratchet_refuses_lowering_and_allows_a_new_golden_set():
    old = {"fingerprints": {"passages": "p1", "queries": "q1"},
           "floors": {"substrings_top50": 0.98, "curated_success_at_10": 0.8, "curated_zero_result_rate": 0.1}}
    same = json.loads(json.dumps(old))
    assert rel.lowered_floors(same, [("c0", old)]) == []
    same["floors"].update(substrings_top50=0.97, curated_zero_result_rate=0.2)
    assert len(rel.lowered_floors(same, [("c0", old)])) == 2
    new_queries = {"fingerprints": {"passages": "p1", "queries": "q2"},
                   "floors": {"substrings_top50": 0.98, "curated_success_at_10": 0.7, "curated_zero_result_rate": 0.2}}
    assert rel.lowered_floors(new_queries, [("c0", old)]) == []          # harder queries: a new baseline
    new_queries["floors"]["substrings_top50"] = 0.9
    assert rel.lowered_floors(new_queries, [("c0", old)])                # same passages: still ratcheted


def test_evaluation_report_explains_failing_queries(report, ix):
    text = rel.format_report(report, ix, verbose=True, floors=rel.load_floors())
    assert "(a) quoted phrases found" in text and "success@10" in text
    for r in report.curated:
        if not r.success:
            assert f"[{r.query['id']}]" in text
    print("\n" + text.split("\n\n")[0])
    f, pin = report.figures, rel.load_floors()["floors"]
    print(f"R14: (a) quoted phrases found {f['phrases_found']:.1%} (bar 100%); (b) CJK substrings with the source in "
          f"the top 50 {f['substrings_top50']:.1%} (table's bar 99%, pinned floor {pin['substrings_top50']:.0%}); "
          f"(c) {len(report.curated)} curated queries: recall@10 {f['curated_recall_at_10']:.1%} (floor "
          f"{pin['curated_recall_at_10']:.0%}), success@10 {f['curated_success_at_10']:.1%}, zero-result rate "
          f"{f['curated_zero_result_rate']:.1%} (ceiling {pin['curated_zero_result_rate']:.0%})")
