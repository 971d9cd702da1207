"""Extraction accuracy against a labelled manifest (the format of tests/fixtures/samples/manifest.json).

Figures: metadata field accuracy (region, province, level, year, doc_type), heading recall, heading precision
(parsed level-1/2 headings that are labelled ones) and category accuracy of the found headings. The matching
rules are those of the project's contract checker, so the numbers agree with it.

usage: python -m indexer.understand.evaluate DOCS_DIR MANIFEST [--verbose]
"""
from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from indexer.normalize import fold, strip_pinyin_glosses
from indexer.understand.pipeline import ParseError, parse_file

FIELDS = ("region", "province", "level", "year", "doc_type")
_MARK = re.compile(r"^(第[一二三四五六七八九十]+部分|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+[、.．]|\d+[、.．]|"
                   r"[一二三四五六七八九十]+是)\s*")


def head_key(heading: str) -> str:
    h = re.sub(r"^#+", "", fold(strip_pinyin_glosses(heading or "")))
    return _MARK.sub("", h).strip("。.:：*")


def labelled_headings(entry: dict):
    for s in entry.get("sections") or []:
        yield s.get("heading"), s.get("category")
        for sub in s.get("subsections") or []:
            yield sub.get("heading"), sub.get("category")


def _same(a: str, b: str) -> bool:
    return bool(a and b) and (a == b or (len(b) >= 6 and (b in a or a in b)))


@dataclass
class Score:
    fields_ok: int = 0
    fields: int = 0
    found: int = 0
    labelled: int = 0
    parsed_ok: int = 0
    parsed: int = 0
    cat_ok: int = 0
    cats: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def field_accuracy(self) -> float:
        return self.fields_ok / self.fields if self.fields else 0.0

    @property
    def heading_recall(self) -> float:
        return self.found / self.labelled if self.labelled else 0.0

    @property
    def heading_precision(self) -> float:
        return self.parsed_ok / self.parsed if self.parsed else 0.0

    @property
    def category_accuracy(self) -> float:
        return self.cat_ok / self.cats if self.cats else 0.0

    def summary(self) -> str:
        return (f"field accuracy {self.field_accuracy:.3f} ({self.fields_ok}/{self.fields}); "
                f"heading recall {self.heading_recall:.3f} ({self.found}/{self.labelled}); "
                f"heading precision {self.heading_precision:.3f} ({self.parsed_ok}/{self.parsed}); "
                f"category accuracy {self.category_accuracy:.3f} ({self.cat_ok}/{self.cats})")


def evaluate(docs_dir: str | Path, manifest: list[dict]) -> Score:
    score = Score()
    for entry in manifest:
        name = entry["file"]
        try:
            doc = parse_file(Path(docs_dir) / name).to_dict()
        except ParseError as exc:
            score.misses.append(f"{name}: parse failed: {exc}")
            score.fields += len(FIELDS)
            score.labelled += sum(1 for _ in labelled_headings(entry))
            continue
        for f in FIELDS:
            want, got = entry.get(f), doc.get(f)
            good = want == got if f == "year" else (want is None and not got) or (
                want is not None and got is not None and fold(str(want)) == fold(str(got)))
            score.fields += 1
            score.fields_ok += good
            if not good:
                score.misses.append(f"{name}.{f}: want {want!r} got {got!r}")
        parsed = [(head_key(s["heading"]), s["category"]) for s in doc["sections"]]
        labelled = [head_key(h) for h, _ in labelled_headings(entry)]
        for s in doc["sections"]:
            key = head_key(s["heading"])
            if key and s["level"] <= 2:
                score.parsed += 1
                ok = any(_same(key, k) for k in labelled)
                score.parsed_ok += ok
                if not ok:
                    score.misses.append(f"{name}: extra heading: {s['heading'][:30]}")
        for heading, cat in labelled_headings(entry):
            key = head_key(heading)
            if not key:
                continue
            score.labelled += 1
            match = next((pc for pk, pc in parsed if _same(pk, key)), None)
            if match is None:
                score.misses.append(f"{name}: heading not found: {heading[:30]}")
                continue
            score.found += 1
            if cat:
                score.cats += 1
                score.cat_ok += match == cat
                if match != cat:
                    score.misses.append(f"{name}: category of {heading[:20]}: want {cat} got {match}")
    return score


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    manifest = json.loads(Path(args[1]).read_text(encoding="utf-8"))
    score = evaluate(args[0], manifest)
    if "--verbose" in args:
        print("\n".join(score.misses))
    print(score.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
