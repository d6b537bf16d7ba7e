"""DNS for the sending domains: the records to publish and the check of what is published."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import dns.resolver
from django.conf import settings
from django.utils import timezone

from ..dns_check import dns_check_host
from ..dns_records import dns_records_bind, dns_records_json
from ..selectors import sending_host_list


class DnsSetupError(ValueError):
    """The fleet cannot be published or checked as it is (e.g. a domain without a DKIM key)."""


def _hosts(*, tenant=None, names=None, require_keys=True):
    pairs = sending_host_list(tenant=tenant, names=names)
    if require_keys:
        missing = [domain.name for domain, _host in pairs if not domain.dkim_public_key]
        if missing:
            raise DnsSetupError(f"{len(missing)} sending domain(s) have no DKIM key yet (first: {missing[0]}); "
                                "run generate_dkim_keys first")
    return pairs


def dns_records_render(*, tenant=None, format: str = "bind", serial: int | None = None) -> dict[str, str]:
    """The DNS records of the fleet (or one brand's) as files: `{filename: text}`.

    `bind`: one zone file per sending base and per reverse /24 (`<zone>.zone`);
    `json`: one `dns-records.json` list of records."""
    hosts = [host for _domain, host in _hosts(tenant=tenant)]
    if format == "json":
        return {"dns-records.json": json.dumps(dns_records_json(hosts), indent=2) + "\n"}
    if format == "bind":
        return {f"{zone}.zone": text for zone, text in dns_records_bind(hosts, serial).items()}
    raise DnsSetupError(f"unknown format {format!r}: bind or json")


def nameserver_parse(value: str | None) -> tuple[str, int]:
    """`IP`, `IP:PORT` or `[IPv6]:PORT` -> (ip, port). Empty: DNS_NAMESERVER, else the system's first."""
    value = (value or settings.DNS_NAMESERVER or "").strip()
    if not value:
        return dns.resolver.Resolver().nameservers[0], 53
    if value.startswith("["):
        host, _, port = value[1:].partition("]")
        return host, int(port.lstrip(":") or 53)
    if value.count(":") == 1:
        host, port = value.split(":")
        return host, int(port)
    return value, 53


def sending_domain_dns_check(*, tenant=None, names=None, nameserver: str | None = None, timeout: float = 2.0,
                             progress=None, workers: int = 16):
    """Check the live DNS of the fleet's sending domains (all, one brand's, or by name)
    against `nameserver` (`IP[:PORT]`), store each result on its SendingDomain
    (`dns_status`, `dns_ok`, `dns_checked_at`) and return the results (dns_check.DnsCheckResult)."""
    host_ip, port = nameserver_parse(nameserver)
    pairs = _hosts(tenant=tenant, names=names, require_keys=False)
    progress = progress or (lambda iterable, **kwargs: iterable)
    results = []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(pairs) or 1))) as pool:
        checked = pool.map(lambda pair: dns_check_host(pair[1], nameserver=host_ip, port=port, timeout=timeout), pairs)
        for (domain, _host), result in progress(zip(pairs, checked), total=len(pairs), desc="DNS checks",
                                                unit="domain"):
            data = result.as_dict()
            domain.dns_status = data["checks"]
            domain.dns_ok = result.ok
            domain.dns_checked_at = timezone.now()
            domain.save(update_fields=["dns_status", "dns_ok", "dns_checked_at"])
            results.append(result)
    return results
