"""Segment counts over 1,000,000 contacts and 3,000,000 tag links.

Creates its own database (ee_bench_segments), fills SOS-Expat with synthetic contacts
set-based in SQL (each contact: one language tag, one category tag, and either the
category's parent or another category tag: 3 links each; ~3% unsubscribed, 1% suppressed),
VACUUMs (ANALYZE) the tables once loaded (autovacuum does that in production; it is what
lets the count be index-only), then times `segment_count` (the SQL the API and campaigns
use), warm, and drops the database. `--explain` prints each query's plan (EXPLAIN ANALYZE,
BUFFERS). Targets: tags_all 2 + exclude 1 + language <= 50 ms; tags_any 4 incl. a parent <= 150 ms.

    .venv/bin/python bench/bench_segments.py [--contacts 1000000] [--runs 15] [--explain] [--keep]
"""
from __future__ import annotations

import argparse
import statistics
import time

import os
import tempfile

from _contacts_data import bench_cleanup, bench_environment, brand, csv_write, plain_join_ms, raw_copy_rate

FILL = """
SET LOCAL contacts.skip_tag_ids_refresh = 'on';
SET LOCAL contacts.bulk_ingest = 'on';
INSERT INTO contacts_tagset (tag_ids) VALUES ('{}') ON CONFLICT DO NOTHING;
CREATE TEMP TABLE tag_pick AS
SELECT g AS n,
       (SELECT id FROM contacts_tag WHERE slug = (ARRAY['lang-fr','lang-en','lang-es','lang-de'])[1 + g %% 4]) AS lang_tag,
       (SELECT id FROM contacts_tag WHERE slug = (ARRAY['avocat','expat-aidant','blogger','influencer','chatter',
            'admin-group','vacancier','expat','digital-nomad'])[1 + (g * 7) %% 9]) AS child_tag,
       (g %% 2 = 0) AS with_parent,
       (SELECT id FROM contacts_tag WHERE slug = (ARRAY['avocat','expat-aidant','blogger','influencer','chatter',
            'admin-group','vacancier','expat','digital-nomad'])[1 + (g * 5 + 3) %% 9]) AS other_tag
FROM generate_series(1, 36) g;

INSERT INTO contacts_contact (email, data_source_id, first_name, last_name, company, website, language, category,
    phone, country, city, linkedin_url, facebook_url, instagram_url, twitter_url, custom_fields, status,
    validation_status, validation_score, mailwizz_subscriber_id, mailwizz_list_id, total_campaigns_received,
    tag_ids, tagset_id, created_at, updated_at)
SELECT 'contact' || g || '@domain' || (g %% 5000) || '.example.com', 3, 'First' || g, 'Last' || g, '', '',
       (ARRAY['fr','en','es','de'])[1 + g %% 4], '', '', 'FR', '', '', '', '', '', '{}',
       CASE WHEN g %% 33 = 0 THEN 'unsubscribed' ELSE 'active' END, 'valid', 100, '', '', 0, '{}',
       (SELECT id FROM contacts_tagset WHERE tag_ids = '{}'), now(), now()
FROM generate_series(1, %(contacts)s) g;

INSERT INTO contacts_contacttag (contact_id, tag_id, added_at)
SELECT c.id, t.tag, now()
FROM contacts_contact c
JOIN tag_pick p ON p.n = 1 + ((c.id - 1) %% 36)
CROSS JOIN LATERAL (VALUES (p.lang_tag), (p.child_tag),
    (CASE WHEN p.with_parent THEN (SELECT parent_id FROM contacts_tag WHERE id = p.child_tag)
          WHEN p.other_tag <> p.child_tag THEN p.other_tag
          ELSE (SELECT parent_id FROM contacts_tag WHERE id = p.child_tag) END)) AS t(tag);

CREATE TEMP TABLE contact_ids AS
SELECT contact_id, array_agg(tag_id::integer ORDER BY tag_id) AS ids FROM contacts_contacttag GROUP BY contact_id;
INSERT INTO contacts_tagset (tag_ids) SELECT DISTINCT ids FROM contact_ids ON CONFLICT DO NOTHING;
UPDATE contacts_contact c SET tag_ids = x.ids, tagset_id = ts.id
FROM contact_ids x JOIN contacts_tagset ts ON ts.tag_ids = x.ids
WHERE c.id = x.contact_id;

INSERT INTO contacts_suppression (email, reason, source, created_at)
SELECT email, 'unsubscribed', 'bench', now() FROM contacts_contact WHERE id %% 100 = 7;
"""

QUERIES = [
    ("tags_all 2 + exclude 1 + language", {"tags_all": ["avocat", "lang-fr"], "exclude_tags": ["client"], "language": "fr"}, 50),
    ("tags_any 4 (one parent)", {"tags_any": ["prestataire", "blogger", "influencer", "vacancier"]}, 150),
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="Keep the database (ee_bench_segments) to explore plans")
    parser.add_argument("--explain", action="store_true", help="Print each query's EXPLAIN (ANALYZE, BUFFERS)")
    args = parser.parse_args()
    bench_environment("segments")
    try:
        with brand() as connection:
            from django.db import transaction

            from contacts.selectors import segment_count, segment_where_sql

            started = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(FILL, {"contacts": args.contacts})
            connection.cursor().execute("VACUUM ANALYZE contacts_contact")
            connection.cursor().execute("VACUUM ANALYZE contacts_contacttag")
            with connection.cursor() as cursor:
                cursor.execute("SELECT (SELECT count(*) FROM contacts_contact), (SELECT count(*) FROM contacts_contacttag)")
                contacts, links = cursor.fetchone()
            print(f"filled {contacts:,} contacts / {links:,} tag links in {time.perf_counter() - started:.1f}s")
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "copy.csv")
                csv_write(path, args.contacts)
                rate, elapsed = raw_copy_rate(path, args.contacts)
            print(f"{'yardstick: raw COPY of the contacts':38} {args.contacts:,} rows in {elapsed:.2f}s = {rate:,.0f} rows/s")
            joined, median = plain_join_ms()
            print(f"{'yardstick: plain join via contact_tags':38} count={joined:>8,}  median {median:6.1f} ms"
                  "  (first query, the issue's 'about 150 ms')")
            for label, spec, target in QUERIES:
                count = segment_count(filter=spec)  # warm-up
                timings = []
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    segment_count(filter=spec)
                    timings.append((time.perf_counter() - t0) * 1000)
                median = statistics.median(timings)
                print(f"{label:38} count={count:>8,}  median {median:6.1f} ms  max {max(timings):6.1f} ms   "
                      f"target <= {target} ms: {'OK' if median <= target else 'MISSED'}")
                if args.explain:
                    where, params = segment_where_sql(filter=spec)
                    with connection.cursor() as cursor:
                        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM contacts_contact c WHERE {where}",
                                       params)
                        print("\n".join("    " + row[0] for row in cursor.fetchall()))
    finally:
        if not args.keep:
            bench_cleanup("segments")


if __name__ == "__main__":
    main()
