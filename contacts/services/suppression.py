"""The suppression list and the GDPR erasure: who must never be mailed again, and forgetting a person."""
from django.db import connection, transaction
from django.utils import timezone

from ..models import Contact, ContactStatus, Suppression
from .normalization import email_normalize, emails_normalize_valid

STATUS_FOR_REASON = {
    Suppression.Reason.UNSUBSCRIBED: ContactStatus.UNSUBSCRIBED,
    Suppression.Reason.HARD_BOUNCE: ContactStatus.BOUNCED,
    Suppression.Reason.COMPLAINT: ContactStatus.COMPLAINED,
}


def suppressions_insert(cursor, *, emails_sql, params, reason, source=""):
    """Put the emails `emails_sql` selects (one column) on the current brand's suppression list, in
    one statement; an email already there keeps its first reason. Returns how many were new.
    Updating the contacts is the caller's part."""
    cursor.execute(
        f"INSERT INTO {Suppression._meta.db_table} (email, reason, source, created_at) "
        f"SELECT e.email, %s, %s, now() FROM ({emails_sql}) AS e(email) ON CONFLICT (email) DO NOTHING",
        [reason, source[:100], *params],
    )
    return cursor.rowcount


def suppressions_add(*, emails, reason, source=""):
    """Put emails on the current brand's suppression list in one statement (idempotent; the first
    reason recorded is kept) and update their contacts. Invalid addresses are skipped.

    When the reason maps to a status (unsubscribed, bounced, complained), the matching contacts
    still active get it (and a new updated_at); otherwise every matching contact gets a new
    updated_at. A moved updated_at is how the MailWizz sync learns of the suppression. Returns
    how many emails were newly suppressed.
    """
    addresses = sorted(emails_normalize_valid(emails))
    if not addresses:
        return 0
    status = STATUS_FOR_REASON.get(reason)
    with transaction.atomic(), connection.cursor() as cursor:
        created = suppressions_insert(cursor, emails_sql="SELECT unnest(%s::text[])", params=[addresses],
                                      reason=reason, source=source)
        if status is not None:
            Contact.objects.filter(email__in=addresses, status=ContactStatus.ACTIVE).update(
                status=status, updated_at=timezone.now())
        else:
            Contact.objects.filter(email__in=addresses).update(updated_at=timezone.now())
    return created


def suppression_add(*, email, reason, source=""):
    """Put one email on the suppression list (see `suppressions_add`). Returns (suppression, created);
    an invalid address raises InvalidEmail."""
    normalized = email_normalize(email)
    created = suppressions_add(emails=[normalized], reason=reason, source=source)
    return Suppression.objects.get(email=normalized), bool(created)


def contact_erase(*, contact, source="gdpr request"):
    """Erase the person (contact, tags, events); keep, or add, the email's suppression entry.

    The entry (reason `erased` if there was none) keeps a later scrape or import from
    bringing the person back.
    """
    with transaction.atomic():
        Suppression.objects.get_or_create(
            email=contact.email, defaults={"reason": Suppression.Reason.ERASED, "source": source}
        )
        contact.delete()
