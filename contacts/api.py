"""The contacts API (/api/v2/): ingest, read, tags, data sources, segments, CSV jobs, webhooks, GDPR.

Views are thin: check the input, call one service or selector, shape the output.
"""
from django.conf import settings
from django.db import connection, transaction
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants.access import principal_for_request
from tenants.api import BrandAPIView, api_error

from . import selectors
from .models import DataSource, Tag
from .serializers import (
    ContactListQuerySerializer,
    ContactSerializer,
    DataSourceCreateSerializer,
    DataSourceSerializer,
    ImportJobSerializer,
    ImportRequestSerializer,
    IngestRequestSerializer,
    IngestResponseSerializer,
    SegmentFilterSerializer,
    TagCreateSerializer,
    TagSerializer,
)
from .services.catalog import CatalogError, data_source_create, tag_create
from .services.csv_import import CsvImportError, import_job_create
from .services.ingest_request import IngestRequestError, ingest_request_check, ingest_request_run
from .services.suppression import contact_erase
from .services.webhooks import WebhookUnauthorized, webhook_check, webhook_ingest

ERROR = inline_serializer("Error", fields={"success": serializers.BooleanField(), "error": serializers.CharField()})


def _body_too_large(request):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class ContactIngestApi(APIView):
    """POST /api/v2/contacts/ingest: items for any brand the key may write to (`tenant_id` per item)."""

    @extend_schema(
        summary="Ingest contacts (Scraper-Pro, Backlink Engine, CSV tools)",
        request=IngestRequestSerializer,
        responses={200: IngestResponseSerializer, 400: ERROR, 401: ERROR, 413: ERROR},
    )
    def post(self, request):
        if _body_too_large(request):
            return api_error(
                f"Body too large (at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes).",
                status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        try:
            items = ingest_request_check(data=request.data)
        except IngestRequestError as exc:
            return api_error(str(exc), status_code=exc.status_code)
        result = ingest_request_run(request=request, items=items)
        return Response(result.as_response())


class ContactListApi(BrandAPIView):
    scope_read = "contacts:read"

    @extend_schema(
        summary="List a brand's contacts", operation_id="contacts_list",
        parameters=[ContactListQuerySerializer],
        responses=inline_serializer("ContactPage", fields={
            "count": serializers.IntegerField(), "limit": serializers.IntegerField(),
            "offset": serializers.IntegerField(), "results": ContactSerializer(many=True),
        }),
    )
    def get(self, request, tenant):
        query = ContactListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        total, page = selectors.contact_list(
            tag=params.get("tag"), language=params.get("language"), category=params.get("category"),
            status=params.get("status"), updated_since=params.get("updated_since"),
            limit=params["limit"], offset=params["offset"],
        )
        return Response({"count": total, "limit": params["limit"], "offset": params["offset"],
                         "results": ContactSerializer(page, many=True).data})


class ContactDetailApi(BrandAPIView):
    scope_read = "contacts:read"
    scope_write = "contacts:write"

    def _contact(self, contact_id):
        contact = selectors.contact_get(contact_id=contact_id)
        if contact is None:
            return None, api_error(f"No contact {contact_id} in brand {self.tenant.slug!r}.", status_code=404)
        return contact, None

    @extend_schema(summary="One contact, with its tags", operation_id="contacts_detail",
                   responses={200: ContactSerializer, 404: ERROR})
    def get(self, request, tenant, contact_id):
        contact, error = self._contact(contact_id)
        return error or Response(ContactSerializer(contact).data)

    @extend_schema(
        summary="Erase a contact (GDPR): contact, tags and events go; the email stays suppressed",
        responses={200: inline_serializer("Erased", fields={"success": serializers.BooleanField(),
                                                             "erased": serializers.IntegerField()}), 404: ERROR},
    )
    def delete(self, request, tenant, contact_id):
        contact, error = self._contact(contact_id)
        if error:
            return error
        contact_erase(contact=contact, source=f"gdpr erase by {principal_for_request(request).name}")
        return Response({"success": True, "erased": contact_id})


class ContactExportApi(BrandAPIView):
    scope_read = "contacts:read"

    @extend_schema(summary="Everything held on a contact (GDPR access), events included",
                   responses={200: OpenApiResponse(description="contact, tags, events, suppression"), 404: ERROR})
    def get(self, request, tenant, contact_id):
        contact = selectors.contact_get(contact_id=contact_id)
        if contact is None:
            return api_error(f"No contact {contact_id} in brand {self.tenant.slug!r}.", status_code=404)
        return Response(selectors.contact_export(contact=contact))


class TagListApi(BrandAPIView):
    scope_read = "contacts:read"
    scope_write = "contacts:write"

    @extend_schema(summary="A brand's tags", responses=TagSerializer(many=True))
    def get(self, request, tenant):
        return Response(TagSerializer(Tag.objects.select_related("parent").order_by("slug"), many=True).data)

    @extend_schema(summary="Create a tag", request=TagCreateSerializer, responses={201: TagSerializer, 400: ERROR})
    def post(self, request, tenant):
        data = TagCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            tag = tag_create(slug=values["slug"], label=values["label"], parent_slug=values["parent"],
                             color=values["color"], description=values["description"])
        except CatalogError as exc:
            return api_error(str(exc))
        return Response(TagSerializer(tag).data, status=status.HTTP_201_CREATED)


class DataSourceListApi(BrandAPIView):
    scope_read = "contacts:read"
    scope_write = "contacts:write"

    @extend_schema(summary="A brand's data sources (webhook secrets masked)", responses=DataSourceSerializer(many=True))
    def get(self, request, tenant):
        return Response(DataSourceSerializer(DataSource.objects.order_by("pk"), many=True).data)

    @extend_schema(
        summary="Create a data source; a webhook-capable one answers its secret once (`webhook_secret_once`)",
        request=DataSourceCreateSerializer, responses={201: DataSourceSerializer, 400: ERROR},
    )
    def post(self, request, tenant):
        data = DataSourceCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            source, secret = data_source_create(**data.validated_data)
        except CatalogError as exc:
            return api_error(str(exc))
        body = DataSourceSerializer(source).data
        if secret:
            body["webhook_secret_once"] = secret
        return Response(body, status=status.HTTP_201_CREATED)


class SegmentApiBase(BrandAPIView):
    """Segments are read with POST (the filter is a JSON body); reading needs contacts:read."""

    def required_scope(self, request):
        return "contacts:read"

    def _filter(self, request):
        return selectors.segment_filter_check(data=request.data)


class SegmentCountApi(SegmentApiBase):
    @extend_schema(summary="Count a segment's deliverable contacts", request=SegmentFilterSerializer,
                   responses={200: inline_serializer("SegmentCount", fields={"count": serializers.IntegerField()}),
                              400: ERROR})
    def post(self, request, tenant):
        try:
            spec = self._filter(request)
        except selectors.SegmentFilterError as exc:
            return api_error(str(exc))
        return Response({"count": selectors.segment_count(filter=spec)})


class SegmentPreviewApi(SegmentApiBase):
    @extend_schema(
        summary="A page of a segment's contacts",
        request=SegmentFilterSerializer,
        parameters=[OpenApiParameter("limit", int), OpenApiParameter("offset", int)],
        responses={200: inline_serializer("SegmentPreview", fields={
            "count": serializers.IntegerField(), "results": ContactSerializer(many=True)}), 400: ERROR},
    )
    def post(self, request, tenant):
        try:
            spec = self._filter(request)
            limit = min(max(int(request.query_params.get("limit", 50)), 1), selectors.MAX_LIST_LIMIT)
            offset = max(int(request.query_params.get("offset", 0)), 0)
        except selectors.SegmentFilterError as exc:
            return api_error(str(exc))
        except ValueError:
            return api_error("limit and offset must be whole numbers.")
        page = selectors.segment_preview(filter=spec, limit=limit, offset=offset)
        return Response({"count": selectors.segment_count(filter=spec),
                         "results": ContactSerializer(page, many=True).data})


class ContactImportApi(BrandAPIView):
    scope_write = "contacts:write"
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import a CSV file in the background (202 + job id; follow GET /api/v2/jobs/{job_id})",
        request={"multipart/form-data": ImportRequestSerializer},
        responses={202: inline_serializer("ImportQueued", fields={
            "success": serializers.BooleanField(), "job_id": serializers.UUIDField(),
            "status": serializers.CharField(), "status_url": serializers.CharField()}), 400: ERROR},
    )
    def post(self, request, tenant):
        data = ImportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            job = import_job_create(
                upload=values["file"], data_source_id=values.get("data_source_id"),
                tags=[t for t in (values.get("tags") or "").replace("|", ",").split(",") if t.strip()],
                created_by=principal_for_request(request).name,
            )
        except CsvImportError as exc:
            return api_error(str(exc))
        return Response(
            {"success": True, "job_id": str(job.pk), "status": job.status, "status_url": f"/api/v2/jobs/{job.pk}"},
            status=status.HTTP_202_ACCEPTED,
        )


