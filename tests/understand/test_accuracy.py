"""The extraction-accuracy gate: metadata fields, headings and categories against the labelled manifests.

The figures are computed by indexer.understand.evaluate with the contract checker's matching rules and must not fall
below the pinned floors in fixtures/accuracy_floors.json (which may only be raised).
"""
import json

import pytest

from indexer.understand.evaluate import evaluate
from tests.conftest import (
    FIXTURES,
    HOLDOUT,
    SAMPLES,
    SEED_MANIFEST,
    SEEDS,
    WEB_DEV,
    WEB_EXTRA,
    WEB_FINAL,
    WEB_FRESH,
    WEB_TEST,
    load_manifest,
)

FLOORS = json.loads((FIXTURES / "accuracy_floors.json").read_text(encoding="utf-8"))
SETS = {"samples": (SAMPLES, SAMPLES / "manifest.json"), "seeds": (SEEDS, SEED_MANIFEST),
        "holdout": (HOLDOUT, HOLDOUT / "manifest.json"), "web-dev": (WEB_DEV, WEB_DEV / "manifest.json"),
        "web-test": (WEB_TEST, WEB_TEST / "manifest.json"), "web-extra": (WEB_EXTRA, WEB_EXTRA / "manifest.json"),
        "web-fresh": (WEB_FRESH, WEB_FRESH / "manifest.json"), "web-final": (WEB_FINAL, WEB_FINAL / "manifest.json")}


@pytest.mark.parametrize("name", sorted(SETS))
def test_accuracy_meets_the_floors(name, capsys):
    docs, manifest = SETS[name]
    score = evaluate(docs, load_manifest(manifest))
    with capsys.disabled():
        print(f"\n{name}: {score.summary()}\n{name}: {score.details()}")
    floors = FLOORS[name]
    for metric, floor in floors.items():
        assert getattr(score, metric) >= floor, (metric, score.summary(), score.misses)
