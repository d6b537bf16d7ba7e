"""POST /api/v2/contacts/ingest: one request, items for one or several brands.

`ingest_request_check` is the checking side for the request as a whole (every problem
raised here is a 4xx and nothing is stored); `ingest_request_run` groups the items by
brand, rejects the items of brands the caller may not write to (item errors), and
runs `contact_ingest` in each brand, all in one transaction.
"""
from django.db import connection, transaction

from tenants.access import principal_for_request
from tenants.selectors import tenant_get

from .ingest import MAX_ITEMS_PER_REQUEST, IngestResult, contact_ingest, ingest_error


class IngestRequestError(ValueError):
    """The request as a whole is refused (4xx); `status_code` says which."""

    def __init__(self, message, status_code=400):
        super().__init__(message)
        self.status_code = status_code


def ingest_request_check(*, data):
    """The items list of a request body, or IngestRequestError."""
    if not isinstance(data, dict):
        raise IngestRequestError('The body must be a JSON object: {"contacts": [...]}.')
    items = data.get("contacts")
    if not isinstance(items, list):
        raise IngestRequestError('The body must have a "contacts" list.')
    if len(items) > MAX_ITEMS_PER_REQUEST:
        raise IngestRequestError(
            f"Too many contacts: {len(items)} (at most {MAX_ITEMS_PER_REQUEST:,} per request).", status_code=413
        )
    return items


def _brand_for_item(item, principal, brands):
    if not isinstance(item, dict):
        return None, "Each contact must be a JSON object."
    ref = item.get("tenant_id")
    if ref is None or ref == "":
        return None, "tenant_id is missing."
    key = str(ref)
    if key not in brands:
        tenant = tenant_get(ref=key)
        if tenant is None or not tenant.is_active:
            brands[key] = (None, f"Unknown brand {ref!r}.")
        elif not principal.can(tenant, "contacts:write"):
            brands[key] = (None, f"Brand {tenant.slug!r} is not allowed for this key (contacts:write).")
        else:
            brands[key] = (tenant, None)
    return brands[key]


def ingest_request_run(*, request, items, origin="api"):
    """Store the items in their brands; returns the combined IngestResult."""
    principal = principal_for_request(request)
    brands, groups = {}, {}
    result = IngestResult()
    for position, item in enumerate(items):
        tenant, problem = _brand_for_item(item, principal, brands)
        if tenant is None:
            result.total_processed += 1
            result.errors.append(ingest_error(position=position, item=item, message=problem))
            continue
        positions, batch = groups.setdefault(tenant.pk, (tenant, [], []))[1:]
        positions.append(position)
        batch.append(item)
    try:
        with transaction.atomic():
            for tenant, positions, batch in groups.values():
                connection.set_tenant(tenant)
                result.add(contact_ingest(items=batch, positions=positions, origin=origin))
    finally:
        connection.set_schema_to_public()
    return result
