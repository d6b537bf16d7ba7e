"""Deliverability validation of contacts, in the background (never on the ingest path).

For each domain, one MX lookup (cached per process for `DOMAIN_CACHE_SECONDS`, so
10,000 contacts at one domain cost one query): NXDOMAIN, no MX records or a null MX
(RFC 7505: a single `0 .`) make the address invalid. Role accounts (`info@`,
`contact@`...) and disposable domains are risky. Verdicts and scores:

- valid 100; role account: risky 70; disposable domain: risky 20 (10 when both);
- DNS could not answer (timeout, SERVFAIL): risky 40 (unknown, not blamed on the address);
- no mail domain: invalid 0, and an `active` contact becomes `invalid`.

The nameserver is `settings.DNS_NAMESERVER` ("ip" or "ip:port"), else the system's.
"""
import logging
import time
from dataclasses import dataclass

import dns.exception
import dns.resolver
from django.conf import settings
from django.db import connection, transaction

from ..models import ValidationStatus

logger = logging.getLogger(__name__)

DOMAIN_CACHE_SECONDS = 3600
BATCH_SIZE = 5000
ROLE_ACCOUNTS = frozenset(
    "abuse admin administrator billing contact contacto contato enquiries help hello hostmaster hr info "
    "jobs kontakt mail marketing news newsletter no-reply noreply office postmaster press sales "
    "security service support team webmaster".split()
)
DISPOSABLE_DOMAINS = frozenset(
    "10minutemail.com 20minutemail.com guerrillamail.com guerrillamail.net sharklasers.com grr.la "
    "mailinator.com mailinator.net maildrop.cc yopmail.com yopmail.fr yopmail.net tempmail.com temp-mail.org "
    "tempmailo.com tempr.email trashmail.com trashmail.de getnada.com dispostable.com throwawaymail.com "
    "fakeinbox.com mailnesia.com mintemail.com spamgourmet.com emailondeck.com mohmal.com moakt.com "
    "discard.email mailcatch.com mytemp.email burnermail.io 33mail.com inboxkitten.com".split()
)


@dataclass(frozen=True)
class DomainVerdict:
    status: str  # "ok", "invalid" or "unknown"
    reason: str


_domain_cache = {}


def validation_resolver():
    """A dnspython resolver pointed at DNS_NAMESERVER when set, with short timeouts."""
    nameserver = (settings.DNS_NAMESERVER or "").strip()
    resolver = dns.resolver.Resolver(configure=not nameserver)
    if nameserver:
        host, _, port = nameserver.rpartition(":") if nameserver.count(":") == 1 else (nameserver, "", "")
        resolver.nameservers = [host]
        if port:
            resolver.port = int(port)
    resolver.timeout = 2.0
    resolver.lifetime = 4.0
    return resolver


def domain_check_mx(*, domain, resolver=None, now=None):
    """The verdict on a mail domain from its MX records (cached per process)."""
    now = time.monotonic() if now is None else now
    cached = _domain_cache.get(domain)
    if cached is not None and cached[0] > now:
        return cached[1]
    resolver = resolver or validation_resolver()
    try:
        answer = resolver.resolve(domain, "MX")
        records = list(answer)
        if len(records) == 1 and records[0].preference == 0 and str(records[0].exchange) in (".", ""):
            verdict = DomainVerdict("invalid", "null MX: the domain accepts no mail")
        else:
            verdict = DomainVerdict("ok", "MX found")
    except dns.resolver.NXDOMAIN:
        verdict = DomainVerdict("invalid", "the domain does not exist")
    except dns.resolver.NoAnswer:
        verdict = DomainVerdict("invalid", "the domain has no MX record")
    except (dns.exception.Timeout, dns.resolver.NoNameservers, dns.resolver.YXDOMAIN) as exc:
        verdict = DomainVerdict("unknown", f"DNS did not answer ({type(exc).__name__})")
    _domain_cache[domain] = (now + DOMAIN_CACHE_SECONDS, verdict)
    return verdict


def domain_cache_clear():
    _domain_cache.clear()


def email_score(*, email, verdict):
    """(validation_status, score) for one normalised address given its domain's verdict."""
    local, _, domain = email.rpartition("@")
    if verdict.status == "invalid":
        return ValidationStatus.INVALID, 0
    role = local.split("+", 1)[0] in ROLE_ACCOUNTS
    disposable = domain in DISPOSABLE_DOMAINS
    if verdict.status == "unknown":
        return ValidationStatus.RISKY, 40
    if role and disposable:
        return ValidationStatus.RISKY, 10
    if disposable:
        return ValidationStatus.RISKY, 20
    if role:
        return ValidationStatus.RISKY, 70
    return ValidationStatus.VALID, 100


def contacts_validate_pending(*, batch_size=BATCH_SIZE, limit=None):
    """Validate the current brand's pending contacts in batches; returns how many were validated."""
    resolver = validation_resolver()
    done = 0
    while limit is None or done < limit:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    """SELECT id, email FROM contacts_contact WHERE validation_status = 'pending'
                       ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED""",
                    [batch_size],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                ids, statuses, scores = [], [], []
                for contact_id, email in rows:
                    verdict = domain_check_mx(domain=email.rpartition("@")[2], resolver=resolver)
                    status, score = email_score(email=email, verdict=verdict)
                    ids.append(contact_id)
                    statuses.append(str(status))
                    scores.append(score)
                cursor.execute(
                    """
                    UPDATE contacts_contact c
                    SET validation_status = v.status, validation_score = v.score,
                        status = CASE WHEN v.status = 'invalid' AND c.status = 'active' THEN 'invalid' ELSE c.status END
                    FROM unnest(%s::bigint[], %s::text[], %s::smallint[]) AS v(id, status, score)
                    WHERE c.id = v.id
                    """,
                    [ids, statuses, scores],
                )
        done += len(rows)
    return done


def validation_schedule(*, tenant_id):
    """Queue the validation task for a brand; a broker outage is logged, never raised into the ingest."""
    from ..tasks import contacts_validate

    try:
        contacts_validate.delay(tenant_id)
    except Exception:  # noqa: BLE001 - the ingest is committed; validation can run later
        logger.warning("Could not queue contacts.validate for brand %s", tenant_id, exc_info=True)
