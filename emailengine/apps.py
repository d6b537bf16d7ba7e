from django.contrib.admin.apps import AdminConfig


class EmailEngineAdminConfig(AdminConfig):
    """The Django admin, with our site: the home page is the brand's dashboard."""

    default_site = "emailengine.admin_site.EmailEngineAdminSite"
