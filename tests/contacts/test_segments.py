"""Segments: AND / OR / EXCLUDE over tags with the hierarchy, field filters, deliverability, the API."""
import pytest
from django.db import connection

from contacts.models import Contact
from contacts.selectors import segment_contact_ids_sql, segment_count, segment_filter_check
from contacts.services.ingest import contact_ingest
from contacts.services.suppression import suppression_add

from .conftest import in_brand

pytestmark = pytest.mark.django_db

PEOPLE = [
    # email, tags, language
    ("avocat-fr@example.com", ["avocat", "lang-fr"], "fr"),
    ("avocat-en@example.com", ["avocat", "lang-en"], "en"),
    ("aidant-fr@example.com", ["expat-aidant", "lang-fr"], "fr"),
    ("blogger-fr@example.com", ["blogger", "lang-fr"], "fr"),
    ("influencer-es@example.com", ["influencer", "lang-es"], "es"),
    ("expat-nolang@example.com", ["expat"], None),
    ("client-parent@example.com", ["client", "lang-fr"], "fr"),
]


@pytest.fixture
def audience(seeded):
    with in_brand(seeded.sos):
        contact_ingest(items=[
            {"email": email, "data_source_id": 4, "tags": tags, "language": language}
            for email, tags, language in PEOPLE
        ])
    connection.set_tenant(seeded.sos)
    return seeded


def matching(filter):
    sql, params = segment_contact_ids_sql(filter=filter)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT email FROM contacts_contact WHERE id IN ({sql}) ORDER BY email", params)
        return [row[0].split("@")[0] for row in cursor.fetchall()]


class TestTagLogic:
    def test_a_parent_tag_matches_its_descendants(self, audience):
        assert matching({"tags_any": ["prestataire"]}) == ["aidant-fr", "avocat-en", "avocat-fr"]
        assert matching({"tags_all": ["client"]}) == ["client-parent", "expat-nolang"]

    def test_tags_all_is_an_and(self, audience):
        assert matching({"tags_all": ["avocat", "lang-fr"]}) == ["avocat-fr"]
        assert matching({"tags_all": ["prestataire", "lang-fr"]}) == ["aidant-fr", "avocat-fr"]

    def test_tags_any_is_an_or(self, audience):
        assert matching({"tags_any": ["blogger", "influencer", "avocat"]}) == [
            "avocat-en", "avocat-fr", "blogger-fr", "influencer-es"]

    def test_exclude_tags_removes_matches_including_descendants(self, audience):
        assert matching({"tags_all": ["lang-fr"], "exclude_tags": ["marketing-partner", "client"]}) == [
            "aidant-fr", "avocat-fr"]

    def test_and_or_and_exclude_combine(self, audience):
        assert matching({"tags_all": ["lang-fr"], "tags_any": ["prestataire", "marketing-partner"],
                         "exclude_tags": ["expat-aidant"]}) == ["avocat-fr", "blogger-fr"]

    def test_unknown_tags(self, audience):
        assert matching({"tags_all": ["nope"]}) == []
        assert matching({"tags_any": ["nope"]}) == []
        assert len(matching({"exclude_tags": ["unsubscribed"]})) == len(PEOPLE)


class TestFieldsAndDeliverability:
    def test_language_filter_and_english_fallback(self, audience):
        assert matching({"language": "es"}) == ["influencer-es"]
        assert matching({"language": "en"}) == ["avocat-en", "expat-nolang"]

    def test_only_deliverable_contacts_unless_asked(self, audience):
        suppression_add(email="avocat-fr@example.com", reason="unsubscribed")
        Suppression_only = "aidant-fr@example.com"
        from contacts.models import Suppression

        Suppression.objects.create(email=Suppression_only, reason="manual")
        Contact.objects.filter(email="blogger-fr@example.com").update(validation_status="invalid")
        assert matching({"tags_all": ["lang-fr"]}) == ["client-parent"]
        assert segment_count(filter={"tags_all": ["lang-fr"]}) == 1
        assert matching({"tags_all": ["lang-fr"], "status": "unsubscribed"}) == ["avocat-fr"]
        assert matching({"tags_all": ["lang-fr"], "status": ["active"]}) == ["aidant-fr", "blogger-fr", "client-parent"]

    def test_a_malformed_filter_is_refused_with_a_reason(self, audience):
        from contacts.selectors import SegmentFilterError

        for bad, message in [({"tags_al": ["x"]}, "Unknown filter key"), ({"language": "it"}, "Unknown language"),
                             ({"status": "gone"}, "Unknown status"), ({"tags_any": [3]}, "list of strings")]:
            with pytest.raises(SegmentFilterError, match=message):
                segment_filter_check(data=bad)

    def test_campaigns_can_freeze_an_audience_with_insert_select(self, audience):
        sql, params = segment_contact_ids_sql(filter={"tags_any": ["prestataire"]})
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE frozen (contact_id bigint)")
            cursor.execute(f"INSERT INTO frozen (contact_id) {sql}", params)
            cursor.execute("SELECT count(*) FROM frozen")
            assert cursor.fetchone()[0] == 3


