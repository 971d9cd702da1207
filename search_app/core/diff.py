"""Precedents side by side (法规对比): two passages, or two reports, aligned, their differences marked
character by character, and a figure for how alike they are.

Character differences are difflib's (``SequenceMatcher`` without its junk heuristic, which would take common
characters such as 的 for noise): the longest common runs first, which reads better than a shortest edit
script (有件必备有备必审 → 有备必审有错必纠 keeps 有备必审 whole). difflib is quadratic at worst and far worse
on a few characters repeated (的的了… against 的了了…: 36 s at 2,000 characters), so the work is bounded:
a text is compared up to ``MAX_DIFF_CHARS`` characters (beyond, one ``unchecked`` opcode and ``truncated``);
when that would cost more than ``DIFF_BUDGET`` (the pairs of equal characters, which bound one search for
the longest run; real passages cost under 1,000), the common start and end are taken off and the rest is
compared clause by clause, or, should that cost too much, shown as replaced whole (``unit`` says which).
Two reports are aligned passage to passage in their order, as a comparison of two laws aligns their
articles: the pairs chosen are those that together are most alike (a monotone alignment), likeness
measured cheaply by shared pairs of characters; passages less alike than ``PAIR_MIN`` stay unpaired. A
report is aligned up to ``MAX_REPORT_PASSAGES`` passages; its further passages are listed unpaired and the
result says ``truncated``.
"""
from __future__ import annotations

import re
from collections import Counter
from difflib import SequenceMatcher

import numpy as np

from indexer.index.reader import Index
from search_app.core import deadline
from search_app.core.citations import cite
from search_app.core.query import QueryError
from search_app.core.records import Hit
from search_app.core.search import make_hit

MAX_DIFF_CHARS = 5_000          # characters of one text compared (a passage has ~300)
DIFF_BUDGET = 40_000            # pairs of equal characters compared by character: 0.1 s at worst (的的了 × 100)
MAX_REPORT_PASSAGES = 600       # passages of one report aligned (the alignment is n × m)
PAIR_MIN = 0.3                  # likeness (Dice over character pairs) below which two passages are not paired


CLAUSE = re.compile(r"[^，。；：！？,;:!?\n]*[，。；：！？,;:!?\n]+|[^，。；：！？,;:!?\n]+")


def _cost(a, b) -> int:
    """The pairs of equal units of ``a`` and ``b``: what one search for their longest common run reads."""
    counts = Counter(b)
    return sum(n * counts[u] for u, n in Counter(a).items())


def _middle(a: str, b: str) -> tuple[list[tuple], str]:
    """difflib's opcodes of two texts with nothing in common at either end, by character, by clause, or
    whole, within ``DIFF_BUDGET``; and the unit used."""
    if _cost(a, b) <= DIFF_BUDGET:
        return SequenceMatcher(None, a, b, autojunk=False).get_opcodes(), "char"
    ta, tb = CLAUSE.findall(a), CLAUSE.findall(b)
    if _cost(ta, tb) > DIFF_BUDGET:
        return [("replace", 0, len(a), 0, len(b))], "whole"
    ends_a = [0, *np.cumsum([len(t) for t in ta]).tolist()]
    ends_b = [0, *np.cumsum([len(t) for t in tb]).tolist()]
    return [(tag, ends_a[i1], ends_a[i2], ends_b[j1], ends_b[j2])
            for tag, i1, i2, j1, j2 in SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes()], "clause"


