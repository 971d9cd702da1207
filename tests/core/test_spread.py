"""How a wording spreads (``core.spread``), checked against a brute-force reading of every stored passage: the
first year and the first reports overall, per tile of the map and per level; the reports held and using it per
year, with the years of no report held as gaps; a report's versions once."""
import pytest

from indexer.facets import LEVEL_LABELS
from indexer.index.reader import open_index
from indexer.normalize import fold
from search_app.core.query import QueryError
from search_app.core.search import Params
from search_app.core.spread import FIRSTS_LISTED, SPREAD_FIELDS, spread, spread_query, spread_rows
from search_app.core.stats import NATIONAL_TILE, PROVINCE_TILES, coverage, tile_name

PHRASES = ["备案审查", "全过程人民民主", "民生实事项目人大代表票决制", "执法检查"]
LEVEL_ORDER = [*LEVEL_LABELS, None]
TILE_NAMES = [name for name, _, _ in (NATIONAL_TILE, *PROVINCE_TILES)]


@pytest.fixture(scope="module")
def ix(index_dir):
    return open_index(index_dir)


def reports_of(passages: list[dict], phrase: str, level: str | None = None) -> list[dict]:
    """Every report once (its versions joined), in the order the index holds them, with whether it uses the
    phrase (in a passage or the headings before one) and the first passage that does (its own text first)."""
    needle, groups = fold(phrase), {}
    for p in passages:
        if level and p["level"] != level:
            continue
        key = min([p["doc_id"], *(p.get("versions") or [])])
        r = groups.setdefault(key, {"tile": tile_name(p["province"] or None, p["level"] or None),
                                    "level": p["level"] or None, "year": p["year"] or None, "own": [], "lead": []})
        if needle in fold(p["text"]):
            r["own"].append(p["passage_id"])
        elif needle in fold(p["lead"] or ""):
            r["lead"].append(p["passage_id"])
    out = list(groups.values())
    for r in out:
        r["first"] = (r["own"] or r["lead"] or [None])[0]
        r["uses"] = r["first"] is not None
    return out


def expected_group(reports: list[dict], years: list[int]) -> dict:
    """A group's first use (year, the reports that year, the first passages listed) and its counts per year."""
    using = [r for r in reports if r["uses"] and r["year"]]
    first = min((r["year"] for r in using), default=None)
    at_first = [r for r in using if r["year"] == first]
    at_first.sort(key=lambda r: LEVEL_ORDER.index(r["level"]))          # stable: index order within a level
    held = {y: sum(1 for r in reports if r["year"] == y) for y in years}
    used = {y: sum(1 for r in reports if r["year"] == y and r["uses"]) for y in years}
    return {"first_year": first, "first_reports": len(at_first),
            "firsts": [r["first"] for r in at_first[:FIRSTS_LISTED]],
            "reports": sum(1 for r in reports if r["uses"]), "reports_held": len(reports),
            "years": [(y, used[y], held[y], not held[y]) for y in years]}


def actual_group(g: dict) -> dict:
    return {"first_year": g["first_year"], "first_reports": g["first_reports"],
            "firsts": [h.passage_id for h in g["firsts"]], "reports": g["reports"], "reports_held": g["reports_held"],
            "years": [(y["year"], y["reports"], y["reports_held"], y["gap"]) for y in g["years"]]}


