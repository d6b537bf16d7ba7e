"""Demo campaigns for `make run`: one draft per brand, ready to pre-flight and launch from the admin."""
from django_tenants.utils import tenant_context

from tenants.models import Tenant

DEMO_CAMPAIGNS = {
    "sos-expat": {"name": "Demo: lawyers and helpers abroad", "tags_any": ["prestataire"],
                  "exclude_tags": ["client"], "daily_cap": 500},
    "ulixai": {"name": "Demo: freelancers", "tags_any": ["freelance"], "daily_cap": 300},
}


def seed_demo_campaigns(*, progress):
    """Create each brand's demo draft campaign if missing (by name); never touches existing ones."""
    from .models import Campaign

    created = 0
    for tenant in progress(list(Tenant.objects.filter(slug__in=DEMO_CAMPAIGNS)), desc="demo campaigns"):
        spec = dict(DEMO_CAMPAIGNS[tenant.slug])
        with tenant_context(tenant):
            _, was_created = Campaign.objects.get_or_create(name=spec.pop("name"), defaults=spec)
            created += was_created
    return {"demo campaigns": created}
