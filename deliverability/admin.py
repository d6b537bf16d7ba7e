"""The fleet in the admin, per brand: IPs at a glance with their actions, a per-IP page with
the warmup history, sending domains (never their private key), warmup plans, daily figures
and MailWizz instances (private key masked)."""
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.db.models import IntegerField, OuterRef, Subquery
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from emailengine import charts
from emailengine.encryption import mask_secret
from tenants.admin import BrandOwnedAdmin
from tenants.audit import audit_record

from .charts import warmup_history_svg
from .models import IPAddress, IPDailyStats, MailWizzInstance, SendingDomain, WarmupPlan, WarmupPlanWeek
from .selectors import fleet_overview, ip_warmup_history, rate_percent
from .services import FleetError, ip_state_change, sending_domain_dkim_generate, sending_domain_dns_check
from .warmup_rules import COMPLAINT_HOLD_RATE  # percent: Gmail/Yahoo's bulk-sender ceiling

STATE_COLOURS = {state: charts.color_for(state) for state in ("active", "warmup", "standby", "paused", "retired")}


def _dns_badge(ok, checked_at):
    if ok is None:
        return mark_safe('<span title="never checked">—</span>')
    colour, label = ("#2e7d32", "OK") if ok else ("#c62828", "problems")
    return format_html('<span style="color:{}" title="checked {}">{}</span>', colour,
                       checked_at.strftime("%Y-%m-%d %H:%M") if checked_at else "", label)


def _rate(part, whole):
    rate = rate_percent(part, whole)
    return "—" if rate is None else f"{rate}%"


def _yesterday_stat(field):
    yesterday = timezone.now().date() - timedelta(days=1)
    return Subquery(IPDailyStats.objects.filter(ip=OuterRef("pk"), date=yesterday).values(field)[:1],
                    output_field=IntegerField())


