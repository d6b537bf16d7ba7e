def brand(request):
    """The admin's current brand and the brands the user may switch to."""
    return {
        "current_brand": getattr(request, "brand", None),
        "available_brands": getattr(request, "brands", []),
    }
