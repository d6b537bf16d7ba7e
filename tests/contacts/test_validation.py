"""Deliverability validation against a real DNS server on loopback."""
import pytest

from contacts.models import Contact
from contacts.services.ingest import contact_ingest
from contacts.services.validation import domain_cache_clear
from contacts.tasks import contacts_validate

from .conftest import in_brand

pytestmark = pytest.mark.django_db

ZONE = {
    "good.example": {"MX": [(10, "mx1.good.example."), (20, "mx2.good.example.")]},
    "nullmx.example": {"MX": [(0, ".")]},
    "nomx.example": {"A": ["192.0.2.1"]},
    "mailinator.com": {"MX": [(10, "mx.mailinator.com.")]},
}


@pytest.fixture
def dns_server(loopback_dns):
    loopback_dns.serve(ZONE)
    return loopback_dns


def test_it_scores_mx_role_disposable_and_null_mx(seeded, dns_server):
    emails = ["ana@good.example", "bo@good.example", "info@good.example", "x@nullmx.example", "y@nomx.example",
              "z@missing.example", "temp@mailinator.com", "contact@mailinator.com"]
    with in_brand(seeded.sos):
        contact_ingest(items=[{"email": e, "data_source_id": 4} for e in emails])
    contacts_validate(seeded.sos.pk)
    with in_brand(seeded.sos):
        verdicts = {c.email: (c.validation_status, c.validation_score, c.status) for c in Contact.objects.all()}
    assert verdicts == {
        "ana@good.example": ("valid", 100, "active"),
        "bo@good.example": ("valid", 100, "active"),
        "info@good.example": ("risky", 70, "active"),
        "x@nullmx.example": ("invalid", 0, "invalid"),
        "y@nomx.example": ("invalid", 0, "invalid"),
        "z@missing.example": ("invalid", 0, "invalid"),
        "temp@mailinator.com": ("risky", 20, "active"),
        "contact@mailinator.com": ("risky", 10, "active"),
    }


def test_one_lookup_per_domain(seeded, dns_server):
    with in_brand(seeded.sos):
        contact_ingest(items=[{"email": f"user{i}@good.example", "data_source_id": 4} for i in range(300)])
    contacts_validate(seeded.sos.pk)
    mx_queries = [q for q in dns_server.queries if q[2] == "MX"]
    assert mx_queries == [("udp", "good.example", "MX")]
    with in_brand(seeded.sos):
        assert Contact.objects.filter(validation_status="valid").count() == 300


def test_validation_runs_after_the_ingest_commits(seeded, dns_server, django_capture_on_commit_callbacks):
    with in_brand(seeded.sos):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            contact_ingest(items=[{"email": "ana@good.example", "data_source_id": 4}])
            assert Contact.objects.get().validation_status == "pending", "the ingest itself does no DNS"
        assert len(callbacks) == 1
        assert Contact.objects.get().validation_status == "valid"


def test_a_silent_nameserver_marks_risky_without_failing(seeded, settings):
    from tests.doubles.dns_server import SilentDnsServer

    domain_cache_clear()
    with SilentDnsServer() as silent:
        settings.DNS_NAMESERVER = f"{silent.host}:{silent.port}"
        with in_brand(seeded.sos):
            contact_ingest(items=[{"email": "a@slow.example", "data_source_id": 4}])
        contacts_validate(seeded.sos.pk)
    domain_cache_clear()
    with in_brand(seeded.sos):
        assert (Contact.objects.get().validation_status, Contact.objects.get().validation_score) == ("risky", 40)
