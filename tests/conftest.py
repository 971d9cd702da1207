"""Shared fixtures: where the labelled samples and seeds live, and their manifests."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLES = FIXTURES / "samples"
SEEDS = ROOT / "corpus" / "seeds"
SEED_MANIFEST = FIXTURES / "seeds" / "manifest.json"
HOLDOUT = FIXTURES / "holdout"     # written after the extractor, to try it on shapes it was not developed on


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
