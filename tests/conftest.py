"""Shared fixtures: where the labelled samples and seeds live, and their manifests."""
from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLES = FIXTURES / "samples"
SEEDS = ROOT / "corpus" / "seeds"
SEED_MANIFEST = FIXTURES / "seeds" / "manifest.json"
HOLDOUT = FIXTURES / "holdout"     # written after the extractor, to try it on shapes it was not developed on
WEB_DEV = FIXTURES / "web-dev"     # reports as the web serves them: the rules are tuned on this one …
WEB_TEST = FIXTURES / "web-test"   # … and figures are reported on this one, never tuned on
WEB_EXTRA = FIXTURES / "web-extra"  # shapes the issue did not list: measured once, then tuned on
WEB_FRESH = FIXTURES / "web-fresh"  # written after that tuning: measured once, then tuned on
WEB_FINAL = FIXTURES / "web-final"  # written after all the tuning: reported on, never tuned on


SEED_ENV = "LRSEARCH_TEST_SEED"      # the seed of every randomised test; `pytest --seed N` sets it


def pytest_addoption(parser):
    parser.addoption("--seed", type=int, default=None, metavar="INT",
                     help=f"seed of every randomised test (sets {SEED_ENV} and Hypothesis's seed): each such test "
                          "prints `seed N`, and `--seed N` replays it")


@pytest.hookimpl(tryfirst=True)      # before Hypothesis's plugin reads its seed option
def pytest_configure(config):
    seed = config.getoption("--seed")
    if seed is not None:
        os.environ[SEED_ENV] = str(seed)
    # Hypothesis draws a fresh seed per test unless told one; choosing it here (the given seed, else a random
    # one for the session) lets its tests print it. A --hypothesis-seed given explicitly wins.
    if hasattr(config.option, "hypothesis_seed") and config.option.hypothesis_seed is None:
        given = os.environ.get(SEED_ENV)
        config.option.hypothesis_seed = given if given is not None else str(random.SystemRandom().randrange(2 ** 32))


def pytest_report_header(config):
    seed = os.environ.get(SEED_ENV)
    hypothesis = getattr(config.option, "hypothesis_seed", None)
    return f"randomised tests: {SEED_ENV}={seed if seed is not None else '(each test its default)'}, " \
           f"Hypothesis seed {hypothesis}; replay with --seed N"


def seed_of(default: int) -> int:
    """The seed of a randomised test: LRSEARCH_TEST_SEED (``--seed``) when given, else the test's ``default``."""
    return int(os.environ.get(SEED_ENV, default))


def seeded_rng(default: int, offset: int = 0) -> random.Random:
    """A randomised test's generator: seeded with LRSEARCH_TEST_SEED (``--seed``) or the test's ``default``,
    plus ``offset`` (for parametrised cases); prints `seed N`, shown with the output of a failing test."""
    seed = seed_of(default)
    print(f"seed {seed}")
    return random.Random(seed + offset)


@pytest.fixture(autouse=True)
def _print_hypothesis_seed(request):
    """A Hypothesis test prints the seed it runs with (pytest --seed N replays it)."""
    from hypothesis import is_hypothesis_test
    if is_hypothesis_test(getattr(request.node, "obj", None)):
        print(f"seed {request.config.option.hypothesis_seed} (Hypothesis)")


def load_manifest(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sample_manifest() -> list[dict]:
    return load_manifest(SAMPLES / "manifest.json")


@pytest.fixture(scope="session")
def seed_manifest() -> list[dict]:
    return load_manifest(SEED_MANIFEST)


def labelled_files() -> list[tuple[Path, dict]]:
    """Every labelled report with its manifest entry: the 16 samples, the 5 seeds and the 16 holdout reports."""
    out = [(SAMPLES / e["file"], e) for e in load_manifest(SAMPLES / "manifest.json")]
    out += [(SEEDS / e["file"], e) for e in load_manifest(SEED_MANIFEST)]
    out += [(HOLDOUT / e["file"], e) for e in load_manifest(HOLDOUT / "manifest.json")]
    return out


def web_files() -> list[tuple[Path, dict]]:
    """The reports as the web serves them (the five web-* sets): scored against floors, not line for line."""
    return [(d / e["file"], e) for d in (WEB_DEV, WEB_TEST, WEB_EXTRA, WEB_FRESH, WEB_FINAL)
            for e in load_manifest(d / "manifest.json")]


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory) -> Path:
    """An index of the labelled samples and the seeds, built once for the session."""
    from indexer.update import ingest
    path = tmp_path_factory.mktemp("index")
    ingest(path, [SAMPLES, SEEDS], workers=2)
    return path


@pytest.fixture(scope="session")
def all_passages(index_dir) -> list[dict]:
    """Every stored passage of the session index, for brute-force oracles."""
    from indexer.index.reader import open_index
    ix = open_index(index_dir)
    return [ix.passage(r) for r in range(ix.n)]


def search_json(ix, params) -> dict:
    """A core search as its JSON (what `lrsearch search --json` prints and /api/search returns)."""
    from search_app.core.search import search
    from search_app.formats import result_json
    return result_json(search(ix, params))


# One county congress's reports of three years (德清县 2021–2023) and a neighbour's (安吉县 2022): the year-over-year
# comparison needs a congress of several years, which the samples and seeds never hold.
YOY = FIXTURES / "yoy"


@pytest.fixture(scope="session")
def yoy_index_dir(tmp_path_factory) -> Path:
    from indexer.update import ingest
    path = tmp_path_factory.mktemp("yoy")
    ingest(path, [YOY], workers=1)
    return path


@pytest.fixture(scope="session")
def yoy_ids(yoy_index_dir) -> dict[str, str]:
    """The doc ids of the yoy index by file stem (deqing-2021 … anji-2022)."""
    from indexer.index.reader import open_index
    ix = open_index(yoy_index_dir)
    by_year = {(d["region"], d["year"]): d["doc_id"] for d in map(ix.document, ix.side.doc_ids)}
    ids = {f"{stem}-{year}": by_year[(region, year)] for stem, region in (("deqing", "德清县"), ("anji", "安吉县"))
           for year in (2021, 2022, 2023) if (region, year) in by_year}
    assert sorted(ids) == ["anji-2022", "deqing-2021", "deqing-2022", "deqing-2023"], by_year
    return ids
