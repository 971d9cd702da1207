"""The crawl directory's format, owned by indexer.fetch.state: one writer per directory, content-addressed
bodies with sidecars that collect every URL serving the bytes, and the read API ingest uses."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from indexer.fetch.state import (
    CrawlBusy,
    CrawlState,
    Page,
    UnreadableSidecar,
    body_path,
    ingestable,
    is_stored_body,
    read_stored,
)
from indexer.understand.pipeline import ParseError, parse_file

REPORT = "<html><body><h1>某某县人大常委会工作报告</h1><p>一年来，常委会依法履职，听取审议专项工作报告六个。</p></body></html>"


def store(state: CrawlState, body: bytes, url: str, **kw) -> str:
    fields = dict(final_url=url, status=200, headers=[("Content-Type", "text/html; charset=utf-8")],
                  content_type="text/html; charset=utf-8", site="local", kind="article")
    return state.store_body(body, url=url, **{**fields, **kw})


def test_one_crawl_per_directory(tmp_path):
    with CrawlState(tmp_path):
        with pytest.raises(CrawlBusy):
            CrawlState(tmp_path)


def test_times_are_stamped_on_the_state_clock(tmp_path, clock):
    with CrawlState(tmp_path, clock) as state:
        clock.sleep(3600)
        run, _ = state.open_run("local", ["http://a.cn/"])
        state.save_robots("http://a.cn", 200, b"")
        sha = store(state, b"<p>report</p>", "http://a.cn/1.html")
        (started,), = state.db.execute("SELECT started_at FROM runs WHERE id=?", (run,)).fetchall()
        assert started == clock.now() and state.robots("http://a.cn")[2] == clock.now()
    meta = json.loads(body_path(tmp_path, sha).with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["fetched_at"] == datetime.fromtimestamp(clock.now(), timezone.utc).isoformat(timespec="seconds")


def test_a_body_stored_before_urls_were_listed_keeps_its_first_url(tmp_path):
    with CrawlState(tmp_path) as state:
        sha = store(state, b"<p>report</p>", "http://a.cn/1.html")
        meta = body_path(tmp_path, sha).with_suffix(".json")
        old = json.loads(meta.read_text(encoding="utf-8"))
        del old["urls"]                                    # the sidecar of an older crawl
        meta.write_text(json.dumps(old), encoding="utf-8")
        store(state, b"<p>report</p>", "http://a.cn/2.html")
        assert json.loads(meta.read_text(encoding="utf-8"))["urls"] == ["http://a.cn/1.html", "http://a.cn/2.html"]
        meta.write_text("[1, 2]", encoding="utf-8")       # not a sidecar at all: start again from this response
        store(state, b"<p>report</p>", "http://a.cn/3.html")
        assert json.loads(meta.read_text(encoding="utf-8"))["urls"] == ["http://a.cn/3.html"]


def test_a_stored_body_reads_back_with_its_sources(tmp_path):
    with CrawlState(tmp_path) as state:
        run, _ = state.open_run("local", [])
        sha = store(state, REPORT.encode("gbk"), "http://a.cn/old.html", final_url="http://a.cn/2.html",
                    content_type="text/html; charset=gbk", content_selector="#zoom")
        store(state, REPORT.encode("gbk"), "http://a.cn/1.html", content_type="text/html; charset=gbk",
              content_selector="#zoom")
        state.record(Page(url="http://a.cn/1.html", site="local", kind="article", outcome="fetched", sha256=sha), run)
    path = body_path(tmp_path, sha)
    assert is_stored_body(path) and ingestable(tmp_path) == [path]
    stored = read_stored(path)
    assert stored.data == REPORT.encode("gbk") and stored.url == "http://a.cn/1.html"
    assert stored.urls == ["http://a.cn/1.html", "http://a.cn/2.html"]      # the latest response's URL first
    assert (stored.content_type, stored.content_selector) == ("text/html; charset=gbk", "#zoom")
    doc = parse_file(path)
    assert doc.source == "http://a.cn/1.html" and doc.sources == stored.urls and "专项工作报告" in doc.text


def test_only_a_body_with_its_sidecar_is_a_stored_body(tmp_path):
    body, page = tmp_path / "a.body", tmp_path / "a.html"
    for path in (body, page):
        path.write_bytes(REPORT.encode())
    assert not is_stored_body(body)
    (tmp_path / "a.json").write_text("{}", encoding="utf-8")
    assert is_stored_body(body) and not is_stored_body(page)


@pytest.mark.parametrize("sidecar", ["not json", "[1, 2]", '{"status": 200}', '{"url": 5}'])
def test_an_unreadable_sidecar_is_a_clear_error(tmp_path, sidecar):
    body = tmp_path / "ab" / "abc.body"
    body.parent.mkdir()
    body.write_bytes(REPORT.encode())
    body.with_suffix(".json").write_text(sidecar, encoding="utf-8")
    with pytest.raises(UnreadableSidecar, match="unreadable crawl sidecar abc.json"):
        read_stored(body)
    with pytest.raises(ParseError, match="unreadable crawl sidecar abc.json"):
        parse_file(body)
