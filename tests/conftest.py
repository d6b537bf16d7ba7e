"""Shared fixtures: the two seed brands in the real PostgreSQL, people, API keys and clients.

- Every test database has SOS-Expat (id 1, schema sos_expat) and Ulixai (id 2, schema
  ulixai), created once per session with their migrated schemas.
- `db` tests run in a transaction rolled back at the end (schema switches included).
- Tests that need committed data (threads, processes, a live server) use `live_db`,
  never pytest-django's `transactional_db` (its flush would drop the brands): it
  commits for real and empties the brand schemas and public tables afterwards.
"""
from types import SimpleNamespace

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tenants.models import Tenant
from tests.doubles.mailwizz import mailwizz_double_factory  # noqa: F401  (a fixture for every test module)

KEPT_PUBLIC_TABLES = {
    "tenants_tenant",
    "tenants_domain",
    "django_migrations",
    "django_content_type",
    "auth_permission",
}


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_keepdb,
                    django_db_modify_db_settings):
    """The test database, always (live_db tests need it too), with the two seed brands and their schemas."""
    from django.test.utils import setup_databases, teardown_databases

    from tenants.seed import BRANDS
    from tenants.services import tenant_create

    with django_db_blocker.unblock():
        db_cfg = setup_databases(verbosity=request.config.option.verbose, interactive=False,
                                 keepdb=django_db_keepdb, aliases={"default"})
        for spec in BRANDS:
            tenant_create(**spec)
        connection.set_schema_to_public()
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            connection.set_schema_to_public()
            teardown_databases(db_cfg, verbosity=request.config.option.verbose)


@pytest.fixture(autouse=True)
def _public_schema_after_each_test():
    yield
    connection.set_schema_to_public()
    from django.core.cache import cache

    cache.clear()  # e.g. the dashboard's cached figures, keyed by brand id


@pytest.fixture
def brands(db):
    """The seed's two brands: `brands.sos` (id 1) and `brands.ulixai` (id 2)."""
    return SimpleNamespace(sos=Tenant.objects.get(slug="sos-expat"), ulixai=Tenant.objects.get(slug="ulixai"))


def _truncate_test_data():
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT quote_ident(schemaname) || '.' || quote_ident(tablename)
            FROM pg_tables
            WHERE (schemaname = 'public' AND tablename <> ALL(%s))
               OR (schemaname IN (SELECT schema_name FROM tenants_tenant) AND tablename <> 'django_migrations')
            """,
            [list(KEPT_PUBLIC_TABLES)],
        )
        tables = [row[0] for row in cursor.fetchall()]
        if tables:
            cursor.execute("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE")


@pytest.fixture
def live_db(request, django_db_setup, django_db_blocker):
    """Real commits, visible to other connections, threads and processes; emptied afterwards."""
    django_db_blocker.unblock()
    _truncate_test_data()
    yield SimpleNamespace(sos=Tenant.objects.get(slug="sos-expat"), ulixai=Tenant.objects.get(slug="ulixai"))
    connection.set_schema_to_public()
    _truncate_test_data()
    django_db_blocker.restore()


@pytest.fixture
def make_user(db):
    """make_user("alice", grants={"ulixai": "viewer"}) or make_user("root", admin=True)."""
    from django.contrib.auth import get_user_model

    from tenants.models import Role, TenantGrant

    def make(username, *, grants=None, admin=False, superuser=False, password="correct-horse-battery"):
        user = get_user_model().objects.create_user(
            username=username, email=f"{username}@example.com", password=password, is_staff=True,
            is_superuser=superuser,
        )
        if admin:
            TenantGrant.objects.create(user=user, tenant=None, role=Role.ADMIN)
        for slug, role in (grants or {}).items():
            TenantGrant.objects.create(user=user, tenant=Tenant.objects.get(slug=slug), role=role)
        return user

    return make


@pytest.fixture
def make_api_key(db):
    """make_api_key(["sos-expat"], ["contacts:write"]) -> the raw key."""
    from tenants.services import api_key_create

    counter = {"n": 0}

    def make(tenant_slugs, scopes, *, name=None):
        counter["n"] += 1
        _, raw = api_key_create(name=name or f"test-key-{counter['n']}", tenant_slugs=tenant_slugs, scopes=scopes)
        return raw

    return make


@pytest.fixture
def api_client():
    """api_client(raw_key) -> a DRF client sending `Authorization: Bearer <key>`."""

    def make(raw_key=None):
        client = APIClient()
        if raw_key:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
        return client

    return make
