"""Where outgoing messages go: an SMTP relay (PowerMTA's listener) or the local outbox.

`relay_open()` reads settings.SMTP_RELAY_URL:

* ``smtp://host:port`` plain SMTP, ``smtp+starttls://`` (or ``?starttls=1``) upgrading with
  STARTTLS, ``smtps://`` implicit TLS; optional ``user:password@`` (URL-encoded) for AUTH;
* empty: an `OutboxRelay` writing each message as an ``.eml`` file under settings.OUTBOX_DIR
  (what ``make run`` uses, so a new user can open what was "sent").

One `SmtpRelay` keeps its connection open across messages. Errors are sorted by what they
mean for the recipient, which is what exactly-once delivery depends on:

* before the end of DATA nothing can have been accepted: connection problems and 4xx replies
  are retried with exponential backoff (reconnecting), and after the last try
  `RelayUnavailable` says "certainly not sent, try again later";
* a 5xx reply to RCPT or to the message refuses this recipient: `RecipientRefused`;
* when the connection breaks after the message's final dot was handed to the kernel and
  before the relay's reply was read, the relay may have accepted it: `RelayUncertain`. The
  caller must never send that message again.
"""
from __future__ import annotations

import logging
import os
import re
import secrets
import smtplib
import ssl
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

logger = logging.getLogger(__name__)
_PERIOD_RE = re.compile(rb"(?m)^\.")


class RelayError(Exception):
    pass


class RecipientRefused(RelayError):
    """The relay refused this recipient or this message for good (5xx)."""

    def __init__(self, code: int, reply: str):
        self.code = code
        self.reply = reply
        super().__init__(f"{code} {reply}")


class RelayUnavailable(RelayError):
    """The message was certainly not accepted (after the retries); it may be sent later."""


class RelayUncertain(RelayError):
    """The connection broke after the message was handed over: it may have been accepted."""


class MessageWithdrawn(RelayError):
    """`before_end` said no: the transaction was abandoned before the final dot (nothing sent)."""


class _Retry(Exception):
    pass


def _reply_text(reply) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())[:300]


class SmtpRelay:
    """A reused SMTP connection to the relay with retry and backoff."""

    def __init__(self, *, host: str, port: int = 25, security: str = "plain", username: str = "",
                 password: str = "", timeout: float = 30.0, retries: int = 4, backoff: float = 0.5,
                 local_hostname: str | None = None):
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self._password = password
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.local_hostname = local_hostname
        self._connection: smtplib.SMTP | None = None

    def __repr__(self):
        user = f"{self.username}:***@" if self.username else ""
        return f"<SmtpRelay {self.security} {user}{self.host}:{self.port}>"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------------ connection
    def _connect(self) -> smtplib.SMTP:
        if self._connection is not None:
            return self._connection
        try:
            if self.security == "ssl":
                connection = smtplib.SMTP_SSL(self.host, self.port, local_hostname=self.local_hostname,
                                              timeout=self.timeout, context=ssl.create_default_context())
            else:
                connection = smtplib.SMTP(self.host, self.port, local_hostname=self.local_hostname,
                                          timeout=self.timeout)
            connection.ehlo_or_helo_if_needed()
            if self.security == "starttls":
                connection.starttls(context=ssl.create_default_context())
                connection.ehlo()
            if self.username:
                connection.login(self.username, self._password)
        except smtplib.SMTPAuthenticationError as exc:
            raise RelayUnavailable(f"the relay refused our login ({exc.smtp_code})") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise _Retry(f"cannot connect to {self.host}:{self.port}: {exc.__class__.__name__}: {exc}") from None
        self._connection = connection
        return connection

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.close()
        except OSError:
            pass

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            try:
                connection.close()
            except OSError:
                pass

    def supports_8bit(self) -> bool:
        """Whether the relay announces 8BITMIME (connects if needed; False if it cannot be reached)."""
        try:
            return bool(self._connect().has_extn("8bitmime"))
        except (_Retry, RelayError):
            self._drop()
            return False

    # ------------------------------------------------------------------ sending
    def send(self, *, sender: str, recipient: str, message: bytes, envid: str = "", before_end=None) -> str:
        """Hand one message to the relay; returns the relay's reply text (e.g. its queue id).

        `before_end()`, when given, is called after the relay agreed to take the data and before
        the message is handed over; returning False abandons the transaction (the connection is
        dropped, so the relay discards it) and raises MessageWithdrawn. Dispatch uses it to wait
        for its `sending` mark to be committed while the SMTP commands were already under way.
        """
        attempt = 0
        while True:
            try:
                connection = self._connect()
                return self._transaction(connection, sender, recipient, message, envid, before_end)
            except _Retry as problem:
                self._drop()
                attempt += 1
                if attempt > self.retries:
                    raise RelayUnavailable(str(problem)) from None
                delay = self.backoff * (2 ** (attempt - 1))
                logger.warning("SMTP relay problem (%s); retry %d/%d in %.1fs", problem, attempt, self.retries, delay)
                time.sleep(delay)

    def _transaction(self, connection: smtplib.SMTP, sender, recipient, message, envid, before_end=None) -> str:
        try:
            options = []
            if connection.has_extn("8bitmime"):
                options.append("BODY=8BITMIME")
            if envid and connection.has_extn("dsn"):
                options.append(f"ENVID={envid}")
            code, reply = connection.mail(sender, options)
            if code != 250:
                self._refused_before_data(connection, code, reply, "MAIL FROM")
            code, reply = connection.rcpt(recipient)
            if code not in (250, 251):
                self._refused_before_data(connection, code, reply, "RCPT TO", recipient_step=True)
            code, reply = connection.docmd("data")
            if code != 354:
                self._refused_before_data(connection, code, reply, "DATA")
            body = _PERIOD_RE.sub(b"..", message)
            if not body.endswith(b"\r\n"):
                body += b"\r\n"
            if before_end is not None and not before_end():
                self._drop()
                raise MessageWithdrawn("the message was withdrawn before its end")
            connection.send(body + b".\r\n")
        except (OSError, smtplib.SMTPException) as exc:
            # Nothing was accepted: the final dot did not (completely) leave us.
            raise _Retry(f"{exc.__class__.__name__}: {exc}") from None
        try:
            code, reply = connection.getreply()
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            raise RelayUncertain(f"connection lost waiting for the reply to the message: {exc}") from None
        if code == 250:
            return _reply_text(reply)
        if 400 <= code < 500:
            raise _Retry(f"message deferred: {code} {_reply_text(reply)}")
        raise RecipientRefused(code, _reply_text(reply))

    def _refused_before_data(self, connection, code, reply, step, recipient_step=False):
        text = _reply_text(reply)
        try:
            connection.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()
        if 400 <= code < 500 or code == -1:
            raise _Retry(f"{step} deferred: {code} {text}")
        if recipient_step:
            raise RecipientRefused(code, text)
        raise RelayUnavailable(f"the relay refused {step}: {code} {text}")


