"""No executable markup in any page, with hostile text in queries and inside indexed documents (R7).

1,000 payloads: 25 attack shapes, each in 9 settings of report text or query syntax, each as written and in up
to six disguises (upper case, a tab or a slash for a space, a NUL inside the tag name, alert`1`, <<). Every one is
stored in a report (its title, headings and text) and sent in a query, a filter, the year or the page number
on two of the pages in turn; every page is parsed and walked.
"""
import itertools
from pathlib import Path
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

from indexer.update import ingest
from search_app.web import create_app

BASES = ['<script>alert(1)</script>', '"><script>alert(1)</script>', "'><img src=x onerror=alert(1)>",
         '<svg onload=alert(1)>', '<iframe src="javascript:alert(1)">', '<a href="javascript:alert(1)">x</a>',
         '<body onload=alert(1)>', '<input autofocus onfocus=alert(1)>', '<details open ontoggle=alert(1)>',
         '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>', '</mark><script>x</script>',
         '<object data=javascript:alert(1)>', '<embed src=javascript:alert(1)>', '"onmouseover="alert(1)',
         "'onfocus='alert(1)", '<style>@import "x"</style>', '<base href="//evil/">', '<meta http-equiv=refresh content=0;url=//x>',
         '<form action=//x><button>', '<!--<script>x</script>-->', '<![CDATA[<script>x</script>]]>', '&lt;script&gt;',
         '<scr<script>ipt>alert(1)</script>', '<img src=x:x onerror=alert(1)//', '<video><source onerror=alert(1)>']
WRAPS = ["{}", "备案审查{}", "{}有备必审", "监督「{}」工作", "{} OR 监督", '"{}"', "-{}", "“{}”", "({}) 监督"]
DISGUISES = [lambda p: p, str.upper, lambda p: p.replace(" ", "\t"), lambda p: p.replace(" ", "/"),
             lambda p: p.replace("<s", "<s\x00", 1), lambda p: p.replace("alert(1)", "alert`1`"),
             lambda p: p.replace("<", "<<", 1)]
