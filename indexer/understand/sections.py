"""Headings of every shape, their levels, and the taxonomy category each section's passages take.

Shapes: 第一部分, 一、, （一）/(一), 1./1、, （1）, ①; Markdown and HTML headings; whole bold lines; run-in heads
(a short opening sentence, bold in HTML or repeated in plain text: "突出立法重点。…"); and, in reports with
no numbered headings, short unpunctuated lines. In-paragraph enumerations (一是…二是…) are never headings.
Categories (the section facet: 党的领导, 立法工作, 监督工作 …, ``CATEGORIES`` below) come from weighted cue words; a heading without a confident
category takes its parent's, as the taxonomy's rules say.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.model import Block
from indexer.normalize import simplify_for_analysis
from indexer.numerals import number

CATEGORIES = ("党的领导", "立法工作", "监督工作", "决定任免", "代表工作", "法治建设", "自身建设", "存在问题", "下一步工作",
              "综述", "其他")

_NUM = "一二三四五六七八九十"
_CN = r"(?=[一二三四五六七八九十])(?:[一二三四五六七八九]?十)?[一二三四五六七八九]?"    # 一 … 九十九; not 六一 (六一、七一期间)
_CN_HEAD = re.compile(rf"^({_CN})\s*[、．.]")
MARKERS = [  # (kind, pattern) in nesting order: earlier kinds sit higher in a report
    ("part", re.compile(rf"^第[{_NUM}]+部分")),
    ("cn", _CN_HEAD),
    ("paren_cn", re.compile(rf"^[（(]\s*[{_NUM}]{{1,3}}\s*[)）]")),
    ("arabic", re.compile(r"^\d{1,2}\s*[、．.](?!\d)")),
    ("paren_arabic", re.compile(r"^[（(]\s*\d{1,2}\s*[)）]")),
    ("circled", re.compile(r"^[①-⑳]")),
]
KIND_ORDER = ["md1", "md2", "md3", "md4", "part", "cn", "bracket", "bold", "paren_cn", "arabic", "paren_arabic",
              "circled"]
# 【立法工作】… opens a paragraph in yearbook entries; these bracketed words are something else
_BRACKET_HEAD = re.compile(r"^(【[\u4e00-\u9fff、]{2,12}】)\s*(?=\S)")
_NOT_BRACKET_HEADS = re.compile(r"导语|编者按|摘要|按语|提示|声明|来源|作者|责编|编辑|记者|图片|视频|附件")
_END_PUNCT = "。！？；：:;!?…"
_SENTENCE = re.compile(r"^(.+?[。！？!?])")
_NOT_RUN_IN = re.compile(r"^(常委会|市人大常委会|县人大常委会|区人大常委会|我们|我|本人|一年来|全年|今年|同时|此外|另外|其中|"
                         r"目前|各位代表|这|该|通过|截至|主要是|具体|一是|二是|三是|首先|其次|最后|总之|下一步)")

# Cue words per category with weights; a heading is confident at a score of 3 (top-level headings at 2).
_CUES: dict[str, list[tuple[str, int]]] = {
    "党的领导": [("党的领导", 3), ("党的全面领导", 3), ("党对人大工作", 3), ("政治方向", 2), ("政治引领", 2),
              ("政治站位", 2), ("理论学习", 2), ("理论武装", 2), ("思想", 1), ("第一议题", 2), ("请示报告", 2),
              ("政治建设", 2), ("政治纪律", 2), ("党组", 1), (r"接受.{0,3}委.{0,2}领导", 3), ("党建", 2), ("政治", 1)],
    "立法工作": [("立法", 3), ("法规", 2), ("条例", 1), ("法律体系", 2), ("制定", 1), (r"修改.{0,4}法", 1),
              ("清理", 1), ("基层立法联系点", 3)],
    "监督工作": [("监督", 3), ("执法检查", 3), ("专题询问", 3), ("审议", 1), ("预算", 2), ("决算", 2), ("审计", 2),
              ("国有资产", 2), ("备案审查", 4), ("满意度测评", 2), ("视察", 1), ("法律实施", 2), ("规范性文件", 2),
              ("法律法规.{0,2}实施", 2), ("有效实施", 1), ("专题调研", 3)],
    "决定任免": [("决定权", 3), ("任免", 3), ("重大事项", 2), ("人事", 2), ("宪法宣誓", 3), ("决议决定", 2),
              (r"决定和任免|决定.{0,2}任免", 2), ("决定", 1), (r"作出.{0,4}决定", 2)],
    "代表工作": [("代表工作", 3), ("代表", 2), ("代表建议", 3), ("建议办理", 3), ("代表之家", 3), ("联络站", 3),
              ("履职", 1), ("票决", 2), ("代表主体", 3), ("联系群众", 1), ("人民群众", 1), ("民主实践", 1),
              ("全过程人民民主", 1)],
    "法治建设": [("法治建设", 5), ("(?<!依)法治", 2), ("普法", 3), ("法治宣传", 3), ("学法", 3), ("依法治", 2), ("尊法", 2),
              ("法治思维", 2), ("法治氛围", 2), ("依法决策", 3), ("法治轨道", 2), ("第一责任人", 2), ("法治素养", 2)],
    "自身建设": [("自身建设", 4), ("机关建设", 3), ("四个机关", 3), ("作风", 3), ("队伍", 2), ("制度建设", 2),
              ("工作制度", 2), ("智慧人大", 3), ("数字人大", 3), ("信息化", 2), ("履职能力", 2), ("干部", 1),
              ("能力建设", 2), ("人大建设", 2), ("机关", 1), ("队伍建设", 3)],
    "存在问题": [("存在的问题", 4), ("存在问题", 4), ("主要问题", 3), ("问题和不足", 4), ("不足", 3), ("差距", 3),
              ("问题", 1)],
    "下一步工作": [("下一步", 4), ("今后", 3), ("主要任务", 4), ("工作安排", 4), ("工作建议", 3), ("工作打算", 4),
               ("工作任务", 3), ("工作思路", 3), ("打算", 3), ("建议", 1), ("工作措施", 2), ("展望", 4),
               ("新征程", 2), ("再启新程", 3),
               (r"(19|20)\d\d年的?(主要)?(工作)?(任务|打算|安排|计划|要点|重点)", 5)],
    "综述": [("主要工作", 3), ("工作回顾", 4), ("回顾", 3), ("总结", 2), ("工作开展情况", 4), ("开展情况", 3),
           ("体会", 4), ("启示", 3), ("概况", 4), ("概述", 4),
           (r"过去.{0,2}年", 2), (r"(19|20)\d\d年的?(主要)?工作$", 4)],
    "其他": [("对外交往", 5), ("外事", 4), ("民族团结", 5), ("交流合作", 3), ("对外交流", 5)],
}
_CUE_RE = {cat: [(re.compile(p), w) for p, w in cues] for cat, cues in _CUES.items()}
# "代表" inside 人民代表大会 and 代表大会 says nothing about deputies' work.
_NOT_DEPUTY = re.compile(r"人民代表大会|代表大会")


def category_scores(text: str) -> dict[str, int]:
    """Score each category by the cue words in ``text`` (simplified)."""
    text = _NOT_DEPUTY.sub("", text)
    return {cat: sum(w for p, w in cues if p.search(text)) for cat, cues in _CUE_RE.items()}


def classify(text: str, threshold: int = 3) -> str | None:
    """The confident category of a heading, or None."""
    scores = category_scores(simplify_for_analysis(text))
    best = max(scores.items(), key=lambda kv: kv[1])
    runner_up = max(v for k, v in scores.items() if k != best[0])
    if best[1] >= threshold and best[1] > runner_up:
        return best[0]
    return None


@dataclass
class Item:
    """A heading or a paragraph in document order, as sectioning sees it."""
    text: str                      # the paragraph (for a run-in head, the whole paragraph)
    heading: str = ""              # the heading text, "" for a plain paragraph
    kind: str = ""                 # marker kind of the heading
    level: int = 0
    rest: str = ""                 # for a run-in head: the text after the heading


def marker_kind(text: str) -> str | None:
    for kind, pattern in MARKERS:
        if pattern.match(text):
            return kind
    return None


def _first_sentence(text: str) -> str | None:
    m = _SENTENCE.match(text)
    return m.group(1) if m and len(m.group(1)) < len(text) else None


def _text_run_in(text: str) -> str | None:
    """A plain-text run-in head: a short opening sentence with no commas, before more text."""
    sent = _first_sentence(text)
    if not sent or not (4 <= len(sent) <= 25) or not sent.endswith("。"):
        return None
    if re.search(r"[，,；;：:\d]", sent) or _NOT_RUN_IN.match(sent):
        return None
    return sent


# the speaker under a title: 县人大常委会主任　王赟, 江西省人民代表大会常务委员会副主任 刘永康
_SPEAKER = re.compile(r"(主任|副主任|委员长|副委员长|秘书长|书记|院长|检察长|省长|市长|县长|区长|旗长|州长|主席)"
                      r"[\s\u3000]*[\u4e00-\u9fff·]{2,4}$")
_ADDRESS = re.compile(r"^(现在，?)?我代表.{0,30}(向大会|报告)|请予审议|^各位代表")
_DATELINE = re.compile(r"[\d〇○零一二三四五六七八九十年月日\s:：.\-/]+")


def _is_short_line(text: str) -> bool:
    if not (6 <= len(text) <= 40) or text[-1] in _END_PUNCT or "。" in text:
        return False
    if text.startswith(("—", "-", "各位代表", "（", "(")) or _DATELINE.fullmatch(text) or _SPEAKER.search(text):
        return False
    return not re.search(r"(办公室|委员会|人大常委会|研究室)$", text)


_GLUED = re.compile(rf"(?<=[。！？])\s*({_CN})、")


def _unglue(blocks: list[Block]) -> list[Block]:
    """Split a paragraph where the next chapter heading was run on after its last sentence
    (…取得新成效。二、依法履行监督职责), when the number is the one that comes next."""
    out: list[Block] = []
    last = 0
    for b in blocks:
        text = b.text
        if (m := _CN_HEAD.match(text)):          # a chapter number: the next one may be run on
            last = int(number(m.group(1)) or 0)
        for m in _GLUED.finditer(text):
            if int(number(m.group(1)) or 0) == last + 1 and len(re.split(r"[。！？]", text[m.start(1):])[0]) <= 40:
                out.append(Block(text[:m.start()].rstrip(), b.heading_level, b.bold, b.run_in))
                b = Block(text[m.start(1):])
                text, last = b.text, last + 1
                break
        out.append(b)
    return out


def detect(blocks: list[Block]) -> list[Item]:
    """Mark which blocks are headings, of which kind; levels are assigned afterwards."""
    items: list[Item] = []
    for b in _unglue(blocks):
        text = b.text
        kind = marker_kind(text)
        if text.startswith(("——", "—")) or (len(text) <= 30 and _SPEAKER.search(text) and not kind) or \
                _ADDRESS.search(text):
            items.append(Item(text))        # a subtitle, the speaker's line or words to the session, however set
            continue
        if kind:
            short = len(text) <= 80 and not re.search(r"[。！？]", text[:-1])
            if short:
                items.append(Item(text, text, kind))
                continue
            sent = _first_sentence(text)
            if sent and len(sent) <= 60:
                items.append(Item(text, sent, kind, rest=text[len(sent):].strip()))
                continue
            items.append(Item(text))
            continue
        if (m := _BRACKET_HEAD.match(text)) and not _NOT_BRACKET_HEADS.search(m.group(1)):
            items.append(Item(text, m.group(1), "bracket", rest=text[m.end():].strip()))
            continue
        if b.heading_level and len(text) <= 80:
            items.append(Item(text, text, f"md{min(b.heading_level, 4)}"))
            continue
        if b.bold and len(text) <= 60 and not re.search(r"[。！？]", text[:-1]) and text[-1] not in "：:":
            items.append(Item(text, text, "bold"))
            continue
        if b.run_in and 2 <= len(b.run_in) <= 40 and len(b.run_in) < len(text) and b.run_in[-1] in "。：:":
            items.append(Item(text, b.run_in, "runin", rest=text[len(b.run_in):].strip()))
            continue
        items.append(Item(text))
    _list_items(items)
    _plain_run_ins(items)
    _short_lines(items, blocks)
    _assign_levels(items)
    return items


LIST_RUN = 3      # numbered sentences in a row, with no text between them, that make a list rather than headings


def _list_items(items: list[Item]) -> None:
    """Numbered lines that are whole sentences (1.…。) following one another with no text between them are
    the items of a list (a plan's 32 tasks), not headings over empty sections."""
    run: list[Item] = []

    def flush():
        if len(run) >= LIST_RUN:
            for it in run:
                it.heading, it.kind = "", ""
        run.clear()

    for it in items:
        sentence = it.heading and not it.rest and it.heading == it.text and it.text[-1] in "。；;"
        if sentence and (not run or run[-1].kind == it.kind):
            run.append(it)
        else:
            flush()
            if sentence:
                run.append(it)
    flush()


def demote_story_heads(items: list[Item]) -> None:
    """A news story has no headings: its subheads (立法：…) and the numbered points it quotes are its telling."""
    for it in items:
        it.heading, it.kind, it.rest = "", "", ""


def _plain_run_ins(items: list[Item]) -> None:
    """Plain-text run-in heads count only where at least two open paragraphs of the same section."""
    group: list[Item] = []

    def flush():
        if len(group) >= 2:
            for it in group:
                sent = _text_run_in(it.text)
                it.heading, it.kind, it.rest = sent, "runin", it.text[len(sent):].strip()
        group.clear()

    for it in items:
        if it.heading and it.kind != "runin":
            flush()
        elif not it.heading and _text_run_in(it.text):
            group.append(it)
    flush()


def _short_lines(items: list[Item], blocks: list[Block]) -> None:
    """In reports without numbered top headings, short unpunctuated lines before body text are headings."""
    if sum(1 for it in items if it.kind in ("part", "cn", "md1", "md2", "bold")) >= 2:
        return
    for i, it in enumerate(items):
        if it.heading or not _is_short_line(it.text) or i + 1 >= len(items):
            continue
        nxt = items[i + 1]
        if not nxt.heading and (len(nxt.text) > 50 or nxt.text[-1] in "。！"):
            it.heading, it.kind = it.text, "line"


def _assign_levels(items: list[Item]) -> None:
    present = [k for k in KIND_ORDER if any(it.kind == k for it in items)]
    rank = {k: i + 1 for i, k in enumerate(present)}
    current = 0
    for it in items:
        if not it.heading:
            continue
        if it.kind in rank:
            it.level = rank[it.kind]
            current = it.level
        else:  # run-in heads and short lines sit under whatever numbered heading is open
            it.level = current + 1 if it.kind == "runin" else max(current, 1)
            if it.kind == "line" and not present:
                it.level = 1


def categorize(items: list[Item], congress: bool = True) -> list[tuple[Item, str, str | None]]:
    """Each heading with the category its passages take and its own confident category.

    A heading with no confident category takes its parent's. Sub-headings of a problems or plans chapter
    always do (a plan about 普法 is still a plan). Under a container (综述) a sub-heading is read together with
    its first sentence. A top heading with no category of its own is a container when sub-headings follow,
    else it is read from the first sentences of its text.

    :param congress: False for the report of another organ (a government's, a court's): the work it reviews
        under a container heading is its own, none of the congress's categories (其他), not a summary.
    """
    heads = [(i, it) for i, it in enumerate(items) if it.heading]
    out = []
    stack: list[tuple[int, str]] = []   # (level, category)
    for n, (i, it) in enumerate(heads):
        while stack and stack[-1][0] >= it.level:
            stack.pop()
        end = heads[n + 1][0] if n + 1 < len(heads) else len(items)
        opening = (it.rest or " ".join(x.text for x in items[i + 1:end][:1]))[:80]
        parent = stack[-1][1] if stack else None
        if parent in ("存在问题", "下一步工作"):
            own = None
        elif parent == "综述":
            own = classify(it.heading) or classify(it.heading + " " + opening)
        else:
            own = classify(it.heading, threshold=2 if parent is None else 3)
        if own is None and parent is None:
            has_children = n + 1 < len(heads) and heads[n + 1][1].level > it.level
            own_cat = "综述" if has_children else classify(opening) or "其他"
            out.append((it, own_cat, None))
            stack.append((it.level, own_cat))
            continue
        cat = own or (parent if congress or parent != "综述" else "其他")
        out.append((it, cat, own))
        stack.append((it.level, cat))
    return out
