"""Base pieces every brand-scoped API view uses: the caller's grant check and error shape.

A view names the scopes it needs (`scope_read` for GET/HEAD/OPTIONS, `scope_write`
otherwise) and takes the brand from the URL's `tenant` (id or slug). The brand is
checked against the caller's grant before any data is read; the request then runs
in that brand's schema.
"""
from django.db import connection
from django.http import Http404
from rest_framework import exceptions, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from .access import principal_for_request
from .permissions import IsPrincipal
from .selectors import tenant_get


def brand_check_access(*, request, tenant_ref, scope):
    """The brand named by `tenant_ref` if the caller holds `scope` on it; else a 404 or 403."""
    tenant = tenant_get(ref=tenant_ref)
    if tenant is None or not tenant.is_active:
        raise exceptions.NotFound(f"No brand {tenant_ref!r}.")
    principal = principal_for_request(request)
    if not principal.can_see(tenant):
        raise exceptions.PermissionDenied(f"{principal.name} is not granted brand {tenant.slug!r}.")
    if scope is not None and not principal.can(tenant, scope):
        raise exceptions.PermissionDenied(f"{principal.name} lacks the {scope!r} scope on brand {tenant.slug!r}.")
    return tenant


class BrandAPIView(APIView):
    """An API view on one brand's data, named in the URL as `<tenant>`."""

    permission_classes = [IsPrincipal]
    scope_read = None
    scope_write = None

    def required_scope(self, request):
        if request.method in permissions.SAFE_METHODS:
            return self.scope_read
        return self.scope_write

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.tenant = brand_check_access(
            request=request, tenant_ref=kwargs.get("tenant"), scope=self.required_scope(request)
        )
        connection.set_tenant(self.tenant)

    def finalize_response(self, request, response, *args, **kwargs):
        connection.set_schema_to_public()
        return super().finalize_response(request, response, *args, **kwargs)


def _first_message(detail):
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    if isinstance(detail, dict) and detail:
        key, value = next(iter(detail.items()))
        text = _first_message(value)
        return text if key in ("detail", "non_field_errors", "error") else f"{key}: {text}"
    return str(detail)


def exception_handler(exc, context):
    """Every API error is `{"success": false, "error": "<clear message>", ...}`."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    body = {"success": False, "error": _first_message(detail)}
    if isinstance(detail, dict) and not set(detail) <= {"detail"}:
        body["errors"] = detail
    response.data = body
    return response


def api_error(message, *, status_code=status.HTTP_400_BAD_REQUEST, **extra):
    return Response({"success": False, "error": message, **extra}, status=status_code)
