"""API keys and people reach only the brands and scopes they are granted."""
import pytest

from tenants.models import ApiKey

pytestmark = pytest.mark.django_db


class TestApiKeys:
    def test_it_stores_only_a_hash_of_the_key(self, brands, make_api_key):
        raw = make_api_key(["sos-expat"], ["contacts:read"], name="scraper")
        key = ApiKey.objects.get(name="scraper")
        assert raw not in (key.key_hash, key.prefix)
        assert len(key.key_hash) == 64 and raw.startswith(key.prefix)

    def test_it_accepts_bearer_and_x_api_key(self, brands, make_api_key, api_client):
        raw = make_api_key(["sos-expat"], ["contacts:read"])
        assert api_client(raw).get("/api/v2/brands/sos-expat").status_code == 200
        client = api_client()
        assert client.get("/api/v2/brands/1", HTTP_X_API_KEY=raw).json()["slug"] == "sos-expat"

    def test_it_rejects_an_unknown_key_with_401(self, brands, api_client):
        response = api_client("ee_not-a-real-key").get("/api/v2/brands/sos-expat")
        assert response.status_code == 401
        assert response.json() == {"success": False, "error": "Unknown or revoked API key."}

    def test_it_rejects_a_revoked_key_with_401(self, brands, make_api_key, api_client):
        from tenants.services import api_key_revoke

        raw = make_api_key(["sos-expat"], ["contacts:read"], name="old")
        api_key_revoke(name="old")
        assert api_client(raw).get("/api/v2/brands/sos-expat").status_code == 401

    def test_it_requires_credentials(self, brands, api_client):
        assert api_client().get("/api/v2/brands/sos-expat").status_code == 401

    def test_it_forbids_another_brands_endpoints(self, brands, make_api_key, api_client):
        raw = make_api_key(["ulixai"], ["contacts:read", "contacts:write"])
        response = api_client(raw).get("/api/v2/brands/sos-expat")
        assert response.status_code == 403
        assert "not granted brand 'sos-expat'" in response.json()["error"]
        assert api_client(raw).get("/api/v2/brands/1").status_code == 403

    def test_it_answers_404_for_an_unknown_brand(self, brands, make_api_key, api_client):
        raw = make_api_key(["ulixai"], ["contacts:read"])
        assert api_client(raw).get("/api/v2/brands/no-such-brand").status_code == 404

    def test_it_lists_only_granted_brands(self, brands, make_api_key, api_client):
        raw = make_api_key(["ulixai"], ["contacts:read"])
        assert [b["slug"] for b in api_client(raw).get("/api/v2/brands").json()] == ["ulixai"]


class TestScopes:
    def test_a_key_without_the_scope_gets_403(self, brands):
        from tenants.access import Principal
        from tenants.services import api_key_create

        key, _ = api_key_create(name="reader", tenant_slugs=["sos-expat"], scopes=["contacts:read"])
        principal = Principal(api_key=key)
        assert principal.can(brands.sos, "contacts:read")
        assert not principal.can(brands.sos, "contacts:write")
        assert not principal.can(brands.ulixai, "contacts:read")

    def test_a_viewer_reads_but_does_not_write(self, brands, make_user):
        from tenants.access import Principal

        viewer = Principal(user=make_user("vera", grants={"ulixai": "viewer"}))
        assert viewer.can(brands.ulixai, "templates:read")
        assert not viewer.can(brands.ulixai, "templates:write")
        assert not viewer.can(brands.sos, "templates:read")

    def test_an_admin_is_granted_every_brand(self, brands, make_user):
        from tenants.access import Principal

        admin = Principal(user=make_user("ada", admin=True))
        assert admin.can(brands.sos, "campaigns:write") and admin.can(brands.ulixai, "campaigns:write")

    def test_a_disabled_person_is_granted_nothing(self, brands, make_user):
        from tenants.access import Principal

        user = make_user("gone", grants={"sos-expat": "operator"})
        user.is_active = False
        assert not Principal(user=user).can(brands.sos, "contacts:read")
