"""Admin for campaigns: list with progress, detail with the funnel, the pre-flight report and
live progress (polled JSON), and the lifecycle actions as buttons and bulk actions."""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from emailengine import charts
from tenants.admin import BrandSchemaAdmin
from tenants.audit import audit_record

from . import selectors
from .logic.lifecycle import IllegalTransition, lifecycle_actions
from .models import COUNTERS, Campaign
from .services import lifecycle
from .services.launch import PreflightFailed, campaign_action, campaign_preflight_record

ACTIONS = ("launch", "pause", "resume", "cancel")


@admin.register(Campaign)
class CampaignAdmin(BrandSchemaAdmin):
    list_display = ("name", "status", "channel", "total_recipients", "sent_count", "open_rate", "click_rate",
                    "progress_bar", "started_at")
    list_filter = ("status", "channel")
    search_fields = ("name",)
    readonly_fields = ("status", "preflight_report", "funnel", "breakdowns", "live_progress", "waiting_until", "waiting_reason",
                       "started_at", "completed_at", "links", *COUNTERS)
    fieldsets = (
        (None, {"fields": ("name", "status", "channel", "template", "live_progress")}),
        ("Audience (frozen at launch)", {"fields": ("language", "category", "tags_all", "tags_any", "exclude_tags",
                                                    "filters")}),
        ("Sending", {"fields": ("from_name", "reply_to", "send_hour_start", "send_hour_end", "send_days",
                                "daily_cap", "tracking_enabled", "scheduled_at", "waiting_until", "waiting_reason")}),
        ("Results", {"fields": ("funnel", "breakdowns", *COUNTERS, "started_at", "completed_at")}),
        ("Pre-flight", {"fields": ("preflight_report",)}),
    )
    actions = [f"action_{name}" for name in ACTIONS]
    change_form_template = "admin/campaigns/campaign/change_form.html"

    # ------------------------------------------------------------------ columns
    @admin.display(description="opens")
    def open_rate(self, obj):
        return f"{obj.opened_count / obj.sent_count:.1%}" if obj.sent_count else "-"

    @admin.display(description="clicks")
    def click_rate(self, obj):
        return f"{obj.clicked_count / obj.sent_count:.1%}" if obj.sent_count else "-"

    @admin.display(description="progress")
    def progress_bar(self, obj):
        done = obj.sent_count + obj.skipped_count + obj.failed_count
        percent = int(100 * done / obj.total_recipients) if obj.total_recipients else 0
        return format_html('<progress max="100" value="{}" title="{}%"></progress>', percent, percent)

    @admin.display(description="funnel")
    def funnel(self, obj):
        chart = charts.funnel_chart([
            ("recipients", obj.total_recipients), ("sent", obj.sent_count), ("delivered", obj.delivered_count),
            ("opened", obj.opened_count), ("clicked", obj.clicked_count),
        ])
        others = format_html(
            '<p class="campaign-outcomes">bounced {} · complained {} · unsubscribed {} · skipped {} · failed {} '
            "(of which interrupted {})</p>",
            obj.bounced_count, obj.complained_count, obj.unsubscribed_count, obj.skipped_count, obj.failed_count,
            obj.interrupted_count)
        return format_html('<div id="campaign-funnel">{}</div>{}', chart, others)

    @admin.display(description="per language and per IP")
    def breakdowns(self, obj):
        if obj.pk is None or not obj.total_recipients:
            return "-"
        stats = selectors.campaign_stats(campaign=obj)
        columns = ("recipients", "sent", "skipped", "failed", "delivered", "opened", "clicked", "bounced",
                   "unsubscribed")

        def table(rows, key, label):
            head = format_html("<tr><th>{}</th>{}</tr>", label,
                               format_html_join("", "<th>{}</th>", ((c,) for c in columns)))
            body = format_html_join("", "<tr><td>{}</td>{}</tr>", (
                (key(row), format_html_join("", "<td>{}</td>", ((row[c],) for c in columns))) for row in rows))
            return format_html('<table class="campaign-breakdown">{}{}</table>', head, body)

        return format_html(
            '<div id="per-language"><h3>Per language</h3>{}</div><div id="per-ip"><h3>Per IP</h3>{}</div>',
            table(stats["per_language"], lambda r: r["language"] or "(none)", "language"),
            table(stats["per_ip"], lambda r: f'{r["ip_address"]} ({r["vmta"]})', "IP"),
        )

    @admin.display(description="pre-flight report")
    def preflight_report(self, obj):
        report = obj.preflight or {}
        if not report:
            return "Not run yet: use the Pre-flight button."
        colors = {"ok": "#2e7d32", "warning": "#b26a00", "error": "#c62828"}
        rows = format_html("")
        for check in report.get("checks", []):
            rows += format_html('<li><strong style="color:{}">{}</strong> {}: {}</li>',
                                colors.get(check["status"], "#000"), check["status"].upper(), check["name"],
                                check["message"])
        return format_html("<p>checked {}</p><ul>{}</ul>", report.get("checked_at", ""), rows)

    @admin.display(description="live progress")
    def live_progress(self, obj):
        if obj.pk is None:
            return "-"
        url = reverse("admin:campaigns_campaign_progress", args=[obj.pk])
        return format_html('<div data-progress-url="{}" class="campaign-progress">…</div>', url)

    # ------------------------------------------------------------------ pages
    def get_urls(self):
        own = [
            path("<int:campaign_id>/progress/", self.admin_site.admin_view(self.progress_view),
                 name="campaigns_campaign_progress"),
            path("<int:campaign_id>/do/<str:action>/", self.admin_site.admin_view(self.action_view),
                 name="campaigns_campaign_do"),
        ]
        return own + super().get_urls()

    def progress_view(self, request, campaign_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        campaign = selectors.campaign_get(campaign_id=campaign_id)
        if campaign is None:
            raise Http404
        return JsonResponse(selectors.campaign_progress(campaign=campaign))

    def action_view(self, request, campaign_id, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        campaign = selectors.campaign_get(campaign_id=campaign_id)
        if campaign is None or action not in (*ACTIONS, "preflight"):
            raise Http404
        brand = request.brand
        try:
            if action == "preflight":
                report = campaign_preflight_record(campaign=campaign, tenant=brand)
                self.message_user(request, "Pre-flight: " + ("all clear." if report["ok"] else "problems to fix below."),
                                  messages.SUCCESS if report["ok"] else messages.WARNING)
            else:
                campaign_action(action=action, campaign=campaign, tenant=brand)
                self.message_user(request, f"{campaign.name}: {action} done.", messages.SUCCESS)
        except (IllegalTransition, PreflightFailed, lifecycle.CampaignError) as problem:
            self.message_user(request, str(problem), messages.ERROR)
        return redirect(reverse("admin:campaigns_campaign_change", args=[campaign_id]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        campaign = selectors.campaign_get(campaign_id=object_id) if str(object_id).isdigit() else None
        extra_context = dict(extra_context or {})
        extra_context["campaign_actions"] = (lifecycle_actions(status=campaign.status) if campaign else [])
        extra_context["campaign_buttons"] = [a for a in ACTIONS if a in extra_context["campaign_actions"]]
        return super().change_view(request, object_id, form_url, extra_context)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status not in ("draft", "scheduled"):
            fields += ["language", "category", "tags_all", "tags_any", "exclude_tags", "filters", "template", "channel"]
        return fields

    # ------------------------------------------------------------------ bulk actions
    def _bulk(self, request, queryset, action):
        done, problems = 0, []
        for campaign in queryset:
            try:
                campaign_action(action=action, campaign=campaign, tenant=request.brand)
                done += 1
            except (IllegalTransition, PreflightFailed, lifecycle.CampaignError) as problem:
                problems.append(f"{campaign.name}: {problem}")
        audit_record(action="action", object_type="campaigns.campaign", object_repr=f"{action} {done} campaigns",
                     changes={"action": action, "done": done, "problems": len(problems)})
        if done:
            self.message_user(request, f"{action}: {done} campaign(s).", messages.SUCCESS)
        for problem in problems:
            self.message_user(request, problem, messages.ERROR)

    @admin.action(description="Launch selected campaigns", permissions=["change"])
    def action_launch(self, request, queryset):
        self._bulk(request, queryset, "launch")

    @admin.action(description="Pause selected campaigns", permissions=["change"])
    def action_pause(self, request, queryset):
        self._bulk(request, queryset, "pause")

    @admin.action(description="Resume selected campaigns", permissions=["change"])
    def action_resume(self, request, queryset):
        self._bulk(request, queryset, "resume")

    @admin.action(description="Cancel selected campaigns", permissions=["change"])
    def action_cancel(self, request, queryset):
        self._bulk(request, queryset, "cancel")
