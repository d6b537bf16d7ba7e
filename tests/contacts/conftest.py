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
def writer(seeded, make_api_key, api_client):
    """An API client whose key may read and write SOS-Expat's contacts."""
    return api_client(make_api_key(["sos-expat"], ["contacts:write", "contacts:read"]))
