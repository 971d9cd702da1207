"""The search core against brute force: exact wording, facet counts, filters, ranking basics."""
import bisect
import random

import pytest

from indexer.divisions import parent_city
from indexer.facets import UNSTATED
from indexer.index.reader import open_index
from indexer.normalize import fold, to_traditional
from indexer.settings import SETTINGS
from search_app.core.query import QueryError
from search_app.core.search import Params
from tests.conftest import search_json, seeded_rng

MAX_LIMIT = SETTINGS.max_hits

SEED = 20261122


def run(index_dir, q, **kw):
    kw.setdefault("limit", MAX_LIMIT)
    return search_json(open_index(index_dir), Params(q=q, **kw))


def _variants(rng: random.Random, s: str) -> str:
    """The same wording as a user might type it: traditional, full-width digits, stray spaces."""
    choice = rng.random()
    if choice < 0.2:
        return to_traditional(s)
    if choice < 0.3:
        return s.translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})
    if choice < 0.4 and len(s) > 2:
        cut = rng.randrange(1, len(s))
        return s[:cut] + " " + s[cut:]
    return s


@pytest.fixture(scope="module")
def reports(index_dir):
    from indexer.index.commits import current_commit, live_documents
    return list(live_documents(index_dir, current_commit(index_dir)))


def report_matches(reports, key: str) -> set[str]:
    """Brute force over whole reports as written: the passages where the folded ``key`` starts, the text
    between two passages (their headings) counting with the passage after it, and what follows the last
    passage with the last."""
    out = set()
    for d in reports:
        passages = d.passages()
        pieces, previous_end = [], 0
        for i, p in enumerate(passages):
            pieces.append(fold(d.text[previous_end:len(d.text) if i == len(passages) - 1 else p.end]))
            previous_end = p.end
        starts = [0]
        for piece in pieces:
            starts.append(starts[-1] + len(piece))
        joined = "".join(pieces)
        i = joined.find(key)
        while i >= 0:
            out.add(passages[bisect.bisect_right(starts, i) - 1].passage_id)
            i = joined.find(key, i + 1)
    return out


def test_exact_wording_oracle_600_substrings_of_the_reports(index_dir, reports):
    """Quoted queries return exactly the passages where the folded string starts in the report as written,
    for random substrings of whole reports: inside a passage, in a heading, or running on across a passage
    or a line (100% recall and precision)."""
    rng = seeded_rng(SEED)
    checked = crossing = 0
    for _ in range(600):
        text = rng.choice(reports).text
        length = rng.randint(1, 20)
        start = rng.randrange(0, max(1, len(text) - length))
        sub = text[start:start + length]
        key = fold(sub)
        if not key or '"' in sub:
            continue
        want = report_matches(reports, key)
        got = {h["passage_id"] for h in run(index_dir, f'"{_variants(rng, sub.replace(chr(10), " "))}"')["hits"]}
        assert got == want, (sub, len(got), len(want))
        checked += 1
        crossing += "\n" in sub
    assert checked >= 580 and crossing >= 30
    print(f"{checked} substrings, {crossing} of them across a line: 100% recall and precision")


@pytest.mark.parametrize("phrase", ["备必审", "有备必审", "人大常委会", "專題詢問", "２０２２年", "备案 审查"])
def test_phrases_cutting_across_words_scripts_and_spaces(index_dir, reports, phrase):
    want = report_matches(reports, fold(phrase))
    assert want
    assert {h["passage_id"] for h in run(index_dir, f'"{phrase}"')["hits"]} == want


def test_a_phrase_in_a_heading_is_found_and_marked(index_dir):
    r = run(index_dir, '"全力抓好监督工作"')
    (hit,) = r["hits"]
    assert "全力抓好监督工作" in hit["lead"] and "<mark>全力抓好监督工作</mark>" in hit["lead_highlight"]
    assert hit["region"] == "巴彦淖尔市"


def test_a_phrase_running_on_into_the_next_passage_is_found_where_it_starts(index_dir, reports):
    d = next(d for d in reports if d.region == "巴彦淖尔市")
    a, b = d.passages()[3], d.passages()[4]
    assert d.text[a.end:b.start] == "\n"          # two passages with nothing between them
    phrase = a.text[-4:] + b.text[:4]
    (hit,) = run(index_dir, f'"{phrase}"')["hits"]
    assert hit["passage_id"] == a.passage_id and hit["highlight"].endswith(f"<mark>{a.text[-4:]}</mark>")


