"""What a recipient's clicks do: unsubscribe, open pixel, click redirect.

Each takes a verified token (campaigns.tokens) and runs in the token's brand schema. All are
idempotent per recipient: the first open/click/unsubscribe of a recipient bumps the
campaign's (and template's) counters with single guarded UPDATEs, later ones only add an
event (opens, clicks) or nothing (unsubscribe).
"""
from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from ..models import Campaign, CampaignRecipient


class UnknownLink(LookupError):
    pass


def _first(recipient_field: str, *, campaign_id: int, contact_id: int):
    """Set the recipient's `<field>` if unset; returns (is_first, template_id)."""
    table = CampaignRecipient._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {recipient_field} = now() WHERE campaign_id = %s AND contact_id = %s"
            f" AND {recipient_field} IS NULL RETURNING template_id",
            [campaign_id, contact_id],
        )
        row = cursor.fetchone()
    return (row is not None), (row[0] if row else None)


def _bump(campaign_id: int, counter: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Campaign._meta.db_table} SET {counter} = {counter} + 1 WHERE id = %s", [campaign_id])


def _template_rate_bump(template_id, rate_field: str) -> None:
    """One more opener/clicker of a template: rate += 1/total_sent (kept exact as opens/total_sent)."""
    if template_id is None:
        return
    from templates_app.models import EmailTemplate

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {EmailTemplate._meta.db_table} SET {rate_field} = LEAST(1.0, {rate_field} + 1.0 / total_sent)"
            " WHERE id = %s AND total_sent > 0",
            [template_id],
        )


def _event(contact_id, campaign_id, event_type, data=None):
    from contacts.models import Contact, ContactEvent

    if Contact.objects.filter(pk=contact_id).exists():
        ContactEvent.objects.create(contact_id=contact_id, campaign_id=campaign_id, event_type=event_type,
                                    event_data=data or {})


def contact_for_token(*, contact_id):
    from contacts.models import Contact

    return Contact.objects.filter(pk=contact_id).first()


def contact_unsubscribe(*, contact_id: int, campaign_id: int | None, source: str) -> bool:
    """Unsubscribe at once: contact status, suppression entry, event, campaign counter.

    Returns True when this call unsubscribed the contact, False when it already was.
    """
    from contacts.models import Contact, ContactStatus, Suppression

    with transaction.atomic():
        contact = Contact.objects.select_for_update().filter(pk=contact_id).first()
        if contact is None:
            return False
        Suppression.objects.get_or_create(email=contact.email,
                                          defaults={"reason": Suppression.Reason.UNSUBSCRIBED, "source": source})
        if contact.status == ContactStatus.UNSUBSCRIBED:
            return False
        previous = contact.status
        Contact.objects.filter(pk=contact_id).update(status=ContactStatus.UNSUBSCRIBED, updated_at=timezone.now())
        _event(contact_id, campaign_id, "unsubscribed", {"source": source, "previous_status": previous})
        if campaign_id is not None:
            first, _ = _first("unsubscribed_at", campaign_id=campaign_id, contact_id=contact_id)
            if first:
                _bump(campaign_id, "unsubscribed_count")
    return True


def open_record(*, campaign_id: int, contact_id: int, user_agent: str = "") -> bool:
    """An open: an event each time; counters on the first one per recipient."""
    with transaction.atomic():
        first, template_id = _first("opened_at", campaign_id=campaign_id, contact_id=contact_id)
        if first:
            _bump(campaign_id, "opened_count")
            _template_rate_bump(template_id, "avg_open_rate")
        _event(contact_id, campaign_id, "opened", {"user_agent": user_agent[:200]} if user_agent else {})
    return first


def click_record(*, campaign_id: int, contact_id: int, link_index: int) -> str:
    """The URL the click token points to (only one of the campaign's known links); records the click."""
    links = Campaign.objects.filter(pk=campaign_id).values_list("links", flat=True).first()
    if links is None or not (0 <= link_index < len(links)):
        raise UnknownLink(f"no link {link_index} in campaign {campaign_id}")
    url = links[link_index]
    with transaction.atomic():
        first, template_id = _first("clicked_at", campaign_id=campaign_id, contact_id=contact_id)
        if first:
            _bump(campaign_id, "clicked_count")
            _template_rate_bump(template_id, "avg_click_rate")
            # A click implies the message was opened (images are often blocked).
            opened_first, _ = _first("opened_at", campaign_id=campaign_id, contact_id=contact_id)
            if opened_first:
                _bump(campaign_id, "opened_count")
                _template_rate_bump(template_id, "avg_open_rate")
        _event(contact_id, campaign_id, "clicked", {"url": url, "link": link_index})
    return url
