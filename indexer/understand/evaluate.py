"""Extraction accuracy against a labelled manifest (the format of tests/fixtures/samples/manifest.json).

Figures: metadata field accuracy (region, province, level, year, doc_type), heading recall, heading precision
(parsed level-1/2 headings that are labelled ones) and category accuracy of the found headings. The matching
rules are those of the project's contract checker, so the numbers agree with it. Beside them, per field, and for
what the contract does not check: the title, the years a term report covers, what a document is (kind), the
session it was delivered at and the date (session, delivered), and the text (labelled body lines
found in the parsed text, and parsed lines that are labelled ones: clutter left in shows as the second).

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
EXTRA_FIELDS = ("title", "years_covered", "kind", "session", "delivered")
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
    lines_found: int = 0
    lines_labelled: int = 0
    lines_ok: int = 0
    lines_parsed: int = 0
    per_field: dict[str, list[int]] = field(default_factory=dict)     # field → [right, asked]
    misses: list[str] = field(default_factory=list)

    def count(self, name: str, good: bool) -> None:
        tally = self.per_field.setdefault(name, [0, 0])
        tally[0] += good
        tally[1] += 1

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

    @property
    def text_recall(self) -> float:
        return self.lines_found / self.lines_labelled if self.lines_labelled else 0.0

    @property
    def text_precision(self) -> float:
        return self.lines_ok / self.lines_parsed if self.lines_parsed else 0.0

    def summary(self) -> str:
        return (f"field accuracy {self.field_accuracy:.3f} ({self.fields_ok}/{self.fields}); "
                f"heading recall {self.heading_recall:.3f} ({self.found}/{self.labelled}); "
                f"heading precision {self.heading_precision:.3f} ({self.parsed_ok}/{self.parsed}); "
                f"category accuracy {self.category_accuracy:.3f} ({self.cat_ok}/{self.cats})")

    def details(self) -> str:
        """Per field, then the text lines."""
        fields = "; ".join(f"{name} {ok}/{n}" for name, (ok, n) in self.per_field.items())
        return (f"{fields}; text lines: recall {self.text_recall:.3f} ({self.lines_found}/{self.lines_labelled}), "
                f"precision {self.text_precision:.3f} ({self.lines_ok}/{self.lines_parsed})")


def _line(text: str) -> str:
    return fold(strip_pinyin_glosses(text))


def _score_lines(score: Score, name: str, entry: dict, text: str) -> None:
    """Labelled body lines in the parsed text, and parsed lines that are labelled ones (compared folded)."""
    if "body" not in entry:
        return
    want = {_line(x) for x in entry["body"].split("\n")} - {""}
    got = [_line(x) for x in text.split("\n")]
    got = [x for x in got if x]
    have = set(got)
    score.lines_labelled += len(want)
    score.lines_found += len(want & have)
    score.lines_parsed += len(got)
    score.lines_ok += sum(1 for x in got if x in want)
    score.misses += [f"{name}: clutter kept: {x[:40]}" for x in got if x not in want][:5]


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
        for f in FIELDS + tuple(f for f in EXTRA_FIELDS if f in entry):
            want, got = entry.get(f), doc.get(f)
            good = want == got if f in ("year", "years_covered") else (want is None and not got) or (
                want is not None and got is not None and _line(str(want)) == _line(str(got)))
            score.count(f, good)
            if f in FIELDS:
                score.fields += 1
                score.fields_ok += good
            if not good:
                score.misses.append(f"{name}.{f}: want {want!r} got {got!r}")
        _score_lines(score, name, entry, doc["text"])
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
    print(score.details())
    return 0


if __name__ == "__main__":
    sys.exit(main())
