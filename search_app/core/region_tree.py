"""The region facet arranged as province → city → county, for the sidebar and the JSON twin.

The tree only arranges counts the core computed (the province facet and the region facet, both exact over
the filtered result set) and never adds them up, so every count shown is what its link returns: a province's
count is the roll-up of all its congresses (the province facet), a city's is its own congress with its
counties and districts (the region facet counts a city so, as its filter keeps them), a county's is that
congress alone. A city the region facet does not list (one cut off by the facet's size) appears as a group
without a count or a link. Reports of no known region are listed last, as （未标明）. Which city and province
a region belongs to comes from the index (the province each region value is stored with) and the division
table (the prefecture of a county).
"""
from __future__ import annotations

from collections.abc import Collection, Mapping

from indexer.divisions import NATIONAL, parent_city
from indexer.facets import UNSTATED

OWN_CONGRESS = "本级"     # a province's own congress, listed first under the province


def _node(name: str, value: str, kind: str | None, count: int | None, selected: bool) -> dict:
    return {"name": name, "value": value, "filter": kind, "count": count, "selected": selected, "open": False,
            "children": []}


def region_tree(regions: list[dict], provinces: list[dict], province_of: Mapping[str, str | None],
                selected_regions: Collection[str] = (), selected_provinces: Collection[str] = ()) -> list[dict]:
    """Nest the region facet under the province facet; a county goes under its prefecture.

    :param regions: the region facet, ``[{"value", "count"}]``; :param provinces: the province facet.
    :param province_of: each region value's province, None where the index pairs it with no single province
        (全国, a name found in several provinces); those regions stay at the top level.
    :returns: nodes ``{"name", "value", "filter", "count", "selected", "open", "children"}``, where ``filter``
        is the parameter a link sets (``province``, ``region``, or None for a group) and ``open`` says that a
        selected value is inside.
    """
    tops = {p["value"]: _node(p["value"], p["value"], "province", p["count"], p["value"] in selected_provinces)
            for p in provinces if p["value"]}
    loose = []
    # a city the index holds only through its counties is in the province of its counties
    province_of = {**{c: p for r, p in province_of.items() if p and (c := parent_city(r, p))}, **province_of}
    # prefectures before counties, so that a county finds its prefecture's own node when there is one
    placed = [(r, province_of.get(r["value"])) for r in regions if r["value"]]
    placed.sort(key=lambda rp: parent_city(rp[0]["value"], rp[1]) is not None)
    for r, province in placed:
        name = r["value"]
        node = _node(OWN_CONGRESS if name == province else name, name, "region", r["count"],
                     name in selected_regions)
        if province is None:
            loose.append(node)
            continue
        parent = tops.setdefault(province, _node(province, province, "province", 0, province in selected_provinces))
        city = parent_city(name, province)
        if city:
            parent = next((c for c in parent["children"] if c["value"] == city), None) or \
                _append(parent, _node(city, city, None, None, False))
        _append(parent, node)
    nodes = sorted(tops.values(), key=lambda n: (-n["count"], n["value"]))
    nodes = [n for n in loose if n["value"] == NATIONAL] + nodes + [n for n in loose if n["value"] != NATIONAL]
    nodes += [_node(UNSTATED, UNSTATED, "region", r["count"], UNSTATED in selected_regions)
              for r in regions if r["value"] is None]
    for n in nodes:
        _settle(n)
    return nodes


def _append(parent: dict, child: dict) -> dict:
    parent["children"].append(child)
    return child


def _settle(node: dict) -> int:
    """Order children (本级 first, then most hits beneath), mark the path to selected values open; its weight
    (its count, which holds its children's, or theirs when it is a group)."""
    weights = {id(c): _settle(c) for c in node["children"]}
    node["children"].sort(key=lambda c: (c["name"] != OWN_CONGRESS, -weights[id(c)], c["value"]))
    node["open"] = any(c["selected"] or c["open"] for c in node["children"]) or \
        (node["selected"] and bool(node["children"]))
    return max(node["count"] or 0, sum(weights.values()))
