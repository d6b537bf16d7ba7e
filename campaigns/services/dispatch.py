"""Dispatch: claim a chunk of recipients, render, reserve quota, send, record.

Exactly once
------------
* A chunk is claimed with one `UPDATE ... WHERE status = 'queued' AND claim_token IS NULL
  ... FOR UPDATE SKIP LOCKED RETURNING`: two workers never hold the same recipient.
* Each recipient is marked `sending` (committed) right before its SMTP transaction, and
  `sent` right after it. Both marks travel in one statement (the previous recipient's
  result with the next recipient's `sending` mark), so sending costs one round trip to the
  database per message.
* If the worker dies, its `sending` row (at most one per relay connection) is marked
  `failed`/`interrupted` by the recovery job and never sent again; its other claimed rows
  are released after the lease and sent by a later run (see services.recovery).
* A relay that cannot take the message (connection refused, 4xx after the retries) puts the
  recipient back in the queue: nothing lost, nothing doubled.

Waiting
-------
Outside its sending window, over its daily cap, or when the brand's quota is used up for
today, a campaign stays `sending` with `waiting_until` / `waiting_reason` and dispatch is
enqueued again for that time (the recovery job is the backstop).
"""
from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone as dt_timezone

import psycopg
from django.conf import settings
from django.db import connection
from django.utils import timezone

from templates_app import rendering
from templates_app.selectors import TemplateNotFound, template_chain_resolver

from ..composition import MessageComposer
from ..logic.window import window_is_set, window_next_check, window_open_countries
from ..models import INTERRUPTED, Campaign, CampaignRecipient, CampaignStatus, Channel
from ..relay import MessageWithdrawn, RecipientRefused, RelayUnavailable, RelayUncertain, relay_open
from .lifecycle import campaign_complete_if_done
from .recording import campaign_results_record

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500
RUN_SECONDS = 50.0
HEARTBEAT_SECONDS = 30.0
PARALLEL_CHAINS = 2
RELAY_CONNECTIONS = 4
RELAY_RETRY_SECONDS = 60

CONTINUE, DONE, WAIT, STOPPED = "continue", "done", "wait", "stopped"


@dataclass
class DispatchOutcome:
    next: str = DONE
    wait_until: datetime | None = None
    reason: str = ""
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    chunks: int = 0


@dataclass
class _Item:
    recipient_id: int
    contact_id: int
    email: str
    choice: object = None
    rendered: object = None
    unsubscribe_url: str = ""
    reservation: object = None


@dataclass
class _Chunk:
    token: uuid.UUID
    items: list = field(default_factory=list)


def _r():
    return CampaignRecipient._meta.db_table


# ------------------------------------------------------------------------------------------
# Claims
# ------------------------------------------------------------------------------------------


def _claim(*, campaign: Campaign, token, limit: int, tenant) -> list[tuple[int, int]]:
    """Claim up to `limit` queued recipients for this run: [(recipient id, contact id)]."""
    params = {"campaign": campaign.pk, "token": token, "limit": limit}
    window = ""
    if window_is_set(hour_start=campaign.send_hour_start, hour_end=campaign.send_hour_end, days=campaign.send_days):
        from ..logic.window import country_time_zones

        open_countries, brand_open = window_open_countries(
            now=timezone.now(), brand_time_zone=tenant.time_zone, hour_start=campaign.send_hour_start,
            hour_end=campaign.send_hour_end, days=campaign.send_days,
        )
        window = ("AND EXISTS (SELECT 1 FROM contacts_contact c WHERE c.id = q.contact_id AND ("
                  "upper(c.country) = ANY(%(open)s) OR (%(brand_open)s AND NOT (upper(c.country) = ANY(%(known)s)))))")
        params.update(open=open_countries, brand_open=brand_open, known=sorted(country_time_zones()))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {_r()} r SET claim_token = %(token)s, claimed_at = now()
                FROM (SELECT q.id FROM {_r()} q
                      WHERE q.campaign_id = %(campaign)s AND q.status = 'queued' AND q.claim_token IS NULL {window}
                      ORDER BY q.id LIMIT %(limit)s FOR UPDATE OF q SKIP LOCKED) picked
                WHERE r.id = picked.id
                RETURNING r.id, r.contact_id""",
            params,
        )
        return sorted(cursor.fetchall())


def _release(*, token, recipient_ids=None) -> None:
    """Give claimed, still queued rows back to the queue."""
    with connection.cursor() as cursor:
        if recipient_ids is None:
            cursor.execute(f"UPDATE {_r()} SET claim_token = NULL, claimed_at = NULL"
                           " WHERE claim_token = %s AND status = 'queued'", [token])
        elif recipient_ids:
            cursor.execute(f"UPDATE {_r()} SET claim_token = NULL, claimed_at = NULL"
                           " WHERE claim_token = %s AND status = 'queued' AND id = ANY(%s)", [token, list(recipient_ids)])


def _skip(*, token, skips: list[tuple[int, str]]) -> None:
    if not skips:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {_r()} r SET status = 'skipped', reason = v.reason
                FROM unnest(%s::bigint[], %s::text[]) AS v(id, reason)
                WHERE r.id = v.id AND r.claim_token = %s AND r.status = 'queued'""",
            [[rid for rid, _ in skips], [reason[:255] for _, reason in skips], token],
        )


