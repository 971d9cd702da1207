"""Shared fixtures of the web tests: an app over the session index, one with a web-sourced report, a real server
and Chromium for the end-to-end tests; parsing helpers."""
import threading
from contextlib import contextmanager
from urllib.parse import urlencode, urlparse

import pytest
from bs4 import BeautifulSoup
from werkzeug.serving import make_server

from search_app.web import create_app
from tests.web.browser import ARGS, CHROMIUM


@pytest.fixture(scope="module")
def client(index_dir):
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()


def soup(resp):
    return BeautifulSoup(resp.data, "html.parser")


def submit(form, toggle: tuple[str, str] | None = None, **fields) -> str:
    """The URL a browser asks for when ``form`` is submitted, after toggling one checkbox (name, value) and
    typing ``fields`` into its text boxes (or choosing them in its selects)."""
    pairs = []
    for inp in form.select("input[name]"):
        name = inp["name"]
        if inp.get("type") == "checkbox":
            on = inp.has_attr("checked") != ((name, inp["value"]) == toggle)
            pairs += [(name, inp["value"])] if on else []
        else:
            pairs.append((name, fields.get(name, inp.get("value", ""))))
    for sel in form.select("select[name]"):
        chosen = sel.select_one("option[selected]") or sel.select_one("option")
        pairs.append((sel["name"], fields.get(sel["name"], chosen.get("value", chosen.get_text()))))
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


@contextmanager
def serving(index_dir):
    """A real HTTP server on 127.0.0.1 over ``index_dir``, in a thread; its base URL."""
    server = make_server("127.0.0.1", 0, create_app({"INDEX_DIR": str(index_dir)}), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def base_url(index_dir):
    with serving(index_dir) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, base_url):
    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    pg = ctx.new_page()
    outside: list[str] = []
    pg.on("request", lambda r: None if r.url.startswith(base_url) else outside.append(r.url))
    yield pg
    ctx.close()
    assert outside == []          # no CDN, no fonts, nothing from the internet


@pytest.fixture(scope="module")
def dated_index(tmp_path_factory):
    """An index of two reports known only as files whose subtitles give the session and the date they were
    delivered (江西 2020-01-15, 福建 2009-01-12)."""
    from indexer.store import write_documents
    from indexer.understand.pipeline import parse_file
    from indexer.update import rebuild
    from tests.conftest import WEB_DEV
    tmp = tmp_path_factory.mktemp("dated")
    docs = [parse_file(WEB_DEV / name) for name in ("a01-jiangxi-2019.html", "b11-fujian-2008-gb18030.txt")]
    rebuild(tmp / "index", write_documents(tmp / "docs", docs))
    return tmp / "index"


@pytest.fixture(scope="module")
def yoy_client(yoy_index_dir):
    """The app over one congress's reports of three years (tests/conftest.py ``yoy_index_dir``)."""
    return create_app({"INDEX_DIR": str(yoy_index_dir), "TESTING": True}).test_client()
