"""Queries written for the user in the query language: words added to a query (search within results), a query
made exact (every word as written), and the query of the advanced form, and back (the form filled from a query).

What is written is shown on the results page and put in the search box, so that the user learns the syntax.
"""
from __future__ import annotations

import re

from indexer.facets import FACETS, YEAR
from search_app.core.query import Node, ParsedQuery, Wording, parse

_OR = re.compile(r"(?:^|[\s(（])OR(?:$|[\s)）])")
_QUOTES = "\"“”「」『』"
# the query language as a person writes it: words side by side, no brackets around the whole
WRITTEN = Wording('"{}"', '"{}"~{}', "NOT {}", "*", {"or": " OR ", "and": " "}, "({})", bare=True, skip_all=True)


def grouped(q: str) -> str:
    """``q`` as one part of a longer query: in brackets when it has an OR at its top, which would else take in
    the words after it (A OR B C is A OR (B C))."""
    q = q.strip()
    return f"({q})" if _OR.search(q) else q


def within(q: str, words: list[str]) -> str:
    """``q`` with more words that the results must also have (AND), each part kept whole; ``q`` as it is
    when there are none."""
    if not any(w.strip() for w in words):
        return q
    parts = [grouped(p) for p in [q, *words] if p.strip()]
    return " ".join(parts)


def filter_text(parsed: ParsedQuery) -> list[str]:
    """The filters written inside a query (region:… year:…), as the query language writes them."""
    key = {f.name: f.keys[0] for f in FACETS}
    out = [f"{key[k]}:{','.join(v)}" for k, v in parsed.filters.items() if v]
    if parsed.year_range:
        out.append(f"{YEAR.keys[0]}:" + "{}-{}".format(*parsed.year_range))
    return out


def _exact(n: Node) -> Node:
    if n.op == "word":
        return Node("phrase", text=n.text)
    return Node(n.op, n.text, n.slop, [_exact(c) for c in n.children])


def exact(q: str) -> str:
    """``q`` with every unquoted word quoted: each must occur as written, its characters together (执法检查, not
    执法 and 检查 apart). Operators, groups and the filters in the query stay."""
    parsed = parse(q)
    body = "" if parsed.tree.op == "all" else _exact(parsed.tree).describe(WRITTEN)
    return " ".join([p for p in [body] if p] + filter_text(parsed))


def _quoted(text: str) -> str:
    text = text.strip().strip(_QUOTES).strip()
    return f'"{text}"' if text else ""


def advanced_query(all_words: str = "", any_words: str = "", none_words: str = "", phrase: str = "") -> str:
    """The query of the advanced form: all of these words, any of them (OR), none of them (-word), the exact
    phrase ("…"). What ``all`` holds is kept whole (``grouped``): the form fills it with a query of another
    shape as written (监督 OR 立法), which the other fields must not join."""
    any_list = [w for w in any_words.split() if w != "OR"]
    rest = [f"({' OR '.join(any_list)})" if len(any_list) > 1 else "".join(any_list), _quoted(phrase)]
    rest += [f"-{w.lstrip('-')}" for w in none_words.split() if w.lstrip("-")]
    rest = [p for p in rest if p]
    return " ".join([p for p in [grouped(all_words) if rest else all_words.strip()] if p] + rest)


def form_of(q: str) -> dict:
    """The advanced form's fields for a query (its inverse, where the query has the form's shape): words ANDed
    go to ``all``, one group of words ORed to ``any``, excluded words to ``none``, the first phrase to
    ``phrase``; anything else stays in ``all`` as written. The filters written in the query come back apart
    (``filters``: facet → values, ``year``: (first, last) or None)."""
    out = {"all": [], "any": "", "none": [], "phrase": ""}
    parsed = parse(q) if q.strip() else ParsedQuery(Node("all"), {}, None)
    tree = parsed.tree
    for n in tree.children if tree.op == "and" else [tree]:
        if n.op == "all":
            continue
        if n.op == "phrase" and not out["phrase"]:
            out["phrase"] = n.text
        elif n.op == "not" and n.children[0].op == "word":
            out["none"].append(n.children[0].text)
        elif n.op == "or" and not out["any"] and all(c.op == "word" for c in n.children):
            out["any"] = " ".join(c.text for c in n.children)
        else:
            out["all"].append(n.describe(WRITTEN, top=tree.op != "and"))
    return {"all": " ".join(out["all"]), "any": out["any"], "none": " ".join(out["none"]), "phrase": out["phrase"],
            "filters": parsed.filters, "year": parsed.year_range}
