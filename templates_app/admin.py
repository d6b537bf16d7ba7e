"""Admin for templates: list with stats, edit form that refuses bad placeholders, previews.

- Preview (one template): the rendered message for sample data in the template's language or a
  chosen contact, in an iframe whose document is served by a separate URL with a strict CSP.
- Family (side by side): the 9 languages of one category, each the template the selection
  chain would use (marked when it is a fallback), with the same sample data or contact.
"""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import escape, format_html
from django.views.decorators.clickjacking import xframe_options_sameorigin

from tenants.admin import BrandSchemaAdmin

from . import rendering, selectors, services
from .models import GENERAL, LANGUAGE_NAMES, EmailTemplate, category_normalise

PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; frame-ancestors 'self'"


class CategoryFilter(admin.SimpleListFilter):
    title = "category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        categories = EmailTemplate.objects.exclude(category__isnull=True).values_list("category", flat=True).distinct()
        return [(GENERAL, GENERAL)] + [(c, c) for c in sorted(categories)]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if self.value() == GENERAL:
            return queryset.filter(category__isnull=True)
        return queryset.filter(category=self.value())


def _preview_values(request, *, language):
    """(values, label) for a preview: a chosen contact (?contact=ID) or sample data in `language`."""
    contact_id = (request.GET.get("contact") or "").strip()
    if contact_id:
        if not contact_id.isdigit():
            raise selectors.ContactNotFound(f"{contact_id!r} is not a contact id.")
        contact, values = selectors.template_contact_values(contact_id=int(contact_id))
        return selectors.template_preview_values(values), f"contact {contact.pk}"
    return rendering.sample_values(language=language), f"sample data ({language})"


def _error_document(message):
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><style>body{font:14px sans-serif;'
        f"color:#a00;padding:1em}}</style></head><body><p>{escape(message)}</p></body></html>"
    )


