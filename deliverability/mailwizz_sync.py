"""The MailWizz channel: keeping each brand's MailWizz fed and reading its results back.

Services (keyword-only; the tasks in `mailwizz_tasks`, the beat jobs in `mailwizz_beat` and the
`sync_mailwizz` command are thin wrappers around them):

- `mailwizz_contacts_push(*, tenant, full=False, chunk_size=None)`: new and changed deliverable
  contacts go to the brand's default list (`details[status]=confirmed`, EMAIL/FNAME/LNAME and
  the custom fields of `CUSTOM_FIELDS`, created on the list when missing); their
  `mailwizz_subscriber_id`/`mailwizz_list_id` are stored with one set-based UPDATE per chunk.
  Contacts no longer deliverable (unsubscribed, bounced, complained, suppressed, invalid) are
  unsubscribed in MailWizz. A per-contact refusal is recorded (`MailWizzContactError` and a
  `mailwizz_error` ContactEvent) and never stops the run. The cursor (contacts' `updated_at`)
  moves only when the run completes; an outage raises `MailWizzUnavailable` (the task retries
  with backoff) and leaves every contact not confirmed by MailWizz unsynced.
- `mailwizz_campaign_push(*, campaign_id, tenant=None)`: a `mailwizz` campaign's frozen audience
  grouped by template; per group one list, its subscribers, one campaign. Idempotent: the
  group's key and names are stored before each create call, so a retry reuses what exists and
  never creates a second list or campaign for a group.
- `mailwizz_results_pull(*, tenant)`: stats and unsubscribes of every pushed campaign group.
- `mailwizz_webhook_record(*, tenant, payload)`: MailWizz's per-campaign open/click webhook.
- `mailwizz_health_check(*, instance)`: a cheap authenticated call; the result is stored on
  the instance.

Settings (read at call time, all optional): MAILWIZZ_TIMEOUT (10 s), MAILWIZZ_MAX_RETRIES (4),
MAILWIZZ_BACKOFF (0.5 s), MAILWIZZ_SYNC_CHUNK (1000 contacts per bulk call and per stored
chunk), MAILWIZZ_CURSOR_OVERLAP_SECONDS (5), MAILWIZZ_RESULTS_DAYS (30).
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django_tenants.utils import tenant_context

from .mailwizz_client import BULK_SUBSCRIBERS_MAX, MailWizzClient, MailWizzError
from .mailwizz_state import MailWizzBrandSync, MailWizzCampaignGroup, MailWizzContactError
from .models import MailWizzInstance

logger = logging.getLogger("deliverability.mailwizz.sync")

# Our custom list fields: MailWizz tag -> label. EMAIL, FNAME and LNAME exist on every list.
CUSTOM_FIELDS = {
    "LANGUAGE": "Language",
    "CATEGORY": "Category",
    "COUNTRY": "Country",
    "COMPANY": "Company",
    "WEBSITE": "Website",
    "CITY": "City",
    "TAGS": "Tags",
}
BUILTIN_FIELDS = ("EMAIL", "FNAME", "LNAME")

# Template placeholders -> MailWizz tags, for campaign content.
PLACEHOLDER_TAGS = {
    "firstName": "[FNAME]",
    "lastName": "[LNAME]",
    "email": "[EMAIL]",
    "company": "[COMPANY]",
    "website": "[WEBSITE]",
    "city": "[CITY]",
    "country": "[COUNTRY]",
    "category": "[CATEGORY]",
    "unsubscribeUrl": "[UNSUBSCRIBE_URL]",
}

# Request-level refusals: the instance (keys, verb, quota) is wrong, not one contact.
_REFUSAL_STATUSES = (400, 401, 403)


class MailWizzSyncError(Exception):
    """Base of the sync's errors; the message is safe to show (never holds keys)."""


class MailWizzNotConfigured(MailWizzSyncError):
    """The brand has no active MailWizz instance with a URL and a key."""


class MailWizzUnavailable(MailWizzSyncError):
    """MailWizz is down or answering 5xx/timeouts: try again later (the tasks retry)."""


class MailWizzRefused(MailWizzSyncError):
    """MailWizz refused the request itself (auth, quota, wrong call): retrying will not help."""


def _setting(name: str, default):
    return getattr(settings, name, default)


def _error_from(exc: MailWizzError, *, doing: str) -> MailWizzSyncError:
    text = f"{doing}: {exc}"
    if exc.retryable:
        return MailWizzUnavailable(text)
    return MailWizzRefused(text)


def _is_contact_level(exc: MailWizzError) -> bool:
    """A 4xx that concerns one subscriber (422, 409, 404), as opposed to an outage or a refusal."""
    return not exc.retryable and exc.status is not None and exc.status not in _REFUSAL_STATUSES


def _db_now_and_safe_point():
    """(now, safe point) from the database clock.

    The safe point is now, or the start of the oldest transaction still open in this database
    if earlier: a contact written by that transaction commits later but carries an updated_at
    at or after its start, so a cursor at the safe point cannot skip it.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT clock_timestamp(), LEAST(clock_timestamp(), (
                   SELECT min(xact_start) FROM pg_stat_activity
                   WHERE datname = current_database() AND xact_start IS NOT NULL AND pid <> pg_backend_pid()))"""
        )
        return cursor.fetchone()


# --------------------------------------------------------------------------------------------
# Instances and clients


