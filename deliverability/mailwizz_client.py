"""HTTP client for one MailWizz instance, following ``shared/reference/mailwizz-api.md``.

Plain Python (``requests``), no Django: the sync services build one ``MailWizzClient`` per
``MailWizzInstance`` and call it.

What the contract forces on us:

* POST bodies are form fields only (a JSON POST body is silently ignored by MailWizz), encoded
  like PHP's ``http_build_query``: nested keys as ``subscribers[0][EMAIL]`` (brackets
  percent-encoded), spaces as ``+``, ``None`` dropped. PUT and DELETE bodies use the same
  encoder so there is one wire format and one signing rule.
* MailWizz 2.x authenticates with ``X-API-KEY``; 1.x with four ``X-MW-*`` headers, the last an
  HMAC-SHA1 signature (``mailwizz_signature``). Auth failures come back as HTTP 400.
* Template content and plain text are sent base64-encoded.
* Numbers in responses often arrive as strings; they are parsed leniently.

Retry policy: 5xx, connection errors, timeouts and MailWizz's "mutex busy" 409 are retried
with exponential backoff; other 4xx never are. A read timeout is not retried for the two calls
that create something MailWizz cannot deduplicate (``create_list``, ``create_campaign``): the
request may have been applied, so the caller decides.

Every HTTP attempt is logged on ``deliverability.mailwizz`` with method, path (never the query
string, which can hold an email address), status and duration. Keys and signatures are never
logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import quote_plus, urlsplit

import requests

logger = logging.getLogger("deliverability.mailwizz")

BULK_SUBSCRIBERS_MAX = 10_000
"""MailWizz accepts at most this many subscribers per bulk call."""

_MUTEX_409 = re.compile(r"mutex|try again|lock", re.IGNORECASE)


class MailWizzError(Exception):
    """Any failure talking to MailWizz.

    ``message`` is MailWizz's own error text when it sent one; ``status`` the HTTP status
    (``None`` when no response arrived); ``errors`` the per-field errors MailWizz returned
    (``{"EMAIL": "..."}``) or ``None``; ``retryable`` whether trying again later may succeed
    (outage, 5xx, timeout, mutex busy), as opposed to a request MailWizz refuses (4xx).
    """

    def __init__(
        self,
        message: str,
        status: int | None = None,
        errors: dict[str, str] | None = None,
        retryable: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.status = status
        self.errors = errors
        self.retryable = retryable

    def __str__(self) -> str:
        if self.status is None:
            return self.message
        return f"{self.message} (HTTP {self.status})"


# --------------------------------------------------------------------------------------------
# Wire format and signing (pure functions)


def _php_urlencode(text: str) -> str:
    """PHP ``urlencode``: alphanumerics and ``-_.`` kept, space as ``+``, the rest ``%XX``."""
    # quote_plus also keeps "~" (RFC 3986); PHP's urlencode does not.
    return quote_plus(text, safe="").replace("~", "%7E")


def _php_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (int, Decimal, str)):
        return str(value)
    raise TypeError(f"cannot form-encode a {type(value).__name__}")


def _flatten(prefix: str, value: Any, out: list[tuple[str, str]]) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            _flatten(f"{prefix}[{key}]", item, out)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _flatten(f"{prefix}[{index}]", item, out)
    else:
        out.append((prefix, _php_scalar(value)))


def form_pairs(mapping: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Flatten ``mapping`` into ``(key, value)`` pairs with PHP bracket keys, unencoded.

    ``{"a": {"b": [1, None]}}`` gives ``[("a[b][0]", "1")]``: ``None`` is dropped, empty
    containers vanish, booleans become ``1``/``0``, order is the mapping's order.
    """
    out: list[tuple[str, str]] = []
    for key, value in mapping.items():
        _flatten(str(key), value, out)
    return out


def http_build_query(mapping: Mapping[str, Any]) -> str:
    """Encode ``mapping`` exactly like PHP's ``http_build_query($mapping, '', '&')``.

    Nested dicts and lists become ``key[sub]`` with the brackets percent-encoded
    (``subscribers%5B0%5D%5BEMAIL%5D=a%40b.com``), spaces become ``+``, ``None`` values and
    empty containers are left out, ``True``/``False`` become ``1``/``0``.
    """
    return "&".join(f"{_php_urlencode(k)}={_php_urlencode(v)}" for k, v in form_pairs(mapping))


