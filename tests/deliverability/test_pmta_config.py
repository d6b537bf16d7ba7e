import difflib
import random
import re
from types import SimpleNamespace

import pytest

from deliverability.pmta_config import PmtaBrand, PmtaIP, pmta_config_render

BRANDS = [PmtaBrand("sos-expat"), PmtaBrand("ulixai")]


def seed_fleet():
    """The seed's 100 IPs: per brand 1-40 active, 41-47 warmup day 1, 48-50 standby."""
    fleet = []
    for slug, prefix, base in (("sos-expat", "45.123.10", "sos-mail.com"), ("ulixai", "45.124.20", "ulixai-mail.com")):
        for n in range(1, 51):
            state, quota = ("active", 50000) if n <= 40 else ("warmup", 50) if n <= 47 else ("standby", 0)
            fleet.append(PmtaIP(address=f"{prefix}.{n}", vmta_name=f"vmta-{slug}-{n}", domain=f"mail{n}.{base}",
                                dkim_selector="default", state=state, quota_today=quota, tenant_slug=slug))
    return fleet


def blocks(text, tag):
    """{name: [body lines stripped]} for every top-level <tag name> ... </tag> block."""
    found = {}
    for match in re.finditer(rf"^<{tag} ([^>]+)>\n(.*?)^</{tag}>$", text, flags=re.M | re.S):
        found[match.group(1)] = [line.strip() for line in match.group(2).splitlines() if line.strip()]
    return found


def test_each_vmta_has_source_host_in_the_real_order_and_its_domain_key():
    """smtp-source-host IP HOSTNAME (PowerMTA's order), and the domain-key's selector, domain and PEM path."""
    text = pmta_config_render(brands=BRANDS, ips=seed_fleet(), dkim_dir="/srv/dkim/")
    vmtas = blocks(text, "virtual-mta")
    assert len(vmtas) == 100
    body = vmtas["vmta-sos-expat-1"]
    assert "smtp-source-host 45.123.10.1 mail1.sos-mail.com" in body
    assert "domain-key default,mail1.sos-mail.com,/srv/dkim/mail1.sos-mail.com.pem" in body
    assert "smtp-source-host 45.124.20.50 mail50.ulixai-mail.com" in vmtas["vmta-ulixai-50"]
    assert "smtp-source-host mail1.sos-mail.com 45.123.10.1" not in text


def test_quotas_become_max_msg_rate_per_day():
    """Warmup IPs get today's warmup quota, active IPs the active cap, standby 0/d."""
    vmtas = blocks(pmta_config_render(brands=BRANDS, ips=seed_fleet()), "virtual-mta")
    assert vmtas["vmta-sos-expat-41"][2:5] == ["<domain *>", "max-msg-rate 50/d", "</domain>"]
    assert "max-msg-rate 50000/d" in vmtas["vmta-sos-expat-1"]
    assert "max-msg-rate 0/d" in vmtas["vmta-ulixai-48"]


def test_pools_hold_only_the_brands_active_and_warmup_vmtas():
    """Standby, paused and retired IPs are in no pool; retired ones are not defined at all."""
    fleet = seed_fleet()
    fleet[0] = PmtaIP("45.123.10.1", "vmta-sos-expat-1", "mail1.sos-mail.com", "default", "paused", 0, "sos-expat")
    fleet[1] = PmtaIP("45.123.10.2", "vmta-sos-expat-2", "mail2.sos-mail.com", "default", "retired", 0, "sos-expat")
    text = pmta_config_render(brands=BRANDS, ips=fleet)
    pools = blocks(text, "virtual-mta-pool")
    assert list(pools) == ["pool-sos-expat", "pool-ulixai"]
    assert pools["pool-sos-expat"] == [f"virtual-mta vmta-sos-expat-{n}" for n in range(3, 48)]
    assert pools["pool-ulixai"] == [f"virtual-mta vmta-ulixai-{n}" for n in range(1, 48)]
    vmtas = blocks(text, "virtual-mta")
    assert "vmta-sos-expat-2" not in vmtas
    assert "max-msg-rate 0/d" in vmtas["vmta-sos-expat-1"]
    assert "45.123.10.2 " not in text


def test_a_brand_without_sending_ips_gets_no_empty_pool():
    """An empty pool is left out (with a comment) rather than written."""
    fleet = [ip for ip in seed_fleet() if ip.tenant_slug == "sos-expat"]
    text = pmta_config_render(brands=BRANDS, ips=fleet)
    assert "<virtual-mta-pool pool-ulixai>" not in text
    assert "# pool-ulixai: no active or warmup IP" in text


def test_the_same_fleet_gives_the_same_bytes_in_any_order():
    """Rendering twice, or from shuffled IPs and brands, gives byte-identical output."""
    fleet = seed_fleet()
    first = pmta_config_render(brands=BRANDS, ips=fleet)
    assert pmta_config_render(brands=BRANDS, ips=fleet) == first
    shuffled = fleet[:]
    random.Random(7).shuffle(shuffled)
    assert pmta_config_render(brands=list(reversed(BRANDS)), ips=shuffled) == first
    assert first.endswith("</acct-file>\n")
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}", first)


