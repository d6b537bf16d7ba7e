"""Webhooks from Scraper-Pro and Backlink Engine: the HMAC signature of the raw body is the authentication."""
import hashlib
import hmac
import json

from django.db import connection

from tenants.selectors import tenant_get

from ..models import DataSource
from .ingest import IngestResult, contact_ingest, ingest_error
from .ingest_request import IngestRequestError, ingest_request_check

SIGNATURE_PREFIX = "sha256="


class WebhookUnauthorized(ValueError):
    """Missing or wrong signature, or no such brand/data source/secret (all answered 401 alike)."""


def webhook_signature(*, secret, body):
    """The `X-Signature` value for a raw body: `sha256=<hex HMAC-SHA256>`."""
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_check(*, tenant_ref, data_source_id, body, signature):
    """(tenant, data_source) when the signature matches the data source's secret; else WebhookUnauthorized."""
    tenant = tenant_get(ref=tenant_ref)
    if tenant is None or not tenant.is_active:
        raise WebhookUnauthorized("Invalid signature.")
    connection.set_tenant(tenant)
    source = DataSource.objects.filter(pk=data_source_id, is_active=True).first() if str(data_source_id).isdigit() else None
    if source is None or not source.webhook_secret:
        raise WebhookUnauthorized("Invalid signature.")
    if not signature:
        raise WebhookUnauthorized("Missing X-Signature header (sha256=<hex HMAC-SHA256 of the body>).")
    expected = webhook_signature(secret=source.webhook_secret, body=body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise WebhookUnauthorized("Invalid signature.")
    return tenant, source


def webhook_ingest(*, tenant, source, body):
    """Ingest a signed webhook body into the tenant (connection already in its schema)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise IngestRequestError("Malformed JSON body.") from None
    items = ingest_request_check(data=data)
    result = IngestResult()
    accepted, positions = [], []
    for position, item in enumerate(items):
        problem = None
        if isinstance(item, dict):
            ref = item.get("tenant_id")
            if ref not in (None, "") and str(ref) not in (str(tenant.pk), tenant.slug):
                problem = f"tenant_id {ref!r} does not match this webhook's brand ({tenant.pk})."
            sid = item.get("data_source_id")
            if sid not in (None, "") and str(sid) != str(source.pk):
                problem = f"data_source_id {sid!r} does not match this webhook's data source ({source.pk})."
        if problem:
            result.total_processed += 1
            result.errors.append(ingest_error(position=position, item=item, message=problem))
        else:
            accepted.append(item)
            positions.append(position)
    return result.add(contact_ingest(
        items=accepted, positions=positions, default_data_source_id=source.pk, origin=f"webhook {source.name}"
    ))