def mailwizz_signature_string(
    method: str,
    base_url: str,
    path: str,
    headers: Mapping[str, Any],
    body_fields: Mapping[str, Any] | None,
    get_params: Mapping[str, Any] | None,
    private_key: str = "",
) -> str:
    """The exact text MailWizz 1.x signs (see ``mailwizz_signature``).

    ``headers`` must hold ``X-MW-PUBLIC-KEY``, ``X-MW-TIMESTAMP`` and ``X-MW-REMOTE-ADDR``.
    ``private_key`` is accepted (and ignored) so the two functions share a signature.
    """
    del private_key
    signed: dict[str, Any] = {
        name: "" if headers.get(name) is None else headers[name]
        for name in ("X-MW-PUBLIC-KEY", "X-MW-TIMESTAMP", "X-MW-REMOTE-ADDR")
    }
    signed.update(body_fields or {})
    # PHP ksort(SORT_STRING) on the top-level keys; nested arrays keep their order.
    # Code point order equals UTF-8 byte order, so sorting str sorts bytes.
    signed_sorted = {key: signed[key] for key in sorted(signed, key=str)}
    url = (base_url.rstrip("/") + "/" + path.lstrip("/")).rstrip("/")
    separator = "?"
    if get_params:
        query = http_build_query({k: get_params[k] for k in sorted(get_params, key=str)})
        if query:
            url = f"{url}?{query}"
            separator = "&"
    return f"{method.upper()} {url}{separator}{http_build_query(signed_sorted)}"


def mailwizz_signature(
    method: str,
    base_url: str,
    path: str,
    headers: Mapping[str, Any],
    body_fields: Mapping[str, Any] | None,
    get_params: Mapping[str, Any] | None,
    private_key: str,
) -> str:
    """``X-MW-SIGNATURE`` for a MailWizz 1.x request.

    The three ``X-MW-*`` header values and every body field go into one map whose top-level
    keys are sorted in byte order; the URL is ``rtrim(base_url + path, '/')`` plus ``?`` and
    the sorted GET parameters when there are any; the signed text is
    ``METHOD url`` + (``&`` if GET parameters else ``?``) + ``http_build_query(map)``; the
    signature is the lowercase hex HMAC-SHA1 of that text keyed with the private key.
    """
    text = mailwizz_signature_string(method, base_url, path, headers, body_fields, get_params)
    return hmac.new(private_key.encode(), text.encode(), hashlib.sha1).hexdigest()


# --------------------------------------------------------------------------------------------
# Parsed results


def lenient_int(value: Any) -> int:
    """``"1,234"``, ``"12"``, ``12.0``, ``None``, ``""`` -> ints; anything unparsable -> 0."""
    if value is None or isinstance(value, bool):
        return int(bool(value))
    if isinstance(value, int):
        return value
    try:
        return int(float(str(value).replace(",", "").strip()))
    except ValueError:
        return 0


@dataclass(frozen=True)
class BulkSubscriberResult:
    """Outcome of one subscriber in a bulk call; ``index`` is its position in the input."""

    index: int
    email: str
    subscriber_uid: str | None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.subscriber_uid)

    @property
    def error_message(self) -> str:
        return "; ".join(f"{k}: {v}" for k, v in self.errors.items())


_STAT_FIELDS = (
    "subscribers_count",
    "processed_count",
    "delivery_success_count",
    "delivery_error_count",
    "opens_count",
    "unique_opens_count",
    "clicks_count",
    "unique_clicks_count",
    "unsubscribes_count",
    "complaints_count",
    "bounces_count",
    "hard_bounces_count",
    "soft_bounces_count",
    "internal_bounces_count",
)


@dataclass(frozen=True)
class CampaignStats:
    """``GET /campaigns/{uid}/stats`` with every count parsed to ``int`` (missing -> 0)."""

    campaign_status: str
    subscribers_count: int
    processed_count: int
    delivery_success_count: int
    delivery_error_count: int
    opens_count: int
    unique_opens_count: int
    clicks_count: int
    unique_clicks_count: int
    unsubscribes_count: int
    complaints_count: int
    bounces_count: int
    hard_bounces_count: int
    soft_bounces_count: int
    internal_bounces_count: int
    raw: dict[str, Any]

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> CampaignStats:
        counts = {name: lenient_int(data.get(name)) for name in _STAT_FIELDS}
        return cls(campaign_status=str(data.get("campaign_status") or ""), raw=dict(data), **counts)


