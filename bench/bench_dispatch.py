"""Dispatch throughput: our full campaign dispatch vs a plain smtplib loop, same SMTP sink, same run.

Sets up its own database (DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/ee_bench_dispatch,
dropped and recreated), seeds the brands, fleet and starter templates, ingests N contacts over
the 9 languages, gives the SOS-Expat IPs enough quota, and starts an aiosmtpd sink in a
separate process. Then, in this process:

1. plain loop: build N similar multipart messages (f-strings) and `sendmail` them over one
   reused smtplib connection;
2. our dispatch: `campaign_launch` (pre-flight + audience frozen in one INSERT ... SELECT), then
   `campaign_dispatch_run` (claim, render in the recipient's language, quota reservation,
   MIME build with tracking and unsubscribe, one DB round trip per message for the exactly-once
   marks, SMTP send, set-based recording).

Prints both rates and the ratio (target: dispatch >= 0.5 x plain loop).

    .venv/bin/python bench/bench_dispatch.py [--contacts 100000]
"""
from __future__ import annotations

import argparse
import os
import smtplib
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LANGUAGES = ("fr", "en", "es", "de", "pt", "ru", "zh", "hi", "ar")
FIRST = {"fr": "Camille", "en": "Emma", "es": "Lucía", "de": "Anna", "pt": "João", "ru": "Иван", "zh": "王芳",
         "hi": "प्रिया", "ar": "أحمد"}


def _database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _setup(contacts: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    from fixtures.seed import seed_enterprise_data

    seed_enterprise_data(progress=lambda iterable=None, **kwargs: iterable)
    from deliverability.models import IPAddress
    from deliverability.services.quota import utc_today
    from tenants.models import Tenant

    sos = Tenant.objects.get(slug="sos-expat")
    IPAddress.objects.filter(tenant=sos, state__in=["active", "warmup"]).update(
        quota_today=10 * contacts, sent_today=0, quota_date=utc_today())
    connection.set_tenant(sos)
    from contacts.services.ingest import contact_ingest

    batch = 5000
    for start in range(0, contacts, batch):
        items = [
            {"email": f"person{n}@bench{n % 97}.example.com", "first_name": FIRST[LANGUAGES[n % 9]],
             "last_name": f"Surname{n}", "company": "Atlas Relocation", "website": f"https://site{n}.example.com",
             "language": LANGUAGES[n % 9], "country": "FR", "city": "Lyon", "data_source_id": 4,
             "tags": ["bench"]}
            for n in range(start, min(start + batch, contacts))
        ]
        contact_ingest(items=items)
    connection.set_schema_to_public()


def _plain_loop(port: int, count: int) -> float:
    html = ("<!DOCTYPE html><html><head><meta charset=\"UTF-8\"></head><body><p>Bonjour {name},</p>"
            + "<p>Nous aidons les expatriés partout dans le monde.</p>\r\n" * 20
            + "<p><a href=\"https://www.sos-expat.com/\">SOS-Expat</a></p></body></html>")
    text = "Bonjour {name},\r\n" + "Nous aidons les expatriés partout dans le monde.\r\n" * 20
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for n in range(count):
            name = FIRST[LANGUAGES[n % 9]]
            to = f"plain{n}@bench.example.com"
            message = (
                f"From: SOS-Expat <outreach@mail1.sos-mail.com>\r\nTo: <{to}>\r\nSubject: Bonjour {name}\r\n"
                f"Message-ID: <{n}@mail1.sos-mail.com>\r\nMIME-Version: 1.0\r\n"
                "Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n"
                "--b1\r\nContent-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                f"{text.format(name=name)}\r\n--b1\r\nContent-Type: text/html; charset=\"utf-8\"\r\n"
                f"Content-Transfer-Encoding: 8bit\r\n\r\n{html.format(name=name)}\r\n--b1--\r\n"
            ).encode("utf-8")
            smtp.sendmail("outreach@mail1.sos-mail.com", [to], message)
    return time.perf_counter() - started


def _dispatch(port: int):
    from django.conf import settings
    from django.db import connection

    from campaigns.models import Campaign
    from campaigns.relay import SmtpRelay
    from campaigns.services.dispatch import campaign_dispatch_run
    from campaigns.services.launch import campaign_launch
    from tenants.models import Tenant

    settings.DELIVERABILITY_ENFORCE_DNS = False
    sos = Tenant.objects.get(slug="sos-expat")
    connection.set_tenant(sos)
    campaign = Campaign.objects.create(name="Bench", tags_any=["bench"])
    started = time.perf_counter()
    campaign_launch(campaign=campaign, tenant=sos)  # dispatch is started by us below (no broker here)
    launched = time.perf_counter()
    relays = [SmtpRelay(host="127.0.0.1", port=port) for _ in range(4)]
    outcome = campaign_dispatch_run(tenant=sos, campaign_id=campaign.pk, relays=relays, run_seconds=3600)
    for relay in relays:
        relay.close()
    finished = time.perf_counter()
    campaign.refresh_from_db()
    return launched - started, finished - launched, campaign, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/ee_bench_dispatch")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emailengine.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("FIELD_ENCRYPTION_KEY", "dGVzdC1rZXktZm9yLXRlc3RzLW9ubHktMzJieXRlcyE=")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("PUBLIC_BASE_URL", "https://engine.example.com")
    _database(url)
    import django

    django.setup()
    from tests.doubles.smtp_sink import free_port

    port = args.port or free_port()
    count_file = ROOT / "var" / "bench_sink_count"
    count_file.parent.mkdir(parents=True, exist_ok=True)
    sink = subprocess.Popen([sys.executable, str(ROOT / "tests" / "doubles" / "smtp_sink.py"), "--port", str(port),
                             "--count-file", str(count_file)], stdout=subprocess.PIPE, text=True)
    try:
        assert sink.stdout.readline().strip() == "ready"
        print(f"setting up {args.contacts} contacts over 9 languages ...", flush=True)
        t0 = time.perf_counter()
        _setup(args.contacts)
        print(f"  setup {time.perf_counter() - t0:.1f}s", flush=True)

        plain = _plain_loop(port, args.contacts)
        plain_rate = args.contacts / plain
        print(f"plain smtplib loop : {args.contacts} messages in {plain:.1f}s = {plain_rate:,.0f} msg/s", flush=True)

        launch, dispatch, campaign, outcome = _dispatch(port)
        sent = campaign.sent_count
        dispatch_rate = sent / dispatch
        print(f"launch (pre-flight + freeze of {campaign.total_recipients} recipients): {launch:.2f}s")
        print(f"our dispatch       : {sent} messages in {dispatch:.1f}s = {dispatch_rate:,.0f} msg/s "
              f"(skipped {campaign.skipped_count}, failed {campaign.failed_count}, status {campaign.status})")
        print(f"ratio dispatch / plain = {dispatch_rate / plain_rate:.2f} (target >= 0.50)")
    finally:
        sink.terminate()
        received = sink.communicate(timeout=10)[0].strip()
        print(f"sink received {received} messages in total")


if __name__ == "__main__":
    main()
