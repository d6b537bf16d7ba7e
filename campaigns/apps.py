from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"

    def ready(self):
        from deliverability.services.pmta import accounting_handler_register

        from .services.events import campaign_accounting_handle

        accounting_handler_register(campaign_accounting_handle)
