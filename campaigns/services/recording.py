"""Recording dispatch results set-based: what the recipient rows say becomes the figures.

`campaign_results_record` takes every finished recipient row of a campaign not yet counted
(`recorded = false`), flags it, and in the same statement writes the `sent` ContactEvents,
the contacts' `last_campaign_sent_at` / `total_campaigns_received`, the templates'
`total_sent` (keeping their average rates exact), and the campaign's counters; then adds the
IPs' daily `sent` figures. It runs after each chunk and from the recovery job, so figures are
right even when a worker died after sending: a row is counted exactly once.
"""
from __future__ import annotations

from django.db import connection, transaction

from ..models import Campaign, CampaignRecipient, INTERRUPTED


def campaign_results_record(*, campaign_id: int) -> dict:
    from contacts.models import Contact, ContactEvent
    from deliverability.services.stats import ip_daily_stats_add
    from templates_app.models import EmailTemplate

    tables = {
        "r": CampaignRecipient._meta.db_table,
        "campaign": Campaign._meta.db_table,
        "event": ContactEvent._meta.db_table,
        "contact": Contact._meta.db_table,
        "template": EmailTemplate._meta.db_table,
    }
    sql = """
    WITH done AS (
        UPDATE {r} r SET recorded = true
        WHERE r.campaign_id = %(campaign)s AND NOT r.recorded AND r.status IN ('sent', 'skipped', 'failed')
        RETURNING r.id, r.contact_id, r.status, r.reason, r.ip_id, r.sent_at, r.template_id, r.message_id, r.vmta
    ), events AS (
        INSERT INTO {event} (contact_id, campaign_id, event_type, event_data, timestamp)
        SELECT contact_id, %(campaign)s, 'sent',
               jsonb_build_object('message_id', message_id, 'vmta', vmta, 'template_id', template_id), sent_at
        FROM done WHERE status = 'sent'
        RETURNING 1
    ), contacts AS (
        UPDATE {contact} c
        SET last_campaign_sent_at = GREATEST(c.last_campaign_sent_at, done.sent_at),
            total_campaigns_received = c.total_campaigns_received + 1
        FROM done WHERE c.id = done.contact_id AND done.status = 'sent'
        RETURNING 1
    ), templates AS (
        UPDATE {template} t
        SET avg_open_rate = t.avg_open_rate * t.total_sent / (t.total_sent + per.n),
            avg_click_rate = t.avg_click_rate * t.total_sent / (t.total_sent + per.n),
            total_sent = t.total_sent + per.n
        FROM (SELECT template_id, count(*) AS n FROM done WHERE status = 'sent' AND template_id IS NOT NULL
              GROUP BY template_id) per
        WHERE t.id = per.template_id
        RETURNING 1
    ), counts AS (
        SELECT count(*) FILTER (WHERE status = 'sent') AS sent,
               count(*) FILTER (WHERE status = 'skipped') AS skipped,
               count(*) FILTER (WHERE status = 'failed') AS failed,
               count(*) FILTER (WHERE status = 'failed' AND reason = %(interrupted)s) AS interrupted
        FROM done
    ), campaign AS (
        UPDATE {campaign} SET sent_count = sent_count + counts.sent, skipped_count = skipped_count + counts.skipped,
               failed_count = failed_count + counts.failed, interrupted_count = interrupted_count + counts.interrupted
        FROM counts WHERE id = %(campaign)s AND (counts.sent + counts.skipped + counts.failed) > 0
        RETURNING counts.sent, counts.skipped, counts.failed, counts.interrupted
    )
    SELECT ip_id, (sent_at AT TIME ZONE 'UTC')::date, count(*), NULL, NULL, NULL, NULL FROM done
    WHERE status = 'sent' AND ip_id IS NOT NULL GROUP BY ip_id, 2
    UNION ALL
    SELECT NULL, NULL, NULL, sent, skipped, failed, interrupted FROM campaign
    """.format(**tables)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, {"campaign": campaign_id, "interrupted": INTERRUPTED})
            rows = cursor.fetchall()
        ip_rows = [(row[0], row[1], {"sent": row[2]}) for row in rows if row[0] is not None]
        if ip_rows:
            ip_daily_stats_add(rows=ip_rows)
    result = {"sent": 0, "skipped": 0, "failed": 0, "interrupted": 0}
    for row in rows:
        if row[0] is None:
            result = dict(zip(("sent", "skipped", "failed", "interrupted"), row[3:]))
    return result
