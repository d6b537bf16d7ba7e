"""The public routes recipients reach from their mail client (no login, no CSRF token):
`/u/<token>` unsubscribe, `/t/o/<token>.gif` open pixel, `/t/c/<token>` click redirect.

A bad token answers 400 and changes nothing. Tokens name the brand; the request runs in
that brand's schema.
"""
from __future__ import annotations

import base64
import logging

from django.db import connection
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from tenants.models import Tenant

from . import texts, tokens
from .services import tracking

logger = logging.getLogger(__name__)
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _brand(token: tokens.TrackingToken):
    tenant = Tenant.objects.filter(pk=token.tenant_id, is_active=True).first()
    if tenant is None:
        raise tokens.BadToken("unknown brand")
    connection.set_tenant(tenant)
    return tenant


def _bad(message="This link is invalid or has been altered."):
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST", "HEAD"])
def unsubscribe(request, token):
    """GET: confirmation page in the contact's language. POST (incl. RFC 8058 one-click): unsubscribe now."""
    try:
        read = tokens.token_read(kind=tokens.UNSUBSCRIBE, token=token)
        tenant = _brand(read)
    except tokens.BadToken:
        return _bad()
    try:
        contact = tracking.contact_for_token(contact_id=read.contact_id)
        language = (contact.language if contact else None) or "en"
        words = texts.texts_for(language)
        context = {
            "texts": words, "brand": tenant.name, "language": language,
            "direction": "rtl" if language in texts.RTL else "ltr",
            "question": words["question"].format(brand=tenant.name, email=contact.email if contact else ""),
            "done_text": words["done"].format(brand=tenant.name),
            "done": False,
        }
        if request.method == "POST":
            one_click = request.POST.get("List-Unsubscribe") == "One-Click"
            tracking.contact_unsubscribe(contact_id=read.contact_id, campaign_id=read.campaign_id,
                                         source=f"campaign {read.campaign_id} ({'one-click' if one_click else 'page'})")
            if one_click:
                return HttpResponse("unsubscribed", content_type="text/plain")
            context["done"] = True
        return render(request, "campaigns/unsubscribe.html", context)
    finally:
        connection.set_schema_to_public()


@never_cache
@require_http_methods(["GET", "HEAD"])
def open_pixel(request, token):
    try:
        read = tokens.token_read(kind=tokens.OPEN, token=token)
        _brand(read)
    except tokens.BadToken:
        return _bad()
    try:
        tracking.open_record(campaign_id=read.campaign_id, contact_id=read.contact_id,
                             user_agent=request.META.get("HTTP_USER_AGENT", ""))
    finally:
        connection.set_schema_to_public()
    return HttpResponse(PIXEL, content_type="image/gif")


@never_cache
@require_http_methods(["GET", "HEAD"])
def click(request, token):
    try:
        read = tokens.token_read(kind=tokens.CLICK, token=token)
        _brand(read)
    except tokens.BadToken:
        return _bad()
    try:
        url = tracking.click_record(campaign_id=read.campaign_id, contact_id=read.contact_id,
                                    link_index=read.link_index)
    except tracking.UnknownLink:
        return _bad("This link is no longer available.")
    finally:
        connection.set_schema_to_public()
    return HttpResponseRedirect(url)
