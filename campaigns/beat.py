"""Periodic jobs of campaigns (collected by emailengine.celery)."""
SCHEDULE = {
    "campaigns-tick": {
        "task": "emailengine.for_each_brand",
        "schedule": 60.0,
        "args": ("campaigns.tick",),
    },
    "campaigns-pmta-accounting-folder": {
        "task": "campaigns.import_pmta_folder",
        "schedule": 300.0,
    },
}
