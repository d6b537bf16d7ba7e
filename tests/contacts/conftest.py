"""Contacts fixtures: the seed's tags and data sources in both brands, and running code in a brand."""
from contextlib import contextmanager

import pytest
from django.db import connection

from contacts.seed import seed_tags_and_sources


def _no_progress(iterable=None, **kwargs):
    return iterable


@pytest.fixture
def seeded(brands):
    """Both brands with the seed's data sources (ids 1-4) and SOS-Expat's 16 base tags."""
    seed_tags_and_sources(progress=_no_progress)
    connection.set_schema_to_public()
    return brands


@contextmanager
def in_brand(tenant):
    connection.set_tenant(tenant)
    try:
        yield
    finally:
        connection.set_schema_to_public()


@pytest.fixture
def loopback_dns(settings):
    """A real DNS server on loopback that validation uses (DNS_NAMESERVER); empty zone unless served."""
    from contacts.services.validation import domain_cache_clear
    from tests.doubles.dns_server import LoopbackDnsServer

    domain_cache_clear()
    with LoopbackDnsServer({}) as server:
        settings.DNS_NAMESERVER = f"{server.host}:{server.port}"
        yield server
    domain_cache_clear()


@pytest.fixture
def writer(seeded, make_api_key, api_client):
    """An API client whose key may read and write SOS-Expat's contacts."""
    return api_client(make_api_key(["sos-expat"], ["contacts:write", "contacts:read"]))
