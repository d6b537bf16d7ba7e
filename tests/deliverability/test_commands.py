"""The fleet's management commands, run as an operator runs them, against the real database
(and a real DNS server on loopback for check_dns)."""
import datetime
import io
import json
import os
import stat

import pytest
from django.core.management import CommandError, call_command

from deliverability.dkim import dkim_public_from_private
from deliverability.dns_records import dns_records_build
from deliverability.models import IPAddress, IPDailyStats, IPState, SendingDomain, WarmupDecision
from deliverability.selectors import sending_host_for
from tests.doubles.dns_server import LoopbackDnsServer

from .factories import make_ip


def run(*args, **options):
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_check_dns_reports_ok_missing_and_wrong_records_and_stores_them(brands):
    """Three domains served by a loopback nameserver: one published right, one not published,
    one with a foreign SPF and someone else's DKIM key. The table says so and each domain keeps
    its per-record status."""
    good, missing, wrong = (make_ip(brands.sos, n=n) for n in (1, 2, 3))
    good_host = sending_host_for(good.sending_domain)
    wrong_host = sending_host_for(wrong.sending_domain)
    zone = {}
    for record in dns_records_build([good_host, wrong_host]):
        value = tuple(record.strings) if record.type == "TXT" else record.value
        zone.setdefault(record.name, {}).setdefault(record.type, []).append(value)
    zone["mail3.sos-mail.com"]["TXT"] = ["v=spf1 ip4:198.51.100.7 -all"]
    zone["default._domainkey.mail3.sos-mail.com"]["TXT"] = ["v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOC"]
    with LoopbackDnsServer(zone) as server:
        with pytest.raises(SystemExit) as exited:
            out = io.StringIO()
            call_command("check_dns", "--tenant", "sos-expat", "--nameserver", f"{server.host}:{server.port}",
                         stdout=out)
    assert exited.value.code == 1
    table = out.getvalue()
    rows = [line.split() for line in table.splitlines() if line.startswith("mail")]
    lines = {row[0]: row[2:] for row in rows if row[1].startswith("45.123.10.")}
    assert lines["mail1.sos-mail.com"] == ["OK"] * 6
    assert lines["mail2.sos-mail.com"] == ["missing"] * 6
    assert lines["mail3.sos-mail.com"] == ["OK", "OK", "OK", "wrong", "wrong", "OK"]
    assert "found:    v=spf1 ip4:198.51.100.7 -all" in table
    assert "1/3 domains OK" in table

    stored = {d.name: d for d in SendingDomain.objects.all()}
    assert stored["mail1.sos-mail.com"].dns_ok is True
    assert stored["mail2.sos-mail.com"].dns_ok is False
    assert stored["mail2.sos-mail.com"].dns_status["a"]["status"] == "missing"
    assert stored["mail3.sos-mail.com"].dns_status["spf"] == {
        "status": "wrong", "found": "v=spf1 ip4:198.51.100.7 -all", "expected": "v=spf1 ip4:45.123.10.3 -all",
        "message": "SPF does not include ip4:45.123.10.3"}
    assert stored["mail3.sos-mail.com"].dns_checked_at is not None


def test_check_dns_with_one_domain_checks_only_that_domain(brands):
    make_ip(brands.sos, n=1)
    make_ip(brands.sos, n=2)
    with LoopbackDnsServer() as server:
        with pytest.raises(SystemExit):
            call_command("check_dns", "--domain", "mail2.sos-mail.com",
                         "--nameserver", f"{server.host}:{server.port}", stdout=io.StringIO())
    assert list(SendingDomain.objects.filter(dns_checked_at__isnull=False).values_list("name", flat=True)) == [
        "mail2.sos-mail.com"]


def test_generate_dns_records_writes_bind_zones_per_sending_base_and_reverse_24(brands, tmp_path):
    make_ip(brands.sos, n=1)
    make_ip(brands.ulixai, n=1)
    run("generate_dns_records", "--output", str(tmp_path), "--serial", "2025010101")
    assert sorted(os.listdir(tmp_path)) == ["10.123.45.in-addr.arpa.zone", "20.124.45.in-addr.arpa.zone",
                                            "sos-mail.com.zone", "ulixai-mail.com.zone"]
    forward = (tmp_path / "sos-mail.com.zone").read_text()
    assert "mail1\t3600\tIN\tA\t45.123.10.1" in forward
    assert '_dmarc.mail1\t3600\tIN\tTXT\t"v=DMARC1; p=quarantine; rua=mailto:dmarc@sos-expat.com"' in forward
    assert "1\t3600\tIN\tPTR\tmail1.sos-mail.com." in (tmp_path / "10.123.45.in-addr.arpa.zone").read_text()
    records = json.loads(run("generate_dns_records", "--tenant", "ulixai", "--format", "json"))
    assert {r["name"] for r in records} == {"mail1.ulixai-mail.com", "default._domainkey.mail1.ulixai-mail.com",
                                            "_dmarc.mail1.ulixai-mail.com", "1.20.124.45.in-addr.arpa"}


