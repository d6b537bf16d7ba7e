"""Periodic jobs of campaigns (collected by emailengine.celery). PowerMTA accounting files are
picked up by deliverability's `accounting_pickup` job, which calls campaigns' handler."""
SCHEDULE = {
    "campaigns-tick": {
        "task": "emailengine.for_each_brand",
        "schedule": 60.0,
        "args": ("campaigns.tick",),
    },
}
