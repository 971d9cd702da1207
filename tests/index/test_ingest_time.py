"""Each report carries the time an ingest took it in (``Document.ingested``), per row through the reader: a later
ingest stamps a later time, merges and rebuilds keep each report's own, and a segment written before times were
kept reads 0 ("before any saved search ran")."""
import json
import shutil
from dataclasses import replace

import numpy as np

from indexer.index.commits import SIDECAR_DIR, current_commit, segment_dir
from indexer.index.reader import open_index
from indexer.settings import SETTINGS
from indexer.update import ingest, optimize, rebuild
from tests.conftest import SAMPLES

FIRST = ("10-quanguo-2010.txt", "15-huzhou-2022.md")
LATER = ("12-etuokeqianqi-2020.txt",)           # 鄂托克前旗, 内蒙古自治区: the only report of that province here


class At:
    """An injected clock (indexer.fetch.clock.Clock) that reads what the test set; it never waits."""

    def __init__(self, now: float):
        self.t = now

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds


def add(tmp_path, ix, names, at: float, settings=SETTINGS):
    src = tmp_path / ("src-" + "-".join(n[:2] for n in names))
    src.mkdir(exist_ok=True)
    for n in names:
        shutil.copy(SAMPLES / n, src / n)
    return ingest(ix, [src], settings=settings, workers=1, clock=At(at))


def times_by_province(ix_dir) -> dict[str, set[float]]:
    ix = open_index(ix_dir)
    times = ix.ingest_times()
    out: dict[str, set[float]] = {}
    for row in ix.all_rows.tolist():
        out.setdefault(ix.passage(row)["province"] or "", set()).add(float(times[row]))
    return out


def test_a_later_ingest_stamps_only_its_reports_and_a_merge_keeps_each_time(tmp_path):
    ix = tmp_path / "ix"
    merging = replace(SETTINGS, merge_factor=2)        # two small segments are written again as one
    add(tmp_path, ix, FIRST, 1_000.0, merging)
    assert open_index(ix).latest_ingest() == 1_000.0
    add(tmp_path, ix, LATER, 2_000.0, merging)
    assert len(current_commit(ix).segments) == 1       # merged: the first batch's reports were written again
    by_province = times_by_province(ix)
    assert by_province.pop("内蒙古自治区") == {2_000.0}
    assert by_province and all(t == {1_000.0} for t in by_province.values())
    assert open_index(ix).latest_ingest() == 2_000.0
    # unchanged files ingested again are skipped and keep their time; a rebuild and an optimize keep every
    # report's; a repost (the same report under another path) is folded with the held copy, and whichever copy
    # is kept (here the new one, by the tie-break on its path), the report keeps its first time
    assert add(tmp_path, ix, FIRST, 3_000.0, merging).build is None
    repost = tmp_path / "repost"
    repost.mkdir()
    shutil.copy(SAMPLES / FIRST[0], repost / FIRST[0])
    assert ingest(ix, [repost], settings=merging, workers=1, clock=At(3_500.0)).build.documents == 3
    rebuild(ix, workers=1, clock=At(4_000.0))
    optimize(ix, workers=1)
    assert times_by_province(ix) == {**by_province, "内蒙古自治区": {2_000.0}}


def test_a_rebuild_from_processed_documents_stamps_those_without_a_time(tmp_path):
    from indexer.store import write_documents
    from indexer.understand.pipeline import parse_file
    docs = [parse_file(SAMPLES / n) for n in FIRST]
    assert all(d.ingested == 0.0 for d in docs)         # parsing alone is no ingest
    docs[0].ingested = 500.0
    rebuild(tmp_path / "ix", write_documents(tmp_path / "docs", docs), workers=1, clock=At(1_500.0))
    ix = open_index(tmp_path / "ix")
    per_report = {ix.side.doc_ids[int(d)]: float(t) for d, t in zip(ix.side["doc"], ix.ingest_times())}
    assert per_report == {docs[0].doc_id: 500.0, docs[1].doc_id: 1_500.0}


def test_a_segment_written_before_ingest_times_reads_zero(tmp_path):
    ix = tmp_path / "ix"
    add(tmp_path, ix, FIRST, 1_000.0)
    for seg in current_commit(ix).segments:            # a sidecar of before: DOC_META without "ingested"
        meta_file = segment_dir(ix, seg.id) / SIDECAR_DIR / "meta.json"
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        meta["doc_meta"] = [m[:8] for m in meta["doc_meta"]]
        meta_file.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    old = open_index(ix)
    assert len(old.ingest_times()) == old.size and not np.any(old.ingest_times())
    assert old.latest_ingest() == 0.0


def test_a_file_read_again_by_a_newer_parser_keeps_its_time(tmp_path, monkeypatch):
    """A parser of another version reads every held file again (their content unchanged): their reports are
    not new, so a saved search's next run must not list them all."""
    import indexer.update
    ix = tmp_path / "ix"
    add(tmp_path, ix, FIRST, 1_000.0)
    monkeypatch.setattr(indexer.update, "PARSER_VERSION", indexer.update.PARSER_VERSION + 1)
    assert add(tmp_path, ix, FIRST, 2_000.0).parsed == len(FIRST)
    assert set().union(*times_by_province(ix).values()) == {1_000.0}
    assert open_index(ix).latest_ingest() == 1_000.0
