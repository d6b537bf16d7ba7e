import pytest

from deliverability.dkim import dkim_generate_key, txt_split
from deliverability.dns_check import dns_check_host, dns_check_table
from deliverability.dns_records import SendingHost, dns_records_build
from tests.doubles.dns_server import LoopbackDnsServer, SilentDnsServer


@pytest.fixture(scope="module")
def keys():
    return dkim_generate_key()[1], dkim_generate_key()[1]


@pytest.fixture(scope="module")
def host(keys):
    return SendingHost(domain="mail1.sos-mail.com", ip="45.123.10.1", dkim_selector="default",
                       dkim_public_b64=keys[0], brand_domain="sos-expat.com", sending_base="sos-mail.com")


def good_zone(host):
    """The records dns_records_build publishes, as the loopback server's dict."""
    zone = {}
    for record in dns_records_build([host]):
        value = tuple(record.strings) if record.type == "TXT" else record.value
        zone.setdefault(record.name, {}).setdefault(record.type, []).append(value)
    return zone


@pytest.fixture
def dns_server():
    with LoopbackDnsServer() as server:
        yield server


def check(host, server):
    return dns_check_host(host, nameserver=server.host, port=server.port, timeout=2.0)


def statuses(result):
    return {c.name: c.status for c in result.checks}


def test_the_records_we_generate_check_ok(host, dns_server):
    """Serving exactly what dns_records_build produces passes every check."""
    dns_server.serve(dns_records_build([host]))
    result = check(host, dns_server)
    assert statuses(result) == {"a": "ok", "ptr": "ok", "fcrdns": "ok", "spf": "ok", "dkim": "ok", "dmarc": "ok"}
    assert result.ok
    assert result.check("a").found == "45.123.10.1"
    assert result.check("ptr").found == "mail1.sos-mail.com"
    assert result.check("dmarc").found == "v=DMARC1; p=quarantine; rua=mailto:dmarc@sos-expat.com"


def test_an_empty_nameserver_reports_everything_missing(host, dns_server):
    """NXDOMAIN for every name: each check is missing and the result is not ok."""
    result = check(host, dns_server)
    assert set(statuses(result).values()) == {"missing"}
    assert not result.ok
    assert result.check("spf").found == ""


def test_a_name_with_other_types_but_no_txt_is_missing_spf(host, dns_server):
    """NoAnswer (the name exists, not the type) is missing too."""
    zone = good_zone(host)
    del zone["mail1.sos-mail.com"]["TXT"]
    dns_server.serve(zone)
    result = check(host, dns_server)
    assert result.check("spf").status == "missing"
    assert result.check("a").status == "ok"


def test_an_a_record_with_another_ip_is_wrong(host, dns_server):
    """The A record must point at the sending IP."""
    zone = good_zone(host)
    zone["mail1.sos-mail.com"]["A"] = ["45.123.10.99"]
    dns_server.serve(zone)
    result = check(host, dns_server)
    assert result.check("a").status == "wrong"
    assert result.check("a").found == "45.123.10.99"
    assert result.check("a").expected == "45.123.10.1"
    # The PTR still names the domain, but the domain no longer resolves back to the IP.
    assert result.check("ptr").status == "ok"
    assert result.check("fcrdns").status == "wrong"


@pytest.mark.parametrize("spf, reason", [
    ("v=spf1 ip4:45.123.10.2 -all", "does not include"),
    ("v=spf1 ip4:45.123.10.1 +all", "+all"),
    ("v=spf1 ip4:45.123.10.1 all", "+all"),
    ("v=spf1 ip4:45.123.10.1 ?all", "-all or ~all"),
    ("v=spf1 ip4:45.123.10.1", "-all or ~all"),
    ("v=spf1 -ip4:45.123.10.1 -all", "does not include"),
    ("v=spf1 -all ip4:45.123.10.1", "does not include"),
    ("v=spf1 ip4:45.123.10.1/99 -all", "unparseable"),
])
def test_spf_that_does_not_authorise_the_ip_strictly_is_wrong(host, dns_server, spf, reason):
    """SPF without our IP, with a permissive or missing all, or unparseable, is wrong."""
    zone = good_zone(host)
    zone["mail1.sos-mail.com"]["TXT"] = [spf]
    dns_server.serve(zone)
    spf_check = check(host, dns_server).check("spf")
    assert spf_check.status == "wrong"
    assert reason in spf_check.message
    assert spf_check.found == spf