def mailwizz_instance_get(*, tenant_id: int) -> MailWizzInstance:
    """The brand's active, configured MailWizz instance; MailWizzNotConfigured otherwise."""
    instance = (
        MailWizzInstance.objects.filter(tenant_id=tenant_id, is_active=True)
        .exclude(base_url="")
        .exclude(api_public_key="")
        .order_by("pk")
        .first()
    )
    if instance is None:
        raise MailWizzNotConfigured(f"Brand {tenant_id} has no active MailWizz instance with a URL and an API key.")
    return instance


def mailwizz_client_for(*, instance: MailWizzInstance, max_retries: int | None = None) -> MailWizzClient:
    """A client for `instance` with the configured timeout, retries and backoff."""
    return MailWizzClient(
        base_url=instance.base_url,
        public_key=instance.api_public_key,
        private_key=instance.api_private_key or "",
        api_version=int(instance.api_version),
        timeout=float(_setting("MAILWIZZ_TIMEOUT", 10.0)),
        max_retries=int(_setting("MAILWIZZ_MAX_RETRIES", 4) if max_retries is None else max_retries),
        backoff=float(_setting("MAILWIZZ_BACKOFF", 0.5)),
    )


def _sender(tenant) -> dict[str, str]:
    return {
        "from_name": tenant.name,
        "from_email": f"{_setting('SENDER_LOCAL_PART', 'outreach')}@{tenant.brand_domain}",
        "reply_to": f"contact@{tenant.brand_domain}",
    }


def mailwizz_list_find(*, client: MailWizzClient, name: str) -> str | None:
    """The uid of the list named exactly `name`, or None."""
    for record in client.list_lists(per_page=100):
        general = record.get("general") or {}
        if general.get("name") == name:
            return str(general.get("list_uid"))
    return None


def mailwizz_list_fields_ensure(*, client: MailWizzClient, list_uid: str) -> tuple[set[str], list[str]]:
    """Create our custom fields missing on the list; return (tags the list has, tags created).

    A MailWizz older than 2.4 has no field API (404): the missing fields are then left out of
    the pushed data rather than failing the sync.
    """
    tags = {str(record.get("tag")) for record in client.list_fields(list_uid)}
    created = []
    for tag, label in CUSTOM_FIELDS.items():
        if tag in tags:
            continue
        try:
            client.create_field(list_uid, tag=tag, label=label)
        except MailWizzError as exc:
            if exc.status == 404:
                logger.warning("MailWizz list %s: cannot create field %s (%s)", list_uid, tag, exc)
                continue
            if exc.status == 422 and "already" in exc.message.lower():
                tags.add(tag)
                continue
            raise
        tags.add(tag)
        created.append(tag)
    return tags, created


def _default_list_ensure(*, tenant, instance: MailWizzInstance, client: MailWizzClient) -> str:
    """The instance's default list uid; created (or found by its name) and stored when empty."""
    if instance.default_list_id:
        return instance.default_list_id
    name = f"{tenant.name} contacts (Email Engine)"
    list_uid = mailwizz_list_find(client=client, name=name)
    if list_uid is None:
        list_uid = client.create_list(name=name, description=f"{tenant.name}: contacts pushed by Email Engine", **_sender(tenant))
    MailWizzInstance.objects.filter(pk=instance.pk).update(default_list_id=list_uid)
    instance.default_list_id = list_uid
    return list_uid


# --------------------------------------------------------------------------------------------
# Contacts -> MailWizz


@dataclass
class ContactRow:
    id: int
    email: str
    first_name: str
    last_name: str
    language: str | None
    category: str
    country: str
    company: str
    website: str
    city: str
    mailwizz_subscriber_id: str
    mailwizz_list_id: str
    updated_at: Any
    deliverable: bool
    tags: list[str]


_CONTACT_COLUMNS = """
    c.id, c.email, c.first_name, c.last_name, c.language, c.category, c.country, c.company, c.website, c.city,
    c.mailwizz_subscriber_id, c.mailwizz_list_id, c.updated_at,
    c.deliverable,
    ARRAY(SELECT t.slug FROM contacts_tag t WHERE t.id = ANY(c.tag_ids) ORDER BY t.slug) AS tags
"""


def subscriber_fields(*, row: ContactRow, available: set[str] | frozenset[str] = frozenset()) -> dict[str, str]:
    """The MailWizz field values of a contact (EMAIL, FNAME, LNAME and our custom fields).

    Custom fields the list lacks (`available` given and without them) are left out.
    """
    values = {
        "EMAIL": row.email,
        "FNAME": row.first_name or "",
        "LNAME": row.last_name or "",
        "LANGUAGE": row.language or "",
        "CATEGORY": row.category or "",
        "COUNTRY": row.country or "",
        "COMPANY": row.company or "",
        "WEBSITE": row.website or "",
        "CITY": row.city or "",
        "TAGS": ", ".join(row.tags or ()),
    }
    if available:
        values = {tag: value for tag, value in values.items() if tag in BUILTIN_FIELDS or tag in available}
    return values


