"""The sending fleet (IPs and their sending domains), warmup plans and history, daily IP
figures, PowerMTA accounting keys and the brands' MailWizz instances.

Everything lives in the public schema with a `tenant` foreign key: PowerMTA, DNS and the
quota reservation see the whole fleet at once, and an IP address is unique across brands.
"""
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from emailengine.encryption import EncryptedTextField


class IPState(models.TextChoices):
    ACTIVE = "active", "Active"
    WARMUP = "warmup", "Warmup"
    STANDBY = "standby", "Standby"
    PAUSED = "paused", "Paused"
    RETIRED = "retired", "Retired"


# The weight an IP gets when it enters a state (what the seed and the state changes apply).
DEFAULT_WEIGHTS = {
    IPState.ACTIVE: 100,
    IPState.WARMUP: 50,
    IPState.STANDBY: 0,
    IPState.PAUSED: 0,
    IPState.RETIRED: 0,
}
SENDING_STATES = (IPState.ACTIVE, IPState.WARMUP)


class SendingDomain(models.Model):
    """A sending domain (`mail1.sos-mail.com`) with its DKIM key pair and its last DNS check."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, related_name="sending_domains")
    name = models.CharField(max_length=253, unique=True)
    dkim_selector = models.CharField(max_length=63, default="default")
    dkim_private_key = EncryptedTextField(blank=True, help_text="PEM, encrypted at rest; never shown.")
    dkim_public_key = models.TextField(blank=True, help_text="Base64 public key: the p= of the DKIM record.")
    dkim_bits = models.PositiveIntegerField(null=True, blank=True)
    dkim_created_at = models.DateTimeField(null=True, blank=True)
    dns_status = models.JSONField(
        default=dict, blank=True,
        help_text="Per check (a, ptr, fcrdns, spf, dkim, dmarc): status, found, expected, message.",
    )
    dns_ok = models.BooleanField(null=True, blank=True, help_text="Empty until the first check.")
    dns_checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tenant_id", "name"]

    def __str__(self):
        return self.name


class IPAddress(models.Model):
    """A sending IP: its VMTA, its state in the fleet, its warmup day and today's quota."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, related_name="ip_addresses")
    address = models.GenericIPAddressField(protocol="IPv4", unique=True)
    sending_domain = models.OneToOneField(SendingDomain, on_delete=models.PROTECT, related_name="ip_address")
    vmta_name = models.CharField(max_length=64, unique=True, help_text="vmta-<brand slug>-<n>")
    state = models.CharField(max_length=16, choices=IPState.choices, default=IPState.STANDBY)
    weight = models.PositiveIntegerField(default=0, help_text="Share of the brand's traffic among IPs with quota.")
    warmup_day = models.PositiveIntegerField(default=0, help_text="1-42 while warming up; 0 otherwise.")
    warmup_started_on = models.DateField(null=True, blank=True)
    warmup_holds = models.PositiveSmallIntegerField(default=0, help_text="Holds in a row (two step back a day).")
    quota_today = models.PositiveIntegerField(default=0)
    sent_today = models.PositiveIntegerField(default=0, help_text="Sends reserved today (quota reservation).")
    quota_date = models.DateField(null=True, blank=True, help_text="The UTC day quota_today and sent_today are for.")
    state_changed_at = models.DateTimeField(null=True, blank=True)
    state_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["tenant_id", "id"]
        verbose_name = "IP address"
        verbose_name_plural = "IP addresses"
        indexes = [models.Index(fields=["tenant", "state"], name="deliv_ip_tenant_state")]

    def __str__(self):
        return f"{self.address} ({self.vmta_name})"


class WarmupPlan(models.Model):
    """A brand's warmup schedule (its weeks) and the daily cap of an active IP."""

    tenant = models.OneToOneField("tenants.Tenant", on_delete=models.CASCADE, related_name="warmup_plan")
    active_daily_cap = models.PositiveIntegerField(default=50_000, help_text="Daily quota of an active IP.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Warmup plan of {self.tenant}"


class WarmupPlanWeek(models.Model):
    """One week of a plan: the daily quota per IP and the hard-bounce rate that must not be reached."""

    plan = models.ForeignKey(WarmupPlan, on_delete=models.CASCADE, related_name="weeks")
    week = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(52)])
    daily_quota = models.PositiveIntegerField()
    max_bounce_rate = models.DecimalField(
        max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Percent: hard bounces must stay under this to advance (2.00 = 2%).",
    )

    class Meta:
        ordering = ["plan_id", "week"]
        constraints = [models.UniqueConstraint(fields=["plan", "week"], name="deliv_one_row_per_plan_week")]

    def __str__(self):
        return f"week {self.week}: {self.daily_quota}/day, bounce < {self.max_bounce_rate}%"


