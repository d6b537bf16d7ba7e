"""Launching a campaign: the pre-flight checks, then the audience frozen in one statement.

`campaign_preflight` returns a report (list of checks with ok/warning/error and a message
saying what to fix). `campaign_launch` runs it, refuses with `PreflightFailed` when any
check is an error, and otherwise, in one transaction: inserts every deliverable contact of
the segment as a queued `CampaignRecipient` with one `INSERT ... SELECT` (the audience at
that moment), stores the campaign's link list and moves it to `sending`; dispatch starts
when the transaction commits.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from contacts.selectors import SegmentFilterError, segment_where_sql
from templates_app import rendering
from templates_app.selectors import TemplateNotFound, template_chain_resolver

from ..composition import campaign_links_collect
from ..logic.lifecycle import lifecycle_next
from ..models import Campaign, CampaignRecipient, Channel

OK, WARNING, ERROR = "ok", "warning", "error"
SAMPLE_PER_TEMPLATE = 20


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    message: str


class PreflightFailed(Exception):
    def __init__(self, report):
        self.report = report
        errors = [check["message"] for check in report["checks"] if check["status"] == ERROR]
        super().__init__("the campaign cannot be launched: " + "; ".join(errors))


def _audience_filter(campaign: Campaign) -> dict:
    segment = campaign.segment_filter()
    # A campaign only ever mails deliverable contacts: never a status filter.
    segment.pop("status", None)
    return segment


def audience_groups(*, campaign: Campaign):
    """[(language, category, count)] of the segment's deliverable contacts right now."""
    where, params = segment_where_sql(filter=_audience_filter(campaign), alias="c")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.language, NULLIF(c.category, ''), count(*) FROM contacts_contact c WHERE {where}"
            " GROUP BY 1, 2 ORDER BY 3 DESC",
            params,
        )
        return cursor.fetchall()


def _sample_contacts(*, campaign, language, category, limit):
    from contacts.models import Contact

    where, params = segment_where_sql(filter=_audience_filter(campaign), alias="c")
    language_sql = "c.language IS NULL" if language is None else "c.language = %s"
    category_sql = "NULLIF(c.category, '') IS NULL" if category is None else "c.category = %s"
    extra = [value for value in (language, category) if value is not None]
    return list(Contact.objects.raw(
        f"SELECT c.* FROM contacts_contact c WHERE {where} AND {language_sql} AND {category_sql} ORDER BY c.id LIMIT %s",
        [*params, *extra, limit],
    ))


def _unsubscribe_check() -> Check:
    """One-click unsubscribe reachable: the route is mounted and PUBLIC_BASE_URL is absolute (https outside DEBUG)."""
    base = settings.PUBLIC_BASE_URL
    try:
        reverse("campaigns-unsubscribe", kwargs={"token": "x"})
        routed = True
    except NoReverseMatch:
        routed = False
    if not base.startswith(("http://", "https://")) or not routed:
        return Check("unsubscribe", ERROR, "one-click unsubscribe is not reachable: set PUBLIC_BASE_URL to the "
                                                  "public https address and route campaigns.public_urls at the root")
    elif not base.startswith("https://") and not settings.DEBUG:
        return Check("unsubscribe", WARNING, f"PUBLIC_BASE_URL ({base}) is not https: Gmail and Yahoo ignore "
                                                    "one-click unsubscribe links over http")
    else:
        return Check("unsubscribe", OK, f"List-Unsubscribe one-click at {base}/u/<token>")