def _contacts_page(*, tenant_id, list_uid, cursor, until, full, after_id, limit) -> list[ContactRow]:
    """The next contacts (by id) the run must look at, read in one statement.

    Picked: every contact when `full`; otherwise contacts updated after the cursor, plus
    deliverable contacts not yet in the default list (a long ingest transaction may commit rows
    older than the cursor). Contacts whose last push failed are left alone until they change.
    """
    sql = f"""
        SELECT {_CONTACT_COLUMNS}
        FROM contacts_contact c
        WHERE c.id > %(after)s AND c.updated_at <= %(until)s
          AND (
              %(full)s
              OR (%(cursor)s::timestamptz IS NULL OR c.updated_at >= %(cursor)s::timestamptz)
              OR (c.deliverable AND (c.mailwizz_list_id <> %(list)s OR c.mailwizz_subscriber_id = ''))
          )
          AND (%(full)s OR NOT EXISTS (
              SELECT 1 FROM {MailWizzContactError._meta.db_table} e
              WHERE e.tenant_id = %(tenant)s AND e.contact_id = c.id AND e.contact_updated_at >= c.updated_at))
        ORDER BY c.id
        LIMIT %(limit)s
    """
    params = {"after": after_id, "until": until, "full": full, "cursor": cursor, "list": list_uid,
              "tenant": tenant_id, "limit": limit}
    with connection.cursor() as db:
        db.execute(sql, params)
        return [ContactRow(*row) for row in db.fetchall()]


def contacts_mailwizz_ids_store(*, links: list[tuple[int, str, str]]) -> int:
    """Set (mailwizz_subscriber_id, mailwizz_list_id) of many contacts in one UPDATE.

    `links` is [(contact_id, subscriber_uid, list_uid)]. `updated_at` is left alone, so storing
    the ids does not make the contacts look changed to the next run.
    """
    if not links:
        return 0
    values = ", ".join(["(%s::bigint, %s::varchar, %s::varchar)"] * len(links))
    params = [item for link in links for item in link]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE contacts_contact AS c
                SET mailwizz_subscriber_id = v.uid, mailwizz_list_id = v.list_uid
                FROM (VALUES {values}) AS v(id, uid, list_uid)
                WHERE c.id = v.id""",
            params,
        )
        return cursor.rowcount


def _errors_record(*, tenant_id: int, failures: list[tuple[ContactRow, str]], now) -> None:
    """Record each contact's push error (replacing its previous one) and a `mailwizz_error` event."""
    if not failures:
        return
    from contacts.models import ContactEvent

    MailWizzContactError.objects.bulk_create(
        [
            MailWizzContactError(tenant_id=tenant_id, contact_id=row.id, email=row.email, message=message[:2000],
                                 contact_updated_at=row.updated_at, recorded_at=now)
            for row, message in failures
        ],
        update_conflicts=True,
        unique_fields=["tenant", "contact_id"],
        update_fields=["email", "message", "contact_updated_at", "recorded_at"],
    )
    ContactEvent.objects.bulk_create(
        [
            ContactEvent(contact_id=row.id, event_type="mailwizz_error", event_data={"error": message[:500]}, timestamp=now)
            for row, message in failures
        ]
    )


def _errors_clear(*, tenant_id: int, contact_ids: list[int]) -> None:
    if contact_ids:
        MailWizzContactError.objects.filter(tenant_id=tenant_id, contact_id__in=contact_ids).delete()


@dataclass
class ContactsPushReport:
    tenant: str
    list_uid: str = ""
    full: bool = False
    looked_at: int = 0
    added: int = 0
    linked_existing: int = 0
    updated: int = 0
    unsubscribed: int = 0
    suppressed_from_mailwizz: int = 0
    errors: int = 0
    fields_created: list[str] = field(default_factory=list)
    cursor_from: str | None = None
    cursor_to: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


class _ChunkOutcome:
    def __init__(self):
        self.links: list[tuple[int, str, str]] = []
        self.done_ids: list[int] = []
        self.failures: list[tuple[ContactRow, str]] = []
        self.suppress: list[str] = []


def _found_in_list(client, list_uid, row, available, outcome, report) -> None:
    """The email is already in the list: link it, and bring its fields up to date.

    A subscriber MailWizz holds as unsubscribed or blacklisted is never re-confirmed: the
    contact is suppressed here instead (MailWizz is where the person said no).
    """
    found = client.search_by_email(list_uid, row.email)
    if not found:
        outcome.failures.append((row, "MailWizz said the subscriber exists but cannot find it."))
        return
    uid = str(found.get("subscriber_uid"))
    outcome.links.append((row.id, uid, list_uid))
    outcome.done_ids.append(row.id)
    if str(found.get("status") or "") in ("unsubscribed", "blacklisted"):
        outcome.suppress.append(row.email)
        report.suppressed_from_mailwizz += 1
        return
    fields = subscriber_fields(row=row, available=available)
    fields.pop("EMAIL")
    client.update_subscriber(list_uid, uid, fields=fields)
    report.linked_existing += 1


def _contact_call(row, outcome, action, *args):
    """Run one per-contact call; a contact-level refusal becomes that contact's error."""
    try:
        action(*args)
    except MailWizzError as exc:
        if not _is_contact_level(exc):
            raise
        outcome.failures.append((row, str(exc)))


