"""Plain data objects passed between pipeline stages."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Block:
    """One paragraph of extracted text with what the markup said about it."""
    text: str
    heading_level: int = 0     # 1–6 for <h1>…<h6> or Markdown #, else 0
    bold: bool = False         # the whole paragraph was bold (<strong>, <b>, a 黑体 font, **…**)
    run_in: str = ""           # a bold opening phrase of the paragraph ("突出立法重点。")


@dataclass
class Extracted:
    """What the cleaner found in one file before any interpretation."""
    blocks: list[Block]
    title: str = ""
    title_how: str = ""        # where the title was found (a selector, <title>, the first line)
    pub_date: str | None = None
    source_name: str = ""
    encoding: str = "utf-8"
    encoding_how: str = ""
    format: str = "text"


@dataclass(frozen=True)
class Verdict:
    """What a page fetched by discovery is: ``report`` (a congress report: stored for ingest), ``list`` (a page
    of links to follow), ``other`` (neither); and why, in words (``understand.judge`` decides, the crawler acts)."""
    kind: str
    why: str


@dataclass
class Passage:
    passage_id: str
    ordinal: int
    text: str
    start: int                 # character offsets into Document.text
    end: int
    heading: str
    category: str

    def to_dict(self) -> dict:
        return {"passage_id": self.passage_id, "ordinal": self.ordinal, "text": self.text, "start": self.start,
                "end": self.end, "heading": self.heading, "category": self.category}


@dataclass
class Figure:
    """One work figure a report states (召开常委会会议10次): its metric (a key of
    ``indexer/figures.toml``), the value (the lower end of a range 10至12次, whose upper end is
    ``value_max``), the unit, whether it is approximate (二十余项), the clause and sentence that state it and
    the passage they are in."""
    metric: str
    value: float
    unit: str
    approx: bool = False
    value_max: float | None = None
    text: str = ""
    sentence: str = ""
    passage_id: str = ""
    ordinal: int = 0

    def to_dict(self) -> dict:
        return {"metric": self.metric, "value": self.value, "value_max": self.value_max, "unit": self.unit,
                "approx": self.approx, "text": self.text, "sentence": self.sentence, "passage_id": self.passage_id,
                "ordinal": self.ordinal}


@dataclass
class Section:
    heading: str
    level: int                 # 0 = preamble before the first heading, 1 = top heading, 2 = sub-heading …
    category: str
    own_category: str | None = None   # the heading's own confident category, before inheritance
    passages: list[Passage] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"heading": self.heading, "level": self.level, "category": self.category,
                "passages": [p.to_dict() for p in self.passages]}


@dataclass
class Document:
    doc_id: str
    title: str
    body: str                  # the congress, e.g. 巴彦淖尔市人大常委会
    region: str | None
    province: str | None
    level: str | None          # national / provincial / city / county
    year: int | None
    doc_type: str
    source: str
    traditional: bool
    text: str                  # the cleaned report text, one paragraph per line
    sections: list[Section] = field(default_factory=list)
    years_covered: list[int] | None = None
    pub_date: str | None = None
    region_code: str | None = None
    encoding: str = "utf-8"
    encoding_how: str = ""
    format: str = "text"
    content_hash: str = ""
    sources: list[str] = field(default_factory=list)
    kind: str = "report"       # report, summary (摘要), or what a non-report is: news, plan, government … (KINDS)
    why: dict[str, str] = field(default_factory=dict)    # per decision (title, region, year, doc_type, session): the evidence
    versions: list[str] = field(default_factory=list)    # doc ids of other versions of this report (dedup.link_versions)
    session: str | None = None     # the congress session it was delivered at (第十四届全国人民代表大会第二次会议)
    delivered: str | None = None   # the date it was delivered there, ISO; both None in records written before them
    figures: list[Figure] = field(default_factory=list)   # the work figures it states (understand.figures)
    ingested: float = 0.0          # when an ingest took it in (seconds since the epoch, UTC): what saved searches
                                   # call new; 0.0 in records written before it was kept ("before any alert ran")

    def passages(self) -> list[Passage]:
        return [p for s in self.sections for p in s.passages]

    def version_key(self) -> list | None:
        """What the versions of one report share: one congress's report (or its summary) of one year and family
        (a 述法报告 and a 法治建设工作报告 are reports of their own beside the work report or review); None for
        a document that is no congress report or names no congress or year (``dedup.link_versions``)."""
        if self.kind not in ("report", "summary") or not self.year or not (self.region or self.body):
            return None
        family = self.doc_type if self.doc_type in ("述法报告", "法治建设工作报告") else "工作"
        return [self.region or self.body, self.level, self.year, family]

    def surroundings(self) -> list[tuple[str, str]] | None:
        """For each passage, the report text before it since the previous passage (the headings that open it)
        and, for the last passage, the text after it; None when the offsets do not fit the text.

        Passages and these pieces together are the whole report in order, so an exact phrase can be looked for
        in the report as written: in a heading, or running on from one passage into the next.
        """
        passages = self.passages()
        if any(self.text[p.start:p.end] != p.text for p in passages):
            return None
        out, previous_end = [], 0
        for i, p in enumerate(passages):
            out.append((self.text[previous_end:p.start], self.text[p.end:] if i == len(passages) - 1 else ""))
            previous_end = p.end
        return out

    def to_dict(self) -> dict:
        """As JSON wants it; written out field by field (``dataclasses.asdict`` deep-copies every value, which
        made writing a segment's documents take seconds)."""
        d = {f: getattr(self, f) for f in _DOCUMENT_FIELDS}
        d["years_covered"] = list(self.years_covered) if self.years_covered is not None else None
        d["sources"] = list(self.sources)
        d["why"] = dict(self.why)
        d["versions"] = list(self.versions)
        d["sections"] = [s.to_dict() for s in self.sections]
        d["figures"] = [f.to_dict() for f in self.figures]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Document":
        d = dict(d)
        sections = [Section(heading=s["heading"], level=s["level"], category=s["category"],
                            passages=[Passage(**p) for p in s["passages"]]) for s in d.pop("sections", [])]
        figures = [Figure(**f) for f in d.pop("figures", None) or []]     # none in records written before them
        known = {f for f in cls.__dataclass_fields__}
        return cls(sections=sections, figures=figures, **{k: v for k, v in d.items() if k in known})


_DOCUMENT_FIELDS = [f for f in Document.__dataclass_fields__ if f not in ("sections", "figures")]
