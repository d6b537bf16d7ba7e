"""Quota reservation: weighted choice, batches, release, midnight rollover, and no IP ever
past its quota under concurrent threads and processes on the real database."""
import datetime
import multiprocessing
import threading
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from deliverability.models import IPAddress, IPState
from deliverability.services import NoQuota, quota_available, quota_release, quota_reserve
from tests.subprocesses import test_database_url_for_subprocess

from .factories import make_ip
from .quota_worker import reserve_until_empty

TODAY = timezone.now().date()


def test_a_reservation_names_the_ip_its_vmta_and_domain_and_counts_the_sends(brands):
    ip = make_ip(brands.sos, n=7, state=IPState.ACTIVE, quota_today=100)
    reservation = quota_reserve(tenant_id=brands.sos.id, count=30)
    assert (reservation.ip_id, reservation.address, reservation.vmta, reservation.domain, reservation.count,
            reservation.date) == (ip.id, "45.123.10.7", "vmta-sos-expat-7", "mail7.sos-mail.com", 30, TODAY)
    ip.refresh_from_db()
    assert ip.sent_today == 30


def test_a_batch_gets_what_is_left_and_then_the_brand_has_no_quota_until_midnight(brands):
    """Partial by default: 80 asked, 50 left -> 50; then NoQuota with retry_at = next 00:00 UTC."""
    make_ip(brands.sos, state=IPState.WARMUP, quota_today=50)
    assert quota_reserve(tenant_id=brands.sos.id, count=80).count == 50
    with pytest.raises(NoQuota) as raised:
        quota_reserve(tenant_id=brands.sos.id)
    midnight = datetime.datetime.combine(TODAY + datetime.timedelta(days=1), datetime.time.min,
                                         tzinfo=datetime.timezone.utc)
    assert raised.value.retry_at == midnight


def test_an_all_or_nothing_batch_only_takes_an_ip_with_room_for_all_of_it(brands):
    small = make_ip(brands.sos, state=IPState.ACTIVE, quota_today=10)
    big = make_ip(brands.sos, state=IPState.ACTIVE, quota_today=100, sent_today=60)
    for _ in range(5):
        assert quota_reserve(tenant_id=brands.sos.id, count=8, partial=False).ip_id in (small.id, big.id)
    with pytest.raises(NoQuota):
        quota_reserve(tenant_id=brands.sos.id, count=50, partial=False)
    assert quota_reserve(tenant_id=brands.sos.id, count=50).count < 50


def test_standby_paused_retired_other_brand_and_weight_zero_ips_are_never_chosen(brands):
    for state in (IPState.STANDBY, IPState.PAUSED, IPState.RETIRED):
        make_ip(brands.sos, state=state, quota_today=1000, weight=100)
    make_ip(brands.sos, state=IPState.ACTIVE, quota_today=1000, weight=0)
    make_ip(brands.ulixai, state=IPState.ACTIVE, quota_today=1000)
    with pytest.raises(NoQuota):
        quota_reserve(tenant_id=brands.sos.id)
    assert quota_available(tenant_id=brands.sos.id) == 0


def test_ips_are_chosen_in_proportion_to_their_weight(brands):
    heavy = make_ip(brands.sos, state=IPState.ACTIVE, quota_today=10_000)
    light = make_ip(brands.sos, state=IPState.WARMUP, quota_today=10_000)
    picks = Counter(quota_reserve(tenant_id=brands.sos.id).ip_id for _ in range(1500))
    assert 1.6 < picks[heavy.id] / picks[light.id] < 2.5  # weights 100 and 50


def test_releasing_unsent_reservations_gives_the_quota_back_the_same_day_only(brands):
    ip = make_ip(brands.sos, state=IPState.ACTIVE, quota_today=10)
    reservation = quota_reserve(tenant_id=brands.sos.id, count=10)
    assert quota_release(ip_id=ip.id, count=4, date=reservation.date)
    assert quota_available(tenant_id=brands.sos.id) == 4
    assert not quota_release(ip_id=ip.id, count=4, date=reservation.date - datetime.timedelta(days=1))
    ip.refresh_from_db()
    assert ip.sent_today == 6


def test_the_first_reservation_of_a_new_day_restarts_the_counters_from_the_plan(brands):
    """Yesterday's exhausted warmup IP (day 8: 200/day) serves again today without the step having run."""
    ip = make_ip(brands.sos, state=IPState.WARMUP, warmup_day=8, quota_today=200, sent_today=200,
                 quota_date=TODAY - datetime.timedelta(days=1))
    assert quota_reserve(tenant_id=brands.sos.id, count=5).count == 5
    ip.refresh_from_db()
    assert (ip.quota_date, ip.quota_today, ip.sent_today) == (TODAY, 200, 5)


def _concurrent_fleet(tenant):
    quotas = {1: 37, 2: 101, 3: 250, 4: 13, 5: 499}
    ips = [make_ip(tenant, n=n, state=IPState.ACTIVE if n % 2 else IPState.WARMUP, quota_today=q)
           for n, q in quotas.items()]
    make_ip(tenant, n=6, state=IPState.PAUSED, quota_today=500, weight=100)
    return {ip.id: ip.quota_today for ip in ips}


def _check_no_ip_exceeded(tenant, quotas, reservations):
    per_ip = Counter()
    for ip_id, count in reservations:
        per_ip[ip_id] += count
    assert dict(per_ip) == quotas  # every send reserved exactly once, all capacity used
    stored = dict(IPAddress.objects.filter(tenant=tenant).values_list("id", "sent_today"))
    for ip_id, quota in quotas.items():
        assert stored[ip_id] == quota
    assert sum(count for _, count in reservations) == sum(quotas.values())
    assert quota_available(tenant_id=tenant.id) == 0


def test_concurrent_threads_never_push_an_ip_past_its_quota(live_db):
    """12 threads asking for batches of 1, 7 and 25 until none is left: the reservations add
    up to exactly the fleet's capacity and each IP's count to exactly its quota."""
    quotas = _concurrent_fleet(live_db.sos)
    reservations, errors = [], []
    lock = threading.Lock()

    def worker(batch):
        try:
            mine = []
            while True:
                try:
                    reservation = quota_reserve(tenant_id=live_db.sos.id, count=batch)
                except NoQuota:
                    break
                assert reservation.count >= 1
                mine.append((reservation.ip_id, reservation.count))
            with lock:
                reservations.extend(mine)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=((1, 7, 25)[i % 3],)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    _check_no_ip_exceeded(live_db.sos, quotas, reservations)


@pytest.mark.slow
def test_concurrent_processes_never_push_an_ip_past_its_quota(live_db):
    """Four worker processes (own interpreters, own connections) race for the same quota."""
    quotas = _concurrent_fleet(live_db.sos)
    database_url = test_database_url_for_subprocess()
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        results = pool.starmap(reserve_until_empty,
                               [(database_url, live_db.sos.id, batch, TODAY) for batch in (1, 3, 10, 40)])
    reservations = [item for result in results for item in result]
    _check_no_ip_exceeded(live_db.sos, quotas, reservations)
