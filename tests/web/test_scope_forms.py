"""The scope forms of /kwic, /collocates and /similar keep the filters of the address however they are spelled
(浙江, 县级: the short and Chinese names the filters accept), and the range boxes take a reversed year range as
the range it means, as the query language does."""
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from tests.web.conftest import soup, submit

FORMS = {"/kwic?q=监督": "form.concordance-form", "/collocates?q=监督": "form.concordance-form",
         "/similar?text=坚持有件必备、有备必审、有错必纠": "form.narrow"}


@pytest.mark.parametrize("path", FORMS)
def test_a_short_or_chinese_filter_name_stays_chosen_in_the_form(client, path):
    """Regression: the selects compared the address's raw value with the full names, so 四川 and 县级 showed as
    全部 and the form's button dropped both filters."""
    page = soup(client.get(f"{path}&province=四川&level=县级"))
    form = page.select_one(FORMS[path])
    assert form.select_one("select[name=province] option[selected]").get_text() == "四川省"
    assert form.select_one("select[name=level] option[selected]")["value"] == "county"
    sent = parse_qs(urlparse(submit(form)).query)
    assert sent["province"] == ["四川省"] and sent["level"] == ["county"]


@pytest.mark.parametrize("api", ["/api/search?q=监督", "/api/kwic?q=监督", "/api/trends?q=监督",
                                 "/api/similar?text=坚持有件必备、有备必审、有错必纠&limit=50"])
def test_a_reversed_range_in_the_year_boxes_is_swapped_not_refused(client, api):
    """Regression (issue 15, item 6): year_from=2023&year_to=2015 was a 400 (首尾颠倒) while year=2023-2015 and
    year:2023-2015 in the query were read as 2015–2023."""
    reversed_ = client.get(f"{api}&year_from=2023&year_to=2015")
    assert reversed_.status_code == 200
    same = {"took_ms": 0, "next": None}            # the next page's address keeps the range as it was typed
    assert reversed_.get_json() | same == client.get(f"{api}&year_from=2015&year_to=2023").get_json() | same


def test_the_swapped_range_is_shown_in_order(client):
    page = soup(client.get("/?q=监督&year_from=2023&year_to=2015"))
    assert "年份 2015–2023年 ✕ （去掉）" in [a.get_text(" ", strip=True) for a in page.select(".chips a.drop")]


def test_the_precedents_form_shows_and_keeps_a_year_given_as_year(client):
    """Regression: the form showed only year_from/year_to and left ``year`` out of what it carries, so a year
    range from the search (year=2019-2023) was dropped by its 筛选 button."""
    form = soup(client.get("/similar?text=坚持有件必备、有备必审、有错必纠&year=2019-2023")).select_one("form.narrow")
    sent = parse_qs(urlparse(submit(form)).query)
    assert (sent["year_from"], sent["year_to"]) == (["2019"], ["2023"])


@pytest.mark.parametrize("path", ["/advanced?q=监督&province=浙江&level=县级", "/advanced?q=监督 省份:浙江 层级:县级"])
def test_the_advanced_form_opened_from_a_search_keeps_its_short_named_filters(client, path):
    """Regression: opened from a search filtered by 浙江 and 县级 (in the address or written in the query), the
    form chose 不限 for both, so sending it searched every province and level."""
    form = soup(client.get(path)).select_one("form.advanced")
    assert form.select_one("select[name=place] option[selected]")["value"] == "province=浙江省"
    assert form.select_one("select[name=level] option[selected]")["value"] == "county"
    written = client.get(submit(form))
    assert written.status_code == 303
    assert parse_qs(urlparse(written.headers["Location"]).query) == {"q": ["监督"], "province": ["浙江省"],
                                                                       "level": ["county"]}


def test_every_link_from_a_result_to_its_report_leads_back_to_the_results(client):
    """Regression: "本报告共 N 段命中" (one passage per report) opened the report without ``back``, so its
    返回检索结果 led to a bare search for the words, without the filters, the grouping or the page."""
    address = "/?q=监督&group=report&province=四川省&per_page=5"
    page = soup(client.get(address))
    links = page.select("article.result h3 a, article.result a.more-in-report")
    assert page.select("a.more-in-report") and links
    for a in links:
        back = soup(client.get(a["href"])).select_one("a.back")["href"]
        assert unquote(back.split("#")[0]) == address