@admin.register(IPAddress)
class IPAddressAdmin(BrandOwnedAdmin):
    list_display = ("address", "vmta_name", "state_badge", "weight", "warmup_day", "quota_used_today",
                    "bounce_rate_yesterday", "complaint_rate_yesterday", "dns_status")
    list_filter = ("state",)
    search_fields = ("address", "vmta_name", "sending_domain__name")
    ordering = ("state", "id")
    list_per_page = 100
    actions = ["pause", "resume", "retire", "start_warmup", "check_dns", "rotate_dkim"]
    fields = ("address", "sending_domain", "vmta_name", "state", "weight", "warmup_day", "warmup_started_on",
              "warmup_holds", "quota_today", "sent_today", "quota_date", "state_changed_at", "state_reason")
    readonly_fields = ("address", "sending_domain", "vmta_name", "state", "warmup_day", "warmup_started_on",
                       "warmup_holds", "quota_today", "sent_today", "quota_date", "state_changed_at", "state_reason")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sending_domain").annotate(
            y_sent=_yesterday_stat("sent"), y_hard=_yesterday_stat("hard_bounces"),
            y_complaints=_yesterday_stat("complaints"),
        )

    def has_add_permission(self, request):
        return False  # IPs come from the seed or the provisioning of new addresses, not a form

    def has_delete_permission(self, request, obj=None):
        return False  # retire instead: the history stays

    @admin.display(description="State", ordering="state")
    def state_badge(self, obj):
        return format_html('<span class="ip-state" data-state="{}" style="color:{};font-weight:bold">{}</span>',
                           obj.state, STATE_COLOURS.get(obj.state, "#000"), obj.get_state_display())

    @admin.display(description="Quota used today")
    def quota_used_today(self, obj):
        if obj.quota_date != timezone.now().date():
            return f"0 / {obj.quota_today:,} (yesterday's)" if obj.quota_today else "0 / 0"
        return f"{obj.sent_today:,} / {obj.quota_today:,}"

    @admin.display(description="Bounces yesterday")
    def bounce_rate_yesterday(self, obj):
        return _rate(obj.y_hard or 0, obj.y_sent)

    @admin.display(description="Complaints yesterday")
    def complaint_rate_yesterday(self, obj):
        return _rate(obj.y_complaints or 0, obj.y_sent)

    @admin.display(description="DNS")
    def dns_status(self, obj):
        return _dns_badge(obj.sending_domain.dns_ok, obj.sending_domain.dns_checked_at)

    def get_urls(self):
        fleet = path("fleet/", self.admin_site.admin_view(self.fleet_view), name="deliverability_ipaddress_fleet")
        return [fleet, *super().get_urls()]

    def fleet_view(self, request):
        """Every IP of the brand as a tile coloured by state, with today's use and yesterday's rates."""
        if not self.has_view_permission(request):
            return self.admin_site.index(request)
        rows = fleet_overview(tenant=request.brand, today=timezone.now().date())
        for row in rows:
            row["colour"] = STATE_COLOURS.get(row["ip"].state, "#000")
            row["used_bar"] = charts.progress_bar(row["sent_today"], row["quota_today"] or 0, width=120, height=8,
                                                  color="#ffffff", label=False)
        counts = {}
        for row in rows:
            counts[row["ip"].state] = counts.get(row["ip"].state, 0) + 1
        context = {
            **self.admin_site.each_context(request),
            "title": f"Fleet of {request.brand.name}",
            "opts": self.model._meta,
            "rows": rows,
            "legend": [(state, STATE_COLOURS[state], counts.get(state, 0)) for state in STATE_COLOURS],
        }
        return TemplateResponse(request, "admin/deliverability/ipaddress/fleet.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        ip = self.get_object(request, object_id)
        if ip is not None:
            stats, decisions = ip_warmup_history(ip=ip, days=60)
            extra_context["warmup_chart"] = mark_safe(warmup_history_svg(stats=stats, decisions=decisions))
            extra_context["rates_chart"] = _rates_chart(stats, decisions)
            extra_context["warmup_decisions"] = decisions[::-1]
        return super().change_view(request, object_id, form_url, extra_context)

    def _state_action(self, request, queryset, action):
        done, refused = [], []
        for ip in queryset.order_by("id"):
            try:
                ip_state_change(ip=ip, action=action, reason=f"{action.replace('_', ' ')} by {request.user}")
                done.append(ip.address)
            except FleetError as exc:
                refused.append(str(exc))
        if done:
            audit_record(action="action", object_type="deliverability.ipaddress",
                         object_repr=f"{action} {len(done)} IP(s)", changes={"action": action, "ips": done})
            self.message_user(request, f"{action.replace('_', ' ').capitalize()}: {', '.join(done)}.",
                              messages.SUCCESS)
        for problem in refused:
            self.message_user(request, problem, messages.WARNING)

    @admin.action(description="Pause selected IPs", permissions=["change"])
    def pause(self, request, queryset):
        self._state_action(request, queryset, "pause")

    @admin.action(description="Resume selected paused IPs", permissions=["change"])
    def resume(self, request, queryset):
        self._state_action(request, queryset, "resume")

    @admin.action(description="Retire selected IPs", permissions=["change"])
    def retire(self, request, queryset):
        self._state_action(request, queryset, "retire")

    @admin.action(description="Start warmup (day 1) on selected IPs", permissions=["change"])
    def start_warmup(self, request, queryset):
        self._state_action(request, queryset, "start_warmup")

    @admin.action(description="Check DNS of the selected IPs' domains", permissions=["change"])
    def check_dns(self, request, queryset):
        names = list(queryset.values_list("sending_domain__name", flat=True))
        _report_dns(self, request, names)

    @admin.action(description="Rotate DKIM keys of the selected IPs' domains", permissions=["change"])
    def rotate_dkim(self, request, queryset):
        _rotate_dkim(self, request, SendingDomain.objects.filter(ip_address__in=queryset))


def _rates_chart(stats, decisions):
    """Hard-bounce and complaint rates per day (percent) against the threshold each day was judged on."""
    if not stats:
        return ""
    thresholds = {d.date - timedelta(days=1): d.threshold for d in decisions if d.threshold is not None}
    last = None
    threshold_series = []
    for row in stats:
        last = thresholds.get(row.date, last)
        threshold_series.append(float(last) if last is not None else None)
    series = {
        "hard bounces %": [float(rate_percent(row.hard_bounces, row.sent) or 0) for row in stats],
        "complaints %": [float(rate_percent(row.complaints, row.sent) or 0) for row in stats],
        "bounce threshold %": threshold_series,
        "complaint limit %": [float(COMPLAINT_HOLD_RATE)] * len(stats),
    }
    return charts.line_chart(series, x_labels=[row.date.strftime("%d/%m") for row in stats],
                             title="Bounce and complaint rates against the week's threshold",
                             dashed=("bounce threshold %", "complaint limit %"))


def _report_dns(model_admin, request, names):
    results = sending_domain_dns_check(tenant=request.brand, names=names)
    failing = [result.domain for result in results if not result.ok]
    model_admin.message_user(request, f"DNS checked for {len(results)} domain(s): {len(results) - len(failing)} OK.",
                             messages.SUCCESS if not failing else messages.WARNING)
    if failing:
        model_admin.message_user(request, "Problems: " + ", ".join(failing), messages.WARNING)


def _rotate_dkim(model_admin, request, domains):
    domains = domains.filter(tenant=request.brand)
    names = list(domains.values_list("name", flat=True))
    count = sending_domain_dkim_generate(domains=domains, rotate=True)
    audit_record(action="action", object_type="deliverability.sendingdomain",
                 object_repr=f"rotate DKIM of {count} domain(s)", changes={"domains": names})
    model_admin.message_user(request, f"New DKIM keys for {count} domain(s). Publish the new DKIM records "
                             "(generate_dns_records) and PowerMTA PEM files before sending.", messages.SUCCESS)


@admin.register(SendingDomain)
class SendingDomainAdmin(BrandOwnedAdmin):
    list_display = ("name", "ip", "dkim_selector", "dkim_bits", "dkim_created_at", "dns", "dns_checked_at")
    search_fields = ("name",)
    list_filter = ("dns_ok",)
    actions = ["check_dns", "rotate_dkim"]
    # The private key is never a field here: not shown, not editable, not in any form.
    fields = ("name", "dkim_selector", "dkim_bits", "dkim_created_at", "dkim_public_key", "dns", "dns_checked_at",
              "dns_report")
    readonly_fields = ("name", "dkim_bits", "dkim_created_at", "dkim_public_key", "dns", "dns_checked_at",
                       "dns_report")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("ip_address")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="IP")
    def ip(self, obj):
        try:
            return obj.ip_address.address
        except IPAddress.DoesNotExist:
            return "—"

    @admin.display(description="DNS", ordering="dns_ok")
    def dns(self, obj):
        return _dns_badge(obj.dns_ok, obj.dns_checked_at)

    @admin.display(description="Last DNS check")
    def dns_report(self, obj):
        if not obj.dns_status:
            return "never checked"
        rows = [format_html("<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>", name.upper(),
                            check.get("status", ""), (check.get("found") or "—")[:120], check.get("message", ""))
                for name, check in obj.dns_status.items()]
        return format_html("<table><tr><th>Record</th><th>Status</th><th>Found</th><th>Why</th></tr>{}</table>",
                           mark_safe("".join(rows)))

    @admin.action(description="Check DNS of the selected domains", permissions=["change"])
    def check_dns(self, request, queryset):
        _report_dns(self, request, list(queryset.values_list("name", flat=True)))

    @admin.action(description="Rotate DKIM keys of the selected domains", permissions=["change"])
    def rotate_dkim(self, request, queryset):
        _rotate_dkim(self, request, queryset)