def _chunk_push(*, client, list_uid, rows, available, chunk_size, report) -> _ChunkOutcome:
    outcome = _ChunkOutcome()
    to_add, to_update, to_unsubscribe = [], [], []
    for row in rows:
        in_list = bool(row.mailwizz_subscriber_id) and row.mailwizz_list_id == list_uid
        if row.deliverable:
            (to_update if in_list else to_add).append(row)
        elif row.mailwizz_subscriber_id and row.mailwizz_list_id:
            to_unsubscribe.append(row)

    if to_add:
        payload = [subscriber_fields(row=row, available=available) for row in to_add]
        for results in client.iter_create_subscribers_bulk(list_uid, payload, status="confirmed", chunk_size=chunk_size):
            for result in results:
                row = to_add[result.index]
                if result.ok:
                    outcome.links.append((row.id, result.subscriber_uid, list_uid))
                    outcome.done_ids.append(row.id)
                    report.added += 1
                elif "already exists" in result.error_message.lower():
                    _contact_call(row, outcome, _found_in_list, client, list_uid, row, available, outcome, report)
                else:
                    outcome.failures.append((row, result.error_message or "MailWizz refused the subscriber."))

    for row in to_update:
        fields = subscriber_fields(row=row, available=available)
        try:
            client.update_subscriber(list_uid, row.mailwizz_subscriber_id, fields=fields)
        except MailWizzError as exc:
            if not _is_contact_level(exc):
                raise
            if exc.status in (404, 409) and "does not exist" in exc.message.lower():
                # Deleted in MailWizz: add it again.
                _contact_call(row, outcome, _readd, client, list_uid, row, available, outcome, report)
            else:
                outcome.failures.append((row, str(exc)))
            continue
        outcome.done_ids.append(row.id)
        report.updated += 1

    for row in to_unsubscribe:
        try:
            client.unsubscribe_subscriber(row.mailwizz_list_id, row.mailwizz_subscriber_id)
        except MailWizzError as exc:
            if not _is_contact_level(exc):
                raise
            if exc.status != 404:  # 404: not in MailWizz any more, nothing to unsubscribe
                outcome.failures.append((row, str(exc)))
                continue
        outcome.done_ids.append(row.id)
        report.unsubscribed += 1
    return outcome


def _readd(client, list_uid, row, available, outcome, report):
    fields = subscriber_fields(row=row, available=available)
    email = fields.pop("EMAIL")
    try:
        uid = client.create_subscriber(list_uid, email=email, fields=fields, status="confirmed")
    except MailWizzError as exc:
        if exc.status == 409 and "already exists" in exc.message.lower():
            _found_in_list(client, list_uid, row, available, outcome, report)
            return
        raise
    outcome.links.append((row.id, uid, list_uid))
    outcome.done_ids.append(row.id)
    report.added += 1


def _chunk_store(*, tenant_id: int, outcome: _ChunkOutcome, report: ContactsPushReport) -> None:
    from contacts.models import Suppression
    from contacts.services.suppression import suppressions_add

    now = timezone.now()
    with transaction.atomic():
        contacts_mailwizz_ids_store(links=outcome.links)
        _errors_clear(tenant_id=tenant_id, contact_ids=outcome.done_ids)
        _errors_record(tenant_id=tenant_id, failures=outcome.failures, now=now)
        suppressions_add(emails=outcome.suppress, reason=Suppression.Reason.UNSUBSCRIBED, source="mailwizz")
    report.errors += len(outcome.failures)


def _brand_state(tenant) -> MailWizzBrandSync:
    state, _ = MailWizzBrandSync.objects.get_or_create(tenant=tenant)
    return state


def mailwizz_contacts_push(*, tenant, full: bool = False, chunk_size: int | None = None,
                           on_chunk=None) -> ContactsPushReport:
    """Push the brand's new and changed contacts to its MailWizz default list (see module doc).

    `on_chunk(n)` is called after each chunk with the number of contacts it looked at (progress).

    Raises MailWizzNotConfigured, MailWizzUnavailable (outage: retry later) or MailWizzRefused
    (keys or quota: fix the instance). Each chunk MailWizz confirmed is stored before the next
    one starts; the cursor only moves after the whole run.
    """
    chunk_size = int(chunk_size or _setting("MAILWIZZ_SYNC_CHUNK", 1000))
    if not 1 <= chunk_size <= BULK_SUBSCRIBERS_MAX:
        raise ValueError(f"chunk_size must be between 1 and {BULK_SUBSCRIBERS_MAX}")
    with tenant_context(tenant):
        state = _brand_state(tenant)
        instance = mailwizz_instance_get(tenant_id=tenant.pk)
        until, safe_point = _db_now_and_safe_point()
        MailWizzBrandSync.objects.filter(pk=state.pk).update(contacts_last_run_at=until)
        cursor = None if full else state.contacts_cursor
        report = ContactsPushReport(tenant=tenant.slug, full=full, cursor_from=cursor.isoformat() if cursor else None)
        client = mailwizz_client_for(instance=instance)
        doing = "pushing contacts to MailWizz"
        try:
            list_uid = _default_list_ensure(tenant=tenant, instance=instance, client=client)
            report.list_uid = list_uid
            available, report.fields_created = mailwizz_list_fields_ensure(client=client, list_uid=list_uid)
            after_id = 0
            while True:
                rows = _contacts_page(tenant_id=tenant.pk, list_uid=list_uid, cursor=cursor, until=until, full=full,
                                      after_id=after_id, limit=chunk_size)
                if not rows:
                    break
                report.looked_at += len(rows)
                outcome = _chunk_push(client=client, list_uid=list_uid, rows=rows, available=available,
                                      chunk_size=chunk_size, report=report)
                _chunk_store(tenant_id=tenant.pk, outcome=outcome, report=report)
                after_id = rows[-1].id
                if on_chunk is not None:
                    on_chunk(len(rows))
        except MailWizzError as exc:
            error = _error_from(exc, doing=doing)
            MailWizzBrandSync.objects.filter(pk=state.pk).update(contacts_last_error=str(error)[:2000])
            logger.warning("brand %s: %s", tenant.slug, error)
            raise error from exc
        finally:
            client.close()

        # A small margin: Django computes updated_at a moment before its statement's transaction starts.
        overlap = timedelta(seconds=int(_setting("MAILWIZZ_CURSOR_OVERLAP_SECONDS", 5)))
        new_cursor = safe_point - overlap
        if state.contacts_cursor is not None and state.contacts_cursor > new_cursor:
            new_cursor = state.contacts_cursor
        report.cursor_to = new_cursor.isoformat()
        MailWizzBrandSync.objects.filter(pk=state.pk).update(
            contacts_cursor=new_cursor, contacts_last_success_at=timezone.now(), contacts_last_error="",
            contacts_last_report=report.as_dict(),
        )
        logger.info("brand %s: MailWizz contacts push %s", tenant.slug, report.as_dict())
        return report


