"""/api/v2/ routes of this app."""
from django.urls import path

from . import api

urlpatterns = [
    path("templates/<str:tenant>", api.TemplateListApi.as_view(), name="template-list"),
    path("templates/<str:tenant>/render", api.TemplateSelectRenderApi.as_view(), name="template-select-render"),
    path("templates/<str:tenant>/<int:template_id>", api.TemplateDetailApi.as_view(), name="template-detail"),
    path("templates/<str:tenant>/<int:template_id>/render", api.TemplateRenderApi.as_view(), name="template-render"),
    path("templates/<str:tenant>/<int:template_id>/default", api.TemplateMakeDefaultApi.as_view(), name="template-make-default"),
]
