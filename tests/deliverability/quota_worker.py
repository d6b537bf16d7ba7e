"""Run in a separate process by test_quota.py: reserve quota until the brand has none left.

Kept free of Django imports at module level so `multiprocessing` (spawn) can import it
before Django is configured in the child.
"""


def reserve_until_empty(database_url, tenant_id, batch, today):
    import os

    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emailengine.settings")
    import django

    django.setup()
    from django.db import connection

    from deliverability.services import NoQuota, quota_reserve

    taken = []
    try:
        while True:
            try:
                reservation = quota_reserve(tenant_id=tenant_id, count=batch, today=today)
            except NoQuota:
                return taken
            taken.append((reservation.ip_id, reservation.count))
    finally:
        connection.close()
