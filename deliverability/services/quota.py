"""Quota reservation: the dispatch path asks for N sends of a brand and gets an IP to send them from.

The choice and the reservation are one SQL statement: a weighted random pick among the
brand's active and warmup IPs with quota left today, locked (`FOR UPDATE SKIP LOCKED`, so
concurrent workers spread over different IPs instead of queueing on one) and incremented
under the guard `sent_today + n <= quota_today`. Nothing is read in Python and written back,
so any number of workers and processes never push an IP past its quota.

Call it outside long transactions: the row lock lasts until the caller's transaction ends
(in autocommit, the statement itself).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date as date_type
from datetime import datetime, time, timedelta, timezone

from django.db import connection

from ..models import IPAddress

MAX_ATTEMPTS = 20


@dataclass(frozen=True)
class Reservation:
    """`count` sends reserved on one IP for `date` (UTC). Send them with the header
    `X-Virtual-MTA: <vmta>` from `<local part>@<domain>`; give back what was not sent with
    `quota_release(ip_id=..., count=..., date=...)`."""

    ip_id: int
    address: str
    vmta: str
    domain: str
    count: int
    date: date_type


class NoQuota(Exception):
    """The brand has no IP with quota left today; quota returns at `retry_at` (next midnight UTC)."""

    def __init__(self, *, tenant_id, retry_at):
        self.tenant_id = tenant_id
        self.retry_at = retry_at
        super().__init__(f"no quota left today for brand {tenant_id}; quota returns at {retry_at.isoformat()}")


def utc_today() -> date_type:
    return datetime.now(timezone.utc).date()


def quota_next_reset(*, today: date_type) -> datetime:
    return datetime.combine(today + timedelta(days=1), time.min, tzinfo=timezone.utc)


_RESERVE_SQL = """
WITH candidate AS (
    SELECT ip.id, ip.sent_today AS sent_before
    FROM {ip} ip
    WHERE ip.tenant_id = %(tenant_id)s
      AND ip.state IN ('active', 'warmup')
      AND ip.weight > 0
      AND ip.quota_date = %(today)s
      AND ip.sent_today + %(need)s <= ip.quota_today
    ORDER BY -ln(1.0 - random()) / ip.weight
    LIMIT 1
    FOR UPDATE {skip_locked}
)
UPDATE {ip} ip
SET sent_today = ip.sent_today + LEAST(%(count)s, ip.quota_today - ip.sent_today)
FROM candidate, {domain} d
WHERE ip.id = candidate.id
  AND d.id = ip.sending_domain_id
  AND ip.quota_date = %(today)s
  AND ip.sent_today + %(need)s <= ip.quota_today
RETURNING ip.id, host(ip.address), ip.vmta_name, d.name, ip.sent_today - candidate.sent_before
"""

_AVAILABLE_SQL = """
SELECT EXISTS (
    SELECT 1 FROM {ip} ip
    WHERE ip.tenant_id = %(tenant_id)s AND ip.state IN ('active', 'warmup') AND ip.weight > 0
      AND ip.quota_date = %(today)s AND ip.sent_today + %(need)s <= ip.quota_today
), EXISTS (
    SELECT 1 FROM {ip} ip
    WHERE ip.tenant_id = %(tenant_id)s AND ip.state IN ('active', 'warmup')
      AND ip.quota_date IS DISTINCT FROM %(today)s
)
"""


def _tables():
    from ..models import SendingDomain

    return {"ip": IPAddress._meta.db_table, "domain": SendingDomain._meta.db_table}


def quota_reserve(*, tenant_id: int, count: int = 1, partial: bool = True, today: date_type | None = None) -> Reservation:
    """Reserve `count` sends of brand `tenant_id` today on one IP chosen by weight.

    With `partial=True` (the default) the chosen IP may give fewer than `count` (what it has
    left, at least 1): `Reservation.count` says how many; ask again for the rest. With
    `partial=False` only IPs with room for all `count` are considered. Raises `NoQuota`
    when no IP of the brand can give anything today.

    The IPs' daily counters roll over lazily: the first reservation of a UTC day on an IP
    whose quota is still yesterday's sets today's quota (see `ip_quotas_refresh`).
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    today = today or utc_today()
    params = {"tenant_id": tenant_id, "today": today, "count": count, "need": 1 if partial else count}
    tables = _tables()
    reserve_skip = _RESERVE_SQL.format(skip_locked="SKIP LOCKED", **tables)
    reserve_wait = _RESERVE_SQL.format(skip_locked="", **tables)
    available = _AVAILABLE_SQL.format(**tables)
    refreshed = False
    with connection.cursor() as cursor:
        for attempt in range(MAX_ATTEMPTS):
            # First try skips rows other workers hold; later tries wait for them.
            cursor.execute(reserve_skip if attempt == 0 else reserve_wait, params)
            row = cursor.fetchone()
            if row is not None:
                ip_id, address, vmta, domain, reserved = row
                return Reservation(ip_id=ip_id, address=address, vmta=vmta, domain=domain, count=reserved, date=today)
            cursor.execute(available, params)
            has_room, stale = cursor.fetchone()
            if stale and not refreshed:
                from .fleet import ip_quotas_refresh

                ip_quotas_refresh(date=today, tenant_id=tenant_id, only_stale=True)
                refreshed = True
                continue
            if not has_room:
                break
    raise NoQuota(tenant_id=tenant_id, retry_at=quota_next_reset(today=today))


def quota_release(*, ip_id: int, count: int, date: date_type) -> bool:
    """Give back `count` reserved sends that did not happen (same UTC `date` as the
    reservation; after midnight the counter has been reset and nothing is given back)."""
    if count < 1:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {IPAddress._meta.db_table} SET sent_today = GREATEST(sent_today - %s, 0)"
            " WHERE id = %s AND quota_date = %s",
            [count, ip_id, date],
        )
        return cursor.rowcount == 1


def quota_available(*, tenant_id: int, today: date_type | None = None) -> int:
    """Sends the brand can still make today (sum over its active and warmup IPs)."""
    from .fleet import ip_quotas_refresh

    today = today or utc_today()
    ip_quotas_refresh(date=today, tenant_id=tenant_id, only_stale=True)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(SUM(GREATEST(quota_today - sent_today, 0)), 0) FROM {IPAddress._meta.db_table}"
            " WHERE tenant_id = %s AND state IN ('active', 'warmup') AND weight > 0 AND quota_date = %s",
            [tenant_id, today],
        )
        return int(cursor.fetchone()[0])


