from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Brands, people and keys"

    def ready(self):
        from . import audit, openapi  # noqa: F401  (openapi registers the auth scheme)

        audit.connect_signals()