@dataclass(frozen=True)
class CampaignUnsubscribe:
    """One record of ``GET /campaigns/{uid}/unsubscribes`` (email lower-cased)."""

    email: str
    subscriber_uid: str | None
    date_added: str
    reason: str
    raw: dict[str, Any]

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> CampaignUnsubscribe:
        subscriber = record.get("subscriber")
        if not isinstance(subscriber, Mapping):
            subscriber = {}
        email = subscriber.get("email") or record.get("email") or record.get("EMAIL") or ""
        uid = subscriber.get("subscriber_uid") or record.get("subscriber_uid")
        return cls(
            email=str(email).strip().lower(),
            subscriber_uid=str(uid) if uid else None,
            date_added=str(record.get("date_added") or ""),
            reason=str(record.get("reason") or ""),
            raw=dict(record),
        )


# --------------------------------------------------------------------------------------------
# Client


def _error_from_body(body: Any) -> tuple[str, dict[str, str] | None]:
    """MailWizz's ``error`` (text or ``{field: text}``) as (message, errors)."""
    if not isinstance(body, Mapping):
        return "", None
    error = body.get("error")
    if isinstance(error, Mapping):
        errors = {
            str(k): "; ".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)
            for k, v in error.items()
        }
        return "; ".join(f"{k}: {v}" for k, v in errors.items()), errors
    if error:
        return str(error), None
    message = body.get("message")
    return (str(message), None) if message else ("", None)


def _is_mutex_conflict(status: int, message: str) -> bool:
    return status == 409 and bool(_MUTEX_409.search(message))


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