class WarmupPlanWeekInline(admin.TabularInline):
    model = WarmupPlanWeek
    extra = 0
    fields = ("week", "daily_quota", "max_bounce_rate")


@admin.register(WarmupPlan)
class WarmupPlanAdmin(BrandOwnedAdmin):
    list_display = ("__str__", "active_daily_cap", "updated_at")
    fields = ("active_daily_cap",)
    inlines = [WarmupPlanWeekInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IPDailyStats)
class IPDailyStatsAdmin(BrandOwnedAdmin):
    brand_field = "ip__tenant"
    list_display = ("date", "ip", "sent", "delivered", "hard_bounces", "soft_bounces", "block_bounces",
                    "complaints", "deferrals")
    list_filter = ("date",)
    date_hierarchy = "date"
    search_fields = ("ip__address", "ip__vmta_name")

    def get_exclude(self, request, obj=None):
        return ()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MailWizzInstanceForm(forms.ModelForm):
    base_url = forms.URLField(required=False, assume_scheme="https", max_length=255,
                              help_text="e.g. https://lists.example.com/api")
    api_private_key = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False), label="API private key",
        help_text="Leave empty to keep the stored key. Stored encrypted; never shown back.",
    )

    class Meta:
        model = MailWizzInstance
        fields = ("name", "base_url", "api_version", "api_public_key", "api_private_key", "default_list_id",
                  "is_active")

    def clean_api_private_key(self):
        value = self.cleaned_data.get("api_private_key", "")
        if not value and self.instance.pk:
            return self.instance.api_private_key
        return value


