"""Reads on a brand's contacts: segments (as SQL the campaigns app can reuse), lists, details, exports.

A segment filter is a dict:
    {"tags_all": [...], "tags_any": [...], "exclude_tags": [...],
     "language": ..., "category": ..., "country": ..., "status": ..., "validation_status": ...}
- `tags_all`: the contact has every one (AND); `tags_any`: at least one (OR);
  `exclude_tags`: none of them. A tag matches itself and all its descendants
  (`prestataire` matches contacts tagged `avocat`). An unknown tag in `tags_all`
  matches nobody; in `tags_any` / `exclude_tags` it matches nothing.
- field filters take a value or a list of values. `language: "en"` also matches
  contacts with no language (they get the English fallback at send time).
- without `status`, only deliverable contacts are matched: status `active`, not on
  the suppression list, validation not `invalid`. With `status`, exactly those
  statuses are matched (e.g. to look at unsubscribed contacts).

Tag conditions read `contacts_tagset` (each distinct tag combination once) and match contacts
by `tagset_id`; see `contacts.models` for how the database keeps them.
"""
from dataclasses import dataclass

from django.db import connection

from .models import LANGUAGES, Contact, ContactEvent, ContactStatus, Tag, ValidationStatus

FILTER_KEYS = ("tags_all", "tags_any", "exclude_tags", "language", "category", "country", "status", "validation_status")
TAG_KEYS = ("tags_all", "tags_any", "exclude_tags")
MAX_LIST_LIMIT = 1000


class SegmentFilterError(ValueError):
    """The filter is malformed; the message says how (a 400 for the API)."""


@dataclass(frozen=True)
class SegmentFilter:
    tags_all: tuple = ()
    tags_any: tuple = ()
    exclude_tags: tuple = ()
    language: tuple = ()
    category: tuple = ()
    country: tuple = ()
    status: tuple = ()
    validation_status: tuple = ()


def _values(key, raw):
    if raw is None or raw == "" or raw == []:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, (list, tuple)) or not all(isinstance(v, str) and v.strip() for v in raw):
        raise SegmentFilterError(f"{key} must be a string or a list of strings.")
    return tuple(dict.fromkeys(v.strip() for v in raw))


def segment_filter_check(*, data):
    """A SegmentFilter from a JSON-like dict, or SegmentFilterError."""
    from .services.normalization import tag_slug_normalize

    if data is None:
        data = {}
    if isinstance(data, SegmentFilter):
        return data
    if not isinstance(data, dict):
        raise SegmentFilterError("The segment filter must be a JSON object.")
    unknown = sorted(set(data) - set(FILTER_KEYS))
    if unknown:
        raise SegmentFilterError(f"Unknown filter key(s): {', '.join(unknown)} (known: {', '.join(FILTER_KEYS)}).")
    values = {key: _values(key, data.get(key)) for key in FILTER_KEYS}
    for key in TAG_KEYS:
        values[key] = tuple(dict.fromkeys(tag_slug_normalize(v) for v in values[key]))
    values["language"] = tuple(v.lower()[:2] for v in values["language"])
    bad = [v for v in values["language"] if v not in LANGUAGES]
    if bad:
        raise SegmentFilterError(f"Unknown language {bad[0]!r} (one of {' '.join(LANGUAGES)}).")
    values["category"] = tuple(v.lower() for v in values["category"])
    values["country"] = tuple(v.upper() if len(v) == 2 else v for v in values["country"])
    for key, enum in (("status", ContactStatus), ("validation_status", ValidationStatus)):
        bad = [v for v in values[key] if v not in enum.values]
        if bad:
            raise SegmentFilterError(f"Unknown {key} {bad[0]!r} (one of {', '.join(enum.values)}).")
    return SegmentFilter(**values)


def tag_descendant_ids():
    """{slug: [id of the tag and of all its descendants]} for the current brand."""
    rows = list(Tag.objects.values_list("id", "slug", "parent_id"))
    children = {}
    for tag_id, _, parent_id in rows:
        children.setdefault(parent_id, []).append(tag_id)
    expanded = {}
    for tag_id, slug, _ in rows:
        ids, stack, seen = [], [tag_id], set()
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            ids.append(current)
            stack.extend(children.get(current, ()))
        expanded[slug] = sorted(ids)
    return expanded


