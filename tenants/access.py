"""Who may do what on which brand: the one place that answers it, for people and API keys."""
from dataclasses import dataclass, field

from .models import Role, Scope

READ_SCOPES = frozenset(s.value for s in Scope if s.value.endswith(":read"))
ALL_SCOPES = frozenset(s.value for s in Scope)
ROLE_SCOPES = {
    Role.ADMIN: ALL_SCOPES,
    Role.OPERATOR: ALL_SCOPES,
    Role.VIEWER: READ_SCOPES,
}


@dataclass
class Principal:
    """The caller of a request: a person (user) or a machine client (api_key)."""

    user: object = None
    api_key: object = None
    _roles: dict = field(default=None, repr=False)

    @property
    def name(self):
        if self.api_key is not None:
            return f"key:{self.api_key.name}"
        return self.user.get_username() if self.user is not None else "anonymous"

    def role_for(self, tenant):
        """The person's role on a brand, or None (API keys have no role)."""
        if self.user is None or not self.user.is_active:
            return None
        if self.user.is_superuser:
            return Role.ADMIN
        if self._roles is None:
            self._roles = {g.tenant_id: g.role for g in self.user.tenant_grants.all()}
        if None in self._roles:
            return Role.ADMIN
        return self._roles.get(tenant.pk)

    def can(self, tenant, scope):
        """True when the caller is granted `tenant` with `scope` (e.g. "contacts:write")."""
        if tenant is None or not tenant.is_active:
            return False
        if self.api_key is not None:
            key = self.api_key
            return key.is_active and scope in key.scopes and tenant.pk in principal_key_tenant_ids(key)
        role = self.role_for(tenant)
        return role is not None and scope in ROLE_SCOPES[role]

    def can_see(self, tenant):
        if self.api_key is not None:
            return tenant.pk in principal_key_tenant_ids(self.api_key)
        return self.role_for(tenant) is not None

    def can_change(self, tenant):
        return self.role_for(tenant) in (Role.ADMIN, Role.OPERATOR)


def principal_key_tenant_ids(key):
    cached = getattr(key, "_tenant_ids", None)
    if cached is None:
        cached = frozenset(key.tenants.values_list("pk", flat=True))
        key._tenant_ids = cached
    return cached


def principal_for_request(request):
    """The Principal of a Django or DRF request."""
    key = getattr(request, "auth", None)
    from .models import ApiKey

    if isinstance(key, ApiKey):
        return Principal(api_key=key)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Principal(user=user)
    return Principal()
