"""Where a webhook may be sent: public addresses only, checked after DNS resolution.

Why: a webhook URL is chosen by a user, and Centric's server sends to it. Without this
check a URL could reach the cloud metadata service (169.254.169.254), the database or
an admin page on the private network (SSRF). The host is resolved once, every address
it resolves to is checked, and the request then connects to the checked address (Host
header and TLS SNI keep the name), so a second DNS answer cannot swap it (DNS
rebinding). Redirects are never followed. Hosts an admin names in
``CENTRIC_WEBHOOK_ALLOWED_HOSTS`` skip the address check.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import urlsplit, urlunsplit

import httpx

from centric.errors import Invalid

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_DEFAULT_PORTS = {"http": 80, "https": 443}


class UnsafeTarget(Invalid):
    """The URL resolves to an address webhooks may not reach."""


@dataclass(frozen=True)
class Target:
    """A webhook URL with the one address it was checked at."""

    scheme: str
    host: str
    port: int
    path: str
    address: str
    userinfo: str = ""  # ``user:password@`` of the URL, sent as Basic auth as before

    @property
    def pinned_url(self) -> str:
        """The URL with the checked address in place of the host name."""
        host = f"[{self.address}]" if ":" in self.address else self.address
        return urlunsplit((self.scheme, f"{self.userinfo}{host}:{self.port}", self.path, "", ""))

    @property
    def host_header(self) -> str:
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == _DEFAULT_PORTS[self.scheme] else f"{name}:{self.port}"


def forbidden_kind(address: IPAddress) -> str | None:
    """Why ``address`` may not be reached (``"loopback"``, ``"private"``…), or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for kind, flag in (("loopback", address.is_loopback), ("link-local", address.is_link_local),
                       ("multicast", address.is_multicast), ("unspecified", address.is_unspecified),
                       ("private", address.is_private), ("reserved", address.is_reserved),
                       ("non-public", not address.is_global)):
        if flag:
            return kind
    return None


def resolve_target(url: str, allowed_hosts: frozenset[str]) -> Target:
    """Resolve ``url``'s host once and check every address; raises :class:`UnsafeTarget` or :class:`Invalid`."""
    try:
        parts = urlsplit(url)
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme, 0)
    except ValueError:
        raise Invalid("the URL is malformed", field="url") from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in _DEFAULT_PORTS or not host:
        raise Invalid("the URL must start with http:// or https:// and name a host", field="url")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Invalid(f"cannot resolve {host}: {exc}", field="url") from None
    addresses = list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos))
    if not addresses:
        raise Invalid(f"cannot resolve {host}", field="url")
    if host not in allowed_hosts:
        for address in addresses:
            kind = forbidden_kind(address)
            if kind:
                raise UnsafeTarget(
                    f"{host} resolves to {address}, a {kind} address: webhooks only reach public addresses "
                    "(an admin may allow a host with CENTRIC_WEBHOOK_ALLOWED_HOSTS)", field="url")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    userinfo = parts.netloc.rpartition("@")[0] + "@" if "@" in parts.netloc else ""
    return Target(parts.scheme, host, port, path, str(addresses[0]), userinfo)


def post(target: Target, body: bytes, headers: dict[str, str], timeout_s: float) -> httpx.Response:
    """POST to the checked address; never follows redirects, ignores proxy variables."""
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    with httpx.Client(timeout=timeout_s, follow_redirects=False, trust_env=False) as client:
        return client.post(target.pinned_url, content=body, headers={**headers, "Host": target.host_header},
                           extensions=extensions)


def outcome_of(code: int) -> str | None:
    """None for a 2xx answer, else a short reason; the target's body is never kept."""
    if 200 <= code < 300:
        return None
    try:
        phrase = HTTPStatus(code).phrase
    except ValueError:
        phrase = "unknown status"
    if 300 <= code < 400:
        return f"HTTP {code} {phrase}: redirects are not followed"
    return f"HTTP {code} {phrase}"
