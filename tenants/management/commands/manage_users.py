"""manage_users: people, their brand grants, and API keys (the seed's manage-users.py)."""
import sys

from django.core.management.base import BaseCommand, CommandError

from tenants.models import ApiKey
from tenants.services import (
    AccessError,
    api_key_create,
    api_key_revoke,
    grant_revoke,
    grant_set,
    user_create,
    user_disable,
)


class Command(BaseCommand):
    help = "Manage ops staff, their brand grants and the API keys of machine clients."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="SUBCOMMAND")
        create = sub.add_parser("create", help="Create a user (staff; log into the admin).")
        create.add_argument("username")
        create.add_argument("--email", required=True)
        create.add_argument("--password-stdin", action="store_true", help="Read the password from standard input.")
        create.add_argument("--superuser", action="store_true")
        sub.add_parser("list", help="List users with their grants.")
        disable = sub.add_parser("disable", help="Disable a user (cannot log in any more).")
        disable.add_argument("username")
        grant = sub.add_parser("grant", help="Grant a role: admin (every brand) or operator/viewer on one brand.")
        grant.add_argument("username")
        grant.add_argument("--tenant", help="Brand slug (not for the admin role).")
        grant.add_argument("--role", required=True)
        revoke = sub.add_parser("revoke", help="Remove a user's grant on a brand (no --tenant: the admin grant).")
        revoke.add_argument("username")
        revoke.add_argument("--tenant")
        key = sub.add_parser("create-api-key", help="Create an API key; prints it once, alone on the last line.")
        key.add_argument("--name", required=True)
        key.add_argument("--tenants", required=True, help="Brand slugs, comma-separated.")
        key.add_argument("--scopes", required=True, help="Scopes, comma-separated, e.g. contacts:write,contacts:read")
        sub.add_parser("list-api-keys", help="List API keys (never the keys themselves).")
        rkey = sub.add_parser("revoke-api-key", help="Revoke an API key by name.")
        rkey.add_argument("name")

    def handle(self, *args, action, **options):
        try:
            getattr(self, "do_" + action.replace("-", "_"))(**options)
        except AccessError as exc:
            raise CommandError(str(exc)) from None

    def do_create(self, username, email, password_stdin, superuser, **_):
        password = None
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
            if not password:
                raise AccessError("No password on standard input.")
        user = user_create(username=username, email=email, password=password, superuser=superuser)
        note = "" if password else " (no password yet: it cannot log in until one is set)"
        self.stdout.write(f"Created user {user.username}{' (superuser)' if superuser else ''}{note}.")

    def do_list(self, **_):
        from django.contrib.auth import get_user_model

        users = get_user_model().objects.order_by("username").prefetch_related("tenant_grants__tenant")
        self.stdout.write(f"{'USERNAME':20} {'EMAIL':30} {'ACTIVE':6} GRANTS")
        for user in users:
            grants = ", ".join(
                f"{g.tenant.slug if g.tenant else '*'}:{g.role}" for g in user.tenant_grants.all()
            ) or ("superuser" if user.is_superuser else "-")
            self.stdout.write(f"{user.username:20} {user.email:30} {'yes' if user.is_active else 'no':6} {grants}")

    def do_disable(self, username, **_):
        user_disable(username=username)
        self.stdout.write(f"Disabled user {username}.")

    def do_grant(self, username, tenant, role, **_):
        grant = grant_set(username=username, role=role, tenant_slug=tenant)
        self.stdout.write(f"Granted {username} {grant.role} on {grant.tenant.slug if grant.tenant else 'every brand'}.")

    def do_revoke(self, username, tenant, **_):
        grant_revoke(username=username, tenant_slug=tenant)
        self.stdout.write(f"Revoked {username}'s grant on {tenant or 'every brand (admin)'}.")

    def do_create_api_key(self, name, tenants, scopes, **_):
        slugs = [s.strip() for s in tenants.split(",") if s.strip()]
        key, raw = api_key_create(name=name, tenant_slugs=slugs, scopes=scopes)
        self.stdout.write(
            f"Created API key {key.name} for {', '.join(slugs)} with scopes {', '.join(key.scopes)}. "
            "Store it now: it is shown only once."
        )
        self.stdout.write(raw)

    def do_list_api_keys(self, **_):
        self.stdout.write(f"{'NAME':24} {'PREFIX':12} {'STATE':8} {'BRANDS':24} SCOPES")
        for key in ApiKey.objects.prefetch_related("tenants"):
            brands = ",".join(t.slug for t in key.tenants.all())
            state = "active" if key.is_active else "revoked"
            self.stdout.write(f"{key.name:24} {key.prefix:12} {state:8} {brands:24} {','.join(key.scopes)}")

    def do_revoke_api_key(self, name, **_):
        api_key_revoke(name=name)
        self.stdout.write(f"Revoked API key {name}.")
