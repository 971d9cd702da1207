"""The one table of facets: each is a column of the index, a filter of the query language, a parameter of the
pages and an option of the CLI, named, labelled and keyed the same everywhere (build, core, web, CLI, exports)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Facet:
    """One facet: a column of the index, a filter of the query language, a parameter of the pages and the CLI.

    The one table of them (``FACETS``) is what the build, the search core, the web, the CLI and the exports
    all read, so that a facet is named, labelled and keyed the same everywhere.
    """
    name: str                  # key in facets, hits and exports; the sidecar column fac_<name>
    label: str                 # its name on the pages
    param: str                 # URL parameter (region=…, type=…)
    option: str                # CLI option (--region, --doc-type)
    keys: tuple[str, ...]      # keys of the query language (region:…, type:…)
    per_passage: bool = False  # a value of the passage (its section), not of its report
    values: dict[str, str] = field(default_factory=dict)   # every value the facet can take, with its label (none: open)
    aliases: dict[str, str] = field(default_factory=dict)  # other words for a value (县 → county), beside its label

    def code(self, value: str) -> str | None:
        """The stored value a closed facet's value, label or alias names (县级, 县 and county → county); None
        for a word the facet does not know."""
        if value in self.values:
            return value
        return next((v for v, label in self.values.items() if label == value), None) or self.aliases.get(value)


DOC_TYPES = ("工作报告", "法治建设工作报告", "述法报告", "工作综述", "other")     # what metadata.find_doc_type gives
LEVEL_LABELS = {"national": "全国", "provincial": "省级", "city": "市级", "county": "县级"}
FACETS = (
    Facet("region", "地区", "region", "region", ("region", "地区")),
    Facet("province", "省份", "province", "province", ("province", "省份")),
    Facet("level", "层级", "level", "level", ("level", "层级"), values=LEVEL_LABELS,
          aliases={"国家": "national", "国家级": "national", "省": "provincial", "市": "city", "地市": "city",
                   "地市级": "city", "县": "county", "区县": "county", "县区": "county"}),
    Facet("section", "栏目", "section", "section", ("section", "栏目"), per_passage=True),
    Facet("doc_type", "文种", "type", "doc-type", ("type", "doc_type", "文种"),
          values={t: "其他文件" if t == "other" else t for t in DOC_TYPES}, aliases={"其他": "other"}),
)
FACET_NAMES = tuple(f.name for f in FACETS)
FACET_BY_NAME = {f.name: f for f in FACETS}
YEAR = Facet("year", "年份", "year", "year", ("year", "年份"))     # a range filter, stored as a number per passage
UNSTATED = "（未标明）"      # the filter value (and label) of reports whose value of a facet is not known
