"""What the MailWizz sync remembers between runs (public schema, one row set per brand).

Imported by `deliverability.models` so Django sees these models as the deliverability app's.

- `MailWizzBrandSync`: per brand, the contacts cursor (advanced only after a successful run),
  the last run's outcome and the hash of the webhook token.
- `MailWizzContactError`: the last push error of one contact of a brand (brand schema ids live
  here because the contacts app's tables are not ours to change). A contact with an error is
  not retried until it changes again (or a `--full` run); the row goes away once it syncs.
- `MailWizzCampaignGroup`: one (campaign, template) group of a MailWizz campaign: the
  idempotency key and the list/campaign names are stored before MailWizz is called, the uids
  right after; stats and unsubscribes pulled back are kept here per group.
"""
from django.db import models

__all__ = ["MailWizzBrandSync", "MailWizzContactError", "MailWizzCampaignGroup"]


class MailWizzBrandSync(models.Model):
    tenant = models.OneToOneField("tenants.Tenant", on_delete=models.CASCADE, related_name="mailwizz_sync")
    contacts_cursor = models.DateTimeField(
        null=True, blank=True, help_text="Contacts updated after this are pushed by the next run."
    )
    contacts_last_run_at = models.DateTimeField(null=True, blank=True)
    contacts_last_success_at = models.DateTimeField(null=True, blank=True)
    contacts_last_error = models.TextField(blank=True)
    contacts_last_report = models.JSONField(default=dict, blank=True)
    results_pulled_at = models.DateTimeField(null=True, blank=True)
    webhook_token_hash = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the MailWizz webhook token (the token itself is never stored)."
    )

    class Meta:
        verbose_name = "MailWizz sync state"

    def __str__(self):
        return f"MailWizz sync of brand {self.tenant_id}"


class MailWizzContactError(models.Model):
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    contact_id = models.BigIntegerField(help_text="contacts.Contact id in the brand's schema.")
    email = models.CharField(max_length=254)
    message = models.TextField()
    contact_updated_at = models.DateTimeField(help_text="The contact's updated_at when it failed.")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = "MailWizz contact error"
        constraints = [
            models.UniqueConstraint(fields=["tenant", "contact_id"], name="deliv_mwerror_one_per_contact"),
        ]

    def __str__(self):
        return f"{self.email}: {self.message}"


class MailWizzCampaignGroup(models.Model):
    class State(models.TextChoices):
        PENDING = "pending"
        LIST_READY = "list_ready"
        SUBSCRIBERS_ADDED = "subscribers_added"
        CREATED = "created"
        UNCERTAIN = "uncertain", "uncertain (check MailWizz by hand)"

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    campaign_id = models.BigIntegerField(help_text="campaigns.Campaign id in the brand's schema.")
    template_id = models.BigIntegerField(help_text="templates_app.EmailTemplate id in the brand's schema.")
    idempotency_key = models.CharField(max_length=80, unique=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    recipients_count = models.IntegerField(default=0)
    list_name = models.CharField(max_length=200)
    list_uid = models.CharField(max_length=64, blank=True)
    list_requested_at = models.DateTimeField(null=True, blank=True, help_text="Set before POST /lists.")
    subscribers_added = models.IntegerField(default=0)
    subscriber_errors = models.IntegerField(default=0)
    campaign_name = models.CharField(max_length=200)
    campaign_uid = models.CharField(max_length=64, blank=True)
    campaign_requested_at = models.DateTimeField(null=True, blank=True, help_text="Set before POST /campaigns.")
    last_error = models.TextField(blank=True)
    stats = models.JSONField(default=dict, blank=True, help_text="Last GET /campaigns/{uid}/stats counts.")
    stats_pulled_at = models.DateTimeField(null=True, blank=True)
    unsubscribes_seen = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tenant_id", "campaign_id", "template_id"]
        verbose_name = "MailWizz campaign group"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "campaign_id", "template_id"], name="deliv_mwgroup_one_per_template"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "campaign_uid"], name="deliv_mwgroup_campaign_uid")]

    def __str__(self):
        return f"campaign {self.campaign_id} template {self.template_id} ({self.state})"
