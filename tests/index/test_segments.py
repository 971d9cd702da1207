"""An index that grows: segments written a few reports at a time, documents taken out and written again, small
segments merged, answer exactly as one segment built from the same reports; and a plain Whoosh reader opens it.
"""
import shutil

import pytest

from indexer.index.commits import current_commit
from indexer.index.reader import open_index
from indexer.settings import load_settings
from indexer.update import ingest, optimize, rebuild, remove
from search_app.core.search import Params, search
from tests.conftest import SAMPLES, SEEDS, search_json, seeded_rng

QUERIES = ["监督", "备案审查", '"有备必审"', "代表建议 办理", "立法 OR 监督", "人大 -常委会", '"联系点 立法"~5',
           "脱贫攻坚 扶贫 监督", "浙江 监督", "2022年 立法", "level:county 监督", "year:2015-2021 代表",
           "section:监督工作 执法检查", '"监督工作成效"', "xyzzy 监督", "type:述法报告"]


def answers(index_dir) -> dict:
    """Everything a search says that does not depend on the order rows were written in."""
    ix = open_index(index_dir)
    out = {"passages": sorted(ix.stored(r)["passage_id"] for r in ix.all_rows.tolist())}
    for q in QUERIES:
        r = search_json(ix, Params(q=q, limit=10_000))
        out[q] = {"total": r["total"], "facets": r["facets"], "relaxed": r.get("relaxed"),
                  "suggestions": r.get("suggestions"), "parsed": r["parsed"],
                  "scores": sorted((h["passage_id"], h["score"], h["highlight"], h["citation"]) for h in r["hits"])}
    return out


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    src = tmp_path_factory.mktemp("reports")
    files = sorted(SAMPLES.glob("*.*")) + sorted(SEEDS.glob("*.txt"))
    for f in files:
        if f.name not in ("manifest.json", "README.md"):
            shutil.copy(f, src / f.name)
    return src


@pytest.fixture(scope="module")
def fresh(reports, tmp_path_factory):
    ix = tmp_path_factory.mktemp("fresh")
    ingest(ix, [reports], workers=1)
    assert len(current_commit(ix).segments) == 1
    return answers(ix)


def test_reports_ingested_a_few_at_a_time_answer_as_one_fresh_build(reports, fresh, tmp_path):
    """Four-passage-at-most segments would be too small to merge; 150 passages, factor 3: writes, deletions,
    purges and merges all happen."""
    settings = load_settings(max_segment_passages=150, merge_factor=3)
    files = sorted(reports.iterdir())
    seeded_rng(3).shuffle(files)
    ix, staged = tmp_path / "ix", tmp_path / "staged"
    staged.mkdir()
    seen_segments = set()
    for k in range(0, len(files), 3):
        for f in files[k:k + 3]:
            shutil.copy(f, staged / f.name)
        ingest(ix, [staged], settings=settings, workers=1)
        seen_segments |= {s.id for s in current_commit(ix).segments}
    # take one report out and put it back; edit one and undo the edit
    gone = staged / files[0].name
    remove(ix, [str(gone)], settings=settings)
    gone.unlink()
    ingest(ix, [staged], settings=settings, workers=1)
    shutil.copy(files[0], gone)
    edited = staged / files[1].name
    text = edited.read_bytes()
    edited.write_bytes(text.replace("监督".encode(), "督监".encode()) if "监督".encode() in text else text + b"\n")
    ingest(ix, [staged], settings=settings, workers=1)
    edited.write_bytes(text)
    ingest(ix, [staged], settings=settings, workers=1)
    commit = current_commit(ix)
    assert len(commit.segments) > 1 and len(seen_segments) > len(commit.segments)     # merged along the way
    assert answers(ix) == fresh


def test_optimize_merges_the_segments_and_answers_as_a_fresh_build(reports, fresh, tmp_path):
    """Reports ingested a few at a time with merges held off (factor 100), one taken out: optimize leaves
    the fewest segments 150 passages allow, none with deletions."""
    settings = load_settings(max_segment_passages=150, merge_factor=100)
    files = sorted(reports.iterdir())
    ix = tmp_path / "ix"
    for k in range(0, len(files), 4):
        ingest(ix, files[k:k + 4], settings=settings, workers=1)
    remove(ix, [str(files[0])], settings=settings)
    ingest(ix, [files[0]], settings=settings, workers=1)
    before = current_commit(ix)
    assert any(e.deleted_rows for e in before.segments)
    optimize(ix, workers=1, settings=settings)
    after = current_commit(ix)
    assert not any(e.deleted_rows for e in after.segments)
    assert len(after.segments) < len(before.segments)
    assert sum(1 for e in after.segments if e.live_rows < 0.9 * 150) <= 1 + sum(
        1 for e in after.segments if e.rows > 150)          # packed: one partly filled segment is left
    assert answers(ix) == fresh


def test_a_rebuild_answers_as_before(reports, fresh, tmp_path):
    ingest(tmp_path / "ix", [reports], workers=1)
    rebuild(tmp_path / "ix", workers=1, settings=load_settings(max_segment_passages=120))
    assert len(current_commit(tmp_path / "ix").segments) > 1
    assert answers(tmp_path / "ix") == fresh


def test_plain_whoosh_finds_a_word_as_lrsearch_does(index_dir):
    """The index is a real Whoosh index: a QueryParser on the word field, for words jieba keeps whole, finds
    passages that `lrsearch search --strict` returns too, and nearly all of them (lrsearch adds those where the
    word sits inside other segmentations)."""
    from whoosh.index import open_dir
    from whoosh.qparser import QueryParser
    ix = open_index(index_dir)
    whoosh = open_dir(str(index_dir / "whoosh"), indexname="MAIN")
    with whoosh.searcher() as searcher:
        parser = QueryParser("words", whoosh.schema)
        for word in ("监督", "备案审查", "执法检查", "人大常委会", "专题询问", "规范性文件", "满意率"):
            plain = {hit["passage_id"] for hit in searcher.search(parser.parse(word), limit=None)}
            ours = {h.passage_id for h in search(ix, Params(q=word, limit=10_000, relax=False))["hits"]}
            assert plain and plain <= ours, word
            assert len(plain) >= 0.8 * len(ours), word
