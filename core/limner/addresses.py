"""Whether an address is public, and the public address a host name resolves to: the check
limner makes before it connects to a URL someone else named (an input image, a result link, a
job's polling URL), so that no name reaches a private, loopback or link-local address. Also
whether a host is this machine's loopback."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket

__all__ = ["PrivateAddressError", "is_loopback_host", "is_public", "public_address"]


class PrivateAddressError(Exception):
    """A host name resolved to a private or local ``address``."""

    def __init__(self, address: str) -> None:
        super().__init__(address)
        self.address = address


async def public_address(host: str, port: int) -> str:
    """The address to connect to for ``host``: the first it resolves to, once every address it
    resolves to is found public. Raises :class:`PrivateAddressError` otherwise,
    ``UnicodeError`` for a name that cannot be one, and ``OSError`` when it does not resolve:
    the caller must not connect then, or the name would be resolved again (DNS rebinding). An
    international name is looked up in the ASCII form the request sends (IDNA 2008, as in its
    Host header), not in Python's older one (``faß.de`` is ``xn--fa-hia.de``, not ``fass.de``)."""
    from yarl import URL

    with contextlib.suppress(ValueError):  # not a name yarl can encode: the lookup says why
        host = URL.build(scheme="https", host=host).raw_host or host
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    for info in infos:
        if not is_public(ipaddress.ip_address(info[4][0])):
            raise PrivateAddressError(str(info[4][0]))
    if not infos:
        raise OSError(f"{host} resolves to no address")
    return str(infos[0][4][0])


# IPv6 ranges whose last 32 bits are an IPv4 address: NAT64's well-known prefix (RFC 6052) and
# SIIT's IPv4-translated addresses (RFC 2765)
_CARRY_IPV4 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("::ffff:0:0:0/96"))
# NAT64's local-use prefix (RFC 8215): the IPv4 address sits where the operator chose; local
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether ``address`` is public, and so is any IPv4 address an IPv6 one carries (mapped,
    6to4, NAT64, SIIT, IPv4-compatible), which Python's ``is_global`` does not look into:
    through them ``64:ff9b::a9fe:a9fe`` reaches 169.254.169.254."""
    if not address.is_global or address.is_multicast:  # Python 3.11 calls multicast global
        return False
    if isinstance(address, ipaddress.IPv6Address):
        if address.is_site_local or address in _LOCAL_NAT64:  # fec0::/10: routed inside sites
            return False
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and (
            any(address in carrier for carrier in _CARRY_IPV4) or int(address) < 2**32
        ):
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None and not inner.is_global:
            return False
    return True


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` (a name or an address, IPv6 without brackets) is this machine's
    loopback: ``localhost``, 127.0.0.0/8 or ``::1``."""
    host = host.lower().removesuffix(".")  # (``localhost.``: the same name, fully qualified)
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1 is 127.0.0.1
    return (mapped or address).is_loopback
