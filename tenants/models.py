"""Brands (tenants), who may act on them (grants, API keys) and what they did (audit)."""
from django.conf import settings
from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class Tenant(TenantMixin):
    """A brand. Its contacts, tags, templates and campaigns live in its own schema."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    brand_domain = models.CharField(max_length=253, help_text="The brand's own domain, e.g. sos-expat.com")
    sending_domain_base = models.CharField(
        max_length=253, help_text="Base of the sending domains, e.g. sos-mail.com (mailN.<base>)"
    )
    time_zone = models.CharField(max_length=64, default="Europe/Paris")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    auto_create_schema = True

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.name

    @staticmethod
    def schema_name_for(slug):
        return slug.replace("-", "_")


class Domain(DomainMixin):
    """A host name routed to a brand (django-tenants' domain model; the admin also switches by session)."""

    def __str__(self):
        return self.domain


class Role(models.TextChoices):
    ADMIN = "admin", "Admin (every brand)"
    OPERATOR = "operator", "Operator"
    VIEWER = "viewer", "Viewer"


class TenantGrant(models.Model):
    """A person's access to one brand (operator or viewer), or to every brand (admin, tenant empty)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tenant_grants")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, null=True, blank=True, related_name="grants")
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "tenant"], name="one_grant_per_user_and_tenant"),
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(tenant__isnull=True), name="one_admin_grant_per_user"
            ),
            models.CheckConstraint(
                condition=(models.Q(role="admin", tenant__isnull=True) | models.Q(~models.Q(role="admin"), tenant__isnull=False)),
                name="admin_grants_cover_every_tenant",
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.role} {self.tenant or 'every brand'}"


class Scope(models.TextChoices):
    CONTACTS_WRITE = "contacts:write"
    CONTACTS_READ = "contacts:read"
    CAMPAIGNS_WRITE = "campaigns:write"
    CAMPAIGNS_READ = "campaigns:read"
    TEMPLATES_WRITE = "templates:write"
    TEMPLATES_READ = "templates:read"


class ApiKey(models.Model):
    """A machine client's key. Only its SHA-256 hash is stored; the key is shown once."""

    name = models.CharField(max_length=100, unique=True)
    prefix = models.CharField(max_length=16, db_index=True, help_text="First characters, to recognise the key")
    key_hash = models.CharField(max_length=64, unique=True)
    tenants = models.ManyToManyField(Tenant, related_name="api_keys")
    scopes = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "API key"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class AuditLog(models.Model):
    """One change made through the admin or the API: who, which brand, what, when, from where."""

    class Action(models.TextChoices):
        CREATE = "create"
        UPDATE = "update"
        DELETE = "delete"
        ACTION = "action"

    timestamp = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    api_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.SET_NULL)
    actor = models.CharField(max_length=150, help_text="User name or API key name at the time")
    tenant = models.ForeignKey(Tenant, null=True, blank=True, on_delete=models.SET_NULL)
    channel = models.CharField(max_length=10, choices=[("admin", "admin"), ("api", "api"), ("command", "command")])
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-timestamp", "-pk"]
        indexes = [models.Index(fields=["tenant", "-timestamp"])]

    def __str__(self):
        return f"{self.timestamp:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type} {self.object_id}"
