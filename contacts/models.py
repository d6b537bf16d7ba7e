"""A brand's audience: data sources, tags, contacts, their tags and events, and the suppression list.

Every table here lives in the brand's own schema. Emails are stored normalised (see
`contacts.services.normalization.email_normalize`: trimmed, lowercased, domain
IDNA-encoded), so the unique index on `email` is the case-insensitive uniqueness rule.

`Contact.tag_ids` is a cache of the contact's tag ids (sorted) kept by the database
itself: a statement-level trigger on `contacts_contacttag` refreshes it for every
insert or delete, and the ingest service (which writes tags in bulk) sets it in the
same statement as the contact. The truth stays in `ContactTag`.

Segments are counted from one narrow B-tree index, index-only (see migration 0004):
- `Contact.tagset` points at the `TagSet` row holding exactly the contact's `tag_ids`.
  A brand has few distinct tag combinations, so a segment's tag conditions are
  evaluated once per combination (on `contacts_tagset`), and the contacts are then
  counted by `tagset_id = ANY(...)` ranges of the index, never one array per contact.
- `Contact.suppressed` mirrors "this email is on the suppression list" (kept by
  triggers on `contacts_suppression`, and re-derived by the database whenever a
  contact's email or flag is written), and `Contact.deliverable` (generated:
  active, validation not invalid, not suppressed) is the default audience rule.
A BEFORE trigger on `contacts_contact` fills `tagset_id` whenever a writer changes
`tag_ids` without it (the bulk ingest sets both itself).

The high-volume links (Contact.data_source, ContactTag, ContactEvent.contact) have no
database-level foreign key constraint: PostgreSQL checks those row by row at commit,
taking a share lock on the referenced row each time, which cost more than the whole
bulk insert. The services only write ids they just read or returned, and deletions go
through the ORM, which cascades (contact -> tags, events) itself.
"""
import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

from emailengine.encryption import EncryptedTextField

LANGUAGES = ("fr", "en", "es", "de", "pt", "ru", "zh", "hi", "ar")
LANGUAGE_CHOICES = [(code, code) for code in LANGUAGES]


class DataSource(models.Model):
    """Where contacts come from: Scraper-Pro, Backlink Engine, CSV files, the API, webhooks."""

    class Type(models.TextChoices):
        SCRAPER_PRO = "scraper_pro", "Scraper-Pro"
        BACKLINK_ENGINE = "backlink_engine", "Backlink Engine"
        CSV = "csv", "CSV import"
        API = "api", "API"
        WEBHOOK = "webhook", "Webhook"

    name = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=20, choices=Type.choices)
    config = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    total_contacts_ingested = models.BigIntegerField(
        default=0, help_text="Contacts created or changed by ingests from this source"
    )
    webhook_secret = EncryptedTextField(
        blank=True, default="", help_text="HMAC-SHA256 key for POST /api/v2/webhooks/{tenant}/{id} (X-Signature)"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.name


class Tag(models.Model):
    """A label on contacts, in a hierarchy: a parent tag matches its descendants in segments."""

    slug = models.SlugField(max_length=64, unique=True, help_text="Lowercase a-z, 0-9 and hyphens")
    label = models.CharField(max_length=100, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    color = models.CharField(max_length=7, blank=True, help_text="#RRGGBB")
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.slug

    def save(self, *args, **kwargs):
        from .services.normalization import tag_slug_normalize

        self.slug = tag_slug_normalize(self.slug)
        if not self.label:
            self.label = self.slug
        super().save(*args, **kwargs)


class TagSet(models.Model):
    """One distinct combination of tag ids (sorted) carried by contacts; kept by the database (see module doc)."""

    tag_ids = ArrayField(models.IntegerField(), unique=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return ",".join(map(str, self.tag_ids))


class ContactStatus(models.TextChoices):
    ACTIVE = "active"
    UNSUBSCRIBED = "unsubscribed"
    BOUNCED = "bounced"
    COMPLAINED = "complained"
    INVALID = "invalid"


class ValidationStatus(models.TextChoices):
    PENDING = "pending"
    VALID = "valid"
    RISKY = "risky"
    INVALID = "invalid"


class Contact(models.Model):
    """One person at one normalised email address, in one brand."""

    data_source = models.ForeignKey(DataSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts",
                                    db_index=False, db_constraint=False)
    email = models.CharField(max_length=254, unique=True, help_text="Normalised: trimmed, lowercase, IDNA domain")
    first_name = models.CharField(max_length=150, blank=True, default="")
    last_name = models.CharField(max_length=150, blank=True, default="")
    company = models.CharField(max_length=255, blank=True, default="")
    website = models.CharField(max_length=500, blank=True, default="")
    language = models.CharField(max_length=2, choices=LANGUAGE_CHOICES, null=True, blank=True,
                                help_text="Empty: English fallback at send time")
    category = models.CharField(max_length=50, blank=True, default="")
    phone = models.CharField(max_length=50, blank=True, default="")
    country = models.CharField(max_length=64, blank=True, default="")
    city = models.CharField(max_length=150, blank=True, default="")
    linkedin_url = models.CharField(max_length=500, blank=True, default="")
    facebook_url = models.CharField(max_length=500, blank=True, default="")
    instagram_url = models.CharField(max_length=500, blank=True, default="")
    twitter_url = models.CharField(max_length=500, blank=True, default="")
    custom_fields = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=ContactStatus.choices, default=ContactStatus.ACTIVE)
    validation_status = models.CharField(max_length=16, choices=ValidationStatus.choices, default=ValidationStatus.PENDING)
    validation_score = models.SmallIntegerField(null=True, blank=True, help_text="0-100, set by validation")
    mailwizz_subscriber_id = models.CharField(max_length=64, blank=True, default="")
    mailwizz_list_id = models.CharField(max_length=64, blank=True, default="")
    last_campaign_sent_at = models.DateTimeField(null=True, blank=True)
    total_campaigns_received = models.IntegerField(default=0)
    tag_ids = ArrayField(models.IntegerField(), default=list, blank=True, editable=False,
                         help_text="Cache of this contact's tag ids, kept by the database (see module doc)")
    tagset = models.ForeignKey(TagSet, null=True, blank=True, editable=False, on_delete=models.DO_NOTHING,
                               related_name="+", db_constraint=False, db_index=False,
                               help_text="The TagSet of tag_ids, kept by the database (see module doc)")
    suppressed = models.BooleanField(default=False, db_default=False, editable=False,
                                     help_text="The email is on the suppression list (kept by the database)")
    deliverable = models.GeneratedField(
        expression=models.ExpressionWrapper(
            models.Q(status="active") & ~models.Q(validation_status="invalid") & models.Q(suppressed=False),
            output_field=models.BooleanField(),
        ),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    tags = models.ManyToManyField(Tag, through="ContactTag", related_name="contacts", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["pk"]
        # Few indexes on purpose: each one slows the bulk ingest. Segments, tag filters and
        # campaign audiences read this one, index-only (see module doc).
        indexes = [
            models.Index(fields=["tagset", "deliverable", "language"], include=["id"], name="contact_segment"),
        ]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        from .services.normalization import email_normalize

        if self.email:
            self.email = email_normalize(self.email)
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)


class ContactTag(models.Model):
    """A contact carries a tag. One B-tree only: the primary key (contact, tag), which also serves lookups by
    contact. Each index and column costs every bulk-ingested link (three per contact) an insert; nothing
    reads links by tag alone (segments and tag filters read TagSet)."""

    pk = models.CompositePrimaryKey("contact_id", "tag_id")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="contact_tags", db_constraint=False,
                                db_index=False)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="contact_tags", db_constraint=False,
                            db_index=False)
    added_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.contact_id}:{self.tag_id}"


