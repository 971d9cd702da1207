"""The display form and the search key (fold) of text."""
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.normalize import (
    display,
    fold,
    fold_with_map,
    is_traditional,
    nfkc,
    strip_controls,
    strip_pinyin_glosses,
    to_simplified,
)
from tests.conftest import SEEDS, seeded_rng

_MIXED = st.text(st.sampled_from(
    [chr(c) for r in ((0x20, 0x250), (0x300, 0x370), (0x1100, 0x1200), (0x3000, 0x3200), (0xAC00, 0xAC40),
                      (0xF900, 0xFB00), (0xFF00, 0xFFF0)) for c in range(*r)] + ["\U0001d400", "\U0002f800"]),
    max_size=12)


@settings(max_examples=3000, deadline=None)
@given(_MIXED)
def test_quick_nfkc_is_nfkc(text):
    """Full-width forms, combining marks after them, Hangul jamo, compatibility ideographs, in any order."""
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_fold_is_simplified_width_folded_and_spaceless():
    assert fold("長豐縣 ２０１９年（一）\n人大") == "长丰县2019年(一)人大"
    assert fold("ＡＢＣ abc") == "abcabc"


def test_fold_of_a_traditional_copy_equals_the_original():
    assert fold("加強規範性文件備案審查") == fold("加强规范性文件备案审查")


def test_display_keeps_chinese_punctuation_and_folds_digits():
    assert display("２０２２年，加强\u200b监督。") == "2022年，加强监督。"


def test_controls_and_zero_width_are_removed_and_spaces_unified():
    assert strip_controls("a\x00b\x1fc\u200bd\ufeffe\x85f") == "abcdef"
    assert strip_controls("第一部分\u30002012年") == "第一部分 2012年"


def test_pinyin_glosses_are_dropped_but_not_other_brackets():
    assert strip_pinyin_glosses("會(huì)議（yì）召开") == "會議召开"
    assert strip_pinyin_glosses("条例(草案)和(a)项") == "条例(草案)和(a)项"


def test_traditional_detection():
    assert is_traditional("長豐縣人民代表大會常務委員會工作報告")
    assert not is_traditional("长丰县人民代表大会常务委员会工作报告")
    assert not is_traditional("2019")


def test_fold_with_map_points_back_to_the_original_characters():
    text = "有備 必審，２０"
    folded, where = fold_with_map(text)
    assert folded == fold(text)
    assert [text[i] for i in where] == ["有", "備", "必", "審", "，", "２", "０"]


def test_to_simplified_keeps_length_on_report_text():
    t = "常務委員會堅持黨的領導"
    assert len(to_simplified(t)) == len(t)


def test_fold_with_map_takes_the_whole_string_only_where_that_is_the_same_as_character_by_character():
    """The fast path (an NFKC text without controls, folded whole) must give what folding each character
    gives, on report text and on every kind of character that the per-character path treats specially."""
    from indexer.normalize import _fold_each
    rng = seeded_rng(7)
    alphabet = ("有備必審监督，。２０ＡＢab İẞﬁΣσς\u3000\u00a0\t\n\u200b\ufeff\u0301é會(huì)樂發髮"
                + "".join(chr(c) for c in range(0x4e00, 0x4e40)))
    samples = [p.read_text(encoding="utf-8")[:3000] for p in sorted(SEEDS.glob("*.txt"))]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(2000)]
    for text in samples:
        simplified = to_simplified(text)
        slow = _fold_each(text, simplified if len(simplified) == len(text) else None)
        assert fold_with_map(text) == slow, text
