"""The display form and the search key (fold) of text."""
from indexer.normalize import (
    display,
    fold,
    fold_with_map,
    is_traditional,
    strip_controls,
    strip_pinyin_glosses,
    to_simplified,
)


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
