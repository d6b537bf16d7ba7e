"""Campaign fixtures: a real SMTP sink on loopback as the relay, a brand fleet with quota."""
import pytest
from django.db import connection

from tests.doubles.smtp_sink import SmtpSink


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server on loopback; SMTP_RELAY_URL points at it for the test."""
    with SmtpSink() as sink:
        settings.SMTP_RELAY_URL = sink.url
        yield sink


@pytest.fixture
def sos(brands):
    """SOS-Expat with a fleet (2 active, 1 warmup, 1 standby IP) and 9 default templates; the
    connection is left in its schema."""
    from .factories import make_fleet, make_templates

    fleet = make_fleet(brands.sos)
    connection.set_tenant(brands.sos)
    make_templates()
    brands.sos.fleet = fleet
    return brands.sos
