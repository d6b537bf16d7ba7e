"""/api/v2/campaigns/{tenant}...: CRUD, lifecycle actions, stats, test sends; and
/api/v2/events/pmta for PowerMTA accounting CSV."""
from django.core.exceptions import ValidationError
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FileUploadParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from templates_app.selectors import TemplateNotFound
from tenants.api import BrandAPIView, api_error, brand_check_access

from . import selectors
from .logic.lifecycle import IllegalTransition
from .models import Campaign
from .serializers import CampaignSerializer, CampaignWriteSerializer, ScheduleSerializer, TestSendSerializer
from .services import lifecycle
from .services.launch import PreflightFailed, campaign_action, campaign_preflight_record
from .services.test_send import campaign_test_send


class _CampaignsView(BrandAPIView):
    scope_read = "campaigns:read"
    scope_write = "campaigns:write"

    def _campaign(self, campaign_id) -> Campaign:
        campaign = selectors.campaign_get(campaign_id=campaign_id)
        if campaign is None:
            raise exceptions.NotFound(f"No campaign {campaign_id} in this brand.")
        return campaign


def _invalid(error: ValidationError):
    if hasattr(error, "message_dict"):
        field, messages = next(iter(error.message_dict.items()))
        return api_error(f"{field}: {messages[0]}", errors=error.message_dict)
    return api_error(" ".join(error.messages))


class CampaignListApi(_CampaignsView):
    @extend_schema(operation_id="campaigns_list", summary="List the brand's campaigns",
                   responses=CampaignSerializer(many=True))
    def get(self, request, tenant):
        campaigns = selectors.campaign_list(status=request.query_params.get("status"))
        return Response({"success": True, "campaigns": CampaignSerializer(campaigns, many=True).data})

    @extend_schema(operation_id="campaigns_create", summary="Create a draft campaign", request=CampaignWriteSerializer,
                   responses={201: CampaignSerializer})
    def post(self, request, tenant):
        data = CampaignWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            campaign = lifecycle.campaign_create(data=dict(data.validated_data))
        except ValidationError as error:
            return _invalid(error)
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)


class CampaignDetailApi(_CampaignsView):
    @extend_schema(operation_id="campaigns_get", summary="One campaign", responses=CampaignSerializer)
    def get(self, request, tenant, campaign_id):
        return Response(CampaignSerializer(self._campaign(campaign_id)).data)

    @extend_schema(operation_id="campaigns_update", summary="Change a campaign (audience and template only before launch)",
                   request=CampaignWriteSerializer, responses=CampaignSerializer)
    def patch(self, request, tenant, campaign_id):
        campaign = self._campaign(campaign_id)
        data = CampaignWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        try:
            campaign = lifecycle.campaign_update(campaign=campaign, data=dict(data.validated_data))
        except lifecycle.CampaignError as error:
            return api_error(str(error), status_code=status.HTTP_409_CONFLICT)
        except ValidationError as error:
            return _invalid(error)
        return Response(CampaignSerializer(campaign).data)


class _ActionSchema(AutoSchema):
    """One operation id per lifecycle action (the same view serves them all)."""

    def get_operation_id(self):
        return f"campaigns_{self.view.action}"


class CampaignActionApi(_CampaignsView):
    """POST .../{id}/launch | pause | resume | cancel | schedule | preflight."""

    action = None
    schema = _ActionSchema()

    @extend_schema(summary="Lifecycle action", request=None,
                   responses={200: CampaignSerializer, 409: OpenApiResponse(description="Illegal transition"),
                              422: OpenApiResponse(description="Pre-flight failed; body lists the checks")})
    def post(self, request, tenant, campaign_id):
        campaign = self._campaign(campaign_id)
        try:
            if self.action == "preflight":
                return Response({"success": True,
                                 "preflight": campaign_preflight_record(campaign=campaign, tenant=self.tenant)})
            if self.action == "schedule":
                data = ScheduleSerializer(data=request.data)
                data.is_valid(raise_exception=True)
                campaign = lifecycle.campaign_schedule(campaign=campaign, scheduled_at=data.validated_data["scheduled_at"])
            else:
                campaign = campaign_action(action=self.action, campaign=campaign, tenant=self.tenant)
        except IllegalTransition as error:
            return api_error(str(error), status_code=status.HTTP_409_CONFLICT, status=campaign.status)
        except PreflightFailed as failed:
            return api_error(str(failed), status_code=status.HTTP_422_UNPROCESSABLE_ENTITY, preflight=failed.report)
        campaign.refresh_from_db()
        return Response(CampaignSerializer(campaign).data)