@admin.register(EmailTemplate)
class EmailTemplateAdmin(BrandSchemaAdmin):
    list_display = (
        "name", "language", "category_display", "is_default", "total_sent", "open_rate", "click_rate", "updated_at",
        "preview_links",
    )
    list_filter = ("language", CategoryFilter, "is_default")
    search_fields = ("name", "subject")
    list_per_page = 50
    actions = ["make_default"]
    fields = (
        "name", "language", "category", "is_default", "subject", "body_html", "body_text", "variables",
        "total_sent", "avg_open_rate", "avg_click_rate", "created_at", "updated_at", "preview_links",
    )
    readonly_fields = (
        "variables", "total_sent", "avg_open_rate", "avg_click_rate", "created_at", "updated_at", "preview_links",
    )

    @admin.display(description="category", ordering="category")
    def category_display(self, obj):
        return obj.category_label

    @admin.display(description="opens", ordering="avg_open_rate")
    def open_rate(self, obj):
        return f"{obj.avg_open_rate:.1%}"

    @admin.display(description="clicks", ordering="avg_click_rate")
    def click_rate(self, obj):
        return f"{obj.avg_click_rate:.1%}"

    @admin.display(description="preview")
    def preview_links(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        return format_html(
            '<a href="{}">preview</a> · <a href="{}">9 languages</a>',
            reverse("admin:templates_app_emailtemplate_preview", args=[obj.pk]),
            reverse("admin:templates_app_emailtemplate_family", args=[obj.pk]),
        )

    @admin.action(description="Make default for its language and category")
    def make_default(self, request, queryset):
        slots = {}
        for template in queryset:
            slots.setdefault((template.language, template.category), []).append(template)
        for (language, category), templates in slots.items():
            if len(templates) > 1:
                self.message_user(
                    request, f"Pick one template for ({language}, {category or GENERAL}), not {len(templates)}.",
                    messages.ERROR,
                )
                continue
            previous = services.template_make_default(template=templates[0])
            replaced = f", replacing {previous.name!r}" if previous else ""
            self.message_user(request, f"{templates[0].name!r} is now the default for ({language}, {category or GENERAL}){replaced}.")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/preview/", wrap(self.preview_view), name="templates_app_emailtemplate_preview"),
            path("<int:object_id>/preview/render/", wrap(self.preview_render_view), name="templates_app_emailtemplate_render"),
            path("<int:object_id>/family/", wrap(self.family_view), name="templates_app_emailtemplate_family"),
        ] + super().get_urls()

    # -- previews ---------------------------------------------------------------------------

    def _template_for(self, request, object_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(EmailTemplate, pk=object_id)

    def _render(self, request, template, *, language):
        """(RenderedMessage or None, error or None, values label)."""
        try:
            values, label = _preview_values(request, language=language)
            return selectors.template_render(template=template, values=values), None, label
        except (rendering.MissingVariable, selectors.ContactNotFound) as error:
            return None, str(error), ""

    def _render_url(self, request, template, *, language=None):
        url = reverse("admin:templates_app_emailtemplate_render", args=[template.pk])
        query = request.GET.copy()
        if language:
            query["sample_language"] = language
        return f"{url}?{query.urlencode()}" if query else url

    def preview_view(self, request, object_id):
        template = self._template_for(request, object_id)
        message, error, label = self._render(request, template, language=template.language)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Preview: {template}",
            "template_obj": template,
            "message": message,
            "error": error,
            "values_label": label,
            "contact": request.GET.get("contact", ""),
            "frame_url": self._render_url(request, template),
            "direction": rendering.language_direction(template.language),
        }
        return TemplateResponse(request, "admin/templates_app/emailtemplate/preview.html", context)

    @xframe_options_sameorigin
    def preview_render_view(self, request, object_id):
        """The rendered HTML document alone, for the preview iframes, under a strict CSP."""
        template = self._template_for(request, object_id)
        language = request.GET.get("sample_language") or template.language
        if language not in rendering.LANGUAGES:
            raise Http404("Unknown language.")
        message, error, _ = self._render(request, template, language=language)
        response = HttpResponse(
            message.html if message else _error_document(error), content_type="text/html; charset=utf-8",
            status=200 if message else 422,
        )
        response["Content-Security-Policy"] = PREVIEW_CSP
        response["Referrer-Policy"] = "no-referrer"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def family_view(self, request, object_id):
        """The 9 languages of this template's category side by side, as the selection chain picks them."""
        template = self._template_for(request, object_id)
        category = category_normalise(template.category)
        in_category = {}
        for candidate in EmailTemplate.objects.filter(category=category) if category else EmailTemplate.objects.filter(category__isnull=True):
            current = in_category.get(candidate.language)
            if current is None or (candidate.is_default and not current.is_default) or candidate.pk == template.pk:
                in_category[candidate.language] = candidate
        cells = []
        for language in rendering.LANGUAGES:
            member = in_category.get(language)
            note = ""
            if member is None:
                try:
                    choice = selectors.template_select(language=language, category=category)
                    member, note = choice.template, f"no {category or GENERAL} template: the chain uses {choice.template.language}, {choice.template.category_label} ({choice.matched})"
                except selectors.TemplateNotFound as error:
                    note = str(error)
            elif not member.is_default:
                note = "not the default"
            cells.append({
                "language": language,
                "language_name": LANGUAGE_NAMES.get(language, language),
                "direction": rendering.language_direction(language),
                "template": member,
                "note": note,
                "frame_url": self._render_url(request, member, language=language) if member else None,
                "change_url": reverse("admin:templates_app_emailtemplate_change", args=[member.pk]) if member else None,
            })
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"{category or GENERAL} templates in {len(rendering.LANGUAGES)} languages",
            "template_obj": template,
            "cells": cells,
            "contact": request.GET.get("contact", ""),
        }
        return TemplateResponse(request, "admin/templates_app/emailtemplate/family.html", context)
