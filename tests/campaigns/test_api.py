"""The campaigns API: create, read, change, launch, lifecycle errors, stats, test sends."""
from django.db import connection

from .factories import make_contact


def _writer(make_api_key, api_client):
    return api_client(make_api_key(["sos-expat"], ["campaigns:write", "campaigns:read"]))


def test_a_campaign_is_created_launched_and_reported(sos, smtp_sink, make_api_key, api_client,
                                                     django_capture_on_commit_callbacks):
    for language in ("fr", "ar"):
        make_contact(language=language, tags=["prospect"])
    connection.set_schema_to_public()
    client = _writer(make_api_key, api_client)
    created = client.post("/api/v2/campaigns/sos-expat", {"name": "Spring", "tags_any": ["prospect"]}, format="json")
    assert created.status_code == 201, created.content
    campaign_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    changed = client.patch(f"/api/v2/campaigns/sos-expat/{campaign_id}", {"from_name": "Équipe SOS"}, format="json")
    assert changed.status_code == 200 and changed.json()["from_name"] == "Équipe SOS"

    with django_capture_on_commit_callbacks(execute=True):  # dispatch starts when the launch commits
        launched = client.post(f"/api/v2/campaigns/sos-expat/{campaign_id}/launch")
    assert launched.status_code == 200, launched.content
    assert launched.json()["status"] == "sending" and launched.json()["total_recipients"] == 2
    launched = client.get(f"/api/v2/campaigns/sos-expat/{campaign_id}")
    assert launched.json()["status"] == "completed" and launched.json()["sent_count"] == 2
    assert {m["From"].addresses[0].display_name for m in smtp_sink.parsed()} == {"Équipe SOS"}

    stats = client.get(f"/api/v2/campaigns/sos-expat/{campaign_id}/stats").json()
    assert stats["counts"]["sent_count"] == 2
    assert {row["language"]: row["sent"] for row in stats["per_language"]} == {"fr": 1, "ar": 1}
    assert sum(row["sent"] for row in stats["per_ip"]) == 2
    assert all(row["vmta"].startswith("vmta-sos-expat-") for row in stats["per_ip"])

    frozen = client.patch(f"/api/v2/campaigns/sos-expat/{campaign_id}", {"tags_any": ["x"]}, format="json")
    assert frozen.status_code == 409 and frozen.json()["success"] is False
    paused = client.post(f"/api/v2/campaigns/sos-expat/{campaign_id}/pause")
    assert paused.status_code == 409
    assert "cannot pause a completed campaign" in paused.json()["error"]


def test_a_failed_pre_flight_answers_422_with_the_checks(sos, make_api_key, api_client):
    connection.set_schema_to_public()
    client = _writer(make_api_key, api_client)
    campaign_id = client.post("/api/v2/campaigns/sos-expat", {"name": "Empty", "tags_any": ["nobody"]},
                              format="json").json()["id"]
    response = client.post(f"/api/v2/campaigns/sos-expat/{campaign_id}/launch")
    assert response.status_code == 422
    checks = {check["name"]: check for check in response.json()["preflight"]["checks"]}
    assert checks["audience"]["status"] == "error"


def test_test_sends_go_to_the_given_addresses_and_count_nothing(sos, smtp_sink, make_api_key, api_client):
    connection.set_schema_to_public()
    client = _writer(make_api_key, api_client)
    campaign_id = client.post("/api/v2/campaigns/sos-expat", {"name": "T", "tags_any": ["prospect"]},
                              format="json").json()["id"]
    response = client.post(f"/api/v2/campaigns/sos-expat/{campaign_id}/test-send",
                           {"emails": ["qa@sos-expat.com"], "language": "de"}, format="json")
    assert response.status_code == 200 and response.json()["success"] is True
    (message,) = smtp_sink.parsed()
    assert message["Subject"].startswith("[TEST] [de] Hallo")
    detail = client.get(f"/api/v2/campaigns/sos-expat/{campaign_id}").json()
    assert detail["sent_count"] == 0 and detail["status"] == "draft"


def test_a_key_for_one_brand_cannot_see_the_others_campaigns(sos, make_api_key, api_client):
    connection.set_schema_to_public()
    sos_client = _writer(make_api_key, api_client)
    campaign_id = sos_client.post("/api/v2/campaigns/sos-expat", {"name": "Private"}, format="json").json()["id"]
    other = api_client(make_api_key(["ulixai"], ["campaigns:write", "campaigns:read"]))
    assert other.get(f"/api/v2/campaigns/sos-expat/{campaign_id}").status_code in (403, 404)
    assert other.get(f"/api/v2/campaigns/ulixai/{campaign_id}").status_code == 404
    reader = api_client(make_api_key(["sos-expat"], ["campaigns:read"]))
    assert reader.post(f"/api/v2/campaigns/sos-expat/{campaign_id}/launch").status_code == 403
