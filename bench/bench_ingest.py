"""API ingest throughput over HTTP: POST /api/v2/contacts/ingest against gunicorn (2 workers) on 127.0.0.1.

Creates its own database (ee_bench_ingest), pre-loads the "existing" half, starts
gunicorn, and sends batches of 5,000 contacts with 3 tags each, half new and half
existing (the existing half with a changed city, so they are real updates), from
`--clients` concurrent HTTP clients. Prints the raw COPY rate measured in the same run,
then contacts/s end to end. Target: >= 20,000 contacts/s. Drops the database at the end.

    .venv/bin/python bench/bench_ingest.py [--batches 40] [--clients 2]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time

import requests

from _contacts_data import ROOT, bench_cleanup, bench_environment, brand, contact_row, csv_write, raw_copy_rate

BATCH = 5000
FIELDS = ["email", "first_name", "last_name", "company", "language", "category", "country", "city"]


def item(i, rng, city=None):
    row = contact_row(i, rng)
    data = dict(zip(FIELDS, row[:8]))
    if city:
        data["city"] = city
    return {"tenant_id": 1, "data_source_id": 4, **data, "tags": row[8].split("|")}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--copy-rows", type=int, default=1_000_000)
    args = parser.parse_args()
    bench_environment("ingest")
    server = None
    try:
        from contacts.services.ingest import contact_ingest
        from tenants.services import api_key_create

        rng = random.Random(3)
        half = BATCH // 2
        existing_total = half * args.batches
        with tempfile.TemporaryDirectory() as tmp, brand():
            path = os.path.join(tmp, "copy.csv")
            csv_write(path, args.copy_rows)
            rate, elapsed = raw_copy_rate(path, args.copy_rows)
            print(f"raw COPY:      {args.copy_rows:,} rows in {elapsed:.2f}s = {rate:,.0f} rows/s")
            started = time.perf_counter()
            for start in range(0, existing_total, 10_000):
                contact_ingest(items=[item(i, rng) for i in range(start, min(start + 10_000, existing_total))])
            print(f"pre-loaded {existing_total:,} existing contacts in {time.perf_counter() - started:.1f}s")
        _, raw_key = api_key_create(name="bench", tenant_slugs=["sos-expat"], scopes=["contacts:write"])
        bodies = []
        for b in range(args.batches):
            items = [item(i, rng, city="Updated") for i in range(b * half, (b + 1) * half)]
            items += [item(existing_total + b * half + i, rng) for i in range(half)]
            bodies.append(json.dumps({"contacts": items}).encode())
        port = free_port()
        env = dict(os.environ)
        server = subprocess.Popen(
            [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "emailengine.wsgi:application",
             "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "120", "--log-level", "warning"],
            cwd=ROOT, env=env,
        )
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                requests.get(url + "/healthz", timeout=10)
                break
            except requests.RequestException:
                time.sleep(0.2)
        headers = {"Authorization": f"Bearer {raw_key}", "Content-Type": "application/json"}
        warm = json.dumps({"contacts": [item(10**8, rng)]}).encode()
        requests.post(url + "/api/v2/contacts/ingest", data=warm, headers=headers, timeout=60).raise_for_status()
        totals = {"new": 0, "updated": 0, "skipped": 0, "errors": 0}
        lock = threading.Lock()
        queue = list(range(len(bodies)))

        def client():
            session = requests.Session()
            while True:
                with lock:
                    if not queue:
                        return
                    index = queue.pop()
                response = session.post(url + "/api/v2/contacts/ingest", data=bodies[index], headers=headers, timeout=120)
                response.raise_for_status()
                body = response.json()
                with lock:
                    totals["new"] += body["new_contacts"]
                    totals["updated"] += body["updated_contacts"]
                    totals["skipped"] += body["duplicates_skipped"]
                    totals["errors"] += len(body["errors"])

        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        sent = args.batches * BATCH
        rate = sent / elapsed
        print(f"API ingest:    {sent:,} contacts in {args.batches} batches of {BATCH:,} ({args.clients} clients, "
              f"gunicorn 2 workers) in {elapsed:.2f}s = {rate:,.0f} contacts/s  "
              f"(new {totals['new']:,}, updated {totals['updated']:,}, skipped {totals['skipped']:,}, "
              f"errors {totals['errors']})   target >= 20,000/s: {'OK' if rate >= 20_000 else 'MISSED'}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        bench_cleanup("ingest")


if __name__ == "__main__":
    main()