def test_generate_dns_records_refuses_domains_without_a_dkim_key(brands):
    make_ip(brands.sos, n=1, with_key=False)
    with pytest.raises(CommandError, match="generate_dkim_keys"):
        run("generate_dns_records")


def test_generate_dkim_keys_fills_missing_keys_rotates_on_demand_and_exports_pems(brands, tmp_path):
    keyless = make_ip(brands.sos, n=1, with_key=False).sending_domain
    keyed = make_ip(brands.ulixai, n=1).sending_domain
    old_public = keyed.dkim_public_key
    assert "1 DKIM key(s) generated (1024 bits)" in run("generate_dkim_keys", "--bits", "1024")
    keyless.refresh_from_db()
    assert keyless.dkim_bits == 1024 and dkim_public_from_private(keyless.dkim_private_key) == keyless.dkim_public_key

    run("generate_dkim_keys", "--tenant", "ulixai", "--rotate", "--export-dir", str(tmp_path))
    keyed.refresh_from_db()
    keyless.refresh_from_db()
    assert keyed.dkim_public_key != old_public and keyless.dkim_bits == 1024
    pem = tmp_path / "mail1.ulixai-mail.com.pem"
    assert pem.read_text() == keyed.dkim_private_key
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    assert not (tmp_path / "mail1.sos-mail.com.pem").exists()
    with pytest.raises(CommandError):
        run("generate_dkim_keys", "--bits", "512")


def test_the_pmta_config_of_the_seeded_fleet(brands, tmp_path):
    """From the seed: 100 VMTAs with `smtp-source-host IP HOSTNAME`, pools of 47 active+warmup
    VMTAs per brand without the standby ones, warmup quota as max-msg-rate; same bytes twice."""
    from deliverability.seed import seed_fleet

    seed_fleet(progress=lambda iterable, **kwargs: iterable)
    config = run("generate_pmta_config", "--dkim-dir", "/etc/pmta/dkim")
    assert config.count("<virtual-mta vmta-") == 100
    assert "<virtual-mta vmta-sos-expat-1>\n    smtp-source-host 45.123.10.1 mail1.sos-mail.com\n" \
           "    domain-key default,mail1.sos-mail.com,/etc/pmta/dkim/mail1.sos-mail.com.pem" in config
    assert "smtp-source-host 45.124.20.50 mail50.ulixai-mail.com" in config
    for slug in ("sos-expat", "ulixai"):
        pool = config.split(f"<virtual-mta-pool pool-{slug}>\n")[1].split("</virtual-mta-pool>")[0]
        members = [line.split()[1] for line in pool.strip().splitlines()]
        assert members == [f"vmta-{slug}-{n}" for n in range(1, 48)]
    warmup_block = config.split("<virtual-mta vmta-sos-expat-41>")[1].split("</virtual-mta>")[0]
    assert "max-msg-rate 50/d" in warmup_block
    assert run("generate_pmta_config", "--dkim-dir", "/etc/pmta/dkim") == config

    target = tmp_path / "pmta" / "config"
    assert "written" in run("generate_pmta_config", "--output", str(target))
    assert "unchanged" in run("generate_pmta_config", "--output", str(target))
    assert target.read_text() == config


ACCOUNTING = (
    "type,timeLogged,orig,rcpt,dsnStatus,bounceCat,vmta,jobId,dlvSourceIp\n"
    "d,2025-03-09 10:00:00+0000,outreach@mail1.sos-mail.com,a@example.com,2.0.0 (success),,vmta-sos-expat-1,7,\n"
    "d,2025-03-09 10:00:01+0000,outreach@mail1.sos-mail.com,b@example.com,2.0.0 (success),,vmta-sos-expat-1,7,\n"
    "b,2025-03-09 10:00:02+0000,outreach@mail1.sos-mail.com,c@example.com,5.1.1,bad-mailbox,vmta-sos-expat-1,7,\n"
    "b,2025-03-09 10:00:03+0000,outreach@mail1.sos-mail.com,d@example.com,5.7.1,spam-related,,7,45.123.10.1\n"
    "t,2025-03-09 10:00:04+0000,outreach@mail1.sos-mail.com,e@example.com,4.2.2,quota-issues,vmta-sos-expat-1,7,\n"
    "f,2025-03-09 23:59:59+0000,outreach@mail1.sos-mail.com,f@example.com,,,vmta-sos-expat-1,7,\n"
    "d,2025-03-10 00:00:01+0000,outreach@mail1.sos-mail.com,g@example.com,2.0.0,,vmta-sos-expat-1,7,\n"
    "d,2025-03-10 00:00:02+0000,outreach@x,h@example.com,2.0.0,,vmta-unknown-9,7,\n"
)


