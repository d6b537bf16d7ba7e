"""The admin's brand switcher."""
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from .middleware import SESSION_KEY


@staff_member_required
@require_POST
def brand_switch(request):
    """Work in another granted brand. Ids of one brand mean nothing in another: go to the admin home."""
    try:
        wanted = int(request.POST.get("brand", ""))
    except ValueError:
        wanted = None
    brand = next((b for b in request.brands if b.pk == wanted), None)
    if brand is None:
        messages.error(request, "You are not granted that brand.")
    else:
        request.session[SESSION_KEY] = brand.pk
        messages.success(request, f"You are now working in {brand.name}.")
    return HttpResponseRedirect(reverse("admin:index"))
