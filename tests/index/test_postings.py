"""Gram postings, and the edge grams that spare reading a passage for a word of one or two characters."""
from indexer.index.postings import GRAM_CHUNK, edge_gram_keys, gram_keys, gram_postings
from tests.conftest import seeded_rng


def _grams(text: str) -> set[str]:
    return set(text) | {text[i:i + 2] for i in range(len(text) - 1)}


def _as_sets(runs) -> dict[str, set[int]]:
    g = gram_postings(runs)
    return {term: set(g.rows[g.offsets[i]:g.offsets[i + 1]].tolist()) for i, term in enumerate(g.term_strings())}


def _rows(seed: int, n: int):
    rng = seeded_rng(seed)
    pieces = ("监督", "代表", "工作", "一、", "审查", "，", "a", "人大常委会")
    make = lambda k: "".join(rng.choice(pieces) for _ in range(k))      # noqa: E731
    return [(make(rng.randrange(0, 3)) if rng.random() < 0.4 else "", make(rng.randrange(0, 12)),
             make(rng.randrange(0, 3)) if rng.random() < 0.1 else "") for _ in range(n)]


def test_gram_postings_are_the_grams_of_each_row_over_several_runs():
    rows = _rows(1, GRAM_CHUNK + 50)
    folded = [lead + own + trail for lead, own, trail in rows]
    want: dict[str, set[int]] = {}
    for r, text in enumerate(folded):
        for g in _grams(text):
            want.setdefault(g, set()).add(r)
    assert _as_sets(gram_keys(folded, 0)) == want


def test_edge_grams_are_those_a_row_holds_only_around_its_passage():
    rows = _rows(2, 300)
    edge = [r for r, (lead, _, trail) in enumerate(rows) if lead or trail]
    got = _as_sets(edge_gram_keys(["".join(rows[r]) for r in edge], [rows[r][1] for r in edge], edge))
    want: dict[str, set[int]] = {}
    for r in edge:
        for g in _grams("".join(rows[r])) - _grams(rows[r][1]):
            want.setdefault(g, set()).add(r)
    assert got == want
    assert any(len(g) == 2 and not any(g in part for part in rows[r]) for g, rs in want.items() for r in rs), \
        "a gram across the border of the headings and the passage"

