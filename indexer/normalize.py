"""Character-level normalisation shared by the indexer and the query side.

Two forms of the same text exist: the *display* form (what a user reads and copies: original script,
Chinese punctuation, ASCII digits and letters) and the *search key* (``fold``: NFKC width folding,
traditional → simplified, lower case, no whitespace). The index and every query go through ``fold``,
so an exact-wording search cannot be defeated by width, script or a hard wrap.
"""
from __future__ import annotations

import functools
import re
import unicodedata

import opencc

# C0 controls except tab and newline, DEL, C1 controls, zero-width and bidi marks, soft hyphen, BOM, and the
# replacement character a damaged byte leaves behind.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ufff9-\ufffb\ufffd]")
_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\r\f\v]")
_FULLWIDTH_ALNUM = {c: c - 0xFEE0 for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
# A pinyin gloss after a character, 會(huì): a syllable with at least one tone mark, in either bracket width.
# a gloss may have spaces inside its brackets, as gateway mirrors write them: 會(huì )
_PINYIN_GLOSS = re.compile(rf"(?<=[\u4e00-\u9fff])[（(][ \u3000]?(?=[a-z{_TONED}]*[{_TONED}])[a-z{_TONED}]{{1,7}}[ \u3000]?[)）]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WS = re.compile(r"\s+")


@functools.lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def to_simplified(text: str) -> str:
    return _t2s().convert(text) if text else text


def to_traditional(text: str) -> str:
    return _s2t().convert(text) if text else text


def strip_controls(text: str) -> str:
    """Remove control, zero-width and bidi characters; turn exotic spaces (U+3000, NBSP) into plain spaces."""
    return _SPACES.sub(" ", _CONTROL.sub("", text))


def fold_width(text: str) -> str:
    """Fold full-width digits and Latin letters to ASCII; Chinese punctuation stays as written."""
    return text.translate(_FULLWIDTH_ALNUM)


def strip_pinyin_glosses(text: str) -> str:
    """Drop pronunciation glosses such as the (huì) in 會(huì)."""
    return _PINYIN_GLOSS.sub("", text)


def is_traditional(text: str) -> bool:
    """True when the text is written in traditional characters.

    Converting traditional text to simplified changes many characters, while converting it to traditional
    changes few; simplified text behaves the other way round.
    """
    sample = "".join(_CJK.findall(text))[:20000]
    if len(sample) < 4:
        return False
    to_s = sum(a != b for a, b in zip(sample, to_simplified(sample)))
    to_t = sum(a != b for a, b in zip(sample, to_traditional(sample)))
    return to_s > to_t and to_s >= max(2, len(sample) * 0.02)


def display(text: str) -> str:
    """The display form of a line: controls gone, widths of digits and letters folded, glosses dropped."""
    return strip_pinyin_glosses(fold_width(strip_controls(text)))


_CN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "00012345678" + "9")
_CN_YEAR = re.compile(r"(?:一九|二[〇○零])[〇○零一二三四五六七八九]{2}(?=\s*年)")


def simplify_for_analysis(text: str) -> str:
    """Simplified, NFKC-folded text for metadata and section rules (keeps whitespace and length roughly);
    years written in Chinese numerals (二〇二三年) become digits, so one set of year rules reads both."""
    text = to_simplified(nfkc(text))
    return _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGITS), text)


def fold(text: str) -> str:
    """The search key: NFKC, simplified, lower case, no whitespace. Index and query both use this."""
    return _WS.sub("", to_simplified(nfkc(strip_controls(text))).lower())


_FULL_WIDTH = re.compile("[\uff01-\uff5e]")
_HALF = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, five times quicker on Chinese text.

    Its full-width punctuation (，：；（）) sends every string through CPython's slow path of decomposing and
    composing each character again. A character replaced by its full decomposition leaves the text's
    decomposition, hence its NFKC form, unchanged; the full-width ASCII forms decompose to one ASCII character
    each, and once they are replaced most texts pass the quick check as they are.
    """
    text = _FULL_WIDTH.sub(lambda m: _HALF[m.group()], text)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


class _Pieces(dict):
    """A character → what ``fold`` makes of it alone before the script (controls stripped, NFKC), computed the
    first time the character is seen."""

    def __missing__(self, ch: str) -> str:
        piece = self[ch] = unicodedata.normalize("NFKC", strip_controls(ch))
        return piece


_PIECES = _Pieces()
_simplified_piece = functools.lru_cache(maxsize=4096)(lambda piece: to_simplified(piece))


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """``fold`` character by character, with the index in ``text`` each folded character came from.

    Highlighting uses the map to mark the original text at exactly the matched characters. When every
    character folds to exactly one (the usual case: full-width punctuation to ASCII, no controls, no ligatures),
    the pieces are joined in one pass over the string instead of folding each character on its own.
    """
    simplified = to_simplified(text)
    per_char = len(simplified) == len(text)   # OpenCC's phrase tables almost never change the length
    pieces = _PIECES
    if per_char and all(len(pieces[c]) == 1 for c in set(text)):
        merged = "".join([s if pieces[t] == t else _simplified_piece(pieces[t]) for s, t in zip(simplified, text)])
        lower = merged.lower()
        if len(lower) == len(text) and "Σ" not in merged:     # a final sigma lowers by its context, not alone
            if not _WS.search(lower):
                return lower, list(range(len(lower)))
            where = [i for i, c in enumerate(lower) if not c.isspace()]
            return "".join([lower[i] for i in where]), where
    return _fold_each(text, simplified if per_char else None)


def _fold_each(text: str, simplified: str | None) -> tuple[str, list[int]]:
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        piece = unicodedata.normalize("NFKC", strip_controls(ch))
        piece = (simplified[i] if simplified is not None and piece == ch else to_simplified(piece)).lower()
        for c in piece:
            if not c.isspace():
                out.append(c)
                where.append(i)
    return "".join(out), where
