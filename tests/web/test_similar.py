"""The precedents page and its JSON twin."""


from search_app.web import create_app
from tests.web.conftest import soup, submit


def test_precedents_page_and_its_json_twin_list_the_same(client):
    text = "坚持有件必备、有备必审、有错必纠，认真审查规范性文件"
    page = soup(client.get(f"/similar?text={text}"))
    twin = page.select_one(".summary a")["href"]
    data = client.get(twin).get_json()
    assert twin.startswith("/api/similar?")
    assert [c["id"][2:] for c in page.select("article.result")] == [h["passage_id"] for h in data["hits"]]
    n = len(data["hits"])       # one per report: at most the 20 of the default, at most the reports held
    assert 0 < n <= 20 and n == len(client.get(f"/api/similar?text={text}").get_json()["hits"])
    assert len({h["doc_id"] for h in data["hits"]}) == n
    small = create_app({"INDEX_DIR": client.application.config["INDEX_DIR"], "SIMILAR_LIMIT": 3,
                        "MAX_SIMILAR_CHARS": 30}).test_client()
    assert len(soup(small.get(f"/similar?text={text}")).select("article.result")) == 3
    assert len(small.get(f"/api/similar?text={text}").get_json()["hits"]) == 3
    long = small.get("/api/similar?text=" + "监督" * 20)
    assert long.status_code == 400 and long.get_json()["error"].startswith("粘贴的文字太长")
    assert soup(small.get("/similar")).select_one("textarea")["maxlength"] == "30"


def test_precedents_page(client):
    page = soup(client.get("/similar?text=坚持有件必备、有备必审、有错必纠，认真审查规范性文件"))
    assert page.select("article.result") and page.select_one("textarea").get_text().startswith("坚持有件必备")
    link = soup(client.get("/?q=有备必审")).select_one("article.result a.similar")["href"]
    assert soup(client.get(link)).select("article.result")


def test_precedents_page_marks_headings_as_markup_not_text(client):
    page = soup(client.get("/similar?text=全力抓好监督工作，突出监督重点"))
    assert page.select("article.result") and "<mark>" not in page.get_text()


def test_precedents_of_a_passage_show_the_passage_and_its_report(client):
    """Regression: /similar?passage_id=… showed an empty box and named no report."""
    hit = client.get("/api/search?q=有备必审&per_page=1").get_json()["hits"][0]
    page = soup(client.get(f"/similar?passage_id={hit['passage_id']}"))
    source = page.select_one("section.source")
    assert source.select_one("blockquote").get_text(strip=True) == hit["text"].strip()
    link = source.select_one(".meta a")
    assert link["href"] == f"/doc/{hit['doc_id']}#p-{hit['passage_id']}" and link.get_text() == hit["citation"]
    data = client.get(f"/api/similar?passage_id={hit['passage_id']}").get_json()
    assert data["source"]["passage_id"] == hit["passage_id"] and data["source"]["citation"] == hit["citation"]
    assert hit["doc_id"] not in {h["doc_id"] for h in data["hits"]}


def test_precedents_keep_to_the_filters(client):
    """Regression: precedents ignored every filter, so a drafter could not ask how their own province put it."""
    text = "坚持有件必备、有备必审、有错必纠，认真审查规范性文件"
    everywhere = client.get(f"/api/similar?text={text}&limit=50").get_json()["hits"]
    province = next(h["province"] for h in everywhere if h["province"])
    expected = [h["passage_id"] for h in everywhere if h["province"] == province]
    kept = client.get(f"/api/similar?text={text}&limit=50&province={province}").get_json()
    assert [h["passage_id"] for h in kept["hits"]] == expected and kept["filters"] == {"province": [province]}
    counties = client.get(f"/api/similar?text={text}&limit=50&level=county&year=2019-2023").get_json()["hits"]
    assert counties and all(h["level"] == "county" and 2019 <= h["year"] <= 2023 for h in counties)
    assert len(counties) < len(everywhere)
    page = soup(client.get(f"/similar?text={text}&limit=50&province={province}"))
    assert len(page.select("article.result")) == len(expected)
    assert [a.get_text(" ", strip=True) for a in page.select(".chips a.drop")] == [f"省份 {province} ✕ （去掉）"]
    form = page.select_one("form.narrow")
    assert form.select_one("select[name=province] option[selected]").get_text() == province
    narrowed = client.get("/api" + submit(form, year_from="2021")).get_json()     # the form keeps text and province
    assert narrowed["text"] == text and narrowed["filters"] == {"province": [province]}
    assert [h["passage_id"] for h in narrowed["hits"]] == \
        [h["passage_id"] for h in kept["hits"] if h["year"] and h["year"] >= 2021]


def test_from_a_passage_one_click_keeps_to_its_province(client):
    hit = client.get("/api/search?q=有备必审&per_page=1&province=浙江省").get_json()["hits"][0]
    page = soup(client.get(f"/similar?passage_id={hit['passage_id']}"))
    only = next(a for a in page.select("form.narrow a") if a.get_text() == "只看浙江省")["href"]
    hits = client.get("/api/" + only.lstrip("/")).get_json()["hits"]
    assert hits and {h["province"] for h in hits} == {"浙江省"}
