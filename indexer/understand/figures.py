"""The work figures a congress report states of its year (召开常委会会议10次, 审议法规十四件, 满意率97.9%): read
from its passages at parse time by the metrics of ``indexer/figures.toml`` (``indexer.metrics``), the one table of
metrics and their wordings.

A sentence is cut into clauses (at ，；：), every number with a unit in a clause is found (Arabic or Chinese
numerals, a range 10至12次, 余/多, 以上/左右 or 近/约 as approximate), and each is offered to the metrics' patterns with
the number standing as ``{N}``; the first metric that holds it takes it. Numbers of another kind are never
numbers here: an ordinal (第十四届, 第3条) is skipped, and dates and money have no unit a metric lists.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from indexer.metrics import vocabulary
from indexer.model import Figure, Passage
from indexer.normalize import simplify_for_analysis
from indexer.numerals import number

TARGET = "\ue000"           # the number being read, in a clause given to the patterns
# words of a plan: a figure after them in its sentence is one of next year's work, not of the year reported
FUTURE = re.compile(r"(?<!列入)(?<!或)计划(?!逐步|解决)|拟(?!任|提请任|免)|预计|力争|争取|将于|明年|下一步|将(重点|着力|继续|认真|切实)?(做好|抓好|做|抓)?好?以下")
PLAN_SECTION = "下一步工作"     # the section category (understand.sections) of next year's work
NOT_CONGRESS = ("government", "court", "procuratorate")        # reports whose figures are another body's

_NUM = r"(?:\d+(?:,\d{3})*(?:\.\d+)?万?|[〇零一二两三四五六七八九十百千万]+)"
# longest first: 人次 before 人 and 次, 个百分点 (a change, never a figure) before 个
_UNITS = ("个百分点", "人次", "件次", "场次", "批次", "%", "次", "件", "项", "个", "部", "名", "人", "场", "条", "份")
QUANTITY = re.compile(
    rf"百分之(?P<pct>[零一二两三四五六七八九十百]+(?:点[零一二三四五六七八九]+)?)(?P<pct_over>以上|左右)?|"
    rf"(?P<before>第|近|约)?(?P<lo>{_NUM})(?:(?:至|到|-|—|~|～)(?P<hi>{_NUM}))?(?P<more>余|多)?"
    rf"(?P<unit>{'|'.join(map(re.escape, _UNITS))})(?P<over>以上|左右)?")
_CLAUSE = re.compile(r"[^，,；;：:。！？!?]+")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")


@dataclass(frozen=True)
class Compiled:
    key: str
    units: tuple[str, ...]
    patterns: tuple[re.Pattern, ...]
    exclude: re.Pattern | None


def _compile(pattern: str) -> re.Pattern:
    return re.compile(pattern.replace("{N}", TARGET).replace("{.}", f"[^{TARGET}]"))


@functools.cache
def metrics() -> tuple[Compiled, ...]:
    """The vocabulary's metrics with their patterns compiled, in its order (which is their priority)."""
    return tuple(Compiled(m.key, m.units, tuple(_compile(p) for p in m.patterns),
                          _compile("|".join(m.exclude)) if m.exclude else None) for m in vocabulary())


def _plain(v: float) -> float | int:
    return int(v) if v == int(v) else v


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.findall(text) if s.strip()]


def find_in_sentence(sentence: str) -> list[tuple[str, float | int, float | int | None, str, bool, str]]:
    """(metric, value, upper value of a range or None, unit, approximate, the clause) for each figure of a
    sentence, in order."""
    simple = simplify_for_analysis(sentence).replace("\n", "")
    out = []
    for c in _CLAUSE.finditer(simple):
        clause = c.group(0)
        for m in QUANTITY.finditer(clause):
            if m["before"] == "第" or m["unit"] == "个百分点" or FUTURE.search(simple, 0, c.start() + m.start()):
                continue
            unit = "%" if m["pct"] else m["unit"]
            lo = number(m["pct"] or m["lo"])
            hi = number(m["hi"]) if m["hi"] else None
            if lo is None or (m["hi"] and hi is None):
                continue
            marked = clause[:m.start() if m["pct"] else m.start("lo")] + TARGET + clause[m.end():]
            for metric in metrics():
                if unit in metric.units and any(p.search(marked) for p in metric.patterns) \
                        and not (metric.exclude and metric.exclude.search(marked)):
                    approx = bool(m["more"] or m["over"] or m["pct_over"] or m["before"] in ("近", "约"))
                    out.append((metric.key, _plain(lo), _plain(hi) if hi is not None else None, unit, approx,
                                clause.strip()))
                    break
    return out


def find_figures(passages: list[Passage], kind: str = "report") -> list[Figure]:
    """The figures stated in a report's passages, in order; none for a government's, court's or
    procuratorate's report (their figures are of that body, not of the congress)."""
    if kind in NOT_CONGRESS:
        return []
    out = []
    for p in passages:
        if p.category == PLAN_SECTION:
            continue
        for sentence in sentences(p.text):
            for metric, value, value_max, unit, approx, clause in find_in_sentence(sentence):
                out.append(Figure(metric=metric, value=value, value_max=value_max, unit=unit, approx=approx,
                                  text=clause, sentence=sentence.strip(), passage_id=p.passage_id,
                                  ordinal=p.ordinal))
    return out
