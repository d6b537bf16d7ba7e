"""Check that a sending domain's live DNS matches what we publish.

``dns_check_host`` asks one nameserver (never the system resolver) for the A, PTR,
SPF, DKIM and DMARC records of a :class:`~deliverability.dns_records.SendingHost`
and compares them with what they must be. Each check ends in one of:

* ``ok``: the record is there and right;
* ``missing``: no such name (NXDOMAIN) or no record of that type (NoAnswer);
* ``wrong``: a record is there but does not say what it must;
* ``error``: the nameserver failed (timeout, SERVFAIL, refused), nothing is known.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime, timezone

import dns.exception
import dns.resolver
import dns.reversename

from deliverability.dkim import dkim_txt_value
from deliverability.dns_records import SendingHost

OK = "ok"
MISSING = "missing"
WRONG = "wrong"
ERROR = "error"

CHECK_NAMES = ("a", "ptr", "fcrdns", "spf", "dkim", "dmarc")
DMARC_POLICIES = ("none", "quarantine", "reject")


@dataclass(frozen=True)
class RecordCheck:
    """The outcome of one check: ``name`` (one of ``CHECK_NAMES``), ``status``, what
    was ``found`` (record text, empty if nothing), what was ``expected`` and a
    ``message`` saying why it is not ok (empty when ok)."""

    name: str
    status: str
    found: str
    expected: str
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status == OK

    def as_dict(self) -> dict:
        return {"status": self.status, "found": self.found, "expected": self.expected, "message": self.message}


@dataclass(frozen=True)
class DnsCheckResult:
    """All checks of one sending host, in ``CHECK_NAMES`` order."""

    host: SendingHost
    checks: tuple[RecordCheck, ...]
    checked_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def domain(self) -> str:
        return self.host.domain

    @property
    def ip(self) -> str:
        return self.host.ip

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def check(self, name: str) -> RecordCheck:
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(name)

    def as_dict(self) -> dict:
        """JSON-ready: ``{"domain", "ip", "ok", "checked_at" (ISO 8601 UTC), "checks":
        {name: {"status", "found", "expected", "message"}}}``."""
        return {
            "domain": self.domain,
            "ip": self.ip,
            "ok": self.ok,
            "checked_at": self.checked_at.isoformat(),
            "checks": {check.name: check.as_dict() for check in self.checks},
        }


def dns_check_host(
    host: SendingHost, *, nameserver: str = "127.0.0.1", port: int = 53, timeout: float = 2.0
) -> DnsCheckResult:
    """Check ``host``'s A, PTR, forward-confirmed reverse DNS, SPF, DKIM and DMARC
    against the nameserver at ``nameserver:port``; ``timeout`` bounds each query.

    After a query times out the remaining checks are reported as ``error`` without
    waiting again, so a dead nameserver costs one timeout per host, not six.
    """
    lookup = _Lookup(nameserver=nameserver, port=port, timeout=timeout)
    ptr_check, ptr_names = _check_ptr(lookup, host)
    checks = (
        _check_a(lookup, host),
        ptr_check,
        _check_fcrdns(lookup, host, ptr_check, ptr_names),
        _check_spf(lookup, host),
        _check_dkim(lookup, host),
        _check_dmarc(lookup, host),
    )
    return DnsCheckResult(host=host, checks=checks)


def dns_check_table(results) -> str:
    """A fixed-width table of results (one row per domain, one column per check),
    followed by one line per failed check with what was found and expected."""
    results = list(results)
    headers = ("DOMAIN", "IP") + tuple(name.upper() for name in CHECK_NAMES)
    rows = [
        (result.domain, result.ip) + tuple(_label(check.status) for check in result.checks)
        for result in results
    ]
    widths = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(headers)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(headers, widths)).rstrip()]
    lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    problems = [(result, check) for result in results for check in result.checks if not check.ok]
    if problems:
        lines.append("")
        for result, check in problems:
            lines.append(f"{result.domain} {check.name}: {check.status} - {check.message}")
            lines.append(f"    found:    {_shorten(check.found) or '(nothing)'}")
            lines.append(f"    expected: {_shorten(check.expected)}")
    ok_count = sum(1 for result in results if result.ok)
    lines.append("")
    lines.append(f"{ok_count}/{len(results)} domains OK")
    return "\n".join(lines) + "\n"


# --- lookups -------------------------------------------------------------------------


class _Lookup:
    def __init__(self, *, nameserver: str, port: int, timeout: float):
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [nameserver]
        resolver.port = port
        resolver.timeout = timeout
        resolver.lifetime = timeout
        resolver.cache = None
        self.resolver = resolver
        self.where = f"{nameserver}:{port}"
        self.timeout = timeout
        self.dead = False

    def __call__(self, name: str, rtype: str):
        """Return ``(status, answers, message)``: status ``ok`` with rdata objects,
        ``missing`` or ``error``."""
        if self.dead:
            return ERROR, [], f"skipped: nameserver {self.where} did not answer"
        try:
            answer = self.resolver.resolve(name.rstrip(".") + ".", rtype, search=False, raise_on_no_answer=True)
        except dns.resolver.NXDOMAIN:
            return MISSING, [], f"{name} does not exist (NXDOMAIN)"
        except dns.resolver.NoAnswer:
            return MISSING, [], f"{name} has no {rtype} record"
        except dns.exception.Timeout:
            self.dead = True
            return ERROR, [], f"nameserver {self.where} did not answer within {self.timeout:g}s"
        except dns.resolver.NoNameservers as exc:
            return ERROR, [], f"nameserver {self.where} failed: {exc}"
        except dns.exception.DNSException as exc:
            return ERROR, [], f"DNS query for {name} {rtype} failed: {exc}"
        return OK, list(answer), ""


def _txt_texts(answers) -> list[str]:
    return [b"".join(rdata.strings).decode("utf-8", errors="replace") for rdata in answers]


def _names(answers) -> list[str]:
    return sorted(str(rdata.target).rstrip(".").lower() for rdata in answers)


# --- checks --------------------------------------------------------------------------


def _check_a(lookup, host) -> RecordCheck:
    status, answers, message = lookup(host.domain, "A")
    if status != OK:
        return RecordCheck("a", status, "", host.ip, message)
    addresses = sorted({rdata.address for rdata in answers}, key=ipaddress.ip_address)
    found = ", ".join(addresses)
    if host.ip in addresses:
        return RecordCheck("a", OK, found, host.ip)
    return RecordCheck("a", WRONG, found, host.ip, f"{host.domain} does not point at {host.ip}")


def _check_ptr(lookup, host) -> tuple[RecordCheck, list[str]]:
    reverse = dns.reversename.from_address(host.ip).to_text()
    status, answers, message = lookup(reverse, "PTR")
    if status != OK:
        return RecordCheck("ptr", status, "", host.domain, message), []
    names = _names(answers)
    found = ", ".join(names)
    if host.domain in names:
        return RecordCheck("ptr", OK, found, host.domain), names
    return RecordCheck("ptr", WRONG, found, host.domain, f"{host.ip} does not point back at {host.domain}"), names


def _check_fcrdns(lookup, host, ptr_check, ptr_names) -> RecordCheck:
    expected = f"{host.domain} -> {host.ip}"
    if ptr_check.status in (MISSING, ERROR):
        return RecordCheck("fcrdns", ptr_check.status, "", expected, f"no PTR to confirm: {ptr_check.message}")
    found_parts = []
    for name in ptr_names:
        status, answers, message = lookup(name, "A")
        if status == ERROR:
            return RecordCheck("fcrdns", ERROR, "; ".join(found_parts), expected, message)
        addresses = sorted({rdata.address for rdata in answers}, key=ipaddress.ip_address)
        found_parts.append(f"{name} -> {', '.join(addresses) or status}")
        if host.ip in addresses:
            return RecordCheck("fcrdns", OK, found_parts[-1], expected)
    return RecordCheck("fcrdns", WRONG, "; ".join(found_parts), expected,
                       f"no PTR name of {host.ip} resolves back to it")


def _check_spf(lookup, host) -> RecordCheck:
    expected = host.spf_value
    status, answers, message = lookup(host.domain, "TXT")
    if status != OK:
        return RecordCheck("spf", status, "", expected, message)
    records = [text for text in _txt_texts(answers) if _is_spf(text)]
    if not records:
        return RecordCheck("spf", MISSING, " | ".join(_txt_texts(answers)), expected,
                           f"{host.domain} has TXT records but none is v=spf1")
    found = " | ".join(records)
    if len(records) > 1:
        return RecordCheck("spf", WRONG, found, expected, "more than one v=spf1 record (SPF permerror)")
    problem = _spf_problem(records[0], host.ip)
    if problem:
        return RecordCheck("spf", WRONG, found, expected, problem)
    return RecordCheck("spf", OK, found, expected)


def _is_spf(text: str) -> bool:
    lowered = text.strip().lower()
    return lowered == "v=spf1" or lowered.startswith("v=spf1 ")


def _spf_problem(record: str, ip: str) -> str:
    """Why ``record`` fails to authorise ``ip`` strictly, or "" if it does."""
    address = ipaddress.ip_address(ip)
    authorised = False
    all_qualifier = None
    for term in record.split()[1:]:
        qualifier, mechanism = (term[0], term[1:]) if term[0] in "+-~?" else ("+", term)
        mechanism = mechanism.lower()
        if mechanism == "all":
            all_qualifier = qualifier
            break  # terms after "all" are never evaluated
        if mechanism.startswith("ip4:"):
            try:
                network = ipaddress.ip_network(mechanism[4:], strict=False)
            except ValueError:
                return f"unparseable SPF term {term!r}"
            if qualifier == "+" and address in network:
                authorised = True
    if all_qualifier == "+":
        return "SPF ends in +all: it authorises every server on the internet"
    if all_qualifier not in ("-", "~"):
        return "SPF does not end in -all or ~all"
    if not authorised:
        return f"SPF does not include ip4:{ip}"
    return ""


def _tags(text: str) -> dict[str, str] | None:
    """Parse ``tag=value; tag=value`` (DKIM and DMARC); None if a part has no ``=``."""
    tags: dict[str, str] = {}
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            return None
        tag, value = part.split("=", 1)
        tags[tag.strip().lower()] = value.strip()
    return tags


def _check_dkim(lookup, host) -> RecordCheck:
    ours = "".join((host.dkim_public_b64 or "").split())
    if not ours:
        return RecordCheck("dkim", ERROR, "", "", "no DKIM key generated for this domain yet (generate_dkim_keys)")
    expected = dkim_txt_value(ours)
    status, answers, message = lookup(host.dkim_name, "TXT")
    if status != OK:
        return RecordCheck("dkim", status, "", expected, message)
    texts = _txt_texts(answers)
    found = " | ".join(texts)
    for text in texts:
        tags = _tags(text)
        if tags is None or "p" not in tags:
            continue
        if tags.get("v", "DKIM1") != "DKIM1" or tags.get("k", "rsa").lower() != "rsa":
            continue
        if "".join(tags["p"].split()) == ours:
            return RecordCheck("dkim", OK, found, expected)
    if not any((_tags(text) or {}).get("p") for text in texts):
        reason = "no DKIM public key (p=) in the record"
    else:
        reason = "the published DKIM key is not ours"
    return RecordCheck("dkim", WRONG, found, expected, reason)


def _check_dmarc(lookup, host) -> RecordCheck:
    expected = host.dmarc_value
    status, answers, message = lookup(host.dmarc_name, "TXT")
    if status != OK:
        return RecordCheck("dmarc", status, "", expected, message)
    texts = _txt_texts(answers)
    found = " | ".join(texts)
    records = [text for text in texts if text.strip().lower().startswith("v=dmarc1")]
    if not records:
        return RecordCheck("dmarc", WRONG, found, expected, "no record starts with v=DMARC1")
    if len(records) > 1:
        return RecordCheck("dmarc", WRONG, found, expected, "more than one v=DMARC1 record")
    problem = _dmarc_problem(records[0])
    if problem:
        return RecordCheck("dmarc", WRONG, found, expected, problem)
    return RecordCheck("dmarc", OK, found, expected)


def _dmarc_problem(record: str) -> str:
    tags = _tags(record)
    if tags is None:
        return "DMARC record is not a list of tag=value pairs"
    if record.split(";", 1)[0].replace(" ", "") != "v=DMARC1":
        return "DMARC record must start with v=DMARC1"
    if tags.get("p", "").lower() not in DMARC_POLICIES:
        return f"DMARC policy p= must be one of {', '.join(DMARC_POLICIES)}"
    if "sp" in tags and tags["sp"].lower() not in DMARC_POLICIES:
        return f"DMARC subdomain policy sp= must be one of {', '.join(DMARC_POLICIES)}"
    if "pct" in tags and not (tags["pct"].isdigit() and 0 <= int(tags["pct"]) <= 100):
        return "DMARC pct= must be a number from 0 to 100"
    for tag in ("rua", "ruf"):
        if tag in tags and not all(":" in uri for uri in tags[tag].split(",")):
            return f"DMARC {tag}= must be a list of URIs (mailto:...)"
    return ""


def _label(status: str) -> str:
    return "OK" if status == OK else status


def _shorten(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