class TestAudienceKeptByTheDatabase:
    """Segments read flags the database keeps (tag combination, suppressed); every writer keeps them right."""

    def test_a_suppression_by_any_route_drops_the_contact_and_lifting_it_brings_it_back(self, audience):
        from contacts.models import Suppression

        with connection.cursor() as cursor:  # raw SQL, as the campaigns' accounting handler writes it
            cursor.execute("INSERT INTO contacts_suppression (email, reason, source, created_at) "
                           "VALUES ('avocat-fr@example.com', 'manual', 'test', now())")
        assert matching({"tags_any": ["avocat"]}) == ["avocat-en"]
        Suppression.objects.filter(email="avocat-fr@example.com").delete()
        assert matching({"tags_any": ["avocat"]}) == ["avocat-en", "avocat-fr"]

    def test_a_stale_save_cannot_unsuppress_a_contact(self, audience):
        from contacts.models import Suppression

        stale = Contact.objects.get(email="avocat-fr@example.com")
        Suppression.objects.create(email=stale.email, reason="manual")
        stale.first_name = "Renamed"
        stale.save()
        assert matching({"tags_any": ["avocat"]}) == ["avocat-en"]

    def test_a_contact_created_after_its_suppression_is_not_in_audiences(self, audience):
        from contacts.models import ContactTag, Suppression, Tag

        Suppression.objects.create(email="late@example.com", reason="hard_bounce")
        late = Contact.objects.create(email="late@example.com")
        ContactTag.objects.create(contact=late, tag=Tag.objects.get(slug="avocat"))
        assert matching({"tags_any": ["avocat"]}) == ["avocat-en", "avocat-fr"]
        assert matching({"tags_any": ["avocat"], "status": "active"}) == ["avocat-en", "avocat-fr", "late"]

    def test_tags_changed_outside_the_ingest_move_the_contact_between_segments(self, audience):
        from contacts.models import ContactTag, Tag

        contact = Contact.objects.get(email="blogger-fr@example.com")
        ContactTag.objects.filter(contact=contact, tag__slug="blogger").delete()
        ContactTag.objects.create(contact=contact, tag=Tag.objects.get(slug="avocat"))
        assert matching({"tags_any": ["prestataire"]}) == ["aidant-fr", "avocat-en", "avocat-fr", "blogger-fr"]
        assert matching({"tags_any": ["marketing-partner"]}) == ["influencer-es"]
        assert segment_count(filter={"tags_all": ["avocat", "lang-fr"]}) == 2


class TestSegmentApi:
    def test_count_and_preview(self, audience, make_api_key, api_client):
        client = api_client(make_api_key(["sos-expat"], ["contacts:read"]))
        response = client.post("/api/v2/segments/sos-expat/count", {"tags_all": ["avocat", "lang-fr"]}, format="json")
        assert response.json() == {"count": 1}
        response = client.post("/api/v2/segments/1/preview?limit=2", {"tags_any": ["prestataire"]}, format="json")
        body = response.json()
        assert body["count"] == 3 and len(body["results"]) == 2
        tags = {c["email"]: c["tags"] for c in body["results"]}
        assert set(tags) < {"avocat-fr@example.com", "avocat-en@example.com", "aidant-fr@example.com"}
        assert tags.get("aidant-fr@example.com", ["expat-aidant", "lang-fr"]) == ["expat-aidant", "lang-fr"]

    def test_a_bad_filter_is_a_400(self, audience, make_api_key, api_client):
        client = api_client(make_api_key(["sos-expat"], ["contacts:read"]))
        response = client.post("/api/v2/segments/sos-expat/count", {"langage": "fr"}, format="json")
        assert response.status_code == 400 and "Unknown filter key" in response.json()["error"]

    def test_another_brands_key_cannot_count(self, audience, make_api_key, api_client):
        client = api_client(make_api_key(["ulixai"], ["contacts:read"]))
        assert client.post("/api/v2/segments/sos-expat/count", {}, format="json").status_code == 403