@pytest.mark.parametrize("phrase", PHRASES)
def test_first_uses_per_tile_and_level_are_those_of_a_brute_force_reading(ix, all_passages, phrase):
    result = spread(ix, Params(q=phrase))
    reports = reports_of(all_passages, phrase)
    years = result["years"]
    held_years = [r["year"] for r in reports if r["year"]]
    assert years == list(range(min(held_years), max(held_years) + 1))
    for tile in result["tiles"]:
        assert actual_group(tile) == expected_group([r for r in reports if r["tile"] == tile["name"]], years), \
            tile["name"]
    unplaced = [r for r in reports if r["tile"] not in TILE_NAMES]
    assert unplaced and actual_group(result["unplaced"]) == expected_group(unplaced, years)
    for g in result["levels"]:
        assert actual_group(g) == expected_group([r for r in reports if r["level"] == g["level"]], years), g["level"]
    assert [g["level"] for g in result["levels"]] == [lv for lv in LEVEL_ORDER
                                                      if lv or any(r["level"] is None for r in reports)]
    overall = expected_group(reports, years)
    assert actual_group({**result["first"], **result, "years": result["timeline"]}) == overall
    assert result["reports"] == overall["reports"] > 0 and result["reports_held"] == len(reports)


def test_a_report_is_first_used_once_whatever_its_copies(ix):
    """全过程人民民主 is first used in 2021 by 武侯区's report, sent twice (the site's and a WeChat repost, folded)."""
    result = spread(ix, Params(q="全过程人民民主"))
    first = result["first"]
    assert first["first_year"] == 2021 and first["first_reports"] == 1 and len(first["firsts"]) == 1
    hit = first["firsts"][0]
    assert hit.region == "武侯区" and "全过程人民民主" in fold(hit.text) and hit.citation
    assert any(hit.text[a:b] == "全过程人民民主" for a, b in hit.highlight.spans)      # marked where it stands
    sichuan = next(t for t in result["tiles"] if t["name"] == "四川省")
    assert sichuan["first_year"] == 2021 and sichuan["first_reports"] == 1


@pytest.fixture(scope="module")
def versions_ix(tmp_path_factory):
    """The national congress's report of 2014 and its 摘要: two versions of one report (``Index.report_groups``)."""
    from indexer.update import ingest
    from tests.conftest import WEB_DEV
    path = tmp_path_factory.mktemp("versions")
    ingest(path, [WEB_DEV / "a03-quanguo-2014.txt", WEB_DEV / "a02-quanguo-2014-zhaiyao.html"], workers=1)
    ix = open_index(path)
    assert len(ix.side.doc_ids) == 2 and len(set(ix.report_groups().tolist())) == 1
    return ix


def test_a_report_and_its_summary_are_one_first_use(versions_ix):
    result = spread(versions_ix, Params(q="民法典编纂"))
    assert result["total"] >= 2 and len({h.doc_id for h in result["first"]["firsts"]}) == 1
    assert result["first"]["first_reports"] == result["reports"] == result["reports_held"] == 1
    national = result["tiles"][0]
    assert national["name"] == "全国" and national["first_year"] == 2014 and national["first_reports"] == 1
    assert [(y["year"], y["reports"], y["reports_held"], y["share_of_reports"]) for y in national["years"]] == \
        [(2014, 1, 1, 1.0)]


def test_a_year_with_no_report_held_is_a_gap_never_a_zero(ix):
    result = spread(ix, Params(q="备案审查"))
    timeline = {y["year"]: y for y in result["timeline"]}
    held = set(coverage(ix)["years"][i] for i, n in enumerate(coverage(ix)["per_year"]) if n)
    gaps = [y for y in result["years"] if y not in held]
    assert gaps, "the samples leave years with no report held"
    for y in gaps:
        assert timeline[y]["gap"] and timeline[y]["share_of_reports"] is None and timeline[y]["reports_held"] == 0
    for tile in result["tiles"]:
        for y in tile["years"]:
            assert y["gap"] == (y["reports_held"] == 0)
            assert (y["share_of_reports"] is None) == y["gap"]
            if not y["gap"]:
                assert y["share_of_reports"] == round(y["reports"] / y["reports_held"], 4)


