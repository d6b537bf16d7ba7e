"""Outgoing MIME messages, built directly as bytes.

`email.message` with its policies costs more per message than the whole SMTP transaction
with a local relay, so the dispatch path writes the MIME structure itself. What it writes
is plain RFC 5322 / RFC 2045-2047 (the tests parse it back with the standard library):

* CRLF line endings, header lines folded under 78 characters where they contain words;
* non-ASCII header text as RFC 2047 base64 encoded words (UTF-8), never split inside a
  character;
* ``multipart/alternative`` with a text/plain then a text/html part, both UTF-8:
  quoted-printable (no line longer than 76 characters whatever the HTML looks like), or 8bit
  when the relay takes 8BITMIME and no line exceeds 998 octets. Neither can contain the
  boundary: QP output never contains ``=_``, and the boundary is checked against 8bit parts.
"""
from __future__ import annotations

import binascii
import re
import secrets
import time
from email.utils import formatdate

BOUNDARY = "=_ee-alt-7f3c"
_BOUNDARY_BYTES = ("--" + BOUNDARY).encode("ascii")
_ATEXT_RE = re.compile(r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+\Z")
_HEADER_SAFE_RE = re.compile(r"[\x20-\x7e]*\Z")
_MAX_WORD_BYTES = 42  # 42 bytes -> 56 base64 chars -> a 68-char encoded word

_date_cache = [0, ""]


def header_date() -> str:
    """RFC 5322 date of the current second (cached for the second)."""
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache[0] = now
        _date_cache[1] = formatdate(now, usegmt=True)
    return _date_cache[1]


def message_id_make(*, domain: str, campaign_id: int, recipient_id: int) -> str:
    return f"<{campaign_id}.{recipient_id}.{secrets.token_hex(6)}@{domain}>"


def encoded_words(text: str) -> str:
    """RFC 2047 base64 encoded words for `text`, folded with CRLF + space."""
    data = text.encode("utf-8")
    words = []
    start = 0
    end_of_data = len(data)
    while start < end_of_data:
        end = min(start + _MAX_WORD_BYTES, end_of_data)
        while end < end_of_data and (data[end] & 0xC0) == 0x80:
            end -= 1  # never cut a UTF-8 sequence
        words.append("=?utf-8?b?" + binascii.b2a_base64(data[start:end], newline=False).decode("ascii") + "?=")
        start = end
    return "\r\n ".join(words)


def header_text(text: str) -> str:
    """An unstructured header value (Subject): ASCII as is, otherwise encoded words."""
    text = " ".join(text.split())
    if text.isascii() and len(text) < 900 and _HEADER_SAFE_RE.match(text):
        return text
    return encoded_words(text)


def address_header(name: str, address: str) -> str:
    """`Name <address>` with the display name as atoms, a quoted string or encoded words."""
    name = " ".join((name or "").split())
    if not name:
        return f"<{address}>"
    if _ATEXT_RE.match(name):
        shown = name
    elif name.isascii() and _HEADER_SAFE_RE.match(name):
        shown = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    else:
        shown = encoded_words(name)
    return f"{shown} <{address}>"


def _lines(text: str) -> bytes:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    data = text.replace("\n", "\r\n").encode("utf-8")
    return data if data.endswith(b"\r\n") else data + b"\r\n"


def _part(text: str, eight_bit: bool) -> tuple[str, bytes]:
    """(transfer encoding, body): 8bit when allowed and every line fits SMTP's 998 octets, else QP."""
    if eight_bit:
        data = _lines(text)
        fits = len(data) < 998 or max(map(len, data.split(b"\r\n"))) <= 998
        if fits and _BOUNDARY_BYTES not in data:
            return "8bit", data
    return "quoted-printable", _qp(text)


def _qp(text: str) -> bytes:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    data = text.replace("\n", "\r\n").encode("utf-8")
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return binascii.b2a_qp(data, quotetabs=False, istext=True, header=False)


def message_build(
    *,
    from_header: str,
    to_address: str,
    subject: str,
    text: str,
    html: str,
    message_id: str,
    reply_to: str = "",
    extra_headers: list[tuple[str, str]] = (),
    date: str | None = None,
    eight_bit: bool = False,
) -> bytes:
    """The complete message as bytes with CRLF line endings, ready for SMTP DATA.

    `from_header` is a ready header value (see address_header); `extra_headers` values must
    be ASCII without line breaks (they are the engine's own: VMTA, job, List-Unsubscribe).
    With `eight_bit` (the relay announced 8BITMIME) parts are sent as UTF-8 8bit when their
    lines allow it: smaller messages, especially in Cyrillic, Arabic, Hindi or Chinese.
    """
    lines = [
        "From: " + from_header,
        "To: <" + to_address + ">",
        "Subject: " + header_text(subject),
        "Date: " + (date or header_date()),
        "Message-ID: " + message_id,
    ]
    if reply_to:
        lines.append("Reply-To: " + reply_to)
    for name, value in extra_headers:
        if "\r" in value or "\n" in value or not value.isascii():
            raise ValueError(f"header {name} must be one line of ASCII")
        lines.append(f"{name}: {value}")
    lines.append("MIME-Version: 1.0")
    lines.append(f'Content-Type: multipart/alternative; boundary="{BOUNDARY}"')
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")
    part_head = (
        "--" + BOUNDARY + "\r\nContent-Type: text/%s; charset=\"utf-8\"\r\n"
        "Content-Transfer-Encoding: %s\r\n\r\n"
    )
    text_encoding, text_body = _part(text, eight_bit)
    html_encoding, html_body = _part(html, eight_bit)
    return b"".join(
        (
            head,
            (part_head % ("plain", text_encoding)).encode("ascii"),
            text_body,
            (part_head % ("html", html_encoding)).encode("ascii"),
            html_body,
            b"--" + BOUNDARY.encode("ascii") + b"--\r\n",
        )
    )
