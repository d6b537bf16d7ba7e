"""Every API endpoint is in the OpenAPI schema, which generates without a warning."""
import pytest
import yaml
from django.core.management import call_command


@pytest.mark.django_db
def test_the_schema_documents_every_endpoint_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--file", str(target))
    paths = yaml.safe_load(target.read_text())["paths"]
    for path in (
        "/api/v2/contacts/ingest", "/api/v2/segments/{tenant}/count", "/api/v2/templates/{tenant}/render",
        "/api/v2/campaigns/{tenant}/{campaign_id}/launch", "/api/v2/events/pmta",
        "/api/v2/events/mailwizz/{tenant}", "/api/v2/deliverability/{tenant}/ips", "/api/v2/brands",
    ):
        assert path in paths, path
