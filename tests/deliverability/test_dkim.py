import base64

import dkim
import pytest
from cryptography.hazmat.primitives import serialization

from deliverability.dkim import dkim_generate_key, dkim_public_from_private, dkim_txt_value, txt_split


@pytest.fixture(scope="module")
def key_pair():
    return dkim_generate_key()


def test_a_generated_key_is_rsa_2048_and_its_public_half_matches(key_pair):
    """The PEM loads as a 2048-bit RSA key and the base64 public key is its public half."""
    private_pem, public_b64 = key_pair
    private_key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    assert private_key.key_size == 2048
    public_key = serialization.load_der_public_key(base64.b64decode(public_b64))
    assert public_key.public_numbers() == private_key.public_key().public_numbers()


def test_two_generated_keys_differ():
    """Every call draws a fresh key."""
    assert dkim_generate_key(bits=1024)[1] != dkim_generate_key(bits=1024)[1]


def test_keys_under_1024_bits_are_refused():
    """RSA under 1024 bits is not acceptable for DKIM."""
    with pytest.raises(ValueError):
        dkim_generate_key(bits=512)


def test_the_public_key_is_recovered_from_the_private_pem(key_pair):
    """What we stored encrypted is enough to republish the DNS record."""
    private_pem, public_b64 = key_pair
    assert dkim_public_from_private(private_pem) == public_b64


def test_a_message_signed_with_the_key_verifies_against_the_txt_value(key_pair):
    """The TXT value we publish verifies a real DKIM signature made with the private key."""
    private_pem, public_b64 = key_pair
    message = (b"From: news@mail1.sos-mail.com\r\nTo: someone@example.org\r\n"
               b"Subject: hello\r\n\r\nBody\r\n")
    signature = dkim.sign(message, b"default", b"mail1.sos-mail.com", private_pem.encode(),
                          include_headers=[b"from", b"to", b"subject"])
    txt = dkim_txt_value(public_b64).encode()

    def dnsfunc(name, timeout=5):
        return txt if name == b"default._domainkey.mail1.sos-mail.com." else None

    assert dkim.verify(signature + message, dnsfunc=dnsfunc)


def test_the_txt_value_names_version_algorithm_and_key(key_pair):
    """The record reads v=DKIM1; k=rsa; p=<key>, whitespace in the key removed."""
    _private, public_b64 = key_pair
    assert dkim_txt_value(public_b64) == f"v=DKIM1; k=rsa; p={public_b64}"
    assert dkim_txt_value(public_b64[:40] + "\n " + public_b64[40:]) == f"v=DKIM1; k=rsa; p={public_b64}"


def test_a_key_that_is_not_base64_is_refused():
    """A corrupted key never reaches DNS."""
    with pytest.raises(ValueError):
        dkim_txt_value("not base64 at all!")


def test_txt_split_cuts_at_255_bytes_and_joins_back(key_pair):
    """A 2048-bit DKIM value becomes two strings of at most 255 bytes that join to the value."""
    value = dkim_txt_value(key_pair[1])
    parts = txt_split(value)
    assert len(parts) == 2
    assert len(parts[0]) == 255
    assert all(len(part.encode()) <= 255 for part in parts)
    assert "".join(parts) == value


def test_txt_split_counts_bytes_not_characters():
    """Multi-byte characters count for their UTF-8 size and are never cut in half."""
    value = "é" * 200  # 400 bytes
    parts = txt_split(value)
    assert [len(part.encode()) for part in parts] == [254, 146]
    assert "".join(parts) == value


def test_txt_split_keeps_short_and_empty_values_whole():
    """A short value is one string; an empty one is one empty string."""
    assert txt_split("v=spf1 -all") == ["v=spf1 -all"]
    assert txt_split("") == [""]
    assert txt_split("abcdef", size=4) == ["abcd", "ef"]
