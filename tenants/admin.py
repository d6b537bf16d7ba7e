"""Admin for brands, grants, keys and the audit trail, and the base classes every brand admin uses.

`BrandSchemaAdmin` is for models that live in a brand's schema (contacts, templates,
campaigns): the request already runs in the current brand's schema, so only the
role decides what the user may do. `BrandOwnedAdmin` is for public-schema models
with a `tenant` foreign key (IPs, sending domains...): it also filters rows to the
current brand, so another brand's row answers 404.
"""
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django_tenants.utils import schema_context

from .access import Principal
from .models import ApiKey, AuditLog, Role, Scope, Tenant, TenantGrant
from .services import AccessError, api_key_create


def _principal(request):
    return Principal(user=request.user)


def _is_global_admin(request):
    user = request.user
    return user.is_active and (user.is_superuser or user.tenant_grants.filter(role=Role.ADMIN).exists())


class BrandSchemaAdmin(admin.ModelAdmin):
    """A model in the current brand's schema; viewers read, operators and admins change."""

    def _brand(self, request):
        return getattr(request, "brand", None)

    def has_module_permission(self, request):
        brand = self._brand(request)
        return brand is not None and _principal(request).can_see(brand)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        brand = self._brand(request)
        return brand is not None and _principal(request).can_change(brand)

    def has_add_permission(self, request):
        return self.has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request)


class BrandOwnedAdmin(BrandSchemaAdmin):
    """A public-schema model owned by a brand (`tenant` FK): shows and creates only the current brand's rows."""

    brand_field = "tenant"

    def get_queryset(self, request):
        brand = self._brand(request)
        queryset = super().get_queryset(request)
        if brand is None:
            return queryset.none()
        return queryset.filter(**{self.brand_field: brand})

    def get_exclude(self, request, obj=None):
        return tuple(super().get_exclude(request, obj) or ()) + (self.brand_field,)

    def save_model(self, request, obj, form, change):
        if not change:
            setattr(obj, self.brand_field, self._brand(request))
        super().save_model(request, obj, form, change)


class GlobalAdminOnly(admin.ModelAdmin):
    """Only admins of every brand (or superusers) manage these."""

    def has_module_permission(self, request):
        return _is_global_admin(request)

    def has_view_permission(self, request, obj=None):
        return _is_global_admin(request)

    def has_change_permission(self, request, obj=None):
        return _is_global_admin(request)

    def has_add_permission(self, request):
        return _is_global_admin(request)

    def has_delete_permission(self, request, obj=None):
        return _is_global_admin(request)


@admin.register(Tenant)
class TenantAdmin(GlobalAdminOnly):
    list_display = ("id", "slug", "name", "brand_domain", "sending_domain_base", "is_active")
    readonly_fields = ("schema_name", "created_at")
    fields = ("slug", "name", "brand_domain", "sending_domain_base", "time_zone", "is_active", "schema_name", "created_at")

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (("slug",) if obj is not None else ())

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.schema_name = Tenant.schema_name_for(obj.slug)
        with schema_context("public"):  # django-tenants only saves a tenant from the public schema
            super().save_model(request, obj, form, change)


class TenantGrantInline(admin.TabularInline):
    model = TenantGrant
    extra = 0
    fields = ("tenant", "role")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffAdmin(GlobalAdminOnly, UserAdmin):
    inlines = [TenantGrantInline]
    list_display = ("username", "email", "is_active", "is_superuser", "grants")

    @admin.display(description="Brands")
    def grants(self, obj):
        return ", ".join(f"{g.tenant.slug if g.tenant else '*'}:{g.role}" for g in obj.tenant_grants.all()) or "-"


class ApiKeyForm(forms.ModelForm):
    scope_list = forms.MultipleChoiceField(
        choices=Scope.choices, widget=forms.CheckboxSelectMultiple, label="Scopes"
    )

    class Meta:
        model = ApiKey
        fields = ("name", "tenants", "is_active")


@admin.register(ApiKey)
class ApiKeyAdmin(GlobalAdminOnly):
    form = ApiKeyForm
    list_display = ("name", "prefix", "brands", "scopes", "is_active", "created_at", "last_used_at")
    readonly_fields = ("prefix", "scopes", "created_at", "created_by", "revoked_at", "last_used_at")
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "tenants", "scope_list")
        return ("name", "prefix", "tenants", "scopes", "is_active", "created_at", "created_by", "revoked_at", "last_used_at")

    @admin.display(description="Brands")
    def brands(self, obj):
        return ", ".join(t.slug for t in obj.tenants.all())

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        try:
            key, raw = api_key_create(
                name=form.cleaned_data["name"],
                tenant_slugs=[t.slug for t in form.cleaned_data["tenants"]],
                scopes=form.cleaned_data["scope_list"],
                created_by=request.user,
            )
        except AccessError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        obj.pk = key.pk
        self.message_user(request, f"API key {key.name}: {raw} (copy it now: it will not be shown again).", messages.WARNING)

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset):
        from .services import api_key_revoke

        for key in queryset.filter(is_active=True):
            api_key_revoke(name=key.name)
        self.message_user(request, "Revoked.")


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("timestamp", "actor", "channel", "tenant", "action", "object_type", "object_id", "object_repr", "ip_address")
    list_filter = ("channel", "action", "object_type")
    search_fields = ("actor", "object_repr", "object_id")
    date_hierarchy = "timestamp"
    readonly_fields = [f.name for f in AuditLog._meta.fields]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("tenant")
        if _is_global_admin(request):
            return queryset
        brand_ids = [b.pk for b in getattr(request, "brands", [])]
        return queryset.filter(tenant_id__in=brand_ids)

    def has_module_permission(self, request):
        return bool(getattr(request, "brands", None))

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
