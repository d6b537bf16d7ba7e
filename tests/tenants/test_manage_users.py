"""manage_users: people, grants and API keys from the command line, with clear errors."""
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from tenants.models import ApiKey, TenantGrant
from tenants.selectors import api_key_get_active

pytestmark = pytest.mark.django_db


def run(*args, stdin=None, monkeypatch=None):
    out = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command("manage_users", *args, stdout=out)
    return out.getvalue()


class TestUsers:
    def test_create_with_password_from_stdin_can_log_in(self, brands, monkeypatch):
        run("create", "alice", "--email", "alice@example.com", "--password-stdin", stdin="s3cret-Pass!\n",
            monkeypatch=monkeypatch)
        user = get_user_model().objects.get(username="alice")
        assert user.check_password("s3cret-Pass!") and user.is_staff and not user.is_superuser

    def test_create_superuser(self, brands):
        run("create", "root", "--email", "root@example.com", "--superuser")
        assert get_user_model().objects.get(username="root").is_superuser

    def test_create_refuses_a_duplicate_and_a_bad_email(self, brands):
        run("create", "bob", "--email", "bob@example.com")
        with pytest.raises(CommandError, match="already exists"):
            run("create", "bob", "--email", "bob@example.com")
        with pytest.raises(CommandError, match="not a valid email"):
            run("create", "carol", "--email", "not-an-email")

    def test_list_shows_grants(self, brands, make_user):
        make_user("dora", grants={"ulixai": "viewer"})
        assert "ulixai:viewer" in run("list")

    def test_disable(self, brands, make_user):
        make_user("eve")
        run("disable", "eve")
        assert not get_user_model().objects.get(username="eve").is_active
        with pytest.raises(CommandError, match="Unknown user 'nobody'"):
            run("disable", "nobody")


class TestGrants:
    def test_grant_and_revoke_a_brand_role(self, brands, make_user):
        make_user("fay")
        run("grant", "fay", "--tenant", "ulixai", "--role", "operator")
        assert TenantGrant.objects.get(user__username="fay").role == "operator"
        run("grant", "fay", "--tenant", "ulixai", "--role", "viewer")
        assert TenantGrant.objects.get(user__username="fay").role == "viewer"
        run("revoke", "fay", "--tenant", "ulixai")
        assert not TenantGrant.objects.filter(user__username="fay").exists()

    def test_admin_role_covers_every_brand(self, brands, make_user):
        make_user("gus")
        run("grant", "gus", "--role", "admin")
        grant = TenantGrant.objects.get(user__username="gus")
        assert grant.tenant is None and grant.role == "admin"

    @pytest.mark.parametrize(
        "args, message",
        [
            (("grant", "nobody", "--tenant", "ulixai", "--role", "viewer"), "Unknown user 'nobody'"),
            (("grant", "hal", "--tenant", "nowhere", "--role", "viewer"), "Unknown brand 'nowhere'"),
            (("grant", "hal", "--tenant", "ulixai", "--role", "king"), "Unknown role 'king'"),
            (("grant", "hal", "--role", "viewer"), "per brand"),
            (("revoke", "hal", "--tenant", "ulixai"), "has no grant on ulixai"),
        ],
    )
    def test_it_explains_what_is_wrong(self, brands, make_user, args, message):
        make_user("hal")
        with pytest.raises(CommandError, match=message):
            run(*args)


class TestApiKeys:
    def test_create_prints_the_key_alone_on_its_last_line(self, brands):
        out = run("create-api-key", "--name", "scraper-pro", "--tenants", "sos-expat,ulixai",
                  "--scopes", "contacts:write,contacts:read")
        raw = out.strip().splitlines()[-1]
        key = api_key_get_active(raw=raw)
        assert key is not None and key.name == "scraper-pro"
        assert sorted(key.tenants.values_list("slug", flat=True)) == ["sos-expat", "ulixai"]
        assert key.scopes == ["contacts:read", "contacts:write"]
        assert raw not in run("list-api-keys")

    def test_revoke(self, brands):
        raw = run("create-api-key", "--name", "csv-tool", "--tenants", "ulixai", "--scopes", "contacts:write")
        run("revoke-api-key", "csv-tool")
        assert api_key_get_active(raw=raw.strip().splitlines()[-1]) is None
        assert "revoked" in run("list-api-keys")
        with pytest.raises(CommandError, match="already revoked"):
            run("revoke-api-key", "csv-tool")

    @pytest.mark.parametrize(
        "tenants, scopes, message",
        [
            ("nowhere", "contacts:write", "Unknown brand 'nowhere'"),
            ("ulixai", "contacts:delete", "Unknown scope"),
        ],
    )
    def test_it_explains_bad_brands_and_scopes(self, brands, tenants, scopes, message):
        with pytest.raises(CommandError, match=message):
            run("create-api-key", "--name", "bad", "--tenants", tenants, "--scopes", scopes)
        assert not ApiKey.objects.filter(name="bad").exists()
