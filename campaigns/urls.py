"""/api/v2/ routes of this app."""
urlpatterns = []
