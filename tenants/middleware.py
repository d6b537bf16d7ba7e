"""Per-request brand and audit context.

Every request starts in the public schema. In the admin, a staff member works in
one brand at a time: the one chosen with the brand switcher (kept in the session)
if still granted, else their first granted brand. API views choose the brand from
the URL after checking the caller's grant (see tenants.api).
"""
from django.db import connection

from .audit import Actor, audit_actor_reset, audit_actor_set
from .selectors import tenant_list_for_user

SESSION_KEY = "brand_id"


def client_ip(request):
    return request.META.get("REMOTE_ADDR") or None


class BrandMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        connection.set_schema_to_public()
        request.brand = None
        request.brands = []
        channel = "api" if request.path.startswith("/api/") else "admin"
        user = getattr(request, "user", None)
        token = audit_actor_set(
            Actor(channel=channel, user=user if user is not None and user.is_authenticated else None,
                  ip_address=client_ip(request))
        )
        try:
            if channel == "admin" and user is not None and user.is_authenticated and user.is_staff:
                self._select_brand(request, user)
            return self.get_response(request)
        finally:
            audit_actor_reset(token)
            connection.set_schema_to_public()

    def _select_brand(self, request, user):
        brands = list(tenant_list_for_user(user=user))
        request.brands = brands
        if not brands:
            return
        wanted = request.session.get(SESSION_KEY)
        brand = next((b for b in brands if b.pk == wanted), brands[0])
        if wanted != brand.pk:
            request.session[SESSION_KEY] = brand.pk
        request.brand = brand
        request.tenant = brand  # django-tenants' admin templates read request.tenant
        connection.set_tenant(brand)