PAYLOADS = list(dict.fromkeys(d(w.format(b)) for d, b, w in itertools.product(DISGUISES, BASES, WRAPS)))[:1000]
PER_REPORT = len(WRAPS)           # report n carries PAYLOADS[9n:9n+9]: in its title, headings and text
REPORTS = -(-len(PAYLOADS) // PER_REPORT)
EXECUTABLE = {"script", "iframe", "object", "embed", "svg", "math", "img", "video", "audio", "source", "body",
              "input", "details", "style", "base", "meta", "form", "button", "link"}


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    """An index whose reports carry payloads in the title, the headings and the text, each its own nine."""
    from tests.conftest import SEEDS
    filler = "".join(f.read_text(encoding="utf-8") for f in sorted(SEEDS.glob("*.txt")))
    src = tmp_path_factory.mktemp("hostile")
    for n in range(REPORTS):
        # a NUL would make the file binary: stored without it; a paragraph of its own, so that no report is
        # folded into another as a repost
        p = [x.replace("\x00", "") for x in (PAYLOADS[PER_REPORT * n:PER_REPORT * (n + 1)] + PAYLOADS)[:PER_REPORT]]
        (src / f"r{n}.txt").write_text(
            f"XX县人大常委会{p[0]}2020年工作报告\n各位代表：\n一、加强备案审查{p[1]}\n"
            f"坚持有件必备、有备必审、有错必纠，{p[2]}全年审查规范性文件{n}件。{p[3]}\n"
            f"二、{p[4]}加强监督工作\n常委会{p[5]}开展执法检查，听取审议专项工作报告{n}个。\n{p[6]}代表建议办理{n}件。\n"
            f"三、加强代表工作{p[7]}\n办理代表建议{n}件，{p[8]}满意率提高。\n"
            f"附记：{filler[150 * n:150 * n + 150].replace(chr(10), '')}\n", encoding="utf-8")
    ix = tmp_path_factory.mktemp("hostile_ix")
    report = ingest(ix, [src], workers=2)
    assert not report.errors and report.build and report.build.documents == REPORTS, report
    return create_app({"INDEX_DIR": str(ix), "TESTING": True, "KWIC_HITS": 10}).test_client()


def _own(t) -> bool:
    """The app's own markup: the head, the page body, its script file, the trend chart, small multiples and the
    home page's map, the search, paste, year-range, facet, compare, diff, precedents, within-results, advanced
    and concordance forms, the cite buttons, the report page's tools, the folding filter panel, region tree,
    pasting box and hit breakdown, the save-search form."""
    if t.parent is not None and t.parent.name == "head" and t.name in ("meta", "link"):
        return True
    if t.name == "body":
        return t.parent is not None and t.parent.name == "html" and not t.attrs
    if t.name == "script":
        return t.get("src", "").startswith("/static/") and not t.string
    if t.name == "details":
        return bool({"filters", "paste-box", "spread"} & set(t.get("class") or [])) or (t.find_parent("ul", class_="tree") is not None
                                                       and t.find_parent("details", class_="filters") is not None)
    if t.name == "svg":
        return t.find_parent("figure", class_=("chart", "small", "tilemap")) is not None
    if t.name in ("form", "input", "button"):
        own_forms = {"paste", "years", "facet-form", "compare-form", "diff-form", "narrow", "within", "advanced",
                     "concordance-form", "save-search"}
        return (t.find_parent("header", class_="top") is not None or own_forms & set(t.get("class") or [])
                or any(t.find_parent("form", class_=c) is not None for c in own_forms)
                or bool({"cite", "remember-pick"} & set(t.get("class") or []))
                or t.find_parent("div", class_=("doc-tools", "ptools")) is not None)
    return False


FINDINGS = ("executable elements", "on* attributes", "javascript: URLs", "tags in a snippet but <mark>")


def findings(html: bytes, where: str, found: dict) -> BeautifulSoup:
    """Parse the page and walk it once, noting (in ``found``, by kind) executable elements but the app's own,
    event handlers, javascript: addresses, and any tag inside a snippet or a <mark> but a <mark> holding text."""
    page = BeautifulSoup(html, "html.parser")
    for tag in page.find_all(True):
        if tag.name in EXECUTABLE and not _own(tag):
            found[FINDINGS[0]].append((where, str(tag)[:80]))
        if [a for a in tag.attrs if a.lower().startswith("on")]:
            found[FINDINGS[1]].append((where, str(tag)[:80]))
        if any(str(tag.get(a, "")).strip().lower().startswith("javascript:") for a in ("href", "src", "action", "data")):
            found[FINDINGS[2]].append((where, str(tag)[:80]))
    for box in page.select("p.snippet, p.lead, mark"):
        for tag in box.find_all(True):
            if tag.name != "mark" or tag.find(True):
                found[FINDINGS[3]].append((where, str(tag)[:80]))
    return page


def report(found: dict, what: str) -> None:
    print(f"\nR7: {what}: " + "; ".join(f"{k} {len(v)}" for k, v in found.items()))
    assert not any(found.values()), {k: v[:3] for k, v in found.items() if v}


def urls_for(q: str) -> list[str]:
    """The pages a payload is sent to: as the query, a filter, the year, the page number, a report id."""
    return [f"/?q={q}&per_page=5", f"/?q={q}&per_page=5&strict=1", f"/?q=监督&region={q}&section={q}",
            f"/kwic?q={q}", f"/trends?q={q}", f"/compare?q={q}&by=region&region={q}&region=XX县",
            f"/similar?text={q}&limit=5", f"/doc/{q[:60]}", f"/?q=监督&year={q}", f"/?q=监督&page={q}",
            f"/kwic?q=监督&type={q}&level={q}"]


def test_payloads_in_queries_and_filters(hostile_client):
    """Each of the 1,000 payloads on two of the eleven kinds of URL in turn (every kind gets about 180)."""
    assert len(set(PAYLOADS)) == 1000
    found = {k: [] for k in FINDINGS}
    echoed, pages = 0, 0
    for i, p in enumerate(PAYLOADS):
        q = quote(p)
        kinds = urls_for(q)
        for url in (kinds[i % len(kinds)], kinds[(i + 5) % len(kinds)]):
            r = hostile_client.get(url)
            assert r.status_code < 500, url
            page = findings(r.data, url, found)
            pages += 1
            echoed += any("<" in s.get_text() for s in page.select(".suggestions a"))
    report(found, f"1,000 payloads in q, region, section, type, level, year, page and a report id, {pages} pages")
    assert echoed > 20          # zero-result suggestions echoed payloads, as text, and were checked


def test_payloads_inside_indexed_reports(hostile_client):
    """The 1,000 payloads are stored in 112 reports and shown, as text, where the reports are."""
    found = {k: [] for k in FINDINGS}
    data = hostile_client.get("/api/search?q=监督&per_page=50").get_json()
    assert data["total"] > 0
    shown: set[str] = set()
    from indexer.index.reader import open_index
    doc_ids = open_index(hostile_client.application.config["INDEX_DIR"]).side.doc_ids
    for doc_id in doc_ids:
        n = int(Path(hostile_client.get(f"/api/doc/{doc_id}").get_json()["source"]).stem[1:])
        page = findings(hostile_client.get(f"/doc/{doc_id}?q=监督").data, doc_id, found)
        text = " ".join(page.get_text().split())         # a tab in a payload is shown as a space
        shown |= {p for p in PAYLOADS[PER_REPORT * n:PER_REPORT * (n + 1)]
                  if " ".join(p.replace("\x00", "").split()) in text}
    for h in data["hits"]:
        findings(hostile_client.get(f"/similar?passage_id={h['passage_id']}").data, h["passage_id"], found)
    hits = data["hits"]
    for url in [f"/diff?a={a['passage_id']}&b={b['passage_id']}" for a, b in zip(hits[:10], hits[1:11])] + [
            f"/diff?a={hits[0]['passage_id']}", f"/diff?a_doc={doc_ids[0]}&b_doc={doc_ids[1]}"]:
        findings(hostile_client.get(url).data, url, found)       # side by side, the differences marked
    for q in ("备案审查", "监督", "有备必审", "script", "onerror", "javascript", "SCRIPT", "alert"):
        for url in (f"/?q={quote(q)}&per_page=50", f"/kwic?q={quote(q)}", f"/trends?q={quote(q)}&by=section",
                    f"/compare?q={quote(q)}&by=province&province=浙江省&province=四川省",
                    f"/spread?q={quote(chr(34) + q + chr(34))}"):      # first uses: titles, snippets, the map
            findings(hostile_client.get(url).data, url, found)
    report(found, f"{len(doc_ids)} reports holding the payloads in titles, headings and text, {len(shown)} payloads "
                  "shown as text")
    # not shown as written: reports whose text holds <body …> or <a href…>…</a> are sniffed as HTML, so their
    # markup is parsed away (as a page's is), the rest shown as text
    assert len(shown) >= 900, sorted(set(PAYLOADS) - shown)[:20]