class CampaignStatsApi(_CampaignsView):
    @extend_schema(operation_id="campaigns_stats", summary="Counts and rates, per language and per IP",
                   responses=inline_serializer("CampaignStats", {"counts": serializers.DictField(),
                                                                  "rates": serializers.DictField()}))
    def get(self, request, tenant, campaign_id):
        return Response(selectors.campaign_stats(campaign=self._campaign(campaign_id)))


class CampaignTestSendApi(_CampaignsView):
    @extend_schema(operation_id="campaigns_test_send", summary="Send the campaign's message to given addresses (not counted)",
                   request=TestSendSerializer,
                   responses=inline_serializer("TestSendResult", {"success": serializers.BooleanField(),
                                                                  "results": serializers.ListField()}))
    def post(self, request, tenant, campaign_id):
        campaign = self._campaign(campaign_id)
        data = TestSendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            results = campaign_test_send(campaign=campaign, tenant=self.tenant, **data.validated_data)
        except (lifecycle.CampaignError, TemplateNotFound) as error:
            return api_error(str(error), status_code=status.HTTP_422_UNPROCESSABLE_ENTITY)
        return Response({"success": all(r["sent"] for r in results), "results": results})


class PmtaEventsApi(APIView):
    """POST /api/v2/events/pmta: a PowerMTA accounting CSV (raw body or multipart `file`).

    Each record's brand is inferred from its envId (`<tenant id>.<recipient id>`) or its VMTA
    (every VMTA belongs to one brand), and its IP figures go to the brand of its sending IP; the
    key needs campaigns:write on every one of those brands, otherwise nothing is imported (403).
    A file with no record of any brand is refused (400). Idempotent: a record imported before
    counts nothing.
    """

    parser_classes = [MultiPartParser, FileUploadParser]

    @extend_schema(operation_id="events_pmta", summary="Import PowerMTA accounting records (CSV)",
                   request={"text/csv": {"type": "string"}},
                   responses=inline_serializer("PmtaImportResult", {
                       "records": serializers.IntegerField(), "new": serializers.IntegerField(),
                       "duplicates": serializers.IntegerField(), "unmatched": serializers.IntegerField(),
                       "errors": serializers.ListField(), "brands": serializers.ListField()}))
    def post(self, request):
        from deliverability.services.pmta import pmta_accounting_import
        from tenants.models import Tenant

        from .services.events import accounting_brands

        upload = request.FILES.get("file")
        raw = upload.read() if upload is not None else request.body
        if not raw:
            return api_error("Send the accounting CSV as the request body or as multipart field 'file'.")
        lines = raw.decode("utf-8", errors="replace").splitlines(True)
        brands = list(Tenant.objects.filter(pk__in=accounting_brands(lines=lines)).order_by("pk"))
        if not brands:
            return api_error("No record of this file belongs to a brand (unknown envId, VMTA and source IP): "
                             "nothing was imported.")
        for tenant in brands:
            brand_check_access(request=request, tenant_ref=str(tenant.pk), scope="campaigns:write")
        result = pmta_accounting_import(lines_or_file=lines, source_name="api")
        return Response({
            "success": True, "records": result.records, "new": result.new, "duplicates": result.duplicates,
            "unmatched": result.unmatched, "errors": [{"line": e.line, "reason": e.reason} for e in result.errors],
            "brands": sorted(tenant.slug for tenant in brands),
        })
