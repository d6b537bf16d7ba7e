"""The contacts back office: bulk tag/untag/suppress/export, the live segment count, and cheap pagination."""
import json

import pytest
from django_tenants.utils import tenant_context

from contacts.models import Contact, ContactEvent, Suppression, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def ulixai_contacts(brands):
    with tenant_context(brands.ulixai):
        Tag.objects.create(slug="vip")
        people = [Contact.objects.create(email=f"p{i}@example.com", language="fr" if i < 3 else "de") for i in range(5)]
    return [p.pk for p in people]


@pytest.fixture
def operator(brands, make_user, client):
    client.force_login(make_user("uli", grants={"ulixai": "operator"}))
    return client


def _act(client, action, ids, **extra):
    return client.post("/admin/contacts/contact/", {"action": action, "_selected_action": ids, **extra})


def test_tag_then_untag_selected_contacts(brands, ulixai_contacts, operator):
    with tenant_context(brands.ulixai):
        vip = Tag.objects.get(slug="vip")
    _act(operator, "tag_selected", ulixai_contacts[:2], tag=vip.pk)
    with tenant_context(brands.ulixai):
        assert sorted(Contact.objects.filter(tag_ids__contains=[vip.pk]).values_list("pk", flat=True)) == ulixai_contacts[:2]
        assert ContactEvent.objects.filter(event_type="tagged").count() == 2
    _act(operator, "untag_selected", ulixai_contacts[:1], tag=vip.pk)
    with tenant_context(brands.ulixai):
        assert list(Contact.objects.filter(tag_ids__contains=[vip.pk]).values_list("pk", flat=True)) == ulixai_contacts[1:2]


def test_tagging_without_a_chosen_tag_explains_itself(brands, ulixai_contacts, operator):
    response = _act(operator, "tag_selected", ulixai_contacts[:2])
    assert "Choose a tag" in operator.get(response.url).content.decode()


def test_suppress_selected_is_set_based_and_idempotent(brands, ulixai_contacts, operator):
    _act(operator, "suppress_selected", ulixai_contacts[:3])
    _act(operator, "suppress_selected", ulixai_contacts[:4])
    with tenant_context(brands.ulixai):
        assert sorted(Suppression.objects.values_list("email", flat=True)) == [f"p{i}@example.com" for i in range(4)]


def test_export_selected_streams_csv(brands, ulixai_contacts, operator):
    response = _act(operator, "export_selected", ulixai_contacts[:2])
    body = b"".join(response.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("email,first_name") and len(lines) == 3 and "p1@example.com" in body


def test_a_viewer_cannot_run_bulk_changes(brands, ulixai_contacts, make_user, client):
    client.force_login(make_user("vic", grants={"ulixai": "viewer"}))
    _act(client, "suppress_selected", ulixai_contacts)
    with tenant_context(brands.ulixai):
        assert not Suppression.objects.exists()


def test_the_segment_builder_counts_live(brands, ulixai_contacts, operator):
    assert operator.get("/admin/contacts/contact/segment/").status_code == 200
    response = operator.post("/admin/contacts/contact/segment/count/", json.dumps({"language": "fr"}),
                             content_type="application/json")
    assert response.json()["count"] == 3 and len(response.json()["preview"]) == 3
    bad = operator.post("/admin/contacts/contact/segment/count/", json.dumps({"colour": "red"}),
                        content_type="application/json")
    assert bad.status_code == 400 and "Unknown filter key" in bad.json()["error"]


def test_the_contact_list_does_not_count_a_large_table_exactly(brands, ulixai_contacts, operator, monkeypatch):
    from emailengine import pagination

    monkeypatch.setattr(pagination, "CAP", 2)
    page = operator.get("/admin/contacts/contact/?language=de").content.decode()
    assert "p4@example.com" in page
    with tenant_context(brands.ulixai):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE contacts_contact")
        assert pagination.table_row_estimate(Contact) == 5


def test_the_contact_search_finds_an_address_or_its_beginning(brands, ulixai_contacts, operator):
    exact = operator.get("/admin/contacts/contact/?q=P3@Example.com").content.decode()
    assert "p3@example.com" in exact and "p4@example.com" not in exact
    prefix = operator.get("/admin/contacts/contact/?q=p").content.decode()
    assert all(f"p{i}@example.com" in prefix for i in range(5))
