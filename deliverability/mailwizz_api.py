"""POST /api/v2/events/mailwizz/{tenant}?token=...: MailWizz's per-campaign open/click webhook.

MailWizz does not sign its webhooks, so the URL carries a per-brand secret token (created with
`python manage.py sync_mailwizz --tenant SLUG --rotate-webhook-token`; only its SHA-256 is
stored). No API key: MailWizz cannot send one.
"""
import json

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants.api import api_error
from tenants.selectors import tenant_get

from .mailwizz_sync import WebhookPayloadError, mailwizz_webhook_record, mailwizz_webhook_token_valid

MAX_BODY_BYTES = 64 * 1024

ERROR = inline_serializer("MailWizzEventError", fields={"success": serializers.BooleanField(),
                                                        "error": serializers.CharField()})
RESULT = inline_serializer("MailWizzEventResult", fields={
    "success": serializers.BooleanField(),
    "recorded": serializers.BooleanField(),
    "reason": serializers.CharField(required=False, help_text="Why nothing was recorded: unknown campaign, "
                                                              "unknown contact, duplicate."),
    "event": serializers.CharField(required=False, help_text="opened or clicked"),
})


class MailWizzEventApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="mailwizz_event_record",
        summary="MailWizz open/click webhook (per-brand secret token in the query string)",
        description=(
            "Body: MailWizz's webhook JSON `{event{type: open|click, date_added, clicked_url?}, "
            "subscriber{attributes{subscriber_uid, email}}, campaign{attributes{campaign_uid}}}`. "
            "Records a ContactEvent (`opened`/`clicked`), the recipient's first open/click and the campaign's "
            "counters. A repeated delivery of the same event is recorded once. Unknown campaigns or contacts "
            "answer 200 with `recorded: false` so MailWizz stops retrying."
        ),
        parameters=[OpenApiParameter("token", str, required=True, description="The brand's MailWizz webhook token.")],
        request={"application/json": {"type": "object"}},
        responses={200: RESULT, 400: ERROR, 403: ERROR, 404: ERROR, 413: ERROR},
        auth=[],
    )
    def post(self, request, tenant):
        brand = tenant_get(ref=tenant)
        if brand is None or not brand.is_active:
            return api_error(f"No brand {tenant!r}.", status_code=status.HTTP_404_NOT_FOUND)
        if not mailwizz_webhook_token_valid(tenant=brand, token=request.query_params.get("token", "")):
            return api_error("Invalid or missing webhook token.", status_code=status.HTTP_403_FORBIDDEN)
        if len(request.body) > MAX_BODY_BYTES:
            return api_error("Body too large.", status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        try:
            payload = json.loads(request.body or b"null")
        except ValueError:
            return api_error("The body must be JSON.", status_code=status.HTTP_400_BAD_REQUEST)
        try:
            result = mailwizz_webhook_record(tenant=brand, payload=payload)
        except WebhookPayloadError as exc:
            return api_error(str(exc), status_code=status.HTTP_400_BAD_REQUEST)
        return Response({"success": True, **result})
