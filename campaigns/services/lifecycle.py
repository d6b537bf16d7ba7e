"""Status changes of a campaign. Every change goes through `campaign_transition`, which checks
the state machine (`campaigns.logic.lifecycle`) against the row locked in the database, so two
concurrent requests can never both apply."""
from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from ..logic.lifecycle import IllegalTransition, lifecycle_next
from ..models import Campaign, CampaignRecipient, RecipientStatus

_SEGMENT_FIELDS = {"language", "category", "tags_all", "tags_any", "exclude_tags", "filters", "template", "channel"}


class CampaignError(ValueError):
    """A request about a campaign that cannot be done; the message says why (API: 400/409)."""


def campaign_create(*, data: dict) -> Campaign:
    campaign = Campaign(**data)
    campaign.full_clean()
    campaign.save()
    return campaign


def campaign_update(*, campaign: Campaign, data: dict) -> Campaign:
    """Change a campaign's settings. The audience and templates are frozen once launched."""
    if campaign.status not in (Campaign._meta.get_field("status").default, "scheduled"):
        frozen = sorted(set(data) & _SEGMENT_FIELDS)
        if frozen:
            raise CampaignError(
                f"the campaign is {campaign.status}: its audience and template are frozen ({', '.join(frozen)})"
            )
    for name, value in data.items():
        setattr(campaign, name, value)
    campaign.full_clean()
    campaign.save()
    return campaign


def campaign_transition(*, campaign_id: int, action: str, **changes) -> Campaign:
    """Apply `action` to the campaign (locked); IllegalTransition if its status does not allow it."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        campaign.status = lifecycle_next(status=campaign.status, action=action)
        for name, value in changes.items():
            setattr(campaign, name, value)
        campaign.save(update_fields=["status", "updated_at", *changes])
    return campaign


def campaign_schedule(*, campaign: Campaign, scheduled_at) -> Campaign:
    if scheduled_at is None:
        raise CampaignError("scheduled_at is required to schedule a campaign")
    return campaign_transition(campaign_id=campaign.pk, action="schedule", scheduled_at=scheduled_at)


def campaign_pause(*, campaign: Campaign) -> Campaign:
    """Stop sending after the chunk in flight; queued recipients stay queued."""
    return campaign_transition(campaign_id=campaign.pk, action="pause")


def campaign_resume(*, campaign: Campaign) -> Campaign:
    from .dispatch import campaign_dispatch_enqueue

    campaign = campaign_transition(campaign_id=campaign.pk, action="resume", waiting_until=None, waiting_reason="")
    tenant = connection.tenant
    transaction.on_commit(lambda: campaign_dispatch_enqueue(tenant_id=tenant.pk, campaign_id=campaign.pk))
    return campaign


def campaign_cancel(*, campaign: Campaign) -> Campaign:
    """Cancel: no more sending; recipients still queued are marked skipped ("campaign cancelled")."""
    from .recording import campaign_results_record

    with transaction.atomic():
        campaign = campaign_transition(campaign_id=campaign.pk, action="cancel", completed_at=timezone.now())
        CampaignRecipient.objects.filter(campaign_id=campaign.pk, status=RecipientStatus.QUEUED).update(
            status=RecipientStatus.SKIPPED, reason="campaign cancelled", claim_token=None
        )
        campaign_results_record(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    return campaign


def campaign_complete_if_done(*, campaign_id: int) -> bool:
    """Mark a sending campaign completed when no recipient is queued or sending (one guarded UPDATE)."""
    table = CampaignRecipient._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {Campaign._meta.db_table} SET status = 'completed', completed_at = now(), updated_at = now(),
                    waiting_until = NULL, waiting_reason = ''
                WHERE id = %s AND status = 'sending'
                  AND NOT EXISTS (SELECT 1 FROM {table} WHERE campaign_id = %s AND status IN ('queued', 'sending'))""",
            [campaign_id, campaign_id],
        )
        return cursor.rowcount == 1


__all__ = [
    "CampaignError", "IllegalTransition", "campaign_cancel", "campaign_complete_if_done", "campaign_create",
    "campaign_pause", "campaign_resume", "campaign_schedule", "campaign_transition", "campaign_update",
]
