"""Where a webhook may be sent: public addresses only, checked after DNS resolution.

Private, loopback, link-local, shared (carrier-grade NAT), multicast and reserved addresses
are refused, as is an address a name resolves to among others that are refused (a name
cannot smuggle one in). `PALIER_WEBHOOKS_ALLOW_PRIVATE` lets a desk post to its own network;
the cloud metadata addresses stay refused whatever it says. The connection then goes to the
address that was checked, so a second DNS answer cannot change it (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from palier.lib.errors import DomainError

METADATA = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack
    ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
    ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    ipaddress.ip_address("192.0.0.192"),  # Oracle Cloud
}


# IPv6 ranges that carry an IPv4 address a gateway or the kernel connects to: the address
# is checked as that IPv4 one (Python calls 64:ff9b::7f00:1 global, yet it reaches
# 127.0.0.1 through a NAT64 gateway).
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052, well-known prefix
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215, never global
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated, still routed by some stacks
SIIT = ipaddress.ip_network("::ffff:0:0:0/96")  # RFC 2765 IPv4-translated


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one reaches, when it carries one."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if any(ip in net for net in (NAT64, SIIT)) or (ip in IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


class AddressRefused(DomainError):
    code = "webhook_address_refused"
    status = 422


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str  # as written, for the Host header and TLS
    port: int
    path: str
    address: str  # the checked IP the connection goes to


def allow_private() -> bool:
    return bool(getattr(settings, "PALIER_WEBHOOKS_ALLOW_PRIVATE", False))


def check_ip(text: str) -> None:
    ip = ipaddress.ip_address(text.split("%", 1)[0])
    private = not ip.is_global
    if isinstance(ip, ipaddress.IPv6Address):
        private = private or ip in NAT64_LOCAL
        ip = embedded_ipv4(ip) or ip
        private = private or not ip.is_global
    if ip in METADATA:
        raise AddressRefused(_("Cloud metadata addresses are never allowed."))
    if private and not allow_private():
        raise AddressRefused(
            _("%(ip)s is a private, loopback or reserved address: webhooks go to public addresses.")
            % {"ip": ip}
        )


def parse(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused(_("A webhook address starts with https:// (or http://) and a host."))
    if parts.username or parts.password:
        raise AddressRefused(_("A webhook address carries no user name or password."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise AddressRefused(_("The port is not a number from 1 to 65535.")) from exc
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, path


def check_url_shape(url: str) -> None:
    """What can be checked without DNS when a webhook is saved: the form, and a literal
    address (in any form the resolver reads as one: 127.1, 2130706433, 0x7f.1)."""
    _scheme, host, _port, _path = parse(url)
    name = host.lower().rstrip(".")
    if name in ("localhost", "localhost.localdomain") or name.endswith(".localhost"):
        check_ip("127.0.0.1")
        return
    try:
        check_ip(host)
        return
    except ValueError:
        pass
    try:  # the numeric forms inet_aton reads (and getaddrinfo with them)
        numeric = socket.inet_ntoa(socket.inet_aton(name))
    except (OSError, UnicodeError, ValueError):
        return  # a name: checked after resolution, when each delivery is sent
    check_ip(numeric)


def resolve(url: str) -> Destination:
    """The destination of a delivery, every address of its host checked."""
    scheme, host, port, path = parse(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OSError(f"cannot resolve {host}: {exc}") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise OSError(f"no address for {host}")
    for address in addresses:
        check_ip(address)
    return Destination(scheme, host, port, path, addresses[0])
