"""Reads about brands, people and keys."""
import hashlib

from django.db.models import Q

from .models import ApiKey, Role, Tenant


def tenant_get(*, ref):
    """A brand by id (`1`) or slug (`sos-expat`), or None."""
    ref = str(ref).strip()
    query = Q(slug=ref)
    if ref.isdigit():
        query |= Q(pk=int(ref))
    return Tenant.objects.filter(query).first()


def tenant_list_for_user(*, user):
    """The active brands a person may open, in id order."""
    brands = Tenant.objects.filter(is_active=True).order_by("pk")
    if not user.is_active:
        return brands.none()
    if user.is_superuser or user.tenant_grants.filter(role=Role.ADMIN).exists():
        return brands
    return brands.filter(grants__user=user).distinct()


def api_key_hash(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_get_active(*, raw):
    """The active key whose hash matches `raw`, or None. Keys are high-entropy: SHA-256 suffices."""
    if not raw:
        return None
    return ApiKey.objects.filter(key_hash=api_key_hash(raw), is_active=True).first()