_MARK_ONE = """UPDATE {r} r SET status = v.status, reason = v.reason,
    sending_at = CASE WHEN v.status = 'sending' THEN now() ELSE r.sending_at END,
    sent_at = CASE WHEN v.status = 'sent' THEN now() ELSE r.sent_at END,
    ip_id = COALESCE(v.ip_id, r.ip_id), ip_address = COALESCE(v.ip_address, r.ip_address),
    vmta = COALESCE(v.vmta, r.vmta), message_id = COALESCE(v.message_id, r.message_id),
    template_id = COALESCE(v.template_id, r.template_id), language = COALESCE(v.language, r.language)
  FROM (VALUES {values}) AS v(id, status, reason, ip_id, ip_address, vmta, message_id, template_id, language)
  WHERE r.id = v.id AND r.claim_token = %s
    AND r.status = CASE WHEN v.status IN ('sending', 'queued') THEN 'queued' ELSE 'sending' END
  RETURNING r.id, r.status"""
_VALUE = "(%s::bigint, %s::text, %s::text, %s::bigint, %s::text, %s::text, %s::text, %s::bigint, %s::text)"


def _mark(cursor, *, token, done=(), sending=()) -> dict[int, str]:
    """One statement (one commit): results of the previous round and `sending` for the next.

    `done` is [(recipient id, status, reason)], `sending` is [(item, message id)]; returns
    {recipient id: status} for the rows that were still ours.
    """
    params = []
    for recipient_id, status, reason in done:
        params += [recipient_id, status, reason[:255], None, None, None, None, None, None]
    for item, message_id in sending:
        reservation = item.reservation
        params += [item.recipient_id, "sending", "", reservation.ip_id, reservation.address, reservation.vmta,
                   message_id, item.choice.template.pk, item.rendered.language]
    rows = len(done) + len(sending)
    if not rows:
        return {}
    sql = _MARK_ONE.format(r=_r(), values=", ".join([_VALUE] * rows))
    cursor.execute(sql, params + [token], prepare=True)
    return dict(cursor.fetchall())


# ------------------------------------------------------------------------------------------
# One chunk
# ------------------------------------------------------------------------------------------


class _Context:
    """What a dispatch run loads once: brand, campaign, templates, composer, relay."""

    def __init__(self, *, tenant, campaign: Campaign, relays, pool):
        self.tenant = tenant
        self.campaign = campaign
        self.relays = relays
        self.pool = pool
        self.resolver = template_chain_resolver(pinned_template_id=campaign.template_id)
        self.composer = MessageComposer(
            tenant_id=tenant.pk, brand_name=tenant.name, brand_domain=tenant.brand_domain, campaign_id=campaign.pk,
            from_name=campaign.from_name, reply_to=campaign.reply_to, tracking=campaign.tracking_enabled,
            links=campaign.links, base_url=settings.PUBLIC_BASE_URL, local_part=settings.SENDER_LOCAL_PART,
            eight_bit=all(relay.supports_8bit() for relay in relays),
        )


def _contacts(contact_ids):
    from contacts.models import Contact

    fields = ("id", "email", "first_name", "last_name", "company", "website", "city", "country", "category",
              "language", "custom_fields", "status")
    rows = Contact.objects.filter(pk__in=contact_ids).values_list(*fields).order_by()
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.id FROM contacts_contact c JOIN contacts_suppression s ON s.email = c.email"
                       " WHERE c.id = ANY(%s)", [list(contact_ids)])
        suppressed = {row[0] for row in cursor.fetchall()}
    return {row[0]: dict(zip(fields, row)) for row in rows}, suppressed


