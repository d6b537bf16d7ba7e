"""/api/v2/ routes of the MailWizz channel (event webhooks)."""
urlpatterns = []