class MailWizzClient:
    """One MailWizz instance (``base_url`` such as ``https://lists.example.com/api``).

    ``api_version=2`` sends ``X-API-KEY: public_key``; ``api_version=1`` signs each request
    with ``public_key``/``private_key``. ``timeout`` (seconds) applies to connect and to each
    read; ``max_retries`` extra attempts follow a retryable failure, waiting
    ``backoff * 2**n`` seconds before retry n+1.
    """

    def __init__(
        self,
        base_url: str,
        public_key: str,
        private_key: str = "",
        api_version: int = 2,
        timeout: float = 10.0,
        max_retries: int = 4,
        backoff: float = 0.5,
        session: requests.Session | None = None,
    ):
        if api_version not in (1, 2):
            raise ValueError("api_version must be 1 or 2")
        if api_version == 1 and not private_key:
            raise ValueError("MailWizz 1.x needs the private key to sign requests")
        self.base_url = base_url.rstrip("/")
        self._host = urlsplit(self.base_url).hostname or ""  # for logs: no userinfo, ever
        self.api_version = api_version
        self.timeout = timeout
        self.max_retries = max(0, int(max_retries))
        self.backoff = backoff
        self._public_key = public_key
        self._private_key = private_key
        self._session = session or requests.Session()
        self._owns_session = session is None

    def __repr__(self) -> str:  # never shows the keys
        return f"<MailWizzClient {self.base_url} api_version={self.api_version}>"

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> MailWizzClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- transport --------------------------------------------------------------------

    def _auth_headers(
        self, method: str, path: str, form: Mapping[str, Any] | None, params: Mapping[str, Any] | None
    ) -> dict[str, str]:
        if self.api_version == 2:
            return {"X-API-KEY": self._public_key}
        headers = {
            "X-MW-PUBLIC-KEY": self._public_key,
            "X-MW-TIMESTAMP": str(int(time.time())),
            "X-MW-REMOTE-ADDR": "",
        }
        headers["X-MW-SIGNATURE"] = mailwizz_signature(
            method, self.base_url, path, headers, form, params, self._private_key
        )
        return headers

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        form: Mapping[str, Any] | None = None,
        retry_read_timeout: bool = True,
    ) -> dict[str, Any]:
        """Send one call with retries; return the decoded success body or raise MailWizzError."""
        url = self.base_url + path
        query = http_build_query({k: params[k] for k in sorted(params)}) if params else ""
        if query:
            url = f"{url}?{query}"
        body = http_build_query(form) if form else None
        attempts = self.max_retries + 1
        for attempt in range(1, attempts + 1):
            headers = {"Accept": "application/json", **self._auth_headers(method, path, form, params)}
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            started = time.monotonic()
            try:
                response = self._session.request(
                    method, url, data=body, headers=headers, timeout=self.timeout, allow_redirects=False
                )
            except requests.RequestException as exc:
                self._log(method, path, None, started, attempt, attempts, type(exc).__name__)
                read_timeout = isinstance(exc, requests.ReadTimeout)
                error = MailWizzError(
                    f"MailWizz unreachable: {type(exc).__name__}"
                    + (" (the request may have been applied)" if read_timeout else ""),
                    retryable=True,
                )
                if read_timeout and not retry_read_timeout:
                    raise error from exc
            else:
                self._log(method, path, response.status_code, started, attempt, attempts, None)
                try:
                    decoded = response.json()
                except ValueError:
                    decoded = None
                status = response.status_code
                if 200 <= status < 300 and isinstance(decoded, dict) and decoded.get("status") != "error":
                    return decoded
                message, errors = _error_from_body(decoded)
                if not message:
                    message = (
                        "MailWizz returned a response that is not JSON"
                        if 200 <= status < 300
                        else f"MailWizz HTTP {status} {response.reason or ''}".strip()
                    )
                retryable = status >= 500 or _is_mutex_conflict(status, message)
                error = MailWizzError(message, status=status, errors=errors, retryable=retryable)
                if not retryable:
                    raise error
            if attempt < attempts:
                time.sleep(self.backoff * 2 ** (attempt - 1))
        raise error

    def _log(
        self,
        method: str,
        path: str,
        status: int | None,
        started: float,
        attempt: int,
        attempts: int,
        failure: str | None,
    ) -> None:
        duration_ms = (time.monotonic() - started) * 1000
        logger.log(
            logging.INFO if status is not None and status < 500 else logging.WARNING,
            "mailwizz %s %s %s -> %s in %.0f ms (attempt %d/%d)",
            method,
            self._host,
            path,
            status if status is not None else failure,
            duration_ms,
            attempt,
            attempts,
            extra={
                "mailwizz_method": method,
                "mailwizz_path": path,
                "mailwizz_status": status,
                "mailwizz_duration_ms": round(duration_ms, 1),
            },
        )

    def _paginate(self, path: str, per_page: int) -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            data = self._request("GET", path, params={"page": page, "per_page": per_page}).get("data") or {}
            records = data.get("records") or []
            yield from records
            total_pages = lenient_int(data.get("total_pages"))
            if not records or page >= total_pages:
                return
            page += 1

    # ---- health ------------------------------------------------------------------------

    def ping(self) -> None:
        """A cheap authenticated call (first list, one per page); raises MailWizzError."""
        self._request("GET", "/lists", params={"page": 1, "per_page": 1})

    # ---- lists -------------------------------------------------------------------------

    def list_lists(self, *, per_page: int = 50) -> Iterator[dict[str, Any]]:
        """Every list record (``{general{list_uid,name,...},defaults{...}}``), page by page."""
        return self._paginate("/lists", per_page)

    def get_list(self, list_uid: str) -> dict[str, Any]:
        return self._request("GET", f"/lists/{list_uid}")["data"]["record"]

    def create_list(
        self,
        *,
        name: str,
        from_name: str,
        from_email: str,
        reply_to: str,
        subject: str = "",
        description: str = "",
        opt_in: str = "single",
        opt_out: str = "single",
        company: Mapping[str, str] | None = None,
    ) -> str:
        """Create a list and return its uid. ``company`` keys: name, country, zone,
        address_1, city, zip_code (MailWizz falls back to the customer's company)."""
        form: dict[str, Any] = {
            "general": {
                "name": name,
                "description": description or name,
                "opt_in": opt_in,
                "opt_out": opt_out,
            },
            "defaults": {
                "from_name": from_name,
                "from_email": from_email,
                "reply_to": reply_to,
                "subject": subject or None,
            },
        }
        if company:
            form["company"] = dict(company)
        body = self._request("POST", "/lists", form=form, retry_read_timeout=False)
        return str(body["list_uid"])

    # ---- list fields -------------------------------------------------------------------

    def list_fields(self, list_uid: str) -> list[dict[str, Any]]:
        """Field records ``{tag,label,required,type{identifier}}``; a new list has EMAIL, FNAME, LNAME."""
        return list(self._request("GET", f"/lists/{list_uid}/fields")["data"]["records"])

    def create_field(
        self,
        list_uid: str,
        *,
        tag: str,
        label: str,
        type: str = "text",
        required: bool = False,
        visibility: str = "visible",
    ) -> dict[str, Any]:
        """Add a custom field (MailWizz 2.4+); returns its record (``field_id``, ``tag``...)."""
        form = {
            "type": type,
            "label": label,
            "tag": tag,
            "required": "yes" if required else "no",
            "visibility": visibility,
        }
        return self._request("POST", f"/lists/{list_uid}/fields", form=form)["data"]["record"]

    # ---- subscribers -------------------------------------------------------------------

    def create_subscriber(
        self,
        list_uid: str,
        *,
        email: str,
        fields: Mapping[str, Any] | None = None,
        status: str | None = "confirmed",
        source: str | None = "api",
    ) -> str:
        """Add one subscriber and return its uid. ``fields`` maps tags (FNAME...) to values;
        ``status="confirmed"`` skips double opt-in. 409 if already in the list."""
        form: dict[str, Any] = {"EMAIL": email, **(fields or {})}
        form["details"] = {"status": status, "source": source}
        body = self._request("POST", f"/lists/{list_uid}/subscribers", form=form)
        return str(body["data"]["record"]["subscriber_uid"])

    def iter_create_subscribers_bulk(
        self,
        list_uid: str,
        subscribers: Iterable[Mapping[str, Any]],
        *,
        status: str | None = "confirmed",
        chunk_size: int = BULK_SUBSCRIBERS_MAX,
    ) -> Iterator[list[BulkSubscriberResult]]:
        """Like ``create_subscribers_bulk`` but yields each chunk's results as soon as that
        call returns, so a caller can record progress before a later chunk fails."""
        if not 1 <= chunk_size <= BULK_SUBSCRIBERS_MAX:
            raise ValueError(f"chunk_size must be between 1 and {BULK_SUBSCRIBERS_MAX}")
        chunk: list[dict[str, Any]] = []
        offset = 0
        for subscriber in subscribers:
            item = dict(subscriber)
            if status is not None:
                details = dict(item.get("details") or {})
                details.setdefault("status", status)
                item["details"] = details
            chunk.append(item)
            if len(chunk) == chunk_size:
                yield self._bulk_chunk(list_uid, chunk, offset)
                offset += len(chunk)
                chunk = []
        if chunk:
            yield self._bulk_chunk(list_uid, chunk, offset)

    def create_subscribers_bulk(
        self,
        list_uid: str,
        subscribers: Iterable[Mapping[str, Any]],
        *,
        status: str | None = "confirmed",
        chunk_size: int = BULK_SUBSCRIBERS_MAX,
    ) -> list[BulkSubscriberResult]:
        """Add many subscribers (each a mapping of tags, ``EMAIL`` required, optional
        ``details``), at most ``chunk_size`` (<= 10,000) per call. Returns one result per
        input item, in input order; per-item errors are in ``result.errors``, not raised."""
        results: list[BulkSubscriberResult] = []
        for chunk_results in self.iter_create_subscribers_bulk(
            list_uid, subscribers, status=status, chunk_size=chunk_size
        ):
            results.extend(chunk_results)
        return results

    def _bulk_chunk(
        self, list_uid: str, chunk: list[dict[str, Any]], offset: int
    ) -> list[BulkSubscriberResult]:
        body = self._request("POST", f"/lists/{list_uid}/subscribers/bulk", form={"subscribers": chunk})
        records = (body.get("data") or {}).get("records") or []
        if len(records) != len(chunk):  # fall back to matching by email
            by_email = {
                str((r.get("data") or {}).get("EMAIL", "")).strip().lower(): r
                for r in records
                if isinstance(r, Mapping)
            }
            records = [by_email.get(str(item.get("EMAIL", "")).strip().lower()) for item in chunk]
        results = []
        for position, (item, record) in enumerate(zip(chunk, records)):
            email = str(item.get("EMAIL", ""))
            if not isinstance(record, Mapping):
                errors = {"_common": "MailWizz returned no result for this subscriber."}
                results.append(BulkSubscriberResult(offset + position, email, None, errors))
                continue
            data = record.get("data") or {}
            raw_errors = record.get("errors") or {}
            if isinstance(raw_errors, Mapping):
                errors = {str(k): str(v) for k, v in raw_errors.items()}
            else:
                errors = {"_common": str(raw_errors)}
            uid = data.get("subscriber_uid") if isinstance(data, Mapping) else None
            results.append(BulkSubscriberResult(offset + position, email, str(uid) if uid else None, errors))
        return results

    def search_by_email(self, list_uid: str, email: str) -> dict[str, Any] | None:
        """``{subscriber_uid,status,date_added}`` of ``email`` in the list, or None if absent."""
        try:
            body = self._request(
                "GET", f"/lists/{list_uid}/subscribers/search-by-email", params={"EMAIL": email}
            )
        except MailWizzError as exc:
            if exc.status == 404:
                return None
            raise
        return body["data"]

    def update_subscriber(
        self,
        list_uid: str,
        subscriber_uid: str,
        *,
        fields: Mapping[str, Any] | None = None,
        status: str | None = None,
    ) -> dict[str, Any]:
        """Change tags (and ``details[status]`` if given); returns the updated record.
        MailWizz answers 409 for an unknown uid."""
        form: dict[str, Any] = dict(fields or {})
        if status is not None:
            form["details"] = {"status": status}
        body = self._request("PUT", f"/lists/{list_uid}/subscribers/{subscriber_uid}", form=form)
        return (body.get("data") or {}).get("record") or {}

    def unsubscribe_subscriber(self, list_uid: str, subscriber_uid: str) -> None:
        self._request("PUT", f"/lists/{list_uid}/subscribers/{subscriber_uid}/unsubscribe")

    def unsubscribe_by_email_from_all_lists(self, email: str) -> bool:
        """Unsubscribe ``email`` everywhere; False when MailWizz does not know it (404)."""
        try:
            self._request(
                "PUT", "/lists/subscribers/unsubscribe-by-email-from-all-lists", form={"EMAIL": email}
            )
        except MailWizzError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def delete_subscriber(self, list_uid: str, subscriber_uid: str) -> None:
        self._request("DELETE", f"/lists/{list_uid}/subscribers/{subscriber_uid}")

    # ---- campaigns ---------------------------------------------------------------------

    def create_campaign(
        self,
        *,
        name: str,
        list_uid: str,
        from_name: str,
        from_email: str,
        reply_to: str,
        subject: str,
        html: str,
        plain_text: str | None = None,
        send_at: datetime | str | None = None,
        segment_uid: str | None = None,
        type: str = "regular",
        inline_css: bool = False,
        url_tracking: bool = True,
    ) -> str:
        """Create a campaign (HTML and plain text sent base64) and return its uid.

        ``send_at`` is sent as ``Y-m-d H:i:s`` and read by MailWizz in the customer's time
        zone; ``None`` means now (UTC wall time). Not retried after a read timeout.
        """
        if send_at is None:
            send_at = datetime.now(timezone.utc)
        if isinstance(send_at, datetime):
            send_at = send_at.strftime("%Y-%m-%d %H:%M:%S")
        form = {
            "campaign": {
                "name": name,
                "type": type,
                "from_name": from_name,
                "from_email": from_email,
                "subject": subject,
                "reply_to": reply_to,
                "send_at": send_at,
                "list_uid": list_uid,
                "segment_uid": segment_uid,
                "template": {
                    "content": _b64(html),
                    "plain_text": _b64(plain_text) if plain_text else None,
                    "inline_css": "yes" if inline_css else "no",
                },
                "options": {"url_tracking": "yes" if url_tracking else "no"},
            }
        }
        body = self._request("POST", "/campaigns", form=form, retry_read_timeout=False)
        return str(body["campaign_uid"])

    def get_campaign(self, campaign_uid: str) -> dict[str, Any]:
        """``{campaign_uid,name,status,send_at,list{...}}``."""
        return self._request("GET", f"/campaigns/{campaign_uid}")["data"]["record"]

    def pause_unpause(self, campaign_uid: str) -> str:
        """Toggle pause; returns the new status (``paused`` or ``sending``)."""
        body = self._request("PUT", f"/campaigns/{campaign_uid}/pause-unpause")
        return str((body.get("campaign") or {}).get("status") or "")

    def campaign_stats(self, campaign_uid: str) -> CampaignStats:
        return CampaignStats.from_data(self._request("GET", f"/campaigns/{campaign_uid}/stats")["data"])

    def campaign_unsubscribes(self, campaign_uid: str, *, per_page: int = 100) -> Iterator[CampaignUnsubscribe]:
        """Every unsubscribe recorded for the campaign, fetched page by page."""
        for record in self._paginate(f"/campaigns/{campaign_uid}/unsubscribes", per_page):
            yield CampaignUnsubscribe.from_record(record)

    def campaign_bounce(
        self, campaign_uid: str, *, subscriber_uid: str, bounce_type: str, message: str = ""
    ) -> None:
        """Record a bounce (``hard``/``soft``/``internal``) for a subscriber of the campaign."""
        if bounce_type not in ("hard", "soft", "internal"):
            raise ValueError("bounce_type must be hard, soft or internal")
        form = {"subscriber_uid": subscriber_uid, "bounce_type": bounce_type, "message": message or None}
        self._request("POST", f"/campaigns/{campaign_uid}/bounces", form=form)