def test_words_match_the_passage_not_the_heading_before_it(index_dir):
    """Only the heading 三、全力抓好监督工作 says 全力抓好: quoted, it finds the passage the heading opens;
    as a word it matches passage text alone, like any other word."""
    assert run(index_dir, '"全力抓好"')["total"] == 1 and run(index_dir, "全力抓好")["total"] == 0


def test_text_across_an_undone_hard_wrap_is_found(index_dir):
    # 13-weifang wraps "审查批准了2011年市级财" / "政决算" across lines in the file.
    r = run(index_dir, '"2011年市级财政决算"')
    assert r["total"] == 2 and {h["region"] for h in r["hits"]} == {"潍坊市"}


def _brute_facets(passages):
    counts = {}
    for p in passages:
        for name, key in (("region", "region"), ("province", "province"), ("level", "level"),
                          ("section", "section"), ("doc_type", "doc_type"), ("year", "year")):
            v = p[key] or None
            counts.setdefault(name, {}).setdefault(v, 0)
            counts[name][v] += 1
        if (city := parent_city(p["region"], p["province"] or None)):     # a city counts with its counties
            counts["region"][city] = counts["region"].get(city, 0) + 1
    return counts


def test_facet_counts_oracle(index_dir, all_passages):
    """Facet counts equal brute-force counts over the filtered result set, for 100 random queries and filters
    (R16), and stay the same on any page of any size."""
    rng = seeded_rng(SEED)
    words = ["监督", "代表", "立法", "备案审查", "法治", "预算", "专题询问", "人大常委会", "作风", "民生"]
    pages = 0
    for _ in range(100):
        w = rng.choice(words)
        filters = {}
        if rng.random() < 0.5:
            filters["level"] = rng.sample(["county", "city", "provincial", "national"], rng.randint(1, 2))
        if rng.random() < 0.4:
            filters["section"] = rng.sample(["监督工作", "代表工作", "立法工作", "法治建设", "综述"], 2)
        year = rng.choice([None, "2014-2020", "2021-", "2022"])
        r = run(index_dir, w, filters=filters, year=year)
        for _ in range(2):      # another page of another size: the same total and counts
            limit = rng.randint(1, 50)
            paged = run(index_dir, w, filters=filters, year=year, limit=limit,
                        offset=limit * rng.randint(0, max(0, r["total"] // limit)))
            assert (paged["total"], paged["facets"], paged["facets_or"]) == (r["total"], r["facets"], r["facets_or"])
            pages += 1
        lo, hi = (2014, 2020) if year == "2014-2020" else (2021, 9999) if year == "2021-" else \
            (2022, 2022) if year == "2022" else (0, 9999)
        matched = [p for p in all_passages if fold(w) in fold(p["text"])
                   and all(p[k] in v for k, v in filters.items())
                   and lo <= (p["year"] or 0) <= hi]
        assert r["total"] == len(matched)
        brute = _brute_facets(matched)
        for name, items in r["facets"].items():
            got = {i["value"]: i["count"] for i in items if i["count"]}
            assert got == brute.get(name, {}), name
        for name, values in filters.items():
            listed = {i["value"] for i in r["facets"][name]}
            assert set(values) <= listed           # a selected value always appears
            # facets_or: the same facet counted under every other filter, what ticking another value would add
            key = name
            others = [p for p in all_passages if fold(w) in fold(p["text"]) and lo <= (p["year"] or 0) <= hi
                      and all(p[k] in v for k, v in filters.items() if k != name)]
            want = {}
            for p in others:
                want[p[key] or None] = want.get(p[key] or None, 0) + 1
            assert {i["value"]: i["count"] for i in r["facets_or"][name] if i["count"]} == want, name
        if year:        # the year counted under every other filter, without the year range
            others = [p for p in all_passages if fold(w) in fold(p["text"])
                      and all(p[k] in v for k, v in filters.items())]
            want = {}
            for p in others:
                want[p["year"] or None] = want.get(p["year"] or None, 0) + 1
            assert {i["value"]: i["count"] for i in r["facets_or"]["year"]} == want
        assert set(r["facets_or"]) == {k for k, v in filters.items() if v} | ({"year"} if year else set())
    print(f"\nR16: 100 random queries and filters against brute-force counts: count mismatches 0; counts changing "
          f"with the page or its size over {pages} other pages 0 (the facet timeout: test_deadline.py, test_app.py)")


def test_or_within_a_facet_and_across_facets(index_dir):
    both = run(index_dir, "监督", filters={"region": ["浙江省", "武侯区"]})
    zj = run(index_dir, "监督", filters={"region": ["浙江省"]})
    wh = run(index_dir, "监督", filters={"region": ["武侯区"]})
    assert both["total"] == zj["total"] + wh["total"] > 0
    narrowed = run(index_dir, "监督", filters={"region": ["浙江省", "武侯区"], "level": ["county"]})
    assert narrowed["total"] == wh["total"]


def test_boolean_operators(index_dir, all_passages):
    def ids(q):
        return {h["passage_id"] for h in run(index_dir, q)["hits"]}
    has = {p["passage_id"]: fold(p["text"]) for p in all_passages}
    assert ids("执法检查 专题询问") == {i for i, t in has.items() if "执法检查" in t and "专题询问" in t}
    assert ids("执法检查 OR 专题询问") == {i for i, t in has.items() if "执法检查" in t or "专题询问" in t}
    assert ids("执法检查 -专题询问") == {i for i, t in has.items() if "执法检查" in t and "专题询问" not in t}
    assert ids("(立法 OR 法规) NOT 条例") == {i for i, t in has.items()
                                           if ("立法" in t or "法规" in t) and "条例" not in t}


def test_unquoted_words_match_however_the_document_was_segmented(index_dir, all_passages):
    r = run(index_dir, "备审")                       # not a word anywhere; only a substring of 有备必审
    assert r["total"] == sum(1 for p in all_passages if "备审" in fold(p["text"]))


def test_proximity(index_dir):
    near = run(index_dir, '"立法 联系点"~1')
    far = run(index_dir, '"立法 联系点"~30')
    assert 0 < near["total"] <= far["total"]


def test_ranking_prefers_heading_and_exact_string(index_dir):
    r = run(index_dir, "备案审查", limit=3)
    assert "备案审查" in r["hits"][0]["heading"]


def test_sorting_by_year(index_dir):
    newest = [h["year"] for h in run(index_dir, "监督", sort="newest", limit=50)["hits"]]
    assert newest == sorted(newest, reverse=True)
    oldest = [h["year"] for h in run(index_dir, "监督", sort="oldest", limit=50)["hits"]]
    assert oldest == sorted(oldest)


def test_paging_does_not_change_totals_or_facets(index_dir):
    a, b = run(index_dir, "代表", limit=5), run(index_dir, "代表", limit=5, offset=5)
    assert a["total"] == b["total"] and a["facets"] == b["facets"]
    assert not {h["passage_id"] for h in a["hits"]} & {h["passage_id"] for h in b["hits"]}


def test_parsed_query_is_reported(index_dir):
    r = run(index_dir, '备案审查执法检查 "有备必审" region:浙江省', limit=1)
    assert r["parsed"]["terms"][0]["segments"] == ["备案审查", "执法检查"]
    assert r["parsed"]["filters"] == {"region": ["浙江省"]}


@pytest.mark.parametrize("q", ["*abc", "foo:bar", "a OR", "x" * 300, "year:abc", '"', "()",
                               " ".join(["词"] * 40), "NOT", "", "region:", "year："])
def test_bad_queries_raise_query_error(index_dir, q):
    with pytest.raises(QueryError):
        run(index_dir, q)


def test_filter_only_query(index_dir):
    r = run(index_dir, "", filters={"doc_type": ["述法报告"]})
    assert r["total"] > 0 and {h["doc_type"] for h in r["hits"]} == {"述法报告"}


# ----------------------------------------------------------------- words that name a report; question phrasing

def test_question_phrasing_is_dropped_and_listed():
    from search_app.core.query import parse
    p = parse("湖州市人大常委会是怎么写生态文明立法的")
    assert p.tree.describe() == "(湖州市人大常委会 AND 生态文明立法)" and p.ignored == ["是怎么写", "的"]
    assert parse("义乌 基层立法联系点 怎么做的").ignored == ["怎么做的"]
    assert parse('"如何" 工作').ignored == [] and parse("-什么 工作").ignored == []     # quoted and excluded stay
    for q in ("怎么", "怎么 OR 如何", "备案审查 OR 怎么"):                             # nothing else, or a dangling OR
        p = parse(q)
        assert p.ignored == [] and "怎么" in p.tree.describe()


def test_a_place_word_beside_other_words_also_matches_the_reports_of_that_place(index_dir, all_passages):
    """浙江 备案审查: passages of Zhejiang's reports about 备案审查, and passages that write both words."""
    r = run(index_dir, "浙江 备案审查")
    want = {p["passage_id"] for p in all_passages if "备案审查" in fold(p["text"])
            and (p["province"] == "浙江省" or "浙江" in fold(p["text"]))}
    assert {h["passage_id"] for h in r["hits"]} == want and r["total"] == len(want)
    assert any("浙江" not in h["text"] for h in r["hits"])
    assert r["parsed"]["terms"][0]["segments"] == ["浙江"]
    alone = run(index_dir, "浙江")                     # one word: the text only, as typed
    assert {h["passage_id"] for h in alone["hits"]} == {p["passage_id"] for p in all_passages
                                                        if "浙江" in fold(p["text"])}


def test_places_years_and_congress_words_as_report_words(index_dir, all_passages):
    def ids(q):
        return {h["passage_id"] for h in run(index_dir, q)["hits"]}

    def passages(pred):
        return {p["passage_id"] for p in all_passages if pred(p)}
    has = lambda p, w: w in fold(p["text"])        # noqa: E731
    # 内/蒙古 are one word again, naming the province
    assert ids("内蒙古 备案审查") == passages(lambda p: has(p, "备案审查") and
                                         (p["province"] == "内蒙古自治区" or has(p, "内蒙古")))
    # a year names the reports of that year
    assert ids("2022年 预算") == passages(lambda p: has(p, "预算") and (p["year"] == 2022 or has(p, "2022年")))
    assert run(index_dir, "2022年 预算")["parsed"]["terms"][0]["segments"] == ["2022年"]
    # a congress word beside other words is satisfied by every report; 全国人大 names the national congress
    assert ids("人大常委会 备案审查") == ids("备案审查")
    assert ids("全国人大 备案审查") == passages(lambda p: has(p, "备案审查") and
                                           (p["region"] == "全国" or has(p, "全国人大")))
    assert ids("全国人大 备案审查")
    # a legislature term that starts with a congress word stays one word
    assert run(index_dir, "常委会组成人员")["parsed"]["terms"][0]["segments"] == ["常委会组成人员"]


def test_words_that_match_nothing_together_give_the_passages_with_most_of_them(index_dir, all_passages):
    """No passage has 脱贫攻坚, 扶贫 and 监督 together: the passages with two of the three come back, each
    saying which word it lacks; --strict (relax=False) keeps the empty answer."""
    r = run(index_dir, "脱贫攻坚 扶贫 监督")
    assert r["relaxed"]["matched"] == 2 and r["relaxed"]["of"] == 3
    has = {w: {p["passage_id"] for p in all_passages if fold(w) in fold(p["text"])} for w in ("脱贫攻坚", "扶贫", "监督")}
    two = {pid for pid in set().union(*has.values()) if sum(pid in s for s in has.values()) == 2}
    assert {h["passage_id"] for h in r["hits"]} == two and r["total"] == len(two)
    for h in r["hits"]:
        assert h["missing"] == [w for w in has if h["passage_id"] not in has[w]]
    assert run(index_dir, "脱贫攻坚 扶贫 监督", relax=False)["total"] == 0


@pytest.mark.parametrize("q", ['"脱贫攻坚扶贫监督"', "脱贫扶贫", "月球基地 火星车", "月球基地 火星车 监督"])
def test_no_relaxed_answer_for_phrases_single_words_or_when_under_half_match(index_dir, q):
    r = run(index_dir, q)
    assert "relaxed" not in r and all("missing" not in h for h in r["hits"])


def test_a_question_typed_as_one_sentence_relaxes_by_its_words(index_dir):
    r = run(index_dir, "浙江省人大常委会过去五年立法工作怎么总结的")
    assert r["relaxed"]["of"] == 5 and r["total"] and {h["region"] for h in r["hits"]} == {"浙江省"}


def test_stats_count_reports_held_under_the_same_filters(index_dir, reports):
    """Under level:county the share is of the county reports held each year, not of every report."""
    from search_app.core.stats import stats
    r = stats(open_index(index_dir), Params(q="监督 level:county"), ["year"])
    for row in r["rows"]:
        held = {d.doc_id for d in reports if d.level == "county" and (d.year or None) == row["year"]}
        assert row["reports_held"] == len(held) > 0
        assert row["share_of_reports"] == round(row["reports"] / len(held), 4)


def test_similar_passages_come_one_per_other_report(index_dir, all_passages):
    from search_app.core.similar import similar
    from search_app.formats import result_json
    ix = open_index(index_dir)
    source = next(p for p in all_passages if "有件必备" in p["text"])
    r = result_json(similar(ix, passage_id=source["passage_id"], limit=10))
    docs = [h["doc_id"] for h in r["hits"]]
    assert docs and len(docs) == len(set(docs)) and source["doc_id"] not in docs
    assert r["hits"][0]["score"] >= r["hits"][-1]["score"]
    assert any("有件必备" in h["text"] for h in r["hits"])
    pasted = result_json(similar(ix, text="坚持有件必备、有备必审、有错必纠，认真审查规范性文件", limit=30))["hits"]
    assert len(pasted) > 10 and len({h["doc_id"] for h in pasted}) == len(pasted)


@pytest.fixture(scope="module")
def versions_ix(tmp_path_factory):
    """A report and its 摘要 (two versions of one report, ``Index.report_groups``) beside another report."""
    from indexer.update import ingest
    from tests.conftest import WEB_DEV
    path = tmp_path_factory.mktemp("versions")
    ingest(path, [WEB_DEV / "a03-quanguo-2014.txt", WEB_DEV / "a02-quanguo-2014-zhaiyao.html",
                  WEB_DEV / "b01-youxian-2022-weixin.html"], workers=1)
    ix = open_index(path)
    assert len(ix.side.doc_ids) == 3 and len(set(ix.report_groups().tolist())) == 2
    return ix


def test_one_passage_per_report_takes_a_reports_versions_as_one(versions_ix):
    """Grouped by report, a report and its 摘要 are listed once, as every count takes them (the trends, the home
    page's tiles that link here); a listed passage's count is of its own report's passages, which its page marks."""
    from collections import Counter

    from search_app.core.search import export_hits, search
    from search_app.core.stats import stats
    ix = versions_ix
    grouped = search(ix, Params(q="监督", group=True, limit=10))
    number = {d: i for i, d in enumerate(ix.side.doc_ids)}
    listed = [int(ix.report_groups()[number[h.doc_id]]) for h in grouped["hits"]]
    assert grouped["reports"] == len(listed) == len(set(listed)) == stats(ix, Params(q="监督"), ["year"])["reports"]
    passages = Counter(h.doc_id for h in export_hits(ix, Params(q="监督")))
    assert [h.report_hits for h in grouped["hits"]] == [passages[h.doc_id] for h in grouped["hits"]]
    assert [h.doc_id for h in export_hits(ix, Params(q="监督", group=True))] == [h.doc_id for h in grouped["hits"]]


def test_a_passages_precedents_are_never_its_own_report_in_another_version(versions_ix):
    """The 摘要 repeats the report's sentences: it is no precedent of them. A pasted paragraph, which belongs to
    no report, finds the report once, in whichever version says it best."""
    from search_app.core.similar import similar
    ix = versions_ix
    number = {d: i for i, d in enumerate(ix.side.doc_ids)}
    group = {d: int(ix.report_groups()[i]) for d, i in number.items()}
    full = next(d for d in ix.side.doc_ids if ix.document(d)["title"] == "全国人民代表大会常务委员会工作报告")
    source = next(p for s in ix.document(full)["sections"] for p in s["passages"] if len(p["text"]) > 80)
    assert all(group[h.doc_id] != group[full] for h in similar(ix, passage_id=source["passage_id"], limit=10)["hits"])
    pasted = [group[h.doc_id] for h in similar(ix, text=source["text"], limit=10)["hits"]]
    assert group[full] in pasted and len(pasted) == len(set(pasted))


def test_a_phrase_from_a_heading_through_a_short_passage_into_the_next_is_marked_in_both(tmp_path):
    from indexer.update import ingest
    report = tmp_path / "r.txt"
    report.write_text("某县人大常委会2020年工作报告\n一、监督工作\n成效明显。\n常委会听取审议县政府专项工作报告八个，开展执法检查三次。\n",
                      encoding="utf-8")
    ingest(tmp_path / "ix", [report], workers=1)
    (hit,) = search_json(open_index(tmp_path / "ix"), Params(q='"监督工作成效明显。常委会"'))["hits"]
    assert hit["text"] == "成效明显。" and hit["highlight"] == "<mark>成效明显。</mark>"
    assert hit["lead_highlight"] == "一、<mark>监督工作</mark>"


def test_relaxed_results_count_facets_and_export_what_they_show(index_dir):
    from search_app.core.search import export_hits
    from search_app.formats import hit_row
    ix = open_index(index_dir)
    r = run(index_dir, "脱贫攻坚 扶贫 监督")
    assert r["relaxed"] and sum(f["count"] for f in r["facets"]["level"]) == r["total"]
    exported = [hit_row(h) for h in export_hits(ix, Params(q="脱贫攻坚 扶贫 监督"))]
    assert [e["passage_id"] for e in exported] == [h["passage_id"] for h in r["hits"]]
    assert all(e["missing"] == " ".join(h["missing"]) for e, h in zip(exported, r["hits"]))
    level = r["hits"][0]["level"]
    ticked = run(index_dir, "脱贫攻坚 扶贫 监督", filters={"level": [level]})
    offered = {f["value"] for f in ticked["facets_or"]["level"]}
    assert offered == {f["value"] for f in r["facets"]["level"]}       # the other levels stay on offer


@pytest.mark.parametrize("a, b", [("立法", "联系点"), ("代表", "建议"), ("监督", "工作"), ("执法", "检查")])
@pytest.mark.parametrize("slop", [0, 1, 3, 10])
def test_proximity_oracle(index_dir, all_passages, a, b, slop):
    """"a b"~k: passages holding both as words with at most k words between some occurrence of each,
    against the passages' own segmentation."""
    from indexer.index.analysis import words
    want = set()
    for p in all_passages:
        tokens = words(fold(p["text"]))
        pa, pb = [i for i, t in enumerate(tokens) if t == a], [i for i, t in enumerate(tokens) if t == b]
        if pa and pb and min(abs(x - y) for x in pa for y in pb) - 1 <= slop:
            want.add(p["passage_id"])
    assert {h["passage_id"] for h in run(index_dir, f'"{a} {b}"~{slop}')["hits"]} == want


@pytest.mark.parametrize("q", ["监督工作", "代表工作", "立法工作", "代表工作 监督工作"])
def test_the_exact_string_bonus_read_best_first_ranks_as_reading_every_row(index_dir, q):
    """The first k, and their scores, are those of giving every row its bonus; the candidates (rows that may
    hold the string) are few enough here that some lack it, so both branches of the reading loop run."""
    from search_app.core.matching import names_reports
    from search_app.core.ranking import rank, terms_for_ranking
    from search_app.core.search import result_rows
    ix = open_index(index_dir)
    result = result_rows(ix, Params(q=q))
    words, exact = terms_for_ranking(ix, result.parsed)
    by_report = names_reports(ix, result.parsed.tree)
    ks = [k for k in (1, 3, 10) if k < len(result.rows) // 4]        # fewer rows: every row is read
    assert exact and ks
    full_scores, full = rank(ix, result.rows, words, exact, by_report, "relevance", len(result.rows))
    for k in ks:
        scores, top = rank(ix, result.rows, words, exact, by_report, "relevance", k)
        assert top.tolist() == full[:k].tolist()
        assert scores[top].tolist() == full_scores[top].tolist()


@pytest.mark.parametrize("q, fixed, said", [
    ('"有备必审', '"有备必审"', "补上了缺少的结尾引号"),
    ("“全过程人民民主", "“全过程人民民主”", "补上了缺少的结尾引号 ”"),
    ("(备案审查 OR 执法检查", "备案审查 OR 执法检查", "去掉了不成对的括号（1 个）"),
    ("备案审查 OR 执法检查)", "备案审查 OR 执法检查", "去掉了不成对的括号（1 个）"),
    ('("有备必审" OR 执法检查', '"有备必审" OR 执法检查', "去掉了不成对的括号"),
])
def test_a_stray_quote_or_bracket_is_mended_and_the_search_says_so(index_dir, q, fixed, said):
    from search_app.core.query import repair
    assert repair(q)[0] == fixed
    r, expected = run(index_dir, q), run(index_dir, fixed)
    assert r["total"] == expected["total"] > 0 and any(said in note for note in r["parsed"]["repaired"])
    assert expected["parsed"]["repaired"] == []


def test_a_reversed_year_range_is_read_the_right_way_round(index_dir):
    assert run(index_dir, "监督 year:2023-2015")["total"] == run(index_dir, "监督 year:2015-2023")["total"] > 0


@pytest.mark.parametrize("name,value,stored", [
    ("province", "浙江", "浙江省"), ("province", "内蒙古", "内蒙古自治区"), ("province", "广西", "广西壮族自治区"),
    ("province", "宁夏", "宁夏回族自治区"), ("province", "新疆", "新疆维吾尔自治区"), ("province", "西藏", "西藏自治区"),
    ("province", "香港", "香港特别行政区"), ("province", "北京", "北京市"), ("province", "吉林", "吉林省"),
    ("province", "浙江省", "浙江省"), ("region", "湖州", "湖州市"), ("region", "黔东南", "黔东南苗族侗族自治州"),
    ("region", "巴彦淖尔", "巴彦淖尔市"), ("region", "全国", "全国"),
    ("region", "吉林", "吉林"),        # the short name of two names (吉林省, 吉林市) is kept as written …
    ("region", "鼓楼", "鼓楼区"),      # … that of one name borne by several districts is that name
    ("region", "火星", "火星"), ("level", "县级", "county"), ("level", "区县", "county"), ("level", "县", "county"),
    ("level", "市", "city"), ("level", "省级", "provincial"), ("level", "全国", "national"), ("level", "city", "city"),
    ("doc_type", "其他文件", "other"), ("doc_type", "述法报告", "述法报告"), ("section", "监督工作", "监督工作"),
    ("region", "未标明", UNSTATED), ("level", UNSTATED, UNSTATED),
])
def test_a_filter_value_is_read_as_the_index_stores_it(name, value, stored):
    from search_app.core.facets import resolve
    assert resolve(name, value) == stored


def test_short_names_and_labels_find_what_the_stored_values_find(index_dir):
    for short, full in ((dict(province=["浙江"], level=["县级"]), dict(province=["浙江省"], level=["county"])),
                        (dict(province=["内蒙古"], doc_type=["其他文件"]), dict(province=["内蒙古自治区"], doc_type=["other"])),
                        (dict(region=["巴彦淖尔"]), dict(region=["巴彦淖尔市"]))):
        a, b = run(index_dir, "监督", filters=short), run(index_dir, "监督", filters=full)
        assert [h["passage_id"] for h in a["hits"]] == [h["passage_id"] for h in b["hits"]]
        assert b["total"] > 0 or full.get("doc_type")
    by_key = run(index_dir, "监督 省份:内蒙古 层级:市级 年份:2019-2023")
    same = run(index_dir, "监督 province:内蒙古自治区 level:city year:2019-2023")
    assert by_key["total"] == same["total"] > 0
    assert by_key["parsed"]["filters"] == {"province": ["内蒙古自治区"], "level": ["city"]}
    assert by_key["parsed"]["year"] == [2019, 2023]
    assert run(index_dir, "监督 地区：巴彦淖尔 栏目:监督工作 文种:工作报告,工作综述")["parsed"]["filters"] == \
        {"region": ["巴彦淖尔市"], "section": ["监督工作"], "doc_type": ["工作报告", "工作综述"]}
    assert run(index_dir, "监督 province:火星")["total"] == 0               # unknown: matches nothing
    with pytest.raises(QueryError, match="层级只能是"):
        run(index_dir, "监督 层级:乡级")


def test_a_city_held_through_its_counties_keeps_them(index_dir, all_passages):
    """金华市 holds 义乌市, 成都市 武侯区: a city's filter keeps them, and its count in the facet is that total."""
    for city, counties in (("金华市", {"义乌市"}), ("成都市", {"武侯区"}), ("通辽市", {"扎鲁特旗"})):
        r = run(index_dir, "监督", filters={"region": [city]})
        want = [p for p in all_passages if fold("监督") in fold(p["text"]) and p["region"] in counties | {city}]
        assert r["total"] == len(want) > 0 and {h["region"] for h in r["hits"]} == counties
        everything = run(index_dir, "监督", limit=0)
        assert {i["value"]: i["count"] for i in everything["facets"]["region"]}[city] == r["total"]
        assert run(index_dir, "监督", filters={"region": counties})["total"] == r["total"]


def test_unstated_keeps_the_reports_of_no_known_value(index_dir, all_passages):
    everything = run(index_dir, "监督", limit=0)
    unknown = {i["value"]: i["count"] for i in everything["facets"]["region"]}[None]
    r = run(index_dir, "监督", filters={"region": [UNSTATED]})
    assert r["total"] == unknown == sum(1 for p in all_passages if fold("监督") in fold(p["text"]) and not p["region"])
    assert {h["region"] for h in r["hits"]} == {None}
    assert {i["value"]: i["count"] for i in r["facets"]["region"]} == {None: unknown}    # listed, not doubled
    assert run(index_dir, "监督 地区:（未标明）")["total"] == unknown
    both = run(index_dir, "监督", filters={"region": [UNSTATED, "全国"]})
    assert both["total"] == unknown + run(index_dir, "监督", filters={"region": ["全国"]})["total"]
    nothing = run(index_dir, "监督", filters={"level": [UNSTATED]})       # every report has a level here
    assert nothing["total"] == 0 and {"value": None, "count": 0} in nothing["facets"]["level"]


@pytest.fixture(scope="module")
def city_and_county(tmp_path_factory):
    """An index of 湖州市's report and one of its counties, 德清县 (a sample's report, its places renamed)."""
    from indexer.update import ingest
    from tests.conftest import SAMPLES
    src = tmp_path_factory.mktemp("city")
    (src / "huzhou.md").write_bytes((SAMPLES / "15-huzhou-2022.md").read_bytes())
    county = (SAMPLES / "12-etuokeqianqi-2020.txt").read_bytes().decode("gb18030")
    for old, new in (("鄂托克前旗", "德清县"), ("鄂尔多斯", "湖州"), ("内蒙古自治区", "浙江省"), ("内蒙古", "浙江")):
        county = county.replace(old, new)
    (src / "deqing.txt").write_text(county, encoding="utf-8")
    ingest(src / "index", [src], workers=1)
    return src / "index"


def test_a_city_keeps_its_own_reports_and_its_counties(city_and_county):
    """region=湖州市 is 湖州市's report and 德清县's, and the facet counts the city so; the tree nests the county."""
    from search_app.core.facets import region_provinces
    from search_app.core.region_tree import region_tree
    ix = open_index(city_and_county)
    every = search_json(ix, Params(q="监督", limit=MAX_LIMIT))
    own = {h["region"]: 0 for h in every["hits"]}
    for h in every["hits"]:
        own[h["region"]] += 1
    assert set(own) == {"湖州市", "德清县"}
    city = search_json(ix, Params(q="监督", filters={"region": ["湖州"]}, limit=MAX_LIMIT))
    assert city["total"] == every["total"] == own["湖州市"] + own["德清县"]
    assert {i["value"]: i["count"] for i in every["facets"]["region"]} == {"湖州市": every["total"], "德清县": own["德清县"]}
    county = search_json(ix, Params(q="监督", filters={"region": ["德清县"]}, limit=0))
    assert county["total"] == own["德清县"]                           # a county keeps itself alone
    (zhejiang,) = region_tree(every["facets"]["region"], every["facets"]["province"], region_provinces(ix))
    (huzhou,) = zhejiang["children"]
    assert (huzhou["value"], huzhou["filter"], huzhou["count"]) == ("湖州市", "region", every["total"])
    assert [(c["value"], c["count"]) for c in huzhou["children"]] == [("德清县", own["德清县"])]


@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_grouped_by_report_ranks_only_the_rows_it_needs_and_lists_exactly_the_first_of_each(index_dir, monkeypatch,
                                                                                             sort):
    """However few rows the first try ranks (GROUP_FIRST_ROWS, here 1), the page lists the first passage of each
    report in the full order, as ranking every row and keeping each report's first does."""
    from indexer.index.reader import open_index
    from search_app.core import search as core_search
    ix = open_index(index_dir)
    every = [h for h in core_search.export_hits(ix, Params(q="工作 监督", sort=sort))]
    groups = ix.report_groups()
    number = {d: i for i, d in enumerate(ix.side.doc_ids)}
    firsts = {}
    for h in every:
        firsts.setdefault(int(groups[number[h.doc_id]]), h)
    expected = [h.passage_id for h in firsts.values()]
    assert len(expected) > 6
    monkeypatch.setattr(core_search, "GROUP_FIRST_ROWS", 1)
    for offset, limit in ((0, 1), (0, 3), (2, 3), (len(expected) - 2, 5)):
        ix.memo.pop("results", None)
        page = core_search.search(ix, Params(q="工作 监督", sort=sort, group=True, offset=offset, limit=limit))
        assert [h.passage_id for h in page["hits"]] == expected[offset:offset + limit]
        assert page["reports"] == len(expected) and page["total"] == len(every)


@pytest.mark.parametrize("needle", ["监督", "人大常委会", "备案审查", "代表建议", "全过程人民民主", "月球基地", "有备必审"])
def test_holds_at_least_agrees_with_counting_every_row(index_dir, needle):
    """The speller's question (are there k passages or more?) answered with early stopping, as a full count
    answers it, for every k around the true count and with nothing remembered."""
    from indexer.index.reader import open_index
    from search_app.core.matching import holds_at_least, substring_rows
    ix = open_index(index_dir)
    n = len(substring_rows(ix, needle))
    for k in sorted({1, max(1, n - 1), n, n + 1, 2 * n + 1}):
        ix.memo.pop("rows", None)
        assert holds_at_least(ix, needle, k) == (n >= k), (needle, k, n)
