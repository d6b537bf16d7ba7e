"""Routes at the site root that recipients reach from their messages (included by emailengine/urls.py)."""
from django.urls import path

from . import public_views

urlpatterns = [
    path("u/<str:token>", public_views.unsubscribe, name="campaigns-unsubscribe"),
    path("t/o/<str:token>.gif", public_views.open_pixel, name="campaigns-open"),
    path("t/c/<str:token>", public_views.click, name="campaigns-click"),
]
