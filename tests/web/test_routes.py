"""R8 (fast tier): every route of the app, walked from its URL map, answers with the security headers and no
cookie, in success, 404, 400, 405 and a forced 500 alike; a 500 shows neither a traceback nor the debugger,
and no DEBUG setting in the environment turns the debugger on."""
from __future__ import annotations

import pytest

from search_app.web import create_app

DEBUG_VALUES = ["False", "0", "no", "1", "true", "yes"]      # the table's three, and three that ask for it


def required(headers) -> list[str]:
    """The security headers a response lacks."""
    csp = headers.get("Content-Security-Policy", "")
    missing = [name for name, ok in (("CSP", "default-src" in csp and "script-src 'self'" in csp),
                                     ("frame-ancestors", "frame-ancestors 'none'" in csp),
                                     ("nosniff", headers.get("X-Content-Type-Options") == "nosniff"),
                                     ("Referrer-Policy", headers.get("Referrer-Policy") == "no-referrer")) if not ok]
    return missing + (["Set-Cookie"] if "Set-Cookie" in headers else [])


def every_route(app, doc_id: str, passage_id: str) -> list[str]:
    """One URL per rule of the URL map (each rule must be named here: a new route cannot go unwalked)."""
    examples = {"/static/<path:filename>": "/static/style.css", "/": "/?q=监督", "/api/search": "/api/search?q=监督",
                "/export.<any(csv, jsonl):fmt>": "/export.csv?q=监督", "/doc/<doc_id>": f"/doc/{doc_id}?q=监督",
                "/api/doc/<doc_id>": f"/api/doc/{doc_id}", "/trends": "/trends?q=监督", "/compare": "/compare?q=监督",
                "/api/trends": "/api/trends?q=监督", "/api/stats": "/api/stats?q=监督", "/kwic": "/kwic?q=监督",
                "/api/kwic": "/api/kwic?q=监督", "/kwic.<any(csv, json):fmt>": "/kwic.csv?q=监督", "/collocates": "/collocates?q=监督",
                "/api/collocates": "/api/collocates?q=监督", "/collocates.<any(csv, json):fmt>": "/collocates.json?q=监督",
                "/similar": f"/similar?passage_id={passage_id}",
                "/api/similar": f"/api/similar?passage_id={passage_id}", "/-/health.json": "/-/health.json",
                "/diff": f"/diff?a={passage_id}", "/api/diff": f"/api/diff?a={passage_id}",
                "/api/home": "/api/home", "/advanced": "/advanced?all=备案审查&province=浙江省",
                "/api/advanced": "/api/advanced?all=备案审查", "/trends/<any(years, matrix):table>.<any(csv, json):fmt>": "/trends/matrix.csv?q=监督",
                "/compare/table.<any(csv, json):fmt>": "/compare/table.json?q=监督&province=浙江省&province=四川省",
                "/saved": "/saved", "/api/saved": "/api/saved", "/saved/<name>.atom": "/saved/监督.atom",
                "/feed.atom": "/feed.atom?q=监督",
                "/spread": '/spread?q="监督"', "/api/spread": "/api/spread?q=监督", "/figures": "/figures?level=county",
                "/api/figures": "/api/figures", "/figures/table.<any(csv, json):fmt>": "/figures/table.csv",
                "/spread/table.<any(csv, json):fmt>": "/spread/table.csv?q=监督"}
    rules = {r.rule for r in app.url_map.iter_rules()}
    assert rules == set(examples), rules ^ set(examples)
    return [examples[r] for r in sorted(rules)] + ["/export.jsonl?q=监督", "/", "/kwic", "/collocates",
                                                   "/similar", "/trends", "/compare", "/spread", "/figures"]


ERRORS = {"/no-such-page": 404, "/api/no-such-thing": 404, "/doc/no-such-doc": 404, "/api/doc/no-such-doc": 404,
          "/?q=%22": 400, "/api/search?q=%22": 400, "/api/search?q=监督&page=0": 400,
          "/kwic?q=监督&order=up": 400, "/export.xml?q=监督": 404, "/kwic.xls?q=监督": 404,
          "/trends/matrix.xls?q=监督": 404, "/trends/other.csv?q=监督": 404, "/compare/table.xls?q=监督": 404,
          "/static/no-such.css": 404}


def test_every_route_404_400_405_and_a_forced_500_carry_the_headers_and_no_traceback(index_dir, monkeypatch, tmp_path):
    from search_app.saved import Saved, SavedSearches
    SavedSearches(tmp_path / "saved.sqlite").add(Saved("监督", "监督"))        # for its feed, /saved/监督.atom
    app = create_app({"INDEX_DIR": str(index_dir), "SAVED_FILE": str(tmp_path / "saved.sqlite")})
    client = app.test_client()
    hit = client.get("/api/search?q=有备必审&per_page=1").get_json()["hits"][0]
    urls = every_route(app, hit["doc_id"], hit["passage_id"])
    lacking, statuses, answered = {}, {}, []

    def visit(url, method="get"):
        with getattr(client, method)(url) as r:        # closes what a static file or an export streams
            statuses[(method, url)] = r.status_code
            answered.append(r.status_code)
            if required(r.headers):
                lacking[(method, url)] = required(r.headers)
            return r.status_code, r.get_data()
    assert [u for u in urls if visit(u)[0] != 200] == [], statuses
    for url, status in ERRORS.items():
        assert visit(url)[0] == status, url
    assert visit("/api/search?q=监督", "post")[0] == 405 and visit("/", "post")[0] == 405
    # a forced 500: every route that opens the index fails inside the app
    from search_app.web import context

    def broken(_dir):
        raise RuntimeError("secret detail /srv/lrsearch/index")
    monkeypatch.setattr(context, "open_index", broken)
    leaks, forced = [], 0
    for url in urls:
        status, body = visit(url)
        assert status in (200, 500), (url, status)      # 200: a page that needs no index (static, empty forms)
        forced += status == 500
        if any(s in body for s in (b"Traceback", b"Werkzeug Debugger", b"secret detail", b"RuntimeError")):
            leaks.append(url)
    assert forced >= len(ERRORS), forced
    debug = {}
    for value in DEBUG_VALUES:
        with pytest.MonkeyPatch.context() as mp:
            for var in ("LRSEARCH_DEBUG", "FLASK_DEBUG", "DEBUG"):
                mp.setenv(var, value)
            made = create_app({"INDEX_DIR": str(index_dir)})
            debug[value] = made.debug or made.config["DEBUG"]
    print(f"\nR8: {len(answered)} responses over {len(list(app.url_map.iter_rules()))} routes (200, 404, 400, 405, and {forced} forced 500s): "
          f"lacking CSP/nosniff/frame-ancestors/Referrer-Policy or setting a cookie: {len(lacking)}; 500 bodies with a "
          f"traceback, the debugger or the error's detail: {len(leaks)}; app.debug with DEBUG={'/'.join(DEBUG_VALUES)}: "
          f"{sorted(set(debug.values()))}")
    assert not lacking, lacking
    assert not leaks, leaks
    assert not any(debug.values()), debug
