"""Bytes → text, choosing the encoding the way a browser would and refusing silent mojibake.

Order of evidence: byte-order mark, the HTTP ``Content-Type`` charset, the ``<meta>`` charset, then UTF-8,
GB18030 and Big5 tried strictly, then charset-normalizer's detection. ``gb2312``/``gbk`` labels are read as
GB18030 (WHATWG does the same): pages labelled gb2312 routinely hold GBK-only characters such as 镕, 喆.
A candidate that decodes but looks like Latin-1 soup or is full of replacement characters is rejected and
the next one tried; the choice and the reason are returned with the text.
What this does not catch: two legacy encodings that both decode cleanly into plausible Chinese — then the
share of common characters decides, which can still be wrong on very short texts.
"""
from __future__ import annotations

import codecs
import functools
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

# WHATWG-style label aliases, narrowed to what Chinese sites send.
_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030", "gb_2312": "gb18030",
    "chinese": "gb18030", "csgb2312": "gb18030", "iso-ir-58": "gb18030", "cp936": "gb18030", "ms936": "gb18030",
    "windows-936": "gb18030", "euc-cn": "gb18030", "gb18030": "gb18030", "hz-gb-2312": "hz",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "x-x-big5": "big5hkscs", "cn-big5": "big5hkscs",
    "csbig5": "big5hkscs", "cp950": "big5hkscs",
    "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8", "x-unicode20utf8": "utf-8",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
}
_BOMS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_HEADER = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", re.I)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_LATIN_SOUP = re.compile(r"[\u0080-\u024f\u2000-\u206f\u20ac\u2122\u0152\u0153\u0160\u0161\u0178\u017d\u017e]")


MIN_COMMON_SHARE = 0.5   # real Chinese text scores above 0.9; mojibake of other encodings far below


