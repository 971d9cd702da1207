"""What is new for a search: passages by the ingest time of their report, after a given time, newest first."""
import json

import pytest

from indexer.index.commits import SIDECAR_DIR, current_commit, segment_dir
from indexer.index.reader import open_index
from indexer.index.sidecar import DOC_META
from search_app.core.alerts import iso, newest
from search_app.core.query import QueryError
from search_app.core.search import Params, search
from tests.index.test_ingest_time import FIRST, LATER, add


@pytest.fixture(scope="module")
def two_batches(tmp_path_factory):
    """An index of two reports ingested at 1,000 s and, later, one of 内蒙古 at 2,000 s."""
    tmp = tmp_path_factory.mktemp("alerts")
    add(tmp, tmp / "ix", FIRST, 1_000.0)
    add(tmp, tmp / "ix", LATER, 2_000.0)
    return open_index(tmp / "ix")


def test_only_the_later_batch_is_new_since_the_first(two_batches):
    ix = two_batches
    new = newest(ix, Params(q="监督"), since=1_000.0, limit=500)
    assert new["new"] == len(new["hits"]) > 0
    assert {h.province for h in new["hits"]} == {"内蒙古自治区"}
    assert {h.ingested for h in new["hits"]} == {iso(2_000.0)} == {"1970-01-01T00:33:20Z"}
    assert new["since"] == iso(1_000.0) and new["seen"] == 2_000.0
    everything = search(ix, Params(q="监督", limit=0, relax=False))["total"]
    assert newest(ix, Params(q="监督"), since=0.0, limit=0)["new"] == everything
    assert newest(ix, Params(q="监督"), since=2_000.0)["new"] == 0


def test_newest_first_then_in_index_order_and_bounded(two_batches):
    ix = two_batches
    all_new = newest(ix, Params(q="监督"), limit=10_000)["hits"]
    times = [h.ingested for h in all_new]
    assert times == sorted(times, reverse=True) and len(set(times)) == 2
    first_ten = newest(ix, Params(q="监督"), limit=10)["hits"]
    assert [h.passage_id for h in first_ten] == [h.passage_id for h in all_new[:10]]
    assert all(h.highlight and h.citation for h in first_ten)       # marked and citable as any hit


def test_filters_apply_and_a_search_that_cannot_run_is_refused(two_batches):
    ix = two_batches
    zhejiang = newest(ix, Params(q="监督", filters={"province": ["浙江"]}), limit=500)
    assert zhejiang["hits"] and {h.province for h in zhejiang["hits"]} == {"浙江省"}
    assert {h.ingested for h in zhejiang["hits"]} == {iso(1_000.0)}
    # an alert is never relaxed: words that are not there together are no news
    assert newest(ix, Params(q="监督 月球基地"))["new"] == 0
    with pytest.raises(QueryError):
        newest(ix, Params(q=""))


def test_a_feed_lists_reports_of_no_known_time_but_an_alert_does_not(tmp_path):
    """Reports of a segment written before ingest times were kept read 0: a feed (no ``since``) still lists them,
    as the oldest; an alert that has seen the index (``since`` 0.0) does not call them new."""
    add(tmp_path, tmp_path / "ix", FIRST, 1_000.0)
    for seg in current_commit(tmp_path / "ix").segments:       # a sidecar of before: DOC_META without "ingested"
        meta_file = segment_dir(tmp_path / "ix", seg.id) / SIDECAR_DIR / "meta.json"
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        meta["doc_meta"] = [m[:DOC_META.index("ingested")] for m in meta["doc_meta"]]
        meta_file.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    ix = open_index(tmp_path / "ix")
    everything = search(ix, Params(q="监督", limit=0, relax=False))["total"]
    assert everything and newest(ix, Params(q="监督"), limit=0)["new"] == everything
    assert newest(ix, Params(q="监督"), since=0.0)["new"] == 0
