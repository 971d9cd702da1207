"""Precision and recall of the work-figures extraction (``indexer/understand/figures.py``) against labels.

    python -m tests.tools.figures tests/fixtures/figures/test.json            # the figures, per metric too
    python -m tests.tools.figures tests/fixtures/figures/dev.json --verbose  # and every miss and false figure
    python -m tests.tools.figures --draft FILE…   # the extractor's figures of some reports as labels to check

A labels file names reports (paths from the repository root) and, for each, every figure a reader finds
stated in it that a metric of ``figures.toml`` names, judged by reading the report: its metric, value (the
lower end of a range; ``value_max`` its upper end), unit, whether it is approximate, and the clause (for the
reader). A figure found counts as right when the report's labels hold one of the same metric, value,
value_max, unit and approx not matched already (the same figure stated twice is labelled twice).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from indexer.understand.pipeline import parse_file

ROOT = Path(__file__).resolve().parents[2]


def key(f: dict) -> tuple:
    return f["metric"], float(f["value"]), None if f.get("value_max") is None else float(f["value_max"]), \
        f["unit"], bool(f.get("approx"))


def found(path: str) -> list[dict]:
    return [f.to_dict() for f in parse_file(ROOT / path).figures]


def score(labels: dict) -> dict:
    """True positives, figures found and figures labelled, overall and per metric; and the errors by report."""
    totals: Counter = Counter()
    per_metric: dict[str, Counter] = {}
    errors = []
    for report in labels["reports"]:
        want, got = Counter(key(f) for f in report["figures"]), Counter(key(f) for f in found(report["file"]))
        hit = want & got
        for name, counter in (("found", got), ("labelled", want), ("right", hit)):
            totals[name] += sum(counter.values())
            for k, n in counter.items():
                per_metric.setdefault(k[0], Counter())[name] += n
        if hit != want or hit != got:
            errors.append({"file": report["file"], "missed": sorted(want - hit), "false": sorted(got - hit)})
    return {"totals": totals, "per_metric": per_metric, "errors": errors, "reports": len(labels["reports"])}


def ratio(c: Counter) -> tuple[float, float]:
    return (c["right"] / c["found"] if c["found"] else 1.0), (c["right"] / c["labelled"] if c["labelled"] else 1.0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+", help="a labels file, or with --draft report files")
    ap.add_argument("--draft", action="store_true", help="print the extractor's figures as a labels file")
    ap.add_argument("--verbose", action="store_true", help="list every miss and false figure")
    args = ap.parse_args(argv)
    if args.draft:
        reports = [{"file": p, "figures": [{k: f[k] for k in ("metric", "value", "value_max", "unit", "approx",
                                                              "text")} for f in found(p)]} for p in args.paths]
        print(json.dumps({"reports": reports}, ensure_ascii=False, indent=1))
        return 0
    result = score(json.loads(Path(args.paths[0]).read_text(encoding="utf-8")))
    t = result["totals"]
    p, r = ratio(t)
    print(f"{args.paths[0]}: {result['reports']} reports, {t['labelled']} figures labelled, {t['found']} found, "
          f"{t['right']} right: precision {p:.3f}, recall {r:.3f}")
    for metric, c in sorted(result["per_metric"].items()):
        mp, mr = ratio(c)
        print(f"  {metric:16} labelled {c['labelled']:3}  found {c['found']:3}  right {c['right']:3}  "
              f"precision {mp:.3f}  recall {mr:.3f}")
    if args.verbose:
        for e in result["errors"]:
            print(e["file"])
            for k in e["missed"]:
                print("  missed", k)
            for k in e["false"]:
                print("  false ", k)
    return 0


if __name__ == "__main__":
    sys.exit(main())
