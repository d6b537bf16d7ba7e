"""The seed's fleet: exact addresses, domains, VMTAs, states, weights, keys; idempotent."""
import ipaddress

from django.db import connection

from deliverability.dkim import dkim_public_from_private
from deliverability.models import IPAddress, MailWizzInstance, SendingDomain, WarmupPlan
from deliverability.seed import seed_fleet


def no_progress(iterable, **kwargs):
    return iterable


def test_seed_fleet_creates_exactly_the_seed_fleet_and_changes_nothing_the_second_time(brands):
    """100 IPs in 45.123.10.1-50 (SOS-Expat) and 45.124.20.1-50 (Ulixai), each with mailN.<base>
    and vmta-<slug>-N; 1-40 active/100, 41-47 warmup/50 day 1, 48-50 standby/0; a 2048-bit DKIM
    key per domain; a plan per brand; 2 MailWizz instances without keys. Twice = same."""
    first = seed_fleet(progress=no_progress)
    assert first == {"warmup plans": 2, "sending domains": 100, "IPs": 100, "MailWizz instances": 2,
                     "DKIM keys": 100}

    for tenant, network, base in ((brands.sos, "45.123.10", "sos-mail.com"),
                                  (brands.ulixai, "45.124.20", "ulixai-mail.com")):
        ips = sorted(IPAddress.objects.filter(tenant=tenant).select_related("sending_domain"),
                     key=lambda ip: ipaddress.ip_address(ip.address))
        assert [ip.address for ip in ips] == [f"{network}.{n}" for n in range(1, 51)]
        assert [ip.sending_domain.name for ip in ips] == [f"mail{n}.{base}" for n in range(1, 51)]
        assert [ip.vmta_name for ip in ips] == [f"vmta-{tenant.slug}-{n}" for n in range(1, 51)]
        assert [ip.state for ip in ips] == ["active"] * 40 + ["warmup"] * 7 + ["standby"] * 3
        assert [ip.weight for ip in ips] == [100] * 40 + [50] * 7 + [0] * 3
        assert [ip.warmup_day for ip in ips] == [0] * 40 + [1] * 7 + [0] * 3
        assert [ip.quota_today for ip in ips] == [50_000] * 40 + [50] * 7 + [0] * 3
        assert all(ip.sending_domain.tenant_id == tenant.id for ip in ips)
        plan = WarmupPlan.objects.get(tenant=tenant)
        assert plan.active_daily_cap == 50_000
        assert [(w.week, w.daily_quota, str(w.max_bounce_rate)) for w in plan.weeks.all()] == [
            (1, 50, "2.00"), (2, 200, "2.00"), (3, 500, "1.50"), (4, 1500, "1.50"), (5, 5000, "1.00"),
            (6, 10000, "1.00")]

    domains = list(SendingDomain.objects.all())
    assert len(domains) == 100
    for domain in domains[:3]:
        assert domain.dkim_selector == "default" and domain.dkim_bits == 2048
        assert dkim_public_from_private(domain.dkim_private_key) == domain.dkim_public_key
    assert len({d.dkim_public_key for d in domains}) == 100

    instances = list(MailWizzInstance.objects.order_by("tenant_id"))
    assert [(i.tenant_id, i.api_public_key, i.api_private_key) for i in instances] == [(1, "", ""), (2, "", "")]

    with connection.cursor() as cursor:
        cursor.execute("SELECT md5(string_agg(dkim_private_key, ',' ORDER BY id)) FROM deliverability_sendingdomain")
        keys_before = cursor.fetchone()[0]
    second = seed_fleet(progress=no_progress)
    assert second == {"warmup plans": 0, "sending domains": 0, "IPs": 0, "MailWizz instances": 0, "DKIM keys": 0}
    assert IPAddress.objects.count() == 100 and SendingDomain.objects.count() == 100
    with connection.cursor() as cursor:
        cursor.execute("SELECT md5(string_agg(dkim_private_key, ',' ORDER BY id)) FROM deliverability_sendingdomain")
        assert cursor.fetchone()[0] == keys_before


def test_the_seed_command_runs_the_fleet_step(brands):
    """`seed_enterprise_data` lists the fleet step, so a fresh install gets the 100 IPs."""
    from fixtures.seed import SEED_STEPS

    assert "deliverability.seed.seed_fleet" in SEED_STEPS
