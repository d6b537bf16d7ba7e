"""The fleet in the admin: at a glance per brand, actions, the per-IP history, and secrets
that never show."""
import datetime

from django.utils import timezone

from deliverability.models import IPDailyStats, IPState, MailWizzInstance, WarmupDecision
from deliverability.services import warmup_step

from .factories import make_ip, shared_dkim_key

TODAY = timezone.now().date()


def login(client, make_user, grants=None):
    client.force_login(make_user("ops", grants=grants or {"sos-expat": "operator"}))


def test_the_fleet_list_shows_the_brands_ips_with_quota_rates_and_dns(brands, make_user, client):
    ip = make_ip(brands.sos, n=3, state=IPState.WARMUP, quota_today=50, sent_today=12)
    IPDailyStats.objects.create(ip=ip, date=TODAY - datetime.timedelta(days=1), sent=200, hard_bounces=3,
                                complaints=1)
    make_ip(brands.ulixai, n=9)
    login(client, make_user)
    page = client.get("/admin/deliverability/ipaddress/").content.decode()
    assert "45.123.10.3" in page and "45.124.20.9" not in page
    assert 'data-state="warmup"' in page
    assert "12 / 50" in page and "1.50%" in page and "0.50%" in page


def test_pausing_from_the_admin_takes_the_ip_out_and_records_it(brands, make_user, client):
    ip = make_ip(brands.sos, n=4, state=IPState.ACTIVE, quota_today=50_000)
    login(client, make_user)
    response = client.post("/admin/deliverability/ipaddress/", {"action": "pause", "_selected_action": [ip.pk]},
                           follow=True)
    assert response.status_code == 200
    ip.refresh_from_db()
    assert (ip.state, ip.weight, ip.quota_today) == ("paused", 0, 0)
    decision = WarmupDecision.objects.get(ip=ip)
    assert decision.decision == "manual" and not decision.automatic and "ops" in decision.reason

    client.post("/admin/deliverability/ipaddress/", {"action": "resume", "_selected_action": [ip.pk]})
    ip.refresh_from_db()
    assert (ip.state, ip.weight, ip.quota_today) == ("active", 100, 50_000)


def test_a_viewer_cannot_run_fleet_actions(brands, make_user, client):
    ip = make_ip(brands.sos, n=5, state=IPState.ACTIVE)
    login(client, make_user, grants={"sos-expat": "viewer"})
    client.post("/admin/deliverability/ipaddress/", {"action": "pause", "_selected_action": [ip.pk]})
    ip.refresh_from_db()
    assert ip.state == "active"


def test_another_brands_ip_page_is_not_reachable(brands, make_user, client):
    other = make_ip(brands.ulixai, n=6)
    login(client, make_user)
    response = client.get(f"/admin/deliverability/ipaddress/{other.pk}/change/")
    assert response.status_code in (302, 404)


def test_the_ip_page_charts_its_warmup_history_and_lists_the_decisions(brands, make_user, client):
    ip = make_ip(brands.sos, n=7, state=IPState.WARMUP, warmup_day=3, quota_today=50,
                 quota_date=TODAY - datetime.timedelta(days=3))
    for offset in (3, 2, 1):
        day = TODAY - datetime.timedelta(days=offset)
        IPDailyStats.objects.create(ip=ip, date=day, sent=50, delivered=50)
        warmup_step(date=day + datetime.timedelta(days=1))
    login(client, make_user)
    page = client.get(f"/admin/deliverability/ipaddress/{ip.pk}/change/").content.decode()
    assert '<svg class="ip-chart"' in page
    assert page.count('data-decision="advance"') == 6  # three dots and three table rows
    assert "3 → 4" in page and "5 → 6" in page


def test_sending_domain_pages_never_show_the_private_key(brands, make_user, client):
    ip = make_ip(brands.sos, n=8)
    private_pem, _public = shared_dkim_key()
    secret_line = private_pem.splitlines()[5]
    login(client, make_user)
    listing = client.get("/admin/deliverability/sendingdomain/").content.decode()
    detail = client.get(f"/admin/deliverability/sendingdomain/{ip.sending_domain.pk}/change/").content.decode()
    assert "mail8.sos-mail.com" in listing and "mail8.sos-mail.com" in detail
    for page in (listing, detail):
        assert "PRIVATE KEY" not in page and secret_line not in page


def test_the_mailwizz_admin_masks_the_private_key_and_keeps_it_when_left_empty(brands, make_user, client):
    instance = MailWizzInstance.objects.create(tenant=brands.sos, name="SOS MailWizz",
                                               base_url="https://lists.example.com/api",
                                               api_public_key="pub-1234567890", api_private_key="priv-abcdefgh9876",
                                               last_health_ok=False, last_health_error="HTTP 503")
    login(client, make_user)
    listing = client.get("/admin/deliverability/mailwizzinstance/").content.decode()
    assert "priv-abcdefgh9876" not in listing and "••••9876" in listing
    assert 'data-health="down"' in listing
    url = f"/admin/deliverability/mailwizzinstance/{instance.pk}/change/"
    assert "priv-abcdefgh9876" not in client.get(url).content.decode()
    response = client.post(url, {"name": "SOS MailWizz", "base_url": "https://lists.example.com/api",
                                 "api_version": 2, "api_public_key": "pub-1234567890", "api_private_key": "",
                                 "default_list_id": "ab12", "is_active": "on"})
    assert response.status_code == 302
    instance.refresh_from_db()
    assert instance.api_private_key == "priv-abcdefgh9876" and instance.default_list_id == "ab12"


def test_the_fleet_api_lists_the_brands_ips_for_a_campaigns_reader(brands, make_api_key, api_client):
    """GET /api/v2/deliverability/{tenant}/ips with campaigns:read; another brand's key gets 403/404."""
    ip = make_ip(brands.sos, n=12, state=IPState.WARMUP, quota_today=50, sent_today=5)
    IPDailyStats.objects.create(ip=ip, date=TODAY - datetime.timedelta(days=1), sent=40, hard_bounces=1)
    make_ip(brands.ulixai, n=12)
    client = api_client(make_api_key(["sos-expat"], ["campaigns:read"]))
    body = client.get("/api/v2/deliverability/sos-expat/ips").json()
    assert body == [{"address": "45.123.10.12", "vmta": "vmta-sos-expat-12", "domain": "mail12.sos-mail.com",
                     "state": "warmup", "weight": 50, "warmup_day": 1, "quota_today": 50, "sent_today": 5,
                     "sent_yesterday": 40, "bounce_rate_yesterday": "2.50", "complaint_rate_yesterday": "0.00",
                     "dns_ok": None}]
    assert client.get("/api/v2/deliverability/ulixai/ips").status_code in (403, 404)
    writer_only = api_client(make_api_key(["sos-expat"], ["contacts:write"]))
    assert writer_only.get("/api/v2/deliverability/sos-expat/ips").status_code == 403