class IPDailyStats(models.Model):
    """What one IP did on one UTC day (from dispatch, event intake and PowerMTA accounting)."""

    ip = models.ForeignKey(IPAddress, on_delete=models.CASCADE, related_name="daily_stats")
    date = models.DateField()
    sent = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)
    hard_bounces = models.PositiveIntegerField(default=0)
    soft_bounces = models.PositiveIntegerField(default=0)
    block_bounces = models.PositiveIntegerField(default=0, help_text="spam-related / policy-related bounces.")
    complaints = models.PositiveIntegerField(default=0)
    deferrals = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["ip_id", "date"]
        verbose_name = "IP daily stats"
        verbose_name_plural = "IP daily stats"
        constraints = [models.UniqueConstraint(fields=["ip", "date"], name="deliv_one_stats_row_per_ip_day")]

    def __str__(self):
        return f"{self.ip_id} {self.date}: {self.sent} sent"


class WarmupDecisionKind(models.TextChoices):
    ADVANCE = "advance", "Advance one day"
    HOLD = "hold", "Hold"
    STEP_BACK = "step_back", "Step back one day"
    PAUSE = "pause", "Pause"
    PROMOTE = "promote", "Promote to active"
    STAY = "stay", "Stay (not enough volume)"
    KEEP = "keep", "Keep active"
    STANDBY_PROMOTED = "standby_promoted", "Standby promoted to warmup"
    MANUAL = "manual", "Manual change"


class WarmupDecision(models.Model):
    """One decision about one IP: the automatic daily judgement (from the previous day's
    figures) or a manual state change, with the numbers it was based on."""

    ip = models.ForeignKey(IPAddress, on_delete=models.CASCADE, related_name="warmup_decisions")
    date = models.DateField(help_text="The day the decision applies to (it judges the day before).")
    decision = models.CharField(max_length=20, choices=WarmupDecisionKind.choices)
    automatic = models.BooleanField(default=True)
    state_before = models.CharField(max_length=16, choices=IPState.choices)
    state_after = models.CharField(max_length=16, choices=IPState.choices)
    day_before = models.PositiveIntegerField(default=0)
    day_after = models.PositiveIntegerField(default=0)
    quota_judged = models.PositiveIntegerField(default=0, help_text="The quota of the day judged.")
    quota_after = models.PositiveIntegerField(default=0, help_text="The quota given for `date`.")
    sent = models.PositiveIntegerField(default=0)
    hard_bounce_rate = models.DecimalField(max_digits=7, decimal_places=4, default=Decimal("0"))
    complaint_rate = models.DecimalField(max_digits=7, decimal_places=4, default=Decimal("0"))
    block_rate = models.DecimalField(max_digits=7, decimal_places=4, default=Decimal("0"))
    threshold = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    reason = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ip", "date"], condition=models.Q(automatic=True), name="deliv_one_automatic_decision_per_day"
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.ip_id} {self.decision}"


class PmtaAccountingRecord(models.Model):
    """The key of one imported PowerMTA accounting record, so that no record counts twice."""

    key = models.UUIDField(unique=True, help_text="First 16 bytes of the SHA-256 of the record.")
    source = models.CharField(max_length=255)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "PowerMTA accounting record"


class MailWizzInstance(models.Model):
    """A brand's MailWizz installation (the client is deliverability.mailwizz_client)."""

    class ApiVersion(models.IntegerChoices):
        V1 = 1, "1.x (signed requests)"
        V2 = 2, "2.x (X-API-KEY)"

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, related_name="mailwizz_instances")
    name = models.CharField(max_length=100)
    base_url = models.URLField(max_length=255, blank=True, help_text="e.g. https://lists.example.com/api")
    api_public_key = models.CharField(max_length=255, blank=True)
    api_private_key = EncryptedTextField(blank=True, help_text="Encrypted at rest; shown masked.")
    api_version = models.PositiveSmallIntegerField(choices=ApiVersion.choices, default=ApiVersion.V2)
    default_list_id = models.CharField(max_length=64, blank=True, help_text="The list UID contacts go to.")
    is_active = models.BooleanField(default=True)
    last_health_check = models.DateTimeField(null=True, blank=True)
    last_health_ok = models.BooleanField(null=True, blank=True)
    last_health_error = models.TextField(blank=True)

    class Meta:
        ordering = ["tenant_id", "name"]
        verbose_name = "MailWizz instance"
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="deliv_mailwizz_name_per_brand")]

    def __str__(self):
        return self.name


from .mailwizz_state import *  # noqa: E402,F401,F403  (the MailWizz sync state, owned by the MailWizz channel)
