"""Whoosh's posting blocks read with numpy: what Whoosh's own matcher reads, and a fallback when it differs."""
import pickle
import shutil

import numpy as np
import pytest
from whoosh.formats import Positions

from indexer.index import blocks, bulkwrite, reader
from indexer.index.reader import Index, open_index
from indexer.index.schema import gram_string
from search_app.core.search import Params
from tests.conftest import search_json, seeded_rng


def test_positions_read_from_the_blocks_are_whooshs(index_dir):
    ix = open_index(index_dir)
    (part,) = ix.side.parts
    reader = ix.searcher.reader()
    for word in ("监督", "工作", "备案审查", "代表"):
        rows = ix.side.word_postings(word)[0][::3]
        which, positions = ix.side.word_positions(word, rows)
        matcher = reader.postings("words", word)
        for k, row in enumerate(rows.tolist()):
            matcher.skip_to(row)
            assert positions[which == k].tolist() == list(matcher.value_as("positions")), (word, row)


def _whoosh_positions(lists: list[list[int]]) -> tuple[list[int], list[int]]:
    return [k for k, p in enumerate(lists) for _ in p], [x for p in lists for x in p]


def test_positions_are_read_from_whooshs_pickles_and_from_ours_alike():
    """Whoosh pickles each value itself (one item: an APPEND; several: MARK … APPENDS); bulkwrite writes the
    same bytes. Counts from 1 to 400 and gaps on both sides of 256 (BININT1 and BININT2)."""
    rng = seeded_rng(11)
    lists = [sorted(rng.sample(range(65000), rng.choice([1, 1, 2, 3, 17, 400]))) for _ in range(500)]
    values = [Positions().encode(p) for p in lists]
    assert blocks._deltas(values) is not None                  # read by numpy, not by the pickle fallback
    which, pos = blocks.positions(values)
    assert (which.tolist(), pos.tolist()) == _whoosh_positions(lists)
    deltas = np.array([d for p in lists for d in np.diff([0] + p)], dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum([len(p) for p in lists]))).astype(np.int64)
    buf, off = bulkwrite.encode_positions(offsets, deltas)
    ours = [pickle.loads(buf[off[i]:off[i + 1]] + b".") for i in range(len(lists))]
    assert ours == values


@pytest.mark.parametrize("lists", [[[70000, 70001]],                # a gap too large for BININT2
                                   [[5], list(range(1, 1200))]])    # pickle's APPENDS in batches of 1,000
def test_positions_outside_the_simple_layout_are_read_by_pickle(lists):
    values = [Positions().encode(p) for p in lists]
    assert blocks._deltas(values) is None
    which, pos = blocks.positions(values)
    assert (which.tolist(), pos.tolist()) == _whoosh_positions(lists)


def test_a_damaged_value_is_not_misread():
    good = Positions().encode([3, 8, 20])
    for cut in (good[:-1], good[:-2] + b"." + b".", good[:9] + b"X" + good[10:]):
        assert blocks._deltas([Positions().encode([1]), cut]) is None


def test_a_segment_whose_blocks_read_otherwise_falls_back_to_whoosh(index_dir, monkeypatch, tmp_path):
    """If a Whoosh release wrote its blocks differently, answers must stay right: the check at open sees
    that the blocks do not read as Whoosh reads them, and that segment is read through Whoosh's matcher.
    (A copy of the index: the session's segment is already open, and checked, in this process.)"""
    want = search_json(open_index(index_dir), Params(q='"有备必审" 监督', limit=50))
    shutil.copytree(index_dir, tmp_path / "index")
    monkeypatch.setattr(blocks.PostingsFile, "rows", lambda self, offset: np.zeros(1, dtype=np.int32))
    monkeypatch.setattr(reader, "_LAYOUT_AGREES", [])          # as in a process that has checked nothing yet
    ix = Index(tmp_path / "index")
    try:
        (part,) = ix.side.parts
        assert part.side.whoosh is not None
        got = search_json(ix, Params(q='"有备必审" 监督', limit=50))
        assert [h["passage_id"] for h in got["hits"]] == [h["passage_id"] for h in want["hits"]] and got["total"]
    finally:
        ix.close()


def test_the_check_at_open_reads_a_list_of_several_blocks_but_no_long_one(tmp_path, monkeypatch):
    """Blocks of 16 postings and a check limit of 120 bytes, so that the index holds lists of several blocks
    both under and over the limit."""
    from indexer.index import sidecar
    from indexer.update import ingest
    from tests.conftest import SEEDS
    monkeypatch.setattr(bulkwrite, "BLOCK", 16)
    monkeypatch.setattr(sidecar, "CHECK_BYTES", 120)
    monkeypatch.setattr(reader, "_LAYOUT_AGREES", [])
    ingest(tmp_path, [SEEDS], workers=1)
    ix = Index(tmp_path)
    try:
        (part,) = ix.side.parts
        side = part.side
        extents = np.asarray(side["gram_extents"])
        sample = side.check_sample()
        assert len(sample) == 3 and max(int(extents[t + 1] - extents[t]) for t in sample) <= 120
        assert max(len(side.gram_rows(gram_string(int(side["gram_terms"][t])))) for t in sample) > 16
        assert int(np.diff(extents).max()) > 120              # lists the check leaves alone
        assert side.whoosh is None                           # and the blocks read as Whoosh reads them
    finally:
        ix.close()


def test_once_a_segment_reads_as_whoosh_reads_it_the_others_are_not_checked(tmp_path, monkeypatch):
    from indexer.index import sidecar
    from indexer.index.commits import current_commit
    from indexer.settings import load_settings
    from indexer.update import ingest
    from tests.conftest import SEEDS
    ingest(tmp_path, [SEEDS], workers=1, settings=load_settings(max_segment_passages=60))
    assert len(current_commit(tmp_path).segments) >= 2
    checked = []
    real = sidecar.Sidecar.check
    monkeypatch.setattr(sidecar.Sidecar, "check", lambda self, whoosh: checked.append(self) or real(self, whoosh))
    monkeypatch.setattr(reader, "_LAYOUT_AGREES", [])
    ix = Index(tmp_path)
    try:
        assert len(checked) == 1 and all(p.side.whoosh is None for p in ix.side.parts)
    finally:
        ix.close()