# --------------------------------------------------------------------------------------------
# Campaign -> MailWizz


class _MailWizzValues(dict):
    """Placeholder values that render our placeholders as MailWizz tags.

    `custom.KEY` placeholders have no MailWizz field: they take their fallback, and one without
    a fallback fails the render (MissingVariable), as for an SMTP recipient.
    """

    def get(self, key, default=None):
        return PLACEHOLDER_TAGS.get(key, default)


_UNSUBSCRIBE_FOOTER = (
    '<p style="font-size:12px;color:#888888;text-align:center">'
    '<a href="[UNSUBSCRIBE_URL]" style="color:#888888">Unsubscribe</a></p>'
)


def campaign_mailwizz_content(*, template) -> tuple[str, str, str]:
    """(subject, html, text) of `template` with placeholders turned into MailWizz tags.

    MailWizz wants an unsubscribe link in every campaign: one is added before `</body>` when
    the template does not place `{unsubscribeUrl}` itself.
    """
    from templates_app.selectors import template_compiled

    message = template_compiled(template=template).render(_MailWizzValues())
    html, text = message.html, message.text
    if "[UNSUBSCRIBE_URL]" not in html:
        lower = html.lower()
        at = lower.rfind("</body>")
        html = html[:at] + _UNSUBSCRIBE_FOOTER + html[at:] if at >= 0 else html + _UNSUBSCRIBE_FOOTER
        text = f"{text}\n\nUnsubscribe: [UNSUBSCRIBE_URL]"
    return message.subject, html, text


def group_key(*, tenant_id: int, campaign_id: int, template_id: int) -> str:
    """The idempotency key of one (campaign, template) group; MailWizz names derive from it."""
    return f"ee-{tenant_id}-c{campaign_id}-t{template_id}"


def _campaign_audience_groups(*, campaign) -> dict[int, list[int]]:
    """{template_id: [contact ids]} of the frozen audience, filling in recipients' template_id.

    Recipients without a template id take the selection chain's answer for their contact's
    language and category (or the pinned template); one no template answers is skipped.
    """
    from campaigns.models import CampaignRecipient, RecipientStatus
    from templates_app.selectors import TemplateNotFound, template_chain_resolver

    recipients = CampaignRecipient.objects.filter(campaign_id=campaign.pk).exclude(status=RecipientStatus.SKIPPED)
    rows = list(recipients.values_list("id", "contact_id", "template_id", "language", "contact__category"))
    resolver = None
    groups: dict[int, list[int]] = {}
    to_fill: dict[int, list[int]] = {}
    unresolved: list[int] = []
    for recipient_id, contact_id, template_id, language, category in rows:
        if template_id is None:
            if resolver is None:
                resolver = template_chain_resolver(pinned_template_id=campaign.template_id)
            try:
                template_id = resolver.resolve(language=language, category=category or None).template.pk
            except TemplateNotFound:
                unresolved.append(recipient_id)
                continue
            to_fill.setdefault(template_id, []).append(recipient_id)
        groups.setdefault(template_id, []).append(contact_id)
    for template_id, ids in to_fill.items():
        CampaignRecipient.objects.filter(pk__in=ids).update(template_id=template_id)
    if unresolved:
        CampaignRecipient.objects.filter(pk__in=unresolved).update(
            status=RecipientStatus.SKIPPED, reason="no template for this language and category")
    return groups


def _group_subscribers_add(*, client, group, contact_ids, available) -> None:
    from contacts.models import Contact

    added = errors = 0
    chunk = int(_setting("MAILWIZZ_SYNC_CHUNK", 1000))
    for start in range(0, len(contact_ids), chunk):
        ids = contact_ids[start:start + chunk]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {_CONTACT_COLUMNS} FROM {Contact._meta.db_table} c WHERE c.id = ANY(%s) ORDER BY c.id",
                           [ids])
            rows = [ContactRow(*row) for row in cursor.fetchall()]
        payload = [subscriber_fields(row=row, available=available) for row in rows if row.deliverable]
        if not payload:
            continue
        for results in client.iter_create_subscribers_bulk(group.list_uid, payload, status="confirmed"):
            for result in results:
                # Already in the list = added by an earlier, interrupted attempt.
                if result.ok or "already exists" in result.error_message.lower():
                    added += 1
                else:
                    errors += 1
    group.subscribers_added = added
    group.subscriber_errors = errors


@dataclass
class CampaignPushResult:
    campaign_id: int
    groups: list[dict]
    problems: list[str]

    @property
    def complete(self) -> bool:
        return not self.problems and all(g["state"] == MailWizzCampaignGroup.State.CREATED for g in self.groups)


