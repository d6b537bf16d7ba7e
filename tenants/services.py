"""Changes to brands, people's grants and API keys."""
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone

from .models import ApiKey, Domain, Role, Scope, Tenant, TenantGrant
from .selectors import api_key_hash

KEY_PREFIX = "ee_"


class AccessError(ValueError):
    """A user-facing problem with a people/keys request (unknown user, brand, role, scope...)."""


def _user_get(username):
    User = get_user_model()
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise AccessError(f"Unknown user {username!r}.") from None


def _tenant_by_slug(slug):
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        known = ", ".join(Tenant.objects.order_by("pk").values_list("slug", flat=True)) or "none"
        raise AccessError(f"Unknown brand {slug!r} (known brands: {known}).")
    return tenant


def tenant_create(*, slug, name, brand_domain, sending_domain_base, time_zone="Europe/Paris"):
    """Create a brand and its schema (migrated). Idempotent on slug: returns (tenant, created)."""
    existing = Tenant.objects.filter(slug=slug).first()
    if existing is not None:
        return existing, False
    connection.set_schema_to_public()
    tenant = Tenant(
        schema_name=Tenant.schema_name_for(slug),
        slug=slug,
        name=name,
        brand_domain=brand_domain,
        sending_domain_base=sending_domain_base,
        time_zone=time_zone,
    )
    tenant.save(verbosity=0)
    Domain.objects.get_or_create(domain=f"{slug}.localhost", defaults={"tenant": tenant, "is_primary": True})
    return tenant, True


def user_create(*, username, email, password=None, superuser=False):
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise AccessError(f"User {username!r} already exists.")
    try:
        validate_email(email)
    except ValidationError:
        raise AccessError(f"{email!r} is not a valid email address.") from None
    user = User(username=username, email=email, is_staff=True, is_superuser=superuser)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


def user_disable(*, username):
    user = _user_get(username)
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def grant_set(*, username, role, tenant_slug=None):
    """Grant a person a role: `admin` covers every brand; `operator`/`viewer` one brand."""
    if role not in Role.values:
        raise AccessError(f"Unknown role {role!r} (roles: {', '.join(Role.values)}).")
    user = _user_get(username)
    if role == Role.ADMIN:
        if tenant_slug not in (None, "", "*", "all"):
            raise AccessError("The admin role covers every brand: give no --tenant (or --tenant all).")
        TenantGrant.objects.filter(user=user).delete()
        return TenantGrant.objects.create(user=user, tenant=None, role=role)
    if not tenant_slug:
        raise AccessError(f"The {role} role is per brand: give --tenant SLUG.")
    tenant = _tenant_by_slug(tenant_slug)
    if TenantGrant.objects.filter(user=user, tenant__isnull=True).exists():
        raise AccessError(f"{username} is admin of every brand; revoke that first to grant one brand.")
    grant, _ = TenantGrant.objects.update_or_create(user=user, tenant=tenant, defaults={"role": role})
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return grant


def grant_revoke(*, username, tenant_slug=None):
    """Remove a person's grant on one brand, or their admin grant when no brand is named."""
    user = _user_get(username)
    if tenant_slug in (None, "", "*", "all"):
        deleted, _ = TenantGrant.objects.filter(user=user, tenant__isnull=True).delete()
        label = "every brand (admin)"
    else:
        tenant = _tenant_by_slug(tenant_slug)
        deleted, _ = TenantGrant.objects.filter(user=user, tenant=tenant).delete()
        label = tenant.slug
    if not deleted:
        raise AccessError(f"{username} has no grant on {label}.")
    return deleted


def scopes_parse(raw):
    scopes = [s.strip() for s in (raw if isinstance(raw, (list, tuple)) else raw.split(",")) if s.strip()]
    unknown = [s for s in scopes if s not in Scope.values]
    if unknown:
        raise AccessError(f"Unknown scope(s) {', '.join(unknown)} (scopes: {', '.join(Scope.values)}).")
    if not scopes:
        raise AccessError("Give at least one scope.")
    return sorted(set(scopes))


@transaction.atomic
def api_key_create(*, name, tenant_slugs, scopes, created_by=None):
    """Create a key; returns (api_key, raw_key). The raw key is never stored nor shown again."""
    if ApiKey.objects.filter(name=name).exists():
        raise AccessError(f"An API key named {name!r} already exists.")
    tenants = [_tenant_by_slug(slug) for slug in tenant_slugs]
    if not tenants:
        raise AccessError("Name at least one brand with --tenants.")
    scope_list = scopes_parse(scopes)
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name, prefix=raw[:10], key_hash=api_key_hash(raw), scopes=scope_list, created_by=created_by
    )
    key.tenants.set(tenants)
    return key, raw


def api_key_revoke(*, name):
    key = ApiKey.objects.filter(name=name).first()
    if key is None:
        raise AccessError(f"Unknown API key {name!r}.")
    if not key.is_active:
        raise AccessError(f"API key {name!r} is already revoked.")
    key.is_active = False
    key.revoked_at = timezone.now()
    key.save(update_fields=["is_active", "revoked_at"])
    return key
