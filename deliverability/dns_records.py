"""The DNS records each sending domain needs, as data, BIND zone files or JSON.

Input is a list of :class:`SendingHost` (one per sending IP and its domain); the
caller builds them from the ``IPAddress``/``SendingDomain`` models. Output:

* forward records, in the zone of the host's sending base (``sos-mail.com``):
  ``A``, SPF ``TXT``, DKIM ``TXT`` at ``<selector>._domainkey.<domain>`` and DMARC
  ``TXT`` at ``_dmarc.<domain>``;
* reverse records, in the ``/24`` zone of the IP (``10.123.45.in-addr.arpa``): ``PTR``.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from deliverability.dkim import dkim_txt_value, txt_split

DEFAULT_TTL = 3600

# Placeholders written in the SOA/NS lines of generated zones. They end in the reserved
# ``.invalid`` TLD so that a zone loaded without editing them fails loudly instead of
# pointing at someone else's nameserver. Pass ``nameservers=`` and ``hostmaster=`` to
# dns_records_bind() to write real values.
NAMESERVER_PLACEHOLDERS = ("ns1.replace-me.invalid", "ns2.replace-me.invalid")
HOSTMASTER_PLACEHOLDER = "hostmaster.replace-me.invalid"


@dataclass(frozen=True)
class SendingHost:
    """One sending IP with its sending domain, as DNS sees it.

    ``domain``: the sending domain (``mail1.sos-mail.com``); ``ip``: its IPv4 address;
    ``dkim_selector``: usually ``default``; ``dkim_public_b64``: the ``p=`` value;
    ``brand_domain``: the brand's own domain, for the DMARC report address
    (``sos-expat.com``); ``sending_base``: the zone the domain lives in (``sos-mail.com``).
    """

    domain: str
    ip: str
    dkim_selector: str
    dkim_public_b64: str
    brand_domain: str
    sending_base: str

    def __post_init__(self) -> None:
        for name in ("domain", "brand_domain", "sending_base", "dkim_selector"):
            object.__setattr__(self, name, _normalize_name(getattr(self, name)))
        address = ipaddress.ip_address(self.ip)  # ValueError on junk
        if address.version != 4:
            raise ValueError(f"only IPv4 sending IPs are supported, got {self.ip}")
        object.__setattr__(self, "ip", str(address))
        if not _is_within(self.domain, self.sending_base):
            raise ValueError(f"{self.domain} is not inside its sending base {self.sending_base}")

    @property
    def spf_value(self) -> str:
        return f"v=spf1 ip4:{self.ip} -all"

    @property
    def dkim_name(self) -> str:
        return f"{self.dkim_selector}._domainkey.{self.domain}"

    @property
    def dkim_value(self) -> str:
        return dkim_txt_value(self.dkim_public_b64)

    @property
    def dmarc_name(self) -> str:
        return f"_dmarc.{self.domain}"

    @property
    def dmarc_value(self) -> str:
        return f"v=DMARC1; p=quarantine; rua=mailto:dmarc@{self.brand_domain}"

    @property
    def reverse_name(self) -> str:
        return ipaddress.ip_address(self.ip).reverse_pointer

    @property
    def reverse_zone(self) -> str:
        return self.reverse_name.split(".", 1)[1]


@dataclass(frozen=True)
class DnsRecord:
    """One resource record.

    ``name`` is the absolute owner name without the trailing dot, ``zone`` the zone it
    belongs to. ``value`` is the whole value (for PTR a host name without trailing dot,
    for TXT the unsplit text); ``strings`` holds a TXT value split into the 255-byte
    character-strings it is published as (empty for other types).
    """

    zone: str
    name: str
    type: str
    value: str
    ttl: int = DEFAULT_TTL
    strings: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict:
        data = {"zone": self.zone, "name": self.name, "type": self.type, "ttl": self.ttl, "value": self.value}
        if self.type == "TXT":
            data["strings"] = list(self.strings)
        return data


def dns_records_build(hosts, *, ttl: int = DEFAULT_TTL) -> list[DnsRecord]:
    """All records for ``hosts``, ordered by zone, then IP, then A/SPF/DKIM/DMARC/PTR.

    Raises ``ValueError`` if two hosts claim the same domain or the same IP.
    """
    hosts = _sorted_unique(hosts)
    records: list[DnsRecord] = []
    for host in hosts:
        zone = host.sending_base
        records.append(DnsRecord(zone, host.domain, "A", host.ip, ttl))
        records.append(_txt(zone, host.domain, host.spf_value, ttl))
        records.append(_txt(zone, host.dkim_name, host.dkim_value, ttl))
        records.append(_txt(zone, host.dmarc_name, host.dmarc_value, ttl))
    for host in hosts:
        records.append(DnsRecord(host.reverse_zone, host.reverse_name, "PTR", host.domain, ttl))
    return sorted(records, key=_record_order)


def dns_records_json(hosts, *, ttl: int = DEFAULT_TTL) -> list[dict]:
    """The records of :func:`dns_records_build` as JSON-ready dicts."""
    return [record.as_dict() for record in dns_records_build(hosts, ttl=ttl)]


def dns_records_bind(
    hosts,
    serial: int | None = None,
    *,
    ttl: int = DEFAULT_TTL,
    nameservers: tuple[str, ...] = NAMESERVER_PLACEHOLDERS,
    hostmaster: str = HOSTMASTER_PLACEHOLDER,
) -> dict[str, str]:
    """BIND zone files: ``{zone_name: zone_text}``, one forward zone per sending base
    and one reverse zone per /24, keys and records in a stable order.

    ``serial`` defaults to today's UTC date as ``YYYYMMDD01``; pass one explicitly for
    byte-identical output across days. ``nameservers`` and ``hostmaster`` fill the SOA
    and NS lines (see ``NAMESERVER_PLACEHOLDERS``).
    """
    if serial is None:
        serial = int(datetime.now(timezone.utc).strftime("%Y%m%d")) * 100 + 1
    if not 0 < serial < 2**32:
        raise ValueError(f"SOA serial must fit in 32 bits, got {serial}")
    if not nameservers:
        raise ValueError("at least one nameserver is required")
    by_zone: dict[str, list[DnsRecord]] = {}
    for record in dns_records_build(hosts, ttl=ttl):
        by_zone.setdefault(record.zone, []).append(record)
    zones = {}
    for zone in sorted(by_zone, key=_zone_order):
        zones[zone] = _zone_text(zone, by_zone[zone], serial=serial, ttl=ttl,
                                 nameservers=nameservers, hostmaster=hostmaster)
    return zones


def _zone_text(zone, records, *, serial, ttl, nameservers, hostmaster) -> str:
    ns_names = [_normalize_name(ns) for ns in nameservers]
    lines = [f"; Zone {zone}, generated by Email Engine (generate_dns_records)."]
    if any(name.endswith(".invalid") for name in [*ns_names, _normalize_name(hostmaster)]):
        lines.append("; Replace the placeholder (.invalid) names in the SOA and NS lines before loading.")
    lines += [
        "; Raise the serial each time the zone changes.",
        f"$ORIGIN {zone}.",
        f"$TTL {ttl}",
        f"@\tIN\tSOA\t{ns_names[0]}. {_normalize_name(hostmaster)}. (",
        f"\t\t{serial}\t; serial",
        "\t\t3600\t\t; refresh",
        "\t\t900\t\t; retry",
        "\t\t1209600\t\t; expire",
        "\t\t300 )\t\t; negative-caching TTL",
    ]
    lines += [f"@\tIN\tNS\t{ns}." for ns in ns_names]
    lines.append("")
    for record in records:
        owner = _relative(record.name, zone)
        if record.type == "TXT":
            rdata = " ".join(_quote(s) for s in record.strings)
            if len(record.strings) > 1:
                rdata = f"( {rdata} )"
        elif record.type == "PTR":
            rdata = f"{record.value}."
        else:
            rdata = record.value
        lines.append(f"{owner}\t{record.ttl}\tIN\t{record.type}\t{rdata}")
    return "\n".join(lines) + "\n"


def _txt(zone: str, name: str, value: str, ttl: int) -> DnsRecord:
    return DnsRecord(zone, name, "TXT", value, ttl, tuple(txt_split(value)))


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _relative(name: str, zone: str) -> str:
    return "@" if name == zone else name[: -(len(zone) + 1)]


def _normalize_name(name: str) -> str:
    name = str(name).strip().rstrip(".").lower()
    if not name or any(c.isspace() for c in name) or any(c in name for c in '";()\\'):
        raise ValueError(f"not a valid DNS name: {name!r}")
    return name


def _is_within(name: str, zone: str) -> bool:
    return name == zone or name.endswith("." + zone)


def _sorted_unique(hosts) -> list[SendingHost]:
    hosts = sorted(hosts, key=lambda h: (h.sending_base, ipaddress.ip_address(h.ip), h.domain))
    seen_domains: set[str] = set()
    seen_ips: set[str] = set()
    for host in hosts:
        if host.domain in seen_domains:
            raise ValueError(f"domain {host.domain} appears twice")
        if host.ip in seen_ips:
            raise ValueError(f"IP {host.ip} appears twice")
        seen_domains.add(host.domain)
        seen_ips.add(host.ip)
    return hosts


_TYPE_ORDER = {"A": 0, "TXT": 1, "PTR": 2}


def _zone_order(zone: str):
    reverse = zone.endswith(".in-addr.arpa")
    if reverse:
        octets = tuple(int(p) for p in reversed(zone[: -len(".in-addr.arpa")].split(".")))
        return (1, octets, zone)
    return (0, (), zone)


def _record_order(record: DnsRecord):
    if record.type == "PTR":
        position = (ipaddress.ip_address(".".join(reversed(record.name.split(".")[:4]))),)
        return (_zone_order(record.zone), position, 0, "")
    # Forward records: group by the sending domain, A first, then SPF, DKIM, DMARC.
    if record.name.startswith("_dmarc."):
        domain, rank = record.name[len("_dmarc."):], 3
    elif "._domainkey." in record.name:
        domain, rank = record.name.split("._domainkey.", 1)[1], 2
    else:
        domain, rank = record.name, _TYPE_ORDER[record.type]
    return (_zone_order(record.zone), (_natural(domain),), rank, record.name)


def _natural(name: str):
    """mail2 before mail10: compare digit runs as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"(\d+)", name) if part)