def diff_texts(a: str, b: str, limit: int = MAX_DIFF_CHARS) -> dict:
    """The differences of two texts: ``opcodes`` as difflib gives them (``[tag, i1, i2, j1, j2]``, tags
    equal/replace/delete/insert), past ``limit`` characters one ``unchecked`` opcode for both tails; ``unit``,
    how the differing middle was compared (char, clause or whole); ``same``, the characters found in common;
    ``ratio``, 2 × same / characters compared (1.0 for two empty texts)."""
    ca, cb = a[:limit], b[:limit]
    start = end = 0
    if _cost(ca, cb) > DIFF_BUDGET:     # the common ends taken off only then: difflib reads better whole
        while start < min(len(ca), len(cb)) and ca[start] == cb[start]:
            start += 1
        while end < min(len(ca), len(cb)) - start and ca[-1 - end] == cb[-1 - end]:
            end += 1
    middle, unit = _middle(ca[start:len(ca) - end], cb[start:len(cb) - end])
    opcodes: list[list] = []
    for tag, i1, i2, j1, j2 in [("equal", 0, start, 0, start),
                                *((t, i1 + start, i2 + start, j1 + start, j2 + start) for t, i1, i2, j1, j2 in middle),
                                ("equal", len(ca) - end, len(ca), len(cb) - end, len(cb))]:
        if i1 == i2 and j1 == j2:
            continue
        if opcodes and tag == opcodes[-1][0] == "equal":
            opcodes[-1][2], opcodes[-1][4] = i2, j2
        else:
            opcodes.append([tag, i1, i2, j1, j2])
    truncated = len(a) > limit or len(b) > limit
    if truncated:
        opcodes.append(["unchecked", len(ca), len(a), len(cb), len(b)])
    same = sum(op[2] - op[1] for op in opcodes if op[0] == "equal")
    compared = len(ca) + len(cb)
    return {"ratio": round(2 * same / compared, 4) if compared else 1.0, "same": same, "opcodes": opcodes,
            "unit": unit, "truncated": truncated}


def segments(text: str, opcodes: list[list], side: str) -> list[dict]:
    """One side's text (``side`` "a" or "b") cut where it differs: ``{"text", "op"}``, op being the opcode's
    tag; side a has no insert pieces, side b no delete pieces."""
    out = []
    for tag, i1, i2, j1, j2 in opcodes:
        lo, hi = (i1, i2) if side == "a" else (j1, j2)
        if hi > lo:
            out.append({"text": text[lo:hi], "op": tag})
    return out


def _grams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def likeness(a: list[str], b: list[str]) -> np.ndarray:
    """Dice's coefficient of every passage of ``a`` with every passage of ``b`` over their character pairs
    (n × m), counted through an inverted list of ``b``'s pairs rather than n × m set intersections."""
    postings: dict[str, list[int]] = {}
    b_sizes = np.zeros(len(b))
    for j, text in enumerate(b):
        grams = _grams(text)
        b_sizes[j] = len(grams)
        for g in grams:
            postings.setdefault(g, []).append(j)
    lists = {g: np.asarray(js, dtype=np.int64) for g, js in postings.items()}
    out = np.zeros((len(a), len(b)))
    for i, text in enumerate(a):
        if i % 64 == 0:
            deadline.check()
        grams = _grams(text)
        hits = [lists[g] for g in grams if g in lists]
        if hits:
            shared = np.bincount(np.concatenate(hits), minlength=len(b))
            out[i] = 2 * shared / (len(grams) + b_sizes)
    return out


def align(a: list[str], b: list[str], pair_min: float = PAIR_MIN) -> list[tuple[int | None, int | None]]:
    """The passages of two reports in order as rows (i, j), (i, None) or (None, j): the monotone pairing with
    the largest summed likeness, pairs below ``pair_min`` left out; each row of the dynamic programme is one
    running maximum (numpy), the walk back a few steps per passage."""
    if not a or not b:
        return [(i, None) for i in range(len(a))] + [(None, j) for j in range(len(b))]
    weight = likeness(a, b)
    weight[weight < pair_min] = -1.0        # never worth taking
    best = np.zeros((len(a) + 1, len(b) + 1))
    for i in range(1, len(a) + 1):
        if i % 64 == 0:
            deadline.check()
        best[i, 1:] = np.maximum.accumulate(np.maximum(best[i - 1, 1:], best[i - 1, :-1] + weight[i - 1]))
    pairs = []
    i, j = len(a), len(b)
    while i > 0 and j > 0:
        if best[i, j] == best[i, j - 1]:
            j -= 1
        elif best[i, j] == best[i - 1, j]:
            i -= 1
        else:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
    rows: list[tuple[int | None, int | None]] = []
    i = j = 0
    for pi, pj in [*reversed(pairs), (len(a), len(b))]:
        rows += [(k, None) for k in range(i, pi)] + [(None, k) for k in range(j, pj)]
        if pi < len(a):
            rows.append((pi, pj))
        i, j = pi + 1, pj + 1
    return rows


