"""Celery tasks of the MailWizz channel (auto-discovered: `autodiscover_tasks(related_name="mailwizz_tasks")`).

Thin: reload by id, call a service in `deliverability.mailwizz_sync`, return a small report.
An outage (`MailWizzUnavailable`) is retried with exponential backoff (1 min doubling up to
30 min, 10 times); a refusal (keys, quota) or a brand without MailWizz is not.
"""
from emailengine.celery import app, brand_task

from .mailwizz_sync import (
    MailWizzNotConfigured,
    MailWizzUnavailable,
    mailwizz_campaign_push,
    mailwizz_contacts_push,
    mailwizz_health_check_all,
    mailwizz_results_pull,
)

RETRY_POLICY = {
    "autoretry_for": (MailWizzUnavailable,),
    "retry_backoff": 60,
    "retry_backoff_max": 1800,
    "retry_jitter": True,
    "max_retries": 10,
}


def _tenant(tenant_id):
    from tenants.models import Tenant

    return Tenant.objects.get(pk=tenant_id)


@brand_task(name="deliverability.mailwizz_contacts_push", soft_time_limit=3300, time_limit=3600, **RETRY_POLICY)
def mailwizz_contacts_push_task(tenant_id, full=False):
    """Push the brand's new and changed contacts (or all with full=True) to its MailWizz."""
    try:
        return mailwizz_contacts_push(tenant=_tenant(tenant_id), full=bool(full)).as_dict()
    except MailWizzNotConfigured as exc:
        return {"skipped": str(exc)}


@brand_task(name="deliverability.mailwizz_campaign_push", soft_time_limit=3300, time_limit=3600, **RETRY_POLICY)
def mailwizz_campaign_push_task(tenant_id, campaign_id):
    """Create (or finish creating) the MailWizz lists and campaigns of a `mailwizz` campaign."""
    result = mailwizz_campaign_push(campaign_id=campaign_id, tenant=_tenant(tenant_id))
    return {"campaign_id": result.campaign_id, "groups": result.groups, "problems": result.problems}


@brand_task(name="deliverability.mailwizz_results_pull", soft_time_limit=900, time_limit=1200, **RETRY_POLICY)
def mailwizz_results_pull_task(tenant_id):
    """Pull the brand's MailWizz campaign stats and unsubscribes into our figures."""
    try:
        return mailwizz_results_pull(tenant=_tenant(tenant_id))
    except MailWizzNotConfigured as exc:
        return {"skipped": str(exc)}


@app.task(name="deliverability.mailwizz_health_check", soft_time_limit=240, time_limit=300)
def mailwizz_health_check_task():
    """Ping every active MailWizz instance and store the result on it."""
    return mailwizz_health_check_all()