class ImportJobApi(APIView):
    """GET /api/v2/jobs/{job_id}: found in whichever brand the caller may read."""

    @extend_schema(summary="Progress and counts of a CSV import job", responses={200: ImportJobSerializer, 404: ERROR})
    def get(self, request, job_id):
        tenant, job = selectors.import_job_find(job_id=job_id, principal=principal_for_request(request))
        if job is None:
            return api_error(f"No import job {job_id}.", status_code=404)
        return Response({"tenant_id": tenant.pk, **ImportJobSerializer(job).data})


class WebhookApi(APIView):
    """POST /api/v2/webhooks/{tenant}/{data_source_id}: signed with the data source's secret, no API key."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Webhook from Scraper-Pro / Backlink Engine (X-Signature: sha256=<hex HMAC-SHA256 of the body>)",
        request=IngestRequestSerializer, auth=[],
        responses={200: IngestResponseSerializer, 400: ERROR, 401: ERROR},
    )
    def post(self, request, tenant, data_source_id):
        if _body_too_large(request):
            return api_error("Body too large.", status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        body = request.body
        try:
            brand, source = webhook_check(tenant_ref=tenant, data_source_id=data_source_id, body=body,
                                          signature=request.META.get("HTTP_X_SIGNATURE", ""))
            with transaction.atomic():
                result = webhook_ingest(tenant=brand, source=source, body=body)
        except WebhookUnauthorized as exc:
            return api_error(str(exc), status_code=status.HTTP_401_UNAUTHORIZED)
        except IngestRequestError as exc:
            return api_error(str(exc), status_code=exc.status_code)
        finally:
            connection.set_schema_to_public()
        return Response(result.as_response())
