"""Periodic jobs: validate contacts still pending (e.g. when the broker was down at ingest)."""
SCHEDULE = {
    "contacts-validate-pending": {
        "task": "emailengine.for_each_brand",
        "schedule": 15 * 60,
        "args": ("contacts.validate",),
    },
}
