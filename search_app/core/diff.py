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
measured cheaply by shared pairs of characters; passages less alike than ``PAIR_MIN`` stay unpaired. Two
reports (the 对照版 of one congress's reports of two years) are aligned section category by section category
first (监督工作 with 监督工作, wherever a year's report puts it), and the passages left over then across
categories; each row is new, dropped, reworded or unchanged, and a reworded pair's changed figures are picked
out (执法检查 5 项 → 6 项, 十四件 → 16件). A report is aligned up to ``MAX_REPORT_PASSAGES`` passages; its
further passages are listed unaligned and the result says ``truncated``.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from difflib import SequenceMatcher

import numpy as np

from indexer.index.reader import Index
from indexer.index.sidecar import DOC_META
from indexer.numerals import DIGITS, MYRIADS, UNITS, number
from search_app.core import deadline
from search_app.core.citations import cite
from search_app.core.query import QueryError
from search_app.core.records import Hit
from search_app.core.search import make_hit

MAX_DIFF_CHARS = 5_000          # characters of one text compared (a passage has ~300)
DIFF_BUDGET = 40_000            # pairs of equal characters compared by character: 0.1 s at worst (的的了 × 100)
MAX_REPORT_PASSAGES = 600       # passages of one report aligned (the alignment is n × m)
PAIR_MIN = 0.3                  # likeness (Dice over character pairs) below which two passages are not paired
# what a row of two reports is, and its name on the pages (the summary counts each): 乙 has it alone, 甲 alone, both
# in other words, both alike; past MAX_REPORT_PASSAGES, not aligned at all
STATUSES = {"new": "新增", "dropped": "删去", "reworded": "改写", "unchanged": "未变", "unaligned": "未对齐"}


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


def align_by_category(a: list[tuple[str, str]], b: list[tuple[str, str]],
                      pair_min: float = PAIR_MIN) -> list[tuple[int | None, int | None]]:
    """The passages of two reports, each ``(category, text)``, as rows (i, j), (i, None) or (None, j): paired
    within each section category first (``align``: a report of another year may move its 监督工作 ahead of its
    代表工作 and still meet it), then the passages left over across categories (a passage that moved from one
    section to another). Rows follow ``a``'s order, a passage only ``b`` has after the row of the passage
    before it in ``b``."""
    pairs: dict[int, int] = {}
    for category in dict.fromkeys(c for c, _ in [*a, *b]):
        ia = [i for i, (c, _) in enumerate(a) if c == category]
        jb = [j for j, (c, _) in enumerate(b) if c == category]
        if ia and jb:
            pairs.update((ia[i], jb[j]) for i, j in align([a[i][1] for i in ia], [b[j][1] for j in jb], pair_min)
                         if i is not None and j is not None)
    taken = set(pairs.values())
    la = [i for i in range(len(a)) if i not in pairs]
    lb = [j for j in range(len(b)) if j not in taken]
    pairs.update((la[i], lb[j]) for i, j in align([a[i][1] for i in la], [b[j][1] for j in lb], pair_min)
                 if i is not None and j is not None)
    a_of = {j: i for i, j in pairs.items()}
    keyed, before = [((i, 0, 0), (i, pairs.get(i))) for i in range(len(a))], -1
    for j in range(len(b)):
        if j in a_of:
            before = a_of[j]
        else:
            keyed.append(((before, 1, j), (None, j)))
    return [row for _, row in sorted(keyed)]


# ------------------------------------------------------------------------------------------ changed figures

_DIGITS = r"\d+(?:,\d{3})*(?:\.\d+)?"          # not ，: 检查5，300人参加 is two numbers
_CN_CHARS = "".join(DIGITS) + "".join(UNITS) + "".join(MYRIADS)
_CN = f"[{''.join(DIGITS)}十][{_CN_CHARS}]*"          # 十四, 一百零八; not 万人, 千方百计, 百姓
# the measure words of a report's figures (longest first, so 人次 is not read as 人); no 年, 月, 日 (dates) and no 届
# (第十四届: an ordinal). A number after 第 is no figure, nor is the tail of a number (四次 of 第十四次).
MEASURES = sorted({"个百分点", "人次", "件次", "场次", "批次", "户次", "项次", "个次", "课时", "小时", "公里", "平方米", "元",
                   "件", "项", "次", "个", "名", "人", "位", "场", "篇", "条", "部", "家", "批", "期", "天", "处",
                   "所", "户", "份", "类", "种", "轮", "组", "支", "座", "册", "起", "宗", "套", "亩", "吨", "台",
                   "辆", "张", "本", "例", "倍", "%", "％"}, key=len, reverse=True)
QUANTITY = re.compile(rf"(?<![第\d.{_CN_CHARS}])(?:百分之(?P<pct>{_DIGITS}|{_CN}|百)"
                      rf"|(?P<num>{_DIGITS}|{_CN})(?:余|多)?(?P<mult>[万亿])?(?:余|多)?[ \u3000]?(?P<unit>{'|'.join(MEASURES)}))")
_CLAUSE_END = re.compile(r"[，。；：、！？,;:!?\n（）()“”]")
CONTEXT_CHARS = 16          # of the words before a changed figure, shown with it (专题询问 十二次 → 14次)


def quantities(text: str) -> list[dict]:
    """The figures of a text, each a number with its measure word: ``start``, ``end``, ``text`` as written,
    ``value`` and ``unit`` (百分之九十五 and 95% alike: value 95, unit %). A number after 第 is an ordinal."""
    out = []
    for m in QUANTITY.finditer(text):
        value = number(m.group("pct") or m.group("num"), digit_by_digit=True)
        if value is None:
            continue
        if m.group("mult"):
            value = round(value * (10_000 if m.group("mult") == "万" else 100_000_000), 4)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        unit = "%" if m.group("pct") or m.group("unit") == "％" else m.group("unit")
        out.append({"start": m.start(), "end": m.end(), "text": m.group(0), "value": value, "unit": unit})
    return out


def _touched(opcodes: list[list], side: str, n: int) -> list[bool]:
    """For each character of one side's ``n`` (and the place after the last), whether a difference touches it: a
    character replaced, deleted or inserted, or the place where the other side's characters go in."""
    lo, hi = (1, 2) if side == "a" else (3, 4)
    marks = [False] * (n + 1)
    for op in opcodes:
        if op[0] != "equal" and op[lo] <= n:
            end = min(max(op[hi], op[lo] + 1), n + 1)
            marks[op[lo]:end] = [True] * (end - op[lo])
    return marks


def _to_b(p: int, opcodes: list[list], a_starts: list[int]) -> int:
    """Where side a's character ``p`` falls on side b (within a replaced run, proportionally); ``a_starts``, the
    opcodes' starts on side a."""
    k = bisect_right(a_starts, p) - 1
    while 0 <= k < len(opcodes) and opcodes[k][1] == opcodes[k][2]:      # an insertion holds no character of a
        k -= 1
    if k < 0 or p >= opcodes[k][2]:
        return opcodes[-1][4] if opcodes else 0
    tag, i1, i2, j1, j2 = opcodes[k]
    return j1 + (p - i1 if tag == "equal" else (p - i1) * (j2 - j1) // (i2 - i1))


def _context(text: str, start: int) -> str:
    """The words before a figure within its clause, the last ``CONTEXT_CHARS`` of them."""
    return _CLAUSE_END.split(text[max(0, start - 4 * CONTEXT_CHARS):start])[-1][-CONTEXT_CHARS:].strip()


def number_changes(a: str, b: str, opcodes: list[list], limit: int = MAX_DIFF_CHARS) -> list[dict]:
    """The figures that changed from ``a`` to ``b`` (opcodes of ``diff_texts``): a figure of ``a`` that a
    difference touches, met where the alignment takes it in ``b`` by a touched figure of the same measure word,
    said of the same thing (the words before each share a pair of characters, or neither has any) and of
    another value (执法检查 5 项 → 6 项; 十四件 → 16件, but 十四件 → 14件 is no change). Each: ``context`` (the
    words before it in ``b``), ``a`` and ``b`` as written, ``a_value``, ``b_value``, ``delta`` (b − a) and
    ``unit``. Only the characters compared (``limit``) are read."""
    touched_a, touched_b = _touched(opcodes, "a", min(len(a), limit)), _touched(opcodes, "b", min(len(b), limit))
    qa = [q for q in quantities(a[:limit]) if any(touched_a[q["start"]:q["end"]])]
    qb = [q for q in quantities(b[:limit]) if any(touched_b[q["start"]:q["end"]])]
    a_starts = [op[1] for op in opcodes]
    starts = [r["start"] for r in qb]               # in order: the figures near a place are found by bisection
    longest = max((r["end"] - r["start"] for r in qb), default=0)
    said_b = [_grams(_context(b, r["start"])) for r in qb]
    out, used = [], set()
    for q in qa:
        lo, hi = _to_b(q["start"], opcodes, a_starts), _to_b(q["end"] - 1, opcodes, a_starts) + 1
        said = _grams(_context(a, q["start"]))
        near = [k for k in range(bisect_left(starts, lo - 2 - longest), bisect_left(starts, hi + 2))
                if k not in used and qb[k]["unit"] == q["unit"] and qb[k]["end"] > lo - 2
                and (said & said_b[k] or not (said or said_b[k]))]
        if not near:
            continue
        k = min(near, key=lambda k: abs(qb[k]["start"] - lo))
        used.add(k)
        r = qb[k]
        if r["value"] != q["value"]:
            delta = round(r["value"] - q["value"], 4)
            out.append({"context": _context(b, r["start"]), "a": q["text"], "b": r["text"], "a_value": q["value"],
                        "b_value": r["value"], "delta": int(delta) if float(delta).is_integer() else delta,
                        "unit": q["unit"]})
    return out


# ------------------------------------------------------------------------------------------------ reports

def _report(ix: Index, doc_id: str) -> tuple[dict, list[dict]]:
    doc = ix.document(doc_id)
    if doc is None:
        raise QueryError(f"索引中没有编号为 {doc_id!r} 的报告")
    passages = [{"passage_id": p["passage_id"], "heading": s["heading"] or None, "category": s["category"],
                 "text": p["text"]} for s in doc["sections"] for p in s["passages"]]
    cited = cite(ix, [Hit(passage_id="", doc_id=doc_id, year=doc.get("year"))])[0]
    side = {"doc_id": doc_id, "title": doc["title"], "region": doc.get("region") or None,
            "year": doc.get("year"), "doc_type": doc.get("doc_type"), "passages": len(passages),
            "citation": cited.citation, "citation_url": cited.citation_url}
    return side, passages


def _status(left: dict | None, right: dict | None, aligned: bool) -> str:
    if not aligned:
        return "unaligned"
    if left and right:
        return "unchanged" if left["text"] == right["text"] else "reworded"
    return "dropped" if left else "new"


def compare_reports(ix: Index, a: str, b: str) -> dict:
    """Two reports (by id) side by side, ``a`` as 甲 (the older, for one congress's two years): their passages
    aligned (``align_by_category``), each row with its ``status`` (``STATUSES``), its passages and, for a pair,
    its differences and changed figures (``numbers``); ``summary``, the rows of each status; ``categories``,
    the same per section category (a row's in ``b``, else in ``a``); ``numbers``, every changed figure with its
    row (numbered from 0) and category; ``ratio`` over the whole reports, 2 × characters in common / characters.

    :raises QueryError: a report the index does not hold.
    """
    side_a, pa = _report(ix, a)
    side_b, pb = _report(ix, b)
    rows = align_by_category([(p["category"], p["text"]) for p in pa[:MAX_REPORT_PASSAGES]],
                             [(p["category"], p["text"]) for p in pb[:MAX_REPORT_PASSAGES]])
    rows += [(i, None) for i in range(MAX_REPORT_PASSAGES, len(pa))]
    rows += [(None, j) for j in range(MAX_REPORT_PASSAGES, len(pb))]
    out, numbers, same, truncated = [], [], 0, max(len(pa), len(pb)) > MAX_REPORT_PASSAGES
    categories: dict[str, dict] = {}
    for k, (i, j) in enumerate(rows):
        if k % 64 == 0:
            deadline.check()
        left, right = pa[i] if i is not None else None, pb[j] if j is not None else None
        status = _status(left, right, (i is None or i < MAX_REPORT_PASSAGES) and (j is None or j < MAX_REPORT_PASSAGES))
        diff = diff_texts(left["text"] if left else "", right["text"] if right else "")
        same += diff["same"]
        truncated = truncated or diff["truncated"]
        changes = number_changes(left["text"], right["text"], diff["opcodes"]) if status == "reworded" else []
        category = (right or left)["category"]
        numbers += [{**c, "row": k, "category": category} for c in changes]
        counts = categories.setdefault(category, {"category": category, **dict.fromkeys(STATUSES, 0)})
        counts[status] += 1
        out.append({"status": status, "a": left, "b": right, "ratio": diff["ratio"] if left and right else 0.0,
                    "opcodes": diff["opcodes"], "numbers": changes,
                    "segments": {"a": segments(left["text"], diff["opcodes"], "a") if left else [],
                                 "b": segments(right["text"], diff["opcodes"], "b") if right else []}})
    chars = sum(len(p["text"]) for p in pa) + sum(len(p["text"]) for p in pb)
    return {"kind": "reports", "a": side_a, "b": side_b, "ratio": round(2 * same / chars, 4) if chars else 1.0,
            "paired": sum(1 for i, j in rows if i is not None and j is not None),
            "summary": {s: sum(1 for r in out if r["status"] == s) for s in STATUSES},
            "categories": list(categories.values()), "numbers": numbers, "rows": out, "truncated": truncated}


# ------------------------------------------------------------------------------ one congress, other years

def _reports_by_region(ix: Index) -> dict[str, list[tuple[int, dict, int]]]:
    """The live reports of a known region, per region: (number, ``DOC_META`` as a dict, passages). Worked out
    once per opened commit, when a report page first asks."""
    found = ix.memo.get("reports by region")
    if found is None:
        docs = np.asarray(ix.side["doc"], dtype=np.int64)[ix.all_rows]
        counts = np.bincount(docs, minlength=len(ix.side.doc_ids))
        found = {}
        for d in np.flatnonzero(counts).tolist():
            meta = dict(zip(DOC_META, ix.side.doc_meta[d]))
            if meta.get("region"):
                found.setdefault(meta["region"], []).append((d, meta, int(counts[d])))
        ix.memo["reports by region"] = found
    return found


def other_years(ix: Index, doc_id: str) -> list[dict]:
    """This congress's reports of other years: the same body, or the same region, level and doc type, of a
    known region (an XX旗 names no congress) and another year; a report's versions once (its longest, the full
    report rather than its 摘要). Oldest first, the report's own doc type first within a year; each with the
    comparison's sides, the older report as 甲 (``a_doc``) and the newer as 乙 (``b_doc``)."""
    doc = ix.document(doc_id)
    if doc is None or not doc.get("region") or not doc.get("year"):
        return []
    reports = _reports_by_region(ix).get(doc["region"], [])
    groups = ix.report_groups()
    own = {int(groups[d]) for d, _, _ in reports if ix.side.doc_ids[d] == doc_id}
    best: dict[int, tuple[int, dict, int]] = {}
    for d, meta, passages in reports:
        group = int(groups[d])
        if not meta.get("year") or meta["year"] == doc["year"] or group in own:
            continue
        if not (meta.get("body") and meta["body"] == doc.get("body")
                or (meta.get("level"), meta.get("doc_type")) == (doc.get("level"), doc.get("doc_type"))):
            continue
        if group not in best or passages > best[group][2]:
            best[group] = (d, meta, passages)
    out = []
    for d, meta, _ in sorted(best.values(), key=lambda r: (r[1]["year"], r[1].get("doc_type") != doc.get("doc_type"),
                                                            r[1]["title"])):
        other = ix.side.doc_ids[d]
        older = meta["year"] < doc["year"]
        out.append({"doc_id": other, "title": meta["title"], "year": meta["year"], "doc_type": meta.get("doc_type"),
                    "a_doc": other if older else doc_id, "b_doc": doc_id if older else other})
    return out
