"""GET /healthz: the state of the database and the broker, 503 when one is down."""
import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET


def _database_state():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True}
    except Exception as exc:  # any failure means "down"; say why
        return {"ok": False, "error": str(exc).splitlines()[0][:200]}


def _broker_state():
    from kombu import Connection

    url = settings.CELERY_BROKER_URL
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) if url.startswith("filesystem") else {}
    try:
        with Connection(url, transport_options=options, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            return {"ok": True, "transport": conn.transport_cls}
    except Exception as exc:
        return {"ok": False, "error": str(exc).splitlines()[0][:200]}


@require_GET
def healthz(request):
    started = time.monotonic()
    checks = {"database": _database_state(), "broker": _broker_state()}
    healthy = all(check["ok"] for check in checks.values())
    body = {
        "status": "ok" if healthy else "down",
        "checks": checks,
        "debug": settings.DEBUG,
        "took_ms": round((time.monotonic() - started) * 1000, 1),
    }
    return JsonResponse(body, status=200 if healthy else 503)
