"""Back office for a brand's audience: contacts (filters, CSV upload), tags, data sources, suppression, imports."""
import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime

from emailengine.encryption import mask_secret
from emailengine.pagination import EstimatedCountPaginator
from tenants.admin import BrandSchemaAdmin
from tenants.audit import audit_record

from .models import LANGUAGE_CHOICES, Contact, ContactEvent, DataSource, ImportJob, Suppression, Tag
from .selectors import (SegmentFilterError, contacts_with_tag, segment_count, segment_filter_check, segment_preview)
from .services.bulk import (contact_tags_set, contacts_export_rows, contacts_suppress, contacts_tag_add, contacts_tag_remove,
                            export_filename)
from .services.catalog import data_source_rotate_secret
from .services.csv_import import CsvImportError, import_job_create


class TagFilter(admin.SimpleListFilter):
    """Contacts with a tag or any of its descendants."""

    title = "tag"
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        return [(t.slug, t.slug if not t.parent_id else f"— {t.slug}") for t in Tag.objects.order_by("parent_id", "slug")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return contacts_with_tag(queryset=queryset, slug=self.value())


CATEGORY_CACHE_SECONDS = 300


class CategoryFilter(admin.SimpleListFilter):
    title = "category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        # DISTINCT over a million rows on every page load is too slow: the list is cached a few minutes.
        key = f"admin:contact-categories:{connection.schema_name}"
        values = cache.get(key)
        if values is None:
            values = list(Contact.objects.exclude(category="").order_by("category")
                          .values_list("category", flat=True).distinct()[:100])
            cache.set(key, values, CATEGORY_CACHE_SECONDS)
        return [(v, v) for v in values]

    def queryset(self, request, queryset):
        return queryset.filter(category=self.value()) if self.value() else queryset


class LanguageFilter(admin.SimpleListFilter):
    title = "language"
    parameter_name = "language"

    def lookups(self, request, model_admin):
        return [*LANGUAGE_CHOICES, ("none", "none (English fallback)")]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(language__isnull=True)
        return queryset.filter(language=self.value()) if self.value() else queryset


class BrandInline(admin.TabularInline):
    """Inline rows follow the brand role like their parent page (viewers read, operators change)."""

    def has_view_permission(self, request, obj=None):
        return BrandSchemaAdmin.has_view_permission(self, request, obj)

    def has_change_permission(self, request, obj=None):
        return BrandSchemaAdmin.has_change_permission(self, request, obj)

    def has_add_permission(self, request, obj=None):
        return BrandSchemaAdmin.has_change_permission(self, request, obj)

    def has_delete_permission(self, request, obj=None):
        return BrandSchemaAdmin.has_change_permission(self, request, obj)

    _brand = BrandSchemaAdmin._brand
    has_module_permission = BrandSchemaAdmin.has_module_permission


class ContactEventInline(BrandInline):
    model = ContactEvent
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
    readonly_fields = ("event_type", "campaign_id", "event_data", "timestamp")
    fields = readonly_fields


class CsvUploadForm(forms.Form):
    file = forms.FileField(help_text="CSV, comma or semicolon separated, UTF-8 or Latin-1, with a header line.")
    data_source = forms.ModelChoiceField(queryset=DataSource.objects.none(), required=False,
                                         help_text="Default: the brand's CSV data source.")
    tags = forms.CharField(required=False, help_text="Tags added to every row: a,b")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["data_source"].queryset = DataSource.objects.filter(is_active=True).order_by("pk")


class ContactAdminForm(forms.ModelForm):
    tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.none(), required=False, widget=FilteredSelectMultiple("tags", is_stacked=False),
        help_text="The contact's tags. Segments follow at once; each change is logged as a tagged/untagged event.")

    class Meta:
        model = Contact
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"].queryset = Tag.objects.order_by("slug")
        if self.instance.pk is not None:
            self.initial["tags"] = list(self.instance.contact_tags.values_list("tag_id", flat=True))


class ContactActionForm(ActionForm):
    tag = forms.ModelChoiceField(queryset=Tag.objects.none(), required=False, empty_label="(tag for tag/untag)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag"].queryset = Tag.objects.order_by("slug")


