"""The per-IP daily figures (IPDailyStats), added to set-based from dispatch, events and accounting."""
from __future__ import annotations

from datetime import date as date_type

from django.db import connection

from ..models import IPDailyStats

COUNTERS = ("sent", "delivered", "hard_bounces", "soft_bounces", "block_bounces", "complaints", "deferrals")


def ip_daily_stats_add(*, rows) -> int:
    """Add counts to IPDailyStats in one statement per call.

    `rows` is an iterable of `(ip_id, date, {counter: n})` (counters from COUNTERS; several
    rows for the same IP and day are summed). Missing (ip, date) rows are created. Returns
    the number of (ip, date) rows touched.
    """
    totals: dict[tuple[int, date_type], dict[str, int]] = {}
    for ip_id, day, counts in rows:
        unknown = set(counts) - set(COUNTERS)
        if unknown:
            raise ValueError(f"unknown IP daily counters: {sorted(unknown)}")
        bucket = totals.setdefault((ip_id, day), dict.fromkeys(COUNTERS, 0))
        for name, value in counts.items():
            bucket[name] += int(value)
    if not totals:
        return 0
    table = IPDailyStats._meta.db_table
    columns = ", ".join(COUNTERS)
    values_sql = ", ".join(["(%s, %s::date" + ", %s" * len(COUNTERS) + ")"] * len(totals))
    params = []
    for (ip_id, day), counts in sorted(totals.items()):
        params += [ip_id, day, *(counts[name] for name in COUNTERS)]
    updates = ", ".join(f"{name} = {table}.{name} + EXCLUDED.{name}" for name in COUNTERS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (ip_id, date, {columns}) VALUES {values_sql}"
            f" ON CONFLICT (ip_id, date) DO UPDATE SET {updates}",
            params,
        )
    return len(totals)
