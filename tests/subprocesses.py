"""What a subprocess (a real Celery worker, a manage.py command) needs to reach the test database."""
from urllib.parse import quote

from django.db import connection


def test_database_url_for_subprocess():
    """DATABASE_URL of the test database; a socket directory host (the embedded PostgreSQL) is percent-encoded."""
    settings = connection.settings_dict
    host = settings["HOST"] or ""
    if host.startswith("/"):
        host = quote(host, safe="")
    auth = settings["USER"] or ""
    if settings["PASSWORD"]:
        auth += ":" + quote(settings["PASSWORD"], safe="")
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgresql://{auth}@{host}{port}/{settings['NAME']}"


test_database_url_for_subprocess.__test__ = False  # a helper, not a test
