"""A dispatch worker killed with SIGKILL in the middle of a chunk: no duplicate, no loss.

Real pieces only: a `celery worker` subprocess on a Redis broker, the real database (live_db)
and a real SMTP server on loopback that answers each message slowly, so the worker is
inside an SMTP transaction most of the time and the kill lands mid-chunk.
"""
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone

from campaigns.models import Campaign, CampaignRecipient
from campaigns.services.dispatch import RELAY_CONNECTIONS
from tests.doubles.smtp_sink import SmtpSink
from tests.subprocesses import test_database_url_for_subprocess

from .factories import make_campaign, make_contact, make_fleet, make_templates

BROKER = "redis://127.0.0.1:6379/13"
pytestmark = pytest.mark.slow


def _redis_or_skip():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(BROKER)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    client.flushdb()  # database 13 is this test's own
    return client


def _worker(sink, log_path):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=test_database_url_for_subprocess(),
        CELERY_BROKER_URL=BROKER, CELERY_TASK_ALWAYS_EAGER="false", SMTP_RELAY_URL=sink.url,
        DELIVERABILITY_ENFORCE_DNS="false", SECRET_KEY=settings.SECRET_KEY, LOG_LEVEL="WARNING",
        PUBLIC_BASE_URL="https://engine.example.com",
    )
    log = open(log_path, "ab")
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "emailengine", "worker", "--pool=solo", "--without-heartbeat",
         "--without-mingle", "--without-gossip", "-l", "warning"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )


def _wait(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_chunk_causes_no_duplicate_and_no_loss(live_db, tmp_path):
    redis_client = _redis_or_skip()
    brand = live_db.sos
    make_fleet(brand, active=2, warmup=0, standby=0, quota=1000)
    connection.set_tenant(brand)
    make_templates()
    contacts = [make_contact(language=("fr", "en", "ar")[n % 3], tags=["prospect"]) for n in range(120)]
    campaign = make_campaign(status="scheduled", scheduled_at=timezone.now())
    connection.set_schema_to_public()
    client = Celery(broker=BROKER)
    # CELERY_BROKER_URL in the environment (memory:// for tests) would win over broker=.
    client.conf.broker_write_url = client.conf.broker_read_url = BROKER

    with SmtpSink(reply_delay=0.03) as sink:
        first = _worker(sink, tmp_path / "worker1.log")
        try:
            # Redis drops messages sent to a queue nobody has declared yet: wait for the worker's binding.
            _wait(lambda: redis_client.exists("_kombu.binding.celery"), 60, "the worker to declare its queue")
            client.send_task("campaigns.tick", args=(brand.pk,))  # beat's job: launches the scheduled campaign
            _wait(lambda: len(sink.messages) >= 25, 60, "the first worker to send 25 messages")
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
        at_kill = len(sink.messages)
        assert at_kill < len(contacts), "the worker finished before it could be killed"

        second = _worker(sink, tmp_path / "worker2.log")
        try:
            # The every-minute job, once the lease is over (0 here so the test need not wait 5 minutes).
            client.send_task("campaigns.tick", args=(brand.pk,), kwargs={"lease": 0})
            connection.set_tenant(brand)
            _wait(lambda: Campaign.objects.get(pk=campaign.pk).status == "completed", 90, "the campaign to complete")
        finally:
            second.terminate()
            second.wait(20)

    received = Counter(message.rcpt_tos[0] for message in sink.messages)
    rows = {row.contact_id: row for row in CampaignRecipient.objects.filter(campaign_id=campaign.pk)}
    assert len(rows) == len(contacts)
    assert max(received.values()) == 1, "a recipient received the message twice"
    interrupted = [row for row in rows.values() if row.status == "failed" and row.reason == "interrupted"]
    assert len(interrupted) <= RELAY_CONNECTIONS, "at most one message per open relay connection may be in doubt"
    for contact in contacts:
        row = rows[contact.pk]
        if row.status == "sent":
            assert received[contact.email] == 1
        else:
            assert row in interrupted and received[contact.email] <= 1
    assert len(sink.messages) > at_kill, "the second worker resumed the campaign"
    campaign.refresh_from_db()
    assert campaign.sent_count == sum(row.status == "sent" for row in rows.values())
    assert campaign.interrupted_count == len(interrupted) and campaign.sent_count + len(interrupted) == len(contacts)
