"""PowerMTA accounting → recipients, contacts and campaign figures.

Registered with deliverability's accounting import (`accounting_handler_register`, in
CampaignsConfig.ready): the import keeps only records never imported before and calls
`campaign_accounting_handle` with them inside its transaction, so every record counts once.

Matching: a record belongs to a brand by its `envId` (``<tenant id>.<recipient id>``, which
dispatch passes as the SMTP ENVID when the relay offers DSN), else by its `vmta` (or source
IP) — each VMTA belongs to exactly one brand's IP. Within the brand the recipient is the
`envId`'s, else the one of campaign `jobId` (our X-Job header) whose contact has email
`rcpt`. Effects, set-based, per brand:

* delivered → recipient `delivered_at`, campaign `delivered_count` (first time only), event;
* hard bounce → contact `bounced` + suppressed (hard_bounce), recipient `bounced_at`,
  campaign `bounced_count`, event; soft/other bounce → event, and after 5 soft bounces the
  contact is suppressed and `bounced`; block bounce (the IP's reputation, not the address)
  → counted on the campaign only;
* complaint → contact `complained` + suppressed (complaint), recipient `complained_at`,
  campaign `complained_count`, event;
* deferral → campaign `deferred_count`.

All counters move with single `UPDATE ... SET n = n + k` statements: concurrent imports and
tracking hits never lose an update.
"""
from __future__ import annotations

from collections import defaultdict

from django.db import connection
from django_tenants.utils import tenant_context

from deliverability.pmta_accounting import pmta_accounting_parse
from deliverability.selectors import FleetIndex

from ..models import Campaign, CampaignRecipient

SOFT_BOUNCES_TO_SUPPRESS = 5
_FIRST_FIELD = {"delivered": "delivered_at", "bounce": "bounced_at", "complaint": "complained_at"}
_COUNTER = {"delivered": "delivered_count", "bounce": "bounced_count", "complaint": "complained_count"}


def _envid(record):
    tenant, _, recipient = (record.env_id or "").partition(".")
    if tenant.isdigit() and recipient.isdigit():
        return int(tenant), int(recipient)
    return None, None


def accounting_record_tenant_id(record, fleet=None):
    """The brand a record belongs to (see module doc), or None."""
    tenant_id, _ = _envid(record)
    if tenant_id is not None:
        return tenant_id
    ip = (fleet or FleetIndex()).ip_of(record)
    return ip[1] if ip else None


def accounting_brands(*, lines) -> set:
    """Every brand an accounting file writes to: each record's own brand (see module doc) and the
    brand of the fleet IP it was sent from (its daily figures). Who imports the file must be
    granted all of them."""
    fleet = FleetIndex()
    brands = set()
    for record in pmta_accounting_parse(lines):
        ip = fleet.ip_of(record)
        brands.add(_envid(record)[0])
        brands.add(ip[1] if ip else None)
    brands.discard(None)
    return brands


def campaign_accounting_handle(*, records, source_name="") -> dict:
    """The handler deliverability's import calls with new records (any schema; restored after)."""
    from tenants.models import Tenant

    fleet = FleetIndex()
    per_brand = defaultdict(list)
    for record in records:
        tenant_id = accounting_record_tenant_id(record, fleet)
        if tenant_id is not None:
            per_brand[tenant_id].append(record)
    totals = defaultdict(int)
    for tenant in Tenant.objects.filter(pk__in=list(per_brand)):
        with tenant_context(tenant):
            for key, value in _brand_records_apply(per_brand[tenant.pk], tenant_id=tenant.pk).items():
                totals[key] += value
    return dict(totals)


def _kind(record):
    if record.classification == "delivered":
        return "delivered"
    if record.classification == "complaint":
        return "complaint"
    if record.classification == "deferred":
        return "deferred"
    if record.is_bounce:
        return "bounce"
    return None


def _match(records, *, tenant_id):
    """[(record, recipient_id, campaign_id, contact_id)] and [(record, contact_id)] for unmatched contacts."""
    by_id, by_job = [], []
    for index, record in enumerate(records):
        env_tenant, recipient_id = _envid(record)
        if env_tenant == tenant_id:
            by_id.append((index, recipient_id))
        elif record.job_id.isdigit() and record.rcpt:
            by_job.append((index, int(record.job_id), record.rcpt))
    found = {}
    table = CampaignRecipient._meta.db_table
    with connection.cursor() as cursor:
        if by_id:
            cursor.execute(
                f"SELECT v.i, r.id, r.campaign_id, r.contact_id FROM unnest(%s::int[], %s::bigint[]) AS v(i, rid)"
                f" JOIN {table} r ON r.id = v.rid",
                [[i for i, _ in by_id], [rid for _, rid in by_id]],
            )
            found.update({row[0]: row[1:] for row in cursor.fetchall()})
        if by_job:
            cursor.execute(
                f"""SELECT v.i, r.id, r.campaign_id, r.contact_id
                    FROM unnest(%s::int[], %s::bigint[], %s::text[]) AS v(i, campaign_id, rcpt)
                    JOIN contacts_contact c ON c.email = v.rcpt
                    JOIN {table} r ON r.campaign_id = v.campaign_id AND r.contact_id = c.id""",
                [[i for i, _, _ in by_job], [c for _, c, _ in by_job], [e for _, _, e in by_job]],
            )
            found.update({row[0]: row[1:] for row in cursor.fetchall()})
        # Contacts of records without a recipient (e.g. a campaign from before this engine): by email.
        loose = [(i, r.rcpt) for i, r in enumerate(records) if i not in found and r.rcpt]
        by_email = {}
        if loose:
            cursor.execute("SELECT email, id FROM contacts_contact WHERE email = ANY(%s)", [[e for _, e in loose]])
            by_email = dict(cursor.fetchall())
    matched = [(records[i], *found[i]) for i in sorted(found)]
    contacts_only = [(records[i], by_email[e]) for i, e in loose if e in by_email]
    return matched, contacts_only