def mailwizz_campaign_push(*, campaign_id: int, tenant=None) -> CampaignPushResult:
    """Create (or finish creating) the MailWizz lists and campaigns of a `mailwizz` campaign.

    Runs in the campaign's brand schema (`tenant`, default the connection's). Call it outside a
    transaction (e.g. from the `deliverability.mailwizz_campaign_push` task queued on commit):
    each step's key is committed before MailWizz is called. A group whose campaign creation may
    have been applied without us learning its uid is marked `uncertain` and reported, never
    created twice. Raises MailWizzUnavailable (retry later), MailWizzRefused, MailWizzSyncError.
    """
    from campaigns.models import Campaign, Channel
    from templates_app.models import EmailTemplate
    from templates_app.rendering import MissingVariable

    tenant = tenant or connection.tenant
    with tenant_context(tenant):
        campaign = Campaign.objects.get(pk=campaign_id)
        if campaign.channel != Channel.MAILWIZZ:
            raise MailWizzSyncError(f"Campaign {campaign_id} is not a MailWizz campaign (channel {campaign.channel}).")
        instance = mailwizz_instance_get(tenant_id=tenant.pk)
        audience = _campaign_audience_groups(campaign=campaign)
        templates = EmailTemplate.objects.in_bulk(list(audience))
        sender = _sender(tenant)
        sender["from_name"] = campaign.from_name or tenant.name
        sender["reply_to"] = campaign.reply_to or sender["reply_to"]
        problems: list[str] = []
        groups: list[MailWizzCampaignGroup] = []
        State = MailWizzCampaignGroup.State
        client = mailwizz_client_for(instance=instance)
        try:
            for template_id in sorted(audience):
                template = templates[template_id]
                key = group_key(tenant_id=tenant.pk, campaign_id=campaign.pk, template_id=template_id)
                group, _ = MailWizzCampaignGroup.objects.get_or_create(
                    tenant=tenant, campaign_id=campaign.pk, template_id=template_id,
                    defaults={
                        "idempotency_key": key,
                        "list_name": f"{campaign.name[:120]} [{key}]",
                        "campaign_name": f"{campaign.name[:120]} - {template.language}/{template.category or 'general'} [{key}]",
                        "recipients_count": len(audience[template_id]),
                    },
                )
                groups.append(group)
                if group.state in (State.CREATED, State.UNCERTAIN):
                    if group.state == State.UNCERTAIN:
                        problems.append(f"group {key}: {group.last_error}")
                    continue
                try:
                    subject, html, text = campaign_mailwizz_content(template=template)
                except MissingVariable as exc:
                    message = f"template {template_id} cannot be sent through MailWizz: {exc}"
                    MailWizzCampaignGroup.objects.filter(pk=group.pk).update(last_error=message)
                    problems.append(f"group {key}: {message}")
                    continue
                _group_push(client=client, group=group, campaign=campaign, subject=subject, html=html, text=text,
                            sender=sender, contact_ids=audience[template_id])
                if group.state == State.UNCERTAIN:
                    problems.append(f"group {key}: {group.last_error}")
        except MailWizzError as exc:
            raise _error_from(exc, doing=f"pushing campaign {campaign_id} to MailWizz") from exc
        finally:
            client.close()
        created = [g for g in groups if g.state == State.CREATED]
        if created and not campaign.mailwizz_campaign_id:
            Campaign.objects.filter(pk=campaign.pk, mailwizz_campaign_id="").update(
                mailwizz_campaign_id=created[0].campaign_uid)
        return CampaignPushResult(
            campaign_id=campaign.pk,
            groups=[{"template_id": g.template_id, "state": g.state, "list_uid": g.list_uid,
                     "campaign_uid": g.campaign_uid, "recipients": g.recipients_count,
                     "subscribers_added": g.subscribers_added, "subscriber_errors": g.subscriber_errors}
                    for g in groups],
            problems=problems,
        )


def _group_save(group, *fields):
    group.save(update_fields=[*fields, "updated_at"])


def _group_push(*, client, group, campaign, subject, html, text, sender, contact_ids) -> None:
    State = MailWizzCampaignGroup.State
    if not group.list_uid:
        list_uid = mailwizz_list_find(client=client, name=group.list_name) if group.list_requested_at else None
        if list_uid is None:
            group.list_requested_at = timezone.now()
            _group_save(group, "list_requested_at")  # the key is stored before MailWizz is asked
            list_uid = client.create_list(name=group.list_name, subject=subject,
                                          description=f"Email Engine campaign {campaign.pk}", **sender)
        group.list_uid = list_uid
        group.state = State.LIST_READY
        _group_save(group, "list_uid", "state")
    if group.state == State.LIST_READY:
        available, _ = mailwizz_list_fields_ensure(client=client, list_uid=group.list_uid)
        _group_subscribers_add(client=client, group=group, contact_ids=contact_ids, available=available)
        group.state = State.SUBSCRIBERS_ADDED
        _group_save(group, "subscribers_added", "subscriber_errors", "state")
    if group.state == State.SUBSCRIBERS_ADDED and not group.campaign_uid:
        if group.campaign_requested_at is not None:
            group.state = State.UNCERTAIN
            group.last_error = (
                f"A MailWizz campaign named {group.campaign_name!r} may exist already (an earlier attempt was "
                "interrupted before its uid was stored). Check MailWizz, then set campaign_uid and state "
                "'created' on this group, or clear campaign_requested_at and state 'subscribers_added' to create it."
            )
            _group_save(group, "state", "last_error")
            return
        group.campaign_requested_at = timezone.now()
        _group_save(group, "campaign_requested_at")  # the key is stored before MailWizz is asked
        try:
            campaign_uid = client.create_campaign(
                name=group.campaign_name, list_uid=group.list_uid, subject=subject, html=html, plain_text=text,
                send_at=campaign.scheduled_at, url_tracking=campaign.tracking_enabled, **sender,
            )
        except MailWizzError as exc:
            if exc.status is not None or "may have been applied" not in exc.message:
                # MailWizz answered (or was never reached): nothing was created, a retry may create it.
                group.campaign_requested_at = None
                group.last_error = str(exc)[:2000]
                _group_save(group, "campaign_requested_at", "last_error")
            raise
        group.campaign_uid = campaign_uid
        group.state = State.CREATED
        group.last_error = ""
        _group_save(group, "campaign_uid", "state", "last_error")