@pytest.mark.parametrize("spf", [
    "v=spf1 ip4:45.123.10.1 ~all",
    "v=spf1 ip4:45.123.10.0/24 -all",
    "v=spf1 mx +ip4:45.123.0.0/16 include:_spf.example.com -all",
])
def test_spf_with_a_cidr_or_softfail_is_ok(host, dns_server, spf):
    """A network containing the IP counts, and ~all is accepted like -all."""
    zone = good_zone(host)
    zone["mail1.sos-mail.com"]["TXT"] = ["google-site-verification=abc", spf]
    dns_server.serve(zone)
    assert check(host, dns_server).check("spf").status == "ok"


def test_two_spf_records_are_wrong(host, dns_server):
    """Two v=spf1 records are a permanent SPF error at receivers."""
    zone = good_zone(host)
    zone["mail1.sos-mail.com"]["TXT"] = ["v=spf1 ip4:45.123.10.1 -all", "v=spf1 -all"]
    dns_server.serve(zone)
    assert check(host, dns_server).check("spf").status == "wrong"


def test_dkim_with_another_key_is_wrong(host, keys, dns_server):
    """A DKIM record publishing a different key does not verify our signatures."""
    zone = good_zone(host)
    other = f"v=DKIM1; k=rsa; p={keys[1]}"
    zone["default._domainkey.mail1.sos-mail.com"]["TXT"] = [tuple(txt_split(other))]
    dns_server.serve(zone)
    dkim = check(host, dns_server).check("dkim")
    assert dkim.status == "wrong"
    assert dkim.found == other
    assert keys[0] in dkim.expected


def test_a_revoked_dkim_key_is_wrong(host, dns_server):
    """An empty p= means the key is revoked."""
    zone = good_zone(host)
    zone["default._domainkey.mail1.sos-mail.com"]["TXT"] = ["v=DKIM1; k=rsa; p="]
    dns_server.serve(zone)
    assert check(host, dns_server).check("dkim").status == "wrong"


def test_a_long_dkim_key_split_anywhere_with_whitespace_still_matches(host, dns_server):
    """A 4096-bit key in many strings (and folded with spaces) matches once joined; the
    answer is over 512 bytes, so the check also goes through the TCP retry."""
    public_4096 = dkim_generate_key(bits=4096)[1]
    big = SendingHost(domain=host.domain, ip=host.ip, dkim_selector="default", dkim_public_b64=public_4096,
                      brand_domain=host.brand_domain, sending_base=host.sending_base)
    value = f"v=DKIM1; k=rsa; p={public_4096[:300]} {public_4096[300:]}"
    zone = good_zone(big)
    zone["default._domainkey.mail1.sos-mail.com"]["TXT"] = [tuple(txt_split(value, size=100))]
    dns_server.serve(zone)
    assert check(big, dns_server).check("dkim").status == "ok"
    assert ("tcp", "default._domainkey.mail1.sos-mail.com", "TXT") in dns_server.queries


def test_a_ptr_pointing_elsewhere_is_wrong(host, dns_server):
    """The reverse name must name our domain; if the other name does not resolve back, FCrDNS fails too."""
    zone = good_zone(host)
    zone["1.10.123.45.in-addr.arpa"]["PTR"] = ["static-1.hosting.example"]
    dns_server.serve(zone)
    result = check(host, dns_server)
    assert result.check("ptr").status == "wrong"
    assert result.check("ptr").found == "static-1.hosting.example"
    assert result.check("fcrdns").status == "wrong"
    assert "static-1.hosting.example -> missing" in result.check("fcrdns").found


