import json
import random

import dns.rdataclass
import dns.rdatatype
import dns.zone
import pytest

from deliverability.dkim import dkim_generate_key, dkim_txt_value
from deliverability.dns_records import (
    SendingHost,
    dns_records_bind,
    dns_records_build,
    dns_records_json,
)


@pytest.fixture(scope="module")
def public_b64():
    return dkim_generate_key()[1]


def sos_host(n, public_b64):
    return SendingHost(domain=f"mail{n}.sos-mail.com", ip=f"45.123.10.{n}", dkim_selector="default",
                       dkim_public_b64=public_b64, brand_domain="sos-expat.com", sending_base="sos-mail.com")


def ulixai_host(n, public_b64):
    return SendingHost(domain=f"mail{n}.ulixai-mail.com", ip=f"45.124.20.{n}", dkim_selector="default",
                       dkim_public_b64=public_b64, brand_domain="ulixai.com", sending_base="ulixai-mail.com")


def test_each_domain_gets_a_spf_dkim_dmarc_and_ptr(public_b64):
    """The five records of the seed example, with the exact names and values."""
    records = dns_records_build([sos_host(1, public_b64)])
    by_name_type = {(r.name, r.type): r for r in records}
    assert len(records) == 5
    assert by_name_type[("mail1.sos-mail.com", "A")].value == "45.123.10.1"
    assert by_name_type[("mail1.sos-mail.com", "TXT")].value == "v=spf1 ip4:45.123.10.1 -all"
    dkim = by_name_type[("default._domainkey.mail1.sos-mail.com", "TXT")]
    assert dkim.value == dkim_txt_value(public_b64)
    dmarc = by_name_type[("_dmarc.mail1.sos-mail.com", "TXT")]
    assert dmarc.value == "v=DMARC1; p=quarantine; rua=mailto:dmarc@sos-expat.com"
    ptr = by_name_type[("1.10.123.45.in-addr.arpa", "PTR")]
    assert ptr.value == "mail1.sos-mail.com"
    assert ptr.zone == "10.123.45.in-addr.arpa"
    assert dkim.zone == "sos-mail.com"


def test_the_dkim_txt_is_split_into_255_byte_strings(public_b64):
    """A 2048-bit key does not fit one TXT string: it is published as several."""
    dkim = next(r for r in dns_records_build([sos_host(1, public_b64)]) if "_domainkey" in r.name)
    assert len(dkim.strings) == 2
    assert all(len(s.encode()) <= 255 for s in dkim.strings)
    assert "".join(dkim.strings) == dkim.value


def test_bind_writes_one_forward_zone_per_sending_base_and_one_reverse_zone_per_24(public_b64):
    """Two brands with two IPs each give two forward and two reverse zones."""
    hosts = [sos_host(1, public_b64), sos_host(2, public_b64), ulixai_host(1, public_b64), ulixai_host(2, public_b64)]
    zones = dns_records_bind(hosts, serial=2024050101)
    assert list(zones) == ["sos-mail.com", "ulixai-mail.com", "10.123.45.in-addr.arpa", "20.124.45.in-addr.arpa"]


def test_bind_zones_load_in_a_zone_parser_with_the_right_records(public_b64):
    """Each zone text parses as a valid zone (SOA, NS, relative names) and holds our records."""
    hosts = [sos_host(n, public_b64) for n in (1, 2, 10)]
    zones = dns_records_bind(hosts, serial=2024050101)
    forward = dns.zone.from_text(zones["sos-mail.com"], origin="sos-mail.com.", check_origin=True)
    assert forward.get_rdataset("@", "SOA")[0].serial == 2024050101
    assert forward.get_rdataset("mail10", "A")[0].address == "45.123.10.10"
    dkim_txt = forward.get_rdataset("default._domainkey.mail2", "TXT")[0]
    assert b"".join(dkim_txt.strings).decode() == dkim_txt_value(public_b64)
    assert len(dkim_txt.strings) == 2
    spf = forward.get_rdataset("mail1", "TXT")[0]
    assert spf.strings == (b"v=spf1 ip4:45.123.10.1 -all",)
    reverse = dns.zone.from_text(zones["10.123.45.in-addr.arpa"], origin="10.123.45.in-addr.arpa.",
                                 check_origin=True)
    assert reverse.get_rdataset("10", "PTR")[0].target.to_text() == "mail10.sos-mail.com."
    names = {name.to_text() for name, node in reverse.nodes.items()
             if node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.PTR)}
    assert names == {"1", "2", "10"}


