"""POST /api/v2/contacts/ingest: the seed's contract, counting rules, normalisation and brand isolation."""
import json

import pytest

from contacts.models import Contact, ContactEvent, ContactTag, DataSource, Suppression, Tag
from tenants.models import AuditLog

from .conftest import in_brand

pytestmark = pytest.mark.django_db

SEED_REQUEST = {
    "contacts": [
        {
            "tenant_id": 1, "data_source_id": 3, "email": "avocat1@example.fr", "first_name": "Pierre",
            "last_name": "Dupont", "company": "Cabinet Dupont", "website": "https://cabinet-dupont.fr",
            "language": "fr", "category": "avocat", "country": "FR", "city": "Paris",
            "tags": ["prestataire", "avocat", "lang-fr"],
        },
        {
            "tenant_id": 1, "data_source_id": 1, "email": "blogger1@example.es", "first_name": "Maria",
            "last_name": "Garcia", "website": "https://blog-expat-espagne.es", "language": "es",
            "category": "blogger", "country": "ES", "tags": ["marketing-partner", "blogger", "lang-es"],
        },
    ]
}
SEED_RESPONSE = {
    "success": True, "total_processed": 2, "new_contacts": 2, "updated_contacts": 0,
    "duplicates_skipped": 0, "errors": [],
}


def ingest(client, items):
    return client.post("/api/v2/contacts/ingest", {"contacts": items}, format="json")


def item(email, **fields):
    return {"tenant_id": 1, "data_source_id": 4, "email": email, **fields}


class TestSeedContract:
    def test_the_seed_request_gives_the_seed_response(self, writer, seeded):
        """On a freshly seeded brand the seed's example request answers exactly the seed's example response."""
        response = writer.post("/api/v2/contacts/ingest", SEED_REQUEST, format="json")
        assert response.status_code == 200
        assert response.json() == SEED_RESPONSE
        with in_brand(seeded.sos):
            pierre = Contact.objects.get(email="avocat1@example.fr")
            assert (pierre.first_name, pierre.company, pierre.language, pierre.data_source_id) == (
                "Pierre", "Cabinet Dupont", "fr", 3)
            assert sorted(t.slug for t in pierre.tags.all()) == ["avocat", "lang-fr", "prestataire"]
            assert Tag.objects.count() == 16, "the seed's tags already existed: none created"

    def test_resending_the_seed_request_skips_both_as_duplicates(self, writer):
        ingest(writer, SEED_REQUEST["contacts"])
        response = writer.post("/api/v2/contacts/ingest", SEED_REQUEST, format="json")
        assert response.json() == {**SEED_RESPONSE, "new_contacts": 0, "duplicates_skipped": 2}

    def test_a_changed_field_counts_as_one_update(self, writer, seeded):
        ingest(writer, SEED_REQUEST["contacts"])
        changed = json.loads(json.dumps(SEED_REQUEST["contacts"]))
        changed[0]["city"] = "Lyon"
        body = ingest(writer, changed).json()
        assert (body["new_contacts"], body["updated_contacts"], body["duplicates_skipped"]) == (0, 1, 1)
        with in_brand(seeded.sos):
            assert Contact.objects.get(email="avocat1@example.fr").city == "Lyon"

    def test_a_new_tag_on_an_existing_contact_counts_as_an_update(self, writer, seeded):
        ingest(writer, [item("a@example.com", tags=["expat"])])
        body = ingest(writer, [item("a@example.com", tags=["vip"])]).json()
        assert body["updated_contacts"] == 1
        with in_brand(seeded.sos):
            contact = Contact.objects.get(email="a@example.com")
            assert sorted(t.slug for t in contact.tags.all()) == ["expat", "vip"]
            assert contact.tag_ids == sorted(contact.contact_tags.values_list("tag_id", flat=True))
            tagged = ContactEvent.objects.get(contact=contact, event_type="tagged")
            assert tagged.event_data == {"tags": ["vip"]}


