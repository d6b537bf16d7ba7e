"""A local MailWizz: a real HTTP server on 127.0.0.1 implementing ``mailwizz-api.md``.

MailWizz cannot run here, so the client and the sync code are tested against this double. It
keeps lists, fields, subscribers and campaigns in memory and behaves like the documented server
where our code could go wrong:

* 2.x ``X-API-KEY`` checking, or 1.x ``X-MW-*`` signature checking (its own PHP-style encoder,
  independent from the client's); every auth failure is HTTP 400 with MailWizz's error JSON;
  a 1.x timestamp older than 900 s is refused.
* POST bodies are read from form fields only (PHP ``parse_str`` of nested keys); a JSON POST
  body is ignored, so the required ``EMAIL`` is then missing (422). PUT/DELETE take form or JSON.
* Wrong verb on a known path: 400. 201 where the contract says 201. Per-item bulk errors,
  409 duplicates and blacklisted addresses, 404 unknown uids, the pagination envelope, numbers
  as strings in stats.
* Switchable failures: ``fail_next(n, status=500)``, ``fail_next(n, kind="timeout")`` (sleeps
  ``timeout_delay`` then answers 500, without applying the request),
  ``fail_next(n, kind="mutex")`` (409 mutex message), ``set_down(True)`` (connection refused,
  or ``mode="503"``: every call answers 503 as when the API is switched off).

Every request is recorded in ``double.requests`` (``RecordedRequest``), with the status it got.

Use it as a context manager (``with MailWizzDouble() as double:``) or through the
``mailwizz_double_factory`` pytest fixture (import it into a test module or a conftest).
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import hmac
import json
import re
import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qsl, urlsplit

import pytest

MAX_BULK = 10_000
REQUEST_TIMEFRAME = 900
MUTEX_MESSAGE = "Unable to acquire the mutex lock, please try again later."
SERVICE_UNAVAILABLE = "Service Unavailable."
INVALID_PARAMS = "Invalid API request params. Please refer to the documentation."
INVALID_KEY = "Invalid API key. Please refer to the documentation."
EXPIRED = "Your request expired. Please refer to the documentation."
INVALID_SIGNATURE = "Invalid API request signature. Please refer to the documentation."
WRONG_VERB = "Invalid request. Please do not repeat this request again."
ALREADY_IN_LIST = "The subscriber already exists in this list."
BLACKLISTED = "This email address is blacklisted."
LIST_NOT_FOUND = "The subscribers list does not exist."
SUBSCRIBER_NOT_FOUND = "The subscriber does not exist in this list."
CAMPAIGN_NOT_FOUND = "The campaign does not exist."

_UID_CHARS = string.ascii_lowercase + string.digits
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TAG = re.compile(r"^[A-Z][A-Z0-9_]{0,49}$")
_U = "[a-z0-9]{13}"


def new_uid() -> str:
    """A MailWizz uid: 13 characters of ``[a-z0-9]``."""
    return "".join(secrets.choice(_UID_CHARS) for _ in range(13))


def _now_text() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


# --- PHP wire format, written independently from the client's encoder -------------------------


def php_urlencode(text: str) -> str:
    """PHP ``urlencode`` byte by byte: ``[A-Za-z0-9-_.]`` kept, space ``+``, rest ``%XX``."""
    out = []
    for byte in text.encode("utf-8"):
        char = chr(byte)
        if char.isascii() and (char.isalnum() or char in "-_."):
            out.append(char)
        elif char == " ":
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def php_http_build_query(data: dict[str, Any], prefix: str | None = None) -> str:
    """PHP ``http_build_query`` of a parsed (string-valued, nested dict) PHP array."""
    parts = []
    for key, value in data.items():
        encoded_key = php_urlencode(str(key)) if prefix is None else f"{prefix}%5B{php_urlencode(str(key))}%5D"
        if value is None:
            continue
        if isinstance(value, dict):
            nested = php_http_build_query(value, encoded_key)
            if nested:
                parts.append(nested)
        else:
            parts.append(f"{encoded_key}={php_urlencode(str(value))}")
    return "&".join(parts)


def php_parse_str(body: str) -> dict[str, Any]:
    """PHP ``parse_str``: ``a[b][0]=x`` becomes ``{"a": {"b": {"0": "x"}}}`` (insertion order)."""
    result: dict[str, Any] = {}
    for raw_key, value in parse_qsl(body, keep_blank_values=True):
        match = re.match(r"^([^\[]+)((?:\[[^\]]*\])*)$", raw_key)
        if not match:
            result[raw_key] = value
            continue
        path = [match.group(1)] + re.findall(r"\[([^\]]*)\]", match.group(2))
        node = result
        for position, segment in enumerate(path):
            last = position == len(path) - 1
            if segment == "":
                segment = str(sum(1 for k in node if k.isdigit()))
            if last:
                node[segment] = value
            else:
                child = node.get(segment)
                if not isinstance(child, dict):
                    child = node[segment] = {}
                node = child
    return result


# --- the double -------------------------------------------------------------------------------


@dataclass
class RecordedRequest:
    """One HTTP request as the double received it (``path`` is relative to the API prefix)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    form: dict[str, Any]
    status: int | None = None


