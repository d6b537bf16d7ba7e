"""/api/v2/ routes of this app."""
from django.urls import path

from . import api

_actions = ("launch", "pause", "resume", "cancel", "schedule", "preflight")

urlpatterns = [
    path("campaigns/<str:tenant>", api.CampaignListApi.as_view(), name="campaign-list"),
    path("campaigns/<str:tenant>/<int:campaign_id>", api.CampaignDetailApi.as_view(), name="campaign-detail"),
    path("campaigns/<str:tenant>/<int:campaign_id>/stats", api.CampaignStatsApi.as_view(), name="campaign-stats"),
    path("campaigns/<str:tenant>/<int:campaign_id>/test-send", api.CampaignTestSendApi.as_view(),
         name="campaign-test-send"),
    *[
        path(f"campaigns/<str:tenant>/<int:campaign_id>/{action}", api.CampaignActionApi.as_view(action=action),
             name=f"campaign-{action}")
        for action in _actions
    ],
    path("events/pmta", api.PmtaEventsApi.as_view(), name="events-pmta"),
]
