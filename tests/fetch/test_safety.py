"""The SSRF matrix (R10): every hostile URL is refused with a reason; public and local targets pass."""
from __future__ import annotations

import socket

import pytest

from indexer.fetch.safety import Unsafe, check_url

HOSTS = {"www.npc.gov.cn", "inward.example.cn", "mixed.example.cn", "127.0.0.1", "10.1.2.3", "172.16.0.9",
         "192.168.1.1", "169.254.169.254", "0.0.0.0", "::1", "::ffff:127.0.0.1", "fe80::1", "224.0.0.1",
         "100.64.0.1", "2002:7f00:1::", "fc00::1", "240.0.0.1", "255.255.255.255", "ff02::1", "::"}


def fake_dns(answers: dict[str, list[str]]):
    def resolve(host, port, *args, **kwargs):
        if host not in answers:
            raise socket.gaierror(f"no such host {host}")
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in answers[host]]
    return resolve


DNS = fake_dns({"www.npc.gov.cn": ["61.135.169.125"], "inward.example.cn": ["127.0.0.1"],
                "mixed.example.cn": ["61.135.169.125", "10.0.0.5"]})

HOSTILE = [
    ("http://127.0.0.1/", "loopback"),
    ("http://127.0.0.1:8080/admin", "loopback"),
    ("http://[::1]/", "loopback"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://[::]/", "unspecified"),
    ("http://10.1.2.3/", "private"),
    ("http://172.16.0.9/", "private"),
    ("http://192.168.1.1/", "private"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://[::ffff:127.0.0.1]/", "IPv4-mapped|loopback"),
    ("http://[2002:7f00:1::]/", "6to4"),
    ("http://[fc00::1]/", "private"),
    ("http://224.0.0.1/", "multicast"),
    ("http://[ff02::1]/", "multicast"),
    ("http://100.64.0.1/", "non-public|private"),
    ("http://240.0.0.1/", "reserved|private"),
    ("http://255.255.255.255/", "reserved|private"),
    ("http://2130706433/", "non-canonical IPv4"),
    ("http://0177.0.0.1/", "non-canonical IPv4"),
    ("http://0x7f.1/", "non-canonical IPv4"),
    ("http://0x7f000001/", "non-canonical IPv4"),
    ("http://inward.example.cn/report.html", "resolves to a loopback"),
    ("http://mixed.example.cn/report.html", "resolves to a private"),
    ("file:///etc/passwd", "scheme 'file'"),
    ("ftp://www.npc.gov.cn/report.txt", "scheme 'ftp'"),
    ("gopher://www.npc.gov.cn:70/_GET", "scheme 'gopher'"),
    ("data:text/html,<p>x</p>", "scheme 'data'"),
    ("javascript:alert(1)", "scheme 'javascript'"),
    ("//www.npc.gov.cn/npc/", "scheme 'none'"),
    ("http://evil@127.0.0.1/", "user-info"),
    ("http://www.npc.gov.cn@127.0.0.1/", "user-info"),
    ("http://user:pw@www.npc.gov.cn/", "user-info"),
    ("http://www.npc.gov.cn.evil.com/", "not named in the sources"),
    ("http://evil.com/?www.npc.gov.cn", "not named in the sources"),
    ("http://unknown-host.example.cn/", "not named in the sources"),
    ("http:///nohost", "no host"),
    ("http://www.npc.gov.cn:99999/", "malformed"),
    ("http://www.npc.gov.cn:6379/", "port 6379 .*not named in the sources"),
    ("https://www.npc.gov.cn:8443/npc/", "port 8443 .*not named in the sources"),
    ("http://www.npc.gov.cn:22/", "port 22 "),
]


@pytest.mark.parametrize("url, reason", HOSTILE, ids=[u for u, _ in HOSTILE])
def test_hostile_url_is_refused_with_a_reason(url, reason):
    with pytest.raises(Unsafe, match=reason) as info:
        check_url(url, HOSTS, resolver=DNS)
    assert str(info.value).strip()


def test_at_least_25_hostile_urls():
    assert len(HOSTILE) >= 25


def test_public_host_passes_with_the_checked_address_to_connect_to():
    target = check_url("https://WWW.NPC.GOV.CN./npc/c2/", HOSTS, resolver=DNS)
    assert (target.host, target.port, target.scheme, target.addresses) == \
        ("www.npc.gov.cn", 443, "https", ("61.135.169.125",))


def test_real_getaddrinfo_is_what_is_monkeypatched(monkeypatch):
    """The default resolver is socket.getaddrinfo as it is at call time, so an inward DNS answer is caught
    without passing a fake resolver."""
    monkeypatch.setattr(socket, "getaddrinfo", DNS)
    with pytest.raises(Unsafe, match="loopback"):
        check_url("http://inward.example.cn/", HOSTS)


def test_unresolvable_host_is_refused():
    with pytest.raises(Unsafe, match="cannot resolve"):
        check_url("http://inward.example.cn/", HOSTS, resolver=fake_dns({}))


def test_a_port_passes_only_with_the_host_the_sources_file_names_it_for():
    ports = {("www.npc.gov.cn", 8080)}
    assert check_url("http://www.npc.gov.cn:8080/a.html", HOSTS, ports, resolver=DNS).port == 8080
    assert check_url("https://www.npc.gov.cn:443/a.html", HOSTS, ports, resolver=DNS).port == 443
    assert check_url("http://www.npc.gov.cn/a.html", HOSTS, ports, resolver=DNS).port == 80
    for url in ("http://www.npc.gov.cn:8081/", "http://mixed.example.cn:8080/"):
        with pytest.raises(Unsafe, match="port 808[01]"):
            check_url(url, HOSTS, ports | {("mixed.example.cn", 9000)}, resolver=fake_dns(
                {"www.npc.gov.cn": ["61.135.169.125"], "mixed.example.cn": ["61.135.169.126"]}))


def test_allow_local_admits_loopback_and_any_port_but_still_only_its_hosts_and_schemes():
    assert check_url("http://127.0.0.1:8080/a.html", {"127.0.0.1"}, allow_local=True).addresses == ("127.0.0.1",)
    for url in ("http://localhost:8080/", "ftp://127.0.0.1/", "http://2130706433/"):
        with pytest.raises(Unsafe):
            check_url(url, {"127.0.0.1"}, allow_local=True)


def test_r10_no_hostile_url_is_fetched_and_every_refusal_says_why(monkeypatch):
    """R10's figures: each hostile URL through the fetcher itself, behind the same guard, with every socket
    connection recorded (the two redirect cases, to 127.0.0.1 and to ftp:, are in test_fetch.py)."""
    from indexer.fetch.http import Limits, fetch
    connections = []
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: connections.append(address))
    limits = Limits(connect_timeout_s=1.0, read_timeout_s=1.0, total_timeout_s=1.0, max_bytes=1000,
                    max_redirects=5, user_agent="lrsearch-test/0.1")
    answers = [fetch(url, lambda u: check_url(u, HOSTS, resolver=DNS), limits) for url, _ in HOSTILE]
    unexplained = [a.url for a in answers if a.error != "unsafe" or not (a.detail or "").strip()]
    print(f"\nR10: {len(HOSTILE)} hostile URLs: fetched {len(connections)}; refused without a reason "
          f"{len(unexplained)}")
    assert connections == [] and unexplained == []
    assert all(a.status is None or a.status == 0 for a in answers)
