"""Collocates against brute force over the session index's passages: the counts in the windows, the lines,
the index frequencies, and the log-likelihood against the textbook formula."""
import math
from collections import Counter

import pytest

from indexer.index.analysis import words, words_with_offsets
from indexer.index.reader import open_index
from indexer.normalize import fold
from search_app.core.collocates import FUNCTION_WORDS, collocates, log_likelihood
from search_app.core.query import QueryError
from search_app.core.search import Params

NEEDLE = "监督"


def brute_windows(all_passages, needle: str, n: int) -> tuple[list[list[str]], Counter]:
    """Worked out directly from every passage: the words within ``n`` words of each occurrence of ``needle``, and
    the words of all the windows, each word position counted once."""
    windows, counts = [], Counter()
    for p in all_passages:
        folded = fold(p["text"])
        tokens = words_with_offsets(folded)
        seen = set()
        i = folded.find(needle)
        while i >= 0:
            end = i + len(needle)
            left = [k for k, (_, _, e) in enumerate(tokens) if e <= i][-n:]
            right = [k for k, (_, s, _) in enumerate(tokens) if s >= end][:n]
            windows.append([tokens[k][0] for k in left + right])
            seen.update(left + right)
            i = folded.find(needle, end)
        counts.update(tokens[k][0] for k in seen)
    return windows, counts


@pytest.mark.parametrize("window", [1, 5])
def test_counts_lines_and_frequencies_match_a_brute_force_count(index_dir, all_passages, window):
    got = collocates(open_index(index_dir), Params(q=f'"{NEEDLE}"'), window=window, min_count=1, limit=10_000)
    windows, counts = brute_windows(all_passages, NEEDLE, window)
    lines = Counter(w for ws in windows for w in set(ws))
    freq = Counter(w for p in all_passages for w in words(fold(p["text"])))
    assert not got["capped"] and got["matches"] == len(windows)
    assert got["window_words"] == sum(counts.values()) <= sum(map(len, windows))
    assert got["corpus_words"] == sum(freq.values())
    listed = {c["word"]: c for c in got["collocates"]}
    assert len(listed) > 10
    for word, c in listed.items():
        assert (c["count"], c["lines"], c["freq"]) == (counts[word], lines[word], freq[word]), word
        assert word not in FUNCTION_WORDS and not word.isdigit()
        assert c["count"] > c["expected"] == pytest.approx(got["window_words"] * freq[word] / got["corpus_words"],
                                                            abs=1e-3)
    # every word seen more often than expected (and not a function word or a number) is listed
    expected_words = {w for w, k in counts.items() if w not in FUNCTION_WORDS and not w.isdigit()
                      and k > got["window_words"] * freq[w] / got["corpus_words"]}
    assert set(listed) == expected_words


def test_log_likelihood_is_dunnings_g2():
    o11, r1, c1, n = 25, 1872, 30, 20084
    cells = [o11, r1 - o11, c1 - o11, n - r1 - c1 + o11]
    g2 = 2 * (sum(x * math.log(x) for x in cells) - sum(x * math.log(x) for x in (r1, n - r1, c1, n - c1))
              + n * math.log(n))
    assert log_likelihood(o11, r1, c1, n) == pytest.approx(g2)
    assert log_likelihood(0, 10, 10, 1000) > 0 and log_likelihood(1, 10, 100, 1000) == pytest.approx(0, abs=1e-9)


def test_sorted_by_the_measure_asked_for_and_filtered_by_scope(index_dir):
    ix = open_index(index_dir)
    by_ll = collocates(ix, Params(q="监督"))
    assert by_ll["measure"] == "log-likelihood" and by_ll["collocates"]
    assert [c["ll"] for c in by_ll["collocates"]] == sorted((c["ll"] for c in by_ll["collocates"]), reverse=True)
    by_count = collocates(ix, Params(q="监督"), sort="count")
    assert [c["count"] for c in by_count["collocates"]] == sorted((c["count"] for c in by_count["collocates"]),
                                                                  reverse=True)
    assert all(c["count"] >= 2 for c in by_ll["collocates"])
    county = collocates(ix, Params(q="监督", filters={"level": ["county"]}))
    assert county["corpus_words"] < by_ll["corpus_words"] and county["matches"] < by_ll["matches"]


def test_a_cap_on_the_passages_read_is_reported(index_dir):
    got = collocates(open_index(index_dir), Params(q="监督"), read=10)
    assert got["capped"] and got["read"] == 10 and got["total"] > 10


def test_bad_requests_say_why():
    with pytest.raises(QueryError):
        collocates(None, Params(q="监督"), sort="up")
    with pytest.raises(QueryError):
        collocates(None, Params(q=" "))
