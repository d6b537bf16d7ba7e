"""Tags and data sources of a brand: creation with their rules."""
import secrets

from django.db import IntegrityError, transaction

from ..models import DataSource, Tag
from .normalization import tag_slug_normalize

WEBHOOK_SOURCE_TYPES = (DataSource.Type.SCRAPER_PRO, DataSource.Type.BACKLINK_ENGINE, DataSource.Type.WEBHOOK)


class CatalogError(ValueError):
    """A user-facing problem creating a tag or a data source."""


def tag_create(*, slug, label="", parent_slug=None, color="", description=""):
    """A new tag; the slug is normalised (`Lang FR` -> `lang-fr`)."""
    normalized = tag_slug_normalize(slug or "")
    if not normalized:
        raise CatalogError(f"Tag slug {slug!r} has no usable characters (a-z, 0-9, -).")
    parent = None
    if parent_slug:
        parent = Tag.objects.filter(slug=tag_slug_normalize(parent_slug)).first()
        if parent is None:
            raise CatalogError(f"Unknown parent tag {parent_slug!r}.")
    if Tag.objects.filter(slug=normalized).exists():
        raise CatalogError(f"Tag {normalized!r} already exists.")
    try:
        with transaction.atomic():
            return Tag.objects.create(slug=normalized, label=label or normalized, parent=parent, color=color,
                                      description=description)
    except IntegrityError:
        raise CatalogError(f"Tag {normalized!r} already exists.") from None


def webhook_secret_new():
    return secrets.token_urlsafe(32)


def data_source_create(*, name, type, config=None, is_active=True):
    """(data source, webhook secret or ''): webhook-capable types get a new secret, shown once."""
    if type not in DataSource.Type.values:
        raise CatalogError(f"Unknown data source type {type!r} (one of {', '.join(DataSource.Type.values)}).")
    if not name or not str(name).strip():
        raise CatalogError("A data source needs a name.")
    if DataSource.objects.filter(name=name.strip()).exists():
        raise CatalogError(f"Data source {name.strip()!r} already exists.")
    secret = webhook_secret_new() if type in WEBHOOK_SOURCE_TYPES else ""
    source = DataSource.objects.create(name=name.strip(), type=type, config=config or {}, is_active=is_active,
                                       webhook_secret=secret)
    return source, secret


def data_source_rotate_secret(*, data_source):
    """Give the data source a new webhook secret and return it (shown once)."""
    secret = webhook_secret_new()
    data_source.webhook_secret = secret
    data_source.save(update_fields=["webhook_secret", "updated_at"])
    return secret
