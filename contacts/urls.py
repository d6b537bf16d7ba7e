"""/api/v2/ routes of the contacts app."""
from django.urls import path

from . import api

urlpatterns = [
    path("contacts/ingest", api.ContactIngestApi.as_view(), name="contact-ingest"),
    path("contacts/<str:tenant>", api.ContactListApi.as_view(), name="contact-list"),
    path("contacts/<str:tenant>/import", api.ContactImportApi.as_view(), name="contact-import"),
    path("contacts/<str:tenant>/<int:contact_id>", api.ContactDetailApi.as_view(), name="contact-detail"),
    path("contacts/<str:tenant>/<int:contact_id>/export", api.ContactExportApi.as_view(), name="contact-export"),
    path("tags/<str:tenant>", api.TagListApi.as_view(), name="tag-list"),
    path("data-sources/<str:tenant>", api.DataSourceListApi.as_view(), name="data-source-list"),
    path("segments/<str:tenant>/count", api.SegmentCountApi.as_view(), name="segment-count"),
    path("segments/<str:tenant>/preview", api.SegmentPreviewApi.as_view(), name="segment-preview"),
    path("jobs/<uuid:job_id>", api.ImportJobApi.as_view(), name="import-job"),
    path("webhooks/<str:tenant>/<str:data_source_id>", api.WebhookApi.as_view(), name="webhook"),
]
