"""Seed step: each brand's starter templates (starter_content.STARTER_TEMPLATES), only where missing.

A starter template is created, as the default of its (language, category) slot, only when that
slot has no default and no template carries the starter's name there; so re-running the seed
never overwrites or duplicates a template someone edited, replaced or retired.
"""
from django_tenants.utils import tenant_context

from tenants.models import Tenant

from .models import EmailTemplate, category_normalise
from .starter_content import STARTER_TEMPLATES


def _slot_is_taken(spec):
    category = category_normalise(spec.get("category"))
    slot = EmailTemplate.objects.filter(language=spec["language"], category=category)
    return slot.filter(is_default=True).exists() or slot.filter(name=spec["name"]).exists()


def starter_templates_create(*, tenant) -> int:
    """Create the brand's missing starter templates; returns how many were created."""
    created = 0
    with tenant_context(tenant):
        for spec in STARTER_TEMPLATES.get(tenant.slug, []):
            if _slot_is_taken(spec):
                continue
            EmailTemplate.objects.create(
                name=spec["name"], language=spec["language"], category=category_normalise(spec.get("category")),
                subject=spec["subject"], body_html=spec["body_html"], body_text=spec.get("body_text") or "",
                is_default=True,
            )
            created += 1
    return created


def seed_starter_templates(*, progress):
    created = 0
    for tenant in progress(list(Tenant.objects.filter(is_active=True).order_by("pk")), desc="starter templates"):
        created += starter_templates_create(tenant=tenant)
    return {"templates": created}
