from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from tenants.views import brand_switch

from .health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/brand/switch/", brand_switch, name="brand-switch"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v2/", include("emailengine.api_urls")),
    path("", include("campaigns.public_urls")),
]
