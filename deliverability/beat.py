"""Periodic jobs of the fleet (collected by emailengine.celery)."""
from celery.schedules import crontab

SCHEDULE = {
    "deliverability-warmup-step": {
        "task": "deliverability.warmup_step",
        "schedule": crontab(minute=5, hour=0),  # 00:05 UTC, after the daily counters roll over
    },
    "deliverability-check-dns": {
        "task": "deliverability.check_dns",
        "schedule": crontab(minute=30, hour=3, day_of_week=1),  # Mondays 03:30 UTC
    },
    "deliverability-accounting-pickup": {
        "task": "deliverability.accounting_pickup",  # does nothing unless PMTA_ACCOUNTING_DIR is set
        "schedule": 300.0,
    },
}
