from django.contrib import admin

from .dashboard import dashboard_build


class EmailEngineAdminSite(admin.AdminSite):
    site_header = "Email Engine"
    site_title = "Email Engine"
    index_title = "Dashboard"
    index_template = "admin/dashboard.html"

    def index(self, request, extra_context=None):
        context = dict(extra_context or {})
        brand = getattr(request, "brand", None)
        if brand is not None:
            context["dashboard"] = dashboard_build(tenant=brand)
        return super().index(request, context)
