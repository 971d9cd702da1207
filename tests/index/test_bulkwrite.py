"""The bulk-written Whoosh segment reads back through Whoosh's public API exactly as the postings say."""
import pickle
import shutil

import numpy as np
import pytest
from whoosh.formats import Positions
from whoosh.query import Phrase

from indexer.index.analysis import words
from indexer.index.bulkwrite import encode_positions
from indexer.index.reader import open_index
from indexer.normalize import fold
from tests.conftest import search_json, seeded_rng


def test_encode_positions_equals_whoosh_positions_encode():
    rng = seeded_rng(3)
    postings = [sorted(rng.sample(range(65000), rng.randint(1, 40))) for _ in range(1000)]
    deltas = np.array([d for p in postings for d in np.diff([0] + p)], dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum([len(p) for p in postings]))).astype(np.int64)
    buf, off = encode_positions(offsets, deltas)
    assert all(pickle.loads(buf[off[i]:off[i + 1]] + b".") == Positions().encode(p) for i, p in enumerate(postings))


def test_encode_positions_refuses_what_it_cannot_encode_exactly():
    with pytest.raises(ValueError):
        encode_positions(np.array([0, 1]), np.array([70000]))


def test_pickled_positions_are_the_values_whoosh_would_pickle():
    rng = seeded_rng(4)
    postings = [sorted(rng.sample(range(65000), rng.choice([1, 2, 3, 60, 300]))) for _ in range(300)]
    deltas = np.array([d for p in postings for d in np.diff([0] + p)], dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum([len(p) for p in postings]))).astype(np.int64)
    buf, off = encode_positions(offsets, deltas)
    items = b"".join(buf[off[i]:off[i + 1]] for i in range(len(postings)))
    assert pickle.loads(b"\x80\x02(" + items + b"t.") == tuple(Positions().encode(p) for p in postings)
    assert max(len(Positions().encode(p)) for p in postings) > 255        # both lengths of bytes opcode


def test_whoosh_reads_every_field_like_the_sidecar(tmp_path, monkeypatch):
    """Written with blocks of 16 postings, so that many postings span several blocks and the per-block delta
    encoding is read back, and with the pickled blocks put together 100 postings at a time."""
    from indexer.index import bulkwrite
    from indexer.update import ingest
    from tests.conftest import SAMPLES, SEEDS
    monkeypatch.setattr(bulkwrite, "BLOCK", 16)
    monkeypatch.setattr(bulkwrite, "CHUNK", 100)
    ingest(tmp_path, [SAMPLES, SEEDS], workers=1)
    ix = open_index(tmp_path)
    reader = ix.searcher.reader()
    assert reader.doc_count() == ix.n
    (part,) = ix.side.parts                                               # the session index is one segment
    assert all(ix.stored(r)["row"] == r for r in range(0, ix.n, 37))     # document number == sidecar row
    vocab = part.side.word_vocab
    for t in range(0, len(vocab), max(1, len(vocab) // 300)):
        word = vocab[t]
        rows, tf = ix.side.word_postings(word)
        m = reader.postings("words", word)
        got_rows, got_tf, weights = [], [], []
        while m.is_active():
            got_rows.append(m.id())
            got_tf.append(len(m.value_as("positions")))
            weights.append(m.weight())
            m.next()
        assert got_rows == rows.tolist() and got_tf == tf.tolist() == weights, word
        info = reader.term_info("words", word)
        assert (info.doc_frequency(), info.weight(), info.max_weight()) == (len(rows), tf.sum(), tf.max()), word
    longest = 0
    for gram in reader.lexicon("grams"):
        gram = gram.decode("utf-8")
        ids = list(reader.postings("grams", gram).all_ids())
        assert ids == ix.side.gram_rows(gram).tolist(), gram
        longest = max(longest, len(ids))
    assert longest > 2 * bulkwrite.BLOCK


def test_positions_are_ordinal_so_whoosh_phrases_work(index_dir, all_passages):
    ix = open_index(index_dir)
    phrase = ["备案审查", "工作"]
    want = {p["passage_id"] for p in all_passages if any(words(fold(p["text"]))[i:i + 2] == phrase
                                                          for i in range(len(words(fold(p["text"])))))}
    got = {hit["passage_id"] for hit in ix.searcher.search(Phrase("words", phrase), limit=None)}
    assert got == want and want


def test_segments_written_in_parallel_answer_like_one_segment(tmp_path, index_dir):
    """With two workers each segment is written by a process of its own; answers equal one segment's."""
    from indexer.index.commits import current_commit
    from indexer.settings import load_settings
    from indexer.update import rebuild
    from search_app.core.search import Params
    shutil.copytree(index_dir, tmp_path / "ix")
    rebuild(tmp_path / "ix", workers=2, settings=load_settings(max_segment_passages=60))
    assert len(current_commit(tmp_path / "ix").segments) > 2
    ix = open_index(tmp_path / "ix")
    assert len(list(ix.searcher.reader().leaf_readers())) == len(ix.commit.segments)
    one_segment = open_index(index_dir)
    assert len(list(one_segment.searcher.reader().leaf_readers())) == 1
    for q in ['"备案审查"', "代表建议 办理", '"联系点 立法"~3', "监督 -专题询问"]:
        got = sorted((h["passage_id"], h["score"]) for h in search_json(ix, Params(q=q, limit=1000))["hits"])
        want = sorted((h["passage_id"], h["score"]) for h in search_json(one_segment, Params(q=q, limit=1000))["hits"])
        assert got == want and got
    m = ix.searcher.reader().postings("words", "监督")
    ids = []
    while m.is_active():
        ids.append(m.id())
        m.next()
    assert ids == ix.side.word_postings("监督")[0].tolist()