def segment_where_sql(*, filter, alias="c"):
    """(SQL condition on `contacts_contact AS <alias>`, params) for a segment filter.

    Tag conditions are evaluated once per distinct tag combination (`contacts_tagset`),
    and the contacts are matched by `tagset_id = ANY(...)`; with the default audience
    rule (`deliverable`) and a language, the whole condition is answered by the index
    `contact_segment` (tagset_id, deliverable, language), index-only for counts.
    """
    spec = segment_filter_check(data=filter)
    conditions, params = [], []
    if any(getattr(spec, key) for key in TAG_KEYS):
        tags = tag_descendant_ids()
        tag_conditions = []
        for slug in spec.tags_all:
            if slug not in tags:
                return "FALSE", []
            tag_conditions.append("ts.tag_ids && %s::integer[]")
            params.append(tags[slug])
        if spec.tags_any:
            any_ids = sorted({i for slug in spec.tags_any for i in tags.get(slug, ())})
            if not any_ids:
                return "FALSE", []
            tag_conditions.append("ts.tag_ids && %s::integer[]")
            params.append(any_ids)
        exclude_ids = sorted({i for slug in spec.exclude_tags for i in tags.get(slug, ())})
        if exclude_ids:
            tag_conditions.append("NOT (ts.tag_ids && %s::integer[])")
            params.append(exclude_ids)
        if tag_conditions:
            conditions.append(f"{alias}.tagset_id = ANY(ARRAY(SELECT ts.id FROM contacts_tagset ts "
                              f"WHERE {' AND '.join(tag_conditions)}))")
    if spec.status:
        conditions.append(f"{alias}.status = ANY(%s::text[])")
        params.append(list(spec.status))
    elif spec.validation_status:
        conditions.append(f"{alias}.status = 'active' AND NOT {alias}.suppressed")
    else:
        conditions.append(f"{alias}.deliverable")  # active, validation not invalid, not suppressed
    if spec.language:
        language = f"{alias}.language = ANY(%s::text[])"
        conditions.append(f"({language} OR {alias}.language IS NULL)" if "en" in spec.language else language)
        params.append(list(spec.language))
    for key in ("category", "country", "validation_status"):
        if getattr(spec, key):
            conditions.append(f"{alias}.{key} = ANY(%s::text[])")
            params.append(list(getattr(spec, key)))
    return " AND ".join(conditions) or "TRUE", params


def tagged_contacts_filter(*, queryset, tag_ids):
    """`queryset` narrowed to contacts carrying one of `tag_ids` (through their TagSet, index-friendly)."""
    from .models import TagSet

    return queryset.filter(tagset_id__in=TagSet.objects.filter(tag_ids__overlap=list(tag_ids)).values("id"))


def contacts_with_tag(*, queryset, slug):
    """`queryset` narrowed to contacts tagged `slug` or one of its descendants (none for an unknown slug)."""
    ids = tag_descendant_ids().get(slug)
    return tagged_contacts_filter(queryset=queryset, tag_ids=ids) if ids else queryset.none()


def segment_contact_ids_sql(*, filter):
    """(`SELECT c.id FROM contacts_contact c WHERE ...`, params): for `INSERT ... SELECT` by campaigns.

    Runs in the current brand's schema (unqualified table names).
    """
    where, params = segment_where_sql(filter=filter)
    return f"SELECT c.id FROM contacts_contact c WHERE {where}", params


def segment_count(*, filter):
    """How many contacts of the current brand match the filter."""
    where, params = segment_where_sql(filter=filter)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM contacts_contact c WHERE {where}", params)
        return cursor.fetchone()[0]


def segment_preview(*, filter, limit=50, offset=0):
    """A page of matching contacts (id order), with their tags."""
    sql, params = segment_contact_ids_sql(filter=filter)
    ids = Contact.objects.raw(f"{sql} ORDER BY c.id LIMIT %s OFFSET %s", [*params, limit, offset])
    return list(Contact.objects.filter(pk__in=[c.pk for c in ids]).order_by("pk").prefetch_related("tags"))


def contact_list(*, tag=None, language=None, category=None, status=None, updated_since=None, limit=100, offset=0):
    """A page of the current brand's contacts, newest changes last (id order)."""
    contacts = Contact.objects.order_by("pk")
    if tag:
        contacts = contacts_with_tag(queryset=contacts, slug=tag)
    if language:
        contacts = contacts.filter(language=language)
    if category:
        contacts = contacts.filter(category=category.lower())
    if status:
        contacts = contacts.filter(status=status)
    if updated_since:
        contacts = contacts.filter(updated_at__gte=updated_since)
    total = contacts.count()
    page = list(contacts.prefetch_related("tags")[offset: offset + limit])
    return total, page


def contact_get(*, contact_id):
    return Contact.objects.prefetch_related("tags").select_related("data_source").filter(pk=contact_id).first()


def contact_export(*, contact):
    """Everything the brand holds on the person (GDPR access): fields, tags, events, suppression."""
    from .models import Suppression

    fields = {
        f.name: getattr(contact, f.attname)
        for f in Contact._meta.concrete_fields
        if f.name not in ("tag_ids", "tagset", "suppressed", "deliverable")
    }
    fields["data_source"] = contact.data_source.name if contact.data_source_id and contact.data_source else None
    events = [
        {"event_type": e.event_type, "campaign_id": e.campaign_id, "event_data": e.event_data, "timestamp": e.timestamp}
        for e in ContactEvent.objects.filter(contact=contact).order_by("timestamp", "pk")
    ]
    suppression = Suppression.objects.filter(email=contact.email).first()
    return {
        "contact": fields,
        "tags": [{"slug": t.slug, "label": t.label, "added_at": ct.added_at}
                 for ct in contact.contact_tags.select_related("tag").order_by("tag__slug") for t in [ct.tag]],
        "events": events,
        "suppression": (
            {"reason": suppression.reason, "source": suppression.source, "created_at": suppression.created_at}
            if suppression else None
        ),
    }


def import_job_find(*, job_id, principal):
    """(brand, job) of the CSV import job `job_id` among the brands `principal` may read, or (None, None).

    Job ids are UUIDs unique across brands; the lookup leaves the connection in the public schema.
    """
    from django_tenants.utils import tenant_context

    from tenants.models import Tenant

    from .models import ImportJob

    for tenant in Tenant.objects.filter(is_active=True).order_by("pk"):
        if not principal.can(tenant, "contacts:read"):
            continue
        with tenant_context(tenant):
            job = ImportJob.objects.filter(pk=job_id).first()
        if job is not None:
            return tenant, job
    return None, None
