"""The admin shows each brand's MailWizz health (red/green with the last error) and can check it now."""
import pytest

from deliverability.models import MailWizzInstance

pytestmark = pytest.mark.django_db


def test_health_is_shown_red_with_its_error_then_green_after_a_check(brands, make_user, client,
                                                                      mailwizz_double_factory):
    double = mailwizz_double_factory(api_version=2)
    instance = MailWizzInstance.objects.create(
        tenant=brands.ulixai, name="Ulixai lists", base_url=double.base_url, api_public_key=double.api_key,
        api_version=2, is_active=True, last_health_ok=False, last_health_error="Connection refused by lists.ulixai.com",
    )
    client.force_login(make_user("uli", grants={"ulixai": "operator"}))
    page = client.get("/admin/deliverability/mailwizzinstance/").content.decode()
    assert 'data-health="down"' in page and "Connection refused by lists.ulixai.com" in page

    client.post("/admin/deliverability/mailwizzinstance/", {"action": "check_health", "_selected_action": [instance.pk]})
    instance.refresh_from_db()
    assert instance.last_health_ok is True and instance.last_health_check is not None
    page = client.get("/admin/deliverability/mailwizzinstance/").content.decode()
    assert 'data-health="up"' in page and "Connection refused" not in page


def test_another_brands_instance_is_not_listed(brands, make_user, client):
    MailWizzInstance.objects.create(tenant=brands.sos, name="SOS lists", base_url="https://sos.example/api")
    client.force_login(make_user("uli", grants={"ulixai": "operator"}))
    assert "SOS lists" not in client.get("/admin/deliverability/mailwizzinstance/").content.decode()