def test_bind_soa_and_ns_use_placeholders_unless_given(public_b64):
    """Placeholders end in .invalid; real names replace them when passed."""
    hosts = [sos_host(1, public_b64)]
    text = dns_records_bind(hosts, serial=1)["sos-mail.com"]
    assert "IN\tNS\tns1.replace-me.invalid." in text
    text = dns_records_bind(hosts, serial=1, nameservers=("ns1.sos-expat.com",),
                            hostmaster="hostmaster.sos-expat.com")["sos-mail.com"]
    assert "SOA\tns1.sos-expat.com. hostmaster.sos-expat.com. (" in text
    assert ".invalid" not in text


def test_bind_output_is_the_same_whatever_the_input_order(public_b64):
    """Same hosts shuffled give byte-identical zones, with mail2 before mail10."""
    hosts = [sos_host(n, public_b64) for n in range(1, 51)] + [ulixai_host(n, public_b64) for n in range(1, 51)]
    first = dns_records_bind(hosts, serial=2024050101)
    shuffled = hosts[:]
    random.Random(4).shuffle(shuffled)
    assert dns_records_bind(shuffled, serial=2024050101) == first
    text = first["sos-mail.com"]
    assert text.index("mail2\t") < text.index("mail10\t")


def test_json_output_lists_every_record_with_its_strings(public_b64):
    """JSON is serialisable and TXT entries carry their split strings."""
    data = dns_records_json([sos_host(1, public_b64)])
    json.dumps(data)
    assert [(d["name"], d["type"]) for d in data] == [
        ("mail1.sos-mail.com", "A"),
        ("mail1.sos-mail.com", "TXT"),
        ("default._domainkey.mail1.sos-mail.com", "TXT"),
        ("_dmarc.mail1.sos-mail.com", "TXT"),
        ("1.10.123.45.in-addr.arpa", "PTR"),
    ]
    assert data[1]["strings"] == ["v=spf1 ip4:45.123.10.1 -all"]
    assert "strings" not in data[0]


def test_duplicate_domains_or_ips_are_refused(public_b64):
    """Two hosts on one IP or one domain would publish contradictory records."""
    one = sos_host(1, public_b64)
    same_ip = SendingHost("mail99.sos-mail.com", "45.123.10.1", "default", public_b64, "sos-expat.com", "sos-mail.com")
    with pytest.raises(ValueError, match="45.123.10.1"):
        dns_records_build([one, same_ip])
    with pytest.raises(ValueError, match="mail1.sos-mail.com"):
        dns_records_build([one, sos_host(1, public_b64)])


def test_a_domain_outside_its_sending_base_or_a_bad_ip_is_refused(public_b64):
    """A zone cannot hold names outside it; an IP must be an IPv4 address."""
    with pytest.raises(ValueError):
        SendingHost("mail1.other.com", "45.123.10.1", "default", public_b64, "sos-expat.com", "sos-mail.com")
    with pytest.raises(ValueError):
        SendingHost("mail1.sos-mail.com", "45.123.10.300", "default", public_b64, "sos-expat.com", "sos-mail.com")


def test_names_are_normalised_to_lowercase_without_trailing_dot(public_b64):
    """Mail1.SOS-mail.com. and mail1.sos-mail.com are the same host."""
    host = SendingHost("Mail1.SOS-mail.com.", "45.123.10.1", "default", public_b64, "sos-expat.com", "sos-mail.com.")
    assert host.domain == "mail1.sos-mail.com"
    assert host.sending_base == "sos-mail.com"
