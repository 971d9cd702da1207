"""R9 (fast tier): request limits and expensive queries. Oversized and out-of-range requests are refused with a
400 in the one error shape, never a 500; every answer, costly ones included, comes within the request's time
limit + 100 ms; the time limit is a deadline the search checks, not a SIGALRM, so it works in any thread.

A request line over the server's limit (a 1 MB query string) is answered 414 by gunicorn before the app sees
it (tests/web/test_server.py); here the app gets such a string itself."""
from __future__ import annotations

import threading
import time
from urllib.parse import quote

from indexer.settings import SETTINGS

LONG_Q = "监" * 10_000
MB_Q = "a" * (1 << 20)
OR_200 = " OR ".join(["监督", "立法", "代表", "建议"] * 50)
OR_16 = " OR ".join(["监督", "立法", "代表", "建议", "备案", "审查", "预算", "执法", "检查", "专题", "询问", "调研", "生态",
                     "环境", "教育", "民生"])
CASES = {   # name → (url, the statuses allowed)
    "q of 10k characters": ("/api/search?q=" + quote(LONG_Q), {400}),
    "q of 10k, the page": ("/?q=" + quote(LONG_Q), {400}),
    "q of 10k, kwic": ("/api/kwic?q=" + quote(LONG_Q), {400}),
    "q of 10k, trends": ("/api/trends?q=" + quote(LONG_Q), {400}),
    "q of 10k, stats": ("/api/stats?q=" + quote(LONG_Q), {400}),
    "q of 10k, export": ("/export.csv?q=" + quote(LONG_Q), {400}),
    "q of 10k, similar": ("/api/similar?text=" + quote(LONG_Q), {400}),
    "1 MB query string (q)": ("/api/search?q=" + MB_Q, {400, 414}),
    "1 MB query string (filters)": ("/api/search?q=监督&" + "&".join(["region=浙江省"] * 60_000), {200, 400, 414}),
    "page=10**9": ("/api/search?q=监督&page=1000000000", {400}),
    "page=10**9, the page": ("/?q=监督&page=1000000000", {400}),
    "per_page=10**6": ("/api/search?q=监督&per_page=1000000", {400}),
    "*": ("/api/search?q=*", {400}),
    "a*": ("/api/search?q=a*", {400}),
    "200-term OR": ("/api/search?q=" + quote(OR_200), {400}),
    "17 alternatives": ("/api/search?q=" + quote(OR_16 + " OR 工作"), {400}),
    "unknown field:x": ("/api/search?q=nofield:x", {400}),
    "16 alternatives (allowed, costly)": ("/api/search?q=" + quote(OR_16), {200}),
    "的 x 256 (allowed, costly)": ("/api/search?q=" + quote("的" * 256), {200}),
    "every passage (allowed)": ("/api/search?q=的&per_page=50&page=2", {200}),
    "export of every passage": ("/export.jsonl?q=的", {200}),
}


def test_limits_and_expensive_queries_answer_400_or_in_time(client):
    limit_s = client.application.config["REQUEST_TIMEOUT_S"]
    from indexer.index.reader import open_index
    open_index(client.application.config["INDEX_DIR"]).memo.clear()     # every search does its work
    figures, bad = {}, []
    for name, (url, allowed) in CASES.items():
        start = time.perf_counter()
        with client.get(url) as r:
            body = r.get_data()
            seconds = time.perf_counter() - start
            figures[name] = (r.status_code, seconds)
            if r.status_code not in allowed or b"Traceback" in body or seconds > limit_s + 0.1:
                bad.append((name, r.status_code, seconds))
            if r.status_code == 400 and url.startswith("/api/"):
                error = r.get_json()
                if set(error) != {"ok", "error", "status"} or error["status"] != 400 or not error["error"]:
                    bad.append((name, error))
    print("\nR9: " + "; ".join(f"{name} {status} in {s * 1000:.0f} ms" for name, (status, s) in figures.items()))
    print(f"R9: statuses >= 500: {sum(s >= 500 for s, _ in figures.values())}; slowest "
          f"{max(s for _, s in figures.values()) * 1000:.0f} ms (bar {limit_s * 1000 + 100:.0f} ms); "
          f"max_query_chars {SETTINGS.max_query_chars}, max_or_terms {SETTINGS.max_or_terms}")
    assert not bad, bad


def test_the_time_limit_works_in_threads_with_a_deadline_that_expires(index_dir):
    """Four threads at once run searches past a deadline too short for any of them: each answers 503 with
    Retry-After (a deadline, not SIGALRM, which Python allows in the main thread only: ValueError)."""
    from search_app.web import create_app
    client = create_app({"INDEX_DIR": str(index_dir), "REQUEST_TIMEOUT_S": 1e-9}).test_client()
    from indexer.index.reader import open_index
    open_index(index_dir).memo.clear()
    answers, errors = [], []

    def run(k):
        try:
            r = client.get("/api/search?q=" + quote(f"{k}监督 OR 立法 OR 代表"))
            answers.append((r.status_code, r.headers.get("Retry-After"), (r.get_json() or {}).get("error", "")))
        except Exception as exc:      # a ValueError from signal.signal outside the main thread would land here
            errors.append(repr(exc))
    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    print(f"\nR9: 4 threads past the deadline: {sorted(s for s, _, _ in answers)}, errors {errors}")
    assert not errors and len(answers) == 4
    assert all(s == 503 and retry == "10" and "秒的时限" in msg for s, retry, msg in answers), answers
