"""The every-minute job of a brand: recover from dead workers, resume waiting campaigns,
launch scheduled ones.

For each `sending` campaign:
* a `sending` row older than the lease belongs to a worker that died inside its SMTP
  transaction: the message may have gone out, so it becomes `failed` / `interrupted` and is
  never sent again (at most one such row per relay connection of the dead worker);
* queued rows claimed longer than the lease ago are given back to the queue;
* results not yet counted are recorded; a campaign with nothing left is completed;
* otherwise, when queued rows wait for nobody (no live claim, waiting time over), dispatch
  is enqueued again.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.utils import timezone

from ..models import INTERRUPTED, Campaign, CampaignRecipient, CampaignStatus, Channel
from .dispatch import campaign_dispatch_enqueue
from .launch import PreflightFailed, campaign_launch
from .lifecycle import campaign_complete_if_done
from .recording import campaign_results_record

logger = logging.getLogger(__name__)


def lease_seconds() -> int:
    return int(getattr(settings, "CAMPAIGN_LEASE_SECONDS", 300))


def campaign_recover(*, campaign_id: int, lease: int | None = None) -> dict:
    """Interrupted/released counts for one campaign, and whether dispatch was enqueued."""
    lease = lease_seconds() if lease is None else lease
    table = CampaignRecipient._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = 'failed', reason = %s WHERE campaign_id = %s AND status = 'sending'"
            " AND sending_at <= now() - make_interval(secs => %s)",
            [INTERRUPTED, campaign_id, lease],
        )
        interrupted = cursor.rowcount
        cursor.execute(
            f"UPDATE {table} SET claim_token = NULL, claimed_at = NULL WHERE campaign_id = %s AND status = 'queued'"
            " AND claim_token IS NOT NULL AND claimed_at <= now() - make_interval(secs => %s)",
            [campaign_id, lease],
        )
        released = cursor.rowcount
    if interrupted:
        logger.warning("campaign %s: %d recipient(s) interrupted by a dead worker, not resent", campaign_id,
                       interrupted)
    campaign_results_record(campaign_id=campaign_id)
    enqueued = False
    if not campaign_complete_if_done(campaign_id=campaign_id):
        campaign = Campaign.objects.get(pk=campaign_id)
        open_rows = CampaignRecipient.objects.filter(campaign_id=campaign_id, status__in=["queued", "sending"])
        busy = open_rows.filter(claim_token__isnull=False).exists()
        waiting = campaign.waiting_until is not None and campaign.waiting_until > timezone.now()
        if campaign.status == CampaignStatus.SENDING and not busy and not waiting:
            campaign_dispatch_enqueue(tenant_id=connection.tenant.pk, campaign_id=campaign_id)
            enqueued = True
    return {"interrupted": interrupted, "released": released, "enqueued": enqueued}


def campaigns_tick(*, tenant, lease: int | None = None) -> dict:
    """The brand's every-minute job (see module doc)."""
    report = {"launched": 0, "launch_failed": 0, "recovered": 0, "interrupted": 0, "enqueued": 0}
    now = timezone.now()
    for campaign in Campaign.objects.filter(status=CampaignStatus.SCHEDULED, scheduled_at__lte=now):
        try:
            campaign_launch(campaign=campaign, tenant=tenant)
            report["launched"] += 1
        except PreflightFailed as failed:
            logger.warning("scheduled campaign %s not launched: %s", campaign.pk, failed)
            report["launch_failed"] += 1
    for campaign_id in Campaign.objects.filter(status=CampaignStatus.SENDING, channel=Channel.SMTP).values_list("pk", flat=True):
        result = campaign_recover(campaign_id=campaign_id, lease=lease)
        report["recovered"] += 1
        report["interrupted"] += result["interrupted"]
        report["enqueued"] += int(result["enqueued"])
    return report
