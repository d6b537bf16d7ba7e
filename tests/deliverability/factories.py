"""Small fleets for deliverability tests (the seed's full fleet is tested in test_seed.py)."""
import functools
import itertools

from django.utils import timezone

from deliverability.dkim import dkim_generate_key
from deliverability.models import DEFAULT_WEIGHTS, IPAddress, IPState, SendingDomain
from deliverability.services import warmup_plan_create

_numbers = itertools.count(1)


@functools.lru_cache(maxsize=1)
def shared_dkim_key():
    """One real 2048-bit key reused by every test domain (generating one per domain is slow)."""
    return dkim_generate_key(2048)


def make_ip(tenant, *, n=None, state=IPState.ACTIVE, warmup_day=None, quota_today=0, sent_today=0,
            quota_date=None, weight=None, network=None, with_key=True):
    """An IP `<network>.<n>` of `tenant` with its sending domain `mail<n>.<sending base>`."""
    n = n or next(_numbers)
    network = network or ("45.123.10" if tenant.slug == "sos-expat" else "45.124.20")
    warmup_plan_create(tenant=tenant)
    private_pem, public_b64 = shared_dkim_key() if with_key else ("", "")
    domain = SendingDomain.objects.create(
        tenant=tenant, name=f"mail{n}.{tenant.sending_domain_base}",
        dkim_private_key=private_pem, dkim_public_key=public_b64, dkim_bits=2048 if with_key else None,
    )
    if warmup_day is None:
        warmup_day = 1 if state == IPState.WARMUP else 0
    return IPAddress.objects.create(
        tenant=tenant, address=f"{network}.{n}", sending_domain=domain, vmta_name=f"vmta-{tenant.slug}-{n}",
        state=state, weight=DEFAULT_WEIGHTS[state] if weight is None else weight, warmup_day=warmup_day,
        quota_today=quota_today, sent_today=sent_today, quota_date=quota_date or timezone.now().date(),
    )
