"""Shared set-up for the contacts benchmarks: a throw-away database with both brands, and the raw COPY yardstick.

Each benchmark creates its own database (`ee_bench_<name>` on the server of
BENCH_DATABASE_URL / DATABASE_URL, default postgresql://postgres@127.0.0.1:5432),
migrates it, seeds the brands, tags and data sources, and drops it at the end.
"""
from __future__ import annotations

import csv
import os
import random
import statistics
import sys
import time
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

FERNET_TEST_KEY = "dGVzdC1rZXktZm9yLXRlc3RzLW9ubHktMzJieXRlcyE="
LANGS = ["fr", "en", "es", "de", "pt", "ru", "zh", "hi", "ar"]
CHILD_TAGS = {
    "avocat": "prestataire", "expat-aidant": "prestataire", "blogger": "marketing-partner",
    "influencer": "marketing-partner", "chatter": "marketing-partner", "admin-group": "marketing-partner",
    "vacancier": "client", "expat": "client", "digital-nomad": "client",
}
LANG_TAGS = ["lang-fr", "lang-en", "lang-es", "lang-de"]


def _server_url():
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"


def database_url(name):
    parts = urlsplit(_server_url())
    return urlunsplit(parts._replace(path="/" + name))


def _admin_execute(sql):
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def bench_environment(name):
    """Create and migrate `ee_bench_<name>`, point Django at it, seed brands/tags/sources. Returns the URL."""
    db = f"ee_bench_{name}"
    url = database_url(db)
    _admin_execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    _admin_execute(f'CREATE DATABASE "{db}"')
    os.environ.update({
        "DATABASE_URL": url, "DEBUG": "false", "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "FIELD_ENCRYPTION_KEY": os.environ.get("FIELD_ENCRYPTION_KEY") or FERNET_TEST_KEY,
        "CELERY_BROKER_URL": "memory://", "CELERY_TASK_ALWAYS_EAGER": "false", "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "emailengine.settings",
    })
    import django

    django.setup()
    from django.core.management import call_command

    from contacts.seed import seed_tags_and_sources
    from tenants.seed import seed_brands

    call_command("migrate", verbosity=0)
    quiet = lambda iterable=None, **kw: iterable  # noqa: E731
    seed_brands(progress=quiet)
    seed_tags_and_sources(progress=quiet)
    return url


def bench_cleanup(name):
    from django.db import connections

    connections.close_all()
    _admin_execute(f'DROP DATABASE IF EXISTS "ee_bench_{name}" WITH (FORCE)')


@contextmanager
def brand(slug="sos-expat"):
    from django.db import connection
    from django_tenants.utils import tenant_context

    from tenants.models import Tenant

    with tenant_context(Tenant.objects.get(slug=slug)):
        yield connection


def contact_row(i, rng):
    """One synthetic contact: (email, first_name, last_name, company, language, category, country, city, tags)."""
    child = rng.choice(list(CHILD_TAGS))
    lang = LANGS[i % len(LANGS)]
    tags = [child, CHILD_TAGS[child], LANG_TAGS[i % len(LANG_TAGS)]]
    return (f"contact{i}@domain{i % 5000}.example.com", f"First{i}", f"Last{i}", f"Company {i % 10000}",
            lang, child, ["FR", "ES", "DE", "US", "BR"][i % 5], f"City{i % 300}", "|".join(tags))


CSV_HEADER = ["email", "first_name", "last_name", "company", "language", "category", "country", "city", "tags"]


def csv_write(path, rows, *, start=0, seed=7, shuffle=False):
    """A CSV of `rows` synthetic contacts, in the order they were made (emails close together
    within a chunk) or, with `shuffle`, in random order (as a merged list from many sources)."""
    rng = random.Random(seed)
    order = list(range(start, start + rows))
    if shuffle:
        random.Random(seed + 1).shuffle(order)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_HEADER)
        for i in order:
            writer.writerow(contact_row(i, rng))


def raw_copy_rate(path, rows):
    """Rows/s of a plain `COPY contacts-like-table FROM file` (CSV, header) in the current brand's schema."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_copy")
        cursor.execute(
            "CREATE TABLE bench_raw_copy (email text, first_name text, last_name text, company text, "
            "language text, category text, country text, city text, tags text)"
        )
        started = time.perf_counter()
        with open(path, "rb") as handle, cursor.cursor.copy("COPY bench_raw_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            while block := handle.read(1 << 20):
                copy.write(block)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_raw_copy")
    return rows / elapsed, elapsed


def raw_copy_indexed_rate(path, rows):
    """Rows/s of a plain `COPY` of the same file into a table shaped like contacts_contact: its columns
    (the ones the file lacks take constant defaults), identity, generated column and four indexes, no
    triggers. What one contact row costs PostgreSQL before any tag link or event is written."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_contacts")
        cursor.execute("CREATE TABLE bench_raw_contacts (LIKE contacts_contact INCLUDING ALL)")
        cursor.execute("ALTER TABLE bench_raw_contacts ADD COLUMN tags text")
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = 'bench_raw_contacts' AND is_nullable = 'NO' AND column_default IS NULL "
            "AND is_identity = 'NO' AND is_generated = 'NEVER'"
        )
        defaults = {"integer": "0", "smallint": "0", "boolean": "false", "jsonb": "'{}'", "ARRAY": "'{}'",
                    "timestamp with time zone": "now()"}
        for column, data_type in cursor.fetchall():
            cursor.execute(f"ALTER TABLE bench_raw_contacts ALTER COLUMN {column} SET DEFAULT {defaults.get(data_type, chr(39) * 2)}")
        started = time.perf_counter()
        with open(path, "rb") as handle, cursor.cursor.copy(
            f"COPY bench_raw_contacts ({', '.join(CSV_HEADER)}) FROM STDIN WITH (FORMAT csv, HEADER true)"
        ) as copy:
            while block := handle.read(1 << 20):
                copy.write(block)
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_raw_contacts")
    return rows / elapsed, elapsed


# The other yardstick: the first segment (tags_all avocat + lang-fr, exclude client, language fr)
# as a plain join through contact_tags ("about 150 ms" on the machine).
PLAIN_JOIN = """
SELECT count(*) FROM contacts_contact c
WHERE c.status = 'active' AND c.validation_status <> 'invalid' AND c.language = 'fr'
  AND EXISTS (SELECT 1 FROM contacts_contacttag ct WHERE ct.contact_id = c.id AND ct.tag_id = ANY(%s))
  AND EXISTS (SELECT 1 FROM contacts_contacttag ct WHERE ct.contact_id = c.id AND ct.tag_id = ANY(%s))
  AND NOT EXISTS (SELECT 1 FROM contacts_contacttag ct WHERE ct.contact_id = c.id AND ct.tag_id = ANY(%s))
  AND NOT EXISTS (SELECT 1 FROM contacts_suppression s WHERE s.email = c.email)
"""


def plain_join_ms(runs=4):
    """(count, median ms of the warm runs) of PLAIN_JOIN in the current brand."""
    from django.db import connection

    from contacts.selectors import tag_descendant_ids

    tags = tag_descendant_ids()
    params = [tags["avocat"], tags["lang-fr"], tags["client"]]
    timings, count = [], 0
    with connection.cursor() as cursor:
        for _ in range(runs):
            started = time.perf_counter()
            cursor.execute(PLAIN_JOIN, params)
            timings.append((time.perf_counter() - started) * 1000)
            count = cursor.fetchone()[0]
    return count, statistics.median(timings[1:])
