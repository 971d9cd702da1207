"""Numbers as reports write them, read one way everywhere (the figures table, the year-over-year comparison, the
numbering of sections): Arabic digits (1,234 / 97.9 / 1.2万) and Chinese numerals (十四, 一百零六, 二万一千,
九十八点六, 三亿)."""
from __future__ import annotations

DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
          "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
MYRIADS = {"万": 10_000, "亿": 100_000_000}


def number(s: str, digit_by_digit: bool = False) -> float | None:
    """The value of a number as written; None for what is not one.

    Chinese digits in a row with no unit (二〇二三) are a year or a code, not a count: None, unless
    ``digit_by_digit`` (read one by one: 2023). A bare 万 counts nothing; 百 alone (百分之百) is 100.
    """
    if not s:
        return None
    if "点" in s:
        whole, _, decimals = s.partition("点")
        value = number(whole)
        if value is None or not decimals or any(c not in DIGITS for c in decimals):
            return None
        return value + float("0." + "".join(str(DIGITS[c]) for c in decimals))
    if s[0].isdigit():
        scale = MYRIADS.get(s[-1], 1)
        try:
            return float(s.rstrip("万亿").replace(",", "")) * scale
        except ValueError:
            return None
    if s == "百":
        return 100.0
    if not any(c in DIGITS or c == "十" for c in s) or any(c not in DIGITS and c not in UNITS and c not in MYRIADS
                                                            for c in s):
        return None
    if not any(c in UNITS or c in MYRIADS for c in s):
        if len(s) > 1 and not digit_by_digit:
            return None
        return float("".join(str(DIGITS[c]) for c in s))
    total, section, digit = 0, 0, None
    for c in s:
        if c in DIGITS:
            if digit is not None and DIGITS[c] and not digit_by_digit:
                return None             # 二三 inside a numeral: no count
            digit = DIGITS[c] if DIGITS[c] else None      # 零 holds a place only
        elif c in UNITS:
            section += (1 if digit is None else digit) * UNITS[c]
            digit = None
        else:
            total = (total + section + (digit or 0)) * MYRIADS[c] if c == "亿" else \
                total + (section + (digit or 0)) * MYRIADS[c]
            section, digit = 0, None
    return float(total + section + (digit or 0))
