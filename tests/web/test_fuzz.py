"""R5 (fast tier): query fuzz on the search page, its JSON twin and `lrsearch search`, with the same strings.

1,000 seeded random strings (hostile query syntax, report words with operators, arbitrary code points, lengths
around the limit) and 100 Hypothesis ``st.text()`` examples. Each goes to ``/``, ``/api/search`` and the CLI.
Never a status of 500 or more, never a traceback; every 400 of the JSON twin is the one error shape
``{"ok": false, "error", "status": 400}``; the three agree (a 400 is the CLI's exit 2, hits its exit 0); no
answer slower than the request's time limit + 100 ms. The slow tier's soak (test_soak.py) runs 10,000.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from search_app.cli import main
from tests.conftest import seeded_rng

SEED = 20261205
SYNTAX = "监督备案审查立法代表建议工作报告人大常委会浙江四川年\"“”()（）-~:：*?<>&%#\\/'|+^[]{}!=,，。、 \t\n"
WORDS = ["监督", "备案审查", "有备必审", "立法", "代表建议", "专题询问", "region:浙江省", "level:county", "year:2015-2020",
         "section:监督工作", "type:工作报告", "OR", "NOT", "-", '"', "(", ")", "~3", "nofield:x", "year:abc", "2019年"]


def random_query(rng) -> str:
    kind = rng.random()
    if kind < 0.4:
        return "".join(rng.choice(SYNTAX) for _ in range(rng.randint(0, 40)))
    if kind < 0.7:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 8)))
    if kind < 0.9:       # any code point but the surrogates, which no URL or argv can carry
        return "".join(chr(rng.choice([rng.randint(0, 0x7F), rng.randint(0x80, 0xD7FF), rng.randint(0xE000, 0x10FFFF)]))
                       for _ in range(rng.randint(1, 30)))
    return "监" * rng.randint(250, 262)             # either side of max_query_chars (256)


@dataclass
class Figures:
    queries: int = 0
    server_errors: list = field(default_factory=list)
    tracebacks: list = field(default_factory=list)
    api_400: int = 0
    canonical_400: int = 0
    disagreements: list = field(default_factory=list)
    slowest: float = 0.0

    def line(self, what: str) -> str:
        share = self.canonical_400 / self.api_400 if self.api_400 else 1.0
        return (f"R5: {what}: {self.queries} queries x 3 surfaces; status >= 500: {len(self.server_errors)}; "
                f"tracebacks: {len(self.tracebacks)}; JSON 400s in the canonical error shape: {self.canonical_400}/"
                f"{self.api_400} ({share:.0%}); surfaces disagreeing: {len(self.disagreements)}; max latency "
                f"{self.slowest * 1000:.0f} ms")

    def check(self, limit_s: float) -> None:
        assert not self.server_errors, self.server_errors[:5]
        assert not self.tracebacks, self.tracebacks[:5]
        assert self.canonical_400 == self.api_400
        assert not self.disagreements, self.disagreements[:5]
        assert self.slowest <= limit_s + 0.1


def probe(client, index_dir, q: str, fig: Figures) -> None:
    """The query on the page, the JSON twin and the CLI (after `--`, so that a leading '-' stays the query's)."""
    fig.queries += 1
    answers = {}
    for path in ("/", "/api/search"):
        start = time.perf_counter()
        r = client.get(path, query_string={"q": q})
        fig.slowest = max(fig.slowest, time.perf_counter() - start)
        answers[path] = r
        if r.status_code >= 500:
            fig.server_errors.append((path, q, r.status_code))
        if b"Traceback" in r.data or b"Werkzeug Debugger" in r.data:
            fig.tracebacks.append((path, q))
    api = answers["/api/search"]
    if api.status_code == 400:
        fig.api_400 += 1
        body = api.get_json(silent=True) or {}
        fig.canonical_400 += set(body) == {"ok", "error", "status"} and body["ok"] is False and \
            body["status"] == 400 and isinstance(body["error"], str) and bool(body["error"].strip())
    start = time.perf_counter()
    cli = CliRunner().invoke(main, ["search", "--index", str(index_dir), "--json", "--limit", "3", "--", q])
    fig.slowest = max(fig.slowest, time.perf_counter() - start)
    if "Traceback" in cli.output or not isinstance(cli.exception, (SystemExit, type(None))):
        fig.tracebacks.append(("cli", q, repr(cli.exception)))
    page = answers["/"].status_code
    expected_cli = 2 if api.status_code == 400 else (0 if api.get_json()["total"] else 1) if api.status_code == 200 \
        else None
    if cli.exit_code != expected_cli or (q.strip() and page != api.status_code):
        fig.disagreements.append((q, page, api.status_code, cli.exit_code))


def test_1000_seeded_random_queries_on_the_page_the_json_and_the_cli(client, index_dir):
    rng = seeded_rng(SEED)
    fig = Figures()
    for _ in range(1000):
        probe(client, index_dir, random_query(rng), fig)
    print("\n" + fig.line("1,000 seeded random strings"))
    assert fig.api_400 >= 100 and fig.api_400 <= 900      # both kinds of answer were exercised
    fig.check(client.application.config["REQUEST_TIMEOUT_S"])


def test_100_hypothesis_texts_on_the_page_the_json_and_the_cli(client, index_dir, request):
    print(f"seed {request.config.option.hypothesis_seed} (Hypothesis)")
    fig = Figures()

    @settings(max_examples=100, deadline=None, database=None)
    @given(st.text(max_size=300))
    def run(q):
        probe(client, index_dir, q, fig)
    run()
    print(fig.line("Hypothesis st.text()"))
    assert fig.queries >= 100
    fig.check(client.application.config["REQUEST_TIMEOUT_S"])