class TestStoringRules:
    def test_an_empty_value_never_overwrites_a_stored_one(self, writer, seeded):
        ingest(writer, [item("p@example.com", first_name="Pia", city="Porto", language="pt",
                            custom_fields={"plan": "gold"})])
        body = ingest(writer, [item("p@example.com", first_name="", city=None, language="",
                                   custom_fields={"plan": ""})]).json()
        assert body["duplicates_skipped"] == 1 and body["updated_contacts"] == 0
        with in_brand(seeded.sos):
            contact = Contact.objects.get(email="p@example.com")
            assert (contact.first_name, contact.city, contact.language, contact.custom_fields) == (
                "Pia", "Porto", "pt", {"plan": "gold"})

    def test_emails_are_normalised_and_compared_case_insensitively(self, writer, seeded):
        body = ingest(writer, [item("  Jean.Dupont@Bücher.DE "), item("jean.dupont@xn--bcher-kva.de")]).json()
        assert (body["new_contacts"], body["duplicates_skipped"]) == (1, 1)
        with in_brand(seeded.sos):
            assert list(Contact.objects.values_list("email", flat=True)) == ["jean.dupont@xn--bcher-kva.de"]

    def test_languages_are_normalised_or_left_empty(self, writer, seeded):
        ingest(writer, [item("a@example.com", language="FR"), item("b@example.com", language="fr-FR"),
                        item("c@example.com", language="it"), item("d@example.com", language="zh_CN")])
        with in_brand(seeded.sos):
            assert dict(Contact.objects.values_list("email", "language")) == {
                "a@example.com": "fr", "b@example.com": "fr", "c@example.com": None, "d@example.com": "zh"}

    def test_a_repeat_in_the_same_request_is_skipped_and_the_first_wins(self, writer, seeded):
        body = ingest(writer, [item("r@example.com", city="Rome"), item("R@example.com", city="Riga")]).json()
        assert (body["total_processed"], body["new_contacts"], body["duplicates_skipped"]) == (2, 1, 1)
        with in_brand(seeded.sos):
            assert Contact.objects.get(email="r@example.com").city == "Rome"

    def test_unknown_tags_are_created_in_the_brand(self, writer, seeded):
        ingest(writer, [item("t@example.com", tags=["Expat Aidant", "New Tag"])])
        with in_brand(seeded.sos):
            assert Tag.objects.filter(slug="new-tag").exists()
            assert sorted(Contact.objects.get(email="t@example.com").tags.values_list("slug", flat=True)) == [
                "expat-aidant", "new-tag"]
        with in_brand(seeded.ulixai):
            assert not Tag.objects.filter(slug="new-tag").exists()

    def test_it_writes_events_and_data_source_totals(self, writer, seeded):
        ingest(writer, SEED_REQUEST["contacts"])
        changed = json.loads(json.dumps(SEED_REQUEST["contacts"]))
        changed[1]["city"] = "Madrid"
        ingest(writer, changed)
        with in_brand(seeded.sos):
            maria = Contact.objects.get(email="blogger1@example.es")
            assert list(ContactEvent.objects.filter(contact=maria).order_by("pk").values_list("event_type", flat=True)) == [
                "ingested", "updated"]
            ingested = ContactEvent.objects.get(contact=maria, event_type="ingested")
            assert ingested.event_data == {"data_source_id": 1, "tags": ["marketing-partner", "blogger", "lang-es"]}
            assert dict(DataSource.objects.values_list("pk", "total_contacts_ingested")) == {1: 2, 2: 0, 3: 1, 4: 0}

    def test_an_all_new_batch_from_two_sources_gives_each_event_its_own_source(self, seeded):
        """The all-new statement builds event data once per tag set and data source, not per row:
        each event still names its own row's source."""
        from django.db import transaction

        from contacts.services.ingest import StagingRows, contact_item_check, contact_staged_store, data_sources_by_id

        with in_brand(seeded.sos), transaction.atomic():
            sources, staging = data_sources_by_id(), StagingRows()
            for email, source in (("one@example.com", 1), ("two@example.com", 4), ("three@example.com", 1)):
                staging.add(contact_item_check(item={"email": email, "data_source_id": source, "tags": ["avocat"]},
                                               data_sources=sources))
            assert contact_staged_store(staging=staging, expect_new=True) == (3, 0, 0)
            events = {e.contact.email: e.event_data
                      for e in ContactEvent.objects.filter(event_type="ingested").select_related("contact")}
            totals = dict(DataSource.objects.values_list("pk", "total_contacts_ingested"))
        assert events == {"one@example.com": {"data_source_id": 1, "tags": ["avocat"]},
                          "two@example.com": {"data_source_id": 4, "tags": ["avocat"]},
                          "three@example.com": {"data_source_id": 1, "tags": ["avocat"]}}
        assert (totals[1], totals[4]) == (2, 1)

    def test_the_ingest_is_recorded_once_in_the_audit_trail(self, writer, seeded):
        ingest(writer, SEED_REQUEST["contacts"])
        entry = AuditLog.objects.get(object_type="contacts.contact")
        assert entry.tenant_id == 1 and entry.channel == "api" and entry.actor.startswith("key:")
        assert entry.changes["new_contacts"] == 2