@admin.register(Contact)
class ContactAdmin(BrandSchemaAdmin):
    list_display = ("email", "first_name", "last_name", "language", "category", "country", "status",
                    "validation_status", "data_source", "updated_at")
    list_filter = (TagFilter, LanguageFilter, CategoryFilter, "status", "validation_status", "data_source")
    search_fields = ("email",)
    search_help_text = "Search by email: a whole address, or its beginning."
    list_select_related = ("data_source",)
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    action_form = ContactActionForm
    readonly_fields = ("validation_status", "validation_score", "created_at", "updated_at", "mailwizz_subscriber_id",
                       "mailwizz_list_id", "last_campaign_sent_at", "total_campaigns_received", "tagged_since")
    form = ContactAdminForm
    inlines = [ContactEventInline]
    actions = ["tag_selected", "untag_selected", "suppress_selected", "export_selected"]
    change_list_template = "admin/contacts/contact/change_list.html"

    @admin.display(description="Tagged since")
    def tagged_since(self, obj):
        links = obj.contact_tags.select_related("tag").order_by("tag__slug") if obj.pk else []
        return format_html_join(", ", "{} ({})", ((link.tag.slug, f"{localtime(link.added_at):%Y-%m-%d %H:%M}") for link in links)) or "-"

    def save_related(self, request, form, formsets, change):
        """The tags field is saved by `contact_tags_set` (links and their events), not by the form's M2M save."""
        chosen = form.cleaned_data.pop("tags", None)
        super().save_related(request, form, formsets, change)
        if chosen is not None:
            contact_tags_set(contact=form.instance, tags=chosen, source=f"admin {request.user.get_username()}")

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="contacts_contact_import"),
            path("segment/", view(self.segment_view), name="contacts_contact_segment"),
            path("segment/count/", view(self.segment_count_view), name="contacts_contact_segment_count"),
        ] + super().get_urls()

    def get_search_results(self, request, queryset, search_term):
        """Email only, through its unique index: the exact address, or the addresses that start with the term."""
        term = search_term.strip().lower()
        if not term:
            return queryset, False
        if "@" in term:
            return queryset.filter(email=term), False
        return queryset.filter(email__gte=term, email__lt=term + "\U0010ffff"), False

    def segment_view(self, request):
        """The segment builder: pick tags and fields, watch the count change live."""
        if not self.has_view_permission(request):
            return redirect("admin:index")
        context = {
            **self.admin_site.each_context(request),
            "title": "Segment builder",
            "opts": self.model._meta,
            "tags": Tag.objects.order_by("slug"),
            "languages": LANGUAGE_CHOICES,
            "statuses": Contact._meta.get_field("status").choices,
            "validations": Contact._meta.get_field("validation_status").choices,
        }
        return TemplateResponse(request, "admin/contacts/contact/segment.html", context)

    def segment_count_view(self, request):
        """POST a segment filter (JSON): its live count and the first matching contacts."""
        if request.method != "POST" or not self.has_view_permission(request):
            return JsonResponse({"error": "POST a segment filter."}, status=405)
        try:
            segment = segment_filter_check(data=json.loads(request.body or b"{}"))
        except (ValueError, SegmentFilterError) as exc:
            return JsonResponse({"error": str(exc)}, status=400)
        preview = segment_preview(filter=segment, limit=10)
        return JsonResponse({
            "count": segment_count(filter=segment),
            "preview": [{"email": c.email, "name": f"{c.first_name} {c.last_name}".strip(),
                         "language": c.language or "", "category": c.category}
                        for c in preview],
        })

    @admin.action(description="Add the chosen tag to the selected contacts", permissions=["change"])
    def tag_selected(self, request, queryset):
        self._tag_change(request, queryset, contacts_tag_add, "Tagged {count} contacts with {slug}.")

    @admin.action(description="Remove the chosen tag from the selected contacts", permissions=["change"])
    def untag_selected(self, request, queryset):
        self._tag_change(request, queryset, contacts_tag_remove, "Removed {slug} from {count} contacts.")

    def _tag_change(self, request, queryset, change, message):
        tag = Tag.objects.filter(pk=request.POST.get("tag") or None).first()
        if tag is None:
            self.message_user(request, "Choose a tag in the list next to the action first.", messages.ERROR)
            return
        count = change(queryset=queryset, tag=tag, source=f"admin {request.user.get_username()}")
        self.message_user(request, message.format(count=count, slug=tag.slug))

    @admin.action(description="Export the selected contacts as CSV")
    def export_selected(self, request, queryset):
        audit_record(action="action", object_type="contacts.contact", object_repr="exported contacts as CSV",
                     changes={"count": queryset.count()})
        response = StreamingHttpResponse(contacts_export_rows(queryset=queryset, tenant=request.brand), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{export_filename(request.brand.slug)}"'
        return response

    def import_view(self, request):
        if not self.has_change_permission(request):
            return redirect("admin:contacts_contact_changelist")
        form = CsvUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            source = form.cleaned_data["data_source"]
            try:
                job = import_job_create(
                    upload=form.cleaned_data["file"], data_source_id=source.pk if source else None,
                    tags=[t for t in form.cleaned_data["tags"].replace("|", ",").split(",") if t.strip()],
                    created_by=request.user.get_username(),
                )
            except CsvImportError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, f"Import of {job.file_name} queued.")
                return redirect("admin:contacts_importjob_change", job.pk)
        context = {**self.admin_site.each_context(request), "title": "Import contacts from CSV", "form": form,
                   "opts": self.model._meta}
        return TemplateResponse(request, "admin/contacts/contact/import.html", context)

    @admin.action(description="Add the selected contacts to the suppression list (manual block)",
                  permissions=["change"])
    def suppress_selected(self, request, queryset):
        count = contacts_suppress(queryset=queryset, source=f"admin {request.user.get_username()}")
        audit_record(action="action", object_type="contacts.suppression",
                     object_repr=f"suppressed {count} contacts", changes={"count": count})
        self.message_user(request, f"{count} contacts newly suppressed (already suppressed ones are unchanged).")


