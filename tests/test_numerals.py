"""Numbers as reports write them, one reader for the figures table, the year-over-year comparison and sections."""
import pytest

from indexer.numerals import number


@pytest.mark.parametrize("written,value", [
    ("16", 16), ("1,200", 1200), ("97.9", 97.9), ("1.2万", 12000), ("3亿", 3e8), ("十", 10), ("十四", 14),
    ("二十三", 23), ("一百零八", 108), ("二百零三", 203), ("八百一十二", 812), ("三千七百", 3700), ("一万零六百", 10600),
    ("二万一千", 21000), ("三亿", 3e8), ("两", 2), ("九十八点六", 98.6), ("百", 100), ("九十九", 99),
])
def test_numbers_as_reports_write_them(written, value):
    assert number(written) == value == number(written, digit_by_digit=True)


@pytest.mark.parametrize("written", ["二〇二三", "一九九八", "二三"])
def test_digits_in_a_row_are_a_year_or_a_code_unless_read_one_by_one(written):
    assert number(written) is None
    assert number(written, digit_by_digit=True) == int("".join(str("〇一二三四五六七八九".index(c)) for c in written))


@pytest.mark.parametrize("written", ["", "万", "亿", "百姓", "十四点", "1.2.3", "千方百计"])
def test_what_is_no_number(written):
    assert number(written) is None
