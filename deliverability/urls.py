"""/api/v2/ routes of this app."""
from django.urls import path

from . import api

urlpatterns = [
    path("deliverability/<str:tenant>/ips", api.FleetApi.as_view(), name="deliverability-fleet"),
]
