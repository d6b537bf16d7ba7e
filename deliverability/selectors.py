"""Reads of the fleet: sending hosts for DNS, the fleet overview and an IP's warmup history."""
from __future__ import annotations

from datetime import date as date_type
from datetime import timedelta
from decimal import Decimal

from .dns_records import SendingHost
from .models import IPAddress, IPDailyStats, SendingDomain, WarmupDecision
from .pmta_config import PmtaBrand, PmtaIP


class FleetIndex:
    """Which fleet IP (and brand) an accounting record was sent from: its VMTA, else its source
    address. One rule for the IP figures and for the campaign events."""

    def __init__(self):
        self.by_vmta, self.by_address = {}, {}
        for ip_id, vmta, address, tenant_id in IPAddress.objects.values_list("id", "vmta_name", "address", "tenant_id"):
            self.by_vmta[vmta] = self.by_address[address] = (ip_id, tenant_id)

    def ip_of(self, record):
        """(ip_id, tenant_id) of the record's sending IP, or None when it is not in the fleet."""
        return self.by_vmta.get(record.vmta) or self.by_address.get(record.dlv_source_ip)


def sending_domain_list(*, tenant=None, names=None):
    """Sending domains (with their IP and brand), optionally of one brand or by name."""
    domains = SendingDomain.objects.select_related("tenant", "ip_address").order_by("tenant_id", "name")
    if tenant is not None:
        domains = domains.filter(tenant=tenant)
    if names:
        domains = domains.filter(name__in=[name.strip().rstrip(".").lower() for name in names])
    return domains


def sending_host_for(domain: SendingDomain) -> SendingHost | None:
    """The DNS view of a sending domain; None when no IP uses it."""
    try:
        ip = domain.ip_address
    except IPAddress.DoesNotExist:
        return None
    return SendingHost(
        domain=domain.name, ip=ip.address, dkim_selector=domain.dkim_selector,
        dkim_public_b64=domain.dkim_public_key, brand_domain=domain.tenant.brand_domain,
        sending_base=domain.tenant.sending_domain_base,
    )


def sending_host_list(*, tenant=None, names=None) -> list[tuple[SendingDomain, SendingHost]]:
    pairs = [(domain, sending_host_for(domain)) for domain in sending_domain_list(tenant=tenant, names=names)]
    return [(domain, host) for domain, host in pairs if host is not None]


def pmta_fleet() -> tuple[list[PmtaBrand], list[PmtaIP]]:
    """Brands and IPs as the PowerMTA config renderer wants them."""
    from tenants.models import Tenant

    brands = [PmtaBrand(slug=slug) for slug in Tenant.objects.order_by("slug").values_list("slug", flat=True)]
    ips = [
        PmtaIP(address=ip.address, vmta_name=ip.vmta_name, domain=ip.sending_domain.name,
               dkim_selector=ip.sending_domain.dkim_selector, state=ip.state, quota_today=ip.quota_today,
               tenant_slug=ip.tenant.slug)
        for ip in IPAddress.objects.select_related("tenant", "sending_domain").order_by("id")
    ]
    return brands, ips


def rate_percent(part, whole):
    """part / whole in percent, to 2 decimals; None when nothing was sent."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"))


def fleet_overview(*, tenant, today: date_type):
    """One row per IP of the brand, by state then address: the IP, its domain's DNS status,
    quota used today and yesterday's sent, hard-bounce and complaint rates (percent)."""
    yesterday = today - timedelta(days=1)
    ips = list(IPAddress.objects.filter(tenant=tenant).select_related("sending_domain"))
    stats = {row.ip_id: row for row in IPDailyStats.objects.filter(ip__tenant=tenant, date=yesterday)}
    order = {"active": 0, "warmup": 1, "standby": 2, "paused": 3, "retired": 4}
    rows = []
    for ip in sorted(ips, key=lambda ip: (order.get(ip.state, 9), tuple(int(p) for p in ip.address.split(".")))):
        day_stats = stats.get(ip.id)
        current = ip.quota_date == today
        rows.append({
            "ip": ip,
            "quota_today": ip.quota_today if current else None,
            "sent_today": ip.sent_today if current else 0,
            "sent_yesterday": day_stats.sent if day_stats else 0,
            "bounce_rate_yesterday": rate_percent(day_stats.hard_bounces, day_stats.sent) if day_stats else None,
            "complaint_rate_yesterday": rate_percent(day_stats.complaints, day_stats.sent) if day_stats else None,
            "dns_ok": ip.sending_domain.dns_ok,
        })
    return rows


def ip_warmup_history(*, ip, days: int = 60):
    """`(stats, decisions)` of the IP's last `days` days, oldest first."""
    stats = list(IPDailyStats.objects.filter(ip=ip).order_by("-date")[:days])[::-1]
    decisions = list(WarmupDecision.objects.filter(ip=ip).order_by("-date", "-id")[: days * 2])[::-1]
    return stats, decisions
