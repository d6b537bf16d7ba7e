"""Campaigns and their frozen audiences (per brand schema).

A `Campaign` names who (the segment filter: the seed's language, category, tags_all,
tags_any, exclude_tags plus the other filters of the contacts issue in `filters`), what (the
selection chain, or one pinned `template`), how (channel, sender name, Reply-To, sending
window, daily cap, tracking) and keeps its counters. Status changes only through
`campaigns.services.lifecycle` (see `campaigns.logic.lifecycle`).

`CampaignRecipient` is one contact in a launched campaign's audience, frozen at launch. Its
status is `queued` → `sending` (committed just before the SMTP transaction) → `sent`, or
`skipped` (suppressed or unrenderable: `reason` says why) or `failed` (refused by the relay,
or `interrupted`: the worker died during the SMTP transaction, so it may have gone out and
is never sent again). `claim_token`/`claimed_at` say which dispatch run holds a queued row.
"""
from django.db import models
from django.db.models import Q

from .logic import lifecycle


class CampaignStatus(models.TextChoices):
    DRAFT = lifecycle.DRAFT
    SCHEDULED = lifecycle.SCHEDULED
    SENDING = lifecycle.SENDING
    PAUSED = lifecycle.PAUSED
    COMPLETED = lifecycle.COMPLETED
    CANCELLED = lifecycle.CANCELLED


class Channel(models.TextChoices):
    SMTP = "smtp", "SMTP (PowerMTA)"
    MAILWIZZ = "mailwizz", "MailWizz"


COUNTERS = (
    "total_recipients", "sent_count", "delivered_count", "opened_count", "clicked_count", "bounced_count",
    "unsubscribed_count", "complained_count", "deferred_count", "skipped_count", "failed_count", "interrupted_count",
)


class Campaign(models.Model):
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT,
                              editable=False)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.SMTP)
    template = models.ForeignKey("templates_app.EmailTemplate", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="pinned_campaigns",
                                 help_text="Pinned template for every recipient; empty = the selection chain.")
    # Segment (the seed's columns) ...
    language = models.CharField(max_length=8, blank=True, default="", help_text="Only contacts of this language.")
    category = models.CharField(max_length=64, blank=True, default="", help_text="Only contacts of this category.")
    tags_all = models.JSONField(default=list, blank=True, help_text="Tag slugs the contact must all have.")
    tags_any = models.JSONField(default=list, blank=True, help_text="Tag slugs of which the contact needs one.")
    exclude_tags = models.JSONField(default=list, blank=True, help_text="Tag slugs the contact must not have.")
    # ... and the rest of the contacts issue's filter (country, validation_status, status...).
    filters = models.JSONField(default=dict, blank=True, help_text='Other segment filters, e.g. {"country": "FR"}.')
    from_name = models.CharField(max_length=100, blank=True, help_text="Sender name; empty = the brand's name.")
    reply_to = models.EmailField(blank=True, help_text="Empty = contact@<brand domain>.")
    send_hour_start = models.PositiveSmallIntegerField(null=True, blank=True,
                                                       help_text="Sending window start hour (0-23), recipient's local time.")
    send_hour_end = models.PositiveSmallIntegerField(null=True, blank=True,
                                                     help_text="Sending window end hour (1-24, exclusive).")
    send_days = models.JSONField(default=list, blank=True,
                                 help_text="Weekdays to send on (0 = Monday ... 6 = Sunday); empty = every day.")
    daily_cap = models.PositiveIntegerField(null=True, blank=True, help_text="At most this many sends per UTC day.")
    tracking_enabled = models.BooleanField(default=True, help_text="Open pixel and click tracking.")
    links = models.JSONField(default=list, blank=True, editable=False,
                             help_text="URLs of the campaign's templates (click tokens name an index here).")
    preflight = models.JSONField(default=dict, blank=True, editable=False, help_text="Last pre-flight report.")
    waiting_until = models.DateTimeField(null=True, blank=True, editable=False)
    waiting_reason = models.CharField(max_length=255, blank=True, editable=False)

    total_recipients = models.IntegerField(default=0, editable=False)
    sent_count = models.IntegerField(default=0, editable=False)
    delivered_count = models.IntegerField(default=0, editable=False)
    opened_count = models.IntegerField(default=0, editable=False)
    clicked_count = models.IntegerField(default=0, editable=False)
    bounced_count = models.IntegerField(default=0, editable=False)
    unsubscribed_count = models.IntegerField(default=0, editable=False)
    complained_count = models.IntegerField(default=0, editable=False)
    deferred_count = models.IntegerField(default=0, editable=False)
    skipped_count = models.IntegerField(default=0, editable=False)
    failed_count = models.IntegerField(default=0, editable=False)
    interrupted_count = models.IntegerField(default=0, editable=False)

    scheduled_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    mailwizz_campaign_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(send_hour_start__gte=0, send_hour_start__lte=23)
                                   | Q(send_hour_start__isnull=True), name="campaign_window_start_hour"),
            models.CheckConstraint(condition=Q(send_hour_end__gte=1, send_hour_end__lte=24)
                                   | Q(send_hour_end__isnull=True), name="campaign_window_end_hour"),
        ]

    def __str__(self):
        return self.name

    def segment_filter(self) -> dict:
        """The full segment filter (contacts issue's shape) this campaign's audience is built from."""
        segment = {key: value for key, value in (self.filters or {}).items() if value not in (None, "", [])}
        for key in ("tags_all", "tags_any", "exclude_tags"):
            if getattr(self, key):
                segment[key] = list(getattr(self, key))
        if self.language:
            segment["language"] = self.language
        if self.category:
            segment["category"] = self.category
        return segment


class RecipientStatus(models.TextChoices):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"
    FAILED = "failed"


INTERRUPTED = "interrupted"


class CampaignRecipient(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="campaign_recipients",
                                db_index=False)
    status = models.CharField(max_length=10, choices=RecipientStatus.choices, default=RecipientStatus.QUEUED)
    language = models.CharField(max_length=8, blank=True, default="", help_text="Language of the message sent.")
    template_id = models.BigIntegerField(null=True, blank=True)
    ip_id = models.BigIntegerField(null=True, blank=True, help_text="deliverability.IPAddress id (public schema).")
    ip_address = models.CharField(max_length=45, blank=True, default="")
    vmta = models.CharField(max_length=64, blank=True, default="")
    message_id = models.CharField(max_length=255, blank=True, default="")
    reason = models.CharField(max_length=255, blank=True, default="", help_text="Why skipped or failed.")
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sending_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recorded = models.BooleanField(default=False, help_text="Counted in the campaign, contact and IP figures.")
    delivered_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contact"], name="one_recipient_per_campaign_contact"),
        ]
        indexes = [
            models.Index(fields=["campaign", "id"], condition=Q(status__in=["queued", "sending"]),
                         name="recipient_open_work"),
            models.Index(fields=["campaign", "id"], condition=Q(recorded=False, status__in=["sent", "skipped", "failed"]),
                         name="recipient_to_record"),
        ]

    def __str__(self):
        return f"{self.campaign_id}:{self.contact_id} {self.status}"