@dataclass
class _Failure:
    kind: str
    status: int


class ApiError(Exception):
    def __init__(self, status: int, error: Any):
        self.status = status
        self.error = error


@dataclass
class _List:
    uid: str
    general: dict[str, Any]
    defaults: dict[str, Any]
    company: dict[str, Any]
    fields: list[dict[str, Any]] = field(default_factory=list)
    subscribers: dict[str, dict[str, Any]] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)  # lower-cased email -> subscriber uid

    def by_email(self, email: str) -> dict[str, Any] | None:
        uid = self.emails.get(email.strip().lower())
        return self.subscribers.get(uid) if uid else None

    def put(self, subscriber: dict[str, Any]) -> None:
        self.subscribers[subscriber["subscriber_uid"]] = subscriber
        self.emails[subscriber["email"].lower()] = subscriber["subscriber_uid"]

    def remove(self, subscriber_uid: str) -> dict[str, Any] | None:
        subscriber = self.subscribers.pop(subscriber_uid, None)
        if subscriber is not None:
            self.emails.pop(subscriber["email"].lower(), None)
        return subscriber


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], double: MailWizzDouble):
        self.double = double
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timeout tests) closes the socket mid-answer


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _dispatch(self) -> None:
        self.server.double._handle(self)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch


class MailWizzDouble:
    """In-memory MailWizz behind a real HTTP server; see the module docstring."""

    def __init__(
        self,
        *,
        api_version: int = 2,
        api_key: str | None = None,
        public_key: str | None = None,
        private_key: str | None = None,
        prefix: str = "/api",
        timeout_delay: float = 1.0,
        now: Callable[[], float] = time.time,
    ):
        if api_version not in (1, 2):
            raise ValueError("api_version must be 1 or 2")
        self.api_version = api_version
        self.public_key = public_key or api_key or secrets.token_hex(20)
        self.private_key = private_key or secrets.token_hex(20)
        self.prefix = prefix.rstrip("/")
        self.timeout_delay = timeout_delay
        self.now = now
        self.api_enabled = True
        self.requests: list[RecordedRequest] = []
        self._lists: dict[str, _List] = {}
        self._campaigns: dict[str, dict[str, Any]] = {}
        self._blacklist: set[str] = set()
        self._failures: list[_Failure] = []
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port = 0
        self._down_mode: str | None = None
        self._field_ids = 0

    # ---- lifecycle -------------------------------------------------------------------------

    @property
    def api_key(self) -> str:
        return self.public_key

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}{self.prefix}"

    def client_kwargs(self) -> dict[str, Any]:
        """``MailWizzClient(**double.client_kwargs(), ...)`` talks to this double."""
        kwargs: dict[str, Any] = {"base_url": self.base_url, "public_key": self.public_key, "api_version": self.api_version}
        if self.api_version == 1:
            kwargs["private_key"] = self.private_key
        return kwargs

    def start(self) -> MailWizzDouble:
        self._stopping.clear()
        self._listen()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._close()

    def __enter__(self) -> MailWizzDouble:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _listen(self) -> None:
        self._server = _Server(("127.0.0.1", self._port), self)
        self._port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def _close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    # ---- switches for tests ----------------------------------------------------------------

    def fail_next(self, n: int = 1, status: int = 500, kind: str = "status") -> None:
        """Make the next ``n`` requests fail: ``kind="status"`` answers ``status``,
        ``"timeout"`` sleeps ``timeout_delay`` first, ``"mutex"`` answers MailWizz's 409
        mutex error. Failed requests are not applied."""
        if kind not in ("status", "timeout", "mutex"):
            raise ValueError(kind)
        with self._lock:
            self._failures.extend(_Failure(kind, 409 if kind == "mutex" else status) for _ in range(n))

    def set_down(self, down: bool, mode: str = "refuse") -> None:
        """Simulate an outage: ``mode="refuse"`` stops listening (connection refused),
        ``mode="503"`` answers 503 to everything. ``set_down(False)`` brings it back."""
        if mode not in ("refuse", "503"):
            raise ValueError(mode)
        if down and self._down_mode is None:
            self._down_mode = mode
            if mode == "refuse":
                self._close()
        elif not down and self._down_mode is not None:
            if self._down_mode == "refuse":
                self._listen()
            self._down_mode = None

    def blacklist(self, email: str) -> None:
        with self._lock:
            self._blacklist.add(email.strip().lower())

    # ---- state for tests -------------------------------------------------------------------

    def add_list(self, name: str = "Test list", *, opt_in: str = "single") -> str:
        with self._lock:
            return self._create_list(
                {"name": name, "description": name, "opt_in": opt_in, "opt_out": "single"},
                {"from_name": "Test", "from_email": "test@example.com", "reply_to": "test@example.com"},
                {},
            )

    def lists(self) -> list[dict[str, Any]]:
        with self._lock:
            return [self._list_record(item) for item in self._lists.values()]

    def list_field_tags(self, list_uid: str) -> list[str]:
        with self._lock:
            return [f["tag"] for f in self._lists[list_uid].fields]

    def subscribers(self, list_uid: str) -> list[dict[str, Any]]:
        """Copies of ``{subscriber_uid,email,status,source,date_added,fields{TAG: value}}``."""
        with self._lock:
            return copy.deepcopy(list(self._lists[list_uid].subscribers.values()))

    def campaign(self, campaign_uid: str) -> dict[str, Any]:
        """A copy of the stored campaign; ``template.content`` is the decoded HTML."""
        with self._lock:
            return copy.deepcopy(self._campaigns[campaign_uid])

    def campaigns(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(list(self._campaigns.values()))

    def campaign_set_stats(self, campaign_uid: str, stats: dict[str, Any]) -> None:
        """Override stats fields; they are served as strings, as MailWizz does."""
        with self._lock:
            self._campaigns[campaign_uid]["stats"].update(stats)

    def campaign_add_unsubscribe(self, campaign_uid: str, email: str, reason: str = "") -> None:
        """Record that ``email`` unsubscribed through the campaign (and unsubscribe it)."""
        with self._lock:
            campaign = self._campaigns[campaign_uid]
            mw_list = self._lists.get(campaign["list_uid"])
            subscriber = mw_list.by_email(email) if mw_list else None
            if subscriber is not None:
                subscriber["status"] = "unsubscribed"
            campaign["unsubscribes"].append(
                {
                    "subscriber": {
                        "subscriber_uid": subscriber["subscriber_uid"] if subscriber else new_uid(),
                        "email": email,
                    },
                    "reason": reason,
                    "note": "",
                    "ip_address": "127.0.0.1",
                    "user_agent": "",
                    "date_added": _now_text(),
                }
            )

    # ---- HTTP ------------------------------------------------------------------------------

    def _handle(self, handler: _Handler) -> None:
        split = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw_body = handler.rfile.read(length) if length else b""
        method = handler.command
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        content_type = (handler.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        form: dict[str, Any] = {}
        if method in ("POST", "PUT", "DELETE", "PATCH"):
            if content_type == "application/x-www-form-urlencoded":
                form = php_parse_str(raw_body.decode("utf-8", "replace"))
            elif content_type == "application/json" and method != "POST":  # JSON POST is ignored
                try:
                    decoded = json.loads(raw_body or b"{}")
                    form = decoded if isinstance(decoded, dict) else {}
                except ValueError:
                    form = {}
        path = split.path
        relative = path[len(self.prefix):] if path.startswith(self.prefix) else None
        record = RecordedRequest(method, relative if relative is not None else path, query, dict(handler.headers), raw_body, form)
        with self._lock:
            self.requests.append(record)
            failure = self._failures.pop(0) if self._failures else None

        if self._down_mode == "503" or not self.api_enabled:
            status, payload = 503, {"status": "error", "error": SERVICE_UNAVAILABLE}
        elif failure is not None and failure.kind == "timeout":
            self._stopping.wait(self.timeout_delay)
            status, payload = 500, {"status": "error", "error": "Internal Server Error"}
        elif failure is not None and failure.kind == "mutex":
            status, payload = 409, {"status": "error", "error": MUTEX_MESSAGE}
        elif failure is not None:
            status, payload = failure.status, {"status": "error", "error": "Internal Server Error"}
        else:
            try:
                if relative is None:
                    raise ApiError(404, "Page not found.")
                self._authenticate(handler, method, path, query, form)
                status, payload = self._route(method, relative.rstrip("/") or "/", query, form)
            except ApiError as exc:
                status, payload = exc.status, {"status": "error", "error": exc.error}
        record.status = status
        body = json.dumps(payload).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json; charset=utf-8")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except OSError:
            pass

    def _authenticate(self, handler: _Handler, method: str, path: str, query: dict[str, str], form: dict[str, Any]) -> None:
        headers = handler.headers
        if self.api_version == 2:
            key = headers.get("X-API-KEY") or headers.get("X-MW-PUBLIC-KEY")
            if not key:
                raise ApiError(400, INVALID_PARAMS)
            if not hmac.compare_digest(key, self.public_key):
                raise ApiError(400, INVALID_KEY)
            return
        public_key = headers.get("X-MW-PUBLIC-KEY")
        timestamp = headers.get("X-MW-TIMESTAMP")
        signature = headers.get("X-MW-SIGNATURE")
        remote_addr = headers.get("X-MW-REMOTE-ADDR")  # None (absent) is dropped like PHP null
        if not public_key or not timestamp or not signature:
            raise ApiError(400, INVALID_PARAMS)
        if not hmac.compare_digest(public_key, self.public_key):
            raise ApiError(400, INVALID_KEY)
        try:
            stamp = int(timestamp)
        except ValueError:
            stamp = 0
        if stamp + REQUEST_TIMEFRAME < int(self.now()):
            raise ApiError(400, EXPIRED)
        url = f"http://{headers.get('Host')}{path}".rstrip("/")
        get_params = {k: query[k] for k in sorted(query)}
        if get_params:
            url += "?" + php_http_build_query(get_params)
        params: dict[str, Any] = {"X-MW-PUBLIC-KEY": public_key, "X-MW-TIMESTAMP": timestamp, "X-MW-REMOTE-ADDR": remote_addr}
        params.update(form)
        params = {k: params[k] for k in sorted(params, key=lambda k: k.encode("utf-8"))}
        separator = "&" if get_params else "?"
        signed = f"{method} {url}{separator}{php_http_build_query(params)}"
        expected = hmac.new(self.private_key.encode(), signed.encode(), hashlib.sha1).hexdigest()
        if not hmac.compare_digest(expected, signature):
            raise ApiError(400, INVALID_SIGNATURE)

    def _route(self, method: str, path: str, query: dict[str, str], form: dict[str, Any]) -> tuple[int, Any]:
        routes: list[tuple[str, str, Callable[..., tuple[int, Any]]]] = [
            ("GET", r"/lists", self._get_lists),
            ("POST", r"/lists", self._post_lists),
            ("PUT", r"/lists/subscribers/unsubscribe-by-email-from-all-lists", self._unsubscribe_everywhere),
            ("GET", rf"/lists/({_U})", self._get_list),
            ("GET", rf"/lists/({_U})/fields", self._get_fields),
            ("POST", rf"/lists/({_U})/fields", self._post_field),
            ("POST", rf"/lists/({_U})/subscribers", self._post_subscriber),
            ("POST", rf"/lists/({_U})/subscribers/bulk", self._post_bulk),
            ("GET", rf"/lists/({_U})/subscribers/search-by-email", self._search_by_email),
            ("PUT", rf"/lists/({_U})/subscribers/({_U})", self._put_subscriber),
            ("DELETE", rf"/lists/({_U})/subscribers/({_U})", self._delete_subscriber),
            ("PUT", rf"/lists/({_U})/subscribers/({_U})/unsubscribe", self._unsubscribe),
            ("POST", r"/campaigns", self._post_campaign),
            ("GET", rf"/campaigns/({_U})", self._get_campaign),
            ("PUT", rf"/campaigns/({_U})/pause-unpause", self._pause_unpause),
            ("GET", rf"/campaigns/({_U})/stats", self._get_stats),
            ("GET", rf"/campaigns/({_U})/unsubscribes", self._get_unsubscribes),
            ("POST", rf"/campaigns/({_U})/bounces", self._post_bounce),
        ]
        path_matched = False
        for verb, pattern, action in routes:
            match = re.fullmatch(pattern, path)
            if match is None:
                continue
            path_matched = True
            if verb == method:
                with self._lock:
                    return action(*match.groups(), query=query, form=form)
        if path_matched:
            raise ApiError(400, WRONG_VERB)
        raise ApiError(404, "Page not found.")

    # ---- helpers ---------------------------------------------------------------------------

    def _list(self, list_uid: str) -> _List:
        mw_list = self._lists.get(list_uid)
        if mw_list is None:
            raise ApiError(404, LIST_NOT_FOUND)
        return mw_list

    def _campaign(self, campaign_uid: str) -> dict[str, Any]:
        campaign = self._campaigns.get(campaign_uid)
        if campaign is None:
            raise ApiError(404, CAMPAIGN_NOT_FOUND)
        return campaign

    @staticmethod
    def _paginated(records: list[Any], query: dict[str, str]) -> tuple[int, Any]:
        try:
            page = max(1, int(query.get("page", 1)))
            per_page = max(1, min(50_000, int(query.get("per_page", 10))))
        except ValueError:
            raise ApiError(422, "Invalid pagination parameters.") from None
        total_pages = max(1, -(-len(records) // per_page))
        chunk = records[(page - 1) * per_page : page * per_page]
        data = {
            "count": str(len(records)),
            "total_pages": total_pages,
            "current_page": page,
            "next_page": page + 1 if page < total_pages else None,
            "prev_page": page - 1 if page > 1 else None,
            "records": chunk,
        }
        return 200, {"status": "success", "data": data}

    def _next_field_id(self) -> str:
        self._field_ids += 1
        return str(self._field_ids)

    def _field_record(self, tag: str, label: str, required: str = "no", type_: str = "text", visibility: str = "visible") -> dict[str, Any]:
        return {
            "field_id": self._next_field_id(),
            "tag": tag,
            "label": label,
            "required": required,
            "visibility": visibility,
            "type": {"name": type_.title(), "identifier": type_, "description": type_.title()},
        }

    def _create_list(self, general: dict[str, Any], defaults: dict[str, Any], company: dict[str, Any]) -> str:
        uid = new_uid()
        general = {"list_uid": uid, "display_name": general.get("name"), **general}
        mw_list = _List(uid, general, dict(defaults), dict(company))
        mw_list.fields = [
            self._field_record("EMAIL", "Email", required="yes"),
            self._field_record("FNAME", "First name"),
            self._field_record("LNAME", "Last name"),
        ]
        self._lists[uid] = mw_list
        return uid

    @staticmethod
    def _list_record(mw_list: _List) -> dict[str, Any]:
        return copy.deepcopy({"general": mw_list.general, "defaults": mw_list.defaults, "company": mw_list.company})

    def _check_subscriber(self, mw_list: _List, item: dict[str, Any]) -> dict[str, str]:
        """Validation errors for one subscriber payload (field tag -> text)."""
        errors: dict[str, str] = {}
        email = item.get("EMAIL")
        if not isinstance(email, str) or not email.strip():
            errors["EMAIL"] = "Email cannot be blank."
        elif not _EMAIL.match(email.strip()):
            errors["EMAIL"] = "Email is not a valid email address."
        for list_field in mw_list.fields:
            tag = list_field["tag"]
            if tag != "EMAIL" and list_field["required"] == "yes" and not str(item.get(tag) or "").strip():
                errors[tag] = f"{list_field['label']} cannot be blank."
        return errors

    def _add_subscriber(self, mw_list: _List, item: dict[str, Any]) -> dict[str, Any]:
        details = item.get("details") if isinstance(item.get("details"), dict) else {}
        status = details.get("status") or ("confirmed" if mw_list.general.get("opt_in") == "single" else "unconfirmed")
        email = item["EMAIL"].strip()
        subscriber = {
            "subscriber_uid": new_uid(),
            "email": email,
            "status": status,
            "source": details.get("source") or "api",
            "ip_address": details.get("ip_address") or "",
            "date_added": _now_text(),
            "fields": {f["tag"]: (email if f["tag"] == "EMAIL" else str(item.get(f["tag"]) or "")) for f in mw_list.fields},
        }
        mw_list.put(subscriber)
        return subscriber

    def _conflict(self, mw_list: _List, email: str) -> str | None:
        if email.strip().lower() in self._blacklist:
            return BLACKLISTED
        if mw_list.by_email(email) is not None:
            return ALREADY_IN_LIST
        return None

    # ---- lists -----------------------------------------------------------------------------

    def _get_lists(self, *, query: dict[str, str], form: dict[str, Any]) -> tuple[int, Any]:
        return self._paginated([self._list_record(item) for item in self._lists.values()], query)

    def _post_lists(self, *, query: dict[str, str], form: dict[str, Any]) -> tuple[int, Any]:
        general = form.get("general") if isinstance(form.get("general"), dict) else {}
        defaults = form.get("defaults") if isinstance(form.get("defaults"), dict) else {}
        company = form.get("company") if isinstance(form.get("company"), dict) else {}
        errors = {}
        if not general.get("name"):
            errors["name"] = "Name cannot be blank."
        for key in ("from_name", "from_email", "reply_to"):
            if not defaults.get(key):
                errors[key] = f"{key} cannot be blank."
        if general.get("opt_in", "double") not in ("single", "double"):
            errors["opt_in"] = "Opt in is invalid."
        if errors:
            raise ApiError(422, errors)
        general = {"opt_in": "double", "opt_out": "double", "description": "", **general}
        return 201, {"status": "success", "list_uid": self._create_list(general, defaults, company)}

    def _get_list(self, list_uid: str, *, query: dict[str, str], form: dict[str, Any]) -> tuple[int, Any]:
        return 200, {"status": "success", "data": {"record": self._list_record(self._list(list_uid))}}

    def _get_fields(self, list_uid: str, *, query: dict[str, str], form: dict[str, Any]) -> tuple[int, Any]:
        records = copy.deepcopy(self._list(list_uid).fields)
        return 200, {"status": "success", "data": {"records": records}}

    def _post_field(self, list_uid: str, *, query: dict[str, str], form: dict[str, Any]) -> tuple[int, Any]:
        mw_list = self._list(list_uid)
        errors = {}
        tag = str(form.get("tag") or "")
        if not form.get("type"):
            errors["type"] = "Type cannot be blank."
        if not form.get("label"):
            errors["label"] = "Label cannot be blank."
        if not _TAG.match(tag):
            errors["tag"] = "Tag must be uppercase letters, digits and underscores."
        elif any(f["tag"] == tag for f in mw_list.fields):
            errors["tag"] = "Tag is already used in this list."
        if form.get("required", "no") not in ("yes", "no"):
            errors["required"] = "Required must be yes or no."
        if errors:
            raise ApiError(422, errors)
        record = self._field_record(tag, form["label"], form.get("required", "no"), form["type"], form.get("visibility") or "visible")
        mw_list.fields.append(record)
        for subscriber in mw_list.subscribers.values():
            subscriber["fields"].setdefault(tag, "")
        return 201, {"status": "success", "data": {"record": copy.deepcopy(record)}}

    # ---- subscribers -----------------------------------------------------------------------

    def _post_subscriber(self, list_uid: str, *, query: dict[str, str], form: dict[str, Any]) -> tuple[int, Any]:
        mw_list = self._list(list_uid)
        errors = self._check_subscriber(mw_list, form)
        if errors:
            raise ApiError(422, errors)
        conflict = self._conflict(mw_list, form["EMAIL"])
        if conflict:
            raise ApiError(409, conflict)
        subscriber = self._add_subscriber(mw_list, form)
        record = {k: subscriber[k] for k in ("subscriber_uid", "email", "ip_address", "source", "date_added", "status")}
        return 201, {"status": "success", "data": {"record": record}}

    def _post_bulk(self, list_uid: str, *, query: dict[str, str], form: dict[str, Any]) -> tuple[int, Any]:
        mw_list = self._list(list_uid)
        items = form.get("subscribers")
        if not isinstance(items, dict) or not items:
            raise ApiError(422, "Please provide the subscribers.")
        if len(items) > MAX_BULK:
            raise ApiError(422, f"You can add at most {MAX_BULK} subscribers at once.")
        records = []
        for item in items.values():
            item = item if isinstance(item, dict) else {}
            echo = {k: v for k, v in item.items() if not isinstance(v, dict)}
            errors = self._check_subscriber(mw_list, item)
            if not errors:
                conflict = self._conflict(mw_list, item["EMAIL"])
                if conflict:
                    errors = {"_common": conflict}
            if errors:
                records.append({"data": echo, "errors": errors})
            else:
                echo["subscriber_uid"] = self._add_subscriber(mw_list, item)["subscriber_uid"]
                records.append({"data": echo})
        return 201, {"status": "success", "data": {"records": records}}

    def _search_by_email(self, list_uid: str, *, query: dict[str, str], form: dict[str, Any]) -> tuple[int, Any]:
        mw_list = self._list(list_uid)
        email = query.get("EMAIL") or ""
        if not email:
            raise ApiError(422, {"EMAIL": "Email cannot be blank."})
        subscriber = mw_list.by_email(email)
        if subscriber is None:
            raise ApiError(404, SUBSCRIBER_NOT_FOUND)
        data = {k: subscriber[k] for k in ("subscriber_uid", "status", "date_added")}
        return 200, {"status": "success", "data": data}

    def _put_subscriber(self, list_uid: str, subscriber_uid: str, *, query: dict[str, str], form: dict[str, Any]) -> tuple[int, Any]:
        mw_list = self._list(list_uid)
        subscriber = mw_list.subscribers.get(subscriber_uid)
        if subscriber is None:
            raise ApiError(409, SUBSCRIBER_NOT_FOUND)
        if "EMAIL" in form:
            errors = self._check_subscriber(mw_list, {**subscriber["fields"], "EMAIL": form["EMAIL"]})
            if errors:
                raise ApiError(422, errors)
            other = mw_list.by_email(form["EMAIL"])
            if other is not None and other is not subscriber:
                raise ApiError(409, ALREADY_IN_LIST)
            mw_list.remove(subscriber_uid)
            subscriber["email"] = form["EMAIL"].strip()
            mw_list.put(subscriber)
        for list_field in mw_list.fields:
            if list_field["tag"] in form:
                subscriber["fields"][list_field["tag"]] = str(form[list_field["tag"]])
        details = form.get("details") if isinstance(form.get("details"), dict) else {}
        if details.get("status"):
            subscriber["status"] = details["status"]
        record = {k: subscriber[k] for k in ("subscriber_uid", "email", "status", "source", "date_added")}
        record.update(subscriber["fields"])
        return 200, {"status": "success", "data": {"record": record}}

    def _delete_subscriber(self, list_uid: str, subscriber_uid: str, *, query: dict[str, str], form: dict[str, Any]) -> tuple[int, Any]:
        mw_list = self._list(list_uid)
        if mw_list.remove(subscriber_uid) is None:
            raise ApiError(404, SUBSCRIBER_NOT_FOUND)
        return 200, {"status": "success"}

    def _unsubscribe(self, list_uid: str, subscriber_uid: str, *, query: dict[str, str], form: dict[str, Any]) -> tuple[int, Any]:
        subscriber = self._list(list_uid).subscribers.get(subscriber_uid)
        if subscriber is None:
            raise ApiError(404, SUBSCRIBER_NOT_FOUND)
        subscriber["status"] = "unsubscribed"
        return 200, {"status": "success"}

    def _unsubscribe_everywhere(self, *, query: dict[str, str], form: dict[str, Any]) -> tuple[int, Any]:
        email = str(form.get("EMAIL") or "")
        if not email:
            raise ApiError(422, {"EMAIL": "Email cannot be blank."})
        found = [s for s in (m.by_email(email) for m in self._lists.values()) if s is not None]
        if not found:
            raise ApiError(404, "The subscriber does not exist.")
        for subscriber in found:
            subscriber["status"] = "unsubscribed"
        return 200, {"status": "success"}

    # ---- campaigns -------------------------------------------------------------------------

    def _post_campaign(self, *, query: dict[str, str], form: dict[str, Any]) -> tuple[int, Any]:
        data = form.get("campaign") if isinstance(form.get("campaign"), dict) else {}
        errors = {}
        for key in ("name", "from_name", "from_email", "subject", "reply_to", "send_at", "list_uid"):
            if not data.get(key):
                errors[key] = f"{key} cannot be blank."
        if data.get("send_at") and not re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", data["send_at"]):
            errors["send_at"] = "Send at must be Y-m-d H:i:s."
        template = data.get("template") if isinstance(data.get("template"), dict) else {}
        html = plain_text = None
        try:
            html = base64.b64decode(template.get("content") or "", validate=True).decode("utf-8")
            if template.get("plain_text"):
                plain_text = base64.b64decode(template["plain_text"], validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            errors["template"] = "The template content must be base64 encoded."
        if not errors and not html:
            errors["template"] = "Please provide a template for your campaign."
        if errors:
            raise ApiError(422, errors)
        if data["list_uid"] not in self._lists:
            raise ApiError(422, "Provided list does not exist.")
        uid = new_uid()
        self._campaigns[uid] = {
            "campaign_uid": uid,
            "name": data["name"],
            "type": data.get("type") or "regular",
            "status": "pending-sending",
            "from_name": data["from_name"],
            "from_email": data["from_email"],
            "subject": data["subject"],
            "reply_to": data["reply_to"],
            "send_at": data["send_at"],
            "list_uid": data["list_uid"],
            "segment_uid": data.get("segment_uid"),
            "template": {
                "content": html,
                "plain_text": plain_text,
                "inline_css": template.get("inline_css", "no"),
            },
            "options": dict(data.get("options") or {}),
            "date_added": _now_text(),
            "stats": {},
            "unsubscribes": [],
            "bounces": [],
        }
        return 201, {"status": "success", "campaign_uid": uid}

    def _get_campaign(self, campaign_uid: str, *, query: dict[str, str], form: dict[str, Any]) -> tuple[int, Any]:
        campaign = self._campaign(campaign_uid)
        mw_list = self._lists.get(campaign["list_uid"])
        record = {
            "campaign_uid": campaign_uid,
            "name": campaign["name"],
            "type": campaign["type"],
            "status": campaign["status"],
            "send_at": campaign["send_at"],
            "date_added": campaign["date_added"],
            "list": {
                "list_uid": campaign["list_uid"],
                "name": mw_list.general.get("name") if mw_list else "",
                "subscribers_count": str(len(mw_list.subscribers)) if mw_list else "0",
            },
            "segment": {"segment_uid": campaign["segment_uid"]} if campaign["segment_uid"] else None,
        }
        return 200, {"status": "success", "data": {"record": record}}

    def _pause_unpause(self, campaign_uid: str, *, query: dict[str, str], form: dict[str, Any]) -> tuple[int, Any]:
        campaign = self._campaign(campaign_uid)
        if campaign["status"] in ("sending", "pending-sending", "processing"):
            campaign["status"] = "paused"
        elif campaign["status"] == "paused":
            campaign["status"] = "sending"
        else:
            raise ApiError(400, f"A {campaign['status']} campaign cannot be paused or unpaused.")
        return 200, {"status": "success", "campaign": {"status": campaign["status"]}}

    def _get_stats(self, campaign_uid: str, *, query: dict[str, str], form: dict[str, Any]) -> tuple[int, Any]:
        campaign = self._campaign(campaign_uid)
        mw_list = self._lists.get(campaign["list_uid"])
        bounces = campaign["bounces"]
        stats: dict[str, Any] = {
            "campaign_status": campaign["status"],
            "subscribers_count": len(mw_list.subscribers) if mw_list else 0,
            "processed_count": 0,
            "delivery_success_count": 0,
            "delivery_error_count": 0,
            "opens_count": 0,
            "unique_opens_count": 0,
            "clicks_count": 0,
            "unique_clicks_count": 0,
            "unsubscribes_count": len(campaign["unsubscribes"]),
            "complaints_count": 0,
            "bounces_count": len(bounces),
            "hard_bounces_count": sum(1 for b in bounces if b["bounce_type"] == "hard"),
            "soft_bounces_count": sum(1 for b in bounces if b["bounce_type"] == "soft"),
            "internal_bounces_count": sum(1 for b in bounces if b["bounce_type"] == "internal"),
        }
        stats.update(campaign["stats"])
        data = {k: (v if k == "campaign_status" or v is None else str(v)) for k, v in stats.items()}
        return 200, {"status": "success", "data": data}

    def _get_unsubscribes(self, campaign_uid: str, *, query: dict[str, str], form: dict[str, Any]) -> tuple[int, Any]:
        return self._paginated(copy.deepcopy(self._campaign(campaign_uid)["unsubscribes"]), query)

    def _post_bounce(self, campaign_uid: str, *, query: dict[str, str], form: dict[str, Any]) -> tuple[int, Any]:
        campaign = self._campaign(campaign_uid)
        errors = {}
        if form.get("bounce_type") not in ("hard", "soft", "internal"):
            errors["bounce_type"] = "Bounce type must be hard, soft or internal."
        if not form.get("subscriber_uid"):
            errors["subscriber_uid"] = "Subscriber uid cannot be blank."
        if errors:
            raise ApiError(422, errors)
        mw_list = self._lists.get(campaign["list_uid"])
        subscriber = mw_list.subscribers.get(form["subscriber_uid"]) if mw_list else None
        if subscriber is None:
            raise ApiError(404, "Subscriber not found.")
        campaign["bounces"].append(
            {
                "subscriber_uid": subscriber["subscriber_uid"],
                "bounce_type": form["bounce_type"],
                "message": form.get("message") or "",
                "date_added": _now_text(),
            }
        )
        if form["bounce_type"] == "hard":
            subscriber["status"] = "blacklisted"
        return 201, {"status": "success"}


@pytest.fixture
def mailwizz_double_factory():
    """``make(**MailWizzDouble kwargs)`` -> a started double, stopped after the test."""
    started: list[MailWizzDouble] = []

    def make(**kwargs: Any) -> MailWizzDouble:
        double = MailWizzDouble(**kwargs).start()
        started.append(double)
        return double

    yield make
    for double in started:
        double.stop()