def passage_hit(ix: Index, passage_id: str) -> Hit:
    """A passage as a cited ``Hit``.

    :raises QueryError: a passage the index does not hold."""
    row = ix.row_of_passage(passage_id)
    if row is None:
        raise QueryError(f"索引中没有段落 {passage_id!r}")
    return cite(ix, [make_hit(ix, row, 0.0, [], 60, False)])[0]


def compare_passages(ix: Index, a: str, b: str) -> dict:
    """Two passages (by id) side by side: each as a cited ``Hit``, their differences (``diff_texts``) and
    each side's ``segments``.

    :raises QueryError: a passage the index does not hold.
    """
    hit_a, hit_b = passage_hit(ix, a), passage_hit(ix, b)
    diff = diff_texts(hit_a.text, hit_b.text)
    return {"a": hit_a, "b": hit_b, **diff, "segments": {"a": segments(hit_a.text, diff["opcodes"], "a"),
                                                         "b": segments(hit_b.text, diff["opcodes"], "b")}}


def _report(ix: Index, doc_id: str) -> tuple[dict, list[dict]]:
    doc = ix.document(doc_id)
    if doc is None:
        raise QueryError(f"索引中没有编号为 {doc_id!r} 的报告")
    passages = [{"passage_id": p["passage_id"], "heading": s["heading"] or None, "text": p["text"]}
                for s in doc["sections"] for p in s["passages"]]
    cited = cite(ix, [Hit(passage_id="", doc_id=doc_id, year=doc.get("year"))])[0]
    side = {"doc_id": doc_id, "title": doc["title"], "region": doc.get("region") or None,
            "year": doc.get("year"), "doc_type": doc.get("doc_type"), "passages": len(passages),
            "citation": cited.citation, "citation_url": cited.citation_url}
    return side, passages


def compare_reports(ix: Index, a: str, b: str) -> dict:
    """Two reports (by id) side by side: their passages aligned (``align``), each row with its passages and,
    for a pair, its differences; ``ratio`` over the whole reports, 2 × characters in common / characters.

    :raises QueryError: a report the index does not hold.
    """
    side_a, pa = _report(ix, a)
    side_b, pb = _report(ix, b)
    rows = align([p["text"] for p in pa[:MAX_REPORT_PASSAGES]], [p["text"] for p in pb[:MAX_REPORT_PASSAGES]])
    rows += [(i, None) for i in range(MAX_REPORT_PASSAGES, len(pa))]
    rows += [(None, j) for j in range(MAX_REPORT_PASSAGES, len(pb))]
    out, same, truncated = [], 0, max(len(pa), len(pb)) > MAX_REPORT_PASSAGES
    for k, (i, j) in enumerate(rows):
        if k % 64 == 0:
            deadline.check()
        left, right = pa[i] if i is not None else None, pb[j] if j is not None else None
        diff = diff_texts(left["text"] if left else "", right["text"] if right else "")
        same += diff["same"]
        truncated = truncated or diff["truncated"]
        out.append({"a": left, "b": right, "ratio": diff["ratio"] if left and right else 0.0,
                    "opcodes": diff["opcodes"],
                    "segments": {"a": segments(left["text"], diff["opcodes"], "a") if left else [],
                                 "b": segments(right["text"], diff["opcodes"], "b") if right else []}})
    chars = sum(len(p["text"]) for p in pa) + sum(len(p["text"]) for p in pb)
    return {"a": side_a, "b": side_b, "ratio": round(2 * same / chars, 4) if chars else 1.0,
            "paired": sum(1 for i, j in rows if i is not None and j is not None), "rows": out,
            "truncated": truncated}