def _brand_records_apply(records, *, tenant_id) -> dict:
    from contacts.models import Contact, ContactEvent, Suppression
    from contacts.services.suppression import suppressions_insert

    matched, contacts_only = _match(records, tenant_id=tenant_id)
    result = defaultdict(int)
    recipients_table = CampaignRecipient._meta.db_table
    campaign_table = Campaign._meta.db_table
    campaign_deltas = defaultdict(lambda: defaultdict(int))
    events = []  # (contact_id, campaign_id, type, data, time)
    hard, complained, soft_contacts = set(), set(), set()

    with connection.cursor() as cursor:
        for kind, field in _FIRST_FIELD.items():
            rows = [(rid, r.time_logged) for r, rid, _, _ in matched if _kind(r) == kind]
            if not rows:
                continue
            cursor.execute(
                f"""UPDATE {recipients_table} r SET {field} = v.t
                    FROM (SELECT DISTINCT ON (id) id, t FROM unnest(%s::bigint[], %s::timestamptz[]) AS u(id, t)
                          ORDER BY id, t) v
                    WHERE r.id = v.id AND r.{field} IS NULL RETURNING r.campaign_id""",
                [[rid for rid, _ in rows], [t for _, t in rows]],
            )
            for (campaign_id,) in cursor.fetchall():
                campaign_deltas[campaign_id][_COUNTER[kind]] += 1
        for record, _, campaign_id, contact_id in matched:
            kind = _kind(record)
            if kind == "deferred":
                campaign_deltas[campaign_id]["deferred_count"] += 1
        for record, _recipient, campaign_id, contact_id in [*matched, *[(r, None, None, c) for r, c in contacts_only]]:
            kind = _kind(record)
            data = {"source": "pmta", "vmta": record.vmta}
            if kind == "delivered":
                events.append((contact_id, campaign_id, "delivered", data, record.time_logged))
            elif kind == "bounce":
                data.update(type=record.classification, category=record.bounce_cat, dsn=record.dsn_status,
                            diagnostic=record.dsn_diag[:300])
                events.append((contact_id, campaign_id, "bounced", data, record.time_logged))
                if record.classification == "hard":
                    hard.add(contact_id)
                elif record.classification in ("soft", "other"):
                    soft_contacts.add(contact_id)
            elif kind == "complaint":
                data.update(feedback_type=record.feedback_type)
                events.append((contact_id, campaign_id, "complained", data, record.time_logged))
                complained.add(contact_id)

        if events:
            import json

            cursor.execute(
                f"""INSERT INTO {ContactEvent._meta.db_table} (contact_id, campaign_id, event_type, event_data, timestamp)
                    SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::jsonb[], %s::timestamptz[])""",
                [[e[0] for e in events], [e[1] for e in events], [e[2] for e in events],
                 [json.dumps(e[3]) for e in events], [e[4] for e in events]],
            )
            result["events"] += len(events)

        if soft_contacts:
            cursor.execute(
                f"""SELECT contact_id FROM {ContactEvent._meta.db_table}
                    WHERE contact_id = ANY(%s) AND event_type = 'bounced'
                      AND event_data->>'type' IN ('soft', 'other')
                    GROUP BY contact_id HAVING count(*) >= %s""",
                [list(soft_contacts), SOFT_BOUNCES_TO_SUPPRESS],
            )
            hard.update(row[0] for row in cursor.fetchall())

        contact_table = Contact._meta.db_table
        for contacts, status, reason in ((complained, "complained", Suppression.Reason.COMPLAINT),
                                         (hard - complained, "bounced", Suppression.Reason.HARD_BOUNCE)):
            if not contacts:
                continue
            cursor.execute(
                f"""UPDATE {contact_table} SET status = %s, updated_at = now()
                    WHERE id = ANY(%s) AND status IN ('active', 'bounced') AND status <> %s""",
                [status, list(contacts), status],
            )
            result[f"contacts_{status}"] += cursor.rowcount
            result["suppressed"] += suppressions_insert(
                cursor, emails_sql=f"SELECT email FROM {contact_table} WHERE id = ANY(%s)", params=[list(contacts)],
                reason=reason, source="pmta accounting")

        for campaign_id, deltas in campaign_deltas.items():
            assignments = ", ".join(f"{name} = {name} + %s" for name in deltas)
            cursor.execute(f"UPDATE {campaign_table} SET {assignments}, updated_at = now() WHERE id = %s",
                           [*deltas.values(), campaign_id])
    result["matched"] += len(matched)
    return dict(result)
