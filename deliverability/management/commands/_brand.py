"""The --tenant option shared by the fleet commands."""
from django.core.management.base import CommandError

from tenants.models import Tenant


def tenant_option(parser):
    parser.add_argument("--tenant", metavar="SLUG", help="Only this brand (slug or id); every brand by default.")


def tenant_from(value):
    if not value:
        return None
    tenant = Tenant.objects.filter(slug=value).first()
    if tenant is None and str(value).isdigit():
        tenant = Tenant.objects.filter(pk=int(value)).first()
    if tenant is None:
        known = ", ".join(Tenant.objects.order_by("pk").values_list("slug", flat=True))
        raise CommandError(f"unknown brand {value!r} (known: {known})")
    return tenant
