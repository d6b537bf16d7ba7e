"""The audit trail of every change made through the admin or the API.

A request sets the actor (person or key, channel, IP) in a context variable; model
signals then record each single-object change with its field diff. Set-based
services (ingest, imports, bulk actions) call `audit_record` once per operation.
Changes made with no actor (Celery tasks, beat) are the engine's own and are not
recorded here; their effects have their own history (warmup decisions, events).
"""
import contextvars
import datetime
import decimal
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection
from django.db.models.signals import post_delete, post_save, pre_save

_actor = contextvars.ContextVar("audit_actor", default=None)

# High-volume or derived rows that are history themselves.
NOT_AUDITED = {
    "tenants.auditlog",
    "sessions.session",
    "admin.logentry",
    "contenttypes.contenttype",
    "auth.permission",
    "contacts.contactevent",
    "contacts.contacttag",
    "campaigns.campaignrecipient",
    "deliverability.ipdailystats",
    "deliverability.warmupdecision",
    "django_celery_beat.periodictasks",
}
SECRET_FIELD_MARKERS = ("secret", "private_key", "password", "key_hash")


@dataclass
class Actor:
    channel: str
    user: object = None
    api_key: object = None
    ip_address: str = None

    @property
    def name(self):
        if self.api_key is not None:
            return f"key:{self.api_key.name}"
        if self.user is not None:
            return self.user.get_username()
        return self.channel


def audit_actor_set(actor):
    return _actor.set(actor)


def audit_actor_reset(token):
    _actor.reset(token)


def audit_actor_get():
    return _actor.get()


@contextmanager
def audit_as(actor):
    token = _actor.set(actor)
    try:
        yield actor
    finally:
        _actor.reset(token)


def _current_tenant_id():
    tenant = getattr(connection, "tenant", None)
    return getattr(tenant, "pk", None) if tenant is not None and getattr(tenant, "schema_name", "public") != "public" else None


def _jsonable(value):
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (str, int, float, bool, type(None), list, dict)):
        return value
    return str(value)


def _is_secret(field_name):
    return any(marker in field_name for marker in SECRET_FIELD_MARKERS)


def audit_record(*, action, object_type, object_id="", object_repr="", changes=None, tenant_id=None):
    """Record one change by the current actor (no-op outside a request)."""
    actor = _actor.get()
    if actor is None:
        return None
    from .models import AuditLog

    return AuditLog.objects.create(
        user=actor.user if actor.user is not None and actor.user.pk else None,
        api_key=actor.api_key,
        actor=actor.name[:150],
        tenant_id=tenant_id if tenant_id is not None else _current_tenant_id(),
        channel=actor.channel,
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        object_repr=str(object_repr)[:200],
        changes=changes or {},
        ip_address=actor.ip_address,
    )


def _label(instance):
    return instance._meta.label_lower


def _field_values(instance):
    values = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        values[field.attname] = "••••" if _is_secret(field.name) and value else _jsonable(value)
    return values


def _on_pre_save(sender, instance, raw=False, **kwargs):
    if raw or _actor.get() is None or _label(instance) in NOT_AUDITED or instance.pk is None:
        return
    previous = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = _field_values(previous) if previous is not None else None


def _on_post_save(sender, instance, created, raw=False, **kwargs):
    if raw or _actor.get() is None or _label(instance) in NOT_AUDITED:
        return
    after = _field_values(instance)
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        changes = {name: [None, value] for name, value in after.items() if value not in (None, "", [], {})}
        action = "create"
    else:
        changes = {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}
        if not changes:
            return
        action = "update"
    audit_record(
        action=action,
        object_type=_label(instance),
        object_id=instance.pk,
        object_repr=str(instance),
        changes=changes,
        tenant_id=_tenant_of(instance),
    )


def _on_post_delete(sender, instance, **kwargs):
    if _actor.get() is None or _label(instance) in NOT_AUDITED:
        return
    audit_record(
        action="delete",
        object_type=_label(instance),
        object_id=instance.pk,
        object_repr=str(instance),
        changes={},
        tenant_id=_tenant_of(instance),
    )


def _tenant_of(instance):
    """The brand a changed row belongs to: its tenant FK in the public schema, else the current schema."""
    from .models import Tenant

    if isinstance(instance, Tenant):
        return instance.pk if instance.pk and Tenant.objects.filter(pk=instance.pk).exists() else None
    tenant_id = getattr(instance, "tenant_id", None)
    return tenant_id if tenant_id is not None else _current_tenant_id()


def connect_signals():
    pre_save.connect(_on_pre_save, dispatch_uid="audit_pre_save")
    post_save.connect(_on_post_save, dispatch_uid="audit_post_save")
    post_delete.connect(_on_post_delete, dispatch_uid="audit_post_delete")