def test_without_a_ptr_fcrdns_is_missing(host, dns_server):
    """No reverse record: PTR and forward-confirmed reverse DNS are both missing."""
    zone = good_zone(host)
    del zone["1.10.123.45.in-addr.arpa"]
    dns_server.serve(zone)
    result = check(host, dns_server)
    assert result.check("ptr").status == "missing"
    assert result.check("fcrdns").status == "missing"
    assert result.check("a").status == "ok"


@pytest.mark.parametrize("dmarc", [
    "garbage",
    "v=DMARC1; p=maybe",
    "v=DMARC1",
    "v=DMARC1 p=reject",
    "p=reject; v=DMARC1",
    "v=DMARC1; p=reject; pct=150",
])
def test_dmarc_garbage_is_wrong(host, dns_server, dmarc):
    """A DMARC record must start with v=DMARC1 and carry a valid p= policy."""
    zone = good_zone(host)
    zone["_dmarc.mail1.sos-mail.com"]["TXT"] = [dmarc]
    dns_server.serve(zone)
    dmarc_check = check(host, dns_server).check("dmarc")
    assert dmarc_check.status == "wrong"
    assert dmarc_check.found == dmarc


def test_any_parseable_dmarc_policy_is_ok(host, dns_server):
    """p=none is enough for the bulk-sender rules; the check asks parseable, not ours."""
    zone = good_zone(host)
    zone["_dmarc.mail1.sos-mail.com"]["TXT"] = ["v=DMARC1;p=none;rua=mailto:reports@example.org;"]
    dns_server.serve(zone)
    assert check(host, dns_server).check("dmarc").status == "ok"


def test_a_silent_nameserver_gives_errors_after_one_timeout(host):
    """Timeouts are errors with a message, not missing records, and do not repeat per check."""
    with SilentDnsServer() as silent:
        result = dns_check_host(host, nameserver=silent.host, port=silent.port, timeout=0.3)
    assert set(statuses(result).values()) == {"error"}
    assert "did not answer" in result.check("a").message
    assert "skipped" in result.check("dmarc").message


def test_as_dict_and_table_show_status_found_and_expected(host, keys, dns_server):
    """The stored form and the printed table say what is wrong and what was found."""
    zone = good_zone(host)
    zone["mail1.sos-mail.com"]["TXT"] = ["v=spf1 +all"]
    dns_server.serve(zone)
    result = check(host, dns_server)
    data = result.as_dict()
    assert data["ok"] is False
    assert data["domain"] == "mail1.sos-mail.com"
    assert data["checks"]["spf"] == {"status": "wrong", "found": "v=spf1 +all",
                                     "expected": "v=spf1 ip4:45.123.10.1 -all",
                                     "message": "SPF ends in +all: it authorises every server on the internet"}
    assert data["checks"]["a"]["status"] == "ok"
    table = dns_check_table([result])
    lines = table.splitlines()
    assert lines[0].split() == ["DOMAIN", "IP", "A", "PTR", "FCRDNS", "SPF", "DKIM", "DMARC"]
    assert lines[2].split() == ["mail1.sos-mail.com", "45.123.10.1", "OK", "OK", "OK", "wrong", "OK", "OK"]
    assert "mail1.sos-mail.com spf: wrong" in table
    assert "found:    v=spf1 +all" in table
    assert table.endswith("0/1 domains OK\n")


def test_a_domain_without_a_dkim_key_yet_reports_an_error_not_a_crash(host, dns_server):
    """Checking before generate_dkim_keys ran says so in the DKIM check; the other checks still run."""
    dns_server.serve(dns_records_build([host]))
    keyless = SendingHost(domain=host.domain, ip=host.ip, dkim_selector="default", dkim_public_b64="",
                          brand_domain=host.brand_domain, sending_base=host.sending_base)
    result = check(keyless, dns_server)
    assert result.check("dkim").status == "error"
    assert "generate_dkim_keys" in result.check("dkim").message
    assert result.check("spf").status == "ok"
