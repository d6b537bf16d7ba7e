"""Webhooks: the HMAC-SHA256 signature of the raw body is the only authentication."""
import json

import pytest

from contacts.models import Contact, DataSource
from contacts.services.webhooks import webhook_signature

from .conftest import in_brand

pytestmark = pytest.mark.django_db


@pytest.fixture
def scraper_secret(seeded):
    with in_brand(seeded.sos):
        return DataSource.objects.get(pk=1).webhook_secret


def post(client, url, body, signature=None):
    extra = {"HTTP_X_SIGNATURE": signature} if signature is not None else {}
    return client.post(url, data=body, content_type="application/json", **extra)


BODY = json.dumps({"contacts": [
    {"email": "Scraped@Example.com", "first_name": "Sam", "language": "en", "tags": ["expat"]},
    {"email": "broken", "first_name": "Nope"},
]}).encode()


def test_a_signed_body_is_ingested_into_the_webhooks_brand_and_source(client, seeded, scraper_secret):
    response = post(client, "/api/v2/webhooks/sos-expat/1", BODY, webhook_signature(secret=scraper_secret, body=BODY))
    assert response.status_code == 200
    body = response.json()
    assert (body["success"], body["total_processed"], body["new_contacts"]) == (True, 2, 1)
    assert body["errors"][0]["index"] == 1 and "Invalid email" in body["errors"][0]["error"]
    with in_brand(seeded.sos):
        contact = Contact.objects.get()
        assert (contact.email, contact.data_source_id) == ("scraped@example.com", 1)
        assert DataSource.objects.get(pk=1).total_contacts_ingested == 1


@pytest.mark.parametrize("signature", [None, "", "sha256=" + "0" * 64, "deadbeef"])
def test_a_missing_or_wrong_signature_is_a_401(client, seeded, scraper_secret, signature):
    response = post(client, "/api/v2/webhooks/1/1", BODY, signature)
    assert response.status_code == 401 and response.json()["success"] is False
    with in_brand(seeded.sos):
        assert not Contact.objects.exists()


def test_a_signature_of_another_body_is_a_401(client, seeded, scraper_secret):
    signature = webhook_signature(secret=scraper_secret, body=BODY + b" ")
    assert post(client, "/api/v2/webhooks/1/1", BODY, signature).status_code == 401


def test_another_sources_secret_or_brand_is_a_401(client, seeded, scraper_secret):
    signature = webhook_signature(secret=scraper_secret, body=BODY)
    assert post(client, "/api/v2/webhooks/1/2", BODY, signature).status_code == 401
    assert post(client, "/api/v2/webhooks/ulixai/1", BODY, signature).status_code == 401
    assert post(client, "/api/v2/webhooks/1/3", BODY, signature).status_code == 401, "CSV source: no secret"
    assert post(client, "/api/v2/webhooks/nope/1", BODY, signature).status_code == 401


def test_items_for_another_brand_or_source_are_item_errors(client, seeded, scraper_secret):
    body = json.dumps({"contacts": [{"email": "a@example.com", "tenant_id": 2},
                                    {"email": "b@example.com", "data_source_id": 2},
                                    {"email": "c@example.com", "tenant_id": 1, "data_source_id": 1}]}).encode()
    response = post(client, "/api/v2/webhooks/1/1", body, webhook_signature(secret=scraper_secret, body=body))
    result = response.json()
    assert result["new_contacts"] == 1 and [e["index"] for e in result["errors"]] == [0, 1]


def test_a_signed_but_malformed_body_is_a_400(client, seeded, scraper_secret):
    body = b"{not json"
    response = post(client, "/api/v2/webhooks/1/1", body, webhook_signature(secret=scraper_secret, body=body))
    assert response.status_code == 400 and response.json() == {"success": False, "error": "Malformed JSON body."}