class _Values:
    """Attribute access over a contact row for rendering.contact_values."""

    __slots__ = ("__dict__",)

    def __init__(self, row):
        self.__dict__ = row


def _prepare(context: _Context, claimed) -> tuple[list[_Item], list[tuple[int, str]]]:
    contacts, suppressed = _contacts([contact_id for _, contact_id in claimed])
    items, skips = [], []
    for recipient_id, contact_id in claimed:
        contact = contacts.get(contact_id)
        if contact is None:
            skips.append((recipient_id, "contact deleted"))
            continue
        if contact_id in suppressed:
            skips.append((recipient_id, "suppressed"))
            continue
        if contact["status"] != "active":
            skips.append((recipient_id, f"contact {contact['status']}"))
            continue
        try:
            choice = context.resolver.resolve(language=contact["language"], category=contact["category"] or None)
        except TemplateNotFound as problem:
            skips.append((recipient_id, f"no template: {problem}"))
            continue
        values = rendering.contact_values(_Values(contact))
        unsubscribe_url = context.composer.unsubscribe_url(contact_id)
        values["unsubscribeUrl"] = unsubscribe_url
        try:
            rendered = choice.compiled.render(values)
        except rendering.MissingVariable as problem:
            skips.append((recipient_id, f"missing variable {{{problem.variable}}}"))
            continue
        items.append(_Item(recipient_id, contact_id, contact["email"], choice, rendered, unsubscribe_url))
    return items, skips


def _reserve(*, tenant_id: int, items: list[_Item]):
    """Reserve quota for the items (several IPs if needed); returns (reservations, NoQuota or None)."""
    from deliverability.services.quota import NoQuota, quota_reserve

    reservations, position, no_quota = [], 0, None
    while position < len(items):
        try:
            reservation = quota_reserve(tenant_id=tenant_id, count=len(items) - position)
        except NoQuota as exhausted:
            no_quota = exhausted
            break
        reservations.append(reservation)
        for item in items[position: position + reservation.count]:
            item.reservation = reservation
        position += reservation.count
    return reservations, no_quota


class _Marks:
    """The per-round marks, on a connection of their own in a helper thread when the main
    connection is in autocommit (production): the database round trip then runs while the
    SMTP commands are exchanged, and each message's end is only sent once its `sending` mark
    is committed. Inside a transaction (tests on the `db` fixture) marks run inline on the
    main connection, with the same statements in the same order."""

    def __init__(self, tenant):
        from concurrent.futures import ThreadPoolExecutor

        self.overlap = not connection.in_atomic_block
        self.executor = None
        if self.overlap:
            self.executor = ThreadPoolExecutor(1, thread_name_prefix="dispatch-marks")
            self.executor.submit(lambda: connection.set_tenant(tenant)).result()  # the helper thread's own connection

    def _run(self, token, done, sending):
        connection.cursor().close()  # django-tenants sets the brand's search_path on its cursors
        with psycopg.Cursor(connection.connection) as cursor:
            return _mark(cursor, token=token, done=done, sending=sending)

    def submit(self, *, token, done=(), sending=()):
        from concurrent.futures import Future

        if self.overlap:
            return self.executor.submit(self._run, token, list(done), list(sending))
        future = Future()
        future.set_result(self._run(token, done, sending))
        return future

    def close(self):
        if self.executor is not None:
            self.executor.submit(lambda: connection.close()).result()
            self.executor.shutdown()


def _send_one(relay, context, item, composed, marked):
    """Send one message on `relay`; returns (status, reason) for the recipient row, or None
    when the row was no longer ours (nothing sent)."""

    def ours():
        return marked.result().get(item.recipient_id) == "sending"

    try:
        relay.send(sender=composed.sender, recipient=item.email, message=composed.data,
                   envid=f"{context.tenant.pk}.{item.recipient_id}", before_end=ours)
    except MessageWithdrawn:
        return None
    except RecipientRefused as refused:
        return "failed", f"refused: {refused}"
    except RelayUncertain as problem:
        logger.warning("campaign %s recipient %s: %s", context.campaign.pk, item.recipient_id, problem)
        return "failed", INTERRUPTED
    except RelayUnavailable as problem:
        return "queued", str(problem)
    return "sent", ""


