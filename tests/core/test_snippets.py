"""Highlights mark exactly what matched, after escaping; KWIC lines (R15)."""
import re
from html import unescape

import pytest
from bs4 import BeautifulSoup

from search_app.core.snippets import kwic, match_spans, snippet
from search_app.formats import snippet_html
from tests.conftest import seeded_rng


def html_of(text, spans, **kw) -> str:
    """The snippet as the JSON and the pages carry it: escaped, then marked."""
    return snippet_html(snippet(text, spans, **kw))


def marked(html: str) -> list[str]:
    return [m.get_text() for m in BeautifulSoup(html, "html.parser").find_all("mark")]


def test_overlapping_matches_are_merged_and_marked_whole():
    text = "学习马克思主义理论，马克思的著作。"
    assert marked(html_of(text, match_spans(text, ["马克", "马克思"]))) == ["马克思", "马克思"]
    assert marked(html_of(text, match_spans(text, ["克思主", "马克"]))) == ["马克思主", "马克"]


@pytest.mark.parametrize("text", ['<script>alert("x")</script>备案审查&amp;', 'a "quoted" 备案审查 \'single\' <b>',
                                  "<img src=x onerror=alert(1)>备案审查", "备案审查</mark><script>"])
def test_hostile_text_is_escaped_then_marked(text):
    html = str(html_of(text, match_spans(text, ["备案审查"]), whole=True))
    soup = BeautifulSoup(html, "html.parser")
    assert [t.name for t in soup.find_all(True)] == ["mark"]
    assert soup.get_text() == text
    assert marked(html) == ["备案审查"]


def test_matches_in_traditional_and_across_spaces_map_back_to_the_original():
    text = "加強規範性文件備案\n審查工作"
    assert marked(html_of(text, match_spans(text, ["备案审查"]), whole=True)) == ["備案\n審查"]


def test_fragments_and_ellipses():
    text = "甲" * 200 + "备案审查" + "乙" * 200 + "执法检查" + "丙" * 200
    html = str(html_of(text, match_spans(text, ["备案审查", "执法检查"]), context=10))
    assert html.startswith("…") and html.endswith("…") and html.count("…") == 3
    assert marked(html) == ["备案审查", "执法检查"] and len(BeautifulSoup(html, "html.parser").get_text()) < 80


def test_random_spans_always_reproduce_the_text_and_marks():
    rng = seeded_rng(7)
    alphabet = "备案审查<>&\"'马克思 "
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        needles = ["".join(rng.choice(alphabet[:7]) for _ in range(rng.randint(1, 3))) for _ in range(2)]
        spans = match_spans(text, needles)
        html = str(html_of(text, spans, whole=True))
        soup = BeautifulSoup(html, "html.parser")
        # not soup.get_text(): bs4 folds a run of spaces between two tags into one
        assert unescape(re.sub(r"</?mark>", "", html)) == text
        assert {t.name for t in soup.find_all(True)} <= {"mark"}
        assert all(s < e for s, e in spans) and all(a[1] < b[0] for a, b in zip(spans, spans[1:]))


def test_kwic_lines():
    text = "坚持有件必备、有备必审、有错必纠，全年审查规范性文件。"
    assert kwic(text, match_spans(text, ["有备必审"]), width=4) == [("件必备、", "有备必审", "、有错必")]


def test_the_texts_own_ellipses_are_kept_and_a_cut_adds_one():
    """Before spans, the HTML was made by joining strings and then collapsing every "……" to "…", which also
    shortened the report's own ellipses; the pieces now say where a cut is."""
    text = "甲" * 100 + "全面落实……有备必审……等要求" + "乙" * 100
    html = html_of(text, match_spans(text, ["有备必审"]), context=8)
    assert html == "…甲甲全面落实……<mark>有备必审</mark>……等要求乙乙乙…"     # eight characters each side
    whole = html_of("……有备必审……", match_spans("……有备必审……", ["有备必审"]), whole=True)
    assert whole == "……<mark>有备必审</mark>……"


def test_r15_200_random_cases_mark_exactly_the_longest_overlapping_matches():
    """R15: needles cut from the text itself, so that they overlap as jieba's words do (马克 in 马克思, 审查 in
    备案审查); with no whitespace, folding changes nothing here and the marks must be exactly the runs of
    characters some needle covers. Windows open and close ``context`` characters from a match, and the HTML
    holds no bare <, > or & of the text."""
    rng = seeded_rng(20261207)
    alphabet = "备案审查马克思主义<>&\"'"
    wrong_spans, bad_windows, unescaped = [], [], []
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 120)))
        needles = []
        for _ in range(rng.randint(1, 4)):
            start = rng.randrange(len(text))
            needles.append(text[start:start + rng.randint(1, 4)])
        covered = [False] * len(text)
        for n in needles:
            i = text.find(n)
            while i >= 0:
                covered[i:i + len(n)] = [True] * len(n)
                i = text.find(n, i + 1)
        want = [(m.start(), m.end()) for m in re.finditer("1+", "".join("1" if c else "0" for c in covered))]
        spans = match_spans(text, needles)
        if spans != want:
            wrong_spans.append((text, needles, spans, want))
        s = snippet(text, spans, context=10)
        if any(lo != max(0, min(a for a, b in spans if b > lo and a < hi) - 10) or
               hi != min(len(text), max(b for a, b in spans if b > lo and a < hi) + 10) for lo, hi in s.windows):
            bad_windows.append((text, spans, s.windows))
        bare = re.sub(r"</?mark>|&(amp|lt|gt|quot|#x27);", "", snippet_html(s))
        if any(c in bare for c in "<>&"):
            unescaped.append(text)
    print(f"\nR15: 200 random cases: spans not the longest overlapping match {len(wrong_spans)}; windows not "
          f"context characters from a match {len(bad_windows)}; snippets with an unescaped <, > or & "
          f"{len(unescaped)}")
    assert (wrong_spans, bad_windows, unescaped) == ([], [], [])
