"""Signed tokens in unsubscribe, open-pixel and click URLs.

A token names the brand, the campaign and the contact (and, for clicks, the index of the
link in the campaign's link list). It is signed with django.core.signing (HMAC-SHA256 of
SECRET_KEY) under a salt per kind, so an unsubscribe token cannot be replayed as a click
token and any change to the numbers breaks the signature. Compact: the numbers are written
in base 36, e.g. ``1-2s-5k.<43 signature chars>``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.core import signing

UNSUBSCRIBE = "unsubscribe"
OPEN = "open"
CLICK = "click"
KINDS = (UNSUBSCRIBE, OPEN, CLICK)
_SEP = "."
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


class BadToken(ValueError):
    """The token is malformed, altered, forged, or of another kind."""


@dataclass(frozen=True)
class TrackingToken:
    kind: str
    tenant_id: int
    campaign_id: int
    contact_id: int
    link_index: int | None = None


@lru_cache(maxsize=None)
def _signer(kind: str, secret: str) -> signing.Signer:
    return signing.Signer(key=secret, salt=f"campaigns.token.{kind}", sep=_SEP)


def _current_signer(kind: str) -> signing.Signer:
    from django.conf import settings

    if kind not in KINDS:
        raise ValueError(f"unknown token kind {kind!r}")
    return _signer(kind, settings.SECRET_KEY)


def _b36(number: int) -> str:
    if number < 0:
        raise ValueError("token numbers are never negative")
    if number == 0:
        return "0"
    out = []
    while number:
        number, rest = divmod(number, 36)
        out.append(_DIGITS[rest])
    return "".join(reversed(out))


def token_make(*, kind: str, tenant_id: int, campaign_id: int, contact_id: int, link_index: int | None = None) -> str:
    """A signed token for one recipient (and one link of the campaign for CLICK)."""
    if (kind == CLICK) != (link_index is not None):
        raise ValueError("a click token needs a link index and only a click token has one")
    numbers = [tenant_id, campaign_id, contact_id] + ([link_index] if link_index is not None else [])
    return _current_signer(kind).sign("-".join(_b36(n) for n in numbers))


def token_read(*, kind: str, token: str) -> TrackingToken:
    """The content of a token of `kind`; BadToken if anything about it is wrong."""
    if not isinstance(token, str) or len(token) > 200:
        raise BadToken("malformed token")
    try:
        value = _current_signer(kind).unsign(token)
    except signing.BadSignature:
        raise BadToken("invalid or altered token") from None
    parts = value.split("-")
    expected = 4 if kind == CLICK else 3
    if len(parts) != expected:
        raise BadToken("malformed token")
    try:
        numbers = [int(part, 36) for part in parts]
    except ValueError:
        raise BadToken("malformed token") from None
    return TrackingToken(kind, numbers[0], numbers[1], numbers[2], numbers[3] if kind == CLICK else None)
