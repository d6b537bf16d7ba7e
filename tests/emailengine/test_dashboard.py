"""The admin home is the current brand's dashboard, built only from that brand's data."""
import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from deliverability.models import IPAddress, SendingDomain

pytestmark = pytest.mark.django_db


def _ip(tenant, n, state, quota, sent):
    domain = SendingDomain.objects.create(tenant=tenant, name=f"mail{n}.{tenant.sending_domain_base}")
    return IPAddress.objects.create(
        tenant=tenant, address=f"10.{tenant.pk}.0.{n}", sending_domain=domain, vmta_name=f"vmta-{tenant.slug}-{n}",
        state=state, quota_today=quota, sent_today=sent, quota_date=timezone.now().date(),
    )


def test_it_shows_the_brands_capacity_contacts_and_campaigns(brands, make_user, client):
    from campaigns.models import Campaign
    from contacts.models import Contact

    _ip(brands.ulixai, 1, "active", 1000, 250)
    _ip(brands.ulixai, 2, "warmup", 50, 50)
    _ip(brands.sos, 1, "active", 99999, 12345)
    with tenant_context(brands.ulixai):
        Contact.objects.create(email="a@example.com")
        Contact.objects.create(email="b@example.com", status="unsubscribed")
        Campaign.objects.create(name="Relaunch Q4", status="sending", total_recipients=10, sent_count=4)
    client.force_login(make_user("uli", grants={"ulixai": "viewer"}))
    page = client.get("/admin/").content.decode()
    assert 'id="dashboard" data-brand="ulixai"' in page
    assert 'data-used="300" data-quota="1050">300 / 1,050</div>' in page
    assert "(2 in Ulixai)" in page and "Relaunch Q4" in page and "4 / 10 (40%)" in page
    assert "12345" not in page and "99999" not in page


def test_a_user_with_one_brand_cannot_open_the_other_brands_ip_by_url(brands, make_user, client):
    other = _ip(brands.sos, 7, "active", 100, 0)
    client.force_login(make_user("uli", grants={"ulixai": "operator"}))
    response = client.get(f"/admin/deliverability/ipaddress/{other.pk}/change/")
    assert response.status_code in (302, 404)
    assert other.address not in client.get(response.url if response.status_code == 302 else "/admin/").content.decode()
    listing = client.get("/admin/deliverability/ipaddress/").content.decode()
    assert other.address not in listing


def test_the_fleet_grid_shows_each_ip_of_the_brand_coloured_by_state(brands, make_user, client):
    from deliverability.models import IPDailyStats

    paused = _ip(brands.ulixai, 3, "paused", 0, 0)
    warm = _ip(brands.ulixai, 4, "warmup", 200, 120)
    IPDailyStats.objects.create(ip=warm, date=timezone.now().date() - timezone.timedelta(days=1), sent=200,
                                hard_bounces=3, complaints=1)
    _ip(brands.sos, 9, "active", 10, 0)
    client.force_login(make_user("uli", grants={"ulixai": "viewer"}))
    page = client.get("/admin/deliverability/ipaddress/fleet/").content.decode()
    assert page.count('class="fleet-tile"') == 2
    assert 'data-state="paused" style="background: #c62828"' in page and paused.address in page
    assert "today 120 / 200" in page and "bounces 1.50%" in page and "complaints 0.50%" in page
    assert "10.1.0.9" not in page


def test_the_ip_page_charts_rates_against_the_threshold(brands, make_user, client):
    from deliverability.models import IPDailyStats

    ip = _ip(brands.ulixai, 5, "warmup", 50, 0)
    IPDailyStats.objects.create(ip=ip, date=timezone.now().date() - timezone.timedelta(days=1), sent=50, hard_bounces=1)
    client.force_login(make_user("uli", grants={"ulixai": "viewer"}))
    page = client.get(f"/admin/deliverability/ipaddress/{ip.pk}/change/").content.decode()
    assert 'id="rates-chart"' in page and "hard bounces %: 2</text>" in page and "complaint limit %: 0.1</text>" in page
