"""The campaigns admin: list, detail with funnel and pre-flight, live progress JSON, actions."""
from django.db import connection

from campaigns.models import Campaign

from .factories import make_campaign, make_contact


def test_an_operator_sees_progress_runs_preflight_and_launches_from_the_admin(sos, smtp_sink, client, make_user,
                                                                              django_capture_on_commit_callbacks):
    make_contact(language="fr", tags=["prospect"])
    campaign = make_campaign(name="Admin launch")
    connection.set_schema_to_public()
    client.force_login(make_user("op", grants={"sos-expat": "operator"}))
    assert client.get("/admin/campaigns/campaign/").status_code == 200
    page = client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/")
    assert page.status_code == 200 and b"Pre-flight" in page.content and b"data-progress-url" in page.content
    client.post(f"/admin/campaigns/campaign/{campaign.pk}/do/preflight/")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/campaigns/campaign/{campaign.pk}/do/launch/")
    progress = client.get(f"/admin/campaigns/campaign/{campaign.pk}/progress/").json()
    assert progress["status"] == "completed" and progress["sent"] == 1 and progress["percent"] == 100.0
    connection.set_tenant(sos)
    assert Campaign.objects.get(pk=campaign.pk).preflight["ok"] is True


def test_a_viewer_cannot_launch(sos, client, make_user):
    campaign = make_campaign()
    connection.set_schema_to_public()
    client.force_login(make_user("viewer", grants={"sos-expat": "viewer"}))
    assert client.post(f"/admin/campaigns/campaign/{campaign.pk}/do/launch/").status_code == 403
    connection.set_tenant(sos)
    assert Campaign.objects.get(pk=campaign.pk).status == "draft"
