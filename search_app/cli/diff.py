"""`lrsearch diff`: two reports side by side, as /diff shows them (one congress's reports of two years): the
summary, the figures that changed, then the rows that changed, marked + (new), - (dropped), ~ (reworded)."""
from __future__ import annotations

from pathlib import Path

import click

from search_app.cli.common import done, index_option
from search_app.cli.output import Output, output_options
from search_app.cli.read import TEXT, _open, _run

MARKS = {"new": "+", "dropped": "-", "reworded": "~", "unaligned": "?"}     # unchanged rows are counted, not listed
ROW_FIELDS = ("row", "status", "category_a", "category_b", "passage_a", "passage_b", "ratio", "text_a", "text_b")
PIPED = {"delete": ("[-", "-]"), "insert": ("{+", "+}"), "replace": None, "unchecked": ("[?", "?]")}   # as wdiff


def _marked(out: Output, segments: list[dict], side: str):
    """One side's text with its differences: struck out (甲) or underlined (乙) on a terminal, in wdiff's
    [-…-] and {+…+} when piped."""
    from rich.text import Text
    text = Text("  甲 " if side == "a" else "  乙 ")
    for s in segments:
        op = s["op"]
        if op == "equal":
            text.append(s["text"])
        elif out.console.is_terminal:
            text.append(s["text"], style="dim" if op == "unchecked" else "strike" if side == "a" else "underline")
        else:
            left, right = PIPED[op] or PIPED["delete" if side == "a" else "insert"]
            text.append(f"{left}{s['text']}{right}")
    return text


def _rows(result: dict) -> list[dict]:
    """The aligned pairs as flat rows, numbered as the page's 第 n 行."""
    return [{"row": k, "status": row["status"], "ratio": row["ratio"],
             **{f"{key}_{s}": row[s][field] if row[s] else None for s in ("a", "b")
                for key, field in (("category", "category"), ("passage", "passage_id"), ("text", "text"))}}
            for k, row in enumerate(result["rows"], start=1)]


def _delta(n: dict) -> str:
    return f"{'+' if n['delta'] > 0 else ''}{n['delta']}{n['unit']}"


@click.command("diff")
@click.argument("doc_a", type=TEXT)
@click.argument("doc_b", type=TEXT)
@index_option
@output_options
def diff_cmd(doc_a: str, doc_b: str, index_dir: Path, out: Output) -> None:
    """Compare two reports, DOC_A as 甲 (the older year) and DOC_B as 乙: passages aligned by section category,
    then by likeness; new (+), dropped (-), reworded (~, characters marked) and unchanged passages counted; the
    figures that changed (执法检查 5 项 → 6 项). --json: the comparison as /api/diff; --jsonl/--csv/--tsv: a row
    per aligned pair, unchanged ones included. Exit 0, or 2 for a report the index does not hold."""
    from search_app.core.diff import STATUSES, compare_reports
    result = _run(compare_reports, _open(index_dir), doc_a, doc_b)
    if not out.readable:
        out.emit(result, _rows(result), ROW_FIELDS)
        done(True)
    for side, name in (("a", "甲"), ("b", "乙")):
        out.print(f"{name} {result[side]['citation']}  [{result[side]['doc_id']}]")
    out.print(f"全文相似度 {result['ratio'] * 100:.0f}% · 对上 {result['paired']} 对段落"
              + (" · 报告太长，只对齐或逐字比较了一部分" if result["truncated"] else ""))
    out.print(" · ".join(f"{label} {result['summary'][s]}" for s, label in STATUSES.items()
                         if result["summary"][s] or s != "unaligned"))
    out.print("\n数字变化" + ("" if result["numbers"] else "：无"))
    if result["numbers"]:
        out.table(["栏目", "所说", "甲", "乙", "增减", "行"],
                  ([n["category"], n["context"] or "—", n["a"], n["b"], _delta(n), n["row"] + 1]
                   for n in result["numbers"]))
    for k, row in enumerate(result["rows"], start=1):
        if row["status"] == "unchanged":
            continue
        head = row["b"] or row["a"]
        moved = row["a"] and row["b"] and row["a"]["category"] != row["b"]["category"]
        out.print(f"\n{MARKS[row['status']]} 第 {k} 行 {STATUSES[row['status']]} · "
                  + (f"{row['a']['category']} → " if moved else "") + head["category"]
                  + (f" · {head['heading']}" if head["heading"] else ""))
        for side in ("a", "b"):
            if row[side] and row["status"] == "reworded":
                out.print(_marked(out, row["segments"][side], side))
            elif row[side]:
                out.print(f"  {'甲' if side == 'a' else '乙'} {row[side]['text']}")
        for n in row["numbers"]:
            out.print("  数字：" + " ".join(filter(None, [n["context"], n["a"], "→", n["b"]])))
    if result["summary"]["unchanged"]:
        out.print(f"\n（未变的 {result['summary']['unchanged']} 段不列出；--json 给出全部）")
    done(True)
