"""Admin pages at 1,000,000 contacts: every list page must answer in under 500 ms.

Creates its own database (ee_bench_admin_lists), fills SOS-Expat with the segments bench's
1,000,000 contacts and 3,000,000 tag links, VACUUMs (ANALYZE) it (autovacuum's job in
production), then requests each page through Django's full stack (middleware, session,
brand switch, admin) as a logged-in admin and prints the median and worst of several runs.

    .venv/bin/python bench/bench_admin_lists.py [--contacts 1000000] [--runs 7] [--keep]
"""
from __future__ import annotations

import argparse
import statistics
import time

from _contacts_data import bench_cleanup, bench_environment, brand
from bench_segments import FILL

TARGET_MS = 500


def pages(contact_id):
    return [
        ("contacts, page 1", "/admin/contacts/contact/"),
        ("contacts, page 2,000 (offset 200k)", "/admin/contacts/contact/?p=2000"),
        ("contacts, status=active", "/admin/contacts/contact/?status__exact=active"),
        ("contacts, language=fr + tag (with descendants)", "/admin/contacts/contact/?language=fr&tag=prestataire"),
        ("contacts, validation=valid + category", "/admin/contacts/contact/?validation_status__exact=valid&category=avocat"),
        ("contacts, search by exact email", "/admin/contacts/contact/?q=contact777777%40domain2777.example.com"),
        ("contacts, search by the start of an email", "/admin/contacts/contact/?q=contact42424"),
        ("one contact (with tags and events)", f"/admin/contacts/contact/{contact_id}/change/"),
        ("suppression list (10,000)", "/admin/contacts/suppression/"),
        ("tags", "/admin/contacts/tag/"),
        ("dashboard (first, uncached)", "/admin/"),
        ("dashboard (cached figures)", "/admin/"),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    bench_environment("admin_lists")
    try:
        from django.contrib.auth import get_user_model
        from django.core.cache import cache
        from django.db import connection, transaction
        from django.test import Client

        with brand():
            started = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(FILL, {"contacts": args.contacts})
            for table in ("contacts_contact", "contacts_contacttag", "contacts_suppression"):
                connection.cursor().execute(f"VACUUM ANALYZE {table}")
            with connection.cursor() as cursor:
                cursor.execute("SELECT (SELECT count(*) FROM contacts_contact), (SELECT max(id) / 2 FROM contacts_contact)")
                contacts, contact_id = cursor.fetchone()
            print(f"filled {contacts:,} contacts in {time.perf_counter() - started:.1f}s")
        admin = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-password-1")
        client = Client(SERVER_NAME="localhost")
        client.force_login(admin)
        missed = 0
        for label, url in pages(contact_id):
            if label.startswith("dashboard (first"):
                cache.clear()
                t0 = time.perf_counter()
                response = client.get(url)
                timings = [(time.perf_counter() - t0) * 1000]
            else:
                client.get(url)  # warm
                timings = []
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            median = statistics.median(timings)
            ok = median < TARGET_MS
            missed += not ok
            print(f"{label:48} median {median:7.1f} ms  max {max(timings):7.1f} ms  "
                  f"target < {TARGET_MS} ms: {'OK' if ok else 'MISSED'}")
        print(f"{'all pages under target' if not missed else f'{missed} page(s) over target'}")
    finally:
        if not args.keep:
            bench_cleanup("admin_lists")


if __name__ == "__main__":
    main()
