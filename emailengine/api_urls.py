"""The /api/v2/ routes of every app. Each app keeps its routes in its own `urls.py`."""
from django.urls import include, path

urlpatterns = [
    path("", include("tenants.urls")),
    path("", include("contacts.urls")),
    path("", include("templates_app.urls")),
    path("", include("deliverability.urls")),
    path("", include("deliverability.mailwizz_urls")),
    path("", include("campaigns.urls")),
]