def test_vmtas_are_ordered_by_brand_then_address():
    """vmta-sos-expat-2 comes before -10 and every SOS-Expat VMTA before Ulixai's."""
    names = list(blocks(pmta_config_render(brands=BRANDS, ips=seed_fleet()), "virtual-mta"))
    assert names[:3] == ["vmta-sos-expat-1", "vmta-sos-expat-2", "vmta-sos-expat-3"]
    assert names[49:51] == ["vmta-sos-expat-50", "vmta-ulixai-1"]


def test_a_change_of_state_shows_as_a_small_diff():
    """Pausing one IP changes the header count, its state, its rate and its pool line, nothing else."""
    fleet = seed_fleet()
    before = pmta_config_render(brands=BRANDS, ips=fleet).splitlines()
    fleet[4] = PmtaIP("45.123.10.5", "vmta-sos-expat-5", "mail5.sos-mail.com", "default", "paused", 0, "sos-expat")
    after = pmta_config_render(brands=BRANDS, ips=fleet).splitlines()
    diff = [line for line in difflib.unified_diff(before, after, lineterm="", n=0)
            if line[:1] in "+-" and line[:3] not in ("---", "+++")]
    assert sorted(diff) == sorted([
        "-# VMTAs: 80 active, 14 warmup, 6 standby, 0 paused",
        "+# VMTAs: 79 active, 14 warmup, 6 standby, 1 paused",
        "-# active", "+# paused",
        "-        max-msg-rate 50000/d", "+        max-msg-rate 0/d",
        "-    virtual-mta vmta-sos-expat-5",
    ])


def test_injection_sources_accept_relaying_and_x_headers():
    """One <source> per injection host, sorted, with relaying and the X- header processing."""
    text = pmta_config_render(brands=BRANDS, ips=seed_fleet(), injection_hosts=("10.0.0.5", "127.0.0.1"))
    sources = blocks(text, "source")
    assert list(sources) == ["0/0", "10.0.0.5", "127.0.0.1"]
    assert sources["127.0.0.1"] == ["always-allow-relaying yes", "smtp-service yes", "process-x-virtual-mta yes",
                                    "process-x-job yes", "process-x-envid yes"]
    assert sources["0/0"][0] == "always-allow-relaying no"


def test_destination_domains_defaults_isp_limits_and_accounting():
    """<domain *> signs DKIM; each big ISP has its connection and rate limits; accounting writes d,b,t,f,rb."""
    text = pmta_config_render(brands=BRANDS, ips=seed_fleet(), acct_file="/data/pmta/acct.csv")
    domains = blocks(text, "domain")
    assert {"dkim-sign yes", "retry-after 10m", "bounce-after 2d"} <= set(domains["*"])
    assert {"max-smtp-out 5", "max-msg-per-connection 250", "max-msg-rate 5000/h"} <= set(domains["gmail.com"])
    assert {"max-smtp-out 3", "max-msg-per-connection 5", "max-msg-rate 2000/h"} <= set(domains["yahoo.com"])
    for microsoft in ("outlook.com", "hotmail.com"):
        assert {"max-smtp-out 25", "max-msg-per-connection 150", "max-msg-rate 250/m"} <= set(domains[microsoft])
    assert {"max-smtp-out 2", "max-msg-rate 1500/h"} <= set(domains["aol.com"])
    assert "smtp-pattern-list isp-throttling" in domains["gmail.com"]
    assert "<smtp-pattern-list isp-throttling>" in text
    assert blocks(text, "acct-file") == {"/data/pmta/acct.csv": ["records d,b,t,f,rb", "move-interval 5m"]}


def test_plain_objects_with_the_documented_attributes_are_accepted():
    """Any object with slug / address, vmta_name, domain, dkim_selector, state, quota_today, tenant_slug works."""
    ip = SimpleNamespace(address="45.123.10.7", vmta_name="vmta-sos-expat-7", domain="Mail7.sos-mail.com.",
                         dkim_selector="default", state="warmup", quota_today=200, tenant_slug="sos-expat")
    text = pmta_config_render(brands=[SimpleNamespace(slug="sos-expat")], ips=[ip])
    assert "smtp-source-host 45.123.10.7 mail7.sos-mail.com" in text
    assert "max-msg-rate 200/d" in text


@pytest.mark.parametrize("change", [
    {"state": "burnt"},
    {"domain": "mail1.sos-mail.com\n</virtual-mta>"},
    {"vmta_name": "vmta 1"},
    {"quota_today": -5},
    {"address": "not-an-ip"},
])
def test_values_that_would_corrupt_the_config_are_refused(change):
    """Unknown states, negative quotas and names with spaces or markup raise ValueError."""
    fields = dict(address="45.123.10.1", vmta_name="vmta-sos-expat-1", domain="mail1.sos-mail.com",
                  dkim_selector="default", state="active", quota_today=50000, tenant_slug="sos-expat")
    fields.update(change)
    with pytest.raises(ValueError):
        pmta_config_render(brands=BRANDS, ips=[SimpleNamespace(**fields)])


def test_duplicate_addresses_or_vmta_names_are_refused():
    """Two VMTAs on one IP, or two IPs under one VMTA name, are a fleet error."""
    fleet = seed_fleet()
    clash = PmtaIP("45.123.10.1", "vmta-sos-expat-99", "mail99.sos-mail.com", "default", "active", 1, "sos-expat")
    with pytest.raises(ValueError, match="45.123.10.1"):
        pmta_config_render(brands=BRANDS, ips=fleet + [clash])
