"""The sidecar's substring check over many byte ranges of a segment's folded text at once."""
import numpy as np
import pytest

from indexer.index import sidecar
from tests.conftest import seeded_rng


def _case(seed: int):
    rng = seeded_rng(seed)
    words = ("代表建议", "人大常委会", "监督", "工作", "，", "。", "a", "b1", "代表")
    text = "".join(rng.choice(words) for _ in range(1200)).encode("utf-8")
    starts = np.array(sorted(rng.randrange(0, len(text)) for _ in range(700)), dtype=np.int64)
    ends = np.minimum(starts + np.array([rng.randrange(0, 90) for _ in starts]), len(text))
    return np.frombuffer(text, dtype=np.uint8), text, starts, ends


@pytest.mark.parametrize("window, chunk", [(1 << 29, 4096), (200, 4096), (200, 7), (4500, 64)])
def test_contains_each_is_bytes_find_over_each_range(monkeypatch, window, chunk):
    """One numpy string, or overlapping windows of it (a range far shorter than a window); one chunk, or many
    searched by the threads; ranges that cut a character in two or are empty included."""
    monkeypatch.setattr(sidecar, "WINDOW", window)
    monkeypatch.setattr(sidecar, "SCAN_CHUNK", chunk)
    blob, text, starts, ends = _case(window + chunk)
    for needle in ("代表建议", "监督", "，", "a", "b1代", "常委会监督", "议人"):
        needle = needle.encode("utf-8")
        want = [text.find(needle, s, e) >= 0 for s, e in zip(starts.tolist(), ends.tolist())]
        assert sidecar.contains_each([(blob, starts, ends)], needle)[0].tolist() == want, needle
        two = sidecar.contains_each([(blob, starts[1::2], ends[1::2]), (blob, starts[::3], ends[::3])], needle)
        assert [f.tolist() for f in two] == [want[1::2], want[::3]], needle
        assert 0 < sum(want) < len(want), needle


def test_contains_each_of_an_empty_text_or_no_ranges():
    empty = np.zeros(0, dtype=np.int64)
    three = np.zeros(3, dtype=np.int64)
    found = sidecar.contains_each([(np.zeros(0, dtype=np.uint8), three, three),
                                   (np.frombuffer(b"abc", dtype=np.uint8), empty, empty)], b"x")
    assert [f.tolist() for f in found] == [[False] * 3, []]
    assert sidecar.contains_each([], b"x") == []
