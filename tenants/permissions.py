"""DRF permission: the caller is a valid API key or an active, logged-in person."""
from rest_framework import permissions


class IsPrincipal(permissions.BasePermission):
    """A valid API key or a logged-in, active person."""

    message = "Authentication required: send an API key as 'Authorization: Bearer <key>'."

    def has_permission(self, request, view):
        if request.auth is not None:
            return True
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated and user.is_active)