def test_importing_the_same_accounting_file_twice_counts_each_record_once(brands, tmp_path):
    """Records count on the IP of their VMTA (or source IP) and UTC day; a second import, or the
    same records in another column order, adds nothing."""
    ip = make_ip(brands.sos, n=1)
    first = tmp_path / "acct-1.csv"
    first.write_text(ACCOUNTING)
    out = run("import_pmta_accounting", str(first))
    assert "8 records, 8 new, 0 already imported, 1 for unknown VMTAs" in out
    day = IPDailyStats.objects.get(ip=ip, date=datetime.date(2025, 3, 9))
    assert (day.delivered, day.hard_bounces, day.block_bounces, day.deferrals, day.complaints, day.sent) == (
        2, 1, 1, 1, 1, 0)
    assert IPDailyStats.objects.get(ip=ip, date=datetime.date(2025, 3, 10)).delivered == 1

    assert "8 records, 0 new, 8 already imported" in run("import_pmta_accounting", str(first))
    header, *rows = ACCOUNTING.splitlines()
    columns = header.split(",")
    reordered = tmp_path / "acct-2.csv"
    order = list(reversed(range(len(columns))))
    reordered.write_text("\n".join(",".join(line.split(",")[i] for i in order) for line in [header, *rows]) + "\n")
    assert "0 new, 8 already imported" in run("import_pmta_accounting", str(reordered))
    day.refresh_from_db()
    assert (day.delivered, day.hard_bounces, day.block_bounces) == (2, 1, 1)


def test_accounting_handlers_receive_each_new_record_once(brands):
    from deliverability.services.pmta import (accounting_handler_register, accounting_handler_unregister,
                                              pmta_accounting_import)

    make_ip(brands.sos, n=1)
    seen = []

    def handler(*, records, source_name):
        seen.extend((source_name, record.rcpt) for record in records)

    accounting_handler_register(handler)
    try:
        pmta_accounting_import(lines_or_file=io.StringIO(ACCOUNTING), source_name="one.csv")
        pmta_accounting_import(lines_or_file=io.StringIO(ACCOUNTING), source_name="again.csv")
    finally:
        accounting_handler_unregister(handler)
    assert len(seen) == 8 and {name for name, _ in seen} == {"one.csv"}


def test_warmup_step_command_steps_the_given_day_and_rewrites_the_pmta_config(brands, tmp_path, settings):
    settings.PMTA_CONFIG_PATH = str(tmp_path / "pmta.conf")
    ip = make_ip(brands.sos, n=41, state=IPState.WARMUP, warmup_day=1, quota_today=50,
                 quota_date=datetime.date(2025, 3, 9))
    IPDailyStats.objects.create(ip=ip, date=datetime.date(2025, 3, 9), sent=50, delivered=50)
    out = run("warmup_step", "--date", "2025-03-10")
    assert "advance 1" in out
    assert WarmupDecision.objects.get(ip=ip).date == datetime.date(2025, 3, 10)
    assert IPAddress.objects.get(pk=ip.pk).warmup_day == 2
    assert "<virtual-mta vmta-sos-expat-41>" in (tmp_path / "pmta.conf").read_text()
    with pytest.raises(CommandError):
        run("warmup_step", "--date", "10/03/2025")


def test_the_accounting_pickup_task_imports_the_folder_when_it_is_set(brands, tmp_path, settings):
    from deliverability.tasks import accounting_pickup_task

    settings.PMTA_ACCOUNTING_DIR = ""
    assert accounting_pickup_task.apply().get() == {}
    settings.PMTA_ACCOUNTING_DIR = str(tmp_path)
    ip = make_ip(brands.sos, n=1)
    (tmp_path / "acct.csv").write_text(ACCOUNTING)
    old = tmp_path / "acct-old.csv"
    old.write_text(ACCOUNTING.replace("2025-03-09", "2025-03-08"))
    os.utime(old, (0, 0))
    # The old file repeats the two records of 2025-03-10: they count once.
    assert accounting_pickup_task.apply().get() == {"files": 2, "new": 14, "duplicates": 2}
    assert (tmp_path / "imported" / "acct-old.csv").exists() and (tmp_path / "acct.csv").exists()
    assert IPDailyStats.objects.get(ip=ip, date=datetime.date(2025, 3, 8)).delivered == 2