@admin.register(MailWizzInstance)
class MailWizzInstanceAdmin(BrandOwnedAdmin):
    form = MailWizzInstanceForm
    list_display = ("name", "base_url", "api_version", "public_key", "private_key", "is_active", "health",
                    "last_health_check", "last_error")
    readonly_fields = ("private_key", "last_health_check", "health", "last_health_error")
    actions = ["check_health", "sync_contacts_now", "sync_contacts_full"]

    @admin.display(description="Last error")
    def last_error(self, obj):
        return "" if obj.last_health_ok else obj.last_health_error[:120]

    @admin.action(description="Check health now", permissions=["change"])
    def check_health(self, request, queryset):
        from .mailwizz_sync import mailwizz_health_check

        for instance in queryset:
            ok, error = mailwizz_health_check(instance=instance)
            self.message_user(request, f"{instance.name}: {'up' if ok else 'down: ' + (error or '')}",
                              messages.SUCCESS if ok else messages.ERROR)

    @admin.action(description="Sync changed contacts to MailWizz now", permissions=["change"])
    def sync_contacts_now(self, request, queryset):
        self._sync(request, full=False)

    @admin.action(description="Sync every deliverable contact to MailWizz (full)", permissions=["change"])
    def sync_contacts_full(self, request, queryset):
        self._sync(request, full=True)

    def _sync(self, request, *, full):
        from .mailwizz_tasks import mailwizz_contacts_push_task

        mailwizz_contacts_push_task.delay(request.brand.pk, full=full)
        audit_record(action="action", object_type="deliverability.mailwizzinstance",
                     object_repr=f"MailWizz contacts sync{' (full)' if full else ''} queued", changes={"full": full})
        self.message_user(request, f"MailWizz contacts sync{' (full)' if full else ''} queued for {request.brand.name}.")

    def get_fields(self, request, obj=None):
        fields = ["name", "base_url", "api_version", "api_public_key", "api_private_key", "default_list_id",
                  "is_active"]
        if obj is not None:
            fields[4:4] = ["private_key"]
            fields += ["health", "last_health_check", "last_health_error"]
        return fields

    @admin.display(description="Public key")
    def public_key(self, obj):
        return mask_secret(obj.api_public_key) or "—"

    @admin.display(description="Stored private key")
    def private_key(self, obj):
        return mask_secret(obj.api_private_key) or "—"

    @admin.display(description="Health")
    def health(self, obj):
        if obj.last_health_ok is None:
            return mark_safe('<span class="mailwizz-health" data-health="unknown">—</span>')
        colour, label = ("#2e7d32", "up") if obj.last_health_ok else ("#c62828", "down")
        return format_html('<span class="mailwizz-health" data-health="{}" style="color:{}" title="{}">{}</span>',
                           label, colour, obj.last_health_error[:200], label)
