"""The seed's IP fleet: 50 IPs per brand with their sending domains and DKIM keys, a warmup
plan per brand and a MailWizz instance per brand (keys to be filled in by the operator)."""
from collections import Counter

from django.utils import timezone

from tenants.models import Tenant

from .models import DEFAULT_WEIGHTS, IPAddress, IPState, MailWizzInstance, SendingDomain
from .services.dkim import sending_domain_dkim_generate
from .services.fleet import _plans_for, ip_quota_for, warmup_plan_create

# brand slug -> the /24 its 50 IPs live in
FLEET_NETWORKS = {"sos-expat": "45.123.10", "ulixai": "45.124.20"}
IPS_PER_BRAND = 50
DKIM_BITS = 2048


def seed_ip_state(n):
    """IPs 1-40 active, 41-47 warming up (day 1), 48-50 standby."""
    if n <= 40:
        return IPState.ACTIVE
    if n <= 47:
        return IPState.WARMUP
    return IPState.STANDBY


def seed_fleet(*, progress):
    created = Counter(dict.fromkeys(["warmup plans", "sending domains", "IPs", "MailWizz instances"], 0))
    today = timezone.now().date()
    brands = list(Tenant.objects.filter(slug__in=FLEET_NETWORKS).order_by("pk"))
    for tenant in brands:
        _, plan_created = warmup_plan_create(tenant=tenant)
        created["warmup plans"] += plan_created
        plans = _plans_for([tenant.id])
        network = FLEET_NETWORKS[tenant.slug]
        for n in progress(range(1, IPS_PER_BRAND + 1), desc=f"{tenant.slug} IPs", unit="IP"):
            domain, domain_created = SendingDomain.objects.get_or_create(
                name=f"mail{n}.{tenant.sending_domain_base}", defaults={"tenant": tenant}
            )
            created["sending domains"] += domain_created
            state = seed_ip_state(n)
            ip = IPAddress(
                tenant=tenant, address=f"{network}.{n}", sending_domain=domain, vmta_name=f"vmta-{tenant.slug}-{n}",
                state=state, weight=DEFAULT_WEIGHTS[state], warmup_day=1 if state == IPState.WARMUP else 0,
                warmup_started_on=today if state == IPState.WARMUP else None, quota_date=today,
                state_changed_at=timezone.now(), state_reason="seed",
            )
            ip.quota_today = ip_quota_for(ip, plans=plans)
            if not IPAddress.objects.filter(address=ip.address).exists():
                ip.save()
                created["IPs"] += 1
        _, instance_created = MailWizzInstance.objects.get_or_create(
            tenant=tenant, name=f"{tenant.name} MailWizz",
            defaults={"api_version": MailWizzInstance.ApiVersion.V2, "is_active": False},
        )
        created["MailWizz instances"] += instance_created
    created["DKIM keys"] = sending_domain_dkim_generate(
        domains=SendingDomain.objects.filter(tenant__in=brands), bits=DKIM_BITS, progress=progress
    )
    return dict(created)
