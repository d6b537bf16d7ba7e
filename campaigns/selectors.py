"""Reads on campaigns: lists, the funnel and stats (per language, per IP), live progress."""
from __future__ import annotations

from django.db.models import Count, Q

from .logic.lifecycle import lifecycle_actions
from .models import COUNTERS, INTERRUPTED, Campaign, CampaignRecipient


def campaign_list(*, status=None):
    queryset = Campaign.objects.all()
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def campaign_get(*, campaign_id) -> Campaign | None:
    return Campaign.objects.filter(pk=campaign_id).first()


def _rate(part, whole):
    return round(part / whole, 4) if whole else 0.0


def campaign_progress(*, campaign: Campaign) -> dict:
    """Live progress from the recipient rows (what the admin polls)."""
    counts = dict(
        CampaignRecipient.objects.filter(campaign_id=campaign.pk).values_list("status").annotate(n=Count("id"))
        .order_by()
    )
    total = sum(counts.values())
    done = counts.get("sent", 0) + counts.get("skipped", 0) + counts.get("failed", 0)
    return {
        "id": campaign.pk,
        "status": campaign.status,
        "total": total,
        "queued": counts.get("queued", 0),
        "sending": counts.get("sending", 0),
        "sent": counts.get("sent", 0),
        "skipped": counts.get("skipped", 0),
        "failed": counts.get("failed", 0),
        "percent": round(100.0 * done / total, 1) if total else 0.0,
        "waiting_until": campaign.waiting_until.isoformat() if campaign.waiting_until else None,
        "waiting_reason": campaign.waiting_reason,
        "actions": lifecycle_actions(status=campaign.status),
    }


def campaign_stats(*, campaign: Campaign) -> dict:
    """Counts and rates, overall and per language and per IP (rates over sent messages)."""
    counters = {name: getattr(campaign, name) for name in COUNTERS}
    sent = campaign.sent_count
    delivered = campaign.delivered_count
    rates = {
        "delivery_rate": _rate(delivered, sent),
        "open_rate": _rate(campaign.opened_count, sent),
        "click_rate": _rate(campaign.clicked_count, sent),
        "click_to_open_rate": _rate(campaign.clicked_count, campaign.opened_count),
        "bounce_rate": _rate(campaign.bounced_count, sent),
        "unsubscribe_rate": _rate(campaign.unsubscribed_count, sent),
        "complaint_rate": _rate(campaign.complained_count, sent),
    }
    aggregates = dict(
        recipients=Count("id"),
        sent=Count("id", filter=Q(status="sent")),
        skipped=Count("id", filter=Q(status="skipped")),
        failed=Count("id", filter=Q(status="failed")),
        interrupted=Count("id", filter=Q(status="failed", reason=INTERRUPTED)),
        delivered=Count("id", filter=Q(delivered_at__isnull=False)),
        opened=Count("id", filter=Q(opened_at__isnull=False)),
        clicked=Count("id", filter=Q(clicked_at__isnull=False)),
        bounced=Count("id", filter=Q(bounced_at__isnull=False)),
        complained=Count("id", filter=Q(complained_at__isnull=False)),
        unsubscribed=Count("id", filter=Q(unsubscribed_at__isnull=False)),
    )
    recipients = CampaignRecipient.objects.filter(campaign_id=campaign.pk).order_by()

    def breakdown(*fields):
        rows = []
        for row in recipients.values(*fields).annotate(**aggregates).order_by(*fields):
            row["open_rate"] = _rate(row["opened"], row["sent"])
            row["click_rate"] = _rate(row["clicked"], row["sent"])
            row["bounce_rate"] = _rate(row["bounced"], row["sent"])
            rows.append(row)
        return rows

    skip_reasons = dict(
        recipients.filter(status__in=["skipped", "failed"]).values_list("reason").annotate(n=Count("id")).order_by()
    )
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "status": campaign.status,
        "counts": counters,
        "rates": rates,
        "per_language": breakdown("language"),
        "per_ip": [row for row in breakdown("ip_address", "vmta") if row["ip_address"]],
        "skip_and_failure_reasons": skip_reasons,
        "progress": campaign_progress(campaign=campaign),
    }