class DecodeError(ValueError):
    """No candidate encoding gave plausible text."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str      # the codec used, e.g. gb18030
    how: str           # the evidence, e.g. "meta gb2312 → gb18030"


def normalize_label(label: str, from_meta: bool = False) -> str | None:
    """Map a charset label to a Python text codec name, or None for unknown and non-text codecs.

    A <meta> that says UTF-16 is read as UTF-8, as browsers do: only a byte-order mark means UTF-16.
    """
    label = label.strip().strip("\"'").lower()
    name = _ALIASES.get(label, label)
    if from_meta and name.replace("_", "-").startswith(("utf-16", "utf16", "utf-32", "utf32")):
        return "utf-8"
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None      # base64, zlib, rot13 …: bytes-to-bytes or str-to-str, never a page encoding
    return name if name in ("gb18030", "big5hkscs", "cp1252", "hz") else info.name


def declared_charset(data: bytes) -> str | None:
    """Return the charset named in a <meta> tag within the first 4 KiB, if any."""
    m = _META.search(data[:4096])
    return m.group(1).decode("ascii", "replace") if m else None


@functools.lru_cache(maxsize=1)
def _common_chars() -> frozenset[str]:
    """The ~4,000 most frequent Chinese characters (simplified and traditional), from jieba's dictionary.

    Loaded only when two legacy encodings both decode cleanly and have to be told apart.
    """
    import importlib.resources

    from indexer.normalize import to_traditional
    freq: dict[str, int] = {}
    with importlib.resources.files("jieba").joinpath("dict.txt").open(encoding="utf-8") as fh:
        for line in fh:
            word, count = line.split(" ", 2)[:2]
            for ch in word:
                freq[ch] = freq.get(ch, 0) + int(count)
    top = sorted(freq, key=freq.get, reverse=True)[:4000]
    return frozenset(top) | frozenset(to_traditional("".join(top)))


def _count(pattern: re.Pattern, text: str, chunk: int = 1 << 16) -> int:
    """Matches of a one-character ``pattern`` in ``text``, counted in C a chunk at a time.

    findall over a whole 19 MB page made a list of millions of one-character strings (460 MB), and subn over
    it a list as long; a chunk's list is small, and no match of one character spans two chunks.
    """
    return sum(pattern.subn("", text[i:i + chunk])[1] for i in range(0, len(text), chunk))


_NON_ASCII_SPACE = re.compile(r"[^\S\x00-\x7f]")     # str.isspace() beyond ASCII: U+3000, NBSP, U+0085 …
_C1 = re.compile(r"[\x80-\x84\x86-\x9f]")             # the C1 controls but U+0085, which is a space


def plausibility(text: str) -> float:
    """Score 0..1 of how much a decoded text looks like real (Chinese or ASCII) text."""
    if not text:
        return 1.0
    non_ascii = len(text) - len(text.encode("ascii", "ignore")) - _count(_NON_ASCII_SPACE, text)
    if not non_ascii:
        return 1.0
    bad = text.count("\ufffd") + _count(_C1, text)
    soup = _count(_LATIN_SOUP, text)
    cjk = _count(_CJK, text)
    return max(0.0, (cjk - 3 * bad - soup) / non_ascii)


@functools.lru_cache(maxsize=1)
def _common_cjk() -> re.Pattern:
    """The common characters as one character class (the CJK ones: no regex metacharacter gets in)."""
    return re.compile("[" + "".join(sorted(c for c in _common_chars() if _CJK.fullmatch(c))) + "]")


def _common_share(text: str) -> float:
    cjk = _count(_CJK, text)
    return _count(_common_cjk(), text) / cjk if cjk else 0.0


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode(data: bytes, http_charset: str | None = None, is_html: bool | None = None) -> Decoded:
    """Decode ``data`` and say which encoding was used and why.

    :param http_charset: the charset from a Content-Type header, or the whole header value.
    :raises DecodeError: when nothing gives plausible text (binary data, unknown encodings).
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return Decoded(data.decode(codec, "replace"), codec.replace("-sig", ""), "byte-order mark")

    candidates: list[tuple[str, str]] = []
    if http_charset:
        m = _HEADER.search(http_charset)
        label = m.group(1) if m else http_charset
        if (codec := normalize_label(label)):
            candidates.append((codec, f"http {label.lower()}" + (f" → {codec}" if codec != label.lower() else "")))
    if is_html is not False and (label := declared_charset(data)):
        if (codec := normalize_label(label, from_meta=True)):
            candidates.append((codec, f"meta {label.lower()}" + (f" → {codec}" if codec != label.lower() else "")))
    for codec in ("utf-8", "gb18030", "big5hkscs"):
        candidates.append((codec, f"tried {codec}"))

    rejected = []
    clean: list[tuple[str, str, str]] = []
    for codec, how in candidates:
        text = _strict(data, codec)
        if text is None:
            rejected.append(f"{codec}: invalid bytes")
            continue
        if plausibility(text) < 0.5:
            rejected.append(f"{codec}: implausible text")
            continue
        if how.startswith(("http", "meta")) or codec == "utf-8":
            return Decoded(text, codec, how)
        clean.append((text, codec, how))
    if clean:
        # An undeclared legacy encoding must give common Chinese characters, or it is someone else's
        # bytes (Shift-JIS, EBCDIC …) read as GB18030; of GB18030 and Big5 the more common one wins.
        share, (text, codec, how) = max(((_common_share(c[0]), c) for c in clean), key=lambda sc: sc[0])
        if share >= MIN_COMMON_SHARE or not _CJK.search(text):
            return Decoded(text, codec, how + (" (common-character share)" if len(clean) > 1 else ""))
        rejected.append(f"{codec}: few common Chinese characters ({share:.0%})")

    best = from_bytes(data[:2_000_000]).best()
    if best is not None:
        codec = normalize_label(best.encoding) or best.encoding
        text = data.decode(codec, "replace")
        if plausibility(text) >= 0.5:
            return Decoded(text, codec, f"detected {best.encoding}")
        rejected.append(f"{codec}: implausible text")
    # Last resort: a declared legacy encoding with a few bad bytes is still better than nothing.
    for codec, how in candidates:
        try:
            text = data.decode(codec, "replace")
        except LookupError:
            continue
        if text.count("\ufffd") <= max(2, len(text) // 1000) and plausibility(text) >= 0.5:
            return Decoded(text, codec, how + " (lossy)")
    raise DecodeError("no plausible text encoding (" + "; ".join(dict.fromkeys(rejected)) + ")")
