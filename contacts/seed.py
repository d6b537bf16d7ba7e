"""The seed's starting audience setup: SOS-Expat's 16 base tags and every brand's 4 data sources."""
import secrets

from django.db import connection
from django_tenants.utils import tenant_context

from tenants.models import Tenant

from .models import DataSource, Tag

# (slug, label, parent slug): the seed's tag tree. The "Langues" heading is not a tag.
BASE_TAGS = [
    ("prestataire", "Prestataire", None),
    ("avocat", "Avocat", "prestataire"),
    ("expat-aidant", "Expat aidant", "prestataire"),
    ("marketing-partner", "Marketing partner", None),
    ("blogger", "Blogger", "marketing-partner"),
    ("influencer", "Influencer", "marketing-partner"),
    ("chatter", "Chatter", "marketing-partner"),
    ("admin-group", "Admin group", "marketing-partner"),
    ("client", "Client", None),
    ("vacancier", "Vacancier", "client"),
    ("expat", "Expat", "client"),
    ("digital-nomad", "Digital nomad", "client"),
    ("lang-fr", "Français", None),
    ("lang-en", "English", None),
    ("lang-es", "Español", None),
    ("lang-de", "Deutsch", None),
]
TAG_BRANDS = ("sos-expat",)

# The ids the seed's API examples use (data_source_id 1 = Scraper-Pro, 3 = CSV).
BASE_DATA_SOURCES = [
    (1, "Scraper-Pro", DataSource.Type.SCRAPER_PRO),
    (2, "Backlink Engine", DataSource.Type.BACKLINK_ENGINE),
    (3, "CSV", DataSource.Type.CSV),
    (4, "API", DataSource.Type.API),
]
WEBHOOK_TYPES = (DataSource.Type.SCRAPER_PRO, DataSource.Type.BACKLINK_ENGINE)


def tags_create_base():
    created = 0
    by_slug = {}
    for slug, label, parent in BASE_TAGS:
        tag, was_created = Tag.objects.get_or_create(
            slug=slug, defaults={"label": label, "parent": by_slug.get(parent)}
        )
        by_slug[slug] = tag
        created += was_created
    return created


def data_sources_create_base():
    created = 0
    for pk, name, kind in BASE_DATA_SOURCES:
        if DataSource.objects.filter(pk=pk).exists() or DataSource.objects.filter(name=name).exists():
            continue
        secret = secrets.token_urlsafe(32) if kind in WEBHOOK_TYPES else ""
        DataSource.objects.create(pk=pk, name=name, type=kind, webhook_secret=secret)
        created += 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('contacts_datasource', 'id'), GREATEST((SELECT max(id) FROM contacts_datasource), 1))"
        )
    return created


def seed_tags_and_sources(*, progress):
    tags = sources = 0
    for tenant in progress(list(Tenant.objects.order_by("pk")), desc="tags and data sources"):
        with tenant_context(tenant):
            if tenant.slug in TAG_BRANDS:
                tags += tags_create_base()
            sources += data_sources_create_base()
    return {"tags": tags, "data sources": sources}