class ContactEvent(models.Model):
    """Something that happened to a contact (ingested, updated, tagged, sent, opened...)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="events", db_constraint=False,
                                db_index=False)  # contactevent_contact_time serves lookups by contact
    campaign_id = models.BigIntegerField(null=True, blank=True, help_text="campaigns.Campaign id, when one caused it")
    event_type = models.CharField(max_length=32)
    event_data = models.JSONField(default=dict, blank=True)
    timestamp = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-timestamp", "-pk"]
        indexes = [
            models.Index(fields=["contact", "timestamp"], name="contactevent_contact_time"),
            models.Index(fields=["campaign_id"], condition=models.Q(campaign_id__isnull=False), name="contactevent_campaign"),
        ]

    def __str__(self):
        return f"{self.event_type} {self.contact_id} {self.timestamp:%Y-%m-%d %H:%M}"


class Suppression(models.Model):
    """An email that must never be mailed again by this brand. Survives the contact's deletion."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed"
        HARD_BOUNCE = "hard_bounce"
        COMPLAINT = "complaint"
        MANUAL = "manual"
        ERASED = "erased", "erased (GDPR)"

    email = models.CharField(max_length=254, unique=True, help_text="Normalised like Contact.email")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    source = models.CharField(max_length=100, blank=True, help_text="Campaign, feed or person that suppressed it")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} ({self.reason})"

    def save(self, *args, **kwargs):
        from .services.normalization import email_normalize

        self.email = email_normalize(self.email)
        super().save(*args, **kwargs)


class ImportJob(models.Model):
    """A CSV import running in the background (API or admin upload)."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file_name = models.CharField(max_length=255)
    file_path = models.CharField(max_length=500, help_text="Stored upload, removed when the job ends")
    data_source = models.ForeignKey(DataSource, null=True, blank=True, on_delete=models.SET_NULL)
    tags = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_bytes = models.BigIntegerField(default=0)
    processed_bytes = models.BigIntegerField(default=0)
    total_processed = models.BigIntegerField(default=0)
    new_contacts = models.BigIntegerField(default=0)
    updated_contacts = models.BigIntegerField(default=0)
    duplicates_skipped = models.BigIntegerField(default=0)
    error_count = models.BigIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="First rejected rows: line, email, error")
    failure = models.TextField(blank=True)
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.status})"

    @property
    def progress_percent(self):
        if self.status == self.Status.DONE:
            return 100
        if not self.total_bytes:
            return 0
        return min(99, int(100 * self.processed_bytes / self.total_bytes))