class TestItemErrors:
    def test_invalid_items_are_reported_and_valid_ones_stored(self, writer, seeded):
        body = ingest(writer, [
            item("good@example.com"),
            item("not-an-email"),
            item("x@example.com", data_source_id=99),
            item("y@example.com", tags=5),
            "not an object",
            item("z@example.com", first_name="x" * 151),
            {"data_source_id": 4, "email": "no-tenant@example.com"},
        ]).json()
        assert body["success"] is True
        assert (body["total_processed"], body["new_contacts"]) == (7, 1)
        errors = {e["index"]: e for e in body["errors"]}
        assert sorted(errors) == [1, 2, 3, 4, 5, 6]
        assert errors[1]["email"] == "not-an-email" and "Invalid email" in errors[1]["error"]
        assert "Unknown data source 99" in errors[2]["error"]
        assert "tags must be a list" in errors[3]["error"]
        assert errors[4] == {"index": 4, "email": None, "error": "Each contact must be a JSON object."}
        assert "longer than 150" in errors[5]["error"]
        assert errors[6]["error"] == "tenant_id is missing."
        with in_brand(seeded.sos):
            assert list(Contact.objects.values_list("email", flat=True)) == ["good@example.com"]

    def test_a_key_for_one_brand_cannot_ingest_into_the_other(self, seeded, make_api_key, api_client):
        client = api_client(make_api_key(["ulixai"], ["contacts:write"]))
        body = ingest(client, [item("sos@example.com"), {**item("uli@example.com"), "tenant_id": 2}]).json()
        assert body["new_contacts"] == 1
        assert body["errors"] == [{"index": 0, "email": "sos@example.com",
                                   "error": "Brand 'sos-expat' is not allowed for this key (contacts:write)."}]
        with in_brand(seeded.sos):
            assert not Contact.objects.exists()
        with in_brand(seeded.ulixai):
            assert list(Contact.objects.values_list("email", flat=True)) == ["uli@example.com"]

    def test_a_read_only_key_cannot_ingest(self, seeded, make_api_key, api_client):
        client = api_client(make_api_key(["sos-expat"], ["contacts:read"]))
        body = ingest(client, [item("a@example.com")]).json()
        assert body["new_contacts"] == 0 and "not allowed" in body["errors"][0]["error"]


class TestSuppression:
    def test_a_suppressed_email_is_never_reactivated_or_recreated(self, writer, seeded):
        ingest(writer, [item("gone@example.com", city="Oslo")])
        with in_brand(seeded.sos):
            from contacts.services.suppression import suppression_add

            suppression_add(email="Gone@Example.com", reason="unsubscribed", source="campaign 7")
            assert Contact.objects.get(email="gone@example.com").status == "unsubscribed"
        body = ingest(writer, [item("gone@example.com", city="Bergen"), item("erased@example.com")]).json()
        assert (body["new_contacts"], body["updated_contacts"], body["duplicates_skipped"]) == (1, 0, 1)
        with in_brand(seeded.sos):
            contact = Contact.objects.get(email="gone@example.com")
            assert (contact.status, contact.city) == ("unsubscribed", "Oslo")
            Suppression.objects.create(email="later@example.com", reason="manual")
        body = ingest(writer, [item("later@example.com")]).json()
        assert (body["new_contacts"], body["duplicates_skipped"]) == (0, 1)
        with in_brand(seeded.sos):
            assert not Contact.objects.filter(email="later@example.com").exists()


class TestRequestErrors:
    def test_malformed_json_is_a_400(self, writer):
        response = writer.post("/api/v2/contacts/ingest", "{not json", content_type="application/json")
        assert response.status_code == 400 and response.json()["success"] is False

    def test_a_body_without_a_contacts_list_is_a_400(self, writer):
        response = writer.post("/api/v2/contacts/ingest", {"items": []}, format="json")
        assert response.json() == {"success": False, "error": 'The body must have a "contacts" list.'}

    def test_more_than_10000_items_is_refused_and_nothing_stored(self, writer, seeded):
        response = ingest(writer, [item(f"u{i}@example.com") for i in range(10_001)])
        assert response.status_code == 413
        assert response.json()["success"] is False and "10,000" in response.json()["error"]
        with in_brand(seeded.sos):
            assert not Contact.objects.exists()

    def test_a_body_too_large_is_a_413(self, writer, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
        response = ingest(writer, [item(f"u{i}@example.com") for i in range(10)])
        assert response.status_code == 413 and response.json()["success"] is False

    def test_an_unknown_key_is_a_401(self, seeded, api_client):
        response = ingest(api_client("ee_wrong"), [item("a@example.com")])
        assert response.status_code == 401 and response.json()["success"] is False

    def test_no_key_is_a_401(self, seeded, api_client):
        assert ingest(api_client(), [item("a@example.com")]).status_code == 401


def test_tag_ids_follow_contact_tag_changes_made_outside_the_ingest(writer, seeded):
    """The database keeps Contact.tag_ids in step with ContactTag (admin and other apps write links too)."""
    ingest(writer, [item("k@example.com", tags=["avocat", "lang-fr"])])
    with in_brand(seeded.sos):
        contact = Contact.objects.get(email="k@example.com")
        ContactTag.objects.filter(contact=contact, tag__slug="avocat").delete()
        ContactTag.objects.create(contact=contact, tag=Tag.objects.get(slug="expat"))
        contact.refresh_from_db()
        assert contact.tag_ids == sorted(Tag.objects.filter(slug__in=["lang-fr", "expat"]).values_list("pk", flat=True))
