"""Decide whether the crawler may connect to a URL: scheme, host allow-list, port, and where the name resolves.

Guarantee: a URL passes only if its scheme is http or https, it has no user-info, its host is one the
sources file names, *every* address the host resolves to is a public unicast address, and its port is 80 or
443 or one the sources file names for that very host (a start URL or a ``hosts`` entry written
``host:port``), so an allowed name cannot be used to reach its other services (SSH, Redis, an admin console).
Only ``lrsearch crawl --allow-local`` lifts the address and port rules (test servers on loopback and
ephemeral ports, private deployments); a sources file cannot. Legacy IPv4 spellings (``2130706433``,
``0177.0.0.1``, ``0x7f.1``) are refused outright, since libc would read them as loopback. The addresses that
passed are returned so that the fetcher connects to exactly those (no second lookup, so a rebinding DNS answer
cannot slip in between).
Risk left open: a public address that forwards to an internal one (a proxy we do not know about).
"""
from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Collection
from dataclasses import dataclass
from urllib.parse import urlsplit

SCHEMES = {"http": 80, "https": 443}
WEB_PORTS = frozenset(SCHEMES.values())      # open to every allowed host, whatever the scheme

Resolver = Callable[..., list]


class Unsafe(ValueError):
    """A URL the crawler must not fetch; the message is the recorded reason."""


@dataclass(frozen=True)
class Target:
    """A URL that passed the checks, with the addresses that were checked (connect to these only)."""
    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]


def normalize_host(host: str) -> str:
    """Lower-case, strip a trailing dot, and IDNA-encode a host name (so 人大.cn and xn--… compare equal)."""
    host = host.strip().rstrip(".").lower()
    if host.startswith("[") and host.endswith("]"):
        return host[1:-1]
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise Unsafe(f"bad host name {host!r}") from exc


def _is_legacy_ipv4(host: str) -> bool:
    """True for spellings inet_aton accepts but that are not dotted-quad decimal: 2130706433, 0x7f.1, 0177.0.0.1."""
    try:
        socket.inet_aton(host)
    except OSError:
        return False
    try:
        ipaddress.IPv4Address(host)
        return False
    except ValueError:
        return True


def address_problem(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address is not a public unicast one, or None when it is."""
    if isinstance(ip, ipaddress.IPv6Address):
        for embedded, how in ((ip.ipv4_mapped, "IPv4-mapped"), (ip.sixtofour, "6to4"),
                              (ip.teredo[1] if ip.teredo else None, "Teredo")):
            if embedded is not None and (why := address_problem(embedded)):
                return f"{how} {why}"
    for flag in ("loopback", "unspecified", "link_local", "multicast", "private", "reserved"):
        if getattr(ip, f"is_{flag}"):
            return f"{flag.replace('_', '-')} address {ip}"
    if not ip.is_global:
        return f"non-public address {ip}"
    return None


def check_url(url: str, hosts: Collection[str], ports: Collection[tuple[str, int]] = (), *,
              allow_local: bool = False, resolver: Resolver | None = None) -> Target:
    """Check ``url`` and resolve its host; return the target with the addresses to connect to.

    :param hosts: normalised host names the sources file allows.
    :param ports: (normalised host, port) pairs the sources file names besides 80 and 443.
    :param allow_local: accept loopback and private addresses and any port (``lrsearch crawl --allow-local``).
    :param resolver: ``socket.getaddrinfo`` unless given, looked up at each call.
    :raises Unsafe: with the reason, for every refusal.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Unsafe(f"malformed URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise Unsafe(f"scheme {scheme or 'none'!r} is not http or https")
    if "@" in parts.netloc:
        raise Unsafe("user-info in the URL (user@host tricks are refused)")
    if not parts.hostname:
        raise Unsafe("no host in the URL")
    host = normalize_host(parts.hostname)
    if _is_legacy_ipv4(host):
        raise Unsafe(f"non-canonical IPv4 literal {host!r}")
    if host not in hosts:
        raise Unsafe(f"host {host} is not named in the sources file")
    port = port or SCHEMES[scheme]
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = (resolver or socket.getaddrinfo)(host, port, type=socket.SOCK_STREAM)   # looked up now
        except (OSError, UnicodeError) as exc:
            raise Unsafe(f"cannot resolve {host}: {exc}") from exc
        addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))
        if not addresses:
            raise Unsafe(f"{host} resolves to no address")
    if not allow_local:
        for ip in addresses:
            if (why := address_problem(ip)):
                raise Unsafe(f"{host} resolves to a {why}" if literal is None else why)
        if port not in WEB_PORTS and (host, port) not in ports:
            raise Unsafe(f"port {port} of {host} is not 80 or 443 and not named in the sources file "
                         "(as the port of a start URL or in a hosts entry written host:port)")
    return Target(url=url, scheme=scheme, host=host, port=port, addresses=tuple(str(ip) for ip in addresses))
