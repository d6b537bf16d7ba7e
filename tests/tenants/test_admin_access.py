"""In the admin a person works in one granted brand at a time and never reaches another's data."""
import pytest

from tenants.models import AuditLog

pytestmark = pytest.mark.django_db


def test_a_single_brand_user_works_in_it_without_a_switcher(brands, make_user, client):
    client.force_login(make_user("uli", grants={"ulixai": "operator"}))
    page = client.get("/admin/").content.decode()
    assert 'data-brand="ulixai"' in page
    assert 'id="brand-switcher"' not in page


def test_an_admin_switches_brand_from_the_header(brands, make_user, client):
    client.force_login(make_user("ada", admin=True))
    page = client.get("/admin/").content.decode()
    assert 'id="brand-switcher"' in page and 'data-brand="sos-expat"' in page
    client.post("/admin/brand/switch/", {"brand": brands.ulixai.pk})
    assert 'data-brand="ulixai"' in client.get("/admin/").content.decode()


def test_switching_to_an_ungranted_brand_is_refused(brands, make_user, client):
    client.force_login(make_user("uli", grants={"ulixai": "viewer"}))
    response = client.post("/admin/brand/switch/", {"brand": brands.sos.pk}, follow=True)
    page = response.content.decode()
    assert "not granted that brand" in page and 'data-brand="ulixai"' in page


def test_audit_entries_of_another_brand_are_not_reachable(brands, make_user, client):
    other = AuditLog.objects.create(actor="x", tenant=brands.sos, channel="api", action="create",
                                    object_type="contacts.contact", object_id="1", object_repr="secret person")
    client.force_login(make_user("uli", grants={"ulixai": "viewer"}))
    listing = client.get("/admin/tenants/auditlog/")
    assert listing.status_code == 200 and "secret person" not in listing.content.decode()
    detail = client.get(f"/admin/tenants/auditlog/{other.pk}/change/")
    assert detail.status_code in (302, 403, 404)
    assert "secret person" not in client.get(detail.url if detail.status_code == 302 else "/admin/").content.decode()


def test_brand_operators_cannot_manage_people_keys_or_brands(brands, make_user, client):
    client.force_login(make_user("uli", grants={"ulixai": "operator"}))
    for url in ("/admin/tenants/tenant/", "/admin/tenants/apikey/", "/admin/auth/user/"):
        assert client.get(url).status_code == 403


def test_admin_changes_are_audited_with_who_what_and_where(brands, make_user, client):
    client.force_login(make_user("ada", admin=True))
    response = client.post(
        f"/admin/tenants/tenant/{brands.ulixai.pk}/change/",
        {"name": "Ulixai Group", "brand_domain": "ulixai.com", "sending_domain_base": "ulixai-mail.com",
         "time_zone": "Europe/Paris", "is_active": "on"},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302
    entry = AuditLog.objects.get(object_type="tenants.tenant", action="update")
    assert entry.actor == "ada" and entry.channel == "admin" and entry.ip_address == "203.0.113.7"
    assert entry.tenant_id == brands.ulixai.pk
    assert entry.changes == {"name": ["Ulixai", "Ulixai Group"]}


def test_audit_log_is_read_only_in_the_admin(brands, make_user, client):
    entry = AuditLog.objects.create(actor="x", tenant=brands.ulixai, channel="api", action="create",
                                    object_type="contacts.tag", object_id="1", object_repr="tag")
    client.force_login(make_user("ada", admin=True))
    assert client.get(f"/admin/tenants/auditlog/{entry.pk}/change/").status_code == 200
    client.post(f"/admin/tenants/auditlog/{entry.pk}/delete/", {"post": "yes"})
    assert AuditLog.objects.filter(pk=entry.pk).exists()