# --------------------------------------------------------------------------------------------
# Results <- MailWizz

STAT_COUNTERS = {
    # Campaign counter: MailWizz stats field (summed over the campaign's groups)
    "sent_count": "processed_count",
    "delivered_count": "delivery_success_count",
    "opened_count": "unique_opens_count",
    "clicked_count": "unique_clicks_count",
    "bounced_count": "bounces_count",
    "unsubscribed_count": "unsubscribes_count",
    "complained_count": "complaints_count",
}


def contacts_unsubscribed_from_mailwizz(*, campaign_id: int, emails: list[str], source: str) -> int:
    """Suppress emails that unsubscribed in MailWizz (new ones only); returns how many were new.

    Each new one gets a Suppression (its contact becomes `unsubscribed`), an `unsubscribed`
    ContactEvent for the campaign and the recipient's `unsubscribed_at`.
    """
    from campaigns.models import CampaignRecipient
    from contacts.models import Contact, ContactEvent, Suppression
    from contacts.services.normalization import emails_normalize_valid
    from contacts.services.suppression import suppressions_add

    normalized = emails_normalize_valid(emails)
    known = set(Suppression.objects.filter(email__in=normalized).values_list("email", flat=True))
    new = sorted(normalized - known)
    if not new:
        return 0
    now = timezone.now()
    with transaction.atomic():
        suppressions_add(emails=new, reason=Suppression.Reason.UNSUBSCRIBED, source=source)
        contact_ids = list(Contact.objects.filter(email__in=new).values_list("pk", flat=True))
        ContactEvent.objects.bulk_create(
            [ContactEvent(contact_id=pk, campaign_id=campaign_id, event_type="unsubscribed",
                          event_data={"source": "mailwizz"}, timestamp=now) for pk in contact_ids])
        CampaignRecipient.objects.filter(campaign_id=campaign_id, contact_id__in=contact_ids,
                                         unsubscribed_at__isnull=True).update(unsubscribed_at=now)
    return len(new)


def mailwizz_results_pull(*, tenant) -> dict:
    """Pull stats and unsubscribes of the brand's MailWizz campaign groups into our figures.

    Counters take MailWizz's totals summed over a campaign's groups, never going down (webhook
    events may have counted some first). Groups created more than MAILWIZZ_RESULTS_DAYS ago
    are left alone.
    """
    from campaigns.models import Campaign

    days = int(_setting("MAILWIZZ_RESULTS_DAYS", 30))
    with tenant_context(tenant):
        instance = mailwizz_instance_get(tenant_id=tenant.pk)
        groups = list(
            MailWizzCampaignGroup.objects.filter(tenant=tenant, created_at__gte=timezone.now() - timedelta(days=days))
            .exclude(campaign_uid="")
            .order_by("campaign_id", "template_id")
        )
        report = {"groups": 0, "campaigns": 0, "new_unsubscribes": 0}
        client = mailwizz_client_for(instance=instance)
        try:
            for group in groups:
                stats = client.campaign_stats(group.campaign_uid)
                unsubscribes = list(client.campaign_unsubscribes(group.campaign_uid))
                report["new_unsubscribes"] += contacts_unsubscribed_from_mailwizz(
                    campaign_id=group.campaign_id, emails=[u.email for u in unsubscribes if u.email],
                    source=f"mailwizz campaign {group.campaign_uid}")
                group.stats = {k: v for k, v in asdict(stats).items() if k != "raw"}
                group.stats_pulled_at = timezone.now()
                group.unsubscribes_seen = len(unsubscribes)
                _group_save(group, "stats", "stats_pulled_at", "unsubscribes_seen")
                report["groups"] += 1
        except MailWizzError as exc:
            raise _error_from(exc, doing="pulling MailWizz results") from exc
        finally:
            client.close()
        by_campaign: dict[int, dict[str, int]] = {}
        for group in groups:
            if group.stats_pulled_at is None:
                continue
            totals = by_campaign.setdefault(group.campaign_id, dict.fromkeys(STAT_COUNTERS, 0))
            for counter, stat in STAT_COUNTERS.items():
                totals[counter] += int(group.stats.get(stat) or 0)
        for campaign_id, totals in by_campaign.items():
            Campaign.objects.filter(pk=campaign_id).update(
                **{counter: Greatest(F(counter), Value(total)) for counter, total in totals.items()})
        report["campaigns"] = len(by_campaign)
        MailWizzBrandSync.objects.update_or_create(tenant=tenant, defaults={"results_pulled_at": timezone.now()})
        return report


