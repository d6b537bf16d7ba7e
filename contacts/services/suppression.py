"""The suppression list and the GDPR erasure: who must never be mailed again, and forgetting a person."""
from django.db import transaction
from django.utils import timezone

from ..models import Contact, ContactStatus, Suppression
from .normalization import email_normalize

STATUS_FOR_REASON = {
    Suppression.Reason.UNSUBSCRIBED: ContactStatus.UNSUBSCRIBED,
    Suppression.Reason.HARD_BOUNCE: ContactStatus.BOUNCED,
    Suppression.Reason.COMPLAINT: ContactStatus.COMPLAINED,
}


def suppression_add(*, email, reason, source=""):
    """Put an email on the current brand's suppression list (idempotent) and update its contact's status.

    Returns (suppression, created). The first reason recorded is kept.
    """
    normalized = email_normalize(email)
    with transaction.atomic():
        entry, created = Suppression.objects.get_or_create(
            email=normalized, defaults={"reason": reason, "source": source[:100]}
        )
        status = STATUS_FOR_REASON.get(reason)
        now = timezone.now()  # a moved updated_at is how the MailWizz sync learns of the suppression
        if status is not None:
            Contact.objects.filter(email=normalized, status=ContactStatus.ACTIVE).update(status=status, updated_at=now)
        else:
            Contact.objects.filter(email=normalized).update(updated_at=now)
    return entry, created


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
