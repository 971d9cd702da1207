"""No executable markup in any page, with hostile text in queries and inside indexed documents (R7)."""
import itertools
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
PAYLOADS = [w.format(b) for b, w in itertools.product(BASES, WRAPS)]          # 225, all different
PER_REPORT = len(WRAPS)           # report n carries PAYLOADS[9n:9n+9]: in its title, headings and text
EXECUTABLE = {"script", "iframe", "object", "embed", "svg", "math", "img", "video", "audio", "source", "body",
              "input", "details", "style", "base", "meta", "form", "button", "link"}


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    """An index whose reports carry payloads in the title, the headings and the text, each its own nine."""
    src = tmp_path_factory.mktemp("hostile")
    for n in range(len(BASES)):
        p = PAYLOADS[PER_REPORT * n:PER_REPORT * (n + 1)]
        (src / f"r{n}.txt").write_text(
            f"XX县人大常委会{p[0]}2020年工作报告\n各位代表：\n一、加强备案审查{p[1]}\n"
            f"坚持有件必备、有备必审、有错必纠，{p[2]}全年审查规范性文件{n}件。{p[3]}\n"
            f"二、{p[4]}加强监督工作\n常委会{p[5]}开展执法检查，听取审议专项工作报告{n}个。\n{p[6]}代表建议办理{n}件。\n"
            f"三、加强代表工作{p[7]}\n办理代表建议{n}件，{p[8]}满意率提高。\n", encoding="utf-8")
    ix = tmp_path_factory.mktemp("hostile_ix")
    report = ingest(ix, [src], workers=1)
    assert report.build and report.build.documents == len(BASES)
    return create_app({"INDEX_DIR": str(ix), "TESTING": True, "KWIC_HITS": 10}).test_client()


def _own(t) -> bool:
    """The app's own markup: the head, the page body, its script file, the trend chart and small multiples, the
    search, paste, year-range, facet and compare forms, the cite buttons, the folding filter panel and region
    tree."""
    if t.parent is not None and t.parent.name == "head" and t.name in ("meta", "link"):
        return True
    if t.name == "body":
        return t.parent is not None and t.parent.name == "html" and not t.attrs
    if t.name == "script":
        return t.get("src", "").startswith("/static/") and not t.string
    if t.name == "details":
        return "filters" in (t.get("class") or []) or (t.find_parent("ul", class_="tree") is not None
                                                       and t.find_parent("details", class_="filters") is not None)
    if t.name == "svg":
        return t.find_parent("figure", class_=("chart", "small")) is not None
    if t.name in ("form", "input", "button"):
        own_forms = {"paste", "years", "facet-form", "compare-form"}
        return (t.find_parent("header", class_="top") is not None or own_forms & set(t.get("class") or [])
                or any(t.find_parent("form", class_=c) is not None for c in own_forms)
                or "cite" in (t.get("class") or []))
    return False


def assert_inert(html: bytes, where: str) -> BeautifulSoup:
    """Parse the page and walk it once: no executable element but the app's own, no event handler, no
    javascript: address, nothing but text inside a <mark>."""
    page = BeautifulSoup(html, "html.parser")
    for tag in page.find_all(True):
        assert tag.name not in EXECUTABLE or _own(tag), (where, tag)
        assert not [a for a in tag.attrs if a.lower().startswith("on")], (where, tag)
        for attr in ("href", "src", "action", "data"):
            assert not str(tag.get(attr, "")).strip().lower().startswith("javascript:"), (where, tag)
        assert tag.name != "mark" or not tag.find(True), where
    return page


def test_payloads_in_queries_and_filters(hostile_client):
    assert len(set(PAYLOADS)) >= 200
    echoed = 0
    for p in PAYLOADS:
        q = quote(p)
        # a few hits per page: the payload is in the query; the reports' own payloads are the next test's
        for url in (f"/?q={q}&per_page=5", f"/?q={q}&per_page=5&strict=1", f"/?q=监督&region={q}&section={q}", f"/kwic?q={q}", f"/trends?q={q}",
                    f"/compare?q={q}&by=region&region={q}&region=XX县", f"/similar?text={q}&limit=5",
                    f"/doc/{q[:60]}", f"/?q=监督&year={q}"):
            r = hostile_client.get(url)
            assert r.status_code < 500, url
            page = assert_inert(r.data, url)
            echoed += any("<" in s.get_text() for s in page.select(".suggestions a"))
    assert echoed > 20          # zero-result suggestions echoed payloads, as text, and were checked


def test_payloads_inside_indexed_reports(hostile_client):
    """At least 200 different payloads are stored in the reports and shown, as text, where the reports are."""
    data = hostile_client.get("/api/search?q=监督&per_page=50").get_json()
    assert data["total"] > 0
    shown: set[str] = set()
    for doc_id in {h["doc_id"] for h in hostile_client.get("/api/search?q=有备必审&per_page=50").get_json()["hits"]}:
        n = int(hostile_client.get(f"/api/doc/{doc_id}").get_json()["source"][1:-len(".txt")])
        page = assert_inert(hostile_client.get(f"/doc/{doc_id}?q=监督").data, doc_id)
        shown |= {p for p in PAYLOADS[PER_REPORT * n:PER_REPORT * (n + 1)] if p in page.get_text()}
    assert len(shown) >= 200, len(shown)
    for h in data["hits"]:
        assert_inert(hostile_client.get(f"/similar?passage_id={h['passage_id']}").data, h["passage_id"])
    for q in ("备案审查", "监督", "有备必审", "script", "onerror", "javascript"):
        for url in (f"/?q={quote(q)}&per_page=50", f"/kwic?q={quote(q)}", f"/trends?q={quote(q)}&by=section",
                    f"/compare?q={quote(q)}&by=province&province=浙江省&province=四川省"):
            assert_inert(hostile_client.get(url).data, url)
