"""The one reader of an index directory: a generation opened once, dropped with its files when replaced."""
import gc
import os
import shutil
from pathlib import Path

from indexer.index.reader import open_index
from indexer.update import ingest, rebuild
from search_app.core.search import Params, search
from tests.conftest import SAMPLES


def open_files_under(path: Path) -> list[str]:
    """Descriptors and memory maps of this process that point into ``path`` (a folder, or the files whose names
    start with it)."""
    root = str(path.resolve())
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(root):
            found.append(target)
    with open("/proc/self/maps", encoding="utf-8") as fh:
        found += [line.split(None, 5)[-1].strip() for line in fh if root in line]
    return found


def test_a_replaced_commit_closes_its_files_without_waiting_for_the_collector(tmp_path):
    """Regression: an opened index kept a cache that referred back to itself (an lru_cache over a partial of
    the index), so an index replaced by a rebuild kept its files open until garbage collection."""
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copy(SAMPLES / "02-ningxia-2014.html", reports)
    ingest(tmp_path / "ix", [reports], workers=1)
    ix = open_index(tmp_path / "ix")
    result = search(ix, Params(q="监督 备案", limit=5, kwic=True))       # touches every kind of file
    assert result["total"] and ix.document(result["hits"][0].doc_id)
    old = [tmp_path / "ix" / "segments" / s.id for s in ix.commit.segments] + \
        [tmp_path / "ix" / "whoosh" / w for s in ix.commit.segments for w in s.whoosh]
    assert any(open_files_under(p) for p in old)
    del ix, result
    rebuild(tmp_path / "ix", workers=1)            # every segment written again: the old files are no longer used
    gc.disable()
    try:
        new = open_index(tmp_path / "ix")
        assert not {s.id for s in new.commit.segments} & {p.name for p in old}
        assert [f for p in old for f in open_files_under(p)] == []
        assert open_files_under(tmp_path / "ix" / "segments" / new.commit.segments[0].id)
    finally:
        gc.enable()


def test_the_same_generation_is_shared_until_a_new_one_goes_live(index_dir):
    assert open_index(index_dir) is open_index(index_dir)


def test_a_new_commit_opens_only_its_new_segments(tmp_path, monkeypatch):
    """Segments never change once written: a commit that adds one shares the sidecars of the others with the
    commit before it (mapped once per process), so the first search after a commit costs little (R3: its p99
    was 108 ms with four readers beside a writer, 47 ms with this)."""
    from indexer.index import reader, sidecar
    for name in ("01-zhejiang-2022.html", "02-ningxia-2014.html"):
        (tmp_path / name[:2]).mkdir()
        shutil.copy(SAMPLES / name, tmp_path / name[:2])
    ingest(tmp_path / "ix", [tmp_path / "01"], workers=1)
    old = open_index(tmp_path / "ix")
    opened = []
    monkeypatch.setattr(reader, "Sidecar", lambda path, *a: opened.append(path) or sidecar.Sidecar(path, *a))
    ingest(tmp_path / "ix", [tmp_path / "01", tmp_path / "02"], workers=1)
    new = open_index(tmp_path / "ix")
    assert new is not old and len(new.side.parts) == len(old.side.parts) + 1
    assert all(a.side is b.side for a, b in zip(old.side.parts, new.side.parts))
    assert opened == [new.side.parts[-1].side.path]                   # only the new segment was opened
    kept = new.side.parts[0].side.path.parent
    del old
    assert open_files_under(kept)                                     # still the new commit's
    assert search(new, Params(q="监督", limit=3))["total"]


def test_a_bounded_cache_forgets_everything_when_the_next_value_would_pass_its_budget():
    from indexer.index.reader import Bounded
    cache = Bounded(10)
    assert cache.put("a", 1, 4) == 1 and cache.put("b", 2, 4) == 2 and dict(cache) == {"a": 1, "b": 2}
    cache.put("c", 3, 4)                           # 12 > 10: the others go
    assert dict(cache) == {"c": 3} and cache.spent == 4
    assert cache.put("huge", 4, 11) == 4 and "huge" not in cache      # alone over the budget: returned, not kept
    nothing = Bounded(0)
    nothing.put("a", 1)
    assert not nothing