def campaign_preflight(*, campaign: Campaign, tenant) -> dict:
    """Every check a launch needs, with what to fix (`campaign_preflight_record` also stores it)."""
    from deliverability.models import IPAddress, SENDING_STATES
    from deliverability.services.quota import quota_available

    checks: list[Check] = []
    total = 0
    used_templates = {}

    smtp = campaign.channel == Channel.SMTP
    if not smtp:
        checks.append(Check("channel", OK, "sent through the brand's MailWizz instance (lists and campaigns are "
                                           "created there after launch)"))
    try:
        groups = audience_groups(campaign=campaign)
    except SegmentFilterError as problem:
        groups = []
        checks.append(Check("audience", ERROR, f"the segment filter is invalid: {problem}"))
    else:
        total = sum(count for _, _, count in groups)
        if total:
            checks.append(Check("audience", OK, f"{total} deliverable contacts match the segment"))
        else:
            checks.append(Check("audience", ERROR, "no deliverable contact matches the segment"))

    try:
        resolver = template_chain_resolver(pinned_template_id=campaign.template_id)
    except TemplateNotFound as problem:
        resolver = None
        checks.append(Check("templates", ERROR, str(problem)))
    if resolver is not None and groups:
        missing = []
        for language, category, count in groups:
            try:
                choice = resolver.resolve(language=language, category=category)
            except TemplateNotFound as problem:
                missing.append(f"{count} contacts ({language or 'no language'}, {category or 'general'}): {problem}")
                continue
            used_templates.setdefault(choice.template.pk, (choice, []))[1].append((language, category))
        if missing:
            checks.append(Check("templates", ERROR, "no template for " + " | ".join(missing)))
        else:
            names = ", ".join(f"{choice.template.name} ({choice.template.language})"
                              for choice, _ in used_templates.values())
            checks.append(Check("templates", OK, f"every recipient has a template: {names}"))

    for choice, slots in used_templates.values():
        template = choice.template
        try:
            choice.compiled.render(rendering.sample_values(language=template.language))
        except rendering.MissingVariable as problem:
            checks.append(Check(f"render:{template.pk}", ERROR, f"template {template.name!r} does not render: {problem}"))
            continue
        tried = failed = 0
        first_problem = ""
        for language, category in slots:
            for contact in _sample_contacts(campaign=campaign, language=language, category=category,
                                            limit=SAMPLE_PER_TEMPLATE):
                tried += 1
                values = rendering.contact_values(contact)
                values["unsubscribeUrl"] = "https://example.invalid/u/sample"
                try:
                    choice.compiled.render(values)
                except rendering.MissingVariable as problem:
                    failed += 1
                    first_problem = first_problem or f"{contact.email}: {problem}"
        if tried and failed == tried:
            checks.append(Check(f"render:{template.pk}", ERROR,
                                f"template {template.name!r} fails for every sampled recipient ({first_problem})"))
        elif failed:
            checks.append(Check(f"render:{template.pk}", WARNING,
                                f"template {template.name!r} fails for {failed} of {tried} sampled recipients; they "
                                f"will be skipped ({first_problem})"))
        else:
            checks.append(Check(f"render:{template.pk}", OK, f"template {template.name!r} renders for {tried} samples"))

    sending_ips = IPAddress.objects.filter(tenant_id=tenant.pk, state__in=SENDING_STATES, weight__gt=0)
    if not smtp:
        pass
    elif not sending_ips.exists():
        checks.append(Check("quota", ERROR, "the brand has no active or warmup IP: start warmup of an IP first"))
    else:
        available = quota_available(tenant_id=tenant.pk)
        if available:
            checks.append(Check("quota", OK, f"{available} sends of quota left today"))
        else:
            checks.append(Check("quota", WARNING, "no quota left today: sending starts when quota returns (midnight UTC)"))

    if smtp:
        checks.append(_unsubscribe_check())
    if not smtp:
        pass
    elif settings.DELIVERABILITY_ENFORCE_DNS:
        domains = list(sending_ips.select_related("sending_domain").values_list("sending_domain__name",
                                                                                 "sending_domain__dns_ok"))
        bad = sorted(name for name, ok in domains if ok is not True)
        if bad:
            shown = ", ".join(bad[:10]) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
            checks.append(Check("dns", ERROR, f"sending domains not passing check_dns: {shown} (run check_dns "
                                              "and fix the records, or set DELIVERABILITY_ENFORCE_DNS=false)"))
        elif domains:
            checks.append(Check("dns", OK, f"{len(domains)} sending domains pass check_dns"))
    else:
        checks.append(Check("dns", WARNING, "DNS checks not enforced (DELIVERABILITY_ENFORCE_DNS=false)"))

    report = {
        "checked_at": timezone.now().isoformat(),
        "ok": not any(check.status == ERROR for check in checks),
        "recipients": total,
        "checks": [asdict(check) for check in checks],
        "_templates": [choice.compiled for choice, _ in used_templates.values()],
    }
    return report


def _report_public(report: dict) -> dict:
    return {key: value for key, value in report.items() if not key.startswith("_")}


def campaign_preflight_record(*, campaign: Campaign, tenant) -> dict:
    """Run the pre-flight, store its report on the campaign and return it."""
    public = _report_public(campaign_preflight(campaign=campaign, tenant=tenant))
    Campaign.objects.filter(pk=campaign.pk).update(preflight=public)
    return public


def campaign_action(*, action: str, campaign: Campaign, tenant) -> Campaign:
    """`launch`, `pause`, `resume` or `cancel` a campaign (IllegalTransition, PreflightFailed...)."""
    from . import lifecycle

    if action == "launch":
        return campaign_launch(campaign=campaign, tenant=tenant)
    if action not in ("pause", "resume", "cancel"):
        raise ValueError(f"Unknown campaign action {action!r}.")
    return getattr(lifecycle, f"campaign_{action}")(campaign=campaign)


def campaign_launch(*, campaign: Campaign, tenant) -> Campaign:
    """Pre-flight, freeze the audience, start sending. PreflightFailed / IllegalTransition otherwise."""
    from .dispatch import campaign_dispatch_enqueue

    lifecycle_next(status=campaign.status, action="launch")
    report = campaign_preflight(campaign=campaign, tenant=tenant)
    public = _report_public(report)
    if not report["ok"]:
        Campaign.objects.filter(pk=campaign.pk).update(preflight=public)
        raise PreflightFailed(public)
    where, params = segment_where_sql(filter=_audience_filter(campaign), alias="c")
    recipients = CampaignRecipient._meta.db_table
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        lifecycle_next(status=locked.status, action="launch")
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {recipients} (campaign_id, contact_id, status, language, ip_address, vmta, message_id,
                                              reason, recorded)
                    SELECT %s, c.id, 'queued', COALESCE(c.language, 'en'), '', '', '', '', false
                    FROM contacts_contact c WHERE {where}
                    ON CONFLICT (campaign_id, contact_id) DO NOTHING""",
                [campaign.pk, *params],
            )
            cursor.execute(f"SELECT count(*) FROM {recipients} WHERE campaign_id = %s", [campaign.pk])
            total = cursor.fetchone()[0]
        locked.status = lifecycle_next(status=locked.status, action="launch")
        locked.total_recipients = total
        locked.links = campaign_links_collect(report["_templates"])
        locked.preflight = public
        locked.started_at = timezone.now()
        locked.waiting_until = None
        locked.waiting_reason = ""
        locked.save(update_fields=["status", "total_recipients", "links", "preflight", "started_at", "waiting_until",
                                   "waiting_reason", "updated_at"])
        tenant_id = tenant.pk
        if locked.channel == Channel.SMTP:
            transaction.on_commit(lambda: campaign_dispatch_enqueue(tenant_id=tenant_id, campaign_id=campaign.pk,
                                                                    parallel=True))
        else:
            from emailengine.celery import app

            transaction.on_commit(lambda: app.send_task("deliverability.mailwizz_campaign_push",
                                                        args=(tenant_id, campaign.pk)))
    return locked