def test_the_timeline_names_each_tile_and_level_in_the_year_of_its_first_use(ix):
    result = spread(ix, Params(q="备案审查"))
    named = {n: y["year"] for y in result["timeline"] for n in y["tiles"]}
    assert named == {t["name"]: t["first_year"] for t in result["tiles"] if t["first_year"]}
    levels = {lv: y["year"] for y in result["timeline"] for lv in y["levels"]}
    assert levels == {g["level"]: g["first_year"] for g in result["levels"] if g["first_year"]}
    assert [y["year"] for y in result["timeline"] if y["first"]] == [result["first"]["first_year"]]


def test_filters_narrow_both_the_uses_and_the_reports_held(ix, all_passages):
    result = spread(ix, Params(q="备案审查", filters={"level": ["县级"]}))
    reports = reports_of(all_passages, "备案审查", level="county")
    assert result["reports_held"] == len(reports) and result["reports"] == sum(r["uses"] for r in reports)
    assert [g["level"] for g in result["levels"] if g["reports_held"]] == ["county"]
    for tile in result["tiles"]:
        assert actual_group(tile) == expected_group([r for r in reports if r["tile"] == tile["name"]],
                                                    result["years"])


@pytest.mark.parametrize("typed, read", [("备案审查", '"备案审查"'), ('"备案审查"', '"备案审查"'),
                                         ("备案审查 level:county", '"备案审查" level:county'),
                                         ("备案审查 OR 执法检查", '"备案审查" OR "执法检查"')])
def test_a_wording_is_found_as_written(typed, read):
    assert spread_query(typed) == read


@pytest.mark.parametrize("q", ["", "  ", "level:county", "-备案审查"])
def test_a_query_without_a_wording_is_refused(ix, q):
    with pytest.raises(QueryError, match="措辞"):
        spread(ix, Params(q=q))


def test_a_wording_never_used_has_no_first_use_and_every_held_tile_unused(ix):
    result = spread(ix, Params(q="月球基地建设"))
    assert result["first"] is None and result["total"] == 0 and result["reports_held"] > 0
    assert all(t["first_year"] is None and not t["firsts"] for t in result["tiles"])
    assert all(y["share_of_reports"] in (None, 0.0) for y in result["timeline"])
    assert any(not y["gap"] and y["share_of_reports"] == 0.0 for y in result["timeline"])


def test_the_rows_are_one_per_held_tile_and_level_with_its_first_report(ix):
    result = spread(ix, Params(q="备案审查"))
    rows = spread_rows(result)
    assert all(list(r) == list(SPREAD_FIELDS) for r in rows)
    assert rows[0]["kind"] == "first" and rows[0]["first_year"] == result["first"]["first_year"]
    provinces = [r for r in rows if r["kind"] == "province"]
    assert [r["name"] for r in provinces] == [t["name"] for t in result["tiles"] if t["reports_held"]] + ["（未标明）"]
    levels = [r["name"] for r in rows if r["kind"] == "level"]
    assert levels[:4] == ["全国", "省级", "市级", "县级"]
    by_name = {t["name"]: t for t in result["tiles"]}
    for r in provinces:
        t = by_name.get(r["name"])
        if t and t["firsts"]:
            assert r["passage_id"] == t["firsts"][0].passage_id and r["first_year"] == t["first_year"]


def test_a_spread_is_worked_out_once_per_commit_and_each_caller_gets_its_own_hits(index_dir, monkeypatch):
    """The page, its JSON twin and its table ask for the same spread; the web completes each hit with its address."""
    from indexer.index.reader import Index
    from search_app.core import spread as module
    ix = Index(index_dir)
    first = spread(ix, Params(q="备案审查"))
    monkeypatch.setattr(module, "_spread", lambda *a: pytest.fail("the spread worked out again"))
    again = spread(ix, Params(q='"备案审查"'))
    assert [h.passage_id for h in again["first"]["firsts"]] == [h.passage_id for h in first["first"]["firsts"]]
    first["first"]["firsts"][0].passage_url = "/elsewhere"
    assert again["first"]["firsts"][0].passage_url is None
    assert spread(ix, Params(q="备案审查"))["first"]["firsts"][0].passage_url is None
