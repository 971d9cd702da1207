"""The region facet as a province → city → county tree: the parent lookup, the arrangement, the index's pairing."""
import pytest

from indexer.divisions import parent_city
from indexer.facets import UNSTATED
from indexer.index.reader import open_index
from search_app.core.facets import region_provinces
from search_app.core.region_tree import OWN_CONGRESS, region_tree
from search_app.core.search import Params
from tests.conftest import search_json


@pytest.mark.parametrize("name,province,city", [
    ("义乌市", "浙江省", "金华市"),            # county-level city under its prefecture
    ("扎鲁特旗", "内蒙古自治区", "通辽市"),
    ("鼓楼区", "福建省", "福州市"),            # one 鼓楼区 in 福建省 ...
    ("鼓楼区", "江苏省", None),                # ... two in 江苏省 (南京市, 徐州市): not pinned to one
    ("鼓楼区", None, None),
    ("渝中区", "重庆市", None),                # municipal district: directly under the province
    ("仙桃市", "湖北省", None),                # county-level city directly under its province
    ("湖州市", "浙江省", None),                # a prefecture has no parent city
    ("浙江省", "浙江省", None),
    ("莱芜市", "山东省", None),                # abolished 2019: not in the table
    ("义乌市", "江苏省", None),                # a wrong province is not silently corrected
])
def test_parent_city(name, province, city):
    assert parent_city(name, province) == city


def facet(pairs):
    return [{"value": v, "count": c} for v, c in pairs]


PROVINCE_OF = {"全国": None, "浙江省": "浙江省", "湖州市": "浙江省", "义乌市": "浙江省", "东阳市": "浙江省",
               "金华市": "浙江省", "扎鲁特旗": "内蒙古自治区", "鼓楼区": None}


def flatten(nodes, depth=0):
    for n in nodes:
        yield depth, n
        yield from flatten(n["children"], depth + 1)


def test_tree_nests_counties_under_their_city_and_keeps_every_count():
    regions = facet([("全国", 9), ("义乌市", 7), ("浙江省", 6), ("湖州市", 5), ("扎鲁特旗", 4), ("东阳市", 3),
                     ("鼓楼区", 2)])
    provinces = facet([(None, 11), ("浙江省", 21), ("内蒙古自治区", 4)])
    tree = region_tree(regions, provinces, PROVINCE_OF)
    assert [n["name"] for n in tree] == ["全国", "浙江省", "内蒙古自治区", "鼓楼区"]
    zhejiang = tree[1]
    assert (zhejiang["filter"], zhejiang["count"]) == ("province", 21)
    assert [c["name"] for c in zhejiang["children"]] == [OWN_CONGRESS, "金华市", "湖州市"]
    own, jinhua, huzhou = zhejiang["children"]
    assert (own["value"], own["filter"], own["count"]) == ("浙江省", "region", 6)
    assert (jinhua["filter"], jinhua["count"]) == (None, None)        # a group: not in the region facet given
    assert [(c["value"], c["count"]) for c in jinhua["children"]] == [("义乌市", 7), ("东阳市", 3)]
    assert tree[2]["children"][0]["children"][0]["value"] == "扎鲁特旗"
    # every region appears once, with its facet count; provinces keep theirs
    leaves = [(n["value"], n["count"]) for _, n in flatten(tree) if n["filter"] == "region"]
    assert sorted(leaves) == sorted((r["value"], r["count"]) for r in regions)
    assert {(n["value"], n["count"]) for n in tree if n["filter"] == "province"} == \
        {(p["value"], p["count"]) for p in provinces if p["value"]}
    assert not any(n["open"] or n["selected"] for _, n in flatten(tree))


def test_city_with_hits_of_its_own_holds_its_counties():
    tree = region_tree(facet([("义乌市", 2), ("金华市", 5)]), facet([("浙江省", 7)]), PROVINCE_OF)
    (jinhua,) = tree[0]["children"]
    assert (jinhua["value"], jinhua["filter"], jinhua["count"]) == ("金华市", "region", 5)
    assert [c["value"] for c in jinhua["children"]] == ["义乌市"]


def test_selected_values_stay_visible_and_their_path_opens():
    regions = facet([("湖州市", 5), ("义乌市", 0), ("宁波市", 0)])   # selected values come with count 0
    tree = region_tree(regions, facet([("浙江省", 5)]), PROVINCE_OF, selected_regions=["义乌市", "宁波市"])
    by_value = {n["value"]: n for _, n in flatten(tree)}
    assert by_value["义乌市"]["selected"] and by_value["义乌市"]["count"] == 0
    assert by_value["金华市"]["open"] and by_value["浙江省"]["open"] and not by_value["湖州市"]["open"]
    assert by_value["宁波市"] in tree                       # unknown to the index: listed at the top level
    selected_province = region_tree(regions[:1], facet([("浙江省", 5)]), PROVINCE_OF, selected_provinces=["浙江省"])
    assert selected_province[0]["selected"] and selected_province[0]["open"]


def test_region_provinces_match_the_stored_passages(index_dir, all_passages):
    pairs: dict[str, set] = {}
    for p in all_passages:
        if p["region"]:
            pairs.setdefault(p["region"], set()).add(p["province"] or None)
    expected = {r: ps.pop() if len(ps) == 1 else None for r, ps in pairs.items()}
    assert region_provinces(open_index(index_dir)) == expected
    assert expected["全国"] is None and expected["扎鲁特旗"] == "内蒙古自治区"


def test_unknown_regions_are_listed_last_and_tickable():
    tree = region_tree(facet([(None, 4), ("义乌市", 2)]), facet([(None, 4), ("浙江省", 2)]), PROVINCE_OF,
                       selected_regions=[UNSTATED])
    assert [(n["name"], n["value"], n["filter"], n["count"], n["selected"]) for n in tree][-1] == \
        (UNSTATED, UNSTATED, "region", 4, True)


def test_a_city_held_through_its_counties_sits_in_their_province():
    tree = region_tree(facet([("金华市", 9), ("义乌市", 7), ("东阳市", 2)]), facet([("浙江省", 9)]), PROVINCE_OF)
    (jinhua,) = tree[0]["children"]
    assert (jinhua["value"], jinhua["filter"], jinhua["count"]) == ("金华市", "region", 9)
    assert [c["value"] for c in jinhua["children"]] == ["义乌市", "东阳市"]


def rolled_up(node):
    """What a node's filter returns, as its children say it: its count, or theirs when it is a group."""
    return node["count"] if node["filter"] else sum(rolled_up(c) for c in node["children"])


def test_tree_of_a_real_search_keeps_the_facet_counts(index_dir):
    ix = open_index(index_dir)
    result = search_json(ix, Params(q="监督"))
    tree = region_tree(result["facets"]["region"], result["facets"]["province"], region_provinces(ix))
    leaves = sorted((n["value"], n["count"]) for _, n in flatten(tree) if n["filter"] == "region")
    assert leaves == sorted((r["value"] or UNSTATED, r["count"]) for r in result["facets"]["region"])
    for province in (n for n in tree if n["filter"] == "province"):
        # the province facet is the roll-up of its regions; a city's count holds its counties'
        assert sum(rolled_up(c) for c in province["children"]) == province["count"]
        for city in (c for c in province["children"] if c["filter"] and c["children"]):
            assert city["count"] >= sum(c["count"] for c in city["children"])
    # every count is what its filter returns
    for _, node in flatten(tree):
        if node["filter"]:
            total = search_json(ix, Params(q="监督", filters={node["filter"]: [node["value"]]}, limit=0))["total"]
            assert total == node["count"], node["value"]
