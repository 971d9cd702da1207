"""The sources file cannot widen the SSRF guard: local targets and short delays come only from the command line,
and a port other than 80/443 only from the site's own host:port entries."""
from __future__ import annotations

from pathlib import Path

import pytest

from indexer.fetch.sources import SourcesError, load_sources


def sources(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text("\n".join(['[[sites]]', 'name = "x"', 'allow = ["/"]', 'article = ["/a/"]', *lines]) + "\n",
                    encoding="utf-8")
    return path


def test_the_local_key_is_refused_and_names_the_command_line_flag(tmp_path):
    path = sources(tmp_path, 'start_urls = ["http://127.0.0.1:8080/"]', "local = true")
    for allow_local in (False, True):
        with pytest.raises(SourcesError, match="site 'x': 'local' is not a sources-file key") as info:
            load_sources(path, allow_local=allow_local)
        assert "lrsearch crawl --allow-local" in str(info.value)


def test_a_delay_under_the_floor_needs_allow_local(tmp_path):
    path = sources(tmp_path, 'start_urls = ["http://127.0.0.1:8080/"]', "delay_s = 0.1")
    with pytest.raises(SourcesError, match="'delay_s' 0.1 is below the 1 s politeness floor.*--allow-local"):
        load_sources(path)
    site = load_sources(path, allow_local=True)[0]
    assert site.delay_s == 0.1 and site.allow_local


def test_a_site_is_never_local_unless_the_caller_says_so(tmp_path):
    path = sources(tmp_path, 'start_urls = ["https://www.npc.gov.cn/"]')
    assert not load_sources(path)[0].allow_local and load_sources(path, allow_local=True)[0].allow_local


def test_ports_named_by_start_urls_and_hosts_entries(tmp_path):
    path = sources(tmp_path, 'start_urls = ["https://www.npc.gov.cn:8443/npc/", "http://rd.gd.cn/"]',
                   'hosts = ["files.npc.gov.cn:8080", "WWW.RD.GD.CN", "[2001:db8::1]:81", "2001:db8::2", "人大.cn:82"]')
    site = load_sources(path)[0]
    assert site.hosts == {"www.npc.gov.cn", "rd.gd.cn", "files.npc.gov.cn", "www.rd.gd.cn", "2001:db8::1",
                          "2001:db8::2", "xn--gmqz7w.cn"}
    assert site.ports == {("www.npc.gov.cn", 8443), ("files.npc.gov.cn", 8080), ("2001:db8::1", 81),
                          ("xn--gmqz7w.cn", 82)}


@pytest.mark.parametrize("entry", ["files.npc.gov.cn/path", "files.npc.gov.cn:http", "user@files.npc.gov.cn",
                                   "files.npc.gov.cn:0", ":8080"])
def test_a_hosts_entry_is_a_host_with_an_optional_port(tmp_path, entry):
    path = sources(tmp_path, 'start_urls = ["https://www.npc.gov.cn/"]', f'hosts = ["{entry}"]')
    with pytest.raises(SourcesError, match=f"site 'x': 'hosts' entry '{entry}' is not a host name or host:port"):
        load_sources(path)


def _bare(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "bare.toml"
    path.write_text("\n".join(['[[sites]]', 'name = "gd"', 'start_urls = ["https://www.rd.gd.cn/"]', *lines]) + "\n",
                    encoding="utf-8")
    return path


def test_a_site_with_only_its_home_page_is_discovered_and_says_what_the_registry_knows(tmp_path):
    site = load_sources(_bare(tmp_path, "checked = false", "last_checked = 2026-12-04", 'note = "广东省人大常委会"'))[0]
    assert site.discover and not site.allow and not site.article
    assert (site.checked, site.last_checked, site.note) == (False, "2026-12-04", "广东省人大常委会")
    assert not load_sources(sources(tmp_path, 'start_urls = ["https://www.npc.gov.cn/"]'))[0].discover


@pytest.mark.parametrize("lines, message", [
    (['allow = ["/list/"]'], "give both 'allow' and 'article'"),
    (['article = ["/a/"]'], "give both 'allow' and 'article'"),
    (['checked = "yes"'], "'checked' must be true or false"),
    (['last_checked = "last week"'], "'last_checked' must be a date"),
    (["note = 3"], "'note' must be text"),
])
def test_registry_keys_and_half_rules_are_refused_with_the_reason(tmp_path, lines, message):
    with pytest.raises(SourcesError, match=f"site 'gd': {message}"):
        load_sources(_bare(tmp_path, *lines))


def test_a_site_owns_its_hosts_on_the_ports_it_names_and_80_or_443_otherwise(tmp_path):
    path = tmp_path / "two.toml"
    path.write_text('[[sites]]\nname = "local"\nstart_urls = ["http://127.0.0.1:8001/"]\n\n'
                    '[[sites]]\nname = "gd"\nstart_urls = ["https://www.rd.gd.cn/"]\nhosts = ["files.rd.gd.cn:8080"]\n',
                    encoding="utf-8")
    local, gd = load_sources(path, allow_local=True)
    assert local.owns("http://127.0.0.1:8001/a.html")
    assert not local.owns("http://127.0.0.1:8002/a.html") and not local.owns("http://127.0.0.1/a.html")
    assert gd.owns("http://www.rd.gd.cn/a.html") and gd.owns("https://www.rd.gd.cn/a.html")
    assert gd.owns("http://files.rd.gd.cn:8080/f.pdf") and not gd.owns("http://files.rd.gd.cn/f.pdf")
    assert not gd.owns("https://www.rd.gd.cn:8443/") and not gd.owns("https://rd.gd.cn/") and not gd.owns("http://[x")
