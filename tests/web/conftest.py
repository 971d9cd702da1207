"""Shared fixtures of the web tests: an app over the session index, one with a web-sourced report; parsing helpers."""
from urllib.parse import urlencode, urlparse

import pytest
from bs4 import BeautifulSoup

from search_app.web import create_app


@pytest.fixture(scope="module")
def client(index_dir):
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()


def soup(resp):
    return BeautifulSoup(resp.data, "html.parser")


def submit(form, toggle: tuple[str, str] | None = None, **fields) -> str:
    """The URL a browser asks for when ``form`` is submitted, after toggling one checkbox (name, value) and
    typing ``fields`` into its text boxes."""
    pairs = []
    for inp in form.select("input[name]"):
        name = inp["name"]
        if inp.get("type") == "checkbox":
            on = inp.has_attr("checked") != ((name, inp["value"]) == toggle)
            pairs += [(name, inp["value"])] if on else []
        else:
            pairs.append((name, fields.get(name, inp.get("value", ""))))
    return form["action"] + "?" + urlencode(pairs)


def facet_box(page, facet: str, value: str):
    return next(b for b in page.select(f".facet[data-facet={facet}] input[type=checkbox]") if b["value"] == value)


def box_count(box) -> int:
    return int(box.find_parent("label").find_next_sibling(class_="count").get_text())


@pytest.fixture(scope="module")
def web_sourced(tmp_path_factory):
    """An index with one report crawled from the web, stored also under a server path and a hostile 'source'."""
    from indexer.store import write_documents
    from indexer.understand.pipeline import parse_bytes
    from indexer.update import rebuild
    from tests.conftest import SEEDS
    url = "https://www.example.gov.cn/rdyw/report?id=1&lang=zh"
    doc = parse_bytes((SEEDS / "001_ff0f401e9b94a24c.txt").read_bytes(), url, "text/plain; charset=utf-8")
    doc.sources = [url, "/srv/lrsearch/corpus/raw/ab/abcdef.html", "C:\\reports\\巴彦淖尔.docx",
                   "javascript:alert(1)"]
    tmp = tmp_path_factory.mktemp("web_sourced")
    index = tmp / "index"
    rebuild(index, write_documents(tmp / "docs", [doc]))
    return create_app({"INDEX_DIR": str(index), "TESTING": True}).test_client(), doc.doc_id, url


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def link_value(a, arg):
    from urllib.parse import parse_qs
    return parse_qs(urlparse(a["href"]).query).get(arg, [None])[-1]
