"""高级检索: a form of words and filters that writes the query language and the search's URL parameters, so that
the user sees (in the search box and in 理解为 on the results) how the same search is typed. Its JSON twin
describes the fields and their choices and gives the query and addresses the form would write."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, jsonify, redirect, render_template, request

from indexer.facets import FACET_BY_NAME, LEVEL_LABELS
from search_app.core.facets import region_provinces, resolve
from search_app.core.query import QueryError
from search_app.core.rewrite import advanced_query, form_of
from search_app.web.context import index
from search_app.web.params import (
    BadRequest,
    check_query_length,
    json_twin,
    provinces_held,
    request_query,
    year_span,
)

bp = Blueprint("advanced", __name__)

WORDS = (("all", "包含全部这些词", "如：备案审查 监督", "词之间用空格隔开，每个词都要出现"),
         ("any", "包含其中任意一个词", "如：立法 法规", "至少出现一个"),
         ("none", "不包含这些词", "如：询问", "含有任何一个的段落都不要"),
         ("phrase", "包含完整短语", "如：有备必审", "按原样连续出现"))
SELECTS = ("level", "section", "doc_type")      # facets picked from a list beside the place


def _choices() -> dict:
    """The choices of the place picker (provinces, each with its cities and counties) and of the other lists."""
    ix = index()
    pairs = region_provinces(ix)
    places = []
    for province in provinces_held():
        regions = sorted(r for r, p in pairs.items() if p == province and r and r != province)
        places.append({"label": province, "options": [{"value": f"province={province}", "label": f"{province}（全省）"}]
                       + [{"value": f"region={r}", "label": r} for r in regions]})
    others = sorted(r for r, p in pairs.items() if r and not p)
    if others:
        places.append({"label": "其他", "options": [{"value": f"region={r}", "label": r} for r in others]})
    lists = {name: [{"value": v, "label": FACET_BY_NAME[name].values.get(v, v)}
                    for v in (LEVEL_LABELS if name == "level" else ix.side.facet_values(name)) if v]
             for name in SELECTS}
    return {"place": places, **lists}


def _form() -> dict:
    """The form's values: those it sent, or, opened from a search, that search's query and filters."""
    sent = any(k.startswith("q_") for k in request.args)
    try:
        found = form_of("" if sent else request_query())
    except (QueryError, BadRequest):      # a query that cannot be run is shown as typed, to be mended here
        found = {**form_of(""), "all": request.args.get("q", "")}
    words = {k: request.args.get(f"q_{k}", "") if sent else found[k] for k, *_ in WORDS}
    place = request.args.get("place", "")
    if not sent:         # the search's values as the filters read them (浙江 → 浙江省, 县级 → county), as listed here
        picked = [(f, resolve(f, v)) for f in ("region", "province")
                  for v in request.args.getlist(f) + found["filters"].get(f, []) if v]
        place = f"{picked[0][0]}={picked[0][1]}" if picked else ""
    filters = {name: request.args.get(FACET_BY_NAME[name].param) or
               ("" if sent else next(iter(found["filters"].get(name, [])), "")) for name in SELECTS}
    filters = {name: resolve(name, v) if v else "" for name, v in filters.items()}
    span = year_span()
    if not span and not sent and found["year"]:
        span = found["year"]
    years = {"year_from": str(span[0]) if span and span[0] else "", "year_to": str(span[1]) if span and span[1] else ""}
    return {"words": words, "place": place, "filters": filters, "years": years}


def _written(form: dict) -> tuple[str, list[tuple[str, str]]]:
    """The query the form writes, and the search's URL parameters (the query first, then the filters)."""
    w = form["words"]
    q = advanced_query(w["all"], w["any"], w["none"], w["phrase"])
    check_query_length(q)
    args = [("q", q)] if q else []
    if "=" in form["place"]:
        key, value = form["place"].split("=", 1)
        if key not in ("province", "region"):
            raise BadRequest("地区只能从列表中选")
        args.append((key, value))
    args += [(FACET_BY_NAME[name].param, v) for name, v in form["filters"].items() if v]
    args += [(k, v) for k, v in form["years"].items() if v]
    return q, args


def _describe(form: dict) -> dict:
    q, args = _written(form)
    choices = _choices()
    return {"query": q, "search_url": "/?" + urlencode(args) if args else None,
            "api_url": "/api/search?" + urlencode(args) if args else None,
            "fields": [{"name": f"q_{k}", "label": label, "hint": hint, "value": form["words"][k]}
                       for k, label, _, hint in WORDS]
            + [{"name": "place", "label": "地区", "value": form["place"], "choices": choices["place"]}]
            + [{"name": FACET_BY_NAME[n].param, "label": FACET_BY_NAME[n].label, "value": form["filters"][n],
                "choices": choices[n]} for n in SELECTS]
            + [{"name": "year_from", "label": "起始年份", "value": form["years"]["year_from"]},
               {"name": "year_to", "label": "截止年份", "value": form["years"]["year_to"]}]}


@bp.route("/advanced")
def advanced_page():
    """The form, filled from the search it was opened from; sent (``go``), the search it writes."""
    form = _form()
    described = _describe(form)
    if request.args.get("go"):
        if not described["search_url"]:
            raise BadRequest("高级检索是空的：请至少填一个词，或选一个筛选条件")
        return redirect(described["search_url"], code=303)
    return render_template("advanced.html", form=form, described=described, words=WORDS,
                           json_url=json_twin("/api/advanced"))


@bp.route("/api/advanced")
def api_advanced():
    """The fields of the form with their choices and values, and the query and addresses they write."""
    return jsonify(_describe(_form()))
