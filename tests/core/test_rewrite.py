"""Queries written for the user (search_app/core/rewrite.py): within, exact, the advanced form and back."""
import pytest

from search_app.core.query import parse
from search_app.core.rewrite import advanced_query, exact, form_of, grouped, within


def test_words_within_results_are_anded_and_an_or_keeps_to_its_part():
    assert within("备案审查", ["监督"]) == "备案审查 监督"
    assert within("立法 OR 法规", ["监督", "询问 OR 视察"]) == "(立法 OR 法规) 监督 (询问 OR 视察)"
    assert within("", ["监督"]) == "监督" and within("备案审查", []) == "备案审查"
    assert grouped("ORGANIZATION 备案") == "ORGANIZATION 备案"       # OR only as a word
    tree = parse(within("立法 OR 法规", ["监督"])).tree
    assert tree.op == "and" and tree.children[0].op == "or"


def test_exact_quotes_every_word_and_keeps_operators_and_filters():
    assert exact("备案审查 执法检查") == '"备案审查" "执法检查"'
    assert exact('-询问 (立法 OR 法规) "有备必审" level:county year:2019-2023') == \
        'NOT "询问" ("立法" OR "法规") "有备必审" level:county year:2019-2023'
    assert exact(exact("备案审查 监督")) == exact("备案审查 监督")          # once exact, it stays as it is
    assert [n.op for n in parse(exact("备案审查 执法检查")).tree.children] == ["phrase", "phrase"]


@pytest.mark.parametrize("fields,q", [
    ({"all_words": "备案审查 监督"}, "备案审查 监督"),
    ({"any_words": "立法 法规"}, "(立法 OR 法规)"),
    ({"any_words": "立法"}, "立法"),
    ({"none_words": "询问 -座谈"}, "-询问 -座谈"),
    ({"phrase": "“有备必审”"}, '"有备必审"'),
    ({"all_words": "备案审查", "any_words": "立法 法规", "none_words": "询问", "phrase": "有备必审"},
     '备案审查 (立法 OR 法规) "有备必审" -询问'),
])
def test_the_advanced_form_writes_the_query_language(fields, q):
    assert advanced_query(**fields) == q
    parse(q)        # and what it writes parses


def test_the_form_is_filled_back_from_a_query_it_wrote():
    q = advanced_query("备案审查 监督", "立法 法规", "询问 座谈", "有备必审")
    assert form_of(q + " level:county year:2019-2023") == {
        "all": "备案审查 监督", "any": "立法 法规", "none": "询问 座谈", "phrase": "有备必审",
        "filters": {"level": ["county"]}, "year": (2019, 2023)}
    assert form_of("监督 OR (立法 视察)")["all"] == "监督 OR (立法 视察)"     # another shape stays as written
    assert form_of("")["all"] == ""


def test_a_query_of_another_shape_in_all_stays_whole_when_the_form_adds_to_it():
    """The form fills ``all`` with 监督 OR 立法 视察 as written; a word excluded then applies to all of it,
    not to the last alternative. An OR typed among the any-words is the OR the field writes."""
    q = advanced_query(form_of("监督 OR 立法 视察")["all"], none_words="询问")
    assert q == "(监督 OR (立法 视察)) -询问"
    tree = parse(q).tree
    assert tree.op == "and" and [c.op for c in tree.children] == ["or", "not"]
    assert advanced_query(any_words="立法 OR 法规") == "(立法 OR 法规)"
