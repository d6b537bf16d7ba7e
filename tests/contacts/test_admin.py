"""The contacts back office: filters, CSV upload with progress, masked secrets, brand isolation."""
import io

import pytest

from contacts.models import Contact, DataSource, ImportJob, Suppression
from contacts.services.ingest import contact_ingest

from .conftest import in_brand

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client, seeded, make_user):
    client.force_login(make_user("olga", grants={"sos-expat": "operator"}))
    with in_brand(seeded.sos):
        contact_ingest(items=[
            {"email": "avocat@example.com", "data_source_id": 3, "language": "fr", "category": "avocat", "tags": ["avocat"]},
            {"email": "blogger@example.com", "data_source_id": 1, "language": "es", "category": "blogger", "tags": ["blogger"]},
        ])
    return client


class TestContactList:
    @pytest.mark.parametrize("query,shown,hidden", [
        ("tag=prestataire", "avocat@example.com", "blogger@example.com"),
        ("language=es", "blogger@example.com", "avocat@example.com"),
        ("category=avocat", "avocat@example.com", "blogger@example.com"),
        ("data_source__id__exact=1", "blogger@example.com", "avocat@example.com"),
        ("status__exact=active&validation_status__exact=pending", "blogger@example.com", "nobody"),
    ])
    def test_it_filters(self, operator, query, shown, hidden):
        page = operator.get(f"/admin/contacts/contact/?{query}").content.decode()
        assert shown in page and hidden not in page

    def test_a_user_of_another_brand_sees_none_of_it(self, client, seeded, make_user):
        with in_brand(seeded.sos):
            contact_ingest(items=[{"email": "secret@example.com", "data_source_id": 3}])
        client.force_login(make_user("ulla", grants={"ulixai": "operator"}))
        page = client.get("/admin/contacts/contact/").content.decode()
        assert "secret@example.com" not in page

    def test_the_suppress_action_suppresses_and_audits(self, operator, seeded):
        from tenants.models import AuditLog

        with in_brand(seeded.sos):
            pk = Contact.objects.get(email="avocat@example.com").pk
        operator.post("/admin/contacts/contact/", {"action": "suppress_selected", "_selected_action": [pk]})
        with in_brand(seeded.sos):
            assert Suppression.objects.get().reason == "manual"
        assert AuditLog.objects.filter(object_type="contacts.suppression", action="action").exists()


class TestCsvUpload:
    def test_upload_runs_in_the_background_and_shows_progress(self, operator, seeded, settings, tmp_path,
                                                             loopback_dns, django_capture_on_commit_callbacks):
        settings.MEDIA_ROOT = str(tmp_path)
        assert 'id="import-csv"' in operator.get("/admin/contacts/contact/").content.decode()
        upload = io.BytesIO(b"Email,First Name,tags\nnew@example.com,Nina,expat\nbroken,x,\n")
        upload.name = "people.csv"
        with django_capture_on_commit_callbacks(execute=True):
            response = operator.post("/admin/contacts/contact/import/", {"file": upload, "tags": "salon"})
        assert response.status_code == 302
        with in_brand(seeded.sos):
            job = ImportJob.objects.get()
            assert (job.status, job.new_contacts, job.error_count) == ("done", 1, 1)
            assert Contact.objects.get(email="new@example.com").first_name == "Nina"
        page = operator.get(response["Location"]).content.decode()
        assert "100%" in page and "line 3: broken" in page and 'http-equiv="refresh"' not in page

    def test_a_queued_job_page_refreshes_itself(self, operator, seeded, settings, tmp_path):
        settings.MEDIA_ROOT = str(tmp_path)
        upload = io.BytesIO(b"email\na@example.com\n")
        upload.name = "a.csv"
        response = operator.post("/admin/contacts/contact/import/", {"file": upload})
        page = operator.get(response["Location"]).content.decode()
        assert 'http-equiv="refresh"' in page and "queued" in page


def test_data_source_secrets_are_masked(operator, seeded):
    with in_brand(seeded.sos):
        secret = DataSource.objects.get(pk=1).webhook_secret
    listing = operator.get("/admin/contacts/datasource/").content.decode()
    detail = operator.get("/admin/contacts/datasource/1/change/").content.decode()
    assert secret not in listing and secret not in detail
    assert "••••" + secret[-4:] in listing


def test_tag_suppression_and_job_pages_open(operator):
    for url in ("/admin/contacts/tag/", "/admin/contacts/suppression/", "/admin/contacts/importjob/",
                "/admin/contacts/contact/import/", "/admin/contacts/tag/add/"):
        assert operator.get(url).status_code == 200, url


def test_a_contact_page_shows_its_tags_and_events(operator, seeded):
    with in_brand(seeded.sos):
        pk = Contact.objects.get(email="avocat@example.com").pk
    page = operator.get(f"/admin/contacts/contact/{pk}/change/").content.decode()
    assert "avocat@example.com" in page and "ingested" in page


def test_an_operator_adds_and_removes_tags_on_the_contact_page(operator, seeded):
    """The contact form carries the tag list; saving it adds and removes links with their events, and
    segments follow at once."""
    import re

    from contacts.models import ContactEvent, Tag
    from contacts.selectors import segment_count

    with in_brand(seeded.sos):
        contact = Contact.objects.get(email="avocat@example.com")
        expat, avocat = Tag.objects.get(slug="expat").pk, Tag.objects.get(slug="avocat").pk
    url = f"/admin/contacts/contact/{contact.pk}/change/"
    page = operator.get(url).content.decode()
    assert re.search(r'<option value="%d" selected>avocat</option>' % avocat, page)
    form = dict(re.findall(r'<input type="(?:text|hidden|email|number|url)" name="([^"]+)" value="([^"]*)"', page))
    form.update({name: value for name, value in re.findall(
        r'<select name="([^"]+)"[^>]*>.*?<option value="([^"]*)" selected', page, re.S)})
    form = {k: v for k, v in form.items() if not k.startswith("events-__prefix__")}
    form.update({"tags": [str(expat)], "_save": "Save"})
    response = operator.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    with in_brand(seeded.sos):
        contact.refresh_from_db()
        assert contact.tag_ids == [expat]
        assert list(contact.contact_tags.values_list("tag_id", flat=True)) == [expat]
        assert segment_count(filter={"tags_any": ["client"]}) == 1
        assert segment_count(filter={"tags_any": ["avocat"]}) == 0
        changes = {(e.event_type, e.event_data["tags"][0]) for e in ContactEvent.objects.filter(
            contact=contact, event_type__in=["tagged", "untagged"])}
        assert changes == {("tagged", "expat"), ("untagged", "avocat")}
    assert avocat != expat