# --------------------------------------------------------------------------------------------
# Webhook (MailWizz's per-campaign open/click webhook; unsigned, so a per-brand URL token)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def mailwizz_webhook_token_rotate(*, tenant) -> str:
    """A new webhook token for the brand (only its hash is kept); the old one stops working."""
    token = secrets.token_urlsafe(32)
    MailWizzBrandSync.objects.update_or_create(tenant=tenant, defaults={"webhook_token_hash": _token_hash(token)})
    return token


def mailwizz_webhook_token_valid(*, tenant, token: str) -> bool:
    stored = MailWizzBrandSync.objects.filter(tenant=tenant).values_list("webhook_token_hash", flat=True).first()
    if not stored or not token:
        return False
    return hmac.compare_digest(stored, _token_hash(token))


class WebhookPayloadError(ValueError):
    """The body is not MailWizz's webhook JSON; the message says what is missing."""


_EVENT_TYPES = {"open": "opened", "opened": "opened", "click": "clicked", "clicked": "clicked"}


def _webhook_parse(payload) -> tuple[str, str, str, dict]:
    if not isinstance(payload, dict):
        raise WebhookPayloadError("The body must be a JSON object.")
    event = payload.get("event") if isinstance(payload.get("event"), dict) else {}
    subscriber = ((payload.get("subscriber") or {}).get("attributes") or {}) if isinstance(payload.get("subscriber"), dict) else {}
    campaign = ((payload.get("campaign") or {}).get("attributes") or {}) if isinstance(payload.get("campaign"), dict) else {}
    kind = _EVENT_TYPES.get(str(event.get("type") or "").strip().lower())
    if kind is None:
        raise WebhookPayloadError("event.type must be open or click.")
    email = str(subscriber.get("email") or "").strip()
    campaign_uid = str(campaign.get("campaign_uid") or "").strip()
    if not email or not campaign_uid:
        raise WebhookPayloadError("subscriber.attributes.email and campaign.attributes.campaign_uid are required.")
    data = {"source": "mailwizz", "campaign_uid": campaign_uid}
    if event.get("clicked_url"):
        data["url"] = str(event["clicked_url"])[:2000]
    if event.get("date_added"):
        data["date_added"] = str(event["date_added"])[:40]
    return kind, email, campaign_uid, data


def mailwizz_webhook_record(*, tenant, payload) -> dict:
    """Record one MailWizz open/click event: a ContactEvent, the recipient's first open/click
    time and, on a first one, the campaign's counter. MailWizz retries a webhook up to 5
    times: the same event (type, contact, campaign, date, URL) is recorded once.

    Returns {"recorded": bool, "reason": ...}; raises WebhookPayloadError on a malformed body.
    """
    from campaigns.models import Campaign, CampaignRecipient
    from contacts.models import Contact, ContactEvent
    from contacts.services.normalization import InvalidEmail, email_normalize

    kind, email, campaign_uid, data = _webhook_parse(payload)
    group = MailWizzCampaignGroup.objects.filter(tenant=tenant, campaign_uid=campaign_uid).first()
    if group is None:
        return {"recorded": False, "reason": "unknown campaign"}
    with tenant_context(tenant):
        try:
            contact = Contact.objects.filter(email=email_normalize(email)).first()
        except InvalidEmail:
            contact = None
        if contact is None:
            return {"recorded": False, "reason": "unknown contact"}
        with transaction.atomic():
            if ContactEvent.objects.filter(contact=contact, campaign_id=group.campaign_id, event_type=kind,
                                           event_data=data).exists():
                return {"recorded": False, "reason": "duplicate"}
            now = timezone.now()
            ContactEvent.objects.create(contact=contact, campaign_id=group.campaign_id, event_type=kind,
                                        event_data=data, timestamp=now)
            recipients = CampaignRecipient.objects.filter(campaign_id=group.campaign_id, contact=contact)
            counters = {}
            if recipients.filter(opened_at__isnull=True).update(opened_at=now):
                counters["opened_count"] = F("opened_count") + 1
            if kind == "clicked" and recipients.filter(clicked_at__isnull=True).update(clicked_at=now):
                counters["clicked_count"] = F("clicked_count") + 1
            if counters:
                Campaign.objects.filter(pk=group.campaign_id).update(**counters)
        return {"recorded": True, "event": kind, "campaign_id": group.campaign_id, "contact_id": contact.pk}


# --------------------------------------------------------------------------------------------
# Health


def mailwizz_health_check(*, instance: MailWizzInstance) -> tuple[bool, str]:
    """Ping the instance (one retry) and store last_health_check/_ok/_error on it."""
    if not instance.base_url or not instance.api_public_key:
        ok, error = False, "Not configured: base URL and API key are required."
    else:
        try:
            with mailwizz_client_for(instance=instance, max_retries=1) as client:
                client.ping()
            ok, error = True, ""
        except MailWizzError as exc:
            ok, error = False, str(exc)[:1000]
        except ValueError as exc:  # e.g. a 1.x instance without its private key
            ok, error = False, str(exc)[:1000]
    MailWizzInstance.objects.filter(pk=instance.pk).update(
        last_health_check=timezone.now(), last_health_ok=ok, last_health_error=error)
    return ok, error


def mailwizz_health_check_all() -> dict[str, bool]:
    """Check every active instance; {instance name: ok}."""
    return {
        f"{instance.tenant_id}:{instance.name}": mailwizz_health_check(instance=instance)[0]
        for instance in MailWizzInstance.objects.filter(is_active=True).order_by("pk")
    }
