"""Quota reservation throughput against a seeded database (the seed's 50 IPs of SOS-Expat).

Prints reservations per second for single sends and for batches, from one connection and
from several threads at once. The brand's counters are put back as they were afterwards.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<seeded db> FIELD_ENCRYPTION_KEY=... DEBUG=true \
        .venv/bin/python bench/bench_quota.py [--seconds 3] [--threads 8]
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emailengine.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from deliverability.models import IPAddress  # noqa: E402
from deliverability.services import NoQuota, quota_reserve  # noqa: E402
from tenants.models import Tenant  # noqa: E402


def run(tenant_id, batch, seconds):
    calls = sends = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        try:
            sends += quota_reserve(tenant_id=tenant_id, count=batch).count
        except NoQuota:
            break
        calls += 1
    return calls, sends


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    tenant = Tenant.objects.get(slug="sos-expat")
    saved = list(IPAddress.objects.filter(tenant=tenant).values_list("id", "sent_today", "quota_today", "quota_date"))
    try:
        for batch in (1, 100):
            calls, sends = run(tenant.id, batch, args.seconds)
            print(f"1 connection, batch {batch:>3}: {calls / args.seconds:>8.0f} reservations/s, "
                  f"{sends / args.seconds:>9.0f} sends/s")
        for batch in (1, 100):
            totals = []

            def worker():
                totals.append(run(tenant.id, batch, args.seconds))
                connection.close()

            threads = [threading.Thread(target=worker) for _ in range(args.threads)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            calls = sum(c for c, _ in totals)
            sends = sum(s for _, s in totals)
            print(f"{args.threads} threads,    batch {batch:>3}: {calls / args.seconds:>8.0f} reservations/s, "
                  f"{sends / args.seconds:>9.0f} sends/s")
    finally:
        for ip_id, sent, quota, day in saved:
            IPAddress.objects.filter(pk=ip_id).update(sent_today=sent, quota_today=quota, quota_date=day)


if __name__ == "__main__":
    main()