class OutboxRelay:
    """Writes each message to `<outbox>/<YYYY-MM-DD>/<time>-<random>.eml` (written whole, then renamed)."""

    def __init__(self, directory):
        self.directory = Path(directory)

    def __repr__(self):
        return f"<OutboxRelay {self.directory}>"

    def supports_8bit(self) -> bool:
        return True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, *, sender: str, recipient: str, message: bytes, envid: str = "", before_end=None) -> str:
        if before_end is not None and not before_end():
            raise MessageWithdrawn("the message was withdrawn before its end")
        now = datetime.now(timezone.utc)
        folder = self.directory / now.strftime("%Y-%m-%d")
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{now.strftime('%H%M%S%f')}-{secrets.token_hex(4)}.eml"
        temporary = folder / (name + ".tmp")
        envelope = f"X-Envelope-From: <{sender}>\r\nX-Envelope-To: <{recipient}>\r\n".encode("ascii", "replace")
        with open(temporary, "wb") as handle:
            handle.write(envelope + message)
        os.replace(temporary, folder / name)
        return f"written {folder.name}/{name}"

    def close(self) -> None:
        pass


def relay_config_parse(url: str) -> dict:
    """Keyword arguments for SmtpRelay from an smtp:// / smtps:// / smtp+starttls:// URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    query = parse_qs(parts.query)
    if scheme not in ("smtp", "smtps", "smtp+starttls"):
        raise ValueError("SMTP_RELAY_URL must start with smtp://, smtp+starttls:// or smtps://")
    if not parts.hostname:
        raise ValueError("SMTP_RELAY_URL names no host")
    security = {"smtp": "plain", "smtps": "ssl", "smtp+starttls": "starttls"}[scheme]
    if security == "plain" and query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes"):
        security = "starttls"
    config = {
        "host": parts.hostname,
        "port": parts.port or (465 if security == "ssl" else 25),
        "security": security,
        "username": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
    }
    if "timeout" in query:
        config["timeout"] = float(query["timeout"][0])
    if "retries" in query:
        config["retries"] = int(query["retries"][0])
    return config


def relay_open(url: str | None = None):
    """The configured relay (settings.SMTP_RELAY_URL), or the outbox when it is empty."""
    from django.conf import settings

    url = settings.SMTP_RELAY_URL if url is None else url
    if not url:
        return OutboxRelay(settings.OUTBOX_DIR)
    return SmtpRelay(**relay_config_parse(url))
