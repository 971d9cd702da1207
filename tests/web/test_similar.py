"""The precedents page and its JSON twin."""


from search_app.web import create_app
from tests.web.conftest import soup


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
