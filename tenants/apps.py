from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Brands, people and keys"

    def ready(self):
        from . import audit

        audit.connect_signals()