def _send_chunk(context: _Context, token, items: list[_Item], outcome: DispatchOutcome) -> str | None:
    """Send the items in rounds of one message per relay connection; returns None, or the
    reason when the relay is unavailable.

    A round: one statement commits the previous round's results and this round's `sending`
    marks, while each connection sends its message (waiting for that commit before the final
    dot). So a dead worker leaves at most one message in doubt per open relay connection.
    """
    relays = context.relays
    items = [item for item in items if item.reservation is not None]
    done: list[tuple[int, str, str]] = []
    used: dict[int, int] = {}
    last_beat = time.monotonic()
    relay_down = None
    back_to_queue = []
    has_unsubscribe = {}
    marks = _Marks(context.tenant)
    try:
        for start in range(0, len(items), len(relays)):
            round_items = items[start: start + len(relays)]
            composed = []
            for item in round_items:
                template = item.choice.template
                if template.pk not in has_unsubscribe:
                    has_unsubscribe[template.pk] = "unsubscribeUrl" in item.choice.compiled.placeholders
                reservation = item.reservation
                composed.append(context.composer.compose(
                    rendered=item.rendered, contact_id=item.contact_id, email=item.email,
                    recipient_id=item.recipient_id, domain=reservation.domain, vmta=reservation.vmta,
                    unsubscribe_url=item.unsubscribe_url, template_has_unsubscribe=has_unsubscribe[template.pk],
                ))
            marked = marks.submit(token=token, done=done, sending=[(i, c.message_id) for i, c in zip(round_items, composed)])
            if len(round_items) == 1:
                results = [_send_one(relays[0], context, round_items[0], composed[0], marked)]
            else:
                results = list(context.pool.map(_send_one, relays[: len(round_items)], [context] * len(round_items),
                                                round_items, composed, [marked] * len(round_items)))
            marked.result()  # the next statement must not overtake this one
            done = []
            for item, result in zip(round_items, results):
                if result is None:
                    continue
                status, reason = result
                if status == "queued":
                    relay_down = reason
                    back_to_queue.append(item.recipient_id)
                    continue
                done.append((item.recipient_id, status, reason))
                outcome.sent += status == "sent"
                outcome.failed += status == "failed"
                used[item.reservation.ip_id] = used.get(item.reservation.ip_id, 0) + 1
            if relay_down:
                break
            if time.monotonic() - last_beat > HEARTBEAT_SECONDS:
                with connection.cursor() as cursor:
                    cursor.execute(f"UPDATE {_r()} SET claimed_at = now() WHERE claim_token = %s AND status = 'queued'",
                                   [token])
                last_beat = time.monotonic()
        if done:
            marks.submit(token=token, done=done).result()
    finally:
        marks.close()
    if back_to_queue:
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {_r()} SET status = 'queued', sending_at = NULL WHERE id = ANY(%s)"
                           " AND claim_token = %s AND status = 'sending'", [back_to_queue, token])
    _quota_give_back(items, used)
    if relay_down:
        logger.warning("campaign %s: relay unavailable (%s); retrying in %ss", context.campaign.pk, relay_down,
                       RELAY_RETRY_SECONDS)
        return f"relay unavailable: {relay_down}"
    return None


def _quota_give_back(items, used):
    from deliverability.services.quota import quota_release

    reserved: dict[int, tuple[object, int]] = {}
    for item in items:
        if item.reservation is not None:
            reservation = item.reservation
            reserved[reservation.ip_id] = (reservation, reserved.get(reservation.ip_id, (None, 0))[1] + 1)
    for ip_id, (reservation, count) in reserved.items():
        unused = count - used.get(ip_id, 0)
        if unused > 0:
            quota_release(ip_id=ip_id, count=unused, date=reservation.date)


def _sent_today(campaign_id: int) -> int:
    today = datetime.now(dt_timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    return CampaignRecipient.objects.filter(campaign_id=campaign_id, sending_at__gte=today).count()


def _wait(campaign_id: int, until: datetime, reason: str, outcome: DispatchOutcome) -> DispatchOutcome:
    Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.SENDING).update(
        waiting_until=until, waiting_reason=reason[:255], updated_at=timezone.now())
    outcome.next, outcome.wait_until, outcome.reason = WAIT, until, reason
    return outcome


