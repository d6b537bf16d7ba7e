"""Periodic jobs of the MailWizz channel (collected by `emailengine.celery.beat_schedule_collect`)."""
SCHEDULE = {
    "mailwizz-contacts-push": {
        "task": "emailengine.for_each_brand",
        "schedule": 300.0,
        "args": ("deliverability.mailwizz_contacts_push",),
    },
    "mailwizz-results-pull": {
        "task": "emailengine.for_each_brand",
        "schedule": 600.0,
        "args": ("deliverability.mailwizz_results_pull",),
    },
    "mailwizz-health-check": {
        "task": "deliverability.mailwizz_health_check",
        "schedule": 300.0,
    },
}
