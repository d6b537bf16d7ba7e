"""DKIM keys: generation, the public half, and the DNS TXT value that publishes it.

Pure functions, no database: the models store what these return (the private PEM
encrypted) and the DNS and PowerMTA generators consume it.
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

DKIM_MIN_BITS = 1024


def dkim_generate_key(bits: int = 2048) -> tuple[str, str]:
    """Generate an RSA key pair for DKIM signing.

    Returns ``(private_pem, public_b64)``: the private key as an unencrypted PKCS#8
    PEM (what PowerMTA's ``domain-key`` file holds; the caller must encrypt it at
    rest) and the public key as the base64 DER SubjectPublicKeyInfo that goes after
    ``p=`` in the DKIM TXT record. Refuses keys under 1024 bits.
    """
    if bits < DKIM_MIN_BITS:
        raise ValueError(f"DKIM keys must be at least {DKIM_MIN_BITS} bits, got {bits}")
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = private_key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    ).decode("ascii")
    return private_pem, _public_b64(private_key.public_key())


def dkim_public_from_private(private_pem: str | bytes) -> str:
    """Return the base64 public key (the ``p=`` value) of a PEM private key.

    Raises ``ValueError`` if the PEM is not an RSA private key.
    """
    data = private_pem.encode("ascii") if isinstance(private_pem, str) else private_pem
    private_key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise ValueError("DKIM private key is not an RSA key")
    return _public_b64(private_key.public_key())


def dkim_txt_value(public_b64: str) -> str:
    """The DKIM TXT record value for a public key: ``v=DKIM1; k=rsa; p=<key>``."""
    key = "".join(public_b64.split())
    if not key:
        raise ValueError("empty DKIM public key")
    base64.b64decode(key, validate=True)  # raises binascii.Error (a ValueError) on junk
    return f"v=DKIM1; k=rsa; p={key}"


def txt_split(value: str, size: int = 255) -> list[str]:
    """Split a TXT value into strings of at most ``size`` bytes (UTF-8).

    DNS character-strings hold at most 255 bytes, so a longer TXT value is published
    as several strings in one record; resolvers concatenate them without separator.
    Multi-byte characters are never cut in half. An empty value gives ``[""]``.
    """
    if size < 4:
        raise ValueError("size must leave room for any UTF-8 character (>= 4 bytes)")
    chunks: list[str] = []
    current: list[str] = []
    current_bytes = 0
    for char in value:
        width = len(char.encode("utf-8"))
        if current_bytes + width > size:
            chunks.append("".join(current))
            current, current_bytes = [], 0
        current.append(char)
        current_bytes += width
    if current or not chunks:
        chunks.append("".join(current))
    return chunks


def _public_b64(public_key: rsa.RSAPublicKey) -> str:
    der = public_key.public_bytes(
        encoding=serialization.Encoding.DER,
        format=serialization.PublicFormat.SubjectPublicKeyInfo,
    )
    return base64.b64encode(der).decode("ascii")
