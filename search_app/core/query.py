"""The query language: words, "exact phrases", OR, NOT/-word, parentheses, field filters and proximity.

    备案审查 执法检查                words, all required (AND)
    "有备必审"                       exact wording (after folding script, width and whitespace)
    代表建议 OR 议案                 either
    监督 -专题询问 / 监督 NOT 询问     exclusion
    (立法 OR 法规) 质量               grouping
    "联系点 立法"~5                   words within 5 words of each other
    region:浙江省 province:四川省 level:county year:2019-2023 section:监督工作 type:述法报告
    地区:湖州市 省份:浙江 层级:县级 年份:2019-2023 栏目:监督工作 文种:述法报告     the same in Chinese
    地区:（未标明）                  reports of no known region

A filter's values are taken as written here; ``facets.resolve`` reads them (short names, labels) for the search.

Parsing is pure and never raises anything but ``QueryError``, whose message is shown to the user.
Limits are named settings so a hostile query costs little.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.facets import FACETS, UNSTATED, YEAR
from indexer.settings import SETTINGS

FILTER_FIELDS = {key: f.name for f in (*FACETS, YEAR) for key in f.keys}     # query-language key → facet
# a key is Latin letters (matched case-insensitively) or one of the Chinese keys of the facet table (地区 …)
_KEY = "[A-Za-z_]+|" + "|".join(sorted((k for k in FILTER_FIELDS if not k.isascii()), key=len, reverse=True))
OPEN_START, OPEN_END = 1949, 9999     # the ends of an open year range (2019-, -2023)

_TOKEN = re.compile(rf'''\s*(?:
    (?P<phrase>(?:"(?P<p1>[^"]*)"|“(?P<p2>[^”]*)”|「(?P<p3>[^」]*)」|『(?P<p4>[^』]*)』)(?:~(?P<slop>\d{{1,3}}))?)
  | (?P<lparen>[(（])
  | (?P<rparen>[)）])
  | (?P<field>{_KEY})[:：](?P<fvalue>{re.escape(UNSTATED)}|[^\s()（）]+)
  | (?P<word>[^\s()（）"“「『]+)
)''', re.X)
_CLOSING = {'"': '"', "“": "”", "「": "」", "『": "』"}      # each quote the query language takes, and its end


# The phrasing of a question typed as a query ("湖州市人大常委会是怎么写生态文明立法的") is not wording to look for:
# in unquoted words it is dropped, and the parsed query lists what was dropped.
_QUESTION = re.compile(r"(?:是)?(?:怎么样|怎么|怎样|如何|为什么|什么样的?|什么|哪些|哪个|是否)"
                       r"(?:写|说|做|表述|描述|总结|提|讲)?(?:的|是)?|[吗呢？?]+$")
_QUESTION_TAIL = re.compile(r"的$")


def _without_question(word: str) -> tuple[list[str], list[str]]:
    """(the words left, the question phrasing dropped) of one unquoted word."""
    dropped = _QUESTION.findall(word)
    if not dropped:
        return [word], []
    kept = []
    for p in (p for p in _QUESTION.split(word) if p):
        tail = _QUESTION_TAIL.search(p) if len(p) > 1 else None
        if tail:
            dropped.append(tail.group())
            p = p[:tail.start()]
        kept.append(p)
    return kept, dropped


class QueryError(ValueError):
    """A query that cannot be run; the message says why in words a user understands."""


@dataclass(frozen=True)
class Wording:
    """How a query tree is written out: in the query language (``parsed.tree`` of the JSON), or in words."""
    phrase: str
    near: str
    negation: str
    everything: str
    joiners: dict[str, str]
    group: str
    bare: bool = False       # no brackets around the whole query, nor around a group of one part
    skip_all: bool = False   # leave out the "every passage" that a query of exclusions alone starts from


QUERY_LANGUAGE = Wording('"{}"', '"{}"~{}', "NOT {}", "*", {"or": " OR ", "and": " AND "}, "({})")


@dataclass
class Node:
    op: str                                  # word, phrase, near, and, or, not, all
    text: str = ""
    slop: int = 0
    children: list["Node"] = field(default_factory=list)

    def describe(self, wording: Wording = QUERY_LANGUAGE, top: bool = True) -> str:
        if self.op == "word":
            return self.text
        if self.op == "phrase":
            return wording.phrase.format(self.text)
        if self.op == "near":
            return wording.near.format(self.text, self.slop)
        if self.op == "not":
            return wording.negation.format(self.children[0].describe(wording, False))
        if self.op == "all":
            return wording.everything
        parts = [c for c in self.children if not (wording.skip_all and c.op == "all")] or self.children
        text = wording.joiners[self.op].join(c.describe(wording, False) for c in parts)
        return text if wording.bare and (top or len(parts) == 1) else wording.group.format(text)


@dataclass
class ParsedQuery:
    tree: Node
    filters: dict[str, list[str]]            # facet → accepted values (OR within a facet)
    year_range: tuple[int, int] | None
    ignored: list[str] = field(default_factory=list)    # question phrasing dropped from unquoted words
    repaired: list[str] = field(default_factory=list)   # what was mended to run it (a quote closed, a bracket dropped)

    def positive_texts(self) -> list[tuple[str, str]]:
        """(kind, text) of every word and phrase not under a NOT, for ranking and highlighting."""
        out: list[tuple[str, str]] = []

        def walk(n: Node, negated: bool) -> None:
            if n.op in ("word", "phrase", "near") and not negated:
                out.append((n.op, n.text))
            for c in n.children:
                walk(c, negated or n.op == "not")
        walk(self.tree, False)
        return out


def parse_year_range(value: str) -> tuple[int, int]:
    """2019 → (2019, 2019); 2019-2023 (or 2023-2019) → (2019, 2023); open ends allowed: 2019- or -2023."""
    m = re.fullmatch(r"\s*(\d{4})?\s*(?:[-–~至到]\s*(\d{4})?)?\s*", value or "")
    if not m or not (m.group(1) or m.group(2)):
        raise QueryError(f"年份须写成 2019 或 2019-2023，而不是 {value!r}")
    lo = int(m.group(1)) if m.group(1) else OPEN_START
    hi = int(m.group(2)) if m.group(2) else (lo if "-" not in value and "–" not in value and "至" not in value
                                            and "到" not in value and "~" not in value else OPEN_END)
    return (hi, lo) if lo > hi else (lo, hi)        # 2023-2019 is what 2019-2023 says


def _lex(q: str) -> list[tuple[str, dict]]:
    tokens = []
    pos = 0
    while pos < len(q):
        if q[pos:].strip() == "":
            break
        m = _TOKEN.match(q, pos)
        if not m or m.end() == pos:
            rest = q[pos:].strip()
            if rest[:1] in _CLOSING:
                raise QueryError("引号不成对：每个 \" 都要有对应的结尾引号")
            raise QueryError(f"无法理解检索式中 {rest[:10]!r} 附近的部分")
        kind = next(k for k in ("phrase", "lparen", "rparen", "field", "word") if m.group(k) is not None)
        tokens.append((kind, m.groupdict()))
        pos = m.end()
    return tokens


def repair(q: str) -> tuple[str, list[str]]:
    """The query with an unpaired quote closed at its end and unpaired brackets dropped (outside quotes), and
    what was done, in words for the page: a stray quote or bracket should cost a search nothing."""
    notes, chars, quote, opened, drop = [], list(q), None, [], set()
    for i, c in enumerate(chars):
        if quote is not None:
            quote = None if c == _CLOSING[quote] else quote
        elif c in _CLOSING:
            quote = c
        elif c in "(（":
            opened.append(i)
        elif c in ")）":
            (opened.pop() if opened else drop.add(i))
    drop |= set(opened)
    if drop:
        chars = [c for i, c in enumerate(chars) if i not in drop]
        notes.append(f"去掉了不成对的括号（{len(drop)} 个）")
    if quote is not None:
        chars.append(_CLOSING[quote])
        notes.append(f"补上了缺少的结尾引号 {_CLOSING[quote]}")
    return "".join(chars), notes


def parse(q: str, keep_questions: bool = False) -> ParsedQuery:
    """Parse a query string into a tree of operators and a set of filters; a query whose only fault is an
    unpaired quote or bracket is mended (``repair``) and says so in ``repaired``.

    :raises QueryError: unknown fields, wildcards, a query too long or with too many terms, one with nothing
        to look for but exclusions, or one that is still wrong once mended.
    """
    try:
        return _parse(q, keep_questions)
    except QueryError:
        fixed, notes = repair(q or "")
        if not notes:
            raise
    parsed = _parse(fixed, keep_questions)
    parsed.repaired = notes
    return parsed


def _parse(q: str, keep_questions: bool) -> ParsedQuery:
    if q is None:
        q = ""
    if len(q) > SETTINGS.max_query_chars:
        raise QueryError(f"检索式太长：{len(q)} 个字符（上限 {SETTINGS.max_query_chars} 个）")
    tokens = _lex(q)
    filters: dict[str, list[str]] = {}
    year_range = None
    ignored: list[str] = []
    stream: list[tuple[str, dict]] = []
    for kind, g in tokens:
        if kind == "field":
            name = g["field"].lower()
            if name not in FILTER_FIELDS:
                raise QueryError(f"没有 {g['field']!r} 这个字段：可用 {'、'.join(f.keys[0] for f in (*FACETS, YEAR))}")
            target = FILTER_FIELDS[name]
            if target == "year":
                year_range = parse_year_range(g["fvalue"])
                continue
            filters.setdefault(target, []).extend(v for v in re.split(r"[,，|、]", g["fvalue"]) if v)
            continue
        if kind == "word" and not keep_questions and g["word"] not in ("OR", "NOT") and not g["word"].startswith("-"):
            kept, dropped = _without_question(g["word"])
            ignored += dropped
            stream += [("word", {"word": w}) for w in kept]
            continue
        stream.append((kind, g))
    parser = _Parser(stream)
    try:
        tree = parser.parse()
    except QueryError:
        if ignored:     # dropping question words left an operator without a term: take the query as typed
            return _parse(q, keep_questions=True)
        raise
    if ignored and not any(kind == "phrase" or g["word"] not in ("OR", "NOT") for kind, g in stream
                           if kind in ("word", "phrase")):
        return _parse(q, keep_questions=True)    # nothing but question words: they are what is looked for
    n_terms = sum(1 for k, _ in stream if k in ("word", "phrase") and _.get("word") not in ("OR", "NOT"))
    if n_terms > SETTINGS.max_terms:
        raise QueryError(f"检索词太多：{n_terms} 个（上限 {SETTINGS.max_terms} 个）")
    if tree is None:
        if not filters and year_range is None:
            raise QueryError("检索式是空的：请输入要找的词，或一个筛选条件，如 region:浙江省")
        tree = Node("all")
    elif _only_negative(tree):
        tree = Node("and", children=[Node("all"), tree])
    return ParsedQuery(tree, filters, year_range, ignored)


def _only_negative(n: Node) -> bool:
    if n.op == "not":
        return True
    if n.op == "and":
        return all(_only_negative(c) for c in n.children)
    return False


class _Parser:
    """Recursive descent: or_expr := and_expr (OR and_expr)*; and_expr := unary+; unary := (NOT|-) unary | primary."""

    def __init__(self, tokens):
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, {})

    def is_word(self, text):
        kind, g = self.peek()
        return kind == "word" and g.get("word") == text

    def parse(self) -> Node | None:
        if not self.tokens:
            return None
        node = self.or_expr()
        if self.i < len(self.tokens):
            raise QueryError("括号不成对：有一个 ) 前面没有 (")
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while self.is_word("OR"):
            self.i += 1
            if self.peek()[0] in (None, "rparen") or self.is_word("OR"):
                raise QueryError("OR 的两边都要有检索词")
            parts.append(self.and_expr())
        if len(parts) > SETTINGS.max_or_terms:
            raise QueryError(f"OR 连接的选项太多：{len(parts)} 个（上限 {SETTINGS.max_or_terms} 个）")
        return parts[0] if len(parts) == 1 else Node("or", children=parts)

    def and_expr(self) -> Node:
        parts = []
        while True:
            kind, g = self.peek()
            if kind is None or kind == "rparen" or self.is_word("OR"):
                break
            parts.append(self.unary())
        if not parts:
            raise QueryError("OR 的两边都要有检索词" if self.is_word("OR") else "括号里是空的")
        return parts[0] if len(parts) == 1 else Node("and", children=parts)

    def unary(self) -> Node:
        kind, g = self.peek()
        if kind == "word" and (g["word"] == "NOT" or (g["word"].startswith("-") and len(g["word"]) > 1)):
            if g["word"] == "NOT":
                self.i += 1
                if self.peek()[0] in (None, "rparen") or self.is_word("OR"):
                    raise QueryError("NOT 后面要有检索词")
                return Node("not", children=[self.unary()])
            self.tokens[self.i] = ("word", {"word": g["word"][1:]})
            return Node("not", children=[self.unary()])
        return self.primary()

    def primary(self) -> Node:
        kind, g = self.peek()
        self.i += 1
        if kind == "lparen":
            self.depth += 1
            if self.depth > 8:
                raise QueryError("括号嵌套太深")
            node = self.or_expr()
            if self.peek()[0] != "rparen":
                raise QueryError("括号不成对：有一个 ( 没有闭合")
            self.i += 1
            self.depth -= 1
            return node
        if kind == "rparen":
            raise QueryError("括号不成对：有一个 ) 前面没有 (")
        if kind == "phrase":
            text = next(g[k] for k in ("p1", "p2", "p3", "p4") if g[k] is not None).strip()
            if not text:
                raise QueryError("引号里是空的")
            if g["slop"] is not None:
                return Node("near", text=text, slop=int(g["slop"]))
            return Node("phrase", text=text)
        word = g["word"]
        if "*" in word or "?" in word:
            raise QueryError("不支持通配符（* 和 ?）：检索词本来就能匹配词语内部")
        if (empty := re.fullmatch(f"({_KEY})[:：]", word)) and empty.group(1).lower() in FILTER_FIELDS:
            raise QueryError(f"{word} 后面要写筛选值，如 {empty.group(1)}:…")
        if word in ("AND", "&&"):
            return self.primary() if self.peek()[0] not in (None, "rparen") else Node("all")
        return Node("word", text=word)