def campaign_dispatch_run(*, tenant, campaign_id: int, relays=None, chunk_size: int = CHUNK_SIZE,
                          run_seconds: float = RUN_SECONDS) -> DispatchOutcome:
    """Send chunks of the campaign until done, stopped, told to wait, or `run_seconds` are used.

    `relays`: the relay connections to use in parallel (default: settings.CAMPAIGN_RELAY_CONNECTIONS
    connections to the configured relay, 4 unless set).
    """
    from concurrent.futures import ThreadPoolExecutor

    outcome = DispatchOutcome()
    started = time.monotonic()
    own_relays = relays is None
    if own_relays:
        relays = [relay_open() for _ in range(max(1, int(getattr(settings, "CAMPAIGN_RELAY_CONNECTIONS",
                                                                 RELAY_CONNECTIONS))))]
    pool = ThreadPoolExecutor(len(relays), thread_name_prefix="dispatch-smtp")
    context = None
    try:
        while True:
            campaign = Campaign.objects.get(pk=campaign_id)
            if campaign.status != CampaignStatus.SENDING or campaign.channel != Channel.SMTP:
                outcome.next = STOPPED
                return outcome
            if context is None:
                try:
                    context = _Context(tenant=tenant, campaign=campaign, relays=relays, pool=pool)
                except TemplateNotFound as problem:
                    return _wait(campaign_id, timezone.now() + timedelta(minutes=5), str(problem), outcome)
            limit = chunk_size
            if campaign.daily_cap:
                left = campaign.daily_cap - _sent_today(campaign_id)
                if left <= 0:
                    tomorrow = (datetime.now(dt_timezone.utc) + timedelta(days=1)).replace(
                        hour=0, minute=0, second=0, microsecond=0)
                    return _wait(campaign_id, tomorrow, f"daily cap of {campaign.daily_cap} reached", outcome)
                limit = min(limit, left)
            token = uuid.uuid4()
            claimed = _claim(campaign=campaign, token=token, limit=limit, tenant=tenant)
            if not claimed:
                campaign_results_record(campaign_id=campaign_id)
                if campaign_complete_if_done(campaign_id=campaign_id):
                    outcome.next = DONE
                    return outcome
                if window_is_set(hour_start=campaign.send_hour_start, hour_end=campaign.send_hour_end,
                                 days=campaign.send_days) and CampaignRecipient.objects.filter(
                        campaign_id=campaign_id, status="queued", claim_token__isnull=True).exists():
                    return _wait(campaign_id, window_next_check(now=timezone.now()),
                                 "outside the sending window for the remaining recipients", outcome)
                outcome.next = DONE  # the rest is in other runs' hands
                return outcome
            outcome.chunks += 1
            items, skips = _prepare(context, claimed)
            _skip(token=token, skips=skips)
            outcome.skipped += len(skips)
            reservations, no_quota = _reserve(tenant_id=tenant.pk, items=items)
            relay_problem = _send_chunk(context, token, items, outcome)
            _release(token=token)
            campaign_results_record(campaign_id=campaign_id)
            if campaign.waiting_until is not None and not no_quota and not relay_problem:
                Campaign.objects.filter(pk=campaign_id).update(waiting_until=None, waiting_reason="")
            if relay_problem:
                return _wait(campaign_id, timezone.now() + timedelta(seconds=RELAY_RETRY_SECONDS), relay_problem,
                             outcome)
            if no_quota is not None:
                return _wait(campaign_id, no_quota.retry_at, "the brand's sending quota is used up for today", outcome)
            if time.monotonic() - started > run_seconds:
                outcome.next = CONTINUE
                return outcome
    finally:
        pool.shutdown()
        if own_relays:
            for relay in relays:
                relay.close()


def campaign_dispatch_enqueue(*, tenant_id: int, campaign_id: int, parallel: bool = False, countdown=None) -> None:
    """Start dispatch runs for the campaign (PARALLEL_CHAINS of them at launch)."""
    from ..tasks import campaign_dispatch

    for _ in range(PARALLEL_CHAINS if parallel else 1):
        if countdown:
            campaign_dispatch.apply_async((tenant_id, campaign_id), countdown=countdown)
        else:
            campaign_dispatch.apply_async((tenant_id, campaign_id))