@admin.register(Tag)
class TagAdmin(BrandSchemaAdmin):
    list_display = ("slug", "label", "parent", "color")
    list_filter = (("parent", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("slug", "label")
    fields = ("slug", "label", "parent", "color", "description")


class DataSourceForm(forms.ModelForm):
    class Meta:
        model = DataSource
        fields = ("name", "type", "config", "is_active")


@admin.register(DataSource)
class DataSourceAdmin(BrandSchemaAdmin):
    form = DataSourceForm
    list_display = ("id", "name", "type", "is_active", "total_contacts_ingested", "masked_secret")
    readonly_fields = ("total_contacts_ingested", "masked_secret", "webhook_url")
    actions = ["rotate_secret"]

    def get_fields(self, request, obj=None):
        return ("name", "type", "config", "is_active") + (
            ("total_contacts_ingested", "masked_secret", "webhook_url") if obj else ())

    @admin.display(description="Webhook secret")
    def masked_secret(self, obj):
        return mask_secret(obj.webhook_secret) or "-"

    @admin.display(description="Webhook URL")
    def webhook_url(self, obj):
        brand = getattr(self, "_brand_slug", None) or "{tenant}"
        return f"/api/v2/webhooks/{brand}/{obj.pk}  (X-Signature: sha256=<HMAC-SHA256 of the body>)"

    def changeform_view(self, request, *args, **kwargs):
        self._brand_slug = getattr(getattr(request, "brand", None), "slug", None)
        return super().changeform_view(request, *args, **kwargs)

    @admin.action(description="Generate a new webhook secret (shown once)")
    def rotate_secret(self, request, queryset):
        for source in queryset:
            secret = data_source_rotate_secret(data_source=source)
            self.message_user(request, f"{source.name}: new webhook secret {secret} (copy it now: it will not be "
                                       "shown again).", messages.WARNING)


@admin.register(Suppression)
class SuppressionAdmin(BrandSchemaAdmin):
    list_display = ("email", "reason", "source", "created_at")
    list_filter = ("reason",)
    search_fields = ("=email", "source")
    fields = ("email", "reason", "source")


@admin.register(ImportJob)
class ImportJobAdmin(BrandSchemaAdmin):
    list_display = ("file_name", "status", "progress", "total_processed", "new_contacts", "updated_contacts",
                    "duplicates_skipped", "error_count", "created_by", "created_at")
    list_filter = ("status",)
    readonly_fields = ("file_name", "status", "progress", "data_source", "tags", "total_processed", "new_contacts",
                       "updated_contacts", "duplicates_skipped", "error_count", "rejected_rows", "failure",
                       "created_by", "created_at", "started_at", "finished_at")
    fields = readonly_fields
    change_form_template = "admin/contacts/importjob/change_form.html"

    @admin.display(description="Progress")
    def progress(self, obj):
        return format_html('<progress max="100" value="{}"></progress> {}%', obj.progress_percent, obj.progress_percent)

    @admin.display(description="Rejected rows (first 1,000)")
    def rejected_rows(self, obj):
        if not obj.errors:
            return "-"
        return format_html("<br>".join(["{}"] * len(obj.errors[:200])), *[
            f"line {e.get('line')}: {e.get('email') or '-'}: {e.get('error')}" for e in obj.errors[:200]])

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        job = ImportJob.objects.filter(pk=object_id).first() if object_id else None
        extra_context = {**(extra_context or {}),
                         "refresh": job is not None and job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING),
                         "contacts_url": reverse("admin:contacts_contact_changelist")}
        return super().changeform_view(request, object_id, form_url, extra_context)
