"""The admin home of one brand: the state of everything at a glance.

Reads only (a selector). The contact breakdowns scan the brand's contacts table, so
they are cached for a minute per brand; everything else reads small tables.
"""
import datetime
from collections import Counter

from django.core.cache import cache
from django.db.models import Case, Count, DateField, Sum, When
from django.db.models.functions import TruncDate
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from . import charts

CONTACT_STATS_TTL = 60


def _contact_breakdowns(tenant):
    """Contacts by status, by validation and new per day and data source: one pass over the table."""
    from contacts.models import Contact, DataSource

    key = f"dashboard:contacts:{tenant.pk}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    since = timezone.now() - datetime.timedelta(days=30)
    rows = (
        Contact.objects.annotate(
            day=Case(When(created_at__gte=since, then=TruncDate("created_at")), default=None,
                     output_field=DateField()))
        .values_list("status", "validation_status", "day", "data_source_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    sources = dict(DataSource.objects.values_list("pk", "name"))
    by_status, by_validation, growth = Counter(), Counter(), Counter()
    for status, validation, day, source_id, n in rows:
        by_status[status] += n
        by_validation[validation] += n
        if day is not None:
            growth[(day, sources.get(source_id))] += n
    result = {
        "by_status": dict(by_status),
        "by_validation": dict(by_validation),
        "growth": [(day, source, n) for (day, source), n in growth.items()],
    }
    cache.set(key, result, CONTACT_STATS_TTL)
    return result


def _growth_chart(growth):
    today = timezone.now().date()
    days = [today - datetime.timedelta(days=n) for n in range(29, -1, -1)]
    per_source = {}
    for day, source, n in growth:
        per_source.setdefault(source or "(no source)", {})[day] = n
    series = {name: [counts.get(day, 0) for day in days] for name, counts in sorted(per_source.items())}
    if not series:
        series = {"new contacts": [0] * len(days)}
    return charts.line_chart(series, x_labels=[d.strftime("%d/%m") for d in days], legend="total",
                             title="New contacts per data source, last 30 days (legend: 30-day totals)")


def _admin_url(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def dashboard_build(*, tenant):
    """Everything the brand's home page shows, with its charts."""
    from campaigns.models import Campaign
    from deliverability.models import IPAddress, MailWizzInstance, SendingDomain, WarmupDecision

    contacts = _contact_breakdowns(tenant)
    today = timezone.now().date()
    ips = IPAddress.objects.filter(tenant=tenant)
    by_state = dict(ips.values_list("state").annotate(n=Count("id")).order_by())
    capacity = ips.filter(quota_date=today).aggregate(quota=Sum("quota_today"), used=Sum("sent_today"))
    in_flight = list(
        Campaign.objects.filter(status__in=["scheduled", "sending", "paused"]).order_by("-started_at", "-pk")[:10]
    )
    dns_problems = list(SendingDomain.objects.filter(tenant=tenant, dns_ok=False).order_by("name")[:10])
    dns_unchecked = SendingDomain.objects.filter(tenant=tenant, dns_ok__isnull=True).count()
    return {
        "contacts_total": sum(contacts["by_status"].values()),
        "contacts_by_status": charts.hbar_chart(
            [(s, n, None) for s, n in sorted(contacts["by_status"].items(), key=lambda kv: -kv[1])],
            title="Contacts by status"),
        "contacts_by_validation": charts.hbar_chart(
            [(s, n, None) for s, n in sorted(contacts["by_validation"].items(), key=lambda kv: -kv[1])],
            title="Contacts by validation"),
        "growth_chart": _growth_chart(contacts["growth"]),
        "campaigns": [
            {
                "campaign": c,
                "url": _admin_url("admin:campaigns_campaign_change", c.pk),
                "progress": charts.progress_bar(c.sent_count + c.skipped_count + c.failed_count, c.total_recipients),
            }
            for c in in_flight
        ],
        "capacity_quota": capacity["quota"] or 0,
        "capacity_used": capacity["used"] or 0,
        "capacity_bar": charts.progress_bar(capacity["used"] or 0, capacity["quota"] or 0, width=320, color="#2e7d32"),
        "ips_by_state": charts.hbar_chart(
            [(state, by_state.get(state, 0), None) for state in ("active", "warmup", "standby", "paused", "retired")],
            title="IPs by state"),
        "fleet_url": _admin_url("admin:deliverability_ipaddress_fleet"),
        "dns_problems": dns_problems,
        "dns_unchecked": dns_unchecked,
        "mailwizz": list(MailWizzInstance.objects.filter(tenant=tenant).order_by("name")),
        "decisions": list(
            WarmupDecision.objects.filter(ip__tenant=tenant).select_related("ip").order_by("-created_at", "-pk")[:8]
        ),
    }
