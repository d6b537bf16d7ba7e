"""API key authentication: `Authorization: Bearer <key>` or `X-API-Key: <key>`."""
from django.utils import timezone
from rest_framework import authentication, exceptions

from .audit import Actor, audit_actor_get, audit_actor_set
from .selectors import api_key_get_active


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        raw = request.META.get("HTTP_X_API_KEY", "").strip()
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not raw and header:
            parts = header.split()
            if len(parts) != 2 or parts[0].lower() != "bearer":
                raise exceptions.AuthenticationFailed("Send the API key as 'Authorization: Bearer <key>'.")
            raw = parts[1]
        if not raw:
            return None
        key = api_key_get_active(raw=raw)
        if key is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.")
        if key.last_used_at is None or (timezone.now() - key.last_used_at).total_seconds() > 60:
            type(key).objects.filter(pk=key.pk).update(last_used_at=timezone.now())
        current = audit_actor_get()
        audit_actor_set(Actor(channel="api", api_key=key, ip_address=getattr(current, "ip_address", None)))
        return (None, key)

    def authenticate_header(self, request):
        return self.keyword
