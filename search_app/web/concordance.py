"""The concordancer: keyword in context (``/kwic``) and collocates (``/collocates``), each with its JSON twin under
``/api/`` and its table as a CSV or JSON download (``/kwic.csv``, ``/collocates.json`` …). The lines and the
figures come from the core (``kwic``, ``collocates``); this module reads and checks the request.
"""
from __future__ import annotations

import random
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request

from indexer.facets import UNSTATED
from search_app.core.collocates import COLLOCATE_FIELDS, COLLOCATE_SORTS, collocates
from search_app.core.kwic import KWIC_FIELDS, KWIC_ORDERS, breakdown, kwic_lines
from search_app.formats import delimited_lines
from search_app.web.context import index
from search_app.web.params import (
    BadRequest,
    active_filters,
    clear_url,
    int_arg,
    json_twin,
    scope_form,
    search_params,
    shared_args,
    url_with,
)
from search_app.web.tables import download, download_links

bp = Blueprint("concordance", __name__)

KWIC_LABELS = dict(zip(("", *KWIC_ORDERS), ("相关度", "左语境", "右语境")))
MAX_SEED = 2 ** 31 - 1
MAX_NEAR_CHARS = 32
MAX_MIN_COUNT = 1000
FORM_ARGS = {"/kwic": ("width", "sample"), "/collocates": ("window", "min")}    # each page's display fields


def _need_q() -> None:
    if not request.args.get("q", "").strip():
        raise BadRequest("语境和搭配词需要检索词")


def _unseeded():
    """A sample asked for without a seed: the same address with a fresh seed, so that the link, shared or
    reloaded, shows the same lines again."""
    if int_arg("sample", 0, 1, current_app.config["KWIC_MAX_SAMPLE"]) and not request.args.get("seed", "").strip():
        return redirect(url_with(seed=str(random.randrange(MAX_SEED))))
    return None


def kwic_data() -> dict:
    """What /kwic shows and /api/kwic returns: the lines, at the width asked for, sampled or near a word, and the
    distribution of all the hits (``breakdown``)."""
    cfg = current_app.config
    order = request.args.get("order", "")
    if order not in KWIC_LABELS:
        raise BadRequest("排序 order 只能是 left（按左语境）或 right（按右语境）")
    _need_q()
    width = int_arg("width", cfg["KWIC_WIDTH"], 1, cfg["KWIC_MAX_WIDTH"])
    sample = int_arg("sample", 0, 1, cfg["KWIC_MAX_SAMPLE"]) or None
    seed = int_arg("seed", 0, 0, MAX_SEED)
    window = int_arg("window", cfg["COLLOCATE_WINDOW"], 1, cfg["COLLOCATE_MAX_WINDOW"])
    near = request.args.get("near", "").strip() or None
    if near and len(near) > MAX_NEAR_CHARS:
        raise BadRequest(f"搭配词 near 最长 {MAX_NEAR_CHARS} 个字符")
    params, _, _ = search_params()
    return {**kwic_lines(index(), params, order or None, hits=cfg["KWIC_HITS"], width=width, sample=sample, seed=seed,
                         near=near, window=window, read=cfg["KWIC_READ_PASSAGES"]),
            "breakdown": breakdown(index(), params)}


def collocate_data() -> dict:
    """What /collocates shows and /api/collocates returns."""
    cfg = current_app.config
    order = request.args.get("order") or "ll"
    if order not in COLLOCATE_SORTS:
        raise BadRequest(f"排序 order 只能是 {'、'.join(COLLOCATE_SORTS)} 之一")
    _need_q()
    window = int_arg("window", cfg["COLLOCATE_WINDOW"], 1, cfg["COLLOCATE_MAX_WINDOW"])
    min_count = int_arg("min", 2, 1, MAX_MIN_COUNT)
    params, _, _ = search_params()
    return collocates(index(), params, window=window, read=cfg["KWIC_READ_PASSAGES"], min_count=min_count,
                      sort=order, limit=cfg["COLLOCATES_LISTED"])


def _page(template: str, **view):
    return render_template(template, **view, form=scope_form(*FORM_ARGS[request.path]), active_filters=active_filters(),
                           clear_url=clear_url(),
                           kwic_url=_with_shared("/kwic"), collocates_url=_with_shared("/collocates"))


def _with_shared(path: str, *extra: tuple[str, str]) -> str:
    return path + "?" + urlencode(shared_args() + list(extra))


def _download(fmt: str, name: str, data: dict, rows: list[dict], columns: tuple[str, ...]) -> Response:
    """A table as a file: CSV (its rows, with a byte-order mark for spreadsheets) or JSON (the whole answer)."""
    return download(fmt, name, "".join(delimited_lines(rows, columns, bom=True)) if fmt == "csv"
                    else current_app.json.dumps(data))


@bp.route("/kwic")
def kwic_page():
    """Keyword-in-context lines for a query: sortable by either context, at a chosen width, all or a random
    sample, or only those with a collocate near the keyword; where the hits come from; the filters, changeable."""
    if not request.args.get("q", "").strip():
        return render_template("kwic.html", data=None)
    if (again := _unseeded()) is not None:
        return again
    data = kwic_data()
    return _page("kwic.html", data=data, spread=data["breakdown"], orders=KWIC_LABELS, unstated=UNSTATED,
                 json_url=json_twin("/api/kwic"), downloads=download_links("/kwic"),
                 reseed_url=url_with(seed=str(random.randrange(MAX_SEED))) if data["sample"] else None,
                 all_url=url_with(sample=None, seed=None, near=None, window=None),
                 province_url=lambda p: url_with(province=p, sample=None, seed=None, near=None, window=None),
                 year_url=lambda y: url_with(year=str(y), year_from=None, year_to=None, sample=None, seed=None,
                                             near=None, window=None))


@bp.route("/api/kwic")
def api_kwic():
    if (again := _unseeded()) is not None:
        return again
    return jsonify(kwic_data())


@bp.route("/kwic.<any(csv, json):fmt>")
def kwic_download(fmt: str):
    """The KWIC lines of the page as a file."""
    if (again := _unseeded()) is not None:
        return again
    data = kwic_data()
    return _download(fmt, "kwic", data, data["lines"], KWIC_FIELDS)


@bp.route("/collocates")
def collocates_page():
    """The words most associated with a query within a few words of it, each linked to its KWIC lines."""
    if not request.args.get("q", "").strip():
        return _page("collocates.html", data=None)
    data = collocate_data()
    return _page("collocates.html", data=data, sorts=COLLOCATE_SORTS, json_url=json_twin("/api/collocates"),
                 downloads=download_links("/collocates"),
                 lines_url=lambda word: _with_shared("/kwic", ("near", word), ("window", str(data["window"]))),
                 word_search_url=lambda word: "/?" + urlencode([("q", word), *shared_args(without=("q",))]))


@bp.route("/api/collocates")
def api_collocates():
    return jsonify(collocate_data())


@bp.route("/collocates.<any(csv, json):fmt>")
def collocates_download(fmt: str):
    """The collocates table as a file."""
    data = collocate_data()
    return _download(fmt, "collocates", data, data["collocates"], COLLOCATE_FIELDS)

