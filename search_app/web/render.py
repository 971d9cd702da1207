"""What the pages show of the core's data: the one place that makes markup, and Chinese wording.

``marked`` is the only producer of ``Markup``: a snippet's text is escaped, then its matches are wrapped in
``<mark>`` (``search_app.formats.snippet_html``); everything else reaches the templates as text and is
autoescaped.
"""
from __future__ import annotations

from markupsafe import Markup

from indexer.facets import FACETS, LEVEL_LABELS, YEAR
from search_app.core.query import OPEN_END, OPEN_START, Wording, parse
from search_app.core.records import SNIPPET_FIELDS, Hit
from search_app.core.snippets import Snippet
from search_app.formats import hit_json, snippet_html
from search_app.web.params import year_label

_BY_NAME = {f.name: f for f in (*FACETS, YEAR)}


def marked(s: Snippet | None) -> Markup:
    return Markup(snippet_html(s))


def hit_view(h: Hit) -> dict:
    """A hit as the templates use it: its JSON fields, the highlights (made by ``snippet_html``) as markup."""
    view = hit_json(h)
    for name in SNIPPET_FIELDS:
        view[name] = Markup(view[name])
    return view


def level_name(value: str | None) -> str:
    return LEVEL_LABELS.get(value, value or "—")


def facet_label(name: str) -> str:
    return _BY_NAME[name].label


def value_label(name: str, value) -> str:
    """A facet value as the pages show it: its label where the facet has one (县级, 其他文件), else as stored."""
    return level_name(value) if name == "level" else _BY_NAME[name].values.get(value, value)


def facet_arg(name: str) -> str:
    """The URL parameter of a facet (``type`` for doc_type)."""
    return _BY_NAME[name].param


CHINESE = Wording("“{}”", "“{}”（{} 词以内）", "不含 {}", "全部段落", {"or": " 或 ", "and": " 并且 "}, "（{}）",
                  bare=True, skip_all=True)


def explain(q: str, parsed: dict) -> dict:
    """How the query was understood, for people: the tree in Chinese, the filters written in the query
    (level:county year:2019-2023) and the question phrasing dropped."""
    tree = parse(q).tree.describe(CHINESE) if q.strip() else "全部段落（只按筛选条件）"
    filters = [f"{_BY_NAME[k].label if k in _BY_NAME else k}：{'、'.join(_BY_NAME[k].values.get(v, v) if k in _BY_NAME else v for v in values)}"
               for k, values in (parsed.get("filters") or {}).items() if values]
    if parsed.get("year"):
        lo, hi = parsed["year"]
        filters.append(f"年份：{year_label((None if lo == OPEN_START else lo, None if hi == OPEN_END else hi))}")
    return {"tree": tree, "filters": filters, "ignored": parsed.get("ignored") or [],
            "repaired": parsed.get("repaired") or []}


TEMPLATE_GLOBALS = {"level_name": level_name, "facet_label": facet_label, "facet_arg": facet_arg,
                    "value_label": value_label}
