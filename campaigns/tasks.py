"""Celery tasks of campaigns: thin wrappers that reload by id and call a service."""
from django.db import connection

from emailengine.celery import app, brand_task


@brand_task(name="campaigns.dispatch", acks_late=True, soft_time_limit=600, time_limit=660)
def campaign_dispatch(tenant_id, campaign_id):
    from .services.dispatch import CONTINUE, WAIT, campaign_dispatch_enqueue, campaign_dispatch_run

    outcome = campaign_dispatch_run(tenant=connection.tenant, campaign_id=campaign_id)
    if outcome.next == CONTINUE:
        campaign_dispatch_enqueue(tenant_id=tenant_id, campaign_id=campaign_id)
    elif outcome.next == WAIT and not app.conf.task_always_eager:
        # Eager mode (tests) would run it now; the every-minute tick is the backstop anyway.
        from django.utils import timezone

        delay = max(1, int((outcome.wait_until - timezone.now()).total_seconds()))
        campaign_dispatch_enqueue(tenant_id=tenant_id, campaign_id=campaign_id, countdown=delay)
    return {"next": outcome.next, "sent": outcome.sent, "skipped": outcome.skipped, "failed": outcome.failed}


@brand_task(name="campaigns.tick", soft_time_limit=120, time_limit=150)
def campaigns_tick_task(tenant_id, lease=None):
    from .services.recovery import campaigns_tick

    return campaigns_tick(tenant=connection.tenant, lease=lease)
