"""Bulk changes the back office makes on a selection of contacts: tag, untag, suppress, export.

Each is one set-based statement over the selection (a queryset of the current brand's
contacts), whatever its size; tag_ids follow through the ContactTag statement triggers.
"""
import csv
import io

from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants.audit import audit_record

from ..models import Contact, ContactEvent, ContactTag, Suppression, Tag
from .suppression import suppressions_insert

EXPORT_FIELDS = (
    "email", "first_name", "last_name", "company", "website", "language", "category", "phone", "country", "city",
    "status", "validation_status", "validation_score", "created_at", "updated_at",
)


def _ids_sql(queryset):
    return queryset.order_by().values("id").query.sql_with_params()


def _links_change(*, change_sql, params, event_type, tag, source):
    """Run `change_sql` (a statement RETURNING contact_id), write one event per contact it changed and
    one audit entry for the whole change."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH changed AS ({change_sql}) "
            f"INSERT INTO {ContactEvent._meta.db_table} (contact_id, event_type, event_data, timestamp) "
            "SELECT contact_id, %s, jsonb_build_object('tags', jsonb_build_array(%s::text), 'source', %s::text), "
            "now() FROM changed",
            [*params, event_type, tag.slug, source],
        )
        count = cursor.rowcount
    audit_record(action="action", object_type="contacts.contacttag",
                 object_repr=f"{event_type} {count} contacts {tag.slug}", changes={"tag": tag.slug, "count": count})
    return count


@transaction.atomic
def contacts_tag_add(*, queryset, tag: Tag, source="admin"):
    """Tag every selected contact (those already tagged are left alone). Returns how many were tagged."""
    ids_sql, params = _ids_sql(queryset)
    return _links_change(
        change_sql=f"INSERT INTO {ContactTag._meta.db_table} (contact_id, tag_id, added_at) "
                   f"SELECT id, %s, now() FROM ({ids_sql}) AS selection ON CONFLICT DO NOTHING RETURNING contact_id",
        params=[tag.pk, *params], event_type="tagged", tag=tag, source=source,
    )


@transaction.atomic
def contacts_tag_remove(*, queryset, tag: Tag, source="admin"):
    """Remove a tag from every selected contact. Returns how many lost it."""
    ids_sql, params = _ids_sql(queryset)
    return _links_change(
        change_sql=f"DELETE FROM {ContactTag._meta.db_table} WHERE tag_id = %s AND contact_id IN ({ids_sql}) "
                   "RETURNING contact_id",
        params=[tag.pk, *params], event_type="untagged", tag=tag, source=source,
    )


@transaction.atomic
def contact_tags_set(*, contact, tags, source="admin"):
    """Give one contact exactly `tags`: missing links added, the others removed, each with its
    `tagged`/`untagged` event. Returns (added slugs, removed slugs)."""
    current = set(ContactTag.objects.filter(contact_id=contact.pk).values_list("tag_id", flat=True))
    wanted = {tag.pk: tag for tag in tags}
    selection = Contact.objects.filter(pk=contact.pk)
    added = [wanted[pk] for pk in sorted(wanted.keys() - current)]
    removed = list(Tag.objects.filter(pk__in=current - wanted.keys()).order_by("slug"))
    for tag in added:
        contacts_tag_add(queryset=selection, tag=tag, source=source)
    for tag in removed:
        contacts_tag_remove(queryset=selection, tag=tag, source=source)
    return [tag.slug for tag in added], [tag.slug for tag in removed]


@transaction.atomic
def contacts_suppress(*, queryset, source):
    """Put every selected contact's email on the suppression list (manual block). Returns how many were new."""
    ids_sql, params = _ids_sql(queryset)
    with connection.cursor() as cursor:
        added = suppressions_insert(cursor, emails_sql=f"SELECT c.email FROM {Contact._meta.db_table} c "
                                                       f"WHERE c.id IN ({ids_sql})",
                                    params=params, reason=Suppression.Reason.MANUAL, source=source)
        # A moved updated_at is how the MailWizz sync learns of the suppression.
        cursor.execute(f"UPDATE {Contact._meta.db_table} SET updated_at = now() WHERE id IN ({ids_sql})", params)
        return added


def contacts_export_rows(*, queryset, tenant, chunk_size=2000):
    """CSV text of the selection, header first, row by row (for a streaming response).

    A streaming response is read after the request has left the brand's schema, so the
    generator enters it again itself.
    """
    with tenant_context(tenant):
        yield from _export_rows(queryset, chunk_size)


def _export_rows(queryset, chunk_size):
    slugs = dict(Tag.objects.values_list("pk", "slug"))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*EXPORT_FIELDS, "tags"])
    yield buffer.getvalue()
    rows = queryset.order_by("pk").values_list(*EXPORT_FIELDS, "tag_ids")
    for row in rows.iterator(chunk_size=chunk_size):
        buffer.seek(0)
        buffer.truncate()
        *values, tag_ids = row
        values = [v.isoformat() if hasattr(v, "isoformat") else ("" if v is None else v) for v in values]
        writer.writerow([*values, "|".join(sorted(slugs.get(t, "") for t in (tag_ids or [])))])
        yield buffer.getvalue()


def export_filename(tenant_slug):
    return f"contacts-{tenant_slug}-{timezone.now():%Y%m%d-%H%M}.csv"
