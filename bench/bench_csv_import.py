"""CSV import throughput: 1,000,000 rows through the shared importer vs a raw PostgreSQL COPY.

Creates its own database (ee_bench_csv), writes a CSV of synthetic contacts (9 columns,
3 tags each in a `|` separated column), measures two plain COPYs of the file (into a bare
9-column table, and into a table shaped like contacts_contact with its four indexes), then
the real import (parse, normalise, validate syntax, insert or upsert, tags, links, events)
into a fresh brand, and drops the database. Target: >= 70,000 rows/s.

    .venv/bin/python bench/bench_csv_import.py [--rows 1000000]
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time

from _contacts_data import bench_cleanup, bench_environment, brand, csv_write, raw_copy_indexed_rate, raw_copy_rate


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    bench_environment("csv")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "contacts.csv")
            started = time.perf_counter()
            csv_write(path, args.rows)
            print(f"wrote {args.rows:,} rows ({os.path.getsize(path) / 1e6:.0f} MB) in {time.perf_counter() - started:.1f}s")
            with brand():
                rate, elapsed = raw_copy_rate(path, args.rows)
                print(f"raw COPY:        {args.rows:,} rows in {elapsed:6.2f}s = {rate:>9,.0f} rows/s  (bare 9-column table)")
                rate, elapsed = raw_copy_indexed_rate(path, args.rows)
                print(f"raw COPY:        {args.rows:,} rows in {elapsed:6.2f}s = {rate:>9,.0f} rows/s  "
                      "(contacts-shaped table with its 4 indexes)")
                from contacts.services.csv_import import contacts_import_csv

                started = time.perf_counter()
                report = contacts_import_csv(path=path)
                elapsed = time.perf_counter() - started
                rate = args.rows / elapsed
                print(f"our CSV import:  {args.rows:,} rows in {elapsed:6.2f}s = {rate:>9,.0f} rows/s "
                      f"({report.new_contacts:,} new, {report.error_count} rejected)   target >= 70,000 rows/s: "
                      f"{'OK' if rate >= 70_000 else 'MISSED'}")
    finally:
        bench_cleanup("csv")


if __name__ == "__main__":
    main()
