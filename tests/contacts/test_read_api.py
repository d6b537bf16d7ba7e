"""The read API, tags and data sources, GDPR export and erasure."""
import pytest

from contacts.models import Contact, ContactEvent, DataSource, Suppression
from tenants.models import AuditLog

from .conftest import in_brand

pytestmark = pytest.mark.django_db


def ingest(client, *items):
    response = client.post("/api/v2/contacts/ingest", {"contacts": [
        {"tenant_id": 1, "data_source_id": 4, **i} for i in items]}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


class TestContactReads:
    def test_list_pages_and_filters(self, writer, seeded):
        ingest(writer, {"email": "a@example.com", "language": "fr", "tags": ["avocat"]},
               {"email": "b@example.com", "language": "es", "tags": ["blogger"]},
               {"email": "c@example.com", "language": "fr", "category": "Avocat"})
        body = writer.get("/api/v2/contacts/1?limit=2").json()
        assert body["count"] == 3 and [c["email"] for c in body["results"]] == ["a@example.com", "b@example.com"]
        assert [c["email"] for c in writer.get("/api/v2/contacts/sos-expat?offset=2").json()["results"]] == [
            "c@example.com"]
        assert [c["email"] for c in writer.get("/api/v2/contacts/1?language=fr").json()["results"]] == [
            "a@example.com", "c@example.com"]
        assert [c["email"] for c in writer.get("/api/v2/contacts/1?tag=prestataire").json()["results"]] == [
            "a@example.com"]
        assert writer.get("/api/v2/contacts/1?category=avocat").json()["count"] == 1
        assert writer.get("/api/v2/contacts/1?updated_since=2000-01-01T00:00:00Z").json()["count"] == 3

    def test_limit_is_at_most_1000(self, writer):
        response = writer.get("/api/v2/contacts/1?limit=1001")
        assert response.status_code == 400 and response.json()["success"] is False
        assert writer.get("/api/v2/contacts/1?limit=1000").status_code == 200

    def test_detail_includes_tags(self, writer, seeded):
        ingest(writer, {"email": "a@example.com", "first_name": "Ana", "tags": ["lang-fr", "avocat"]})
        with in_brand(seeded.sos):
            contact_id = Contact.objects.get().pk
        body = writer.get(f"/api/v2/contacts/1/{contact_id}").json()
        assert body["email"] == "a@example.com" and body["first_name"] == "Ana"
        assert body["tags"] == ["avocat", "lang-fr"] and body["status"] == "active"
        assert writer.get("/api/v2/contacts/1/999999").status_code == 404

    def test_a_key_for_one_brand_cannot_read_the_other(self, writer, seeded, make_api_key, api_client):
        ingest(writer, {"email": "a@example.com"})
        with in_brand(seeded.sos):
            contact_id = Contact.objects.get().pk
        other = api_client(make_api_key(["ulixai"], ["contacts:read", "contacts:write"]))
        assert other.get("/api/v2/contacts/sos-expat").status_code == 403
        assert other.get(f"/api/v2/contacts/1/{contact_id}").status_code == 403
        assert other.get(f"/api/v2/contacts/1/{contact_id}/export").status_code == 403
        assert other.delete(f"/api/v2/contacts/1/{contact_id}").status_code == 403
        assert other.get("/api/v2/contacts/ulixai").json()["count"] == 0


class TestTagsAndDataSources:
    def test_tags_are_listed_and_created_with_their_parent(self, writer, seeded):
        tags = writer.get("/api/v2/tags/sos-expat").json()
        assert len(tags) == 16
        assert {t["slug"]: t["parent"] for t in tags}["avocat"] == "prestataire"
        response = writer.post("/api/v2/tags/1", {"slug": "Notaire", "parent": "prestataire"}, format="json")
        assert response.status_code == 201
        assert response.json()["slug"] == "notaire" and response.json()["parent"] == "prestataire"
        again = writer.post("/api/v2/tags/1", {"slug": "notaire"}, format="json")
        assert again.status_code == 400 and "already exists" in again.json()["error"]

    def test_creating_a_tag_through_the_api_is_audited(self, writer, seeded):
        writer.post("/api/v2/tags/1", {"slug": "vip"}, format="json")
        entry = AuditLog.objects.get(object_type="contacts.tag")
        assert (entry.action, entry.tenant_id, entry.channel, entry.object_repr) == ("create", 1, "api", "vip")
        assert entry.actor.startswith("key:")

    def test_data_sources_mask_their_secret(self, writer, seeded):
        sources = writer.get("/api/v2/data-sources/1").json()
        assert [(s["id"], s["type"]) for s in sources] == [
            (1, "scraper_pro"), (2, "backlink_engine"), (3, "csv"), (4, "api")]
        with in_brand(seeded.sos):
            secret = DataSource.objects.get(pk=1).webhook_secret
        assert sources[0]["webhook_secret"] == "••••" + secret[-4:]
        assert secret not in str(sources)

    def test_a_new_webhook_source_answers_its_secret_once(self, writer, seeded):
        response = writer.post("/api/v2/data-sources/1", {"name": "Partner feed", "type": "webhook"}, format="json")
        assert response.status_code == 201
        body = response.json()
        assert body["id"] == 5 and len(body["webhook_secret_once"]) > 30
        listed = {s["id"]: s for s in writer.get("/api/v2/data-sources/1").json()}
        assert body["webhook_secret_once"] not in str(listed)
        entry = AuditLog.objects.get(object_type="contacts.datasource")
        assert body["webhook_secret_once"] not in str(entry.changes)

    def test_a_reader_cannot_create(self, seeded, make_api_key, api_client):
        reader = api_client(make_api_key(["sos-expat"], ["contacts:read"]))
        assert reader.post("/api/v2/tags/1", {"slug": "x"}, format="json").status_code == 403


class TestGdpr:
    def test_export_holds_everything_including_events(self, writer, seeded):
        ingest(writer, {"email": "p@example.com", "first_name": "Paul", "custom_fields": {"plan": "gold"},
                        "tags": ["expat"]})
        ingest(writer, {"email": "p@example.com", "city": "Nice"})
        with in_brand(seeded.sos):
            contact_id = Contact.objects.get().pk
        body = writer.get(f"/api/v2/contacts/1/{contact_id}/export").json()
        assert body["contact"]["email"] == "p@example.com" and body["contact"]["city"] == "Nice"
        assert body["contact"]["custom_fields"] == {"plan": "gold"}
        assert [t["slug"] for t in body["tags"]] == ["expat"]
        assert [e["event_type"] for e in body["events"]] == ["ingested", "updated"]
        assert body["suppression"] is None

    def test_erase_deletes_the_person_and_keeps_them_suppressed(self, writer, seeded):
        ingest(writer, {"email": "p@example.com", "tags": ["expat"]})
        with in_brand(seeded.sos):
            contact_id = Contact.objects.get().pk
        response = writer.delete(f"/api/v2/contacts/1/{contact_id}")
        assert response.json() == {"success": True, "erased": contact_id}
        with in_brand(seeded.sos):
            assert not Contact.objects.exists() and not ContactEvent.objects.exists()
            assert Suppression.objects.get(email="p@example.com").reason == "erased"
        body = ingest(writer, {"email": "P@example.com"})
        assert (body["new_contacts"], body["duplicates_skipped"]) == (0, 1)
        assert writer.get(f"/api/v2/contacts/1/{contact_id}").status_code == 404

    def test_erase_keeps_an_existing_suppression_reason(self, writer, seeded):
        ingest(writer, {"email": "u@example.com"})
        with in_brand(seeded.sos):
            from contacts.services.suppression import suppression_add

            suppression_add(email="u@example.com", reason="complaint", source="fbl")
            contact_id = Contact.objects.get().pk
        writer.delete(f"/api/v2/contacts/1/{contact_id}")
        with in_brand(seeded.sos):
            assert Suppression.objects.get(email="u@example.com").reason == "complaint"
