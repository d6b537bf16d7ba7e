"""/api/v2/ routes of the MailWizz channel (event webhooks)."""
from django.urls import path

from . import mailwizz_api

urlpatterns = [
    path("events/mailwizz/<str:tenant>", mailwizz_api.MailWizzEventApi.as_view(), name="mailwizz-event"),
]
