"""The two brands of the seed (SOS-Expat id 1, Ulixai id 2) and the demo people."""
import os

from django.contrib.auth import get_user_model

from .models import Role, TenantGrant
from .services import tenant_create

BRANDS = [
    dict(slug="sos-expat", name="SOS-Expat", brand_domain="sos-expat.com", sending_domain_base="sos-mail.com"),
    dict(slug="ulixai", name="Ulixai", brand_domain="ulixai.com", sending_domain_base="ulixai-mail.com"),
]


def seed_brands(*, progress):
    created = 0
    for spec in progress(BRANDS, desc="brands"):
        _, was_created = tenant_create(**spec)
        created += was_created
    return {"brands": created}


def seed_demo_people(*, progress):
    """A demo admin of every brand and a Ulixai-only operator; passwords from the environment."""
    User = get_user_model()
    created = 0
    people = [
        ("admin", "admin@example.com", os.environ.get("DEMO_ADMIN_PASSWORD", ""), True, None),
        ("ops-ulixai", "ops@ulixai.com", os.environ.get("DEMO_OPERATOR_PASSWORD", ""), False, "ulixai"),
    ]
    for username, email, password, superuser, brand in people:
        user, was_created = User.objects.get_or_create(
            username=username, defaults={"email": email, "is_staff": True, "is_superuser": superuser}
        )
        if was_created:
            created += 1
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
        if brand:
            from .models import Tenant

            TenantGrant.objects.get_or_create(
                user=user, tenant=Tenant.objects.get(slug=brand), defaults={"role": Role.OPERATOR}
            )
    return {"demo people": created}
